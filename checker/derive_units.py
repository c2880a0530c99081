"""``convert`` and ``product`` (checker.derivations) over a kind's columns: every row's factors
multiplied and brought to the declared unit, the conversion factor - or the unit problem - computed
once per distinct combination of unit texts (checker.quantities, pint), so that a ledger whose units
take a handful of values calls pint a handful of times."""

from __future__ import annotations

import math
from itertools import compress, islice, repeat
from math import prod
from operator import mul
from typing import Any

from .columns import ABSENT as _ABSENT
from .columns import Columns, rows
from .conditions import engine_field
from .packmodel import UNIT_ERROR, Derived
from .quantities import UnitProblem, factor, rounded


def _unusable(row: tuple, units: tuple, unit_fields: list[str | None]) -> Any:
    """None when every factor of a row is usable; ``_ABSENT`` when a value is missing (the result is
    absent), else the unit problem's text (the factors are looked at in order)."""
    for value, unit, unit_field in zip(row, units, unit_fields, strict=True):
        if type(value) is not float and type(value) is not int:
            return _ABSENT  # an input is missing: the value is absent (rules decide what that means)
        if unit_field and type(unit) is not str:
            reason = ("未给出单位", "no unit given") if unit is None else ("单位不是文本", "the unit is not text")
            return f"{reason[0]}（{unit_field}）/ {reason[1]} ({unit_field})"
    return None


def _scale(units: tuple, to: str | None) -> float | str:
    """The conversion factor of a combination of unit texts, or the unit problem's text."""
    try:
        return factor(units, to) if to is not None else 1.0
    except UnitProblem as e:
        return str(e)


_NOT_FINITE = str(UnitProblem("结果不是有限数 / the result is not a finite number"))


def _scale_of(units: tuple, unit_fields: list[str | None], to: str | None) -> Any:
    """What the stage does with a combination of unit texts: the factor (a float), the unit problem (a
    text), or ``_CHECK`` when a unit field holds no text (the row's own inputs decide the outcome)."""
    if not all(type(u) is str for u, f in zip(units, unit_fields, strict=True) if f):
        return _CHECK
    return _scale(units, to)


_CHECK = object()
_NUMBER_TYPES = frozenset({int, float})


def _scales(unit_columns: list, unit_fields: list[str | None], count: int, to: str | None) -> list:
    """Per row, what its combination of unit texts gives (``_scale_of``), computed once per distinct
    combination in the order they first appear (one unit field: by its value, no tuple a row); a list or mapping
    where a unit should be: ``_CHECK``."""
    try:
        if len(unit_fields) == 1 and unit_fields[0]:
            column = unit_columns[0]
            known = {unit: _scale_of((unit,), unit_fields, to) for unit in dict.fromkeys(column)}
            return list(map(known.__getitem__, column))
        unit_rows = _unit_rows(unit_columns, unit_fields, count)
        known = {units: _scale_of(units, unit_fields, to) for units in dict.fromkeys(unit_rows)}
        return list(map(known.__getitem__, unit_rows))
    except TypeError:  # something unhashable where a unit should be: row by row
        pass
    known, out = {}, []
    for units in _unit_rows(unit_columns, unit_fields, count):
        try:
            scale = known.get(units)
            if scale is None:
                scale = known[units] = _scale_of(units, unit_fields, to)
        except TypeError:
            scale = _CHECK
        out.append(scale)
    return out


def _unit_rows(unit_columns: list, unit_fields: list[str | None], count: int) -> list[tuple]:
    """Each row's unit texts (None for a factor without a unit field)."""
    return list(islice(zip(*unit_columns, strict=False), count)) if unit_fields else [()] * count


def _rounded_all(products: list[float]) -> list[float]:
    """Each product rounded, once per distinct product (memory: one float object per value); a zero on its
    own (it keeps its sign)."""
    known = {p: rounded(p) for p in dict.fromkeys(products) if p}
    return [known[p] if p else rounded(p) for p in products]


def with_units(columns: Columns, d: Derived) -> None:
    """convert / product over the kind's columns; the conversion factor (or the unit problem) is
    computed once per distinct combination of unit texts, the rows read as tuples of numbers."""
    unit_fields = [u for _, u in d.factors]
    count = len(columns)
    value_columns = [columns.get(v) for v, _ in d.factors]
    unit_columns = [columns.get(u) if u else repeat(None) for u in unit_fields]
    numbers = _NUMBER_TYPES.issuperset
    plain = all(columns.types(column) <= _NUMBER_TYPES for column in value_columns)  # no row to test
    scales = _scales(unit_columns, unit_fields, count, d.to)
    target = engine_field(d.field)
    if plain and _CHECK not in scales:  # every row's values numbers, its units a factor or a problem
        products, problems = _column_products(value_columns, scales, count)
        columns.set(target, products)
        columns.set(target + UNIT_ERROR, problems)
        return
    values: list = []
    errors: list = []
    known: dict[float, float] = {}  # each nonzero product rounded once (memory: one float object per value)
    for row, units, scale in zip(rows(value_columns, count), _unit_rows(unit_columns, unit_fields, count), scales,
                                 strict=False):
        if scale is _CHECK or not (plain or numbers(map(type, row))):
            values.append(_ABSENT)  # a missing value (absent) or a unit that is not text (its problem)
            errors.append(_unusable(row, units, unit_fields))
            continue
        if type(scale) is str:
            values.append(_ABSENT)
            errors.append(scale)
            continue
        result = prod(row, start=1.0) * scale  # (the factors multiplied in order, as floats)
        if math.isfinite(result):
            done = known.get(result) if result else None
            if done is None:
                done = rounded(result)
                if result:
                    known[result] = done
            values.append(done)
            errors.append(_ABSENT)
        else:
            values.append(_ABSENT)
            errors.append(_NOT_FINITE)
    columns.set(target, values)
    columns.set(target + UNIT_ERROR, errors)


def _column_products(value_columns: list[list], scales: list, count: int) -> tuple[list, list]:
    """``with_units``' values and unit problems when every value is a number and every row's units give a factor
    (a float) or a problem (a text), column by column: the factors multiplied in order, as floats (as ``prod``
    with a start of 1.0 does), then by the row's factor; a result that is not finite is a problem."""
    usable = [type(scale) is float for scale in scales]
    products: list = [1.0] * count
    for column in value_columns:
        products = list(map(mul, products, column))
    products = list(map(mul, products, scales if all(usable) else [s if u else 1.0 for s, u in zip(scales, usable,
                                                                                                      strict=True)]))
    finite = list(map(math.isfinite, products))
    if all(usable) and all(finite):  # every row's product, no problem to note
        return _rounded_all(products), [_ABSENT] * count
    kept = [u and f for u, f in zip(usable, finite, strict=True)]
    known = {p: rounded(p) for p in dict.fromkeys(compress(products, kept)) if p}  # once per distinct product
    values = [(known[p] if p else rounded(p)) if k else _ABSENT for p, k in zip(products, kept, strict=True)]
    errors = [_ABSENT if k else _NOT_FINITE if u else s for s, u, k in zip(scales, usable, kept, strict=True)]
    return values, errors
