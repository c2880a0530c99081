"""Read the Excel workbooks of a bundle (``.xlsx`` outside ``attachments/``) without trusting them.

A workbook is a zip: its directory is checked against the limits before anything is inflated (member
count, each sheet's size against ``--max-document-bytes``, the total against ``--max-unpacked-bytes``,
the compression ratio), then it is opened read-only with openpyxl (``read_only=True, data_only=True``:
stored values, never formulas evaluated, nothing written).  Rows are counted against
``--max-csv-rows`` as they are read and cells against ``--max-csv-cell``.

Sheets are mapped to the schemas by name (``checker.xlsx_layout``: the template's sheet names, or
``kind`` / ``kind.array``) and columns by header (the Chinese label or the field key).  Values are
turned into what the schema expects: Excel dates and date serials (also typed as text) into
``YYYY-MM-DD``, numbers stored as text into numbers, Chinese labels into codes, 是/否 into booleans.
All sheets of one kind in a workbook make one document, named ``台账.xlsx!<first sheet>``; every
problem names workbook, sheet and cell: ``台账.xlsx!文件清单!C12``.  A sheet that maps to no kind but
holds data is listed as not used (``unused_files``), never silently dropped.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any, NoReturn

from .errors import InputError, Problem
from .labels_in import scalar_value, to_code
from .limits import DEFAULT_LIMITS, Limits, option
from .model import EvidenceFile
from .schemas import SchemaSet, load_schemas
from .xlsx_layout import SKIPPED, Column, Sheet, kind_sheets, record_key, sheet_index
from .yamlio import Positioned, join_pointer, plain_number, split_pointer

WORKBOOK_SUFFIX = ".xlsx"
MAX_COLUMNS = 1024  # columns read from a header row
_MISSING = object()
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
_SERIAL_MAX = 2958465  # 9999-12-31
_SPLIT_ENUM = re.compile(r"[\n；;、,，]")


def _pointer(base: str, *tokens: Any) -> str:
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
            base = _pointer("", *tokens[:cut]) if cut else ""
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
class _Reader:
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
            return _MISSING
        if isinstance(raw, str):
            if len(raw) > self.limits.max_csv_cell:
                self.fail(f"a cell is longer than the limit of {self.limits.max_csv_cell:,} characters "
                          f"({option('max_csv_cell')})", sheet, row, cidx, pointer)
            if not raw.strip():
                return _MISSING
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
            plain = text.replace(",", "") if _THOUSANDS.match(text) else text
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
            self.fail(f"the number {raw:g} is out of range ({option('max_number')} {self.limits.max_number:g})",
                      sheet, row, cidx, pointer)
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

    def rows(self, ws, sheet: str, width: int | None, first: int = 1):
        count = first - 1
        for values in ws.iter_rows(min_row=first, max_col=width, values_only=True):
            count += 1
            if count > self.limits.max_csv_rows + 1:
                raise InputError(f"the sheet has more than {self.limits.max_csv_rows:,} rows "
                                 f"({option('max_csv_rows')})", where(self.workbook, sheet))
            yield count, values

    def header(self, ws, sheet: str, spec: Sheet) -> dict[int, Column]:
        cells = next((v for _, v in self.rows(ws, sheet, MAX_COLUMNS)), ())
        known = spec.header_map()
        out: dict[int, Column] = {}
        for i, text in enumerate(cells, start=1):
            if text is None or not str(text).strip():
                continue
            name = str(text).strip()
            found = known.get(_strip(name))
            if found is None and name.startswith("x-"):
                found = Column((name,), name, {"type": "string"})
            if found is None:
                labels = "、".join(c.label for c in spec.all_columns)
                self.fail(f"unknown column {name!r} (columns of this sheet: {labels}; columns of your own start "
                          "with x-)", sheet, 1, i)
            if found in out.values():
                self.fail(f"column {name!r} is given twice", sheet, 1, i)
            out[i] = found
        return out


def _strip(text: str) -> str:
    from .labels_in import strip_header

    return strip_header(text)


def _set(target: dict, path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        nxt = target.get(key)
        if not isinstance(nxt, dict):
            nxt = target[key] = {}
        target = nxt
    target[path[-1]] = value


def _check_archive(data: bytes, name: str, limits: Limits) -> None:
    """Refuse a workbook whose zip directory breaks the limits, before anything is inflated."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, NotImplementedError, RuntimeError):
        raise InputError("not a readable .xlsx workbook (not a zip archive; an encrypted or old .xls "
                         "workbook must be saved as .xlsx without a password)", name) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_archive_members:
            raise InputError(f"workbook has {len(infos):,} parts, more than the limit of "
                             f"{limits.max_archive_members:,} ({option('max_archive_members')})", name)
        total = sum(i.file_size for i in infos)
        if total > limits.max_unpacked_bytes:
            raise InputError(f"workbook expands to more than the limit of {limits.max_unpacked_bytes:,} bytes "
                             f"({option('max_unpacked_bytes')})", name)
        if total > 1 << 20 and total > limits.max_compression_ratio * max(len(data), 1):
            raise InputError(f"workbook expands {total // max(len(data), 1):,}-fold, more than the limit of "
                             f"{limits.max_compression_ratio} ({option('max_compression_ratio')}); refusing a "
                             "likely zip bomb", name)
        for info in infos:
            if info.file_size > limits.max_document_bytes:
                raise InputError(f"workbook part {info.filename!r} is larger than the limit of "
                                 f"{limits.max_document_bytes:,} bytes ({option('max_document_bytes')})", name)
            if info.file_size > 1 << 20 and info.compress_size and \
                    info.file_size / info.compress_size > limits.max_compression_ratio:
                raise InputError(f"workbook part {info.filename!r} expands "
                                 f"{info.file_size // info.compress_size:,}-fold, more than the limit of "
                                 f"{limits.max_compression_ratio} ({option('max_compression_ratio')}); refusing "
                                 "a likely zip bomb", name)
            if info.flag_bits & 0x1:
                raise InputError("the workbook is encrypted; save it without a password", name)


