"""checker.factrows: the records of a large lean kind get a placeholder until ``FactBase.narrow`` makes their facts
from the evidence (issue 15, memory).  The facts made must be the lean facts narrowed - the same items in the same
order - whatever the derive stage set on them, and the derive stage must read the same columns meanwhile."""

from __future__ import annotations

import pytest

from checker import check, factbase, factrows
from checker.columns import ABSENT, Columns
from checker.conditions import RESERVED
from checker.factbase import FactBase, FactSource
from checker.recordfacts import lean_fact as _lean_fact
from checker.reporters import write_reports

from .conftest import EVIDENCE

KIND = "ledger.records"
LEAN = frozenset({"id", "kind", "_doc", "a", "b", "f_id", "d"})  # (a lean kind's fields, ``_doc`` a link)
_BUILD = check.build_facts
ROWS = [{"id": "R1", "a": 1, "b": "x", "c": 3.5}, {"id": "R2", "a": 2, "c": 4.5}, {"b": "y", "a": 3, "id": "R3"}]


def _base(monkeypatch, deferred: bool, rows: list[dict] = ROWS) -> FactBase:
    """A fact base holding ``rows`` as ``checker.facts.records`` holds them: deferred, or as lean facts."""
    monkeypatch.setattr(factbase, "DEFER_FROM", 1 if deferred else 10**9)
    base = FactBase()
    base.add({"kind": "doc"}, FactSource("doc", "d.yaml", "", {}, None, "doc"))
    kept = frozenset().union(*rows)
    lean = base.lean_keys.setdefault(KIND, LEAN)
    placeholders = base.defer(KIND, lean, rows, kept, frozenset(RESERVED))
    assert (placeholders is not None) is deferred
    for i, row in enumerate(rows):
        fact = placeholders.make(KIND, "1", "1") if placeholders else _lean_fact(KIND, row, LEAN, "1", "1")
        base.add(fact, FactSource(KIND, "l.csv", i, row, None, f"k{i}"))
    base.holding = True
    return base


def _derive(base: FactBase, on_fact: bool) -> list:
    """A derive stage: columns read, set held and (``on_fact``) not held, over fields the evidence gives or not."""
    columns = Columns(base, KIND)
    seen = [columns.raw(name) for name in ("a", "b", "c", "f_id", "_doc", "id", "kind")]
    columns.set("e", [10, ABSENT, 30])  # held, a field nobody reads
    columns.set("d", [ABSENT, 20, 30])  # held, a lean field
    if on_fact:  # (the placeholders then carry more than their kind, links and id)
        base.set_derived_column(columns.facts, "g.h", [1, 2, ABSENT], ABSENT, sources=columns.sources())
    seen += [Columns(base, KIND).raw(name) for name in ("d", "e", "g.h", "a")]
    return seen


def _made(base: FactBase, read: set[str]) -> list[list]:
    base.narrow({KIND: frozenset(read), "doc": frozenset()})
    assert all(base.sources[f["id"]].fact is f for f in base.facts)
    return [list(f.items()) for f in base.facts]


@pytest.mark.parametrize("on_fact", [True, False])
@pytest.mark.parametrize("read", [{"a", "d", "g.h"}, {"b", "f_id", "_doc", "e"}, set()])
def test_deferred_records_read_and_made_as_lean_facts(monkeypatch, read, on_fact):
    lean, deferred = _base(monkeypatch, False), _base(monkeypatch, True)
    assert deferred.deferred and not lean.deferred
    assert _derive(deferred, on_fact) == _derive(lean, on_fact)
    assert _made(deferred, read) == _made(lean, read)
    assert not deferred.deferred and deferred.lean_keys[KIND] == LEAN
    assert [src.derived for src in deferred.sources.values()] == [src.derived for src in lean.sources.values()]


def test_a_derived_value_of_a_field_the_evidence_gives_is_read_where_it_is_set(monkeypatch):
    """Setting ``a`` (given by the evidence) on the placeholders copies the evidence's lean fields onto them first."""
    bases = [_base(monkeypatch, False), _base(monkeypatch, True)]
    seen = []
    for base in bases:
        columns = Columns(base, KIND)
        base.set_derived_column(columns.facts, "a", [ABSENT, 7, ABSENT], ABSENT, sources=columns.sources())
        columns.set("b", [ABSENT, "z", ABSENT])
        seen.append([Columns(base, KIND).raw(name) for name in ("a", "b", "c")])
    assert bases[1].deferred[KIND].materialized
    assert seen[0] == seen[1] == [[1, 7, 3], ["x", "z", "y"], [3.5, 4.5, None]]
    assert _made(bases[1], {"a", "b"}) == _made(bases[0], {"a", "b"})


def test_a_later_array_not_kept_as_is_makes_the_deferred_records_lean_facts(monkeypatch):
    base = _base(monkeypatch, True)
    assert base.defer(KIND, LEAN, [{"a": 4}, {}], frozenset({"a"}), frozenset(RESERVED)) is None  # ({} is not kept)
    assert not base.deferred and base.lean_keys[KIND] == LEAN
    assert base.facts[1:] == [_lean_fact(KIND, row, LEAN, "1", "1") | {"id": str(i + 2)} for i, row in enumerate(ROWS)]
    assert [list(f) for f in base.facts[1:]] == [["kind", "f_id", "a", "b", "_doc", "id"], ["kind", "f_id", "a", "_doc", "id"],
                                                  ["kind", "b", "a", "f_id", "_doc", "id"]]  # (the records' order)


