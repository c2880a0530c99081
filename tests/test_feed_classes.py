"""The facts of a large kind read at every path its shadows read at once (``checker.projection.classes``, issue 15):
each grouping made from the classes' keys (``Classes.grouped``) must give the codes the paths' own codes combined
give (``column_codes``, ``combined``), and the planner the same sessions; paths whose values are not each its own
key (1 and 1.0, a list) and classes too many are left to the path-by-path codes."""

from __future__ import annotations

import random
from itertools import combinations

import pytest

from checker import projection
from checker.feed import Feed, Planner, shadow_kind
from checker.projection import classes, column_codes, combined

SPECS = ["=a", "=b", "=c", "=d", "?b", "?e", "=e"]


def _facts(rng: random.Random, n: int, mixed: bool = False) -> list[dict]:
    facts = []
    for i in range(n):
        fact = {"kind": "r", "id": str(i + 1), "a": rng.choice(["x", "y", 1, 7, None]), "c": rng.randrange(3),
                "d": rng.choice([0.5, 1.5, "0.5"]) if not mixed else rng.choice([1, 1.0, 2])}
        if rng.random() < 0.7:
            fact["b"] = rng.choice(["p", "q"])
        if rng.random() < 0.1:
            fact["e"] = rng.choice([False, 0]) if mixed else rng.choice([False, True])
        facts.append(fact)
    return facts


@pytest.mark.parametrize("seed", range(6))
def test_groupings_from_the_classes_are_the_paths_codes_combined(seed):
    rng = random.Random(seed)
    facts = _facts(rng, rng.choice([1, 5, 300, 2500]))
    made = classes(facts, SPECS)
    assert made is not None
    for size in (1, 2, 3, len(SPECS)):
        for fields in combinations(SPECS, size):
            expected = combined([c for c in (column_codes(facts, s) for s in fields) if c is not None])
            assert made.grouped(fields) == expected, fields


def test_values_one_of_another_type_could_equal_or_classes_too_many_are_read_path_by_path():
    rng = random.Random(1)
    assert classes(_facts(rng, 300, mixed=True), SPECS) is None  # (1 == 1.0, False == 0)
    assert classes([{"kind": "r", "id": "1", "a": [1]}, {"kind": "r", "id": "2", "a": [2]}], ["=a"]) is None
    many = [{"kind": "r", "id": str(i), "a": i} for i in range(5000)]
    assert classes(many, ["=a", "?a"]) is None
    assert set(projection.read_at_once({}, "r", many, ["=a", "?a"])) == {("r", "=a"), ("r", "?a")}


@pytest.mark.parametrize("seed", range(3))
def test_the_planner_gives_the_sessions_the_paths_codes_give(monkeypatch, seed):
    rng = random.Random(seed)
    facts = _facts(rng, 3000)
    shadows = tuple((shadow_kind("r", fields), "r", fields) for fields in
                    (("=a", "?b"), ("=c", "=d"), ("=a", "=b", "=c", "?e"), ("=d",)))
    feed = Feed(kinds=frozenset(), shadows=shadows, reads=tuple((f"b{i}", (s[0],)) for i, s in enumerate(shadows)),
                groups=frozenset(s[0] for s in shadows[:2]))

    def sessions() -> list:
        planner = Planner(facts, limit=1000)
        return [(s.facts, s.back, s.keep) for s in planner.sessions(feed)]

    made_by = projection.classes
    made_classes: list = []
    monkeypatch.setattr(projection, "classes", lambda *args: made_classes.append(made_by(*args)) or made_classes[-1])
    made = sessions()
    assert made_classes and all(c is not None for c in made_classes)
    used: list = []
    monkeypatch.setattr(projection, "classes", lambda *args: used.append(args) and None)
    assert made == sessions() and used  # (without the classes: each path's codes)
