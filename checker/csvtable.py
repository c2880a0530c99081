"""CSV tables of a bundle read into rows with their positions (``checker.bundle``).

A table whose text holds no quote and no carriage return but a line's own (``\r\n``) is a table in which
every line is one row: it is read a block of rows at a time (``_rows_at_once``), the cells stripped, shared
and set on the rows block by block.  Anything unusual in it - a row of another width, a blank row, a cell
longer than the limit, more rows than the limit, text the csv module refuses - and the table is
read again from its start row by row (``_table_rows``), which raises the same error at the same place as
it always has: the quicker reading never decides what an error is."""

from __future__ import annotations

import csv
import io
from array import array
from collections import deque
from collections.abc import Callable, Iterable
from itertools import repeat
from typing import Any

from .errors import InputError
from .i18n import tr
from .keyshare import instance_dicts, sharing_class
from .limits import DEFAULT_LIMITS, SHARED_KEYS, Limits, option
from .pointers import Position, Positioned, join_pointer, split_pointer


class TableContent(Positioned):
    """The rows of a CSV table with their positions stored compactly (a line per row and a column per
    cell in flat integer arrays, not a dictionary entry per cell)."""

    def __init__(self, data: Any, base: str, width: int):
        super().__init__(data)
        self.base = base
        self.width = width
        self.lines = array("i")
        # per cell, row by row: its length as read (a cell's column is summed from them when it is asked for)
        self.columns = array("B")  # (wider when a cell needs it: ``widen``, ``_lengths``)
        self.header: dict[str, int] = {}

    def position(self, pointer: str) -> Position | None:
        if pointer.startswith(self.base + "/"):
            parts = pointer[len(self.base) + 1:].split("/", 1)
            if parts[0].isdigit() and int(parts[0]) < len(self.lines):
                row = int(parts[0])
                col = self.header.get(split_pointer("/" + parts[1])[0]) if len(parts) > 1 else None
                if col is None:
                    return (self.lines[row], 1)
                start = row * self.width
                return (self.lines[row], 1 + col + sum(self.columns[start:start + col]))
        return (1, 1)

    def values(self) -> int:  # each row a mapping of its columns (``Positioned.values``), not walked
        return len(self.lines) * (self.width + 2) + 5  # (the root, its kind, the list)

    def widen(self, row: list[str]) -> Callable[[Iterable[int]], None]:
        """Widen the cell-length array ``columns`` (a cell longer than it holds) and note the last row's cell
        lengths again; returns the new array's ``extend``."""
        del self.columns[(len(self.lines) - 1) * self.width:]  # the part of this row already added
        self.columns = array(_wider(list(map(len, row))), self.columns)
        self.columns.extend(map(len, row))
        return self.columns.extend


def _parse_table(text: str, name: str, kind: str, records_field: str, limits: Limits = DEFAULT_LIMITS
                 ) -> TableContent:
    """Turn a CSV table into ``{kind, <records_field>: [row...]}``, keeping cell positions.  Rows are read
    one at a time (never the whole table as lists of cells) and counted against the limits as they come."""
    old_limit = csv.field_size_limit(limits.max_csv_cell)
    try:
        if text.count("\n") > limits.max_csv_rows:  # may be over the limit: count before building rows
            _count_rows(text, name, limits)
        if _one_line_rows(text):
            table = _rows_at_once(text, name, kind, records_field, limits)
            if table is not None:
                return table
        return _table_rows(text, name, kind, records_field, limits)
    finally:
        csv.field_size_limit(old_limit)


def _lines(text: str):
    """The lines of ``text`` one by one, ends kept (io.StringIO would copy the whole text into a buffer
    of four bytes a character).  Text with only carriage returns (old Mac exports) goes through StringIO,
    whose universal newlines split it."""
    if "\n" not in text and "\r" in text:
        yield from io.StringIO(text, newline="")
        return
    start, find = 0, text.find
    while True:
        end = find("\n", start)
        if end < 0:
            if start < len(text):
                yield text[start:]
            return
        yield text[start:end + 1]
        start = end + 1


def _count_rows(text: str, name: str, limits: Limits) -> None:
    reader = csv.reader(_lines(text), strict=True)
    rows = -1  # the header
    try:
        for row in reader:
            if any(c.strip() for c in row):
                rows += 1
                if rows > limits.max_csv_rows:
                    raise InputError(tr("the table has more than {count} rows ({option})",
                                        count=f"{limits.max_csv_rows:,}", option=option("max_csv_rows")),
                                     name, reader.line_num)
    except csv.Error:
        return  # reported with its line when the rows are read


