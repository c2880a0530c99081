"""``convert`` and ``product`` (checker.derivations) over a kind's columns: every row's factors
multiplied and brought to the declared unit, the conversion factor - or the unit problem - computed
once per distinct combination of unit texts (checker.quantities, pint), so that a ledger whose units
take a handful of values calls pint a handful of times."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from itertools import compress, islice, repeat
from operator import and_, getitem, is_, mul, not_, or_
from typing import Any

from .columns import ABSENT as _ABSENT
from .columns import Columns, Once
from .conditions import engine_field
from .packmodel import UNIT_ERROR, Derived
from .quantities import UnitProblem, factor, rounded_each


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
    combination as it is first met (one unit field: by its value, no tuple a row); a list or mapping
    where a unit should be: ``_CHECK``."""
    try:
        if len(unit_fields) == 1 and unit_fields[0]:
            return list(map(Once(lambda unit: _scale_of((unit,), unit_fields, to)).__getitem__, unit_columns[0]))
        return list(map(Once(lambda units: _scale_of(units, unit_fields, to)).__getitem__,
                        _unit_rows(unit_columns, unit_fields, count)))
    except TypeError:  # something unhashable where a unit should be: row by row
        pass
    known: dict = {}
    out = []
    for units in _unit_rows(unit_columns, unit_fields, count):
        try:
            scale = known.get(units)
            if scale is None:
                scale = known[units] = _scale_of(units, unit_fields, to)
        except TypeError:
            scale = _CHECK
        out.append(scale)
    return out


def _unit_rows(unit_columns: list, unit_fields: list[str | None], count: int) -> Iterable[tuple]:
    """Each row's unit texts (None for a factor without a unit field), one at a time."""
    return islice(zip(*unit_columns, strict=False), count) if unit_fields else repeat((), count)


def _rounded_where(products: list[float], kept: list) -> list:
    """Each product ``kept`` rounded (``rounded_each``), ``_ABSENT`` where it is not kept (those are never rounded)."""
    if all(kept):
        return rounded_each(products)
    values = [_ABSENT] * len(products)
    deque(map(values.__setitem__, compress(range(len(products)), kept), rounded_each(list(compress(products, kept)))),
          maxlen=0)
    return values


def with_units(columns: Columns, d: Derived) -> None:
    """convert / product over the kind's columns, column by column: the conversion factor (or the unit problem) is
    computed once per distinct combination of unit texts, the factors multiplied in order as floats (as ``prod``
    with a start of 1.0 does), then by the row's factor.  A row whose value is missing, or whose unit is not text,
    gets ``_unusable``'s outcome (once per combination of the types of its values and units); a factor that is a
    problem, its text; a result that is not finite, that problem."""
    count, unit_fields = len(columns), [u for _, u in d.factors]
    value_columns = [columns.get(v) for v, _ in d.factors]
    unit_columns = [columns.get(u) if u else repeat(None) for u in unit_fields]
    scales = _scales(unit_columns, unit_fields, count, d.to)
    kinds = dict.fromkeys(scales)  # (the distinct outcomes: a factor, a problem's text or ``_CHECK``)
    products, given = _products(columns, value_columns)
    products = list(map(mul, products if products is not None else repeat(1.0, count),
                        map({s: s if type(s) is float else 1.0 for s in kinds}.__getitem__, scales)))
    target = engine_field(d.field)
    if given is None and all(type(s) is float for s in kinds) and all(map(math.isfinite, products)):
        kept: list = [True]  # (every row usable, every factor a number: no row's mask to make)
    else:
        usable = map({s: type(s) is float for s in kinds}.__getitem__, scales)
        kept = list(map(and_, usable if given is None else map(and_, usable, given), map(math.isfinite, products)))
    if all(kept):  # every row's product, no problem to note
        columns.set(target, rounded_each(products), types=frozenset(map(type, products[:1])))  # (floats)
        columns.set(target + UNIT_ERROR, [_ABSENT] * count)
        return
    values = _rounded_where(products, kept)
    errors = list(map(getitem, zip(map({s: _NOT_FINITE if type(s) is float else s for s in kinds}.__getitem__,
                                       scales), repeat(_ABSENT)), kept))
    if given is not None or _CHECK in kinds:  # (rows of ``_unusable``)
        checked = map(is_, scales, repeat(_CHECK))
        _unusable_rows(errors, value_columns, unit_columns, unit_fields, list(compress(
            range(count), checked if given is None else map(or_, checked, map(not_, given)))))
    columns.set(target, values)
    columns.set(target + UNIT_ERROR, errors)


def _products(columns: Columns, value_columns: list[list]) -> tuple[list | None, list | None]:
    """The factors of each row multiplied in order as floats (as ``prod`` with a start of 1.0 does; None: no factor),
    a value that is not a number as 1.0, and per row whether every value is a number - not a bool (None: every row)."""
    given: list | None = None
    products: list | None = None
    for column in value_columns:
        types = columns.types(column)
        if not types <= _NUMBER_TYPES:
            numbers = list(map(_NUMBER_TYPES.__contains__, map(type, column)))
            given = numbers if given is None else list(map(and_, given, numbers))
            column = list(map(getitem, zip(repeat(1.0), column, strict=False), numbers))  # (whole numbers kept)
        if products is not None:
            products = list(map(mul, products, column))
        elif int in types:  # (1.0 times a whole number: the float it is)
            products = list(map(mul, repeat(1.0), column))
        else:  # (1.0 times a float: that float; a column of floats only, once each value not a number is 1.0)
            products = column
    return products, given


def _unusable_rows(errors: list, value_columns: list[list], unit_columns: list, unit_fields: list[str | None],
                   rows: list[int]) -> None:
    """``_unusable`` of each of the ``rows`` into ``errors``, computed once per combination of the types of the
    row's values and units (all it looks at)."""
    read = [*value_columns, *(c for c, u in zip(unit_columns, unit_fields, strict=True) if u)]
    known: dict[tuple, Any] = {}
    for row, types in zip(rows, zip(*(map(type, map(c.__getitem__, rows)) for c in read), strict=True),
                          strict=True):
        problem = known.get(types, _UNSEEN)
        if problem is _UNSEEN:
            units = tuple(c[row] if u else None for c, u in zip(unit_columns, unit_fields, strict=True))
            problem = known[types] = _unusable(tuple(c[row] for c in value_columns), units, unit_fields)
        errors[row] = problem


_UNSEEN: Any = object()
