"""The CSV path read column by column (issue 15, ledger series): each shortcut gives exactly what the
value-by-value path gives.

* a record whose every value normalising keeps as it is becomes its fact directly
  (``_Normaliser.records``): the same facts, in the same order, with the same fields, types and sources
  as when each record goes through ``emit``, on records mixing placeholders, dates, blanks, nulls,
  nested values, ``x-`` fields and reserved names;
* a CSV cell's column is summed from the lengths of the cells before it: the same position as counting
  the characters of the line, also after a cell longer than 65,535 characters;
* ops of whole numbers computed once per distinct row (``columns.per_distinct``) give per-record values
  on mixed inputs (floats, a negative zero, booleans, texts, nulls)."""

from __future__ import annotations

import copy

import pytest

from checker import facts as facts_module
from checker.bundle import Document, _parse_table
from checker.factbase import FactBase
from checker.pointers import Positioned
from checker.schemas import load_schemas

from .test_derive_columns import ENERGY, _same

KIND = "internal_audit"


def _facts(items: list, monkeypatch, slow: bool) -> tuple[FactBase, int]:
    """The facts of ``items`` as the records of an internal audit, and how many went through ``emit``."""
    schemas = load_schemas()
    node = schemas.inlined(KIND)["properties"]["audits"]["items"]
    base = FactBase()
    norm = facts_module._Normaliser(schemas, base)
    calls = []
    emit = norm.emit

    def counted(*args, **kwargs):
        calls.append(args[2])
        return emit(*args, **kwargs)

    monkeypatch.setattr(norm, "emit", counted)
    if slow:
        monkeypatch.setattr(norm, "_kept_columns", lambda records, node, shapes=None: frozenset())
    doc = Document("internal_audit.yaml", KIND, Positioned({"kind": KIND, "audits": items}), "yaml")
    norm.records(items, node, "/audits", doc, f"{KIND}.audits", ("7", "7"), KIND)
    return base, len(calls)


def _assert_same(items: list, monkeypatch) -> int:
    fast, emitted = _facts(copy.deepcopy(items), monkeypatch, slow=False)
    slow, every = _facts(copy.deepcopy(items), monkeypatch, slow=True)
    assert every == sum(isinstance(i, dict) for i in items)
    assert [list(f.items()) for f in fast.facts] == [list(f.items()) for f in slow.facts]
    assert [[type(v) for v in f.values()] for f in fast.facts] == [[type(v) for v in f.values()] for f in slow.facts]
    for a, b in zip(fast.sources.values(), slow.sources.values(), strict=True):
        assert (a.kind, a.file, a.pointer, a.data, a.key) == (b.kind, b.file, b.pointer, b.data, b.key)
    return emitted


def test_plain_records_become_facts_directly(monkeypatch):
    items = [{"id": f"IA-{i}", "scope": f"范围 {i}", "reported_to": "管理者代表"} for i in range(20)]
    assert _assert_same(items, monkeypatch) == 0  # none went value by value


@pytest.mark.parametrize("odd", [
    {"scope": "待定"},  # a declared placeholder: dropped
    {"scope": "   "},  # blank text: dropped
    {"scope": None},  # null: dropped
    {"date": "2024-03-05"},  # a date: whole days
    {"x-note": "内部备注"},  # an extension field: not given to the engine
    {"conclusions": {"effective": True}},  # nested
    {"criteria": ["GB/T 1", "  "]},  # a list with a blank item
    {"kind": "别的", "sid": "S-1"},  # reserved names, renamed
])
def test_records_mixing_values_to_normalise_give_the_same_facts(monkeypatch, odd):
    items = [{"id": f"IA-{i}", "reported_to": 3 if i % 2 else 2.5} for i in range(6)]
    items[3] = {**items[3], **odd}
    items.append({})  # an empty record
    items.append("not a record")
    emitted = _assert_same(items, monkeypatch)
    assert emitted <= 2  # the odd record and the empty one at most: the others go the direct way


def test_cell_positions_are_summed_from_the_lengths_before_them():
    long = "长" * 70000
    text = "id,名称,value\nA1, b ,1.5\n\n\"q,1\",x,2\nA3," + long + ",3\nA4,y,4\n"
    table = _parse_table(text, "t.csv", "energy_consumption", "records")
    assert table.columns.typecode == "i"  # widened at the long cell
    lines = text.split("\n")
    for row, line in enumerate([2, 4, 5, 6]):
        cells = lines[line - 1].split(",")
        if row == 1:
            cells = ["q,1", "x", "2"]  # a quoted cell counts its characters as read, not its quotes
        for col, header in enumerate(["id", "名称", "value"]):
            start = 1 + sum(len(c) + 1 for c in cells[:col])
            if row != 1:
                assert lines[line - 1][start - 1:].startswith(cells[col] + ("," if col < 2 else ""))
            assert table.position(f"/records/{row}/{header}") == (line, start)
        assert table.position(f"/records/{row}") == (line, 1)
    assert table.position("/records/2/value") == (5, 70005)


@pytest.mark.parametrize("op", ["period_end", "sub", "add", "year_diff", "on_or_before"])
def test_ops_of_whole_numbers_once_per_distinct_row_give_per_record_values(op):
    values = [2024, 2024, 12, 1, 0, -0.0, 0.0, 2024.0, True, None, "2024", 13, 2.5, 10**6]
    records = [(ENERGY, {"a": a, "b": b}) for a in values for b in values]
    _same(records, [{"kind": ENERGY, "field": "out", "op": op, "args": ["a", "b"]}])