def _check_header(header: list[str], name: str) -> None:
    """An empty or repeated column name: refused, naming the file, line 1 and the column."""
    seen: set[str] = set()
    for col, h in enumerate(header, start=1):
        if not h:
            raise InputError(tr("the header row has an empty column name"), name, 1, col)
        if h in seen:
            raise InputError(tr("the header row repeats this column name"), name, 1, col, h)
        seen.add(h)


def _new_table(header: list[str], name: str, kind: str, records_field: str
               ) -> tuple[TableContent, list[dict], Callable[[str, str], str], type | None]:
    """A table of ``header`` (checked: ``_check_header``) without rows yet, its list of records, the function that
    shares one object per distinct cell text (codes, names, dates), and the class whose instances' dicts hold its
    rows, sharing the header's names (``checker.keyshare``; None: plain dicts, a table wider than ``SHARED_KEYS``
    columns)."""
    _check_header(header, name)
    records: list[dict] = []
    out = TableContent({"kind": kind, records_field: records}, join_pointer("", records_field), len(header))
    out.header = {h: i for i, h in enumerate(header)}
    row_type = sharing_class(header, "TableRow") if len(header) <= SHARED_KEYS else None
    return out, records, {h: h for h in header}.setdefault, row_type


def _table_rows(text: str, name: str, kind: str, records_field: str, limits: Limits) -> TableContent:
    # strict: a quote never closed is an error, not the rest of the table read into one cell; and so is text
    # after a closing quote ("x"y), which the lenient reader silently joined
    reader = csv.reader(_lines(text), strict=True)
    start = 1  # the line the row being read starts on
    try:
        header_row = next(reader, None)
        if header_row is None:
            raise InputError(tr("the table is empty"), name)
        header = [h.strip() for h in header_row]
        out, records, shared, row_type = _new_table(header, name, kind, records_field)
        width = len(header)
        add_line, add_lengths, add_record = out.lines.append, out.columns.extend, records.append
        strip = str.strip
        start = reader.line_num + 1
        for row in reader:
            start = reader.line_num + 1  # where the next row starts (its error, a quote never closed, names it)
            values = list(map(strip, row))
            if not any(values):
                continue
            if len(row) != width:
                raise InputError(tr("row has {cells} cells, the header has {width}", cells=len(row), width=width), name,
                                 reader.line_num)
            if len(records) >= limits.max_csv_rows:
                raise InputError(tr("the table has more than {count} rows ({option})", count=f"{limits.max_csv_rows:,}",
                                    option=option("max_csv_rows")), name, reader.line_num)
            add_line(reader.line_num)
            try:
                add_lengths(map(len, row))
            except OverflowError:  # a cell longer than the lengths array holds: it is widened
                add_lengths = out.widen(row)
            values = list(map(shared, values, values))
            pairs = zip(header, values, strict=True)
            record = row_type().__dict__ if row_type is not None else {}  # sharing the table's keys (``_new_table``)
            record.update(pairs if "" not in values else [(h, v) for h, v in pairs if v])
            add_record(record)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise InputError(tr("a cell is longer than the limit of {count} characters ({option})",
                                count=f"{limits.max_csv_cell:,}", option=option("max_csv_cell")),
                             name, reader.line_num) from None
        if "unexpected end of data" in str(exc):  # the row the open quote is in starts after the last row read
            raise InputError(tr("a quote opened in this row is never closed (a stray \" in a cell?)"), name,
                             start) from None
        raise InputError(tr("malformed CSV: {problem}", problem=exc), name, reader.line_num) from None
    return out


_BLOCK = 4096  # rows read at once (``_rows_at_once``)


def _wider(lengths: list[int]) -> str:
    """The typecode of a cell-lengths array wide enough for ``lengths`` once a byte is not: two bytes, else four."""
    return "H" if max(lengths) <= 0xFFFF else "i"


def _lengths(out: TableContent, lengths: list[int]) -> None:
    """Note a block's cell lengths in ``out.columns``, a byte a cell until a cell is longer than 255 characters (memory:
    at 180k ledger rows of 16 and 11 cells, 5 MB less than two bytes a cell), then two, then four."""
    try:
        out.columns.extend(array(out.columns.typecode, lengths))
    except OverflowError:
        out.columns = array(_wider(lengths), out.columns)
        out.columns.extend(array(out.columns.typecode, lengths))


