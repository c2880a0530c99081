"""Number cells of a CSV table read by C loops (``checker.evidence._plain_numbers``) against the cell-by-cell
reading (``_cell``): for every column, the same values (type, and the sign of a zero), the same cells left as
text and the same error at the same cell; and the C loops do take a column of plain numbers."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import evidence
from checker.bundle import Document, _parse_table
from checker.errors import InputError
from checker.limits import DEFAULT_LIMITS, Limits


def _table(cells: list[str | None]) -> Document:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([["id", "x"], *[[f"r{i}", ""] for i in range(len(cells))]])
    doc = Document("t.csv", "t", _parse_table(out.getvalue(), "t.csv", "t", "rows"), "csv")
    for row, cell in zip(doc.data["rows"], cells, strict=True):
        if cell is not None:
            row["x"] = cell  # (set as given: a cell the reader would strip too)
    return doc


def _coerced(cells: list[str | None], t: str, limits: Limits, general: bool, monkeypatch) -> object:
    doc = _table(cells)
    with monkeypatch.context() as m:
        if general:
            m.setattr(evidence, "_plain_numbers", lambda texts, t, limits: {})
        try:
            evidence.coerce_table(doc, {"x": t}, "rows", limits)
        except InputError as exc:
            p = exc.problem
            return ("error", p.message, p.line, p.column, p.field)
    return [(type(v).__name__, repr(v)) for v in (r.get("x") for r in doc.data["rows"])]


def _same(cells: list[str | None], t: str, monkeypatch, limits: Limits = DEFAULT_LIMITS) -> object:
    fast = _coerced(cells, t, limits, False, monkeypatch)
    assert fast == _coerced(cells, t, limits, True, monkeypatch)
    return fast


_SMALL = Limits(max_number=1000.0, max_integer_digits=3)


@pytest.mark.parametrize("t", ["number", "integer"])
@pytest.mark.parametrize("cells", [
    ["1", "2.5", "-3", "+4", ".5", "6.", "1e2", "2E-1", "0012", "1.5"],
    ["-0", "5"], ["-00", "0", "+0", "0.0", "-0.0", "-0e0", "7"],  # the integer -0 is 0 (0.0), not -0.0
    ["1_000", "2"], [" 1", "2"], ["1 ", "2"], ["١٢", "3"], ["１２", "3"],  # what float() takes but a cell is not
    ["inf", "1"], ["-Infinity", "1"], ["nan", "1"], ["0x10", "1"], ["0o17", "1"], ["1,240.2", "5"],
    ["1-2", "3"], [".", "3"], ["e5", "3"], ["1e", "3"], ["--1", "3"], ["+", "3"], ["", "3"],
    ["12\n", "3"], ["\n12", "3"], ["1\n2", "3"], ["1\r", "2"],
    ["1", None, "2", None], [None, None],  # rows without the cell
    ["1e999", "2"], ["-1e999", "2"], ["1e15", "2"], ["1000000000000001", "2"], ["1e16", "2"],
    ["1234567890123456789", "1"], ["123456789012345678", "1"], ["-123456789012345678", "1"],
    ["0.1234567890123456789", "1"],
    ["3", "约994.5", "2"], ["12 MWh", "1"], ["1", "1", "2", "1"],
])
def test_any_column_reads_the_same_both_ways(cells, t, monkeypatch):
    _same(cells, t, monkeypatch)


@pytest.mark.parametrize("t", ["number", "integer"])
@pytest.mark.parametrize("cells", [
    ["1000", "1"], ["-1000", "1"], ["1001", "1"], ["1000.0", "1"], ["1000.0000000000001", "1"], ["999.99", "1"],
    ["999", "9999"], ["-999", "1"], ["+999", "1"], ["1e3", "1"], ["0.000001", "1"], ["2", "1e4", "x"],
])
def test_limits_are_kept_both_ways(cells, t, monkeypatch):
    _same(cells, t, monkeypatch, _SMALL)


def test_an_integer_max_number_not_a_float_is_kept_both_ways(monkeypatch):
    limits = Limits(max_number=2**54 + 1, max_integer_digits=30)  # (2**54 + 2 is read as the float 2**54)
    assert _same([str(2**54 + 2), "1"], "number", monkeypatch, limits)[0] == "error"
    assert _same([str(2**54 + 1), "1"], "integer", monkeypatch, limits)[0] == ("int", str(2**54 + 1))


_TEXT = st.text(alphabet=st.sampled_from(list("0123456789+-.eE_ x,١\n")), min_size=0, max_size=6)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_TEXT, st.sampled_from(["1", "-0", "2.5", "1e3", "999", None])), min_size=1, max_size=8),
       st.sampled_from(["number", "integer"]), st.booleans())
def test_any_cells_read_the_same_both_ways(cells, t, small):
    with pytest.MonkeyPatch.context() as monkeypatch:
        _same(cells, t, monkeypatch, _SMALL if small else DEFAULT_LIMITS)


@pytest.mark.parametrize(("t", "cells"), [
    ("number", ["679.958", "606.927", "1e3", "-2.5", "+.5", "2022"]),
    ("integer", ["2022", "-1", "+7", "0012", "0"]),
])
def test_a_column_of_plain_numbers_is_read_by_the_c_loops(t, cells, monkeypatch):
    def refused(*args):
        raise AssertionError("read cell by cell")
    monkeypatch.setattr(evidence, "_cell", refused)
    doc = _table([*cells, None])
    evidence.coerce_table(doc, {"x": t}, "rows")
    assert [r.get("x") for r in doc.data["rows"]] == [*map(float if t == "number" else int, cells), None]


def test_the_same_text_gives_the_same_value_object(monkeypatch):
    doc = _table(["1.5", "2", "1.5"])
    evidence.coerce_table(doc, {"x": "number"}, "rows")
    rows = doc.data["rows"]
    assert rows[0]["x"] is rows[2]["x"]
