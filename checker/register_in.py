"""The park's answers in the nonconformity register (``nonconformities.xlsx``) read as ``corrective_actions``.

``--format xlsx`` writes the register (``checker.reporters.xlsx_report``): one row per nonconformity,
the park's columns empty until it answers.  The park may fill them there instead of writing a
``corrective_actions.yaml``; ``--corrective-actions nonconformities.xlsx`` then reads the register
into the same document, which goes through the same validation and checks (``checker.controldocs``,
``checker.ncr``).

* The sheet is the register's (不符合项登记表 / NC register); columns are found by their header, the
  register's Chinese or English label (``checker.labels_docs``) or the schema's field title or key,
  never by position.  Of the columns the tool wrote only the NCR number is read; the park's columns
  are acknowledgement (by, on), correction, root cause, corrective action, due date, completion,
  verification (by, on) and, when the park adds such a column, 整改实施人 / Carried out by.
* A row whose park columns are all empty is no entry (the park has not answered that nonconformity).
  The due date alone does not make an entry: the tool writes the allowed date into that column.
* A date is an Excel date cell or text ``YYYY-MM-DD``; anything else stops the check naming the cell
  (``nonconformities.xlsx!不符合项登记表!F12``) and the field.
* The workbook is read like a bundle's (``checker.xlsxcells``): its zip directory checked against the
  limits before anything is inflated, opened read-only, nothing evaluated.  A cell holding a formula
  is refused (the check stops naming the cell): the tool never evaluates it, and its cached result
  is not the park's statement.
"""

from __future__ import annotations

import datetime as _dt
import re
import warnings
from pathlib import Path
from typing import Any, NoReturn

from .charset import INVISIBLE
from .errors import InputError
from .i18n import tr
from .labels_docs import DOCUMENT
from .limits import DEFAULT_LIMITS, FIRST_DATE, LAST_DATE, Limits, calendar_date, existing_date, option
from .safeio import read_regular_file
from .schemas import SchemaSet
from .xlsxcells import (
    MAX_COLUMNS,
    WorkbookContent,
    check_archive,
    error_message,
    open_workbook,
    read_rows,
    where,
)
from .yamllimits import invisible_message

__all__ = ["KIND", "PARK_COLUMNS", "read_register"]

KIND = "corrective_actions"
# the park's columns, in the register's order (action_by: only when the park adds such a column)
PARK_COLUMNS = ("acknowledged_by", "acknowledged_on", "correction", "root_cause", "corrective_action", "action_by",
                "due_date", "completed_on", "verified_by", "verified_on")
_DATES = frozenset({"acknowledged_on", "due_date", "completed_on", "verified_on"})
_PREFILLED = frozenset({"due_date"})  # the tool writes the allowed due date: alone it is no answer


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _header_names(schemas: SchemaSet) -> dict[str, str]:
    """Header text (normalised) -> field: the register's labels and the schema's titles and keys."""
    items = (schemas.by_kind[KIND].get("properties", {}).get("actions", {}).get("items", {})
             .get("properties", {}))
    names: dict[str, str] = {}
    for key in ("number", *PARK_COLUMNS):
        field = "nc" if key == "number" else key
        node = items.get(field, {})
        for label in (*DOCUMENT.get(key, ()), node.get("title"), node.get("x-title-en"), field):
            if isinstance(label, str) and label.strip():
                names.setdefault(_norm(label), field)
    return names


def _register_sheet(wb: Any, name: str):
    titles = {_norm(t) for t in DOCUMENT["register_sheet"]}
    for ws in wb.worksheets:
        if _norm(ws.title) in titles:
            return ws
    raise InputError(tr("no sheet {sheet} in the workbook: give the register that --format xlsx writes",
                        sheet=" / ".join(DOCUMENT["register_sheet"])), name)


