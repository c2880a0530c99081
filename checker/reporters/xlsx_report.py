"""``nonconformities.xlsx``: the nonconformity register and the clause table, for the auditor's files.

Sheets: the NC register (one row per nonconformity, the fields of its 不符合项报告 as columns, the
park's fields empty until checker.ncr fills them), the clause verdicts (every clause; in a combined
audit one sheet per standard), the neutrality verdict and the rejected offsets, the tables of the
report sections packs declare (checker.reporters._xlsx_sheets), and the audit information.  Every
row of a clause sheet pairs the clause with its standard's code and name; a standard resting on
secondary sources has a column saying so beside each verdict (and the mark beside its name in the
register).  Register and clause cells are text: clause numbers stay ``5.1``, and a cell beginning
with ``= + - @`` is stored as a string with Excel's quote prefix, never as a formula; figures are
number cells.  Headers are frozen and filtered, columns sized, text wrapped.  The same report gives
the same bytes.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ..labels_docs import NCR_STATUS
from ..labels_out import REPORT, grade_label, index, status_label
from ..model import SECONDARY_MARK, ClauseVerdict, Nonconformity, Report
from ..stablezip import stable_zip
from ._documents import (
    LABELS,
    PARK_FIELDS,
    audit_fields,
    document_time,
    evidence_lines,
    judgement_text,
    record_value,
    standards_of,
    waiver_text,
)
from ._xlsx_cells import header_cell, sheet_name, text_cell
from ._xlsx_sheets import add_neutrality_sheets, add_section_sheets, source_label

# (key, label key, width): the register's columns; "remediation" only in a pre-check
REGISTER = (("number", "number", 14), ("standard_code", "standard_code", 18), ("standard_name", "standard_name", 24),
            ("clause", "clause", 12), ("requirement", "requirement", 40), ("finding", "finding", 40),
            ("remediation", "remediation", 40), ("evidence", "evidence", 32), ("grade", "grade", 10),
            ("auditor", "auditor", 12), ("acknowledged_by", "acknowledged_by", 14),
            ("acknowledged_on", "acknowledged_on", 12),
            *((k, k, 30 if i < 3 else 12) for i, k in enumerate(PARK_FIELDS)),
            ("status", "status", 14), ("judgement", "judgement", 30), ("waiver", "waiver", 30),
            ("record_problems", "record_problems", 30), ("rules", "rules", 28))
CLAUSES = (("standard_code", 18), ("standard_name", 24), ("clause", 12), ("clause_title", 36), ("normative", 10),
           ("verdict", 16), ("reason", 40), ("rules", 40))


def render(report: Report, lang: str = "zh") -> bytes:
    t = LABELS[lang]
    wb = Workbook()
    register = wb.active
    register.title = sheet_name(t["register_sheet"], set())
    columns = [c for c in REGISTER if c[0] != "remediation" or report.mode != "audit"]
    _table(register, [(t[label], width) for _, label, width in columns],
           [[row[key] for key, _, _ in columns] for row in (_register_row(report, nc, lang)
                                                          for nc in report.nonconformities)])
    names = {register.title}
    packs = [p for p in report.packs if any(v.standard == p.id for v in report.verdicts)]
    for pack in packs:
        title = t["clauses_sheet"] if len(packs) == 1 else pack.code
        ws = wb.create_sheet(sheet_name(title, names))
        names.add(ws.title)
        rows = [_clause_row(pack.code, pack.title, v, lang) for v in report.verdicts if v.standard == pack.id]
        headers = [(t[key], width) for key, width in CLAUSES]
        if pack.secondary:  # every verdict of the pack rests on secondary sources: said beside each verdict
            mark = SECONDARY_MARK[0 if lang == "zh" else 1]
            headers.insert(6, (source_label(lang), 24))
            rows = [[*row[:6], mark, *row[6:]] for row in rows]
        _table(ws, headers, rows)
    add_neutrality_sheets(wb, report, lang, names)
    add_section_sheets(wb, report, lang, names)
    info = wb.create_sheet(sheet_name(t["audit_info"], names))
    _table(info, [("", 24), ("", 60)], [list(pair) for pair in audit_fields(report, lang)], header=False)
    when = document_time(report).replace(tzinfo=None)
    wb.properties.creator = wb.properties.lastModifiedBy = "parkcheck"
    wb.properties.title = t["register_sheet"]
    wb.properties.created = wb.properties.modified = when
    buf = io.BytesIO()
    wb.save(buf)
    return stable_zip(buf.getvalue(), document_time(report))


def _register_row(report: Report, nc: Nonconformity, lang: str) -> dict[str, str]:
    record = nc.record or {}
    stds = standards_of(report, nc, lang)
    status = record.get("status") or "open"  # nobody has acted on it yet: open (fail closed)
    row = {
        "number": record_value(record, "number") or nc.id,
        "standard_code": "; ".join(code for code, _, _ in stds),
        "standard_name": "; ".join(name for _, name, _ in stds),
        "clause": "; ".join(stds[0][2]) if len(stds) == 1 else "; ".join(f"{c} {x}" for c, _, cl in stds for x in cl),
        "requirement": nc.requirement, "finding": nc.finding.get(lang),
        "remediation": nc.remediation.get(lang) if nc.remediation and report.mode != "audit" else "",
        "evidence": "\n".join(evidence_lines(nc, lang)), "grade": grade_label(nc.grade, lang),
        "status": NCR_STATUS[status][0 if lang == "zh" else 1] if status in NCR_STATUS else status,
        "rules": "; ".join(nc.rules), "judgement": judgement_text(nc, lang), "waiver": waiver_text(nc, lang),
        "record_problems": "\n".join(p.get(lang) or "" for p in record.get("problems") or ()),
    }
    for key in ("auditor", "acknowledged_by", "acknowledged_on", *PARK_FIELDS):
        row[key] = record_value(record, key)
    return row


def _clause_row(code: str, name: str, v: ClauseVerdict, lang: str) -> list[str]:
    normative = REPORT["yes" if v.normative else "no_"][index(lang)]
    return [code, name, v.clause, v.title, normative, status_label(v.status, v.grade, lang),
            v.reason.get(lang) if v.reason else "", "; ".join(v.rules)]


def _table(ws, columns: list[tuple[str, int]], rows: list[list], header: bool = True) -> None:
    """``rows`` under a bold, frozen, filtered header; every cell text, wrapped; columns sized."""
    first = 1
    if header:
        for col, (label, _) in enumerate(columns, 1):
            header_cell(ws, 1, col, label)
        first = 2
    for r, values in enumerate(rows, first):
        for col, value in enumerate(values, 1):
            text_cell(ws, r, col, value)
    for col, (_, width) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    if header:
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
