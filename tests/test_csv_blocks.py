"""The block-at-a-time reading of a CSV table (``checker.csvtable._rows_at_once``) against the row-by-row one
(``_table_rows``): the same rows, positions and errors for every text it takes, and the row-by-row reading for
every text it does not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import csvtable
from checker.csvtable import _one_line_rows, _parse_table, _rows_at_once
from checker.errors import InputError
from checker.limits import DEFAULT_LIMITS, Limits


def _outcome(read, text: str, limits: Limits = DEFAULT_LIMITS):
    try:
        table = read(text, "t.csv", "k", "records", limits)
    except InputError as exc:
        return ("error", exc.problem)
    if table is None:
        return None
    return (table.data, list(table.lines), list(table.columns), table.header,
            [table.position(f"/records/{i}/{h}") for i in range(len(table.lines)) for h in table.header])


def _row_by_row(text: str, name: str, kind: str, field: str, limits: Limits):
    """``_parse_table`` as it reads a table that is not taken a block at a time (the csv module's cell limit set)."""
    taken = csvtable._one_line_rows
    csvtable._one_line_rows = lambda text: False
    try:
        return _parse_table(text, name, kind, field, limits)
    finally:
        csvtable._one_line_rows = taken


def _same(text: str, limits: Limits = DEFAULT_LIMITS, taken: bool | None = None) -> None:
    slow = _outcome(_row_by_row, text, limits)
    fast = _outcome(_rows_at_once, text, limits) if _one_line_rows(text) else None
    if taken is not None:
        assert (fast is not None) is taken, fast
    if fast is not None:
        assert fast == slow
    assert _outcome(_parse_table, text, limits) == slow


@pytest.mark.parametrize("text", [
    "a,b\n1,2\n3,4\n",
    "a,b\r\n1,2\r\n3,4\r\n",
    "a,b\n1,2\n3,4",  # no end on the last line
    " a , b \n 1 ,\t2\u3000\n3,\n",  # cells stripped (Unicode spaces too); an empty cell left out of its row
    "a,b\n,x\ny,\n",
    "名称,数量\n外购电力,12.5\n天然气,3\n",
])
def test_block_reading_takes_plain_tables_and_reads_them_as_row_by_row(text):
    _same(text, taken=True)


@pytest.mark.parametrize(("text", "taken"), [
    ("a,b\n1,2\n\n3,4\n", False),  # a blank line
    ("a,b\n1,2\n , \n", False),  # a row of blank cells
    ("a,b\n1,2,3\n", False),  # a row wider than the header
    ("a,b\n1\n", False),  # narrower
    ("a,a\n1,2\n", None),  # a header that repeats a name: the same error, raised by either
    (",b\n1,2\n", None),  # an empty column name
])
def test_what_block_reading_does_not_take_gives_the_row_by_row_outcome(text, taken):
    _same(text, taken=taken)


@pytest.mark.parametrize("text", ['a,b\n"1",2\n', "a,b\n1\r2,3\n", "a,b\n1,\x002\n", "a,b\r1,2\r"])
def test_quotes_lone_carriage_returns_and_nul_go_row_by_row(text):
    assert not _one_line_rows(text)
    _same(text)


def test_over_the_row_limit_and_the_cell_limit_go_row_by_row_and_raise_as_always():
    text = "a,b\n" + "".join(f"{i},x\n" for i in range(30))
    _same(text, Limits(max_csv_rows=10), taken=False)
    _same("a,b\n1," + "x" * 50 + "\n", Limits(max_csv_cell=20), taken=False)


@pytest.mark.parametrize(("longest", "typecode"), [(255, "B"), (256, "H"), (65535, "H"), (65536, "i"), (70000, "i")])
@pytest.mark.parametrize("block", [3, 4096])
def test_the_lengths_array_widens_as_cells_grow_both_ways(longest, typecode, block, monkeypatch):
    """A byte a cell length until one is longer than 255, then two bytes, then four: read a block at a time and row by
    row alike (the same positions after the long cell as before it), the long cell anywhere in the table."""
    monkeypatch.setattr(csvtable, "_BLOCK", block)
    for at in (0, 4, 9):
        rows = "".join(f"{i},{'x' * longest if i == at else 'y' * (i % 3)},{i}\n" for i in range(10))
        text = "a,b,c\n" + rows
        _same(text, Limits(max_csv_cell=100000), taken=True)
        assert _parse_table(text, "t.csv", "k", "records", Limits(max_csv_cell=100000)).columns.typecode == typecode
        table = _row_by_row(text, "t.csv", "k", "records", Limits(max_csv_cell=100000))
        assert table.columns.typecode == typecode
        assert table.position(f"/records/{at}/c") == (at + 2, 1 + 2 + len(str(at)) + longest)


def test_a_table_of_several_blocks(monkeypatch):
    monkeypatch.setattr(csvtable, "_BLOCK", 3)
    rows = "".join(f"E{i % 4},{i}, {'' if i % 5 else 'x'}\n" for i in range(20))
    _same("e,n,c\n" + rows, taken=True)
    _same("e,n,c\n" + rows + "1,2\n", taken=False)  # the last block's row is too short


_CELL = st.text(alphabet=st.sampled_from(["a", "b", " ", "\t", "\u3000", "中", "1", "."]), max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_CELL, min_size=1, max_size=4), min_size=1, max_size=12), st.booleans(), st.booleans())
def test_any_plain_table_reads_the_same_both_ways(rows, crlf, last_end):
    end = "\r\n" if crlf else "\n"
    text = end.join(",".join(r) for r in [["h1", "h2", "h3"][:len(rows[0])], *rows]) + (end if last_end else "")
    _same(text)


