"""What the documents an auditor files (``--format docx`` NCR forms, ``--format xlsx`` register) share:
the fields of a 不符合项报告 read from one nonconformity, the audit information, text made safe for
Office XML, and the fixed time and zip layout that make the files byte-identical for the same report.

The fields come from ``Nonconformity.record`` (checker.ncr) where it is filled; before that, the
nonconformity's own fields are shown and the park's fields are left empty, to be filled in by hand.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from ..escape import EXCEL_CELL_LIMIT, printable
from ..labels_docs import AUDIT_TYPE, DOCUMENT, JUDGEMENT_ACTION, NCR_STATUS
from ..labels_out import grade_label, in_language, status_label
from ..model import SECONDARY_MARK, Nonconformity, Report

LABELS = {lang: in_language(DOCUMENT, lang) for lang in ("zh", "en")}
# The park's part of the form (checker.ncr fills it from corrective_actions.yaml), in the form's order.
PARK_FIELDS = ("correction", "root_cause", "corrective_action", "due_date", "completed_on", "verified_by",
               "verified_on")
# the header of the column that marks verdicts resting on secondary sources (register workbook, annex)
SOURCE_BASIS = ("来源说明", "Source basis")
_XML_INVALID = {0xFFFE: "\\ufffe", 0xFFFF: "\\uffff"}


def safe_text(value) -> str:
    """Bundle text fit for Office XML, shown literally: control, invisible and bidirectional
    characters as visible escapes (newlines and tabs kept), and the two non-characters XML refuses."""
    return "" if value is None else printable(value).translate(_XML_INVALID)


def display_width(text) -> int:
    """The width of the longest line of ``text`` in Latin character widths (a Chinese character is two)."""
    return max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
               for line in str(text).split("\n"))


_CUT = "…（已截断，全文见 JSON 报告 / truncated: the full text is in report.json）"


def cell_text(value) -> str:
    """``safe_text`` within Excel's cell size (a longer text is cut with a marker)."""
    text = safe_text(value)
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - len(_CUT)] + _CUT
    return text


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    value: str  # "" where not known yet: a blank line to fill in


def standards_of(report: Report, nc: Nonconformity, lang: str = "zh") -> list[tuple[str, str, list[str]]]:
    """(code, name, clauses) of each standard the nonconformity is under, in its order; the name of a
    standard resting on secondary sources carries the mark 「来源：二手资料，非官方原文」."""
    packs = {p.id: p for p in report.packs}
    out: dict[str, list[str]] = {}
    for std, clause in nc.clauses:
        out.setdefault(std, []).append(clause)
    return [(packs[s].code if s in packs else s, _name(packs.get(s), lang), cl) for s, cl in out.items()]


def _name(pack, lang: str) -> str:
    if pack is None:
        return ""
    return f"{pack.title}「{SECONDARY_MARK[0 if lang == 'zh' else 1]}」" if pack.secondary else pack.title


def standard_text(report: Report, nc: Nonconformity, lang: str = "zh") -> str:
    return "；".join(f"{code} {name}".strip() for code, name, _ in standards_of(report, nc, lang))


def clause_text(report: Report, nc: Nonconformity) -> str:
    """The clause numbers; prefixed with the standard's code when the nonconformity spans standards."""
    stds = standards_of(report, nc)
    if len(stds) == 1:
        return "; ".join(stds[0][2])
    return "; ".join(f"{code} {c}" for code, _, cl in stds for c in cl)


def evidence_lines(nc: Nonconformity, lang: str) -> list[str]:
    """Objective evidence: the park's controlled documents (number, title, version) where the record
    names them, each with file and line; else the evidence locations."""
    t = LABELS[lang]
    record = nc.record or {}
    lines = []
    for doc in record.get("documents") or ():
        head = " ".join(safe_text(doc.get(k)) for k in ("number", "title") if doc.get(k))
        if doc.get("version"):
            head += f"（{t['doc_version']} {safe_text(doc['version'])}）" if lang == "zh" \
                else f" ({t['doc_version']} {safe_text(doc['version'])})"
        where = safe_text(doc.get("file") or "") + (f":{doc['line']}" if doc.get("line") else "")
        lines.append(f"{head} — {where}".strip(" —") if head else where)
    if not lines:
        for ev in nc.evidence:
            note = f" ({safe_text(ev.note.get(lang))})" if ev.note else ""
            lines.append(safe_text(ev.location()) + note)
    return lines


def record_value(record: dict, key: str) -> str:
    value = record.get(key)
    return "" if value is None else safe_text(value)


