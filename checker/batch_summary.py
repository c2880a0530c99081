"""The summary of a ``parkcheck batch``: ``summary.csv``, ``summary.xlsx`` and ``summary.html``.

One row per bundle in discovery order: park, bundle path, report folder, standards, verdict,
nonconformities by grade, observations, score and grade where a pack scores (T/SEESA 010), time,
error.  Column heads are Chinese first with English alongside; the values are in the report
language.  Bundle text is escaped for each medium: CSV cells through ``escape.csv_cell`` (no
formula, no control character), XLSX cells are text cells (quote prefix before ``= + - @``, never a
formula), HTML through an autoescaping template (``templates/batch.html.j2``).  Each file is
written atomically (``safeio.atomic_write``); the XLSX bytes do not depend on the clock.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .escape import csv_cell, one_line, printable
from .labels_out import Pair, index
from .reporters._xlsx_cells import text_cell
from .resources import data_dir
from .safeio import atomic_write
from .stablezip import stable_zip

# (row key, (zh, en), XLSX column width)
COLUMNS: tuple[tuple[str, Pair, int], ...] = (
    ("index", ("序号", "No."), 6),
    ("park", ("园区", "Park"), 24),
    ("bundle", ("证据包", "Bundle"), 30),
    ("reports", ("报告文件夹", "Reports folder"), 30),
    ("standards", ("标准", "Standards"), 24),
    ("verdict", ("结论", "Verdict"), 24),
    ("major", ("严重不符合项", "Major nonconformities"), 10),
    ("minor", ("一般不符合项", "Minor nonconformities"), 10),
    ("observations", ("观察项", "Observations"), 10),
    ("score", ("评价得分", "Score"), 10),
    ("grade", ("评价等级", "Grade"), 12),
    ("seconds", ("用时（秒）", "Time (s)"), 10),
    ("error", ("错误", "Error"), 48),
)
ERROR_KINDS: dict[str, Pair] = {
    "input": ("无法读取", "could not be read"),
    "engine": ("规则引擎错误", "rule engine error"),
    "internal": ("内部错误", "internal error"),
    "died": ("工作进程异常退出", "worker died"),
    "timeout": ("超时", "timed out"),
    "memory": ("内存不足", "out of memory"),
}
NOT_CHECKED: Pair = ("未能检查", "not checked")
TITLE: Pair = ("批量检查汇总", "Batch check summary")
TOTALS: Pair = ("共 {n} 个证据包：{ok} 个已检查，{nc} 个有不符合项，{failed} 个未能检查",
                "{n} bundles: {ok} checked, {nc} with nonconformities, {failed} not checked")
FILES = ("summary.csv", "summary.xlsx", "summary.html")
_EPOCH = _dt.datetime(2000, 1, 1, tzinfo=_dt.UTC)  # the XLSX's stamp: the summary carries no clock time


def heads() -> list[str]:
    """Column heads: Chinese first, English alongside."""
    return [f"{zh} / {en}" for _, (zh, en), _ in COLUMNS]


def cells(row: dict[str, Any], lang: str) -> list[str]:
    """A row's values as text, in the order of ``COLUMNS``."""
    i = index(lang)
    scores = row.get("scores") or []
    error = ""
    if row["error"]:
        kind = ERROR_KINDS.get(row["error_kind"] or "", ERROR_KINDS["internal"])[i]
        error = f"{kind}{'：' if lang == 'zh' else ': '}{row['error']}"
    values = {
        "index": str(row["index"]),
        "park": row["park"],
        "bundle": one_line(row["bundle"]),
        "reports": row["reports"] if not row["error"] else "",
        "standards": "; ".join(row["standards"]),
        "verdict": row["verdict"][lang] if row["verdict"] else NOT_CHECKED[i],
        "major": _count(row["major"]),
        "minor": _count(row["minor"]),
        "observations": _count(row["observations"]),
        "score": "; ".join(_scored(s, s["total"] or "—", len(scores)) for s in scores),
        "grade": "; ".join(_scored(s, s["grade"] or "—", len(scores)) for s in scores),
        "seconds": f"{row['seconds']:.2f}",
        "error": error,
    }
    return [str(values[key]) for key, _, _ in COLUMNS]


