"""Fields read only by comparisons with number constants are coded by class (``checker.valueclass``, issue 15):
the engine is given one fact for all the subjects whose values lie alike among the constants.

The tests check the class keys against the comparisons themselves (equal keys: the same outcome for every
comparison with every constant), the reading of the compiled patterns (a field also read another way is never
classed), and, end to end, that the shaped feed gives the reference's results with every number of the evidence
moved onto, just beside or between the packs' own constants - where a wrong class would change a verdict."""

from __future__ import annotations

import math
import operator
import random
from pathlib import Path

import pytest

from checker import feed
from checker.compiler import compile_pack
from checker.feed import Planner
from checker.packs import get_pack
from checker.projection import MISSING, _distinct, _hashable, column_codes, columns_codes
from checker.schemas import load_schemas
from checker.shaping import constants_compared, merge_projections, projection, shape_branch
from checker.valueclass import class_key, class_keys, class_spec, spec_constants, spec_path, usable_constant
from tests.test_feed_adversarial import _load, _results  # (the shaped against the unshaped compilation)

ROOT = Path(__file__).resolve().parent.parent
_OPS = (operator.gt, operator.ge, operator.lt, operator.le, operator.eq, operator.ne)


def _outcomes(value, constants) -> tuple:
    return tuple(op(value, c) for c in constants for op in _OPS)


@pytest.mark.parametrize("seed", range(5))
def test_equal_class_keys_mean_equal_outcomes_of_every_comparison(seed):
    rng = random.Random(seed)
    constants = tuple(sorted({rng.choice([0, 1, 2, 0.05, 0.5, -1, 12, 2025, 1e-9, 0.1]) for _ in range(4)}))
    values = [*constants, *(math.nextafter(c, math.inf) for c in constants),
              *(math.nextafter(c, -math.inf) for c in constants), -0.0, 0.0, 1, 1.0, 10 ** 20, -(10 ** 20),
              math.inf, -math.inf, *(rng.uniform(-3, 3) for _ in range(200)), *(rng.randint(-3, 3) for _ in range(50))]
    by_key: dict = {}
    for v in values:
        by_key.setdefault(class_key(v, constants, _hashable), set()).add(_outcomes(v, constants))
    assert all(len(outcomes) == 1 for outcomes in by_key.values())
    # and as few classes as the constants allow: 2k + 1 places among k constants
    finite = [v for v in values if not isinstance(v, float) or math.isfinite(v)]
    assert len({class_key(v, constants, _hashable) for v in finite}) == 2 * len(constants) + 1


def test_values_that_are_not_numbers_are_keyed_by_themselves():
    constants = (0, 1)
    keys = [class_key(v, constants, _hashable) for v in (True, 1, "1", None, MISSING, math.nan, [1], {"a": 1})
            if not isinstance(v, (list, dict))]
    assert len(set(keys)) == len(keys)  # True is not 1, text is not a number, nan is its own
    assert class_key(True, constants, _hashable) == _hashable(True)
    # a bool never takes a number's memo entry (True == 1 as a dict key)
    assert class_keys([1, True, 1.0], constants, _hashable) == [class_key(1, constants, _hashable),
                                                                _hashable(True), class_key(1, constants, _hashable)]
    assert class_keys([[1], {"a": 2}], constants, _hashable) == [_hashable([1]), _hashable({"a": 2})]


@pytest.mark.parametrize("seed", range(4))
def test_class_keys_of_a_column_are_each_values_own(seed):
    """The C-loop path (numbers by bisect over them all, the others one by one, merged back) gives each value the
    key ``class_key`` gives it, whatever the mix."""
    rng = random.Random(seed)
    constants = (0, 0.01, 2)
    pool = [0, 0.0, -0.0, 0.01, 2, 2.0, 1, 0.5, -3, 10 ** 30, -(10 ** 30), True, False, "0", "x", None, MISSING,
            math.inf, -math.inf, math.nan, [0], {"a": 0}, *(rng.uniform(-1, 3) for _ in range(20))]
    for size in (1, 5, 200):
        for numbers_only in (False, True):
            values = [rng.choice(pool[:11] if numbers_only else pool) for _ in range(size)]
            assert class_keys(values, constants, _hashable) == [class_key(v, constants, _hashable) for v in values]


def test_constants_must_be_plain_finite_small_numbers():
    assert usable_constant(0) and usable_constant(-0.5) and usable_constant(2 ** 51)
    for bad in (True, "0", None, math.inf, math.nan, 2 ** 52, -(2.0 ** 60), [0]):
        assert not usable_constant(bad)


def test_class_specs_read_back():
    spec = class_spec("quantity", [1, 0.05, 0, 1, -2])
    assert spec == "<quantity@-2;0;0.05;1"
    assert spec_path(spec) == "quantity" and spec_constants(spec) == (-2, 0, 0.05, 1)
    assert type(spec_constants(spec)[1]) is int and spec_path("=a.b") == "a.b" and spec_path("?x") == "x"
    odd = class_spec("a@b", [0, 1.5])  # a field name with the separator in it reads back whole
    assert spec_path(odd) == "a@b" and spec_constants(odd) == (0, 1.5)


