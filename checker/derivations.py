"""Declared derived values (``derive:`` in a pack), added to the facts of their kind: ratios,
differences, sums, unit conversions and products, values taken from facts of another kind, decline
rates, composite keys, table lookups, types; computed generically here because the engine cannot
compute them (checker.aggregation runs them, with the aggregates, in dependency order).

Numbers that are computed (not copied) are rounded to 12 significant digits (``quantities.rounded``)
so that reports are byte-identical whatever the floating-point noise."""

from __future__ import annotations

import datetime as _dt
import functools
import math
import operator
import re
from collections.abc import Callable, Iterable
from typing import Any

from .conditions import engine_field
from .packmodel import UNIT_ERROR, UNIT_OPS, Aggregate, Derived
from .quantities import UnitProblem, factor, rounded


def year_of(days: int) -> int:
    return (_dt.date(1970, 1, 1) + _dt.timedelta(days=days)).year


def _dotted(fact: Any, path: str, engine: bool = True) -> Any:
    """The value at a field path of a fact (rule-language path: ``id`` is the evidence's ``id``; ``_id``
    is the fact's own id, ``_doc``/``_parent`` its document's and enclosing fact's)."""
    return (getter(path) if engine else _walk(tuple(path.split("."))))(fact)


def _walk(parts: tuple[str, ...]) -> Callable[[Any], Any]:
    def get(fact: Any) -> Any:
        value = fact
        for part in parts:
            if not isinstance(value, dict):
                return None
            value = value.get(part)
        return value
    return get


@functools.lru_cache(maxsize=1024)
def getter(path: str) -> Callable[[Any], Any]:
    """A function reading a rule-language field path from a fact (see ``_dotted``), built once per path."""
    if path == "_id":
        return operator.itemgetter("id")
    parts = tuple(engine_field(path).split("."))
    if len(parts) == 1:
        name = parts[0]
        return lambda fact: fact.get(name)
    return _walk(parts)


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


_ABSENT = object()  # a derived value that is not given (an input is missing or not usable)


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
    return year_of(int(a)) - int(b) if _numbers(args) else _ABSENT


def _abs_diff(args: list, table: dict) -> Any:
    a, b = args
    return round(abs(a - b), 9) if _numbers(args) else _ABSENT


def _rel_diff(args: list, table: dict) -> Any:
    a, b = args
    return rounded(abs(a - b) / abs(b)) if _numbers(args) and b else _ABSENT


def _exact(value: int | float) -> int | float:
    return value if type(value) is int else rounded(value)  # integers (years, counts) stay integers


def _sub(args: list, table: dict) -> Any:
    return _exact(args[0] - sum(args[1:])) if _numbers(args) else _ABSENT


def _add(args: list, table: dict) -> Any:
    return _exact(sum(args)) if _numbers(args) else _ABSENT


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
            return found if _scalar(found) else _ABSENT
    return _ABSENT


_DERIVATIONS = {"join": _join, "lookup": _lookup, "type_of": _type_op, "number_of": _number_of,
                "ratio": _ratio, "year_diff": _year_diff, "abs_diff": _abs_diff, "rel_diff": _rel_diff,
                "sub": _sub, "add": _add, "number_before": _number_before,
                "pick": _pick, "mentions": _mentions}


def derive(base: Any, derived: Iterable[Derived], aggregates: dict[str, Aggregate] | None = None) -> None:
    """Add the declared derived values to the facts of their kind, in the order given."""
    for d in derived:
        derive_one(base, d, aggregates or {})


def _facts(base: Any, kind: str) -> list[dict]:
    return [base.facts[int(fid) - 1] for fid in base.of_kind(kind)]


