"""Work the derive stage's keyed steps share or skip (issue 15, ledger series) changes nothing they give:

* each row's first row of its key (``derive_keys.first_rows``) found for one step is read by the next step keyed by
  the same columns in another order, and by no step keyed by other columns;
* a ``ref`` from a kind of much fewer rows than its partners' indexes only the partners whose key values are all
  ours (``derive_keys._wanted``), and finds what the record-by-record definition finds; one without a field to
  match, or without a partner, is looked up once (``derive_keys._looked_up``)."""

from __future__ import annotations

import random

import pytest

from checker import derive_keys
from checker.aggregation import run_declarations
from checker.factbase import FactBase, FactSource

from .test_derive_columns import DATES, ENERGY, FACTORS, GHG, _base, _declare, _same

ROWS = 1500


@pytest.mark.parametrize("given", [True, False])  # every partner gives the value taken, or not
def test_a_ref_from_fewer_rows_finds_the_partners_the_record_by_record_definition_finds(given, monkeypatch):
    rng = random.Random(23)
    theirs = [(FACTORS, {"a": rng.choice(["x", "y", "z", 1, 1.0, 2, True, 2.5]), "b": rng.choice([2023, 2024, 2025]),
                         "v": rng.choice([1.5, "t", 3, *([] if given else [None])])}) for _ in range(ROWS)]
    ours = [(GHG, {"a": rng.choice(["x", 1, True, 2.5, "w", None]), "b": rng.choice([2024, 2024.0, 2025, 2026])})
            for _ in range(200)]
    masks: list = []
    wanted = derive_keys._wanted
    monkeypatch.setattr(derive_keys, "_wanted", lambda *args: masks.append(wanted(*args)) or masks[-1])
    for match in ({"a": "a"}, {"a": "a", "b": "b"}, {"b": "b", "a": "a"}):
        _same(theirs + ours, [{"kind": GHG, "field": "got", "op": "ref", "of": FACTORS, "match": match, "take": "v"}])
    assert masks and all(mask is not None and 0 < sum(mask) < ROWS for mask in masks)  # (the shortcut is taken)
    # no field matched: every row's partner is the first that gives the value, looked up once
    _same(theirs + ours, [{"kind": GHG, "field": "got", "op": "ref", "of": FACTORS, "take": "v"}])
    _same([*ours, (FACTORS, {"v": None})], [{"kind": GHG, "field": "got", "op": "ref", "of": FACTORS, "take": "v"}])


@pytest.mark.parametrize("args", [["m", "e"], ["e", "m"]])
def test_first_rows_are_shared_by_steps_keyed_by_the_same_columns_in_any_order_only(args):
    rng = random.Random(29)
    base = FactBase()
    rows = [{"e": rng.choice(["a", "b", 1, 1.0, True]), "m": rng.choice([1, 2]), "g": rng.choice([1, 2, 3]), "u": i}
            for i in range(ROWS)]
    for i, data in enumerate(rows):
        base.add({"kind": ENERGY, **data}, FactSource(ENERGY, f"f{i}.csv", f"/records/{i}", data, None, f"r{i}"))
    derive = [{"kind": ENERGY, "field": "rank", "op": "occurrence", "args": args},
              {"kind": ENERGY, "field": "first_at", "op": "ref", "of": ENERGY, "match": {"e": "e", "m": "m"},
               "take": "_at"},
              {"kind": ENERGY, "field": "g_at", "op": "ref", "of": ENERGY, "match": {"e": "e", "g": "g"}, "take": "_at"},
              {"kind": ENERGY, "field": "g_rank", "op": "occurrence", "args": ["g", "m"]},
              {"kind": ENERGY, "field": "u_rank", "op": "occurrence", "args": ["u", "m"]},  # (every key once)
              {"kind": ENERGY, "field": "m_type", "op": "type_of", "args": ["m"]}]  # (m, g read on: kept)
    run_declarations(base, None, _declare(derive)[0], (), DATES)  # type: ignore[arg-type]
    seen: dict = {}
    for i, data in enumerate(rows):
        fact = base.facts[i]
        for name, key in (("em", (data["e"], data["m"])), ("eg", (data["e"], data["g"])),
                          ("gm", (data["g"], data["m"]))):
            seen.setdefault((name, key), []).append(i)
        assert fact["rank"] == min(len(seen["em", (data["e"], data["m"])]), 3)
        assert fact.get("first_at") == f"f{seen['em', (data['e'], data['m'])][0]}.csv"
        assert fact.get("g_at") == f"f{seen['eg', (data['e'], data['g'])][0]}.csv"
        assert fact["g_rank"] == min(len(seen["gm", (data["g"], data["m"])]), 3) and fact["u_rank"] == 1