@pytest.mark.parametrize("table", [
    "1,2\n2,3.5\n3,2\n",  # every cell a number: set in one pass
    "1,2\n2,\n3,4\n",  # a row without the cell keeps none
    "1,2\n2,abc\n3,4\n",  # a cell that is not a number stays text (the schema reports it)
])
def test_typed_columns_are_set_on_every_row_that_gives_a_number(table):
    from checker.bundle import Document
    from checker.evidence import coerce_table

    doc = Document("t.csv", "t", _parse_table("id,amount\n" + table, "t.csv", "t", "rows"), "csv")
    cells = [row.split(",")[1] for row in table.splitlines()]
    coerce_table(doc, {"amount": "number"}, "rows")
    expected = [{"id": str(i)} | ({"amount": float(c) if c.replace(".", "").isdigit() else c} if c else {})
                for i, c in enumerate(cells, start=1)]
    assert doc.data["rows"] == expected
    assert all(type(r.get("amount")) is float for r, c in zip(doc.data["rows"], cells, strict=True)
               if c.replace(".", "").isdigit())


def test_a_line_longer_than_the_cell_limit_whose_cells_are_not_is_read_a_block_at_a_time():
    _same("a,b,c\n" + "x" * 15 + "," + "y" * 15 + ",z\n", Limits(max_csv_cell=20), taken=True)
    _same("a,b,c\n" + "x" * 15 + "," + "y" * 21 + ",z\n", Limits(max_csv_cell=20), taken=False)


def test_a_column_s_repeated_texts_are_one_object_and_a_column_of_new_texts_is_left_as_read(monkeypatch):
    monkeypatch.setattr(csvtable, "_BLOCK", 4)
    rows = "".join(f"E{i % 2},{i}.5,{'x' if i % 3 else 'y'}\n" for i in range(12))
    table = _rows_at_once("e,q,c\n" + rows, "t.csv", "k", "records", DEFAULT_LIMITS)
    assert table is not None
    records = table.data["records"]
    assert [r["q"] for r in records] == [f"{i}.5" for i in range(12)]
    for column in ("e", "c"):
        texts = {}
        assert all(texts.setdefault(r[column], r[column]) is r[column] for r in records), column
    shared = csvtable._SharedTexts(3)
    columns = shared.columns(["E0", "1.5", "x", "E0", "2.5", "x", "E0", "3.5", "x", "E1", "4.5", "x"], 3, 4)
    assert columns == [["E0", "E0", "E0", "E1"], ["1.5", "2.5", "3.5", "4.5"], ["x", "x", "x", "x"]]
    assert [t is None for t in shared.texts] == [False, True, False]  # (4 new texts in 4 rows: no longer shared)
