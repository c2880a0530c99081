"""Subject groups made from column codes (``checker.feed.Planner._grouping``, issue 15): the codes of several
columns combined in one pass (``projection.combined``) group facts as the codes combined one column at a time
did, and groupings whose codes are the same share one partition, never one whose codes differ."""

from __future__ import annotations

import random
from array import array
from itertools import count, repeat
from operator import add, mul

import pytest

from checker.feed import Planner
from checker.projection import _codes, combined


def _one_at_a_time(codes: list[array], n: int) -> array:
    """The former way: each column's codes folded into the running code by arithmetic."""
    code = codes[0]
    for other in codes[1:]:
        first: dict = {}
        code = array("I", map(first.setdefault, map(add, map(mul, code, repeat(n)), other), count()))
    return code


@pytest.mark.parametrize("columns", [1, 2, 3, 5])
def test_combined_codes_are_those_folded_column_by_column(columns):
    rng = random.Random(columns)
    n = 500
    codes = [_codes([rng.randrange(k) for _ in range(n)]) for k in (3, 2, 40, 7, 2)[:columns]]
    assert combined(codes) == _one_at_a_time(codes, n)
    assert combined([]) is None


def _facts() -> list[dict]:
    rows = [{"kind": "r", "id": str(i + 1), "a": i % 3, "b": ("x", "y", "z")[i % 3], "c": i % 2, "d": 1}
            for i in range(12)]
    return [{"kind": "doc", "id": "13"}, *rows]


def test_groupings_with_the_same_codes_share_one_partition():
    planner = Planner(_facts())
    by_a, by_b, by_c = (planner._grouping("r", (spec,)) for spec in ("=a", "=b", "=c"))
    assert by_a is by_b and by_a is not by_c  # a and b part the facts alike, c otherwise
    assert [members for _, members in by_c] == [tuple(str(i + 1) for i in range(j, 12, 2)) for j in (0, 1)]
    everything = planner._grouping("r", ("=d",))
    assert planner._grouping("r", ("?d",)) is everything and everything[0][1] == tuple(map(str, range(1, 13)))
    for fields in (("=a",), ("=b",), ("=c",), ("=a", "=c"), ("=d",)):  # each as a planner of its own makes it
        assert planner._grouping("r", fields) == Planner(_facts())._grouping("r", fields)
    assert len(planner._grouping("r", ("=a", "=c"))) == 6


def test_facts_by_kind_in_runs_are_those_by_fact():
    """The planner's facts of each kind, read run by run of one kind (C loops), in fact order; their ids as text."""
    facts = [{"kind": k, "id": str(i + 1)} for i, k in enumerate("aabacccbab")]
    planner = Planner(facts)
    expected: dict = {}
    for fact in facts:
        expected.setdefault(fact["kind"], []).append(fact)
    assert planner.by_kind == expected and list(planner.by_kind) == ["a", "b", "c"]
    assert all(got is fact for k in expected for got, fact in zip(planner.by_kind[k], expected[k], strict=True))
    assert planner._ids("b") == ["3", "8", "10"] and planner._ids("z") == []
