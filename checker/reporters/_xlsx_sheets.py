"""The workbook's sheets beside the register and the clause tables (``--format xlsx``):

* 碳中和结论 / Neutrality verdict — one row per standard declaring ``neutrality`` (checker.neutrality):
  the claim's year, the verdict, its clause and rule, the explanation, then one number column per
  figure the pack declares (whatever figures the report holds, each headed with its label and unit);
* 被拒绝的抵消 / Rejected offsets — one row per rejected offset: serial, file, line, record, every
  reason and rule;
* one sheet per table of each report section a pack declares (checker.sections): the section's title
  and note above the table, the pack's columns, number cells as numbers.

Headers are bold, frozen and filtered; columns sized to their text (a Chinese character counts two);
text is shown literally (``= + - @`` never a formula, control characters visible).
"""

from __future__ import annotations

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..labels_out import in_language, status_label
from ..model import SECONDARY_MARK, Report
from ._documents import SOURCE_BASIS, display_width
from ._neutrality import LABELS
from ._xlsx_cells import fitted_width, header_cell, is_number, sheet_name, text_cell, value_cell


def source_label(lang: str) -> str:
    """The header of the column marking verdicts that rest on secondary sources."""
    return SOURCE_BASIS[0 if lang == "zh" else 1]


def _mark(lang: str) -> str:
    return SECONDARY_MARK[0 if lang == "zh" else 1]


def _write(ws, header_row: int, columns: list[str], rows: list[list[tuple]]) -> None:
    """``rows`` (each cell ``(value, text)``: a number cell when ``value`` is a number, else ``text``)
    under a bold, frozen, filtered header at ``header_row``; columns sized to what they hold."""
    for col, label in enumerate(columns, 1):
        header_cell(ws, header_row, col, label)
    for r, values in enumerate(rows, header_row + 1):
        for col, (value, text) in enumerate(values, 1):
            value_cell(ws, r, col, value, text)
    for col, label in enumerate(columns, 1):  # a long header wraps rather than widen its column
        texts = [label[:9] if display_width(label) > 18 else label] + [str(row[col - 1][1]) for row in rows]
        ws.column_dimensions[get_column_letter(col)].width = fitted_width(texts)
    widths = [ws.column_dimensions[get_column_letter(col)].width for col in range(1, len(columns) + 1)]
    for r, texts in enumerate([columns, *([text for _, text in row] for row in rows)], header_row):
        tallest = max(_lines(str(text), width) for text, width in zip(texts, widths, strict=True))
        ws.row_dimensions[r].height = 15 * tallest
    last = get_column_letter(max(len(columns), 1))
    ws.freeze_panes = f"A{header_row + 1}"
    ws.auto_filter.ref = f"A{header_row}:{last}{header_row + len(rows)}"
    # printed: A4 landscape, as wide as the page, the header (and the caption above it) on every page
    ws.page_setup.orientation, ws.page_setup.paperSize = "landscape", ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{header_row}"


def _lines(text: str, width: float) -> int:
    """The lines a wrapped cell of this width shows ``text`` on (the row is made that tall: spreadsheet
    programs do not all size a row to its wrapped text)."""
    room = max(int(width) - 1, 1)
    return sum(max(1, -(-display_width(line) // room)) for line in text.split("\n"))


def _number(value) -> tuple:
    """A figure as a cell: the number itself, or its text ("—" when absent)."""
    if is_number(value):
        return (value, str(value))
    return (None, "—" if value is None else str(value))


def _text(value) -> tuple:
    return (None, "" if value is None else str(value))


def add_neutrality_sheets(wb, report: Report, lang: str, names: set[str]) -> None:
    """The neutrality verdict and the rejected offsets, when a pack declares ``neutrality``."""
    if not report.neutrality:
        return
    t = in_language(LABELS, lang)
    packs = {p.id: p for p in report.packs}
    figures = list(dict.fromkeys(name for n in report.neutrality for name, _ in n.figures))
    columns = [t["standard"], t["claim_year"], t["verdict"], t["clause"], t["rule"], t["message"],
               *(t.get(name, name) for name in figures)]
    rows = []
    for n in report.neutrality:
        values = dict(n.figures)
        verdict = status_label(n.status, n.grade, lang) if n.status else t["no_claim"]
        rows.append([_text(_standard(packs, n.standard, lang)), _number(n.year), _text(verdict), _text(n.clause),
                     _text(n.rule), _text(n.message.get(lang) if n.message else ""),
                     *(_number(values.get(name)) for name in figures)])
    ws = wb.create_sheet(sheet_name(t["sheet_verdict"], names))
    names.add(ws.title)
    _write(ws, 1, columns, rows)
    rejected = [[_text(_standard(packs, n.standard, lang)), _text(o.serial or "—"), _text(o.file), _number(o.line),
                 _text(o.pointer), _text("\n".join(r.get(lang) for r in o.reasons)), _text("; ".join(o.rules))]
                for n in report.neutrality for o in n.rejected]
    ws = wb.create_sheet(sheet_name(t["sheet_rejected"], names))
    names.add(ws.title)
    _write(ws, 1, [t["standard"], t["serial"], t["file"], t["line"], t["pointer"], t["reasons"], t["rules"]],
           rejected)


def _standard(packs: dict, standard: str, lang: str) -> str:
    pack = packs.get(standard)
    if pack is None:
        return standard
    return f"{pack.code}「{_mark(lang)}」" if pack.secondary else pack.code


def add_section_sheets(wb, report: Report, lang: str, names: set[str]) -> None:
    """One sheet per table of each pack-declared report section: title and note in the first two rows,
    the table's header in the third (frozen with them, filtered)."""
    packs = {p.id: p for p in report.packs}
    for section in report.sections:
        pack = packs.get(section["standard"])
        title = section["title"].get(lang)
        if pack is not None and pack.secondary and _mark(lang) not in title:
            title += f"「{_mark(lang)}」"
        note = section["note"].get(lang) if section.get("note") else ""
        for table in section["tables"]:
            ws = wb.create_sheet(sheet_name(table["title"].get(lang), names))
            names.add(ws.title)
            columns = [c.get(lang) for c in table["columns"]]
            rows = [[(cell.get("value"), cell.get(lang)) for cell in row] for row in table["rows"]]
            _write(ws, 3, columns, rows)
            for r, row in enumerate(rows, 4):  # a share shown as a percentage stays one in the workbook
                for col, (value, text) in enumerate(row, 1):
                    if is_number(value) and str(text).endswith("%"):
                        ws.cell(r, col).number_format = "0.00%"
            _caption(ws, 1, f"{title} · {table['title'].get(lang)}", len(columns), bold=True)
            _caption(ws, 2, note, len(columns))
            for i, remark in enumerate(table.get("notes") or ()):  # under the table (checker.sections)
                _caption(ws, 5 + len(rows) + i, remark.get(lang), len(columns))


def _caption(ws, row: int, text: str, span: int, bold: bool = False) -> None:
    """A line of text across the table's columns (merged), tall enough for its wrapped lines."""
    cell = text_cell(ws, row, 1, text)
    if bold:
        cell.font = Font(bold=True, size=12)
    if span > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=span)
    width = sum(ws.column_dimensions[get_column_letter(col)].width or 8 for col in range(1, span + 1))
    lines = max(1, -(-display_width(text) // max(int(width), 1)))
    ws.row_dimensions[row].height = 18 * lines if bold else 15 * lines
