"""The 不符合项报告 (nonconformity report) of each nonconformity, and the park's corrective actions.

Every nonconformity of a check gets ``Nonconformity.record``: a dict with exactly ``RECORD_KEYS``
(``None`` where not known yet), which the reports and the documents an auditor files render:

* ``number``: the nonconformity's stable id; ``auditor``: the lead auditor of the audit information
  (``audit``), when given; ``documents``: the park's documents the objective evidence is in — file and
  line, with number and version from the document's ``control`` block (``doc_control``) and its title —
  the nearest ``control`` block above the evidence counts, so a record under a controlled programme
  cites that programme;
* the auditee's part and the verification from ``corrective_actions`` (an audit record: any problem in
  it stops the check), entries under the nonconformity's number;
* ``due_date``: the park's date when it is not later than allowed, else the allowed date; allowed is the
  audit's last day (``audit`` dates.end, else the date the check measures from) plus the days of the
  grade (``audit`` ncr_due_days, else 30 for a major and 90 for a minor nonconformity);
* ``status``, derived, never the declared one: ``closed`` when a verification stands (verifier and date,
  after the completion, by someone other than the person who carried the action out, not before the
  audit nor after the date the check measures from); else ``overdue`` when the due date is before the
  date the check measures from; else ``completed`` (a completion date that stands), ``planned`` (a
  corrective action) or ``open``;
* ``problems``: what an auditor would object to in the entry, in Chinese and English.

"Before the audit" is before the audit's first day (``audit`` dates.start); without the audit
information the audit is the one day the check measures from, so a follow-up (entries completed and
verified after the audit) is checked with the audit information and ``--audit-date`` set to the
follow-up's date.

An entry whose number is no nonconformity of this check stops the check (exit 2, file, line, field),
unless the previous audit's report (``--previous``) has that nonconformity: it was closed since, and
the comparison with the previous audit (``checker.surveillance``) says so, with the entry's record
(its due date counted from the previous audit's date; no date of it is judged "before the audit").
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
from pathlib import Path
from typing import Any

from .bundle import Bundle, Document
from .controldocs import ControlError, Controls
from .errors import Problem
from .i18n import tr
from .model import Nonconformity, Report
from .pointers import split_pointer
from .surveillance import compare, previous_ids, read_report
from .xlsxio import locate_cells

__all__ = ["DEFAULT_DUE_DAYS", "RECORD_KEYS", "AuditDates", "apply_ncr", "check_entry", "ncr_record"]

RECORD_KEYS = ("number", "auditor", "acknowledged_by", "acknowledged_on", "correction", "root_cause",
               "corrective_action", "due_date", "completed_on", "verified_by", "verified_on", "status",
               "problems", "documents")
DEFAULT_DUE_DAYS = {"major": 30, "minor": 90}
ACTIONS = "corrective_actions"
_COPIED = ("acknowledged_by", "acknowledged_on", "correction", "root_cause", "corrective_action",
           "completed_on", "verified_by", "verified_on")


@dataclasses.dataclass(frozen=True)
class AuditDates:
    """The dates an entry is judged against: the audit's first and last day and the date the check
    measures from (``now``; never the wall clock)."""

    start: _dt.date
    end: _dt.date
    now: _dt.date
    due_days: dict

    @classmethod
    def of(cls, report: Report, audit: dict | None) -> AuditDates:
        now = _date(report.bundle["audit_date"])
        dates = (audit or {}).get("dates") or {}
        end = _date(dates["end"]) if dates.get("end") else now
        start = _date(dates["start"]) if dates.get("start") else end
        return cls(start, end, now, {**DEFAULT_DUE_DAYS, **((audit or {}).get("ncr_due_days") or {})})

    def allowed(self, grade: str) -> _dt.date:
        return self.end + _dt.timedelta(days=int(self.due_days[grade]))


def _date(value: Any) -> _dt.date:
    return value if isinstance(value, _dt.date) else _dt.date.fromisoformat(str(value))


def lead_auditor(audit: dict | None) -> str | None:
    team = (audit or {}).get("team") or []
    leads = [m.get("name") for m in team if isinstance(m, dict) and m.get("role") == "lead_auditor"]
    return leads[0] if leads else None


# -- the park's controlled documents the evidence is in -------------------------------------------


def _registered_titles(bundle: Bundle) -> dict[str, str]:
    """Document number -> title, from the registers of documented information (records with number and title)."""
    titles: dict[str, str] = {}
    for doc in bundle.documents:
        data = doc.data if isinstance(doc.data, dict) else {}
        for value in data.values():
            for item in value if isinstance(value, list) else ():  # a ledger's rows too: kept to two lookups each
                number = item.get("number") if isinstance(item, dict) else None
                if isinstance(number, str) and isinstance(title := item.get("title"), str):
                    titles.setdefault(number, title)
    return titles


def _control_above(data: Any, pointer: str) -> tuple[dict, dict] | None:
    """The nearest ``control`` block on the way from the document's root to ``pointer``, with the
    object that holds it."""
    found = None
    node = data
    for token in [None, *split_pointer(pointer)]:
        if token is not None:
            if isinstance(node, dict):
                node = node.get(token)
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                break
        if isinstance(node, dict) and isinstance(node.get("control"), dict):
            found = (node, node["control"])
    return found


class _Entry:
    """Its instances' dicts are the entries of ``evidence_documents``: CPython shares their keys (a
    nonconformity may rest on thousands of places: ~100 bytes less each)."""


def evidence_documents(nc: Nonconformity, bundle: Bundle, titles: dict[str, str]) -> list[dict]:
    """``{file, line, number, title, version}`` of each place of the evidence that is in a document of
    the bundle (the manifest and absent documents are none), in the evidence's order, once each."""
    docs: dict[str, Document] = {d.path: d for d in bundle.documents}
    out: list[dict] = []
    seen: set[str] = set()
    for ev in nc.evidence:
        doc = docs.get(ev.file)
        if doc is None:
            continue
        found = _control_above(doc.data, ev.pointer)
        holder, control = found if found else ({}, {})
        number = control.get("number")
        title = holder.get("title") if isinstance(holder.get("title"), str) else titles.get(number or "")
        entry = _Entry().__dict__  # a plain dict sharing its five keys with the other entries (memory)
        entry.update((("file", ev.file), ("line", ev.line), ("number", number), ("title", title),
                      ("version", control.get("version"))))
        key = json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str)
        if key not in seen:
            seen.add(key)
            out.append(entry)
    return out