def _count(value: int | None) -> str:
    return "" if value is None else str(value)


def _scored(score: dict[str, Any], text: str, how_many: int) -> str:
    return text if how_many == 1 else f"{score['standard']} {text}"


def totals(rows: list[dict[str, Any]], lang: str) -> str:
    failed = sum(1 for r in rows if r["error"])
    nc = sum(1 for r in rows if not r["error"] and (r["major"] or 0) + (r["minor"] or 0))
    return TOTALS[index(lang)].format(n=len(rows), ok=len(rows) - failed, nc=nc, failed=failed)


SHOWN_FAILURES = 10  # failed bundles named on the terminal; the summary files list every one
MORE: Pair = ("……另有 {n} 个，见 summary.csv", "... and {n} more, see summary.csv")


def failures(rows: list[dict[str, Any]], lang: str) -> list[str]:
    """One line per bundle that could not be checked (at most ``SHOWN_FAILURES``): its folder and error,
    each made one line of visible characters."""
    failed = [r for r in rows if r.get("error")]
    colon = "：" if lang == "zh" else ": "
    lines = [f"  {NOT_CHECKED[index(lang)]}  {one_line(r['bundle'])}{colon}{one_line(r['error'])}"
             for r in failed[:SHOWN_FAILURES]]
    if len(failed) > SHOWN_FAILURES:
        lines.append("  " + MORE[index(lang)].format(n=len(failed) - SHOWN_FAILURES))
    return lines


def render_csv(rows: list[dict[str, Any]], lang: str) -> bytes:
    """UTF-8 with a BOM (Excel shows Chinese); every cell through ``csv_cell``."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(csv_cell(h) for h in heads())
    for row in rows:
        w.writerow(csv_cell(c) for c in cells(row, lang))
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def render_xlsx(rows: list[dict[str, Any]], lang: str) -> bytes:
    """One sheet, every cell text, header bold, frozen and filtered; the same rows give the same bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = TITLE[0]
    for r, values in enumerate([heads(), *(cells(row, lang) for row in rows)], 1):
        for c, value in enumerate(values, 1):
            cell = text_cell(ws, r, c, value)  # text shown literally, never a formula
            if r == 1:
                cell.font = Font(bold=True)
    for c, (_, _, width) in enumerate(COLUMNS, 1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(rows) + 1}"
    wb.properties.creator = wb.properties.lastModifiedBy = "parkcheck"
    wb.properties.title = TITLE[index(lang)]
    wb.properties.created = wb.properties.modified = _EPOCH.replace(tzinfo=None)
    buf = io.BytesIO()
    wb.save(buf)
    return stable_zip(buf.getvalue(), _EPOCH)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(data_dir("templates"))), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True,
                              finalize=lambda v: v if isinstance(v, Markup) else printable("" if v is None else v))


def render_html(rows: list[dict[str, Any]], lang: str) -> bytes:
    body = [dict(zip([k for k, _, _ in COLUMNS], cells(row, lang), strict=True), failed=bool(row["error"]))
            for row in rows]
    page = _environment().get_template("batch.html.j2").render(
        lang=lang, title=TITLE[index(lang)], heads=heads(), keys=[k for k, _, _ in COLUMNS], rows=body,
        totals=totals(rows, lang))
    return page.encode("utf-8")


def write_summaries(rows: list[dict[str, Any]], out: Path, lang: str) -> list[Path]:
    """The three summary files in ``out``, each replaced atomically."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, render in zip(FILES, (render_csv, render_xlsx, render_html), strict=True):
        atomic_write(out / name, render(rows, lang))
        written.append(out / name)
    return written
