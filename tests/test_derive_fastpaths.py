"""The derive stage's column shortcuts (issue 15, ledger series) give exactly what the general path gives:

* a held column coded by value (``columns.coded``) reads back equal values of the same types, a zero with its
  sign, and falls back to identity where equal values differ (1, 1.0, True; 0.0 and -0.0);
* a derived value read back by a later entry is the fact's own value where the entry set none (``_own_where``),
  on more rows than a held column is coded from;
* an aggregate's groups and key texts (``aggtable._groups``) and its sums (``aggtable._sums``) are those of the
  record-by-record definition, on mixed values (whole numbers written as floats, booleans, texts, nulls, lists);
* ``product`` / ``convert`` (``derive_units.with_units``) on thousands of rows mixing units, missing values, texts
  and booleans in number columns, and overflow, give the per-record values (``test_derive_columns._same``)."""

from __future__ import annotations

import math
import random
from itertools import groupby
from operator import itemgetter

import pytest

from checker import aggtable
from checker.aggregation import run_declarations
from checker.columns import ABSENT, Coded, ColumnStore, coded
from checker.packmodel import Aggregate

from .test_derive_columns import DATES, ENERGY, GHG, PRODUCT, _base, _declare, _ghg, _same

ROWS = 1500  # more than a held column is coded from (``columns._CODE_FROM``)


def _bits(values: list) -> list:
    return [(type(v), math.copysign(1.0, v) if type(v) is float else None, v) for v in values]


@pytest.mark.parametrize("pool", [
    ["a", "b", None, ABSENT, 7, 12],  # texts, whole numbers, nothing, absent: by value
    [1.5, 2.25, None, ABSENT, "x"],  # floats without a zero: by value
    [0.0, -0.0, 1.5],  # a zero of either sign: by identity
    [1, 1.0, True, "1"],  # equal values of other types: by identity
    [[1], {"a": 1}, "x"],  # unhashable: by identity
    [2.5],  # one value (as distinct objects): by value, one code
    list(range(300)),  # more than 256 values: two bytes a code
])
def test_a_column_coded_by_value_reads_back_the_same_values(pool):
    rng = random.Random(7)
    values = [rng.choice(pool) for _ in range(ROWS)]
    values = [list(v) if type(v) is list else float(str(v)) if type(v) is float else v for v in values]  # (lists,
    # floats: distinct objects)
    for by_value in (False, True):
        held = coded(values, by_value=by_value)
        assert _bits(list(held)) == _bits(values)
        assert [held[i] for i in range(len(values))] == values
        assert all(a is b for a, b in zip(held, values, strict=True)) or by_value
    if 1.0 in pool or 0.0 in pool:  # told apart by identity: each value read back is the object held
        assert all(a is b for a, b in zip(coded(values, by_value=True), values, strict=True))
    by_value = coded([str(v) for v in values], by_value=True)  # equal texts, distinct objects: one code each
    assert type(by_value) is Coded and len(by_value.table) == len({str(v) for v in values})


@pytest.mark.parametrize("rows", [ROWS, 8192])  # (8,192: long enough for the count to be told from a sample of it)
@pytest.mark.parametrize("by_value", [False, True])
def test_a_column_of_too_many_distinct_values_stays_a_list(by_value, rows):
    """A column is coded with at most 3 distinct values for every 4 rows (beyond 256): one more and it stays the list
    it is (by value: with one object per distinct value)."""
    most = 3 * rows // 4
    for distinct in (most, most + 1, rows):
        pool = [f"v{i}" for i in range(distinct)]
        values = [pool[i % distinct] if not by_value else f"v{i % distinct}" for i in range(rows)]  # (by value: equal
        # texts, distinct objects)
        held = coded(values, by_value=by_value)
        if distinct > most and not by_value:
            assert held is values
        elif distinct > most:  # (by value: the list, one object per distinct value)
            assert type(held) is list and held == values and len(set(map(id, held))) == distinct
        else:
            assert type(held) is Coded and held.codes.typecode == "H" and list(held) == values
            assert len(held.table) == distinct


def test_a_value_set_for_some_rows_is_read_back_with_the_own_value_elsewhere():
    rng = random.Random(3)
    records = []
    for i in range(ROWS):
        unit = rng.choice(["MWh", "m3", "furlong", None, 7])
        record = _ghg(rng.choice([1, 2.5, None, "12", True]), unit, emissions=rng.choice([1.0, 0.57, None]))
        if i % 7 == 0:
            record[1]["expected"] = rng.choice([3.0, "own", None])  # the entry's field given by the evidence
        records.append(record)
    derive = [PRODUCT, {"kind": GHG, "field": "deviation", "op": "rel_diff", "args": ["emissions", "expected"]},
              {"kind": GHG, "field": "kind_of", "op": "type_of", "args": ["expected"]}]
    base = _same(records, derive)
    assert {f.get("kind_of") for f in base.facts} >= {"number", "text"}


