"""Declared derived values (``derive:`` in a pack), added to the facts of their kind: ratios,
differences, sums, unit conversions and products, values taken from facts of another kind, decline
rates, composite keys, table lookups, types; computed generically here because the engine cannot
compute them (checker.aggregation runs them, with the aggregates, in dependency order).

Numbers that are computed (not copied) are rounded to 12 significant digits (``quantities.rounded``)
so that reports are byte-identical whatever the floating-point noise."""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable
from itertools import repeat
from operator import getitem, is_not
from typing import Any

from .columnops import finite_op, per_distinct, ratio_column, rel_diff_column
from .columns import ABSENT as _ABSENT
from .columns import Columns, ColumnStore, getter, rows
from .conditions import engine_field
from .derive_keys import occurrence, ref, scalar
from .derive_units import with_units
from .packmodel import UNIT_OPS, Aggregate, Derived
from .quantities import UnitProblem, dimension_text, rounded

__all__ = ["COLUMN_OPS", "derive_one", "getter", "year_of"]


def year_of(days: int) -> int:
    return (_dt.date(1970, 1, 1) + _dt.timedelta(days=days)).year


def year_column(columns: Columns) -> list[int | None]:
    """Each fact's year (its ``year``, else its ``key``: a whole number, or text of one) where it counts (an
    aggregate's year without records does not), else None."""
    counts = columns.raw("count")
    return [_year(key if year is None else year) if count != 0 else None
            for year, key, count in zip(columns.raw("year"), columns.raw("key"), counts, strict=True)]


def _year(year: Any) -> int | None:
    if isinstance(year, float) and year.is_integer():
        year = int(year)
    if isinstance(year, str) and year.isdigit():
        year = int(year)
    return year if isinstance(year, int) and not isinstance(year, bool) else None


def _type_of(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "text"
    return "other"


def _numbers(args: list) -> bool:
    return all(type(x) is float or type(x) is int for x in args)  # not bool (a subclass of int)


def _join(args: list, table: dict) -> Any:
    if not args or args[0] is None:
        return _ABSENT
    return "/".join(str(a) for a in args if a is not None and not isinstance(a, (dict, list)))


def _lookup(args: list, table: dict) -> Any:
    key = args[0]
    if isinstance(key, (str, int)) and not isinstance(key, bool) and str(key) in table:
        return table[str(key)]
    return _ABSENT


def _type_op(args: list, table: dict) -> Any:
    return _type_of(args[0]) or _ABSENT


def _number_of(args: list, table: dict) -> Any:
    v = args[0]
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str) and v.strip() in table:
        return table[v.strip()]
    return _ABSENT


def _ratio(args: list, table: dict) -> Any:
    a, b = args
    return round(a / b, 9) if _numbers(args) and b else _ABSENT


def _year_diff(args: list, table: dict) -> Any:
    a, b = args  # a is a date (epoch days), b a calendar year
    if not _numbers(args):
        return _ABSENT
    try:  # a day or year no calendar holds (1e20, inf) is no value, not a crash
        return year_of(int(a)) - int(b)
    except (OverflowError, ValueError):
        return _ABSENT


def _abs_diff(args: list, table: dict) -> Any:
    a, b = args
    return round(abs(a - b), 9) if _numbers(args) else _ABSENT


def _rel_diff(args: list, table: dict) -> Any:
    a, b = args
    return rounded(abs(a - b) / abs(b)) if _numbers(args) and b else _ABSENT


def _first_given(args: list, table: dict) -> Any:
    return next((a for a in args if a is not None), _ABSENT)  # the first of the fields that is given


def _on_or_before(args: list, table: dict) -> Any:
    a, b = args  # numbers, or dates (epoch days): 1 when a is not later than b, else 0
    return int(a <= b) if _numbers(args) else _ABSENT


def _exact(value: int | float) -> int | float:
    return value if type(value) is int else rounded(value)  # integers (years, counts) stay integers


def _sub(args: list, table: dict) -> Any:
    return _exact(args[0] - sum(args[1:])) if _numbers(args) else _ABSENT


def _add(args: list, table: dict) -> Any:
    return _exact(sum(args)) if _numbers(args) else _ABSENT


def _period_end(args: list, table: dict) -> Any:
    """The last day (epoch days) of the month ``args[1]`` of year ``args[0]``, or of the year when there is
    no month: the day by which a record of that period can hold measured data."""
    year, month = args[0], (args[1] if len(args) > 1 else None)
    if not _numbers([year]) or year != int(year) or not 1 <= year <= 9998:
        return _ABSENT
    if month is None:
        month = 12
    elif not _numbers([month]) or month != int(month) or not 1 <= month <= 12:
        return _ABSENT
    first_next = _dt.date(int(year) + (month == 12), int(month) % 12 + 1, 1)
    return (first_next - _dt.date(1970, 1, 1)).days - 1