def test_refs_of_an_aggregate_made_as_columns_read_what_refs_of_its_facts_read(monkeypatch):
    rng = random.Random(31)
    ledger = [(ENERGY, {"e": rng.choice(["a", "b", 1, 1.0, True]), "m": rng.choice([1, 2, 3]),
                        "q": rng.choice([1.5, 2.0, 1e308, None])}) for _ in range(ROWS)]
    ours = [(GHG, {"e": rng.choice(["a", "b", 1, "c", None]), "f": rng.choice(["a", True]),
                   "m": rng.choice([1, 2, 2.0, 4])}) for _ in range(300)]
    derive = [{"kind": GHG, "field": f"got_{take}_{'_'.join(match.values())}", "op": "ref", "of": "agg.tab",
               "match": match, "take": take}
              for match, take in (({"e": "e", "m": "m"}, "sum"), ({"e": "e", "m": "m"}, "count"),
                                  ({"e": "f", "m": "m"}, "count"), ({"m": "m", "e": "e"}, "m"), ({"e": "e"}, "count"))]
    aggregates = {"tab": {"of": ENERGY, "group_by": {"fields": ["e", "m"]}, "sum": "q"}}
    fields = sorted(d["field"] for d in derive)
    tables: list = []
    made = derive_keys._ref_table
    monkeypatch.setattr(derive_keys, "_ref_table", lambda *args: tables.append(made(*args)) or tables[-1])
    got = []
    for read in ({GHG: frozenset(fields), ENERGY: frozenset()}, None):  # (made as columns; as facts)
        base = _base(ledger + ours)
        derived, aggs = _declare(derive, aggregates)
        run_declarations(base, None, derived, tuple(aggs.values()), DATES, read)  # type: ignore[arg-type]
        got.append([[src.values().get(name) for name in fields] for src in
                    (base.sources[fact["id"]] for fact in base.facts if fact["kind"] == GHG)])
    assert got[0] == got[1] and sum(row != [None] * 5 for row in got[0]) > 100
    assert tables.count(True) == 4  # (made as columns: the sum, with an overflow, is found otherwise)


def _aggregated(records: list, aggregates: dict, lean: frozenset[str] | None) -> list:
    """Each aggregate fact made by ``run_declarations``: its fields, its data, its place."""
    base = _base(records)
    base.lean_of = None if lean is None else (lambda kind: lean)
    run_declarations(base, None, (), tuple(_declare([], aggregates)[1].values()), DATES)  # type: ignore[arg-type]
    return [(list(fact.items()), list(src.data.items()), src.file, src.at) for fact, src in
            ((fact, base.sources[fact["id"]]) for fact in base.facts if fact["kind"].startswith("agg."))]


