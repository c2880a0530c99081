"""``nonconformities.csv``: the nonconformity list, UTF-8 with a BOM so Excel shows Chinese.

Every cell goes through ``escape.csv_cell``: text that a spreadsheet would evaluate as a formula
gets a leading apostrophe, and a cell over Excel's 32,767 characters is cut with a marker (the
other reports keep the full text), so any CSV reader with default limits can read the file.
"""

from __future__ import annotations

import csv
import io

from ..escape import csv_cell
from ..model import GRADE_LABELS, Report

HEADERS = {
    "zh": ["编号", "条款", "标准", "要求", "不符合事实", "等级", "证据位置", "整改建议", "规则"],
    "en": ["No.", "Clause", "Standard", "Requirement", "Finding", "Grade", "Evidence location", "Remediation", "Rules"],
}


def render(report: Report, lang: str = "zh") -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HEADERS[lang])
    for nc in report.nonconformities:
        w.writerow(csv_cell(cell) for cell in [
            nc.id,
            "; ".join(c for _, c in nc.clauses),
            "; ".join(dict.fromkeys(s for s, _ in nc.clauses)),
            nc.requirement,
            nc.finding.get(lang),
            GRADE_LABELS[nc.grade][0 if lang == "zh" else 1],
            "; ".join(e.location() for e in nc.evidence),
            nc.remediation.get(lang) if nc.remediation else "",
            "; ".join(nc.rules),
        ])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")