def _reference_mask(columns, where):
    """An aggregate's ``where`` tested value by value."""
    mask = [True] * len(columns)
    for name, wanted in where:
        for i, value in enumerate(columns.get(name)):
            if isinstance(wanted, tuple):
                op, values = wanted
                mask[i] = mask[i] and (value is not None and value in values) == (op == "in")
            else:
                mask[i] = mask[i] and value == wanted
    return mask


def _reference_groups(columns, agg, names, texts=True):
    """The record-by-record definition (the implementation before s19): runs of neighbours in one group."""
    groups: dict = {}
    keys: dict = {}
    value_columns = [columns.get(name) for name in names]
    positions = list(range(len(columns)))
    if agg.where:
        mask = _reference_mask(columns, agg.where)
        assert aggtable.where_mask(columns, agg.where) == mask
        positions = [p for p, m in zip(positions, mask, strict=True) if m]
        value_columns = [[v for v, m in zip(column, mask, strict=True) if m] for column in value_columns]
    outside: set = set()
    for values, run in groupby(zip(positions, zip(*value_columns, strict=True), strict=True), key=itemgetter(1)):
        members = groups.get(values)
        if members is not None:
            members.extend(map(itemgetter(0), run))
            continue
        if values in outside:
            continue
        parts = [aggtable._key_part(v) for v in values]
        if None not in parts:
            groups[values] = list(map(itemgetter(0), run))
            if texts:
                keys[values] = "/".join(parts)
        else:
            outside.add(values)
    return groups, keys


def _agg(names, where=(), sum_field=None):
    return Aggregate("t", ENERGY, None, False, tuple(where), sum_field,
                     group_by_fields=tuple((n, "string") for n in names))


@pytest.mark.parametrize("where", [(), (("c", ("not_in", ("skip",))),), (("c", "keep"),), (("c", ("in", ("keep", None))),),
                                   (("a", 1),), (("a", ("not_in", (1, "a"))), ("c", "keep")), (("s", 1.5),),
                                   (("a", ("in", (2.5, False))),)])
def test_groups_and_their_keys_are_those_of_the_record_by_record_definition(where):
    rng = random.Random(11)
    pool = [1, 1.0, True, 2, 2.5, "1", "a", None, False, 0, -0.0]
    records = [(ENERGY, {"a": rng.choice(pool), "b": rng.choice(["x", "y", 2024, 2024.0, None]),
                         "c": rng.choice(["keep", "skip", None]), "s": rng.choice([1.5, 2, None, 1e308, "7"])})
               for _ in range(600)]
    records += [(ENERGY, {"a": "run", "b": "x", "c": "keep", "s": 1.0})] * 5  # neighbours in one group
    records = [(kind, {**data, "u": i}) for i, (kind, data) in enumerate(records)]  # (u: every group one record)
    base = _base(records)
    columns = ColumnStore(base).kind(ENERGY)
    for names in (["a"], ["a", "b"], ["b", "a", "c"], ["u", "a"], ["u"]):
        agg = _agg(names, where, "s")
        for texts in (True, False):
            got, want = aggtable._groups(columns, agg, names, texts), _reference_groups(columns, agg, names, texts)
            assert list(got[0].items()) == list(want[0].items())
            assert list(zip(got[0], got[1], strict=False)) == list(want[1].items()) and len(got[1]) == len(want[1])
            assert [list(map(type, k)) for k in got[0]] == [list(map(type, k)) for k in want[0]]  # the first met
            assert got[2] == (list(zip(*want[0], strict=True)) or [()] * len(names))  # (each field's values)
        sums = columns.get("s")
        assert _bits(aggtable._sums(sums, got[0].values())) == _bits([aggtable._sum(sums, m, {})
                                                                      for m in got[0].values()])
        for column in (columns.get("a"), [v for v in columns.get("a") if v is not None], columns.get("b")):
            groups = [m for m in got[0].values() if max(m) < len(column)]
            assert list(aggtable._distincts(column, groups)) == [aggtable._distinct(column, m) for m in groups]
        floats = [v if type(v) is float else None for v in sums]  # (the column of floats and nulls)
        assert _bits(aggtable._sums(floats, got[0].values())) == _bits([aggtable._sum(floats, m, {})
                                                                        for m in got[0].values()])


