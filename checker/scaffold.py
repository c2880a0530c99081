"""``parkcheck rules new``: a rule skeleton for one catalogue clause, with its passing and failing case.

The requirement is quoted from the catalogue (so lint's verbatim check holds), the obligation is the
modal verb of the clause (or of the list it belongs to), and the grade follows from it.  Given an
evidence kind and a field, the skeleton is a complete rule whose cases run against the pack's
fixture: adding a rule is one entry plus its cases.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import InputError
from .packs import Pack

VERBS = ("应", "宜", "鼓励", "可")


def _obligation(pack: Pack, clause: str) -> str:
    entry = pack.catalogue[clause]
    for text in (entry.text, pack.catalogue[entry.parent].text if entry.parent in pack.catalogue else ""):
        found = [v for v in VERBS if re.search(v + r"(?!持续|获得|行|靠|能|以)", text or "")]
        if found:
            return found[0]
    return "应"


def _slug(clause: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", clause.lower().replace("(", "").replace(")", "")).strip("-")


def _prefix(pack: Pack) -> str:
    heads = {r.id.split("-")[0] for r in pack.rules}
    return sorted(heads)[0] if len(heads) == 1 else pack.id.split("-")[0]


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def skeleton(pack: Pack, clause: str, kind: str | None = None, field: str | None = None,
             rule_id: str | None = None) -> str:
    """The YAML text of one rule (a list item of ``rules:``) for ``clause`` of ``pack``."""
    if clause not in pack.catalogue:
        raise InputError(f"clause {clause!r} is not in the catalogue of {pack.id} (see `parkcheck rules coverage`)")
    entry = pack.catalogue[clause]
    text = (entry.text or entry.title).strip()
    obligation = _obligation(pack, clause)
    grade = "minor" if obligation == "应" else "observation"
    rid = rule_id or f"{_prefix(pack)}-{_slug(clause)}-new"
    if rid in {r.id for r in pack.rules}:
        raise InputError(f"rule id {rid!r} is already used in {pack.id}: give another with --id")
    kind_ = kind or "KIND"
    field_ = field or "FIELD"
    fixture = pack.folder / "fixtures" / "base"
    fixture_file = next((p.name for p in sorted(fixture.glob("*.yaml"))
                         if re.search(rf"^kind:\s*{re.escape(kind_)}\s*$", p.read_text(encoding="utf-8"), re.M)),
                        f"{kind_}.yaml") if fixture.is_dir() else f"{kind_}.yaml"
    title = entry.title or clause
    lines = [
        f"  - id: {rid}",
        f"    clause: {_q(clause)}",
        f"    requirement: {_q(text)}",
        f"    obligation: {obligation}",
        f"    grade: {grade}  # major: the requirement is not addressed at all; minor: one element is missing",
        f"    for_each: {kind_}",
        f"    expect: {{field: {field_}, present: true}}",
        f"    evidence_field: {field_}",
        f"    message: {{zh: {_q('《{{ subject.title }}》未满足“' + title + '”的要求。')}, "
        f"en: {_q('The document does not meet clause ' + clause + '.')}}}",
        f"    remediation: {{zh: {_q('补充' + title + '的内容（' + field_ + '）。')}, "
        f"en: {_q('Provide ' + field_ + ' for clause ' + clause + '.')}}}",
        "    cases:",
        f"      - name: {_q('满足' + title)}",
        f"      - name: {_q('缺少' + title)}",
        "        breach: true",
        f"        patch: [{{op: remove, file: {fixture_file}, path: /{field_.replace('.', '/')}}}]",
        f"        expect: {{status: {'nonconformity' if grade != 'observation' else 'observation'}"
        + (f", grade: {grade}" if grade != "observation" else "")
        + f", evidence: {{file: {fixture_file}}}}}",
    ]
    from .rulefmt import format_text  # the rule-file format that `rules lint` checks

    text, _ = format_text("rules:\n" + "\n".join(lines) + "\n", pack.folder, pack.meta, "skeleton")
    return text.split("\n", 1)[1]


def add_rule(pack: Pack, clause: str, target: Path, **kw) -> str:
    """Append the skeleton to a rule file of the pack (created with a ``rules:`` key if new)."""
    text = skeleton(pack, clause, **kw)
    if target.exists():
        current = target.read_text(encoding="utf-8")
        if not re.search(r"^rules:\s*$", current, re.M):
            raise InputError("the file has no top-level `rules:` list to append to", str(target))
        target.write_text(current.rstrip("\n") + "\n\n" + text, encoding="utf-8")
    else:
        target.write_text(f"# {pack.meta.get('code', pack.id)} {clause}\nrules:\n" + text, encoding="utf-8")
    return text
