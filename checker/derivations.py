"""Declared derived values (``derived:`` in a pack), added to the facts of their kind: ratios,
differences, composite keys, table lookups, types; computed generically here because the engine
cannot compute them (checker.facts calls ``derive`` once the facts are built)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Any

from .packmodel import Derived


def year_of(days: int) -> int:
    return (_dt.date(1970, 1, 1) + _dt.timedelta(days=days)).year


def _dotted(fact: dict, path: str) -> Any:
    value: Any = fact
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


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
    return all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in args)


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


_DERIVATIONS = {"join": _join, "lookup": _lookup, "type_of": _type_op, "number_of": _number_of,
                "ratio": _ratio, "year_diff": _year_diff, "abs_diff": _abs_diff}


def derive(base: Any, derived: Iterable[Derived]) -> None:
    """Add the declared derived values to the facts of their kind (absent when an input is).

    ratio, abs_diff, year_diff: numbers from two number fields.  join: the present values of the
    fields joined with "/" (a composite key).  lookup: the value the pack's table gives for a key
    field.  type_of: integer | number | boolean | text.  number_of: a number as is, true/false as
    1/0, a word of the pack's table as its number.
    """
    for d in derived:
        table = dict(d.table or ())
        compute = _DERIVATIONS.get(d.op, _abs_diff)
        for fid in base.of_kind(d.kind):
            fact = base.facts[int(fid) - 1]
            value = compute([_dotted(fact, arg) for arg in d.args], table)
            if value is not _ABSENT:
                fact[d.field] = value
