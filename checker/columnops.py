"""The column twins of the derive stage's row ops (checker.derivations): each row's value, over whole columns.

``rel_diff`` and ``ratio`` of columns of numbers are computed by C loops over the rows every input of which is a
number (no bool) and whose divisor is not zero, absent elsewhere (as the row op gives); the other ops once per
distinct row (``per_distinct``).  A result that is not finite is absent (``finite_op``)."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from itertools import compress, repeat
from operator import and_, sub, truediv, truth
from typing import Any

from .columns import ABSENT, Once
from .quantities import rounded_each


def _usable(columns: list[list], types: list | None, divisor: list | None) -> list | None:
    """Per row, whether every column's value there is a number (no bool) and the ``divisor``'s (one of the columns)
    is not zero; None: every row (``types``: the types of each column's values, when known)."""
    keep: list | None = None
    for column, kinds in zip(columns, types or repeat(None), strict=False):
        if not _NUMBERS.issuperset(kinds if kinds is not None else set(map(type, column))):
            numbers = map(_NUMBERS.__contains__, map(type, column))
            keep = list(numbers) if keep is None else list(map(and_, keep, numbers))
    if divisor is not None and 0 in divisor:  # (a zero of either sign, or a bool: not kept)
        keep = list(map(truth, divisor)) if keep is None else list(map(and_, keep, map(truth, divisor)))
    return keep


def _over_numbers(fn: Callable[..., list], columns: list[list], types: list | None, divisor: list | None) -> list:
    """``fn`` of the columns' values at the rows ``_usable`` keeps (all their rows, or those rows' values only), a
    float that is not finite absent; ``ABSENT`` at the other rows."""
    keep = _usable(columns, types, divisor)
    values = fn(*columns) if keep is None else fn(*(list(compress(column, keep)) for column in columns))
    if not all(map(math.isfinite, values)):
        values = [v if math.isfinite(v) else ABSENT for v in values]
    if keep is None:
        return values
    out = [ABSENT] * len(keep)
    deque(map(out.__setitem__, compress(range(len(keep)), keep), values), maxlen=0)
    return out


def _rel_diffs(a_column: list, b_column: list) -> list:
    return rounded_each(list(map(truediv, map(abs, map(sub, a_column, b_column)), map(abs, b_column))))


def _ratios(a_column: list, b_column: list) -> list:
    return list(map(round, map(truediv, a_column, b_column), repeat(9)))


def rel_diff_column(columns: list[list], table: dict, types: list | None = None) -> list:
    """The ``rel_diff`` op (|a − b| / |b| rounded, where both are numbers and b is not zero) over whole columns."""
    return _over_numbers(_rel_diffs, columns, types, columns[1])


def ratio_column(columns: list[list], table: dict, types: list | None = None) -> list:
    """The ``ratio`` op (a / b rounded to 9 places, where both are numbers and b is not zero) over whole columns."""
    return _over_numbers(_ratios, columns, types, columns[1])


def _finite(value: Any) -> Any:
    """A derived value, or absent where it is a float that is not finite (an overflowing result)."""
    return ABSENT if type(value) is float and not math.isfinite(value) else value


def per_distinct(op: Callable[[list, dict], Any]) -> Callable[..., list]:
    """The column twin of a row op: computed once per distinct row, a result that is not finite absent
    (``finite_op``; ``types``: the types of each column's values, when known).  Rows are taken as equal by value
    when every column is ``_memo_safe`` (no op tells its equal values apart); otherwise a row of whole numbers
    only (years, months) is, and any other row (a float, whose zero has a sign; a bool, equal to 1) is computed on
    its own."""
    def twin(columns: list[list], table: dict, types: list | None = None) -> list:
        if all(map(_memo_safe, columns, types or repeat(None))):
            if len(columns) == 1:  # (no row tuples)
                return list(map(Once(lambda value: _finite(op([value], table))).__getitem__, columns[0]))
            return list(map(Once(lambda row: _finite(op(list(row), table))).__getitem__, zip(*columns, strict=True)))
        done: dict[tuple, Any] = {}
        out = []
        for row in zip(*columns, strict=True):
            value = done.get(row, _UNSEEN) if _INTEGERS.issuperset(map(type, row)) else _OWN
            if value is _UNSEEN:
                value = done[row] = _finite(op(list(row), table))
            elif value is _OWN:
                value = _finite(op(list(row), table))
            out.append(value)
        return out
    _FINITE_OPS.add(twin)
    return twin


_FINITE_OPS: set[Callable] = {rel_diff_column, ratio_column}


def finite_op(column_op: Callable) -> bool:
    """Whether a column op (``per_distinct``, ``rel_diff_column``, ``ratio_column``) gives no float that is not
    finite."""
    return column_op in _FINITE_OPS


def _memo_safe(column: list, types: frozenset[type] | None = None) -> bool:
    """Whether values of the column that are equal are the same to any op: texts, whole numbers and None
    (no bool: True == 1), or floats without a zero (0.0 == -0.0) and without whole numbers (1.0 == 1)."""
    kinds = types or set(map(type, column))
    if _TEXT_INTEGERS.issuperset(kinds):
        return True
    return _TEXT_FLOATS.issuperset(kinds) and 0.0 not in column


_UNSEEN, _OWN = object(), object()
_NUMBERS = frozenset({int, float})  # (no bool)
_INTEGERS = frozenset({int})
_TEXT_INTEGERS, _TEXT_FLOATS = frozenset({int, str, type(None)}), frozenset({float, str, type(None)})

