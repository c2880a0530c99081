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
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import compress, repeat
from operator import add, ne, not_, sub
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
    return spec[1:].rsplit(_AT, 1)[0] if spec[0] == CLASS else spec[1:]  # (the last @: a constant has none)


@lru_cache(maxsize=1024)
def spec_constants(spec: str) -> tuple[int | float, ...]:
    """The constants of a class spec, ascending."""
    text = spec[1:].rsplit(_AT, 1)[1]
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
    """A number's place among the constants: the count of constants below it plus the count not above it (an
    ``int`` from 0 to twice their number; equal for two numbers exactly when every comparison with every constant
    gives the same); any other value its ``exact`` key, which is never an ``int`` (``projection._hashable`` keys
    only text and whole numbers by themselves, and a whole number is a number here)."""
    kind = type(value)
    if kind is int or (kind is float and math.isfinite(value)):
        return bisect_left(constants, value) + bisect_right(constants, value)
    return exact(value)


_NUMBER_TYPES = frozenset({int, float})


def class_keys(values: list, constants: tuple[int | float, ...], exact: Callable[[Any], Any]) -> list:
    """``class_key`` of each value, by C loops: the numbers' places by ``bisect`` over them all, the other values'
    keys one by one, the two merged back in order (no memo: a ledger's distinct values would fill one)."""
    numbers = list(map(_NUMBER_TYPES.__contains__, map(type, values)))  # (no bool: its type is bool)
    if all(numbers):
        return _places(values, constants, exact)
    if not any(numbers):
        return list(map(class_key, values, repeat(constants), repeat(exact)))
    given = list(compress(values, numbers))
    places = iter(_places(given, constants, exact))
    others = iter(list(map(class_key, compress(values, map(not_, numbers)), repeat(constants), repeat(exact))))
    return list(map(next, map((others, places).__getitem__, numbers)))


def _places(numbers: list, constants: tuple[int | float, ...], exact: Callable[[Any], Any]) -> list:
    """``class_key`` of numbers; when one is not finite (x - x is not 0: inf, nan), each by ``class_key``."""
    if any(map(ne, map(sub, numbers, numbers), repeat(0))):
        return list(map(class_key, numbers, repeat(constants), repeat(exact)))
    return list(map(add, map(bisect_left, repeat(constants), numbers), map(bisect_right, repeat(constants), numbers)))