def _one_line_rows(text: str) -> bool:
    """Whether each line of the text is one row whose cells are the texts between its commas, as the csv module
    reads it: no quote (a quoted cell may hold a comma or a line break), no NUL (which it refuses) and no carriage
    return but a line's own ``\\r\\n`` (it ends a row at a lone one)."""
    return '"' not in text and "\n" in text and "\x00" not in text and (
        "\r" not in text or text.count("\r") == text.count("\r\n"))


def _rows_at_once(text: str, name: str, kind: str, records_field: str, limits: Limits) -> TableContent | None:
    """``_table_rows`` of a table whose lines are its rows (``_one_line_rows``), a block of rows at a time; None
    when a block holds anything but rows of the header's width with at least one cell given, or a cell longer than
    the limit: then ``_table_rows`` reads the table (and raises what it raises, where it does)."""
    lines = (text.replace("\r\n", "\n") if "\r" in text else text).split("\n")
    if lines[-1] == "":  # (the last line's end)
        lines.pop()
    if len(lines) - 1 > limits.max_csv_rows:
        return None
    out, records, _, row_type = _new_table([h.strip() for h in lines[0].split(",")], name, kind, records_field)
    header = list(out.header)
    commas = len(header) - 1  # (a line of the header's width: as many commas)
    shared = _SharedTexts(len(header))
    for start in range(1, len(lines), _BLOCK):
        block = lines[start:start + _BLOCK]
        if block.count("") or set(map(str.count, block, repeat(","))) != {commas}:
            return None  # (a blank line, or a row of another width)
        if max(map(len, block)) > limits.max_csv_cell and max(map(len, ",".join(block).split(","))) > \
                limits.max_csv_cell:
            return None  # (a cell longer than the limit: only in a line that long)
        cells = ",".join(block).split(",")  # (every cell of the block in one pass, row after row)
        if not _block(cells, len(block), start + 1, out, records, header, shared, row_type):
            return None
    return out


class _SharedTexts:
    """One object per distinct text of a column, for its rows to share (codes, names, dates repeat), column by
    column.  A column whose block brings more new texts than half its rows (quantities) is no longer shared from
    the next block on: a lookup per cell and an entry per text would buy nothing."""

    def __init__(self, width: int):
        self.texts: list[dict[str, str] | None] = [{} for _ in range(width)]

    def columns(self, values: list[str], width: int, rows: int) -> list[list[str]]:
        """The columns of a block's cells (``values``, row after row), each cell the shared object of its text."""
        out = []
        for col, texts in enumerate(self.texts):
            column = values[col::width]
            if texts is not None:
                known = len(texts)
                column = list(map(texts.setdefault, column, column))
                if len(texts) - known > rows // 2:
                    self.texts[col] = None
            out.append(column)
        return out


def _block(cells: list[str], rows: int, line: int, out: TableContent, records: list[dict],
           header: list[str], shared: _SharedTexts, row_type: type | None) -> bool:
    """Add a block of ``rows`` rows starting on ``line`` to ``out`` as ``_table_rows`` adds them one by one
    (``cells``: theirs, row after row, each row of the header's width, none longer than the limit; ``shared``: the
    texts of the table's columns); False (``out`` then incomplete) when a row's cells are all blank."""
    width, values = len(header), list(map(str.strip, cells))
    blank = "" in values  # (some cell is empty: a row of empty cells only is skipped, row by row)
    if blank and not all(map(any, zip(*[iter(values)] * width, strict=True))):
        return False
    _lengths(out, list(map(len, cells)))
    out.lines.extend(range(line, line + rows))
    rows_of = zip(*shared.columns(values, width, rows), strict=True)
    if not blank and row_type is not None:  # (every cell given: each row's dict made and filled by C loops)
        made = instance_dicts(row_type, rows)
        deque(map(dict.update, made, map(zip, repeat(header), rows_of)), maxlen=0)
        records.extend(made)
        return True
    add = records.append
    for row in rows_of:
        record = row_type().__dict__ if row_type is not None else {}
        record.update(zip(header, row, strict=True) if not blank or "" not in row
                      else [(h, v) for h, v in zip(header, row, strict=True) if v])
        add(record)
    return True