def _check(monkeypatch, defer_from: int, tmp_path) -> tuple[list, dict[str, bytes]]:
    monkeypatch.setattr(factbase, "DEFER_FROM", defer_from)
    made: list = []

    def spy(*args, **kwargs):
        base = _BUILD(*args, **kwargs)
        made.append([list(f.items()) for f in base.facts])
        made.append({fid: src.derived for fid, src in base.sources.items()})
        return base

    monkeypatch.setattr(check, "build_facts", spy)
    bundle, _ = check.load_and_validate(EVIDENCE / "lvgu-park")
    write_reports(check.check_bundle(bundle, ["t-cpqs-zc001-2025"]), tmp_path, ["json"])
    return made, {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}


def test_a_check_makes_the_same_facts_and_reports_with_every_records_kind_deferred(monkeypatch, tmp_path):
    deferrals: list = []
    defer = FactBase.defer
    monkeypatch.setattr(FactBase, "defer", lambda self, *a: deferrals.append(defer(self, *a)) or deferrals[-1])
    deferred = _check(monkeypatch, 1, tmp_path / "deferred")
    assert sum(d is not None for d in deferrals) > 10
    deferrals.clear()
    assert deferred == _check(monkeypatch, 10**9, tmp_path / "lean")
    assert not any(deferrals)


@pytest.mark.parametrize("shapes", ["one", "two"])
@pytest.mark.parametrize("kept", [None, frozenset({"kind", "id", "a", "f_id"}), frozenset({"kind", "b"})])
def test_facts_made_at_once_are_those_made_one_by_one(monkeypatch, shapes, kept):
    """A table's records (one shape) made field by field over the facts (``Deferred._at_once``): the same facts,
    items in the same order, as made record by record; records of several shapes made record by record."""
    rows = [{"id": f"R{i}", "a": i, "b": "x", "c": 0.5} for i in range(6)]
    if shapes == "two":
        rows[3] = {"a": 3, "id": "R3", "b": "x", "c": 0.5}
    made = []
    for at_once in (True, False):
        if not at_once:
            monkeypatch.setattr(factrows.Deferred, "_at_once", lambda *a: False)
        deferred = factrows.Deferred(LEAN, {"id": "f_id"})
        facts = [{"kind": "doc", "id": "1"}]
        facts += [deferred.make(KIND, "1", "1") | {"id": str(i + 2)} for i in range(len(rows))]
        keys = deferred.keys() | {"a", "b", "f_id"}
        deferred.made(facts, [str(i + 2) for i in range(len(rows))], rows, [kept] * len(rows),
                      factrows.sharing(keys), None)
        made.append([list(f.items()) for f in facts])
    assert made[0] == made[1] and made[0][1][0] == ("kind", KIND) and len(made[0]) == 7


@pytest.mark.parametrize("kept", [None, frozenset({"kind", "id", "b"}), frozenset({"kind", "id", "a", "c", "x"})])
def test_facts_remade_at_once_are_those_remade_one_by_one(kept):
    """A kind's facts of one shape narrowed field by field over them (``remade_at_once``): the same items, in the
    same order, as ``remade`` of ``kept_items`` one by one; facts of several shapes are left to it."""
    def facts() -> list[dict]:
        return [{"kind": "doc", "id": "1"}, *({"kind": "agg.t", "a": i, "b": str(i), "c": [i], "id": str(i + 2)}
                                             for i in range(5))]
    fids, keys = [str(i + 2) for i in range(5)], {"kind", "a", "b", "c", "id"}
    at_once, one_by_one = facts(), facts()
    sources = [FactSource("agg.t", "", "", {}, None, "", fact=f) for f in at_once[1:]]
    assert factrows.remade_at_once(at_once, fids, [kept] * 5, factrows.sharing(keys), sources)
    assert all(s.fact is f for s, f in zip(sources, at_once[1:], strict=True))
    factrows.remade(one_by_one, fids, [kept] * 5, lambda k, f: factrows.kept_items(one_by_one[k + 1], f),
                    factrows.sharing(keys), None)
    assert [list(f.items()) for f in at_once] == [list(f.items()) for f in one_by_one]
    mixed = facts()
    mixed[3] = {"kind": "agg.t", "b": "2", "a": 2, "c": [2], "id": "4"}
    assert not factrows.remade_at_once(mixed, fids, [kept] * 5, factrows.sharing(keys))
    assert not factrows.remade_at_once(facts(), fids, [kept, *[frozenset(keys)] * 4], factrows.sharing(keys))


@pytest.mark.parametrize("lean", [LEAN, LEAN | {"_parent"}, frozenset({"id", "kind", "a"})])
def test_placeholders_made_many_at_once_are_those_made_one_by_one(lean):
    deferred = factrows.Deferred(lean, {})
    many = deferred.made_many(KIND, "d1", "p1", 3)
    assert [list(f.items()) for f in many] == [list(deferred.make(KIND, "d1", "p1").items())] * 3
    assert len({id(f) for f in many}) == 3 and deferred.made_many(KIND, "d1", "p1", 0) == []