def test_products_over_thousands_of_mixed_rows_are_the_per_record_values():
    rng = random.Random(5)
    units = ["MWh", "m3", "furlong", "万kWh", "GJ", None, 7, "t"]
    values = [1000, 2.5, 0, -0.0, None, "12", True, 1e300, 3]
    records = [_ghg(rng.choice(values), rng.choice(units), rng.choice([0.5703, 1e300, None, "x", 2]),
                    rng.choice(["tCO2/MWh", "tCO2/GJ", None, "kgCO2/m3"]), rng.choice([1, 25, None, False]))
               for _ in range(ROWS)]
    convert = {"kind": GHG, "field": "mwh", "op": "convert", "args": ["activity", "activity_unit"], "to": "MWh"}
    facts = _same(records, [PRODUCT, convert]).facts
    assert any("expected" in f for f in facts) and any("expected_unit_error" in f for f in facts)
    assert any("mwh" in f for f in facts) and any("mwh_unit_error" in f for f in facts)


@pytest.mark.parametrize("activities", [
    [1000.0, 2.5, 0.0, -0.0, 0.1, 1e200],  # floats only: the first column is the product so far as it is
    [1000, 3, 10 ** 200, 7, 2 ** 53 + 1],  # whole numbers: each 1.0 times itself, a float (never a whole product)
])
@pytest.mark.parametrize("units", [["MWh", "GJ", "万kWh"], ["MWh", "furlong"]])
def test_products_of_columns_of_one_number_type_are_the_per_record_values(activities, units):
    """``product`` / ``convert`` where each value is a number of one type, every unit known or not: every row usable
    (nothing else to mark) unless a product is not finite."""
    rng = random.Random(11)
    factors = [0.5703, 2.0, 1e200] if type(activities[0]) is float else [2, 10 ** 200, 3]
    records = [_ghg(rng.choice(activities), rng.choice(units), rng.choice(factors), "tCO2/MWh", rng.choice([1, 25]))
               for _ in range(ROWS)]
    convert = {"kind": GHG, "field": "mwh", "op": "convert", "args": ["activity", "activity_unit"], "to": "MWh"}
    facts = _same(records, [PRODUCT, convert]).facts
    assert any("expected" in f for f in facts) and any("expected_unit_error" in f for f in facts)
    assert sum("mwh" in f for f in facts) == sum(f["activity_unit"] != "furlong" for f in facts)
    zeros = [(math.copysign(1.0, f["activity"]), math.copysign(1.0, f["expected"])) for f in facts
             if "expected" in f and f["activity"] == 0]
    assert all(a == b for a, b in zeros) and len(set(zeros)) == (2 if zeros else 0)  # (a zero keeps its sign)


@pytest.mark.parametrize("pool", [
    [1e308, -1e308, 2.5, math.inf, 1e-300],  # floats without a zero: once per distinct value (or row)
    [10 ** 300, 2 ** 60, 3, -7],  # whole numbers: once per distinct row
    [1e308, 3, 2.5, -1e308],  # of both: row by row
])
def test_results_that_are_not_finite_are_absent_on_every_column_path(pool):
    rng = random.Random(13)
    records = [(GHG, {"x": rng.choice(pool), "y": rng.choice(pool)}) for _ in range(ROWS)]
    derive = [{"kind": GHG, "field": op, "op": op, "args": ["x", "y"]} for op in ("add", "sub", "rel_diff", "ratio")]
    derive.append({"kind": GHG, "field": "number_of", "op": "number_of", "args": ["x"]})
    facts = _same(records, derive).facts
    assert all(math.isfinite(v) for f in facts for k, v in f.items() if type(v) is float and k in ("add", "sub"))
    if 1e308 in pool:  # (1e308 + 1e308 overflows)
        assert any("add" not in f for f in facts) and any("rel_diff" not in f for f in facts if f["y"])


@pytest.mark.parametrize("pool", [[2, 2.5, "t", True], [2.5, 0.0, 1.5], [3, 7]])
def test_a_column_set_is_read_back_by_later_entries_with_the_types_of_its_values(pool):
    """The types of a column's values, found as it is set (``Columns.set``), are those a later entry reads it with."""
    rng = random.Random(17)
    records = [(GHG, {"x": rng.choice(pool), "unit": rng.choice(["MWh", "GJ"]), "k": rng.choice(["a", "b"])})
               for _ in range(ROWS)]
    derive = [{"kind": GHG, "field": "x2", "op": "first_given", "args": ["x"]},
              {"kind": GHG, "field": "y", "op": "convert", "args": ["x2", "unit"], "to": "MWh"},
              {"kind": GHG, "field": "z", "op": "sub", "args": ["x2", "x2"]},
              {"kind": GHG, "field": "t", "op": "type_of", "args": ["x2"]}]
    facts = _same(records, derive).facts
    assert {f.get("t") for f in facts} >= ({"text", "boolean"} if "t" in pool else {"number"} if 2.5 in pool else set())


