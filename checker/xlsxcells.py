"""Cells of an Excel workbook: where a value is (``台账.xlsx!文件清单!C12``), how a cell's value becomes
what the schema expects, and the checks a workbook passes before openpyxl opens it.  The reading of
sheets into documents is ``checker.xlsxio``."""

from __future__ import annotations

import datetime as _dt
import io
import math
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn

from .charset import INVISIBLE
from .errors import InputError
from .i18n import tr
from .labels import to_code
from .labels_in import scalar_value
from .limits import Limits, archive_excess, option
from .schemas import SchemaSet
from .xlsx_layout import Column
from .yamlio import Positioned, join_pointer, plain_number, split_pointer
from .yamllimits import invisible_message

WORKBOOK_SUFFIX = ".xlsx"
MAX_COLUMNS = 1024  # columns read from a header row
MISSING = object()
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
# A number written with thousands separators (``1,240.2``: how Chinese spreadsheets show and export numbers)
# is read as that number in a table cell, CSV or workbook; only well-formed groups of three digits count
# (``1,24.5`` or ``1,2402`` stay text, an unusable value), and the decimal point is always ``.``.
THOUSANDS = re.compile(r"^[-+]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")
_SERIAL_MAX = 2958465  # 9999-12-31
_SPLIT_ENUM = re.compile(r"[\n；;、,，]")


def pointer_of(base: str, *tokens: Any) -> str:
    for token in tokens:
        base = join_pointer(base, token)
    return base


def cell_name(row: int, col: int) -> str:
    """``C12`` for row 12, column 3."""
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col)}{row}"


def where(workbook: str, sheet: str, row: int | None = None, col: int | None = None) -> str:
    """``台账.xlsx!文件清单!C12`` (or without the cell)."""
    return f"{workbook}!{sheet}" + (f"!{cell_name(row, col)}" if row and col else "")


class WorkbookContent(Positioned):
    """A document read from one or more sheets, with the cell of every value: records by row (one list
    of rows per array), fields by column."""

    def __init__(self, data: Any, workbook: str, main: str):
        super().__init__(data)
        self.workbook = workbook
        self.main = main
        self.arrays: dict[str, tuple[str, list[int], dict[str, int]]] = {}  # pointer -> sheet, rows, {key: col}
        self.fields: dict[str, tuple[str, int, int]] = {}  # key-value sheet: dotted key -> sheet, row, col

    def cell(self, pointer: str) -> tuple[str, int, int] | None:
        """``(sheet, row, column)`` of the value at ``pointer`` (or of the row / field holding it)."""
        tokens = split_pointer(pointer) if pointer else []
        for cut in range(len(tokens) - 1, -1, -1):
            base = pointer_of("", *tokens[:cut]) if cut else ""
            if base in self.arrays and tokens[cut].isdigit():
                sheet, rows, cols = self.arrays[base]
                index = int(tokens[cut])
                if index >= len(rows):
                    return None
                key = ".".join(t for t in tokens[cut + 1:] if not t.isdigit())
                return sheet, rows[index], _column(cols, key)
        key = ".".join(t for t in tokens if not t.isdigit())
        if key in self.fields:
            return self.fields[key]
        inside = [v for k, v in self.fields.items() if k.startswith(key + ".")] if key else []
        return min(inside, key=lambda c: c[1]) if inside else None

    def position(self, pointer: str):
        """Line and column for reports and gaps: exact in the document's own sheet; ``None`` for a value
        on another sheet (the report then names the workbook document and the field)."""
        found = self.cell(pointer)
        return (found[1], found[2]) if found and found[0] == self.main else None


def _column(cols: dict[str, int], key: str) -> int:
    if not key:
        return 1
    if key in cols:
        return cols[key]
    inside = [c for k, c in cols.items() if k.startswith(key + ".")]
    return min(inside) if inside else 1


