"""Values coded by what the engine's comparisons with number constants can tell apart (``checker.feed``'s
subject groups and shadows).

A pattern that reads a field only by comparing it with number constants (``$gt``, ``$gte``, ``$lt``, ``$lte``,
``$neq``, equality; and ``$ex`` / ``$nex``) matches two numbers alike when they lie on the same side of each
constant, or on it: to ``quantity > 0`` a ledger's 100k distinct quantities above 0 are one class, not 100k
projections, so the engine is given one fact for them (the first, with its own values) and its firing stands for
each.  Such a field is projected with a *class spec* ``<path@c1;c2…`` (``checker.shaping``) instead of ``=path``.

Only what certainly matches alike is put in one class: numbers (``int``, finite ``float``; no ``bool``) by their
place among the constants; any other value (text, a bool, a missing field, null, a list, a mapping, a number that
is not finite) by itself, as ``=path`` codes it.  Constants are numbers of magnitude below 2**52, so the engine's
comparisons in doubles and Python's exact ones agree for every number."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

CLASS = "<"  # the first character of a class spec
_AT, _SEMI = "@", ";"
_LIMIT = 2.0 ** 52  # constants below this magnitude only (doubles hold every integer below it)


def usable_constant(value: Any) -> bool:
    """Whether a pattern's constant can bound a class: a number (no bool), finite, of magnitude below 2**52."""
    return (type(value) is int or type(value) is float) and math.isfinite(value) and abs(value) < _LIMIT


def class_spec(path: str, constants: Iterable[int | float]) -> str:
    """The spec of ``path`` read by comparisons with ``constants`` (each written as ``repr`` reads it back)."""
    return f"{CLASS}{path}{_AT}{_SEMI.join(map(repr, sorted(set(constants))))}"


def spec_path(spec: str) -> str:
    """The field path of any spec (``=path``, ``?path`` or a class spec)."""
    return spec[1:].split(_AT, 1)[0] if spec[0] == CLASS else spec[1:]


@lru_cache(maxsize=1024)
def spec_constants(spec: str) -> tuple[int | float, ...]:
    """The constants of a class spec, ascending."""
    text = spec[1:].split(_AT, 1)[1]
    return tuple(sorted(int(c) if c.lstrip("-").isdigit() else float(c) for c in text.split(_SEMI) if c))


def merged_class(first: str, second: str) -> str:
    """One class spec of a path telling apart what either does (the union of their constants)."""
    return class_spec(spec_path(first), (*spec_constants(first), *spec_constants(second)))


class Classes(dict):
    """Each distinct value's class key (``class_key``), found when it is first looked up."""

    __slots__ = ("constants", "exact")

    def __init__(self, constants: tuple[int | float, ...], exact: Callable[[Any], Any]):
        super().__init__()
        self.constants, self.exact = constants, exact

    def __missing__(self, value: Any) -> Any:
        key = self[value] = class_key(value, self.constants, self.exact)
        return key


def class_key(value: Any, constants: tuple[int | float, ...], exact: Callable[[Any], Any]) -> Any:
    """A number's place among the constants (the position of the first constant not below it, and whether it
    equals that one); any other value its ``exact`` key.  The tuple's first item, ``<``, is no type's name, so a
    class never equals an exact key."""
    kind = type(value)
    if kind is int or (kind is float and math.isfinite(value)):
        at = bisect_left(constants, value)
        return (CLASS, at, at < len(constants) and constants[at] == value)
    return exact(value)


def class_keys(values: list, constants: tuple[int | float, ...], exact: Callable[[Any], Any],
               memo: Classes | None = None) -> list:
    """``class_key`` of each value: once per distinct value when that is safe (a bool equals 1 as a dict key, and
    a list or mapping is no key), else one by one."""
    types = set(map(type, values))
    if bool in types or list in types or dict in types:
        return [class_key(v, constants, exact) for v in values]
    return list(map((memo if memo is not None else Classes(constants, exact)).__getitem__, values))