def _open(data: bytes, name: str):
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not read
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a corrupt workbook
        raise InputError(f"not a readable .xlsx workbook ({type(exc).__name__})", name) from None


@dataclass
class _Built:
    """One kind's document being assembled from its sheets."""

    kind: str
    data: dict
    content: WorkbookContent
    # chain key (parent keys from the top) -> (record, its pointer), per array level
    index: dict[int, dict[tuple[str, ...], tuple[dict, str] | None]] = field(default_factory=dict)


def _kv_sheet(r: _Reader, ws, title: str, spec: Sheet, built: _Built) -> bool:
    by_label = spec.header_map()
    any_value = False
    for row, values in r.rows(ws, title, 4, first=2):
        label, raw, _, key = (tuple(values) + (None,) * 4)[:4]
        col = by_label.get(str(key).strip()) if isinstance(key, str) and key.strip() else None
        if col is None and isinstance(label, str) and label.strip():
            col = by_label.get(_strip(label))
            if col is None and label.strip().startswith("x-"):
                col = Column((label.strip(),), label.strip(), {"type": "string"})
        if col is None:
            if raw is not None and str(raw).strip():
                r.fail(f"unknown field {str(label or key)!r} (fields of this sheet: "
                       f"{'、'.join(c.label for c in spec.columns)}; fields of your own start with x-)",
                       title, row, 1)
            continue
        pointer = _pointer("", *col.path)
        value = r.value(raw, col, title, row, 2, pointer)
        if value is _MISSING:
            continue
        _set(built.data, col.path, value)
        built.content.fields[col.key] = (title, row, 2)
        any_value = True
    return any_value


def _table_sheet(r: _Reader, ws, title: str, spec: Sheet, built: _Built) -> bool:
    columns = r.header(ws, title, spec)
    if not columns:
        return False
    width = max(columns)
    level = len(spec.array) - 1
    cols = {c.key: i for i, c in columns.items() if c.parent < 0}
    own_key = record_key(_items_node(r.schemas, spec))
    index = built.index.setdefault(level, {})
    any_row = False
    for row, values in r.rows(ws, title, width, first=2):
        if not any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
            continue
        parent_keys: list[str] = []
        for i, col in columns.items():
            if col.parent >= 0:
                raw = values[i - 1] if i - 1 < len(values) else None
                value = r.value(raw, col, title, row, i, "")
                if value is _MISSING:
                    r.fail(f"{col.label} is empty: name the record this row belongs to", title, row, i)
                parent_keys.append(str(value))
        parent, base = _parent(r, built, spec, tuple(parent_keys), title, row, columns)
        array = _array_in(parent, spec.array[-1])
        pointer = _pointer(base, *spec.array[-1])
        record: dict = {}
        for i, col in columns.items():
            if col.parent < 0:
                raw = values[i - 1] if i - 1 < len(values) else None
                value = r.value(raw, col, title, row, i, _pointer(pointer, len(array), *col.path))
                if value is not _MISSING:
                    _set(record, col.path, value)
        entry = built.content.arrays.setdefault(pointer, (title, [], cols))
        entry[1].append(row)
        array.append(record)
        chain = tuple(parent_keys) + tuple(str(record.get(k)) for k in own_key)
        index[chain] = None if chain in index else (record, _pointer(pointer, len(array) - 1))
        any_row = True
    return any_row


def _items_node(schemas: SchemaSet, spec: Sheet) -> dict:
    from .labels_in import labelled_schema

    node = labelled_schema(schemas, spec.kind)
    for path in spec.array:
        for key in path:
            node = node.get("properties", {}).get(key, {})
        node = node.get("items", {})
    return node


def _array_in(parent: dict, path: tuple[str, ...]) -> list:
    target = parent
    for key in path[:-1]:
        target = target.setdefault(key, {})
    arr = target.setdefault(path[-1], [])
    return arr


