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

import dataclasses
import warnings
from dataclasses import dataclass, field
from typing import Any

from .bundlefiles import tally
from .charset import INVISIBLE, SUSPICIOUS_NAME, char_name
from .errors import InputError, Problem
from .i18n import tr
from .labels import strip_header
from .limits import DEFAULT_LIMITS, Limits, option
from .model import EvidenceFile
from .schemas import SchemaSet, load_schemas
from .xlsx_layout import SKIPPED, Column, Sheet, kind_sheets, record_key, sheet_index
from .xlsxcells import (
    MAX_COLUMNS,
    MISSING,
    CellReader,
    ExcelError,
    WorkbookContent,
    check_archive,
    error_message,
    marked_errors,
    open_workbook,
    pointer_of,
    read_rows,
    sheet_marks,
    where,
    with_formulas,
)
from .yamllimits import invisible_message


class _Reader(CellReader):
    """Reads the sheets of one workbook (rows counted against the limits, headers mapped to columns).
    ``formulas``: the same workbook opened for its formulas, when it holds any: an empty stored value
    whose cell holds a formula is then marked (``Uncached``)."""

    formulas: Any = None
    errors: bool = False

    def rows(self, ws, sheet: str, width: int | None, first: int = 1):
        count = first - 1
        mirror = self.formulas[ws.title].iter_rows(min_row=first, max_col=width, values_only=True) \
            if self.formulas is not None else None
        # only a workbook holding an error cell is read cell by cell (their data type); the others by value
        for values in read_rows(ws.iter_rows(min_row=first, max_col=width, values_only=not self.errors),
                                self.workbook, sheet):
            if self.errors:
                values = marked_errors(values)
            if mirror is not None:
                values = with_formulas(values, next(read_rows(mirror, self.workbook, sheet), None))
            count += 1
            if count > self.limits.max_csv_rows + 1:
                raise InputError(tr("the sheet has more than {count} rows ({option})",
                                    count=f"{self.limits.max_csv_rows:,}", option=option("max_csv_rows")),
                                 where(self.workbook, sheet))
            yield count, values

    def header(self, ws, sheet: str, spec: Sheet) -> dict[int, Column]:
        cells = next((v for _, v in self.rows(ws, sheet, MAX_COLUMNS)), ())
        known = spec.header_map()
        out: dict[int, Column] = {}
        for i, text in enumerate(cells, start=1):
            if text is None or not str(text).strip():
                continue
            if isinstance(text, ExcelError):
                self.fail(error_message(text.code), sheet, 1, i)
            name = str(text).strip()
            bad = INVISIBLE.search(name)
            if bad:
                self.fail(invisible_message(bad.group()), sheet, 1, i)
            found = known.get(strip_header(name))
            if found is None and name.startswith("x-"):
                found = Column((name,), name, {"type": "string"})
            if found is None:
                labels = "、".join(c.label for c in spec.all_columns)
                message = tr("unknown column {name} (columns of this sheet: {labels}; columns of your own start "
                             "with x-)", name=repr(name), labels=labels)
                self.fail(message, sheet, 1, i)
            if found in out.values():
                self.fail(tr("column {name} is given twice", name=repr(name)), sheet, 1, i)
            out[i] = found
        return out