def _dimension_of(args: list, table: dict) -> Any:
    """The dimension a unit text reads as (absent when it is not text or not a unit)."""
    try:
        return dimension_text(args[0]) if isinstance(args[0], str) else _ABSENT
    except UnitProblem:
        return _ABSENT


_FIGURE = r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*"


def _number_before(args: list, table: dict) -> Any:
    """The first number a text states immediately before the marker (``38`` of "合规性评价 38 项要求"
    for the marker "项"; thousands separators allowed; a percentage, marker "%", as a fraction: 12% →
    0.12), absent when the text states none."""
    text, marker = args[0], table.get("marker")
    if not isinstance(text, str) or not marker:
        return _ABSENT
    found = re.search(_FIGURE + re.escape(marker), text[:10000])
    if not found:
        return _ABSENT
    whole = found.group(1).replace(",", "")
    value = float(whole + found.group(2)) if found.group(2) else int(whole)
    return rounded(value / 100) if marker in ("%", "％") else value


def _mentions(args: list, table: dict) -> Any:
    """1 when the text, or one of the texts of a list, contains the marker; 0 when it does not;
    absent when there is no text."""
    value, marker = args[0], table.get("marker")
    texts = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]
    if not texts or not marker:
        return _ABSENT
    return int(any(marker in t for t in texts))


def _pick(args: list, table: dict) -> Any:
    """From a list of mappings, the ``take`` field of the first item whose ``key`` field equals
    ``value`` (absent when there is none)."""
    key, value, take = table.get("key"), table.get("value"), table.get("take")
    for item in args[0] if isinstance(args[0], list) else ():
        if isinstance(item, dict) and item.get(key) == value:
            found = item.get(take)
            return found if scalar(found) else _ABSENT
    return _ABSENT


_DERIVATIONS = {"join": _join, "lookup": _lookup, "type_of": _type_op, "number_of": _number_of,
                "ratio": _ratio, "year_diff": _year_diff, "abs_diff": _abs_diff, "rel_diff": _rel_diff,
                "sub": _sub, "add": _add, "period_end": _period_end,
                "dimension_of": _dimension_of, "first_given": _first_given,
                "number_before": _number_before, "pick": _pick, "mentions": _mentions,
                "on_or_before": _on_or_before}


def _first_given_column(columns: list[list], table: dict, types: list | None = None) -> list:
    """``first_given`` over whole columns: the first of the values that is given (each later column read only
    where none before it gives one)."""
    out = list(columns[0])
    for column in (*columns[1:], repeat(_ABSENT)):  # (row by row: the value so far where given, else the next one's)
        if None in out:
            out = list(map(getitem, zip(column, out, strict=False), map(is_not, out, repeat(None))))
    return out


# Columnar twins of the ops above: the same value for each row, computed over whole columns.
COLUMN_OPS: dict[str, Callable[..., list]] = {  # (columns, the pack's table, the types of each column)
    **{op: per_distinct(fn) for op, fn in _DERIVATIONS.items()}, "rel_diff": rel_diff_column, "ratio": ratio_column,
    "first_given": _first_given_column}
_OTHER_COLUMN_OP = per_distinct(_abs_diff)  # (an op of no other name - a pack lints its ops: made once, not a step)


def derive_one(base: Any, d: Derived, aggregates: dict[str, Aggregate], store: ColumnStore | None = None) -> None:
    """Add one declared value to the facts of its kind (absent when an input is), over its columns.

    ratio, abs_diff (|a − b|), rel_diff (|a − b| / |b|), sub (a − b − …), add (a + b + …), year_diff
    (calendar year of a date minus a year): numbers from number fields.  convert: a value in its unit
    expressed in ``to``; product: the product of the factors (a number field, or a value with its
    unit field) in ``to`` — on an unknown unit or a dimension mismatch ``<field>_unit_error`` is set
    to the reason instead.  ref: a field of the first fact of kind ``of`` (an aggregate kind too)
    whose ``match`` fields equal ours.  decline_rate: see ``_decline_rate``.  join: the present
    values of the fields joined with "/" (a composite key).  lookup: the value the pack's table gives
    for a key field.  type_of: integer | number | boolean | text.  number_of: a number as is,
    true/false as 1/0, a word of the pack's table as its number.  period_end: the last day of a
    record's month (or year) as a date.  dimension_of: the dimension of a unit text (absent when
    unreadable).  on_or_before: 1 when a number (or date) is not later than another, else 0.
    occurrence: the rank of a fact among those with the same values of the fields.
    """
    store = store or ColumnStore(base)
    if d.op == "ref":
        ref(store, d)
        return
    if d.op == "decline_rate":
        _decline_rate(store.kind(d.kind), d, aggregates)
        return
    if d.op == "occurrence":
        occurrence(store, d)
        return
    if d.op in ("window_sum", "window_decline"):
        _window(store.kind(d.kind), d)
        return
    columns = store.kind(d.kind)
    if d.op in UNIT_OPS:
        with_units(columns, d)
        return
    columns.set(engine_field(d.field), _generic(columns, d))