def test_aggregates_handing_on_their_rows_and_groups_make_the_facts_made_each_on_its_own(monkeypatch):
    from checker import aggregation

    rng = random.Random(37)
    pool = [1, 1.0, True, 2, 2.5, "1", "a", None, False, 0, -0.0]
    records = [(ENERGY, {"a": rng.choice(pool), "b": rng.choice(["x", "y", 2024, 2024.0, None]),
                         "c": rng.choice(["keep", "skip", None]), "s": rng.choice([1.5, 2, None, 0.1, "7", 0.7])})
               for _ in range(ROWS)]
    for i in range(0, ROWS, 17):  # (a few sums overflow or not as their records are added in record order)
        records[i][1]["s"] = rng.choice([1e308, -1e308])
    where = {"c": {"not_in": ["skip"]}}
    aggregates = {"ab": {"of": ENERGY, "where": where, "group_by": {"fields": ["a", "b"]}, "sum": "s"},
                  "b_other": {"of": ENERGY, "where": {"c": "keep"}, "group_by": {"fields": ["b"]}},
                  "a_distinct": {"of": ENERGY, "where": where, "group_by": {"fields": ["a"]}, "distinct": "b"},
                  "ba": {"of": ENERGY, "where": where, "group_by": {"fields": ["b", "a"]}, "sum": "s"},
                  "a_sum": {"of": ENERGY, "where": where, "group_by": {"fields": ["a"]}, "sum": "s"},
                  "ab_all": {"of": ENERGY, "group_by": {"fields": ["a", "b"]}},
                  "b_all": {"of": ENERGY, "group_by": {"fields": ["b"]}, "distinct": "a"}}
    plans: list = []
    planned = aggregation._share_plan
    monkeypatch.setattr(aggregation, "_share_plan", lambda steps: plans.append(planned(steps)) or plans[-1])
    shared = _aggregated(records, aggregates, None)
    assert plans[0] == {"ab": {"a_distinct", "ba", "a_sum"}, "a_distinct": {"a_sum"}, "ba": {"a_distinct", "a_sum"},
                        "ab_all": {"b_all"}} or plans[0]["ab"] >= {"a_distinct", "ba", "a_sum"}
    monkeypatch.setattr(aggregation, "_share_plan", lambda steps: {})
    alone = _aggregated(records, aggregates, None)
    assert shared == alone and len(alone) > 50 and sum(any(k == "sum" for k, _ in fields) for fields, *_ in alone) > 20
    lean = frozenset({"key", "sum", "b", "distinct"})  # the facts made with only these fields, from the data
    for (fields, data, file, at), (want_fields, want_data, want_file, want_at) in zip(
            _aggregated(records, aggregates, lean), alone, strict=True):
        assert fields == [(k, v) for k, v in want_fields if k in lean | {"kind", "id"}]
        assert (data, file, at) == (want_data, want_file, want_at)


class Kind:
    """The columns of a kind, as ``Shared`` and ``aggtable`` read them."""

    def __init__(self, table: dict[str, list]):
        self.table = dict(table)

    def get(self, name: str) -> list:
        return self.table[name]

    def __len__(self) -> int:
        return len(self.table["a"])

    def types(self, column: list) -> frozenset:
        return frozenset(map(type, column))


def test_groups_are_handed_on_only_while_their_columns_are_the_kinds_columns():
    from checker.aggshare import Shared
    from checker.packmodel import Aggregate

    def agg(name: str, names: list[str]) -> Aggregate:
        return Aggregate(name, ENERGY, None, False, (), None, group_by_fields=tuple((n, "string") for n in names))

    kind = Kind({"a": ["x", "y", "x", "z"], "b": [1, 1, 2, 2]})
    shared = Shared({"ab": {"a", "b"}})
    assert list(shared.groups(kind, agg("ab", ["a", "b"]), ["a", "b"]).items()) == [
        (("x", 1), [0]), (("y", 1), [1]), (("x", 2), [2]), (("z", 2), [3])]
    kind.table["a"] = ["x", "x", "x", "z"]  # (a step between them set the field anew)
    assert list(shared.groups(kind, agg("a", ["a"]), ["a"]).items()) == [(("x",), [0, 1, 2]), (("z",), [3])]
    kind.table["b"] = [5, 5, 5, 5]  # (a field it does not group by: its groups are the same)
    shared = Shared({"ab": {"b"}})
    held = shared.groups(kind, agg("ab", ["a", "b"]), ["a", "b"])
    kind.table["a"] = ["y"] * 4
    assert list(shared.groups(kind, agg("b", ["b"]), ["b"]).items()) == [((5,), [0, 1, 2, 3])]
    assert held == {("x", 5): [0, 1, 2], ("z", 5): [3]}


def test_whether_evidence_holds_a_field_is_found_once_for_the_same_evidence_and_name():
    from checker.columns import ColumnStore

    store = ColumnStore(FactBase())
    holding, other = [{"_at": "mine"}, {}], [{}, ["not", "a", "mapping"]]
    asked = [(holding, "_at"), (holding, "_at"), (other, "_at"), (holding, "_file"), (holding, "_at"), (other, "_at")]
    assert [derive_keys._holds_held(store, datas, name) for datas, name in asked] == \
        [derive_keys._holds(datas, name) for datas, name in asked] == [True, True, False, False, True, False]


