"""The derive stage's choice, from a sample, between a memo (once per distinct value) and plain C loops over a
whole column gives exactly what the row-by-row definition gives, on whichever path the data takes:

* rounding (``quantities.rounded_each``): ``rounded`` of each value, a zero with its sign, inf and nan as they round;
* ``rel_diff`` and ``ratio`` over columns (``columnops``): the row op's value where every input is a number (no
  bool) and the divisor is not zero, absent elsewhere and where the result is not finite;
* ``convert`` / ``product`` rows kept and not kept (``derive_units._rounded_where``);
* a held column coded (``heldcolumns.coded``): not counted where a sample shows far too many distinct values, coded
  where it shows few, by value where equal values are distinct objects;
* the sample's estimate (``quantities.distinct_share``) tells repeated columns from mostly distinct ones."""

from __future__ import annotations

import math
import random

import pytest

from checker import derivations
from checker.columnops import ratio_column, rel_diff_column
from checker.columns import ABSENT, Coded, coded
from checker.quantities import REPEATING, distinct_share, repeating, rounded, rounded_each

from .test_derive_columns import GHG, PRODUCT, _ghg, _same


def _bits(values: list) -> list:
    """Each value with its type and, for a float, its sign and whether it is nan (nan == nan is False)."""
    return [(type(v), v is ABSENT, math.copysign(1.0, v) if type(v) is float else None,
             type(v) is float and math.isnan(v), None if type(v) is float and math.isnan(v) else v) for v in values]


def _spread(count: int, seed: int) -> list[float]:
    """Floats nearly all distinct (a ledger's quantities), with zeros of both signs, inf and nan among them."""
    rng = random.Random(seed)
    values = [rng.uniform(-1e6, 1e6) * 1.0000000000001 for _ in range(count)]
    for i, special in zip(range(0, count, 97), [0.0, -0.0, math.inf, -math.inf, math.nan, 1e308, 5e-324] * count,
                          strict=False):
        values[i] = special
    return values


def _repeated(count: int, seed: int) -> list[float]:
    """Floats of a few hundred values (a ledger that repeats itself), zeros of both signs among them."""
    rng = random.Random(seed)
    pool = [rng.uniform(0, 1000) / 7 for _ in range(300)] + [0.0, -0.0, math.inf]
    return [rng.choice(pool) for _ in range(count)]


@pytest.mark.parametrize("count", [0, 1, 3000, 20000])
@pytest.mark.parametrize("make", [_spread, _repeated])
def test_each_value_is_rounded_as_rounded_rounds_it_on_either_path(count, make):
    values = make(count, count)
    assert repeating(values) == (make is _repeated and count > 1)  # (each path taken)
    assert _bits(rounded_each(values)) == _bits([rounded(v) for v in values])


@pytest.mark.parametrize("zeros", [[0.0], [-0.0], [0.0, -0.0]])
def test_repeated_values_are_rounded_into_one_object_each(zeros):
    """Memory: where values repeat, each distinct one is one object, the zeros too where they are of one sign."""
    rng = random.Random(len(zeros))
    values = [float(str(rng.choice([1.25, 2.5, 1e-9 / 3, *zeros]))) for _ in range(20000)]  # (distinct objects)
    done = rounded_each(values)
    assert _bits(done) == _bits([rounded(v) for v in values])
    assert len(set(map(id, done))) == (4 if len(zeros) == 1 else 3 + values.count(0.0))


