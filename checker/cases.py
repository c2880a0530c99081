"""Run the test cases written beside each rule (``parkcheck rules test``).

A case names a fixture bundle of the pack (``fixtures/<name>/``, default ``base``) and patches it:
``set`` or ``remove`` a value at a JSON pointer of one file, or ``delete_file``.  Patches are
applied to the round-trip YAML and the file is written back to text, so the patched evidence has
exact line numbers.  The case then runs the whole pipeline (validation included) for the pack and
checks the rule's result: status, grade, and that the evidence points at the expected file and
JSON pointer.  Only the rules under test, and what their results depend on, are evaluated
(``checker.selection``); cases with the same input share one run (``run_pack_cases``).
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from .bundle import bundle_from_files, read_files
from .check import check_bundle
from .errors import InputError
from .evidence import accept_gaps, split_gaps, validate_bundle
from .model import Report, Result, Status
from .packs import Case, Pack, Rule
from .schemas import load_schemas
from .yamlio import split_pointer

BREACH = {Status.NONCONFORMITY, Status.OBSERVATION}


@dataclass(frozen=True)
class CaseOutcome:
    pack: str
    rule: str
    case: str
    ok: bool
    detail: str
    file: str
    line: int | None

    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@lru_cache(maxsize=32)
def _fixture(folder: str) -> tuple[tuple[str, bytes], ...]:
    _, files = read_files(folder)
    return tuple(sorted(files.items()))


def _rt() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    y.allow_unicode = True
    return y


_SELECTOR = re.compile(r"^(?P<name>[^\[\]]*)\[(?P<conds>[^=\[\]]+=[^\]]*)\]$")
_COND = re.compile(r"(?P<field>[^=&]+)=(?P<value>[^&]*)")


def _select(parent: Any, token: str, where: str) -> tuple[Any, Any]:
    """Resolve one pointer token on ``parent``: ``(container, key)``.  A token may carry a key
    selector, ``audits[id=IA-01]`` (or ``[id=IA-01]`` on a list), which picks the one list item
    whose field equals the value, so edits never depend on the order of records; where one field
    does not tell two items apart, several conditions are joined by ``&``
    (``[number=LG-CMS-020&version=A/1]``)."""
    m = _SELECTOR.match(token)
    if m:
        if m.group("name"):
            parent = parent[m.group("name")]
        if not isinstance(parent, list):
            raise InputError(f"{where}: a [field=value] selector needs a list")
        conds = [(c.group("field"), c.group("value")) for c in _COND.finditer(m.group("conds"))]
        hits = [i for i, item in enumerate(parent)
                if isinstance(item, dict) and all(str(item.get(f)) == v for f, v in conds)]
        if len(hits) != 1:
            raise InputError(f"{where}: selector [{m.group('conds')}] matches {len(hits)} items")
        return parent, hits[0]
    if isinstance(parent, list):
        return parent, (len(parent) if token == "-" else int(token))
    return parent, token


def _walk(data: Any, tokens: list[str], where: str) -> tuple[Any, Any]:
    parent: Any = data
    for t in tokens[:-1]:
        container, key = _select(parent, t, where)
        parent = container[key]
    return _select(parent, tokens[-1], where)


def _csv_load(raw: bytes) -> tuple[list[str], list[dict]]:
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    header = rows[0] if rows else []
    return header, [dict(zip(header, r, strict=False)) for r in rows[1:] if any(c.strip() for c in r)]


_PARSED: dict[bytes, Any] = {}  # a fixture file's round-trip document, by its bytes (``_round_trip_copy``)
_PARSED_MAX = 256


def _round_trip_copy(raw: bytes) -> Any:
    """The round-trip document of a YAML file, as a copy to edit: each text is parsed once per process
    (cases and harness entries patch the same fixture files over and over; a copy is ~10x cheaper than
    parsing) and the edited copy dumps exactly as a fresh parse would."""
    doc = _PARSED.get(raw)
    if doc is None:
        doc = _rt().load(raw.decode("utf-8"))
        if len(_PARSED) < _PARSED_MAX:
            _PARSED[raw] = doc
    return copy.deepcopy(doc)


def _csv_dump(header: list[str], rows: list[dict]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(["" if r.get(h) is None else str(r.get(h)) for h in header])
    return out.getvalue().encode("utf-8")


def apply_patches(files: dict[str, bytes], patches: tuple | list) -> dict[str, bytes]:
    """Apply edits to a bundle held in memory (the evidence on disk is never touched).

    Ops: ``set`` / ``remove`` / ``append`` a value at a JSON pointer (list items by position or by
    ``[field=value]``), ``replace_text`` (``old`` → ``new``, which must occur), ``delete_file``,
    ``rename_file`` (``to``), ``add_file`` (``content``).  YAML is edited round trip, so the patched
    evidence has exact line numbers; a CSV table is edited as rows (``/<row>/<column>``).  Edits in a
    row on one YAML file are made on one parsed document, written back once."""
    files = dict(files)
    edited: dict[str, Any] = {}  # YAML documents being edited, written back before anything else reads them
    for patch in patches:
        name = patch["file"]
        op = patch["op"]
        if op in ("set", "remove", "append") and not name.lower().endswith(".csv"):
            if name not in edited and name not in files:
                raise InputError(f"patch names {name!r}, which the bundle does not have")
            edited[name] = _edit(edited.get(name) or _round_trip_copy(files[name]), patch, name)
            continue
        _write_back(files, edited)
        _file_op(files, patch, name, op)
    _write_back(files, edited)
    return files


def _write_back(files: dict[str, bytes], edited: dict[str, Any]) -> None:
    for name, data in edited.items():
        out = io.StringIO()
        _rt().dump(data, out)
        files[name] = out.getvalue().encode("utf-8")
    edited.clear()


def _edit(data: Any, patch: dict, name: str) -> Any:
    """One ``set`` / ``remove`` / ``append`` on a parsed document (YAML round trip, or a CSV's rows)."""
    tokens = split_pointer(patch.get("path", ""))
    if not tokens:
        raise InputError("a set/remove/append patch needs a path")
    container, key = _walk(data, tokens, f"{name}#{patch.get('path')}")
    op = patch["op"]
    if op == "remove":
        del container[key]
    elif op == "append":
        container[key].append(patch["value"])
    elif isinstance(container, list) and key == len(container):
        container.append(patch["value"])
    else:
        container[key] = patch["value"]
    return data


def _file_op(files: dict[str, bytes], patch: dict, name: str, op: str) -> None:
    """An op on a whole file, or an edit of a CSV table."""
    if op == "add_file":
        files[name] = patch["content"].encode("utf-8")
        return
    if name not in files:
        raise InputError(f"patch names {name!r}, which the bundle does not have")
    if op == "delete_file":
        del files[name]
    elif op == "rename_file":
        files[patch["to"]] = files.pop(name)
    elif op == "replace_text":
        text = files[name].decode("utf-8")
        if patch["old"] not in text:
            raise InputError(f"replace_text: {patch['old']!r} not found in {name}")
        files[name] = text.replace(patch["old"], str(patch["new"])).encode("utf-8")
    elif op in ("set", "remove", "append"):
        header, rows = _csv_load(files[name])
        _edit(rows, patch, name)
        for r in rows:
            header += [k for k in r if k not in header]
        files[name] = _csv_dump(header, rows)
    else:
        raise InputError(f"unknown patch op {op!r}")


def _expected_status(rule: Rule, case: Case) -> Status:
    if case.expect_status:
        return Status(case.expect_status)
    if case.breach:
        return Status.OBSERVATION if rule.grade == "observation" else Status.NONCONFORMITY
    return Status.ONSITE if rule.on_pass == "onsite" else Status.CONFORM


def _fixture_folder(pack: Pack, case: Case) -> Path | None:
    folder = pack.folder / "fixtures" / case.fixture
    if not folder.is_dir() and pack.meta.get("fixtures_from"):
        folder = pack.folder.parent / pack.meta["fixtures_from"] / "fixtures" / case.fixture
    return folder if folder.is_dir() else None


def case_input(pack: Pack, case: Case) -> tuple[str, str, str, str]:
    """What a case runs on: its pack, fixture and patches (cases with the same input share a run)."""
    return (pack.id, str(pack.folder), case.fixture,
            json.dumps(case.patch, sort_keys=True, ensure_ascii=False, default=repr))


def _run(pack: Pack, case: Case, folder: Path, select: frozenset[str] | None = None) -> Report | str:
    """The pipeline (validation included) on the patched fixture, judging the ``select``ed rules (all
    when None); a string says why it could not run."""
    try:
        files = apply_patches(dict(_fixture(str(folder))), case.patch)
        schemas = load_schemas()
        bundle = bundle_from_files(case.fixture, str(folder), files, schemas.table_fields())
        errors, gaps = split_gaps(validate_bundle(bundle, schemas))
        if errors:
            return f"the patched fixture does not validate: {errors[0]}"
        accept_gaps(bundle, gaps, schemas)  # content gaps are findings, as in `parkcheck check`
        return check_bundle(bundle, [pack.id], rules_dir=pack.folder.parent, gaps=gaps, select=select)
    except (InputError, KeyError, IndexError, ValueError) as exc:
        return f"case could not run: {exc}"


def _judge(rule: Rule, case: Case, mine: list[Result]) -> str | None:
    """What is wrong with the rule's results on the case; None when they are as expected."""
    want = _expected_status(rule, case)
    if not mine:
        return "the rule produced no result"
    failures = [r for r in mine if r.status is Status.ERROR]
    if failures:
        return f"engine error: {failures[0].message.en}"
    bad = [r for r in mine if r.status in BREACH]
    if bad and not case.breach:
        return f"expected no breach, got {bad[0].status.value}: {bad[0].message.en}"
    hits = [r for r in mine if r.status is want]
    if not hits:
        return f"expected {want.value}, got {', '.join(sorted({r.status.value for r in mine}))}"
    return _judge_hits(case, hits)


def _judge_hits(case: Case, hits: list[Result]) -> str | None:
    """The expected grade and evidence location among the results of the expected status."""
    if case.expect_grade and not any(r.grade and r.grade.value == case.expect_grade for r in hits):
        return f"expected grade {case.expect_grade}, got {', '.join(str(r.grade) for r in hits)}"
    if case.expect_evidence and not _evidence_matches(hits, case.expect_evidence):
        got = "; ".join(e.location() for r in hits for e in r.evidence)
        return (f"expected evidence at {case.expect_evidence['file']}#{case.expect_evidence.get('pointer', '')}"
                f", got {got}")
    return None


def run_case(pack: Pack, rule: Rule, case: Case, select: frozenset[str] | None = None,
             runs: dict[tuple[str, str, str, str], Report | str] | None = None) -> CaseOutcome:
    """One case of a rule; ``select``: the rules judged in the run (default: the rule alone), a
    superset when several cases share the run; ``runs``: the runs already made, by input (reports
    are only read by the judging)."""

    def outcome(ok: bool, detail: str) -> CaseOutcome:
        return CaseOutcome(pack.id, rule.id, case.name, ok, detail, rule.file, case.line or rule.line)

    folder = _fixture_folder(pack, case)
    if folder is None:
        return outcome(False, f"fixture {case.fixture!r} not found in {pack.id}/fixtures")
    key = case_input(pack, case)
    report = runs.get(key) if runs is not None else None
    if report is None:
        report = _run(pack, case, folder, select or frozenset({rule.id}))
        if runs is not None:
            runs[key] = report
    if isinstance(report, str):
        return outcome(False, report)
    problem = _judge(rule, case, [r for r in report.results if r.rule == rule.id])
    if problem:
        return outcome(False, problem)
    return outcome(True, _expected_status(rule, case).value)


def _evidence_matches(results: list[Result], expected: dict) -> bool:
    for r in results:
        for e in r.evidence:
            if e.file == expected["file"] and ("pointer" not in expected or e.pointer == expected["pointer"]):
                return e.file == "bundle.yaml" or e.line is not None  # evidence in a document carries a line
    return False


def selections(pairs: list[tuple[Pack, Rule, Case]]) -> dict[tuple[str, str, str, str], frozenset[str]]:
    """For each distinct case input, the rules whose cases run on it (judged in one shared run)."""
    out: dict[tuple[str, str, str, str], set[str]] = {}
    for pack, rule, case in pairs:
        out.setdefault(case_input(pack, case), set()).add(rule.id)
    return {k: frozenset(v) for k, v in out.items()}


def run_pack_cases(pack: Pack, rule_filter: str | None = None) -> list[CaseOutcome]:
    pairs = [(pack, rule, case) for rule in pack.rules if not rule_filter or rule_filter in rule.id
             for case in rule.cases]
    shared = selections(pairs)
    runs: dict[tuple[str, str, str, str], Report | str] = {}
    return [run_case(p, r, c, shared[case_input(p, c)], runs) for p, r, c in pairs]