def _generic(columns: Columns, d: Derived) -> list:
    """The values of a row op (``_DERIVATIONS``) over the kind's columns (``COLUMN_OPS``), an overflowing result
    absent."""
    table = dict(d.table or ())
    if d.op == "pick":
        table["take"] = d.take
    read = [columns.get(arg) for arg in d.args]
    compute = _DERIVATIONS.get(d.op, _abs_diff)
    column_op = COLUMN_OPS.get(d.op) or _OTHER_COLUMN_OP
    if read:
        values = column_op(read, table, list(map(columns.types, read)))
        if finite_op(column_op):  # (a result that is not finite: absent already)
            return values
    else:
        values = [compute([], table) for _ in range(len(columns))]
    try:
        distinct: Any = set(values)
    except TypeError:  # a list or mapping among the values
        distinct = values
    if any(type(v) is float and not math.isfinite(v) for v in distinct):  # an overflowing result is absent
        values = [v if type(v) is not float or math.isfinite(v) else _ABSENT for v in values]
    return values


def _decline_rate(columns: Columns, d: Derived, aggregates: dict[str, Aggregate]) -> None:
    """Average annual decline of a value over the years present, as a fraction, set on every year's fact:

        decline = 1 − (last / first) ** (1 / (last_year − first_year))

    i.e. 1 − (last/first)^(1/(years − 1)) for consecutive years; negative when the value grows.  The
    value is the field named in ``args`` (default ``sum``); the year is the fact's ``year`` field or its
    integer ``key`` (a year without the value, or an aggregate's year without records, is not present).
    On an aggregate grouped by several fields, each combination of the fields other than ``year`` is a
    series of its own.  Absent for a series with fewer than two years present, a year given twice, a
    first value that is not positive or a last value that is negative."""
    value_field = d.args[0] if d.args else "sum"
    agg = aggregates.get(d.kind[len("agg."):]) if d.kind.startswith("agg.") else None
    others = [engine_field(f) for f, _ in agg.group_by_fields if f != "year"] if agg else []
    series: dict[tuple, list[tuple[int, Any, int]]] = {}
    keys = rows([[str(v) for v in columns.raw(f)] for f in others], len(columns))
    # a year an aggregate has no record of is not present (``year_column``)
    for position, (year, value, key) in enumerate(zip(year_column(columns), columns.get(value_field), keys,
                                                      strict=True)):
        if year is not None:
            series.setdefault(key, []).append((year, value, position))
    rates: list = [_ABSENT] * len(columns)
    for points in series.values():
        points.sort(key=lambda p: p[0])
        years = [p[0] for p in points]
        valued = [p for p in points if _numbers([p[1]])]  # a year without the value is not a year present
        if len(set(years)) != len(years) or len(valued) < 2:
            continue
        (first_year, first, _), (last_year, last, _) = valued[0], valued[-1]
        if first <= 0 or last < 0:
            continue
        rate = rounded(1 - (last / first) ** (1 / (last_year - first_year)))
        for _, _, position in points:
            rates[position] = rate
    columns.set(engine_field(d.field), rates)


def _window(columns: Columns, d: Derived) -> None:
    """Over the ``years`` years ending at each year's fact (years Y − n + 1 … Y of a per-year kind):
    ``window_sum`` — the sum of the value over the window, absent unless every year of it has the value;
    ``window_decline`` — the average annual decline from the window's first year to Y,
    1 − (v_Y / v_first)^(1 / (n − 1)), absent when either end lacks the value, the first is not positive
    or the last is negative.  A year given twice leaves its window absent."""
    n = d.years or 0
    if n < 2:
        return
    by_year: dict[int, list[tuple[Any, int]]] = {}
    for position, (year, value) in enumerate(zip(year_column(columns), columns.get(d.args[0]), strict=True)):
        if year is not None:
            by_year.setdefault(year, []).append((value, position))
    values = {y: pts[0][0] for y, pts in by_year.items() if len(pts) == 1 and _numbers([pts[0][0]])}
    out: list = [_ABSENT] * len(columns)
    for year, points in by_year.items():
        value = _window_value(d.op, [values.get(y) for y in range(year - n + 1, year + 1)])
        if value is not _ABSENT and len(points) == 1:
            out[points[0][1]] = value
    columns.set(engine_field(d.field), out)


def _window_value(op: str, window: list) -> Any:
    """``window_sum`` or ``window_decline`` over one window's values (None: a year without the value)."""
    if op == "window_sum":
        given = [v for v in window if v is not None]
        return _exact(sum(given)) if len(given) == len(window) else _ABSENT
    first, last = window[0], window[-1]
    if first is None or last is None or first <= 0 or last < 0:
        return _ABSENT
    return rounded(1 - (last / first) ** (1 / (len(window) - 1)))
