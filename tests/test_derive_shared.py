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

from .test_derive_columns import DATES, ENERGY, FACTORS, GHG, _declare, _same

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
    rows = [{"e": rng.choice(["a", "b", 1, 1.0, True]), "m": rng.choice([1, 2]), "g": rng.choice([1, 2, 3])}
            for _ in range(ROWS)]
    for i, data in enumerate(rows):
        base.add({"kind": ENERGY, **data}, FactSource(ENERGY, f"f{i}.csv", f"/records/{i}", data, None, f"r{i}"))
    derive = [{"kind": ENERGY, "field": "rank", "op": "occurrence", "args": args},
              {"kind": ENERGY, "field": "first_at", "op": "ref", "of": ENERGY, "match": {"e": "e", "m": "m"},
               "take": "_at"},
              {"kind": ENERGY, "field": "g_at", "op": "ref", "of": ENERGY, "match": {"e": "e", "g": "g"}, "take": "_at"},
              {"kind": ENERGY, "field": "g_rank", "op": "occurrence", "args": ["g", "m"]},
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
        assert fact["g_rank"] == min(len(seen["gm", (data["g"], data["m"])]), 3)