@pytest.mark.parametrize("expr,expected", [
    ({"$and": [{"kind": "k"}, {"$gt": {"q": 0}}, {"$lte": {"q": 1.5}}]}, [0, 1.5]),
    ({"$and": [{"kind": "k"}, {"$ex": {"q": 1}}, {"$or": [{"$nex": {"q": 1}}, {"q": 3}]}]}, [3]),
    ({"$and": [{"kind": "k"}, {"$neq": {"q": 2}}]}, [2]),
    ({"$and": [{"kind": "k"}, {"$lte": {"q": {"$m": "other"}}}]}, None),  # compared with another field
    ({"$and": [{"kind": "k"}, {"$gt": {"other": {"$m": "q"}}}, {"$gt": {"q": 0}}]}, None),
    ({"$and": [{"kind": "k"}, {"q": "电力"}]}, None),  # text equality: by value
    ({"$and": [{"kind": "k"}, {"$gt": {"q": True}}]}, None),
    ({"$and": [{"kind": "k"}, {"$mt": {"q": "^a"}}, {"$gt": {"q": 0}}]}, None),  # an operator of another kind
    ({"$and": [{"kind": "k"}, {"$gt": {"q": 2 ** 60}}]}, None),
    ({"$and": [{"kind": "k"}, {"$xx": {"q": 1}}, {"$gt": {"q": 0}}]}, None),  # an operator not known here
    ({"$and": [{"kind": "k"}, {"other": {"q": 1}}, {"$gt": {"q": 0}}]}, None),  # a path below another field
    ({"$and": [{"kind": "k"}, {"$gt": {"other": 0}}]}, []),  # not read at all here
])
def test_constants_compared_reads_only_comparisons_with_numbers(expr, expected):
    assert constants_compared(expr, "q") == expected


def test_a_subject_field_another_pattern_refers_to_stays_a_value():
    definition = {"all": [{"s": {"$and": [{"kind": "k"}, {"$gt": {"q": 0}}, {"$gt": {"r": 1}}]}},
                          {"p0": {"$and": [{"kind": "other"}, {"n": {"s": "q"}}]}}], "run": "x"}
    shaped = shape_branch("fail", definition)
    subject = next(iter(p["s"] for p in shaped.definition["all"] if "s" in p))
    name = subject["$and"][0]["kind"]
    assert "=q" in name and class_spec("r", [1]) in name


def test_merged_projections_keep_every_distinction():
    assert merge_projections(["<q@0", "<q@1"]) == ("<q@0;1",)
    assert merge_projections(["<q@0", "=q"]) == ("=q",) == merge_projections(["=q", "<q@0"])
    assert merge_projections(["?q", "<q@0"]) == ("<q@0",) == merge_projections(["<q@0", "?q"])
    assert projection({"q": "<q@0", "q.r": "?"}) == ("<q@0",)  # the value carried covers a path below it


def _ledger(n: int) -> list[dict]:
    rng = random.Random(n)
    rows = [{"kind": "r", "id": str(i + 2), "q": round(rng.uniform(0.001, 1000), 3)} for i in range(n)]
    rows[3]["q"], rows[5]["q"], rows[7]["q"] = 0, -1.5, True
    del rows[9]["q"]
    return [{"kind": "doc", "id": "1"}, *rows]


def test_distinct_quantities_make_one_group_each_side_of_the_constant():
    facts = _ledger(2000)
    spec = class_spec("q", [0])
    groups = Planner(facts)._grouping("r", (spec,))
    assert len(groups) == 5  # above 0; 0; below 0; True by itself; missing
    assert sorted(len(members) for _, members in groups) == [1, 1, 1, 1, 1996]
    # the same groups however the codes are made: column by column, all columns at once, or by projections
    rows = facts[1:]
    assert column_codes(rows, spec) == columns_codes(rows, [spec, "=q"])[0]
    shadows, members = _distinct(rows, "~r", (spec,))
    assert sorted(map(len, members.values())) == [1, 1, 1, 1, 1996]
    assert shadows[0]["q"] == rows[0]["q"]  # the first member stands for the group, with its own value


def _pack_constants(compiled) -> list:
    out: set = set()

    def walk(expr, under):
        if isinstance(expr, dict):
            for key, value in expr.items():
                if under and usable_constant(value):
                    out.add(value)
                walk(value, key in ("$gt", "$gte", "$lt", "$lte", "$neq") or not key.startswith("$"))
        elif isinstance(expr, list):
            for item in expr:
                walk(item, True)
    for ruleset in compiled.rulesets:
        walk(ruleset.definition, False)
    return sorted(out)


def _boundaries(constants: list, seed: int):
    """Every number of the evidence moved onto a constant, just beside one, or between two (seeded)."""
    near = [*constants, *(math.nextafter(c, math.inf) for c in constants),
            *(math.nextafter(c, -math.inf) for c in constants), *(c + 0.5 for c in constants), -0.0]

    def mutate(facts):
        rng = random.Random(seed)
        for fact in facts.facts:
            if fact["id"] == facts.bundle_id:
                continue
            for key, value in list(fact.items()):
                if key not in ("id", "kind") and type(value) in (int, float) and rng.random() < 0.7:
                    new = rng.choice(near)
                    fact[key] = int(new) if type(value) is int and float(new).is_integer() else new
    return mutate


@pytest.mark.parametrize("limit", [None, 16])
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("path,pack_id", [
    (ROOT / "rules" / "t-cpqs-zc001-2025" / "fixtures" / "base", "t-cpqs-zc001-2025"),
    (ROOT / "rules" / "t-seesa-010-2025" / "fixtures" / "base", "t-seesa-010-2025")], ids=["zc001", "seesa"])
def test_numbers_on_and_beside_the_packs_constants_give_the_reference_results(path, pack_id, seed, limit,
                                                                               monkeypatch):
    bundle = _load(path)
    compiled = compile_pack(get_pack(pack_id), load_schemas())
    specs = [s for r in compiled.rulesets for _, _, fields in r.feed.shadows for s in fields]
    assert any(s.startswith("<") for s in specs)  # the pack has classed fields: the probe tests them
    mutate = _boundaries(_pack_constants(compiled), seed)
    reference = _results(bundle, pack_id, False, mutate)
    if limit:
        monkeypatch.setattr(feed, "SESSION_FACTS", limit)
    assert _results(bundle, pack_id, True, mutate) == reference