def _set(target: dict, path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        nxt = target.get(key)
        if not isinstance(nxt, dict):
            nxt = target[key] = {}
        target = nxt
    target[path[-1]] = value


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
        for i, cell in ((1, label), (4, key)):
            if isinstance(cell, ExcelError):
                r.fail(error_message(cell.code), title, row, i)
        col = by_label.get(str(key).strip()) if isinstance(key, str) and key.strip() else None
        if col is None and isinstance(label, str) and label.strip():
            col = by_label.get(strip_header(label))
            if col is None and label.strip().startswith("x-"):
                col = Column((label.strip(),), label.strip(), {"type": "string"})
        if col is None:
            if raw is not None and str(raw).strip():
                r.fail(tr("unknown field {name} (fields of this sheet: {labels}; fields of your own start with x-)",
                          name=repr(str(label or key)), labels="、".join(c.label for c in spec.columns)),
                       title, row, 1)
            continue
        pointer = pointer_of("", *col.path)
        value = r.value(raw, col, title, row, 2, pointer)
        if value is MISSING:
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
    unheaded = [i for i in range(1, width + 1) if i not in columns]
    for row, values in r.rows(ws, title, None, first=2):  # each row to its last cell: a value far right is seen
        if not _row_has_data(r, values, unheaded, width, title, row):
            continue
        parent_keys: list[str] = []
        for i, col in columns.items():
            if col.parent >= 0:
                raw = values[i - 1] if i - 1 < len(values) else None
                value = r.value(raw, col, title, row, i, "")
                if value is MISSING:
                    r.fail(tr("{column} is empty: name the record this row belongs to", column=col.label), title, row,
                           i)
                parent_keys.append(str(value))
        parent, base = _parent(r, built, spec, tuple(parent_keys), title, row, columns)
        array = _array_in(parent, spec.array[-1])
        pointer = pointer_of(base, *spec.array[-1])
        record: dict = {}
        for i, col in columns.items():
            if col.parent < 0:
                raw = values[i - 1] if i - 1 < len(values) else None
                value = r.value(raw, col, title, row, i, pointer_of(pointer, len(array), *col.path))
                if value is not MISSING:
                    _set(record, col.path, value)
        entry = built.content.arrays.setdefault(pointer, (title, [], cols))
        entry[1].append(row)
        array.append(record)
        chain = tuple(parent_keys) + tuple(str(record.get(k)) for k in own_key)
        index[chain] = None if chain in index else (record, pointer_of(pointer, len(array) - 1))
        any_row = True
    return any_row


def _filled(v: Any) -> bool:
    return v is not None and (not isinstance(v, str) or bool(v.strip()))


def _row_has_data(r: _Reader, values: tuple, unheaded: list[int], width: int, title: str, row: int) -> bool:
    """Whether a row holds any value.  A value in a column without a header (right of the table, however far,
    or under a blank header cell) would be evidence nothing reads: refused, naming its cell."""
    for i in (*unheaded, *range(width + 1, len(values) + 1)):
        if i - 1 < len(values) and _filled(values[i - 1]):
            r.fail(tr("a value in a column without a header: give the column a header (columns of your own "
                      "start with x-) or delete the value"), title, row, i)
    return any(map(_filled, values))


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
    found = built.index.get(level - 1, {}).get(keys, MISSING)
    first = min(i for i, c in columns.items() if c.parent >= 0)
    if found is MISSING:
        r.fail(tr("no record {record} in the parent sheet for {parent}: name a record listed there",
                  record=repr("/".join(keys)), parent=spec.parents[0].label), title, row, first)
    if found is None:
        r.fail(tr("the parent sheet lists {record} more than once: give each record its own key",
                  record=repr("/".join(keys))),
               title, row, first)
    assert isinstance(found, tuple)
    return found


def read_workbooks(bundle: Any) -> None:
    """Hook for ``evidence.validate_bundle``: the bundle's workbooks (``Bundle.workbooks``, the ``.xlsx``
    files outside ``attachments/``) read into documents, once.  A workbook that holds no document stays
    an attachment; the bundle's file list names each document (``台账.xlsx!文件清单``) and each sheet
    that maps to no kind but holds data (not used)."""
    for path in sorted(bundle.workbooks):
        try:
            docs = read_workbook(path, bundle.workbooks[path], bundle.files, bundle.limits)
        except InputError as exc:  # noted (``Bundle.refuse``) and the other workbooks still read, or raised
            bundle.refuse(exc)
            continue
        if docs:
            bundle.attachments.discard(path)
            bundle.documents.extend(docs)
            for doc in docs:
                tally(bundle, doc)
    bundle.workbooks.clear()


def read_workbook(path: str, data: bytes, files: dict[str, EvidenceFile] | None = None,
                  limits: Limits | None = None) -> list:
    """The documents a workbook holds (one per kind), each a ``bundle.Document`` named ``path!<sheet>``;
    ``files`` gets an entry per document and per sheet that holds data but maps to no kind (kind
    ``None``: listed as not used), replacing the workbook's own entry."""
    from .bundle import Document

    limits = limits or DEFAULT_LIMITS
    if len(data) > limits.max_document_bytes:
        raise InputError(tr("workbook is larger than the limit of {count} bytes ({option})",
                            count=f"{limits.max_document_bytes:,}", option=option("max_document_bytes")), path)
    check_archive(data, path, limits)
    schemas = load_schemas()
    wb = open_workbook(data, path)
    r = _Reader(path, limits, schemas, getattr(wb, "epoch", None))
    formulas, r.errors = sheet_marks(data)
    if formulas:  # read twice: stored values, and formulas for the cells stored without one
        r.formulas = open_workbook(data, path, data_only=False)
    try:
        with warnings.catch_warnings():  # cells are parsed as rows are read: openpyxl's warnings stay off the
            warnings.simplefilter("ignore")  # terminal (a date serial out of range is read as #VALUE!, reported)
            by_kind = _sheets_by_kind(r, wb)
            built = [_document(r, kind, sheets) for kind, sheets in by_kind.items()]
    finally:
        wb.close()
        if r.formulas is not None:
            r.formulas.close()
    out = [Document(where(path, d.content.main), d.kind, d.content, "xlsx") for d in built if d is not None]
    if files is not None:
        _register(files, path, len(data), out, r.unused)
    return out


def _sheets_by_kind(r: _Reader, wb: Any) -> dict[str, list[tuple[Sheet, Any, str]]]:
    """The workbook's sheets grouped by the kind they map to, in schema order; sheets that map to none
    but hold data are noted as not used."""
    index = sheet_index(r.schemas)
    order = {spec: i for i, spec in enumerate(index.values())}
    by_kind: dict[str, list[tuple[Sheet, Any, str]]] = {}
    for ws in wb.worksheets:
        title = ws.title
        sheets: list[Any] = [ws] if r.formulas is None else [ws, r.formulas[title]]
        for sheet in sheets:  # the used range the file records may lie (A1:K3 over 55 rows): read-only openpyxl
            if hasattr(sheet, "reset_dimensions"):  # read no row past it, silently; every row is read
                sheet.reset_dimensions()
        bad = SUSPICIOUS_NAME.search(title)
        if bad:  # shown in errors and reports: refused like a file name (checker.bundle)
            raise InputError(tr("sheet name contains the invisible or control character {char}; rename the sheet",
                                char=char_name(bad.group())), r.workbook)
        spec = index.get(title.strip())
        if title.strip() in SKIPPED:
            continue
        if spec is None:
            if any(v is not None for _, row in r.rows(ws, title, None) for v in row):
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
            raise InputError(tr("sheets {first} and {second} hold the same table", first=repr(seen[spec]),
                                second=repr(title)), where(r.workbook, title))
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
            p = dataclasses.replace(p, file=where(content.workbook, *found), line=None,  # type: ignore[union-attr]
                                    column=None)
        out.append(p)
    return out