# -- the park's corrective actions ----------------------------------------------------------------


def _actions(controls: Controls) -> tuple[Document | None, dict[str, tuple[int, dict]]]:
    """The corrective-actions document and its entries by NC number (with their index); a number
    given twice stops the check."""
    doc = controls.get(ACTIONS)
    if doc is None:
        return None, {}
    entries: dict[str, tuple[int, dict]] = {}
    for i, entry in enumerate((doc.data or {}).get("actions") or []):
        if entry["nc"] in entries:
            raise _stop(doc, f"/actions/{i}/nc", tr("{nc} has a corrective-action entry already (entry {n})",
                                                    nc=entry["nc"], n=entries[entry["nc"]][0] + 1))
        entries[entry["nc"]] = (i, entry)
    return doc, entries


def _stop(doc: Document, pointer: str, message: str) -> ControlError:
    line, col = doc.position(pointer) or (1, 1)
    return ControlError(locate_cells([doc], [Problem(message, doc.path, line, col, pointer)]))


def _text(zh: str, en: str) -> dict:
    return {"zh": zh, "en": en}


def _date_problems(entry: dict, dates: AuditDates) -> dict[str, list[dict]]:
    """Problems of the acknowledgement, completion and verification dates, by field."""
    out: dict[str, list[dict]] = {}
    names = {"acknowledged_on": ("确认日期", "acknowledgement date"), "completed_on": ("完成日期", "completion date"),
             "verified_on": ("验证日期", "verification date")}
    for key, (zh, en) in names.items():
        if not entry.get(key):
            continue
        day = _date(entry[key])
        if day < dates.start:
            out.setdefault(key, []).append(_text(f"{zh} {day} 早于审核（{dates.start}）",
                                                 f"the {en} {day} is before the audit ({dates.start})"))
        if day > dates.now:
            out.setdefault(key, []).append(_text(f"{zh} {day} 晚于本次检查所依据的日期 {dates.now}",
                                                 f"the {en} {day} is after the date this check measures from "
                                                 f"({dates.now})"))
    return out


def _verification_problems(entry: dict) -> list[dict]:
    out = []
    verified, completed = entry.get("verified_on"), entry.get("completed_on")
    if (verified or entry.get("verified_by")) and not (verified and entry.get("verified_by")):
        out.append(_text("验证记录不完整：验证人与验证日期须同时填写",
                         "the verification is incomplete: it needs both the verifier and the date"))
    if verified and not completed:
        out.append(_text(f"已于 {verified} 验证，但未记录纠正措施的完成日期",
                         f"verified on {verified} but no completion date of the action is recorded"))
    if verified and completed and _date(verified) < _date(completed):
        out.append(_text(f"验证日期 {verified} 早于完成日期 {completed}",
                         f"verified on {verified}, before the action was completed ({completed})"))
    doer, verifier = entry.get("action_by"), entry.get("verified_by")
    if doer and verifier and doer.strip() == verifier.strip():
        out.append(_text(f"验证人 {verifier} 即整改实施人", f"verified by {verifier}, who carried out the action"))
    return out


