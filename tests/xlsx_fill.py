"""Fill a ``parkcheck template`` workbook programmatically with openpyxl, as a park's script would:
each document's values go into the sheets and columns the template names, written the way a person
types them (enum values as their Chinese labels, booleans as 是/否, dates as Excel dates, lists one
item a line).  Used by the round-trip tests."""

from __future__ import annotations

import datetime as _dt
import io
from pathlib import Path
from typing import Any

import openpyxl

from checker.labels_in import boolean_labels
from checker.schemas import load_schemas
from checker.xlsx_layout import Column, Sheet, kind_sheets


def _typed(value: Any, col: Column) -> Any:
    node = col.item_node
    if isinstance(value, bool):
        yes, no = boolean_labels()
        return yes if value else no
    if isinstance(value, str) and "enum" in node:
        return (node.get("x-enum-labels") or {}).get(value, value)
    if isinstance(value, str) and col.is_date:
        return _dt.date.fromisoformat(value)
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value
    return value


def cell_value(value: Any, col: Column) -> Any:
    if col.many and isinstance(value, list):
        items = [_typed(v, col) for v in value]
        if len(items) == 1 and not isinstance(items[0], str):
            return items[0]
        return "\n".join(v.isoformat() if isinstance(v, _dt.date) else str(v) for v in items)
    return _typed(value, col)


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _records(data: dict, sheet: Sheet):
    """``(parent keys, record)`` of every record of a table sheet, parents first."""
    from checker.xlsx_layout import record_key

    def walk(objs, level, keys):
        path = sheet.array[level]
        for obj in objs:
            items = _get(obj, path) or []
            if level == len(sheet.array) - 1:
                for item in items:
                    yield keys, item
            else:
                node = _items(sheet, level)
                for item in items:
                    own = tuple(item.get(k) for k in record_key(node))
                    yield from walk([item], level + 1, keys + own)

    yield from walk([data], 0, ())


def _items(sheet: Sheet, level: int) -> dict:
    from checker.labels_in import labelled_schema

    node = labelled_schema(load_schemas(), sheet.kind)
    for path in sheet.array[: level + 1]:
        for key in path:
            node = node["properties"][key]
        node = node["items"]
    return node


def fill(template: bytes, documents: dict[str, dict]) -> bytes:
    """The template with ``documents`` (``{kind: data}``) written into it."""
    wb = openpyxl.load_workbook(io.BytesIO(template))
    schemas = load_schemas()
    for kind, data in documents.items():
        for sheet in kind_sheets(schemas, kind):
            ws = wb[sheet.name]
            if not sheet.is_table:
                for row in range(2, ws.max_row + 1):
                    key = ws.cell(row=row, column=4).value
                    col = next(c for c in sheet.columns if c.key == key)
                    value = _get(data, col.path)
                    if value is not None:
                        ws.cell(row=row, column=2, value=cell_value(value, col))
                continue
            columns = list(sheet.all_columns)
            row = 2
            for keys, record in _records(data, sheet):
                for i, col in enumerate(columns, start=1):
                    value = keys[i - 1] if col.parent >= 0 else _get(record, col.path)
                    if value is not None:
                        ws.cell(row=row, column=i, value=cell_value(value, col))
                row += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def tables_as_workbook(dest: Path, name: str = "register.xlsx") -> None:
    """The park at ``dest`` with every CSV table it declares (the register, the energy ledger, the GHG inventory)
    moved into one workbook, a sheet each named by its kind or kind.list, and no ``tables:`` in its manifest."""
    import csv

    import openpyxl

    manifest = (dest / "bundle.yaml").read_text(encoding="utf-8")
    (dest / "bundle.yaml").write_text(manifest[: manifest.index("tables:")], encoding="utf-8")
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for table, kind in (("documented_information.csv", "documented_information"),
                        ("energy_consumption.csv", "energy_consumption.records"),
                        ("ghg_inventory.csv", "ghg_inventory.records")):
        with (dest / table).open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        (dest / table).unlink()
        sheet = wb.create_sheet(kind)
        for r in rows:
            sheet.append([c or None for c in r])
    wb.save(dest / name)


def table_as_workbook(folder: Path, table: str, sheet: str, edit=None) -> Path:
    """The park's CSV table ``table`` moved into ledger.xlsx as the sheet ``sheet`` (its line in bundle.yaml
    dropped); ``edit(ws, header)`` then changes the sheet."""
    import csv

    import openpyxl

    manifest = folder / "bundle.yaml"
    manifest.write_text("".join(line for line in manifest.read_text(encoding="utf-8").splitlines(keepends=True)
                                if table not in line), encoding="utf-8")
    with (folder / table).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    (folder / table).unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append([c or None for c in row])
    if edit is not None:
        edit(ws, rows[0])
    path = folder / "ledger.xlsx"
    wb.save(path)
    return path


def register_as_workbook(folder: Path, edit=None) -> Path:
    """The park's register of documented information moved from its CSV table into ledger.xlsx (sheet
    ``documented_information``); ``edit(ws)`` then changes the sheet."""
    return table_as_workbook(folder, "documented_information.csv", "documented_information",
                             None if edit is None else lambda ws, _header: edit(ws))
