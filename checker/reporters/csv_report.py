"""``nonconformities.csv``: the nonconformity list, one row per numbered nonconformity, UTF-8 with a BOM
so Excel shows Chinese.

Clauses are written as they are, each paired with its standard's code ("T/CPQS ZC001—2025 5.1 b)";
"T/CPQS ZC001—2025 7.1、7.4; 组织碳中和管理导则 10.3" when a nonconformity spans standards).  A bare
clause number such as "5.1" or "10.2" would be read as a number (or a date) by a spreadsheet
opening the CSV; with its standard's code the cell is text, and its value stays exact (no leading
apostrophe, tab or ``="…"`` wrapper, which a CSV reader would keep as part of the value).  The
"standards" column gives each standard's code and title; clauses a rule knows by their title only
are listed again in their own column.  For a spreadsheet with typed cells use ``--format xlsx``.

Every cell goes through ``escape.csv_cell``: text that a spreadsheet would evaluate as a formula
gets a leading apostrophe, and a cell over Excel's 32,767 characters is cut with a marker (the
other reports keep the full text), so any CSV reader with default limits can read the file.  An
audit report (``--mode audit``) has no remediation column: it carries no advice.
"""

from __future__ import annotations

import csv
import io

from ..escape import csv_cell
from ..labels_out import CSV_COLUMNS, grade_label, index
from ..model import Nonconformity, Report
from ..modes import PRECHECK
from ._view import clause_groups, standard_name


def columns(report: Report) -> list[str]:
    """The column keys of the report's CSV (``labels_out.CSV_COLUMNS``)."""
    return [key for key in CSV_COLUMNS if key != "remediation" or report.mode == PRECHECK]


def render(report: Report, lang: str = "zh") -> bytes:
    keys = columns(report)
    packs = {p.id: p for p in report.packs}
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS[key][index(lang)] for key in keys)
    for nc in report.nonconformities:
        row = _row(nc, report, packs, lang)
        w.writerow(csv_cell(row[key]) for key in keys)
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def _row(nc: Nonconformity, report: Report, packs: dict, lang: str) -> dict[str, str]:
    groups = clause_groups(nc.clauses, packs, report.on_title(nc))
    comma = "、" if lang == "zh" else ", "
    return {
        "id": nc.id,
        "clauses": "; ".join(f"{g['code']} {comma.join(c['clause'] for c in g['clauses'])}" for g in groups),
        "standards": "; ".join(standard_name(g["pack"], lang) for g in groups),
        "title_only": "; ".join(f"{g['code']} {c['clause']}" for g in groups for c in g["clauses"] if c["title_only"]),
        "requirement": nc.requirement,
        "finding": nc.finding.get(lang),
        "grade": grade_label(nc.grade, lang),
        "evidence": "; ".join(e.location() for e in nc.evidence),
        "remediation": nc.remediation.get(lang) if nc.remediation else "",
        "rules": "; ".join(nc.rules),
    }