@dataclass
class CellReader:
    workbook: str
    limits: Limits
    schemas: SchemaSet
    epoch: Any = None
    unused: list[str] = field(default_factory=list)

    # -- values ---------------------------------------------------------------------------------

    def fail(self, message: str, sheet: str, row: int, col: int, pointer: str | None = None) -> NoReturn:
        raise InputError(message, where(self.workbook, sheet, row, col), field=pointer)

    def value(self, raw: Any, col: Column, sheet: str, row: int, cidx: int, pointer: str) -> Any:
        if raw is None:
            return MISSING
        if isinstance(raw, ExcelError):  # absence of a value: never read as the text it shows
            self.fail(error_message(raw.code), sheet, row, cidx, pointer)
        if isinstance(raw, Uncached):  # a formula without its result: in a number column, its text
            node = col.item_node if col.many else col.node
            t = node.get("type")
            types = set(t) if isinstance(t, list) else {t}
            if not types & {"number", "integer"} or "string" in types:
                return MISSING
            raw = raw.formula[: self.limits.max_csv_cell]
            return [raw] if col.many else raw
        if isinstance(raw, str):
            if len(raw) > self.limits.max_csv_cell:
                self.fail(tr("a cell is longer than the limit of {count} characters ({option})",
                             count=f"{self.limits.max_csv_cell:,}", option=option("max_csv_cell")),
                          sheet, row, cidx, pointer)
            bad = INVISIBLE.search(raw)  # refused in a workbook as in a YAML or CSV document (checker.charset)
            if bad:
                self.fail(invisible_message(bad.group()), sheet, row, cidx, pointer)
            if not raw.strip():
                return MISSING
        if col.many:
            if isinstance(raw, str):
                splitter = _SPLIT_ENUM if "enum" in col.item_node else re.compile(r"\n")
                parts = [p.strip() for p in splitter.split(raw) if p.strip()]
            else:
                parts = [raw]
            return [self.scalar(p, col.item_node, sheet, row, cidx, pointer) for p in parts]
        return self.scalar(raw, col.node, sheet, row, cidx, pointer)

    def scalar(self, raw: Any, node: dict, sheet: str, row: int, cidx: int, pointer: str) -> Any:
        t = node.get("type")
        types = set(t) if isinstance(t, list) else {t} if isinstance(t, str) else set()
        is_date = node.get("format") == "date"
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, _dt.datetime):
            return raw.date().isoformat() if is_date or raw.time() == _dt.time() else raw.isoformat()
        if isinstance(raw, (_dt.date, _dt.time)):
            return raw.isoformat()
        if isinstance(raw, (int, float)):
            return self.number(raw, types, is_date, sheet, row, cidx, pointer)
        text = str(raw).strip()
        if "enum" in node:
            return to_code(text, node) or text
        if is_date:
            return self.date_text(text)
        if "boolean" in types:
            flag = scalar_value(text, node, self.schemas)
            if isinstance(flag, bool):
                return flag
        if types & {"integer", "number"}:
            plain = text.replace(",", "") if THOUSANDS.match(text) else text
            try:
                number = plain_number(plain, where(self.workbook, sheet, row, cidx), None, None, pointer,
                                      self.limits, integer="number" not in types)
            except InputError as exc:
                raise InputError(exc.problem.message, where(self.workbook, sheet, row, cidx), field=pointer) from None
            if number is not None:
                return number
        return text

    def number(self, raw: int | float, types: set[str], is_date: bool, sheet: str, row: int, cidx: int,
               pointer: str) -> Any:
        if (isinstance(raw, float) and not math.isfinite(raw)) or abs(raw) > self.limits.max_number:
            self.fail(tr("the number {number} is out of range ({option} {limit})", number=f"{raw:g}",
                         option=option("max_number"), limit=f"{self.limits.max_number:g}"), sheet, row, cidx, pointer)
        integral = isinstance(raw, int) or float(raw).is_integer()
        if is_date:
            return self.serial(raw) if 0 < raw <= _SERIAL_MAX else raw
        if "integer" in types and "number" not in types and integral:
            return int(raw)
        if types & {"integer", "number"}:
            return raw
        if "string" in types:  # a number typed into a text column (a document number, a version)
            return str(int(raw)) if integral else repr(float(raw))
        return raw

    def serial(self, raw: int | float) -> str:
        from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900, from_excel

        value = from_excel(raw, self.epoch or CALENDAR_WINDOWS_1900)
        return (value.date() if isinstance(value, _dt.datetime) else value).isoformat()

    def date_text(self, text: str) -> str:
        """A date typed as text: ``2024-3-5``, ``2024/3/5``, ``2024年3月5日``, or an Excel serial."""
        m = _DATE_TEXT.match(text)
        if m:
            try:
                return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
            except ValueError:
                return text  # reported by validation, at this cell
        if text.isdigit() and 0 < int(text) <= _SERIAL_MAX:
            return self.serial(int(text))
        return text

    # -- sheets ---------------------------------------------------------------------------------

