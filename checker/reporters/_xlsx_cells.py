"""The cells of the workbooks parkcheck writes (``--format xlsx``): text shown literally, never a formula,
numbers as numbers, a bold filled header, valid sheet names and column widths that fit Chinese text."""

from __future__ import annotations

import math
import re

from openpyxl.styles import Alignment, Font, PatternFill

from ._documents import cell_text, display_width

FORMULA_START = frozenset("=+-@")
HEADER_FILL = PatternFill("solid", start_color="FFD9E1F2", end_color="FFD9E1F2")
WRAP = Alignment(wrap_text=True, vertical="top")
_SHEET_NAME_BAD = re.compile(r"[\\/?*\[\]:]")


def text_cell(ws, row: int, col: int, value):
    """A text cell: shown literally, never a formula (a leading ``= + - @`` gets the quote prefix)."""
    text = cell_text(value)
    cell = ws.cell(row, col)
    cell.value = text
    cell.data_type = "s"
    cell.number_format = "@"
    cell.alignment = WRAP
    if text.lstrip()[:1] in FORMULA_START:
        cell.quotePrefix = True
    return cell


def is_number(value) -> bool:
    """Whether a value is written as a number cell (a finite int or float; a boolean is not a number)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def value_cell(ws, row: int, col: int, value, text=None):
    """A number as a number cell (shown as Excel's General format shows it); anything else, or a number
    Excel cannot hold, as the text ``text`` (default: the value's own text)."""
    if not is_number(value):
        return text_cell(ws, row, col, value if text is None else text)
    cell = ws.cell(row, col)
    cell.value = value
    cell.number_format = "General"
    cell.alignment = WRAP
    return cell


def header_cell(ws, row: int, col: int, label: str):
    cell = text_cell(ws, row, col, label)
    cell.font, cell.fill = Font(bold=True), HEADER_FILL
    return cell


def sheet_name(text: str, taken: set[str]) -> str:
    """A valid, unused sheet name (Excel: at most 31 characters, none of ``\\ / ? * [ ] :``)."""
    base = _SHEET_NAME_BAD.sub("-", text).strip("'")[:31] or "-"
    name, n = base, 1
    while name.lower() in {t.lower() for t in taken}:
        n += 1
        name = f"{base[:27]} ({n})"
    return name


def fitted_width(texts, least: int = 8, most: int = 48) -> int:
    """A column width fitting its texts (header included) within ``least`` and ``most``; longer text wraps."""
    return max(least, min(most, max((display_width(t) for t in texts), default=0) + 2))