class _Register:
    """One register sheet being read: its columns, and the cell of every value read."""

    def __init__(self, workbook: str, sheet: str, limits: Limits, schemas: SchemaSet):
        self.workbook, self.sheet, self.limits = workbook, sheet, limits
        self.names = _header_names(schemas)
        self.columns: dict[int, str] = {}

    def fail(self, message: str, row: int, col: int, field: str | None = None) -> NoReturn:
        raise InputError(message, where(self.workbook, self.sheet, row, col), field=field)

    def header(self, cells: tuple) -> None:
        for i, cell in enumerate(cells, start=1):
            text = cell.value if cell is not None else None
            found = self.names.get(_norm(text)) if isinstance(text, str) else None
            if found is None:
                continue  # a column the tool wrote (clause, finding …) or one of the park's own
            if found in self.columns.values():
                self.fail(tr("column {name} is given twice", name=repr(text)), 1, i)
            self.columns[i] = found
        if "nc" not in self.columns.values():
            raise InputError(tr("the register has no column {name}", name=" / ".join(DOCUMENT["number"])),
                             where(self.workbook, self.sheet))

    def value(self, cell: Any, field: str, row: int, col: int) -> Any:
        """The cell's value for ``field`` (``None`` when empty); a formula or a bad date stops."""
        if cell is None or cell.value is None:
            return None
        raw = cell.value
        if getattr(cell, "data_type", None) == "f":
            self.fail(tr("the cell holds a formula, which is not read; type the value"), row, col, field)
        if getattr(cell, "data_type", None) == "e":  # #N/A, #REF! …: no value, never the text it shows
            self.fail(error_message(str(raw)), row, col, field)
        if isinstance(raw, str):
            if len(raw) > self.limits.max_csv_cell:
                self.fail(tr("a cell is longer than the limit of {count} characters ({option})",
                             count=f"{self.limits.max_csv_cell:,}", option=option("max_csv_cell")), row, col, field)
            bad = INVISIBLE.search(raw)  # refused as in every other document (checker.charset)
            if bad:
                self.fail(invisible_message(bad.group()), row, col, field)
            raw = raw.strip()
            if not raw:
                return None
        if field in _DATES:
            return self.date(raw, field, row, col)
        if isinstance(raw, (_dt.datetime, _dt.date)):
            return raw.isoformat()
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        return str(raw)

    def date(self, raw: Any, field: str, row: int, col: int) -> str:
        text = None
        if isinstance(raw, _dt.datetime) and raw.time() == _dt.time():
            text = raw.date().isoformat()
        elif isinstance(raw, _dt.date) and not isinstance(raw, _dt.datetime):
            text = raw.isoformat()
        elif isinstance(raw, str) and existing_date(raw):
            text = raw
        if text is not None:
            if calendar_date(text):
                return text
            self.fail(tr("expected a date from {first} to {last}, got {value}", first=FIRST_DATE, last=LAST_DATE,
                         value=repr(text)), row, col, field)
        self.fail(tr("{value} is not a date (an Excel date or text YYYY-MM-DD)",
                     value=repr(raw if isinstance(raw, str) else str(raw))), row, col, field)


def read_register(path: Path, schemas: SchemaSet, limits: Limits = DEFAULT_LIMITS) -> tuple[str, WorkbookContent]:
    """``(document name, content)`` of the park's answers in the register at ``path``: the content's
    data is a ``corrective_actions`` document (``actions`` empty when the park answered nothing), each
    value with its cell.  Raises ``InputError`` naming workbook, sheet and cell."""
    name = str(path)
    data = read_regular_file(path, name, limits.max_document_bytes, option("max_document_bytes"))
    check_archive(data, name, limits)
    wb = open_workbook(data, name, data_only=False)
    try:
        with warnings.catch_warnings():  # cells are parsed as rows are read: openpyxl's warnings (a date
            warnings.simplefilter("ignore")  # serial out of Excel's range) stay off the terminal
            ws = _register_sheet(wb, name)
            if hasattr(ws, "reset_dimensions"):  # a recorded used range that lies would drop rows silently
                ws.reset_dimensions()
            reg = _Register(name, ws.title, limits, schemas)
            actions, rows = _read_rows(reg, ws)
    finally:
        wb.close()
    content = WorkbookContent({"kind": KIND, "actions": actions}, name, reg.sheet)
    content.arrays["/actions"] = (reg.sheet, rows, {f: c for c, f in reg.columns.items()})
    return where(name, reg.sheet), content


def _read_rows(reg: _Register, ws: Any) -> tuple[list[dict], list[int]]:
    reg.header(next(read_rows(ws.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS), reg.workbook, reg.sheet), ()))
    width = max(reg.columns)
    actions: list[dict] = []
    rows: list[int] = []
    for row, cells in enumerate(read_rows(ws.iter_rows(min_row=2, max_col=width), reg.workbook, reg.sheet), start=2):
        if row > reg.limits.max_csv_rows + 1:
            raise InputError(tr("the sheet has more than {count} rows ({option})",
                                count=f"{reg.limits.max_csv_rows:,}", option=option("max_csv_rows")),
                             where(reg.workbook, reg.sheet))
        entry: dict[str, Any] = {}
        for col, field in reg.columns.items():
            value = reg.value(cells[col - 1] if col - 1 < len(cells) else None, field, row, col)
            if value is not None:
                entry[field] = value
        if not set(entry) - {"nc", *_PREFILLED}:
            continue  # the park has not answered this nonconformity
        if "nc" not in entry:
            col = next(c for c, f in reg.columns.items() if f == "nc")
            reg.fail(tr("the row has the park's answers but no nonconformity number"), row, col, "nc")
        actions.append({"nc": entry.pop("nc"), **{k: entry[k] for k in PARK_COLUMNS if k in entry}})
        rows.append(row)
    return actions, rows