def test_a_value_derived_for_some_rows_is_read_back_as_not_given_elsewhere():
    """A later entry reads a value derived for some rows only as not given (None) where none was derived and the
    fact carries none (``Columns._own_where``), the first such row too."""
    rng = random.Random(19)
    records = [(GHG, {"x": rng.choice([1.5, 3]), "z": rng.choice([0, 2.0, None, 4]), "w": rng.choice(["w", 7])})
               for _ in range(ROWS)]
    records[0] = (GHG, {"x": 1.5, "z": 0, "w": "first"})  # (no value derived for the first row)
    derive = [{"kind": GHG, "field": "y", "op": "ratio", "args": ["x", "z"]},
              {"kind": GHG, "field": "v", "op": "first_given", "args": ["y", "w"]}]
    facts = _same(records, derive).facts
    assert facts[0]["v"] == "first" and any(f["v"] == 7 for f in facts) and any(type(f["v"]) is float for f in facts)


@pytest.mark.parametrize("step", [1, 2, 700])
def test_the_facts_of_a_kind_added_among_others_are_its_own(step):
    """A kind's facts are read as a slice of the fact list only where they are added one after another
    (``columns._facts_of``); among another kind's, each by its id."""
    records = [(GHG if i % step == 0 or step == 1 else ENERGY, {"x": i, "y": i % 7 + 0.5}) for i in range(ROWS)]
    derive = [{"kind": GHG, "field": "d", "op": "sub", "args": ["x", "y"]},
              {"kind": ENERGY, "field": "d", "op": "add", "args": ["x", "y"]}]
    facts = _same(records, derive).facts
    assert all(f["d"] == (f["x"] - f["y"] if f["kind"] == GHG else f["x"] + f["y"]) for f in facts)


@pytest.mark.parametrize("repeated", [None, 1, 2, ROWS - 1])
def test_ranks_of_keys_all_different_but_one_or_of_equal_hashes(repeated):
    """Every row the first of its key is told by the keys' hashes (``derive_keys.first_rows``): one key given twice,
    or two keys of one hash (-1 and -2), are not."""
    keys = [-1, -2, *range(ROWS - 2)]
    if repeated is not None:
        keys[repeated] = keys[repeated - 1]
    records = [(ENERGY, {"k": k, "m": "x"}) for k in keys]
    derive = [{"kind": ENERGY, "field": "rank", "op": "occurrence", "args": ["k", "m"]},
              {"kind": ENERGY, "field": "one", "op": "occurrence", "args": ["k"]}]
    base = _base(records)
    run_declarations(base, None, _declare(derive)[0], (), DATES)  # type: ignore[arg-type]
    twice = {repeated} if repeated is not None else set()
    for name in ("rank", "one"):
        assert [i for i, f in enumerate(base.facts) if f[name] != 1] == sorted(twice)
        assert all(base.facts[i][name] == 2 for i in twice)


@pytest.mark.parametrize("packed", [False, True])
def test_partners_read_at_once_are_those_read_one_by_one(packed):
    from checker import derive_keys
    from checker.packedsource import FIELDS, PackedSource
    from checker.sourcepack import pack

    records = [(GHG, {"id": f"R{i}", "year": 2020 + i % 4, "unit": ["t", "MWh", None][i % 3]}) for i in range(ROWS)]
    base = _base(records)
    for i, fact in enumerate(base.facts):
        if i % 5 == 0:
            base.sources[fact["id"]].data = {"id": f"R{i}", "year": f"{2020 + i % 4}年"}  # written otherwise
        if i % 11 == 0:
            base.sources[fact["id"]].data = ["not", "a", "mapping"]
    if packed:
        base.sources = pack(base.sources, base.facts, base.by_kind, FIELDS, PackedSource)
    columns = ColumnStore(base).kind(GHG)
    positions = list(range(0, ROWS, 3))
    for take in ("year", "unit", "id"):
        taken = columns.get(take)
        want = [derive_keys._partner(columns.sources()[p], taken[p], take) for p in positions]
        assert derive_keys._partners(columns.sources(), positions, taken, take) == want
    base.holding = True  # a value of that name derived for the kind: its own values as shown
    columns.set("unit", ["u"] * ROWS, [f"shown {i}" for i in range(ROWS)])
    taken = columns.get("unit")
    want = [derive_keys._partner(columns.sources()[p], taken[p], "unit") for p in positions]
    assert derive_keys._partners(columns.sources(), positions, taken, "unit") == want
    assert want[1] == ("u", "shown 3")