@pytest.mark.parametrize("packed", [False, True])
def test_many_aggregate_facts_made_from_their_data_have_their_sources_placed_as_one_block(packed):
    """An aggregate kind of many groups made from its data (``aggtable._group_facts``, lean) has its sources placed as
    one block where the fact base packs them (``FactBase.add_rows``): each reads as the source made one by one."""
    from checker.packedsource import PackedSource
    from checker.sourcepack import PackedSources

    rng = random.Random(41)
    records = [(ENERGY, {"a": i // 2, "b": rng.choice(["x", "y"]), "s": rng.choice([1.5, 2, None])})
               for i in range(3 * ROWS)]
    aggregates = {"ab": {"of": ENERGY, "group_by": {"fields": ["a", "b"]}, "sum": "s"}}
    got = []
    for lean, sources in ((None, None), (frozenset({"key", "sum", "b"}), PackedSources() if packed else None)):
        base = FactBase(sources=sources) if sources is not None else FactBase()
        for i, (kind, data) in enumerate(records):
            base.add({"kind": kind, **data}, FactSource(kind, "e.csv", f"/records/{i}", data, None, f"{kind}[{i}]"))
        base.lean_of = None if lean is None else (lambda kind, lean=lean: lean)
        run_declarations(base, None, (), tuple(_declare([], aggregates)[1].values()), DATES)  # type: ignore[arg-type]
        made = [(fact, base.sources[fact["id"]]) for fact in base.facts if fact["kind"] == "agg.ab"]
        assert len(made) > 1024
        assert all(type(src) is (PackedSource if lean is not None and packed else FactSource) for _, src in made)
        got.append([(fact["id"], fact.get("key"), fact.get("sum"), src.key, dict(src.data), src.file, src.at,
                     src.document, src.fact is fact, src.row) for fact, src in made])
    assert got[0] == got[1]


def test_groups_are_held_only_as_the_later_aggregates_read_them_and_read_the_same():
    """Memory (issue 15): with the later aggregates known, an aggregate's groups are held as they read them - its
    own groups only for one grouping by the same fields, each coarser grouping made once, nothing for one that
    reads only its rows; each reader gets what a ``Shared`` holding everything gives it."""
    from checker.aggshare import Shared
    from checker.aggtable import _given
    from checker.packmodel import Aggregate

    def agg(name: str, names: list[str], where: tuple = (), total: str | None = None) -> Aggregate:
        return Aggregate(name, ENERGY, None, False, where, total, group_by_fields=tuple((n, "string") for n in names))

    rng = random.Random(5)
    kind = Kind({"a": [rng.choice("xyz") for _ in range(300)], "b": [rng.choice([1, 2, 3, None]) for _ in range(300)],
                 "c": [rng.choice(["k", "s"]) for _ in range(300)], "s": [rng.random() for _ in range(300)]})
    where = (("c", "k"),)
    first = agg("ab", ["a", "b"], where)
    readers = [agg("a", ["a"], where), agg("b_sum", ["b"], where, "s"), agg("ba", ["b", "a"], where),
               agg("c", ["c"], where)]
    plan = {"ab": {r.name for r in readers}}
    for late in ([readers[0]], [readers[2]], [readers[1], readers[3]], readers):
        whole, lean = Shared(plan), Shared({"ab": {r.name for r in late}}, [first, *late])
        assert whole.groups(kind, first, ["a", "b"]) == lean.groups(kind, first, ["a", "b"])
        held = lean._held["ab"]
        assert held.members is None or any(r.group_by_fields == first.group_by_fields for r in late)
        assert set(held.coarse) == {(1, 0)} & {(1, 0) for r in late if r.name == "ba"} | \
            {(0,)} & {(0,) for r in late if r.name == "a"}  # (not b_sum: a sum of fewer fields is found anew)
        for reader in late:
            names = [n for n, _ in reader.group_by_fields]
            assert list(lean.groups(kind, reader, names).items()) == list(whole.groups(kind, reader, names).items())
    # groups held for a later aggregate are not changed by one dropping the groups of a missing value
    same = agg("ab_count", ["a", "b"], where)
    held_groups = Shared({"ab": {"ab_count"}}, [first, same])
    members = held_groups.groups(kind, first, ["a", "b"])
    coarse_only = Shared({"ab": {"a"}}, [first, readers[0]])
    assert not coarse_only.holds(coarse_only.groups(kind, first, ["a", "b"]))  # (only its coarser groups held)
    before = {k: list(v) for k, v in members.items()}
    given = [k[1] is not None for k in members]
    assert held_groups.holds(members) and not Shared().holds(members)
    kept = _given(members, given, held_groups.holds(members))
    assert members == before and kept is not members and list(kept) == [k for k in before if k[1] is not None]
    mine = {k: list(v) for k, v in before.items()}
    assert _given(mine, given, False) is mine and mine == kept  # (no one else holds them: in place)


_POOLS = [["x", "y", "z"], [1, 1.0, True, 2, 2.5, "1", None, False, 0, -0.0], [2024, 2024.0, 2025, "2024", None],
          ["x", None, (1, 2), 3, True], [None], [float("nan"), 1.0, 2], "every", "pairs"]


def _column(rng: random.Random, pool, n: int) -> list:
    if pool == "every":  # (each row its own group)
        return list(range(n))
    if pool == "pairs":
        return [i // 2 for i in range(n)]
    return [rng.choice(pool) for _ in range(n)]


def test_groups_held_as_read_are_what_groups_held_whole_and_groups_found_anew_give():
    """Issue 15 (review of the groups held as read): over random kinds (empty, one row, a row a group, values that
    are in no group: None, a tuple, NaN, True beside 1, 2024.0 beside 2024) and runs of aggregates of one or two
    ``where`` grouping by the same fields, another order, fewer, the same fewer twice, with or without a sum, with a
    step between two of them setting a field anew: each gets from a ``Shared`` told the aggregates what a ``Shared``
    holding everything gives, and the groups found anew (the same records; a coarser group's by group)."""
    from checker.aggshare import Shared, plan
    from checker.aggtable import _groups
    from checker.packmodel import Aggregate

    wheres = [(), (("c", "keep"),), (("c", ("not_in", ("skip",))),), (("c", ("in", ("keep", None))),)]
    names = ["a", "b", "c", "u"]
    rng = random.Random(43)
    for case in range(250):
        n = rng.choice([0, 1, 2, 5, 30, 300, 700] if case % 25 else [1300])
        table = {f: _column(rng, rng.choice(_POOLS), n) for f in names}
        table["c"] = _column(rng, rng.choice([["keep", "skip", None], ["keep"], _POOLS[1]]), n)
        table["s"] = [rng.choice([1.5, 0.1, 0.7, 1e308, None, 2]) for _ in range(n)]
        where, first = rng.sample(wheres, rng.randint(1, 2)), rng.sample(names, rng.randint(1, 3))
        aggs = []
        for k in range(rng.randint(2, 7)):
            r = rng.random()
            fields = first if r < 0.3 else rng.sample(first, len(first)) if r < 0.5 else \
                rng.sample(first, rng.randint(1, len(first))) if r < 0.85 else rng.sample(names, rng.randint(1, 3))
            aggs.append(Aggregate(f"g{k}", ENERGY, None, False, rng.choice(where), rng.choice([None, None, "s"]),
                                  group_by_fields=tuple((f, "string") for f in fields)))
        kinds = [Kind(table) for _ in range(3)]
        shares = [Shared(plan(aggs), aggs), Shared(plan(aggs)), Shared()]
        seen: dict = {}
        for agg in aggs:
            if rng.random() < 0.25:  # (a step between them sets a field anew: the same values or others)
                name = rng.choice(names)
                values = list(table[name]) if rng.random() < 0.5 else _column(rng, rng.choice(_POOLS), n)
                for kind in kinds:
                    kind.table[name] = list(values)
            texts = rng.random() < 0.8
            as_read, whole, anew = (_groups(kind, agg, [f for f, _ in agg.group_by_fields], texts, shared)
                                    for kind, shared in zip(kinds, shares, strict=True))
            assert repr([list(as_read[0].items()), *as_read[1:]]) == repr([list(whole[0].items()), *whole[1:]]), \
                (case, agg)
            assert repr([[(k, sorted(v), v[0]) for k, v in as_read[0].items()], *as_read[1:]]) == \
                repr([[(k, v, v[0]) for k, v in anew[0].items()], *anew[1:]]), (case, agg)
            for found in shares[0]._held.values():  # (what is held for a later one is as it was found)
                for held in (found.members, *found.coarse.values()):
                    if held is not None:
                        assert repr(held) == seen.setdefault(id(held), (held, repr(held)))[1], (case, agg)


def _declared_at_random(rng: random.Random) -> tuple[list, dict]:
    """Records of one kind and aggregates of it (some grouping by fields named as an aggregate's own) with refs
    of their facts, for ``run_declarations``."""
    fields = ["a", "b", "c", "u", "key", "count", "id", "f_id", "sum"]
    pools = {f: rng.choice([*_POOLS, ["x", "y", (1,), frozenset({2})]]) for f in fields}
    pools["c"] = ["keep", "skip", None]
    n = rng.choice([0, 1, 3, 40, 300, 600])
    columns = {f: _column(rng, pool, n) for f, pool in pools.items()}
    records = [(ENERGY, {**{f: columns[f][i] for f in fields if rng.random() > 0.03},
                         "s": rng.choice([1.5, 2, None, 0.1, "7", 1e308, -1e308])}) for i in range(n)]
    records += [(GHG, {f: rng.choice(["x", 1, 2024, True, None]) for f in ("a", "b", "u")}) for _ in range(20)]
    wheres, first = rng.sample([None, {"c": "keep"}, {"c": {"not_in": ["skip"]}}], 2), rng.sample(fields, 3)
    aggregates, derive = {}, []
    for k in range(rng.randint(2, 6)):
        by = rng.choice([first, rng.sample(first, 3), rng.sample(first, rng.randint(1, 2)), rng.sample(fields, 2)])
        spec: dict = {"of": ENERGY, "group_by": {"fields": by}, **({"where": w} if (w := rng.choice(wheres)) else {})}
        spec.update({"sum": "s"} if rng.random() < 0.5 else {}, **({"distinct": "b"} if rng.random() < 0.3 else {}))
        aggregates[f"g{k}"] = spec
        theirs = [f for f in by if f in ("a", "b", "u")]
        if theirs and rng.random() < 0.6:
            derive.append({"kind": GHG, "field": f"got{k}", "op": "ref", "of": f"agg.g{k}",
                           "match": {f: f for f in theirs}, "take": rng.choice(["count", by[0], *spec.keys() & {"sum"}])})
    return records, {"derive": derive, "aggregates": aggregates}


def test_aggregates_of_any_shape_make_the_facts_and_tables_they_make_each_on_its_own(monkeypatch):
    """Issue 15 (review): random aggregates of one kind (of the same, other or fewer fields; fields named key,
    count, id or sum; values in no group) make, handing on their rows and groups, the facts, the tables (made as
    columns: each a column for the key, the count, the fields as given, the sum and the distinct count, in that
    order) and the values read from them that each makes on its own."""
    from checker import aggregation

    planned = aggregation._share_plan
    rng = random.Random(47)
    for case in range(40):
        records, meta = _declared_at_random(rng)
        read = rng.choice([None, {GHG: frozenset(d["field"] for d in meta["derive"]), ENERGY: frozenset()}])
        got = []
        for share in (planned, lambda steps: {}):
            monkeypatch.setattr(aggregation, "_share_plan", share)
            base, tables = _base(records), []
            add_table = base.add_table
            monkeypatch.setattr(base, "add_table", lambda kind, columns, *more, add_table=add_table, tables=tables:
                                tables.append((kind, list(columns.items()))) or add_table(kind, columns, *more))
            derived, aggs = _declare(meta["derive"], meta["aggregates"])
            run_declarations(base, None, derived, tuple(aggs.values()), DATES, read)  # type: ignore[arg-type]
            got.append(repr(([(list(fact.items()), src.values(), src.file, src.at, src.key)
                              for fact, src in ((fact, base.sources[fact["id"]]) for fact in base.facts)], tables)))
            for kind, columns in tables:
                agg = aggs[kind.removeprefix("agg.")]
                order = ["key", "count", *(f for f, _ in agg.group_by_fields), "sum", "distinct"]
                assert [name for name, _ in columns] == [f for f in dict.fromkeys(order) if f in dict(columns)]
        assert got[0] == got[1], case


def test_an_aggregates_groups_read_by_later_ones_only_coarser_are_let_go_with_its_facts_made(monkeypatch):
    """Memory (issue 15): groups found for an aggregate whose later readers group by fewer fields are not held
    after it has made its facts (nor while it makes them); an aggregate whose later reader groups by the same
    fields holds them until that one has read them."""
    import gc
    import weakref

    from checker import aggregation, aggshare
    from checker.factbase import FactBase

    class Groups(dict):  # (a dict one may hold a weak reference to)
        pass

    found: list = []
    gathered = aggshare.gathered
    monkeypatch.setattr(aggshare, "gathered", lambda *args: found.append(weakref.ref(out := Groups(gathered(*args))))
                        or out)
    alive: list = []
    for name in ("add", "add_rows"):
        made = getattr(FactBase, name)
        monkeypatch.setattr(FactBase, name, lambda self, *args, made=made: alive.append(
            (args[0]["kind"] if type(args[0]) is dict else args[0], [ref() is not None for ref in found]))
            or made(self, *args))
    after: list = []
    run_step = aggregation._run_step
    monkeypatch.setattr(aggregation, "_run_step", lambda *args: (run_step(*args), gc.collect(), after.append(
        [ref() is not None for ref in found])))
    rng = random.Random(53)
    records = [(ENERGY, {"a": i, "b": rng.choice(["x", "y", None]), "c": rng.choice(["keep", "skip"]), "s": 1.5})
               for i in range(3000)]
    where = {"c": "keep"}
    for same, lean in ((False, None), (False, frozenset({"key", "count", "a"})), (True, None)):
        found.clear(), alive.clear(), after.clear()
        aggregates = {"ab": {"of": ENERGY, "where": where, "group_by": {"fields": ["a", "b"]}},
                      "a": {"of": ENERGY, "where": where, "group_by": {"fields": ["a", "b"] if same else ["a"]}},
                      "b": {"of": ENERGY, "where": where, "group_by": {"fields": ["b"]}, "sum": "s"}}
        base = _base(records)
        base.lean_of = None if lean is None else (lambda kind, lean=lean: lean)
        run_declarations(base, None, (), tuple(_declare([], aggregates)[1].values()), DATES)  # type: ignore[arg-type]
        made_ab = [held for kind, held in alive if kind == "agg.ab"]
        assert made_ab and after[0] == [same] and all(held == [same] for held in made_ab), (same, lean)
        assert after[-1] == [False] * len(found)


def test_a_list_or_mapping_in_a_grouped_field_puts_its_record_in_no_group_and_the_rest_are_grouped_as_without_it():
    """A record whose grouped field holds a list or a mapping (a hostile bundle) is in no group, as a record missing
    the field is; the other records' groups are those made without it, and no later aggregate reads groups that
    left it out for a field it does not group by."""
    rng = random.Random(11)
    records = [(ENERGY, {"a": rng.choice(["x", "y", 1]), "b": rng.choice(["p", "q"]), "c": "keep", "s": 1.5})
               for _ in range(300)]
    odd = {7: ["x"], 40: {"x": 1}, 41: [], 299: {"k": ["v"]}}
    hostile = [(kind, {**r, "b": odd[i]} if i in odd else r) for i, (kind, r) in enumerate(records)]
    aggregates = {"ab": {"of": ENERGY, "where": {"c": "keep"}, "group_by": {"fields": ["a", "b"]}, "sum": "s"},
                  "a": {"of": ENERGY, "where": {"c": "keep"}, "group_by": {"fields": ["a"]}},
                  "ab_all": {"of": ENERGY, "group_by": {"fields": ["b", "a"]}}}
    got = _aggregated(hostile, aggregates, None)
    without = _aggregated([(kind, {k: v for k, v in r.items() if k != "b"}) if i in odd else (kind, r)
                           for i, (kind, r) in enumerate(hostile)], aggregates, None)
    assert got == without  # (the same facts as records missing the field: "a" still counts every record)
    counts = {dict(fields)["key"]: dict(fields)["count"] for fields, *_ in got if dict(fields)["kind"] == "agg.a"}
    assert sum(counts.values()) == 300