def check_entry(entry: dict, grade: str, dates: AuditDates) -> tuple[list[dict], bool, bool, _dt.date]:
    """``(problems, verification stands, completion stands, due date)`` of one corrective-action entry."""
    problems: list[dict] = []
    allowed = dates.allowed(grade)
    due = allowed
    if entry.get("due_date"):
        asked = _date(entry["due_date"])
        if asked > allowed:
            grade_zh = "严重" if grade == "major" else "一般"
            problems.append(_text(
                f"计划完成日期 {asked} 晚于允许的期限 {allowed}（{grade_zh}不符合项自 {dates.end} 起 "
                f"{dates.due_days[grade]} 天）",
                f"the due date {asked} is later than the {allowed} allowed ({dates.due_days[grade]} days from "
                f"{dates.end} for a {grade} nonconformity)"))
        due = min(asked, allowed)
    if entry.get("corrective_action") and not entry.get("root_cause"):
        problems.append(_text("有纠正措施但没有原因分析", "a corrective action without a root-cause analysis"))
    by_date = _date_problems(entry, dates)
    verification = _verification_problems(entry)
    problems += [p for key in ("acknowledged_on", "completed_on", "verified_on") for p in by_date.get(key, [])]
    problems += verification
    verified = bool(entry.get("verified_on") and entry.get("verified_by")) and not verification \
        and "verified_on" not in by_date and "completed_on" not in by_date
    completed = bool(entry.get("completed_on")) and "completed_on" not in by_date
    if entry.get("status") == "closed" and not verified:
        problems.append(_text("自报已关闭，但没有成立的验证记录", "declared closed, but no verification stands"))
    return problems, verified, completed, due


def _status(verified: bool, completed: bool, due: _dt.date, entry: dict, dates: AuditDates) -> str:
    if verified:
        return "closed"
    if due < dates.now:
        return "overdue"
    if completed:
        return "completed"
    return "planned" if entry.get("corrective_action") else "open"


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, _dt.date) else value


def ncr_record(number: str, grade: str, entry: dict | None, dates: AuditDates, auditor: str | None,
               documents: list[dict]) -> dict:
    """The 不符合项报告 fields of one nonconformity (exactly ``RECORD_KEYS``)."""
    entry = entry or {}
    problems, verified, completed, due = check_entry(entry, grade, dates)
    record: dict = {"number": number, "auditor": auditor}
    record.update({key: _plain(entry.get(key)) for key in _COPIED})
    record.update(due_date=due.isoformat(), status=_status(verified, completed, due, entry, dates),
                  problems=problems, documents=documents)
    return {key: record[key] for key in RECORD_KEYS}


def apply_ncr(report: Report, bundle: Bundle, controls: Controls, previous: Path | None = None) -> Report:
    """The report with every nonconformity's record, and with the comparison with the previous audit's
    report when one is given (``Report.surveillance``)."""
    audit = controls.data("audit")
    dates = AuditDates.of(report, audit)
    doc, entries = _actions(controls)
    old = read_report(previous) if previous is not None else None
    ours = {nc.id for nc in report.nonconformities}
    before = previous_ids(old) if old is not None else {}
    for number, (i, _entry) in sorted(entries.items()):
        if number not in ours and number not in before and doc is not None:
            raise _stop(doc, f"/actions/{i}/nc", tr(
                "{nc} is no nonconformity of this check nor of the previous audit's report", nc=number)
                if old is not None else tr("{nc} is no nonconformity of this check", nc=number))
    auditor = lead_auditor(audit)
    titles = _registered_titles(bundle)
    ncs = tuple(dataclasses.replace(nc, record=ncr_record(nc.id, nc.grade.value, entries.get(nc.id, (0, None))[1],
                                                          dates, auditor, evidence_documents(nc, bundle, titles)))
                for nc in report.nonconformities)
    report = dataclasses.replace(report, nonconformities=ncs)
    if old is None:
        return report
    # an entry about a previous audit's nonconformity: its due date counts from that audit, whose first
    # day the previous report does not give, so no date is judged "before the audit"
    then = dataclasses.replace(dates, start=_dt.date.min, end=_date(old["bundle"]["audit_date"]))
    late = {n: ncr_record(n, before[n], e, then, auditor, _old_documents(old, n))
            for n, (_, e) in sorted(entries.items()) if n not in ours}
    new = {"bundle": report.bundle, "packs": [p.to_json() for p in report.packs],
           "nonconformities": [nc.to_json() for nc in ncs]}
    return dataclasses.replace(report, surveillance=compare(old, new, late))


def _old_documents(old: dict, number: str) -> list[dict]:
    """The documents the previous report's record of ``number`` cited (none when it had no record)."""
    for nc in old["nonconformities"]:
        record = nc.get("record")
        if nc["id"] == number and isinstance(record, dict) and isinstance(record.get("documents"), list):
            keys = ("file", "line", "number", "title", "version")
            return [{k: d.get(k) for k in keys} for d in record["documents"] if isinstance(d, dict)]
    return []