def check_archive(data: bytes, name: str, limits: Limits) -> None:
    """Refuse a workbook whose zip directory breaks the limits, before anything is inflated."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, NotImplementedError, RuntimeError):
        raise InputError(tr("not a readable .xlsx workbook (not a zip archive; an encrypted or old .xls workbook must "
                            "be saved as .xlsx without a password)"), name) from None
    with zf:
        infos = zf.infolist()
        excess = archive_excess([i.file_size for i in infos], len(data), limits)
        if excess == "members":
            raise InputError(tr("workbook has {count} parts, more than the limit of {limit} ({option})",
                                count=f"{len(infos):,}", limit=f"{limits.max_archive_members:,}",
                                option=option("max_archive_members")), name)
        if excess == "size":
            raise InputError(tr("workbook expands to more than the limit of {count} bytes ({option})",
                                count=f"{limits.max_unpacked_bytes:,}", option=option("max_unpacked_bytes")), name)
        if excess == "ratio":
            total = sum(i.file_size for i in infos)
            raise InputError(tr("workbook expands {ratio}-fold, more than the limit of {limit} ({option}); refusing a "
                                "likely zip bomb", ratio=f"{total // max(len(data), 1):,}",
                                limit=limits.max_compression_ratio, option=option("max_compression_ratio")), name)
        for info in infos:
            if info.file_size > limits.max_document_bytes:
                raise InputError(tr("workbook part {part} is larger than the limit of {count} bytes ({option})",
                                    part=repr(info.filename), count=f"{limits.max_document_bytes:,}",
                                    option=option("max_document_bytes")), name)
            if info.file_size > 1 << 20 and info.compress_size and \
                    info.file_size / info.compress_size > limits.max_compression_ratio:
                raise InputError(tr("workbook part {part} expands {ratio}-fold, more than the limit of {limit} "
                                    "({option}); refusing a likely zip bomb", part=repr(info.filename),
                                    ratio=f"{info.file_size // info.compress_size:,}",
                                    limit=limits.max_compression_ratio, option=option("max_compression_ratio")),
                                 name)
            if info.flag_bits & 0x1:
                raise InputError(tr("the workbook is encrypted; save it without a password"), name)


@dataclass(frozen=True)
class Uncached:
    """A formula cell saved without its result (a workbook written by a program that does not
    calculate): its value is unknown.  A number column shows the formula as the text it holds (an
    unusable value, a content gap at the cell); any other column treats the cell as not filled."""
    formula: str


@dataclass(frozen=True)
class ExcelError:
    """A cell holding an Excel error value (``#N/A``, ``#REF!``, ``#VALUE!`` …; openpyxl's data type ``e``):
    no value, never the text it shows.  A cell of text that merely reads ``#N/A`` stays text."""
    code: str


_FORMULA = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[ />]")
_ERROR_CELL = re.compile(rb"<(?:[A-Za-z0-9_]+:)?c\s[^<>]*?\bt\s*=\s*[\"']e[\"']")


def _has_error_cell(xml: bytes) -> bool:
    """Whether the piece of sheet XML holds a cell of type ``e`` (the quoted ``e`` looked for first: fast)."""
    return (b'"e"' in xml or b"'e'" in xml) and bool(_ERROR_CELL.search(xml))


def sheet_marks(data: bytes) -> tuple[bool, bool]:
    """Whether a worksheet of the workbook holds a formula, and whether one holds an error cell (its parts
    inflated in pieces, limits checked before: ``check_archive``)."""
    formulas = errors = False
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            with zf.open(info) as fh:
                tail = b""
                while chunk := fh.read(1 << 20):
                    formulas = formulas or bool(_FORMULA.search(tail + chunk))
                    errors = errors or _has_error_cell(tail + chunk)
                    if formulas and errors:
                        return True, True
                    tail = chunk[-512:]
    return formulas, errors


def error_message(code: str) -> str:
    """The problem of a cell holding an Excel error value (here and in the NC register)."""
    return tr("the cell holds the Excel error value {error}, not a value; type the value or leave the cell empty",
              error=code)


def marked_errors(cells: tuple) -> tuple:
    """A row of openpyxl cells as values, each error cell (data type ``e``) an ``ExcelError``."""
    return tuple(ExcelError(str(c.value)) if c.data_type == "e" else c.value for c in cells)


def with_formulas(values: tuple, formulas: tuple | None) -> tuple:
    """A row's stored values, each empty cell that holds a formula marked ``Uncached``."""
    if not formulas or None not in values:
        return values
    out = list(values)
    for i, (v, f) in enumerate(zip(values, formulas, strict=False)):
        if v is None and f is not None:
            text = f if isinstance(f, str) else getattr(f, "text", None)
            if isinstance(text, str) and text.startswith("="):
                out[i] = Uncached(text)
    return tuple(out)


def read_rows(rows: Iterator, workbook: str, sheet: str) -> Iterator:
    """The rows of a read-only sheet; openpyxl parses a row's cells when it is read, so a corrupt cell (a shared
    string index past the table, a number that is not one, a cell reference past column XFD) raises then, not
    when the workbook is opened: one line naming the workbook and sheet, not an internal error."""
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except MemoryError:  # running out of memory, not a corrupt cell (``cli_support.guarded``)
            raise
        except Exception as exc:  # only openpyxl's parser runs here (many kinds on a corrupt sheet)
            raise InputError(tr("a cell of this sheet cannot be read ({reason}); open the workbook in Excel or WPS "
                                "and save it again", reason=f"{type(exc).__name__}: {exc}"),
                             where(workbook, sheet)) from None
        yield row


def open_workbook(data: bytes, name: str, data_only: bool = True):
    """The workbook, read-only, links not kept; ``data_only``: formulas' stored results, else the
    formulas as text (``cell.data_type == "f"``).  Nothing is ever evaluated."""
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not read
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only,
                                          keep_links=False)
    except (InputError, MemoryError):  # (running out of memory is said as such: ``cli_support.guarded``)
        raise
    except Exception as exc:  # openpyxl raises many kinds on a corrupt workbook
        raise InputError(tr("not a readable .xlsx workbook ({reason})", reason=type(exc).__name__), name) from None


