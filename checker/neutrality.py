"""The neutrality section of a report: for each pack that declares ``neutrality:`` in its pack.yaml, the
verdict of its verdict rule on the claim and every offset its offset rules rejected, with each reason.

Nothing is judged here: the verdict is the status of the declared rule's result, the reasons are the
messages of the offset rules' findings, and the figures are the derived values the pack declared
(``derive:``) on the claim's document fact.  This module only gathers them for the reporters.

    neutrality:
      verdict_rule: zc001-7.3.5-d-neutral      # judges the claim (emissions minus valid offsets)
      offset_rules: [zc001-9.2.5-c-retired, …] # each rejects an offset for one reason
      figures: [inventory_emissions, valid_offsets, net_emissions]   # derived fields shown beside the verdict
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .figures import declared, number
from .model import Result, Status, Text

REJECTING = (Status.NONCONFORMITY, Status.OBSERVATION)


@dataclass(frozen=True)
class RejectedOffset:
    """One offset some offset rule refused, with every reason."""

    serial: str | None
    file: str
    pointer: str
    line: int | None
    reasons: tuple[Text, ...]
    rules: tuple[str, ...]

    def to_json(self) -> dict:
        return {"serial": self.serial, "file": self.file, "pointer": self.pointer, "line": self.line,
                "reasons": [r.to_json() for r in self.reasons], "rules": list(self.rules)}


@dataclass(frozen=True)
class NeutralityVerdict:
    """The claim of one standard's pack: its year, the verdict rule's status and message, the declared
    figures, and the rejected offsets."""

    standard: str
    rule: str
    clause: str | None
    year: Any
    status: Status | None  # None: the bundle holds no claim the rule judged
    grade: str | None
    message: Text | None
    figures: tuple[tuple[str, Any], ...]
    rejected: tuple[RejectedOffset, ...]
    # for the human-facing reports only (not in report.json, which keeps the figures unrounded): each figure as
    # the pack's display declares it (checker.figures), and the nonconformities a "not evaluated" verdict waits on
    shown: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    depends_on: tuple[str, ...] = field(default=(), compare=False)

    def to_json(self) -> dict:
        return {"standard": self.standard, "rule": self.rule, "clause": self.clause, "year": self.year,
                "status": self.status.value if self.status else None, "grade": self.grade,
                "message": self.message.to_json() if self.message else None,
                "figures": dict(self.figures), "rejected": [r.to_json() for r in self.rejected]}


def _record_pointer(pointer: str) -> str:
    """/offsets/3/retired → /offsets/3 (the record a field finding is about)."""
    parts = pointer.split("/")
    return "/".join(parts[:3]) if len(parts) > 3 else pointer


def _serial(bundle: Any, file: str, pointer: str) -> str | None:
    for doc in bundle.documents if hasattr(bundle, "documents") else ():
        if getattr(doc, "path", None) != file:
            continue
        node: Any = doc.data
        for part in pointer.strip("/").split("/"):
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict):
                node = node.get(part)
            else:
                return None
        serial = node.get("serial") if isinstance(node, dict) else None
        return str(serial) if serial is not None else None
    return None


def _rejected(bundle: Any, results: list[Result], rules: set[str]) -> tuple[RejectedOffset, ...]:
    by_record: dict[tuple[str, str], dict] = {}
    for r in results:
        if r.rule not in rules or r.status not in REJECTING or not r.evidence:
            continue
        ev = r.evidence[0]
        key = (ev.file, _record_pointer(ev.pointer))
        entry = by_record.setdefault(key, {"line": ev.line, "reasons": [], "rules": []})
        if r.rule not in entry["rules"]:
            entry["rules"].append(r.rule)
            entry["reasons"].append(r.message)
        if ev.line is not None and (entry["line"] is None or ev.line < entry["line"]):
            entry["line"] = ev.line
    out = [RejectedOffset(_serial(bundle, f, p), f, p, e["line"], tuple(e["reasons"]), tuple(e["rules"]))
           for (f, p), e in by_record.items()]
    return tuple(sorted(out, key=lambda o: (o.file, o.line or 0, o.pointer)))


def _dotted(fact: dict, path: str) -> Any:
    value: Any = fact
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


CLAIM_KIND = "offsets"  # the kind whose fact holds the claim; read whole after the engine (FactBase.narrow)


def _claim_fact(facts: Any) -> dict | None:
    for fid in facts.of_kind(CLAIM_KIND) if facts is not None else ():
        fact = facts.facts[int(fid) - 1]
        if _dotted(fact, "claim.year") is not None:
            return fact
    return None


def neutrality_section(bundle: Any, packs: list, results: list[Result], facts: Any) -> tuple[NeutralityVerdict, ...]:
    """One entry per pack declaring ``neutrality``, in the order of the packs."""
    out = []
    claim = _claim_fact(facts)
    for pack in packs:
        spec = pack.meta.get("neutrality")
        if not isinstance(spec, dict):
            continue
        mine = [r for r in results if r.standard == pack.id]
        verdicts = [r for r in mine if r.rule == spec["verdict_rule"]]
        v = verdicts[0] if verdicts else None
        figures = tuple((name, claim.get(name)) for name in spec.get("figures") or () if claim is not None)
        display = declared(pack.meta).get(CLAIM_KIND, {})
        shown = tuple((name, number(value, display.get(name))) for name, value in figures)  # the label names the unit
        out.append(NeutralityVerdict(
            pack.id, spec["verdict_rule"], v.clause if v else None,
            _dotted(claim, "claim.year") if claim is not None else None,
            v.status if v else None, v.grade.value if v and v.grade else None, v.message if v else None,
            figures, _rejected(bundle, mine, set(spec.get("offset_rules") or ())), shown,
            tuple(v.depends_on) if v else ()))
    return tuple(out)
