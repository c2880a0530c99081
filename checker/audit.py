"""The audit information, the date the rules measure from, and the audit conclusion.

* ``measured_from``: the date the rules measure from is the manifest's ``audit_date`` unless
  ``--audit-date`` gives another; the override replaces it in memory (a copy of the manifest), never
  in the evidence, and the report says which date was used and where it came from.
* ``audit_information``: the certification body's record of the audit (``audit.yaml``, kind
  ``audit``, an audit record: checker.controldocs), cross-checked as a lead auditor would: the
  audit's dates in order, a lead auditor in the team, and the audit criteria (standards and
  editions) the same as the packs checked.  A contradiction stops the check (``ControlError``,
  exit 2, file:line field).
* ``conclude``: in an audit, the conclusion (recommend / recommend after closure of the majors /
  not recommend) by the policy declared in ``audit_policy.yaml``; a stage 1 audit concludes on
  readiness for stage 2, not on certification.
* ``finish``: all of the above on the report, and the pre-check's readiness view (checker.readiness).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from .bundle import Bundle, Document
from .controldocs import ControlError, Controls
from .errors import InputError, Problem
from .i18n import tr
from .limits import FIRST_DATE, LAST_DATE, calendar_date, existing_date
from .model import SECONDARY_MARK, Grade, Nonconformity, Report, Status
from .modes import AUDIT
from .packmodel import Pack
from .pointers import Positioned
from .readiness import readiness
from .schemas import SchemaSet, load_schemas
from .yamlio import read_yaml_file

__all__ = ["MEASURES", "POLICY_FILE", "DateUsed", "assessment", "audit_information", "audit_json", "conclude", "finish",
           "is_open", "measured_from", "open_majors", "parse_audit_date", "policy"]

POLICY_FILE = Path(__file__).resolve().parent / "audit_policy.yaml"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MANIFEST, OPTION = "manifest", "option"
CERTIFICATION = "certification"


@dataclasses.dataclass(frozen=True)
class DateUsed:
    """The date the rules measure from, where it came from (manifest | option) and the manifest's own."""

    date: str
    source: str
    manifest: str


def parse_audit_date(value: str) -> str:
    """``value`` if it is a calendar date written YYYY-MM-DD; else ``InputError`` (exit 2)."""
    text = value.strip() if isinstance(value, str) else ""
    if existing_date(text) and not calendar_date(text):  # the checks count months and days from it
        raise InputError(tr("expected a date from {first} to {last}, got {value}", first=FIRST_DATE, last=LAST_DATE,
                            value=repr(value)), field="--audit-date")
    try:
        if _ISO_DATE.match(text):
            return _dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise InputError(tr("{value} is not a calendar date written YYYY-MM-DD (e.g. 2025-03-28)",
                        value=repr(value)), field="--audit-date")


def measured_from(bundle: Bundle, audit_date: str | None) -> tuple[Bundle, DateUsed]:
    """The bundle the facts are built from, with ``audit_date`` (validated) in place of the manifest's.
    The manifest is copied, not changed: the evidence is never written, nor the loaded bundle."""
    manifest = bundle.manifest.data
    own = str(manifest["audit_date"])
    if audit_date is None:
        return bundle, DateUsed(own, MANIFEST, own)
    date = parse_audit_date(audit_date)
    content = Positioned(dict(manifest, audit_date=date), bundle.manifest.content.positions)
    copy = Document(bundle.manifest.path, bundle.manifest.kind, content, bundle.manifest.fmt)
    return dataclasses.replace(bundle, manifest=copy), DateUsed(date, OPTION, own)