@pytest.mark.parametrize("plain", [True, False])  # keys and values all given (the shortcuts), or not
def test_ranks_and_own_partners_keyed_by_the_same_fields_are_the_record_by_record_ones(plain):
    from checker.aggregation import run_declarations
    from checker.factbase import FactBase, FactSource

    from .test_derive_columns import DATES, _declare

    rng = random.Random(13)
    base = FactBase()
    pool = ["a", "b", 1, 1.0, True, 2024, *([] if plain else [None])]
    rows = [{"e": rng.choice(pool), "m": rng.choice([1, 2, *([] if plain else [None])]),
             "ref": f"R{i % 40}" if i % 9 or plain else None} for i in range(ROWS)]
    for i, data in enumerate(rows):
        base.add({"kind": ENERGY, **data}, FactSource(ENERGY, f"f{i}.csv", f"/records/{i}", data, None, f"r{i}"))
    others = [{"e": rng.choice(pool), "m": rng.choice([1, 2, 3])} for _ in range(60)]  # another kind's keys
    for i, data in enumerate(others):
        base.add({"kind": GHG, **data}, FactSource(GHG, "g.csv", f"/records/{i}", data, None, f"g{i}"))
    match = {"e": "e", "m": "m"}
    derive = [{"kind": ENERGY, "field": "rank", "op": "occurrence", "args": ["e", "m"]},
              {"kind": ENERGY, "field": "first_ref", "op": "ref", "of": ENERGY, "match": match, "take": "ref"},
              {"kind": ENERGY, "field": "first_m", "op": "ref", "of": ENERGY, "match": match, "take": "m"},
              {"kind": ENERGY, "field": "first_at", "op": "ref", "of": ENERGY, "match": match, "take": "_at"},
              {"kind": ENERGY, "field": "e_rank", "op": "occurrence", "args": ["e"]},
              {"kind": ENERGY, "field": "e_first", "op": "ref", "of": ENERGY, "match": {"e": "e"}, "take": "ref"},
              {"kind": ENERGY, "field": "m_type", "op": "type_of", "args": ["m"]},  # (m read on: its rows kept)
              {"kind": GHG, "field": "energy_at", "op": "ref", "of": ENERGY, "match": match, "take": "_at"}]
    run_declarations(base, None, _declare(derive)[0], (), DATES)  # type: ignore[arg-type]
    for fact, data in zip(base.facts[len(rows):], others, strict=True):
        partner = next((p for p, row in enumerate(rows) if (row["e"], row["m"]) == (data["e"], data["m"])), None)
        assert fact.get("energy_at") == (None if partner is None or data["e"] is None else f"f{partner}.csv")
    seen: dict = {}
    for i, data in enumerate(rows):
        key = (data["e"], data["m"])
        seen.setdefault(key, []).append(i)
        fact, src = base.facts[i], base.sources[base.facts[i]["id"]]
        assert fact["rank"] == min(len(seen[key]), 3)
        partner = seen[key][0]
        assert fact.get("first_at") == (f"f{partner}.csv" if None not in key else None)
        given = [p for p in range(len(rows)) if (rows[p]["e"], rows[p]["m"]) == key and rows[p]["ref"] is not None]
        want = rows[given[0]]["ref"] if given and None not in key else None
        assert fact.get("first_ref") == want and src.values().get("first_ref") == want
        assert fact.get("first_m") == (rows[partner]["m"] if None not in key else None)
        e_rank = sum(rows[p]["e"] == data["e"] for p in range(i + 1))
        assert fact["e_rank"] == min(e_rank, 3)
        e_given = [p for p in range(len(rows)) if rows[p]["e"] == data["e"] and rows[p]["ref"] is not None]
        assert fact.get("e_first") == (rows[e_given[0]]["ref"] if e_given and data["e"] is not None else None)


def test_first_given_over_whole_columns_is_the_per_record_value():
    rng = random.Random(17)
    pool = [None, None, 0, -0.0, "x", 2.5, False, [1]]
    records = [(ENERGY, {k: v for k in "abc" if (v := rng.choice(pool)) is not None}) for _ in range(ROWS)]
    for args in (["a"], ["a", "b"], ["a", "b", "c"]):
        _same(records, [{"kind": ENERGY, "field": "out", "op": "first_given", "args": args}])
