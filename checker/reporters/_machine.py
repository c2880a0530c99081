"""What the machine formats (JUnit, SARIF, OSCAL) share: which nonconformity a rule result belongs
to, how a result and its evidence are named, and the words they print (``labels_audit.MACHINE``).

Everything here is derived from the finished report only, in the report's order, so the three
formats list the same results in the same order and stay byte-identical for the same input."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..escape import printable
from ..labels_audit import MACHINE
from ..labels_out import REPORT, index, status_label
from ..model import Evidence, Nonconformity, Report, Result, Status

#: The statuses a data pipeline must not take as a pass: not determined yet (fail closed).
UNDETERMINED = (Status.ONSITE, Status.NOT_EVALUATED, Status.ERROR)


@dataclass(frozen=True)
class Item:
    """One rule result with what the machine formats print beside it."""

    result: Result
    code: str  # the standard's code, e.g. "T/CPQS ZC001—2025"
    nc: Nonconformity | None  # the nonconformity it is a member of (status nonconformity only)

    @property
    def name(self) -> str:
        """Rule id and subject: unique among the results of one standard."""
        r = self.result
        return f"{r.rule} [{r.subject}]" if r.subject else r.rule

    @property
    def classname(self) -> str:
        return f"{self.code} {self.result.clause}"


def items(report: Report) -> Iterator[Item]:
    """The report's rule results in report order, each with its standard's code and nonconformity."""
    codes = {p.id: p.code for p in report.packs}
    owners = _owners(report.nonconformities)
    for r in report.results:
        nc = _owner(r, owners) if r.status is Status.NONCONFORMITY else None
        yield Item(r, codes.get(r.standard, r.standard), nc)


def _owner(r: Result, owners: dict[tuple[str, str], list[_Owner]]) -> Nonconformity | None:
    """The nonconformity whose evidence holds the result's own; else the only one of its rule."""
    candidates = owners.get((r.standard, r.rule), [])
    found = next((o.nc for o in candidates if set(r.evidence) <= o.evidence_set), None)
    return found or (candidates[0].nc if len(candidates) == 1 else None)


@dataclass(frozen=True)
class _Owner:
    nc: Nonconformity
    evidence_set: frozenset[Evidence]


def _owners(ncs: tuple[Nonconformity, ...]) -> dict[tuple[str, str], list[_Owner]]:
    """The nonconformities by member (standard, rule).  A rule breached in two documents is two
    nonconformities; a result belongs to the one whose evidence holds its own."""
    owners: dict[tuple[str, str], list[_Owner]] = {}
    for nc in ncs:
        owner = _Owner(nc, frozenset(nc.evidence))
        for member in nc.members or tuple((s, rule) for s, _ in nc.clauses for rule in nc.rules):
            owners.setdefault(member, []).append(owner)
    return owners


def words(lang: str) -> dict[str, str]:
    """The labels the machine formats print, in one language."""
    i = index(lang)
    return {**{k: v[i] for k, v in REPORT.items()}, **{k: v[i] for k, v in MACHINE.items()}}


def location(e: Evidence, lang: str = "zh") -> str:
    """``file:line#pointer`` and the evidence note in ``lang``, as one printable string."""
    where = e.location()
    return printable(f"{where} ({e.note.get(lang)})" if e.note else where)


def status_text(r: Result, lang: str) -> str:
    return status_label(r.status, r.grade, lang)


def explanation(item: Item, lang: str) -> str:
    """Why a result is skipped or undetermined: the not-applicable reason, the nonconformities a
    "not evaluated" result waits on, or the result's own message."""
    r, w = item.result, words(lang)
    text = (r.reason or r.message).get(lang)
    if r.depends_on and lang == "zh":
        text += f"（{w['depends']} {'、'.join(r.depends_on)}）"
    elif r.depends_on:
        text += f" ({w['depends']} {', '.join(r.depends_on)})"
    return printable(text)


def body(item: Item, lang: str) -> str:
    """The human-readable account of one result: status, requirement, message, evidence, and in a
    pre-check the remediation (an audit report holds none: checker.modes)."""
    r, w = item.result, words(lang)
    sep = "：" if lang == "zh" else ": "
    lines = [(w["verdict"], status_text(r, lang))]
    if item.nc is not None:
        lines.append((w["nc"], item.nc.id))
    lines += [(w["clause"], item.classname), (w["requirement"], r.requirement),
              (w["finding_or_message"], r.message.get(lang))]
    lines += [(w["evidence"], location(e, lang)) for e in r.evidence]
    if r.source != "full text":
        lines.append((w["source_basis"], w["secondary" if r.source == "secondary" else "title_only"]))
    if r.judgement:
        lines.append((w["judgement"], judgement_text(r.judgement, lang)))
    if item.nc is not None and item.nc.waiver:
        lines.append((w["waiver"], waiver_text(item.nc.waiver, lang)))
    if r.remediation is not None:
        lines.append((w["remediation"], r.remediation.get(lang)))
    return printable("\n".join(f"{k}{sep}{v}" for k, v in lines))


def judgement_text(j: dict, lang: str) -> str:
    """The auditor's judgement of a result (checker.onsite), with the tool's own verdict kept beside it."""
    w = words(lang)
    tool = status_label(j["tool_status"], j.get("tool_grade"), lang) if j.get("tool_status") else "—"
    parts = [str(j.get(k)) for k in ("auditor", "date", "action") if j.get(k)]
    if j.get("evidence_seen"):
        parts.append(str(j["evidence_seen"]))
    kept = f"（{w['tool_verdict']}：{tool}）" if lang == "zh" else f" ({w['tool_verdict']}: {tool})"
    return printable(" ".join(parts) + kept)


def waiver_in_force(nc: Nonconformity) -> bool:
    return bool(nc.waiver and nc.waiver.get("in_force"))


def waiver_text(waiver: dict, lang: str) -> str:
    """A waiver or accepted risk (checker.waivers): id, approver, period, in force or expired."""
    w = words(lang)
    state = w["in_force"] if waiver.get("in_force") else w["expired"]
    period = f"{waiver.get('start') or '—'} – {waiver.get('expiry') or '—'}"
    return printable(" ".join(str(x) for x in (waiver.get("id"), waiver.get("approver"), period, state) if x))


def audit_facts(report: Report) -> list[tuple[str, str]]:
    """The audit's identity (checker.audit, schemas/audit.schema.json) and its conclusion code with the
    nonconformities that block a recommendation, as name/value pairs, when given."""
    audit = report.audit or {}
    dates = audit.get("dates") or {}
    body_ = audit.get("certification_body") or {}
    pairs = [("certification_body", body_.get("name") if isinstance(body_, dict) else body_),
             ("audit_number", audit.get("audit_number")), ("audit_type", audit.get("audit_type")),
             ("audit_start", dates.get("start")), ("audit_end", dates.get("end")),
             ("conclusion", (report.conclusion or {}).get("code")),
             ("blocking", ", ".join((report.conclusion or {}).get("blocking") or ()))]
    return [(k, printable(v)) for k, v in pairs if v not in (None, "")]