def _parent(r: _Reader, built: _Built, spec: Sheet, keys: tuple[str, ...], title: str, row: int,
            columns: dict[int, Column]) -> tuple[dict, str]:
    level = len(spec.array) - 1
    if level == 0:
        return built.data, ""
    found = built.index.get(level - 1, {}).get(keys, _MISSING)
    first = min(i for i, c in columns.items() if c.parent >= 0)
    if found is _MISSING:
        r.fail(f"no record {'/'.join(keys)!r} in the parent sheet for {spec.parents[0].label}: name a record "
               "listed there", title, row, first)
    if found is None:
        r.fail(f"the parent sheet lists {'/'.join(keys)!r} more than once: give each record its own key",
               title, row, first)
    assert isinstance(found, tuple)
    return found


def read_workbook(path: str, data: bytes, files: dict[str, EvidenceFile] | None = None,
                  attachments: set[str] | None = None, limits: Limits | None = None) -> list:
    """The documents a workbook holds (one per kind), each a ``bundle.Document`` named ``path!<sheet>``.

    Hook for ``bundle.bundle_from_files``: ``files`` gets an entry per document (and per sheet that holds
    data but maps to no kind, with kind ``None``: listed as not used), the workbook's own entry is
    replaced by them; a workbook with no document stays an attachment."""
    from .bundle import Document

    limits = limits or DEFAULT_LIMITS
    if len(data) > limits.max_document_bytes:
        raise InputError(f"workbook is larger than the limit of {limits.max_document_bytes:,} bytes "
                         f"({option('max_document_bytes')})", path)
    _check_archive(data, path, limits)
    schemas = load_schemas()
    wb = _open(data, path)
    r = _Reader(path, limits, schemas, getattr(wb, "epoch", None))
    try:
        by_kind = _sheets_by_kind(r, wb)
        built = [_document(r, kind, sheets) for kind, sheets in by_kind.items()]
    finally:
        wb.close()
    out = [Document(where(path, d.content.main), d.kind, d.content, "xlsx") for d in built if d is not None]
    if files is not None:
        _register(files, path, len(data), out, r.unused)
    if not out and attachments is not None:
        attachments.add(path)
    return out


def _sheets_by_kind(r: _Reader, wb: Any) -> dict[str, list[tuple[Sheet, Any, str]]]:
    """The workbook's sheets grouped by the kind they map to, in schema order; sheets that map to none
    but hold data are noted as not used."""
    index = sheet_index(r.schemas)
    order = {spec: i for i, spec in enumerate(index.values())}
    by_kind: dict[str, list[tuple[Sheet, Any, str]]] = {}
    for ws in wb.worksheets:
        title = ws.title
        spec = index.get(title.strip())
        if title.strip() in SKIPPED:
            continue
        if spec is None:
            if any(v is not None for _, row in r.rows(ws, title, MAX_COLUMNS) for v in row):
                r.unused.append(where(r.workbook, title))
            continue
        by_kind.setdefault(spec.kind, []).append((spec, ws, title))
    return dict(sorted(by_kind.items(), key=lambda kv: min(order[s] for s, _, _ in kv[1])))


def _register(files: dict[str, EvidenceFile], path: str, size: int, docs: list, unused: list[str]) -> None:
    entry = files.get(path)
    sha = entry.sha256 if entry else ""
    for doc in docs:
        files[doc.path] = EvidenceFile(doc.path, doc.kind, sha, size)
    for name in unused:
        files[name] = EvidenceFile(name, None, sha, size)
    if docs or unused:
        files.pop(path, None)


def _document(r: _Reader, kind: str, sheets: list[tuple[Sheet, Any, str]]) -> _Built | None:
    order = {s: i for i, s in enumerate(kind_sheets(r.schemas, kind))}
    sheets = sorted(sheets, key=lambda x: order.get(x[0], 0))
    seen: dict[Sheet, str] = {}
    for spec, _, title in sheets:
        if spec in seen:
            raise InputError(f"sheets {seen[spec]!r} and {title!r} hold the same table", where(r.workbook, title))
        seen[spec] = title
    built = _Built(kind, {"kind": kind}, WorkbookContent(None, r.workbook, sheets[0][2]))
    built.content.data = built.data
    main = None
    for spec, ws, title in sheets:
        filled = (_table_sheet if spec.is_table else _kv_sheet)(r, ws, title, spec, built)
        if filled and main is None:
            main = title
    if main is None:
        return None  # every sheet of the kind left empty: no document (the report says it is missing)
    built.content.main = main
    return built


def locate_cells(documents: list, problems: list[Problem]) -> list[Problem]:
    """Problems in workbook documents named by their cell (``台账.xlsx!文件清单!C12``) instead of a line.
    Content gaps keep the document's name (they are matched to the document later)."""
    contents = {d.path: d.content for d in documents if isinstance(getattr(d, "content", None), WorkbookContent)}
    if not contents:
        return problems
    out = []
    for p in problems:
        content = contents.get(p.file or "")
        found = content.cell(p.field or "") if content is not None and not p.gap else None
        if found is not None:
            p = Problem(p.message, where(content.workbook, *found), None, None, p.field, p.gap)  # type: ignore[union-attr]
        out.append(p)
    return out