def derive_one(base: Any, d: Derived, aggregates: dict[str, Aggregate]) -> None:
    """Add one declared value to the facts of its kind (absent when an input is).

    ratio, abs_diff (|a − b|), rel_diff (|a − b| / |b|), sub (a − b − …), add (a + b + …), year_diff
    (calendar year of a date minus a year): numbers from number fields.  convert: a value in its unit
    expressed in ``to``; product: the product of the factors (a number field, or a value with its
    unit field) in ``to`` — on an unknown unit or a dimension mismatch ``<field>_unit_error`` is set
    to the reason instead.  ref: a field of the first fact of kind ``of`` (an aggregate kind too)
    whose ``match`` fields equal ours.  decline_rate: see ``_decline_rate``.  join: the present
    values of the fields joined with "/" (a composite key).  lookup: the value the pack's table gives
    for a key field.  type_of: integer | number | boolean | text.  number_of: a number as is,
    true/false as 1/0, a word of the pack's table as its number.
    """
    if d.op == "ref":
        _ref(base, d)
        return
    if d.op == "decline_rate":
        _decline_rate(base, d, aggregates)
        return
    if d.op in UNIT_OPS:
        _with_units(base, d)
        return
    table = dict(d.table or ())
    if d.op == "pick":
        table["take"] = d.take
    compute = _DERIVATIONS.get(d.op, _abs_diff)
    target = engine_field(d.field)
    reads = [getter(arg) for arg in d.args]
    for fact in _facts(base, d.kind):
        value = compute([get(fact) for get in reads], table)
        if value is not _ABSENT and (type(value) is not float or math.isfinite(value)):  # overflow: absent
            base.set_derived(fact, target, value)


def _with_units(base: Any, d: Derived) -> None:
    """convert / product on every fact of the kind (the conversion factor is computed once per
    combination of unit texts)."""
    reads = [(getter(v), getter(u) if u else None, u) for v, u in d.factors]
    target = engine_field(d.field)
    error_field = target + UNIT_ERROR
    for fact in _facts(base, d.kind):
        product = 1.0
        units: list[str | None] = []
        for get_value, get_unit, unit_field in reads:
            value = get_value(fact)
            if type(value) is not float and type(value) is not int:
                break  # an input is missing: the value is absent (rules decide what that means)
            product *= value
            unit = get_unit(fact) if get_unit else None
            if get_unit and type(unit) is not str:
                reason = ("未给出单位", "no unit given") if unit is None else ("单位不是文本", "the unit is not text")
                base.set_derived(fact, error_field, f"{reason[0]}（{unit_field}）/ {reason[1]} ({unit_field})")
                break
            units.append(unit)
        else:
            try:
                scale = factor(tuple(units), d.to) if d.to is not None else 1.0
                if not math.isfinite(product * scale):
                    raise UnitProblem("结果不是有限数 / the result is not a finite number")
                base.set_derived(fact, target, rounded(product * scale))
            except UnitProblem as e:
                base.set_derived(fact, error_field, str(e))


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def _ref(base: Any, d: Derived) -> None:
    """Copy ``take`` from the first fact of kind ``of`` (in fact order) whose ``match`` fields equal ours."""
    assert d.of is not None and d.take is not None
    theirs, ours = [m[0] for m in d.match], [m[1] for m in d.match]
    index: dict[tuple, tuple[Any, Any]] = {}
    for fact in _facts(base, d.of):
        key = tuple(_dotted(fact, f) for f in theirs)
        value = _dotted(fact, d.take)
        if all(_scalar(k) for k in key) and _scalar(value) and key not in index:
            shown = _dotted(base.sources[fact["id"]].values(), d.take, engine=False)  # as written (a date as text)
            index[key] = (value, shown if _scalar(shown) else value)
    target = engine_field(d.field)
    for fact in _facts(base, d.kind):
        hit = index.get(tuple(_dotted(fact, f) for f in ours))
        if hit is not None:
            base.set_derived(fact, target, *hit)


def _year(fact: dict) -> int | None:
    year = fact.get("year", fact.get("key"))
    if isinstance(year, float) and year.is_integer():
        year = int(year)
    if isinstance(year, str) and year.isdigit():
        year = int(year)
    return year if isinstance(year, int) and not isinstance(year, bool) else None


def _decline_rate(base: Any, d: Derived, aggregates: dict[str, Aggregate]) -> None:
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
    series: dict[tuple, list[tuple[int, Any, dict]]] = {}
    for fact in _facts(base, d.kind):
        year = _year(fact)
        if year is not None and fact.get("count") != 0:  # a year an aggregate has no record of is not present
            key = tuple(str(fact.get(f)) for f in others)
            series.setdefault(key, []).append((year, _dotted(fact, value_field), fact))
    target = engine_field(d.field)
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
        for _, _, fact in points:
            base.set_derived(fact, target, rate)
