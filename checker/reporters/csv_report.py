"""``nonconformities.csv``: the nonconformity list, UTF-8 with a BOM so Excel shows Chinese.

Every cell goes through ``escape.csv_cell``: text that a spreadsheet would evaluate as a formula
gets a leading apostrophe, and a cell over Excel's 32,767 characters is cut with a marker (the
other reports keep the full text), so any CSV reader with default limits can read the file.
"""

from __future__ import annotations

import csv
import io

from ..escape import csv_cell
from ..labels_out import CSV_COLUMNS, grade_label, index
from ..model import Report

HEADERS = {lang: [pair[index(lang)] for pair in CSV_COLUMNS] for lang in ("zh", "en")}


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
            grade_label(nc.grade, lang),
            "; ".join(e.location() for e in nc.evidence),
            nc.remediation.get(lang) if nc.remediation else "",
            "; ".join(nc.rules),
        ])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")