def test_the_sample_tells_a_repeated_column_from_a_mostly_distinct_one():
    rng = random.Random(1)
    rows = 180000
    repeated = [rng.randrange(767) / 4 for _ in range(rows)]
    spread = [rng.randrange(rows) / 4 for _ in range(rows)]  # (about 63% distinct)
    distinct = [rng.random() for _ in range(rows)]
    half = [i // 2 for i in range(rows)]  # (50% distinct, each value twice in a row)
    assert distinct_share(repeated) < 0.05 and repeating(repeated)
    assert 0.3 < distinct_share(spread) < REPEATING and repeating(spread)
    assert distinct_share(distinct) > 0.95 and not repeating(distinct)
    assert 0.3 < distinct_share(half) <= 1.0
    assert distinct_share(list(range(1000))) == 1.0 and distinct_share([1.5] * 1000) == 1 / 1000


def _row_op(op: str, a_column: list, b_column: list) -> list:
    """The row op, row by row, a result that is not finite absent (the definition)."""
    out = []
    for a, b in zip(a_column, b_column, strict=True):
        value = derivations._DERIVATIONS[op]([a, b], {})
        out.append(ABSENT if value is derivations._ABSENT or (type(value) is float and not math.isfinite(value))
                   else value)
    return out


_ODD = [None, True, False, "3", 0, -0.0, 0.0, 7, 10 ** 20, [1], {"a": 1}, ABSENT]


@pytest.mark.parametrize("op, column_op", [("rel_diff", rel_diff_column), ("ratio", ratio_column)])
@pytest.mark.parametrize("odd", [(), _ODD[:1], _ODD])
@pytest.mark.parametrize("make", [_spread, _repeated])
def test_rel_diff_and_ratio_over_columns_are_the_row_values(op, column_op, odd, make):
    rng = random.Random(len(odd))
    a_column, b_column = make(6000, 3), make(6000, 4)
    for column in (a_column, b_column):
        for i in rng.sample(range(6000), 600):
            column[i] = rng.choice(odd or [column[i]])
    b_column[::50] = a_column[::50]  # (rows that agree: a difference of zero)
    want = _row_op(op, a_column, b_column)
    for types in (None, [frozenset(map(type, a_column)), frozenset(map(type, b_column))]):
        got = column_op([a_column, b_column], {}, types)
        assert _bits(got) == _bits(want)
    assert any(v is ABSENT for v in want) and any(v is not ABSENT for v in want)


@pytest.mark.parametrize("make", [_spread, _repeated])
def test_products_of_distinct_quantities_kept_or_not_are_the_per_record_values(make):
    """``product`` / ``convert`` over thousands of nearly all distinct quantities (rounded by C loops), rows kept and
    rows not (a unit of another dimension, a missing value, a product that is not finite)."""
    rng = random.Random(23)
    quantities = [v if math.isfinite(v) else 2.5 for v in make(3000, 9)]
    records = [_ghg(rng.choice([q, q, q, None, 1e300]), rng.choice(["MWh", "GJ", "m3", "万kWh"]),
                    rng.choice([0.5703, 1e10, 3]), "tCO2/MWh", 1) for q in quantities]
    convert = {"kind": GHG, "field": "mwh", "op": "convert", "args": ["activity", "activity_unit"], "to": "MWh"}
    ratio = {"kind": GHG, "field": "r", "op": "ratio", "args": ["expected", "mwh"]}
    deviation = {"kind": GHG, "field": "d", "op": "rel_diff", "args": ["mwh", "expected"]}
    facts = _same(records, [PRODUCT, convert, ratio, deviation]).facts
    assert sum("expected" in f for f in facts) > 1000 and any("expected_unit_error" in f for f in facts)
    assert any("mwh" in f for f in facts) and any("mwh_unit_error" in f for f in facts)
    assert sum("d" in f for f in facts) > 500 and any("r" in f for f in facts)


ROWS = 8192  # (long enough to be told from a sample of it; a shorter column: tests/test_derive_fastpaths.py)


@pytest.mark.parametrize("rows", [ROWS, 140000])  # (140,000: more than twice the most distinct values coded)
def test_equal_values_that_are_distinct_objects_are_coded_by_value_only(rows):
    """Equal values that are distinct objects (as computed by C loops): by value, a few codes; by identity, too many
    (told from a sample of them where they are that many)."""
    values = [float(str(i % 10 + 0.5)) for i in range(rows)]
    assert len(set(map(id, values))) > 3 * rows // 4
    held = coded(values, by_value=True)
    assert type(held) is Coded and len(held.table) == 10 and list(held) == values
    assert coded(values, by_value=False) is values
    spread = _spread(rows, 5)
    assert coded(spread, by_value=True) is spread and coded(spread) is spread


@pytest.mark.parametrize("zero", [0.0, -0.0])
def test_floats_whose_zeros_are_of_one_sign_are_coded_by_value(zero):
    rng = random.Random(29)
    values = [float(str(rng.choice([zero, 1.5, 2.25, 1e-7]))) for _ in range(ROWS)]  # (distinct objects)
    held = coded(values, by_value=True)
    assert type(held) is Coded and len(held.table) == 4 and _bits(list(held)) == _bits(values)
    values[17] = -zero  # (zeros of both signs: by identity, each one itself)
    assert coded(values, by_value=True) is values


def test_a_column_set_is_read_back_as_held_by_a_later_entry():
    """A later entry reads a column of repeated floats as set (its equal values one object each, ``Columns.set``)."""
    rng = random.Random(31)
    records = [_ghg(rng.choice([1.5, 2.5, 0.0, 1e3 / 7]), rng.choice(["MWh", "GJ"]), rng.choice([0.5703, 2.0]),
                    "tCO2/MWh", 1, emissions=rng.choice([1.0, 0.57, 3.25])) for _ in range(3000)]
    convert = {"kind": GHG, "field": "mwh", "op": "convert", "args": ["activity", "activity_unit"], "to": "MWh"}
    derive = [PRODUCT, convert, {"kind": GHG, "field": "d", "op": "rel_diff", "args": ["emissions", "expected"]},
              {"kind": GHG, "field": "s", "op": "sub", "args": ["mwh", "expected"]},
              {"kind": GHG, "field": "t", "op": "type_of", "args": ["mwh"]}]
    facts = _same(records, derive).facts
    assert {f.get("t") for f in facts} == {"number", "integer"} and any("d" in f for f in facts)