def _schema_labels(schemas: SchemaSet, pointer: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """``{value: {zh, en}}`` from the ``x-enum-labels`` of the audit schema's field at ``pointer``."""
    node = schemas.by_kind["audit"]
    for part in pointer:
        node = node["properties"][part] if part != "items" else node["items"]
    return {v: {"zh": node["x-enum-labels"][v], "en": node["x-enum-labels-en"][v]} for v in node["enum"]}


def _at(doc: Document, pointer: str, message: str) -> Problem:
    line, col = doc.position(pointer) or (1, 1)
    return Problem(message, doc.path, line, col, pointer)


def _contradictions(doc: Document, packs: dict[str, tuple[str, str]], measured: str,
                    follow_up: bool = False) -> list[Problem]:
    """What a lead auditor would not sign: ``packs`` is {pack id: (code, edition)} of the packs checked,
    ``measured`` the date the rules measure from.  ``follow_up``: the park's corrective actions are
    given, so the check may be the verification of the audit's nonconformities after its last day."""
    data = doc.data
    problems: list[Problem] = []
    dates = data["dates"]
    if str(dates["start"]) > str(dates["end"]):
        problems.append(_at(doc, "/dates/start", tr("the audit starts ({start}) after it ends ({end})",
                                                    start=dates["start"], end=dates["end"])))
    elif measured > str(dates["end"]) and not follow_up:
        problems.append(_at(doc, "/dates/end", tr(
            "the rules measure from {date}, after the audit's last day ({end}): give --audit-date within the audit",
            date=measured, end=dates["end"])))
    leads = [i for i, m in enumerate(data["team"]) if m["role"] == "lead_auditor"]
    if not leads:
        problems.append(_at(doc, "/team", tr("the audit team has no lead auditor (role lead_auditor)")))
    for i in leads[1:]:
        problems.append(_at(doc, f"/team/{i}/role", tr("the audit team has more than one lead auditor")))
    named = set()
    for i, criterion in enumerate(data["standards"]):
        sid, edition = str(criterion["standard"]), str(criterion["edition"])
        named.add(sid)
        if sid not in packs:
            problems.append(_at(doc, f"/standards/{i}/standard", tr(
                "standard {standard} is an audit criterion but was not checked (checked: {checked})",
                standard=sid, checked=", ".join(packs))))
        elif edition != packs[sid][1]:
            problems.append(_at(doc, f"/standards/{i}/edition", tr(
                "edition {edition} of {standard} differs from the edition the rule pack checks ({pack})",
                edition=edition, standard=sid, pack=packs[sid][1])))
    for sid in packs:
        if sid not in named:
            problems.append(_at(doc, "/standards", tr(
                "standard {standard} was checked but is not among the audit criteria", standard=sid)))
    return problems


def audit_information(controls: Controls, report: Report, schemas: SchemaSet | None = None) -> dict | None:
    """The audit information for the report, or None when no audit record is given.  Raises
    ``ControlError`` when the record contradicts itself or the check."""
    doc = controls.get("audit")
    if doc is None:
        return None
    schemas = schemas or load_schemas()
    problems = _contradictions(doc, {p.id: (p.code, str(p.edition)) for p in report.packs},
                               str(report.bundle["audit_date"]), controls.get("corrective_actions") is not None)
    if problems:
        raise ControlError(problems)
    data = doc.data
    types = _schema_labels(schemas, ("audit_type",))
    roles = _schema_labels(schemas, ("team", "items", "role"))
    codes = {p.id: p.code for p in report.packs}
    info: dict = {
        "file": doc.path,
        "certification_body": dict(data["certification_body"]),
        "audit_number": data.get("audit_number"),
        "audit_type": data["audit_type"],
        "audit_type_label": types[data["audit_type"]],
        "dates": {"start": str(data["dates"]["start"]), "end": str(data["dates"]["end"])},
        "team": [{"name": m["name"], "role": m["role"], "role_label": roles[m["role"]],
                  "registration": m.get("registration")} for m in data["team"]],
        "auditee": [{k: v for k, v in p.items() if not k.startswith("x-")} for p in data["auditee"]],
        "scope": data["scope"],
        "standards": [{"standard": s["standard"], "code": codes[s["standard"]], "edition": str(s["edition"])}
                      for s in data["standards"]],
        "sites": [{"name": s["name"], "address": s.get("address")} for s in data.get("sites") or ()],
    }
    if data.get("ncr_due_days"):
        info["ncr_due_days"] = dict(data["ncr_due_days"])
    return {k: v for k, v in info.items() if not k.startswith("x-")}


@lru_cache(maxsize=1)
def policy() -> dict:
    """The conclusion policy shipped with the package (audit_policy.yaml)."""
    return read_yaml_file(POLICY_FILE, POLICY_FILE.name).data


def is_open(nc: Nonconformity) -> bool:
    """Open unless its 不符合项报告 says it was verified closed (checker.ncr) or the auditor found it
    resolved on site (checker.onsite).  A waiver, in force or not, never closes one."""
    closed = (nc.record or {}).get("status") == "closed"
    resolved = (nc.judgement or {}).get("action") == "resolve"
    return not (closed or resolved)


def open_majors(report: Report) -> list[str]:
    """Ids of the open major nonconformities, waived or not."""
    return [nc.id for nc in report.nonconformities if nc.grade is Grade.MAJOR and is_open(nc)]


def _open_minors(report: Report) -> list[str]:
    return [nc.id for nc in report.nonconformities if nc.grade is Grade.MINOR and is_open(nc)]


def _clauses(status: Status) -> Callable[[Report], list[str]]:
    return lambda report: [f"{v.standard} {v.clause}" for v in report.verdicts if v.normative and v.status is status]


# The measures the policy may name: each lists what it counts.
MEASURES: dict[str, Callable[[Report], list[str]]] = {
    "errors": lambda report: [f"{r.standard} {r.rule}" for r in report.results if r.status is Status.ERROR],
    "not_evaluated": _clauses(Status.NOT_EVALUATED),
    "not_checked": _clauses(Status.NOT_CHECKED),
    "onsite": _clauses(Status.ONSITE),
    "open_major": open_majors,
    "open_minor": _open_minors,
}


def assessment(packs: Iterable[Pack]) -> str:
    """What the check prepares: the ``assessment`` every pack declares (``programme_application``: an
    application to a programme), else — none declared, or the packs differ — ``certification``."""
    kinds = {str(p.meta.get("assessment") or CERTIFICATION) for p in packs}
    return kinds.pop() if len(kinds) == 1 else CERTIFICATION


def _decision(table: dict, audit_type: str | None, kind: str) -> dict:
    decisions = table["decisions"]
    if kind != CERTIFICATION and kind in decisions:
        return decisions[kind]
    return decisions.get(audit_type or "", decisions["default"])


def conclude(report: Report, audit_type: str | None, table: dict | None = None,
             kind: str = "certification") -> dict:
    """The audit conclusion by the policy ``table`` (default: audit_policy.yaml):
    {code, about, text {zh, en}, reasons [{zh, en}], blocking [ids of the open majors]}.  ``kind``: what the
    check prepares (``assessment``); a programme application's conclusion resting on a standard known from
    secondary sources carries their mark."""
    table = table or policy()
    order = list(table["order"])
    worst = 0
    reasons = []
    for row in table["blockers"]:
        if audit_type in (row.get("except") or ()):
            continue
        found = MEASURES[row["measure"]](report)
        if found:
            worst = max(worst, order.index(row["gives"]))
            reasons.append({lang: row["reason"][lang].format(n=len(found)) for lang in ("zh", "en")})
    code = order[worst]
    decision = _decision(table, audit_type, kind)
    text = dict(decision["text"][code])
    notes = [dict(zip(("zh", "en"), SECONDARY_MARK, strict=True))] if kind != CERTIFICATION and any(
        p.secondary for p in report.packs) else []
    notes += [decision["note"]] if decision.get("note") else []
    if notes:
        text = {"zh": f"{text['zh']}（{'；'.join(n['zh'] for n in notes)}）",
                "en": f"{text['en']} ({'; '.join(n['en'] for n in notes)})"}
    return {"code": code, "about": decision["about"], "text": text, "reasons": reasons,
            "blocking": open_majors(report)}


def finish(report: Report, controls: Controls, used: DateUsed, packs: Iterable[Pack]) -> Report:
    """The report with the date used and its source, the audit information, and the conclusion (an
    audit) or the readiness view (a pre-check)."""
    bundle = dict(report.bundle, audit_date=used.date, audit_date_source=used.source)
    if used.source == OPTION:
        bundle["audit_date_manifest"] = used.manifest
    report = dataclasses.replace(report, bundle=bundle)
    info = audit_information(controls, report)
    report = dataclasses.replace(report, audit=info)
    packs = list(packs)
    if report.mode == AUDIT:
        return dataclasses.replace(report, conclusion=conclude(report, info["audit_type"] if info else None,
                                                               kind=assessment(packs)))
    return dataclasses.replace(report, readiness=readiness(report, packs))


def audit_json(report: Report) -> dict:
    """The report.json entries of this module: those the report has (schemas/report.schema.json)."""
    entries = {"audit": report.audit, "conclusion": report.conclusion, "readiness": report.readiness}
    return {k: v for k, v in entries.items() if v is not None}