def ncr_fields(report: Report, nc: Nonconformity, lang: str) -> list[Field]:
    """The fields of the nonconformity's 不符合项报告, in the form's order (the register's columns)."""
    t = LABELS[lang]
    record = nc.record or {}
    ack = " ".join(v for v in (record_value(record, "acknowledged_by"), record_value(record, "acknowledged_on")) if v)
    status = record.get("status") or "open"  # a nonconformity nobody has acted on is open (fail closed)
    fields = [
        Field("number", t["number"], record_value(record, "number") or nc.id),
        Field("standard", t["standard"], safe_text(standard_text(report, nc, lang))),
        Field("clause", t["clause"], safe_text(clause_text(report, nc))),
        Field("requirement", t["requirement"], safe_text(nc.requirement)),
        Field("finding", t["finding"], safe_text(nc.finding.get(lang))),
        Field("evidence", t["evidence"], "\n".join(evidence_lines(nc, lang))),
        Field("grade", t["grade"], grade_label(nc.grade, lang)),
        Field("auditor", t["auditor"], record_value(record, "auditor")),
        Field("acknowledged", t["acknowledged"], ack),
        *(Field(k, t[k], record_value(record, k)) for k in PARK_FIELDS),
        Field("status", t["status"], NCR_STATUS[status][0 if lang == "zh" else 1] if status in NCR_STATUS
              else safe_text(status)),
    ]
    if report.mode != "audit" and nc.remediation is not None:  # a pre-check only: no advice in an audit
        fields.insert(6, Field("remediation", t["remediation"], safe_text(nc.remediation.get(lang))))
    extra = {"judgement": judgement_text(nc, lang), "waiver": waiver_text(nc, lang),
             "record_problems": "\n".join(safe_text(p.get(lang) or "") for p in record.get("problems") or ())}
    return fields + [Field(k, t[k], v) for k, v in extra.items() if v]


def _sep(lang: str) -> str:
    return "；" if lang == "zh" else "; "


def judgement_text(nc: Nonconformity, lang: str) -> str:
    """The auditor's on-site judgement (checker.onsite) beside the tool's own verdict, or ""."""
    j = nc.judgement
    if not j:
        return ""
    t, i = LABELS[lang], 0 if lang == "zh" else 1
    action = j.get("action")
    parts = [" ".join(str(v) for v in (j.get("auditor"), j.get("date")) if v),
             JUDGEMENT_ACTION[action][i] if action in JUDGEMENT_ACTION else str(action or "")]
    if j.get("tool_status"):
        parts.append(f"{t['tool_verdict']}: {status_label(j['tool_status'], j.get('tool_grade'), lang)}")
    if j.get("evidence_seen"):
        parts.append(f"{t['evidence_seen']}: {j['evidence_seen']}")
    return safe_text(_sep(lang).join(p for p in parts if p))


def waiver_text(nc: Nonconformity, lang: str) -> str:
    """The waiver or accepted risk covering the nonconformity (checker.waivers), or ""."""
    w = nc.waiver
    if not w:
        return ""
    t = LABELS[lang]
    span = " — ".join(str(v) for v in (w.get("start"), w.get("expiry")) if v)
    parts = [str(w.get("id") or ""), f"{t['approved_by']} {w['approver']}" if w.get("approver") else "", span,
             t["in_force"] if w.get("in_force") else t["expired"], str(w.get("justification") or "")]
    return safe_text(_sep(lang).join(p for p in parts if p))


def audit_fields(report: Report, lang: str) -> list[tuple[str, str]]:
    """The head of each document: the audit information when given (what is there), else the park
    and the date of the check."""
    t = LABELS[lang]
    park = (report.bundle.get("park") or {}).get("name") or report.bundle.get("name")
    audit = report.audit or {}
    rows: list[tuple[str, str]] = []
    body = audit.get("certification_body") or {}
    if body.get("name"):
        rows.append((t["body"], body["name"]))
    if audit.get("audit_number"):
        rows.append((t["audit_number"], audit["audit_number"]))
    if audit.get("audit_type"):
        kind = audit["audit_type"]
        rows.append((t["audit_type"], AUDIT_TYPE[kind][0 if lang == "zh" else 1] if kind in AUDIT_TYPE else kind))
    dates = audit.get("dates") or {}
    if dates.get("start") or dates.get("end"):
        span = [str(d) for d in (dates.get("start"), dates.get("end")) if d]
        rows.append((t["audit_dates"], " — ".join(dict.fromkeys(span))))
    rows.append((t["auditee"], park or ""))
    if not dates and report.bundle.get("audit_date"):
        rows.append((t["audit_date"], report.bundle["audit_date"]))
    return [(label, safe_text(value)) for label, value in rows]


_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def document_time(report: Report) -> datetime:
    """The time the documents say they were made: the report's generation time when it records one,
    else the audit date (never the clock), so the same report gives the same bytes."""
    for value in (report.generated_at, report.bundle.get("audit_date")):
        m = _DATE.match(str(value or ""))
        if m and int(m[1]) >= 1980:
            try:
                return datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=UTC)
            except ValueError:
                continue
    return datetime(2000, 1, 1, tzinfo=UTC)


