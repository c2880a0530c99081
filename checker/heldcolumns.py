"""The derived values of a kind held as columns while the derive stage runs, and after it those no rule
condition reads (``checker.factbase.FactBase.narrow``): read by position in the kind (``HeldColumns``), a long one
as a small code a row into its distinct values (``Coded``, ``coded``)."""

from __future__ import annotations

import operator
from array import array
from collections.abc import Callable, Iterator
from itertools import repeat
from typing import Any

from .quantities import distinct_share, zeros_one_signed

UNSET: Any = object()  # a derived field not set on a fact


class HeldColumns:
    """The derived values of one kind held as columns, not on the facts (memory, time): those no rule
    condition reads (``FactBase.narrow``), by field (the rule-language name): the values by position in
    the kind (``skip``: not derived for that fact) and, where messages show them otherwise, those; a
    column may hold what its values are computed from when read (``Resolve``: where a partner's evidence is)."""

    __slots__ = ("columns",)

    def __init__(self) -> None:
        # label -> (engine name, values, shown, skip, resolve)
        self.columns: dict[str, tuple[str, Any, Any, Any, Resolve | None]] = {}  # (values, shown: list or Coded)

    def get(self, label: str, row: int) -> Any:
        """One held value as shown (``UNSET``: not derived for the fact at ``row``)."""
        column = self.columns.get(label)
        if column is None:
            return UNSET
        _, values, shown, skip, resolve = column
        if row >= len(values) or values[row] is skip:
            return UNSET
        if shown is not None:
            return shown[row]
        return values[row] if resolve is None else resolve[0](values[row])


# a held column's values computed when read: (one value, the values of a list) from what the column holds
Resolve = tuple[Callable[[Any], Any], Callable[[list], list]]


def resolved(values: list, skip: Any, resolve: Resolve | None) -> list:
    """A held column's values as they are read (``skip`` stays), as a list."""
    if resolve is None:
        return values if type(values) is list else list(values)
    positions = [i for i, v in enumerate(values) if v is not skip]
    out = list(values)
    for i, value in zip(positions, resolve[1]([values[i] for i in positions]), strict=True):
        out[i] = value
    return out


DROP: Any = object()  # a derived value shown as itself (``ShownSteps``)
SHARED_SHOWN = 4096


class ShownSteps:
    """The values a fact's messages show otherwise than its derived values (``FactSource.shown``), shared: a
    fact that had ``before`` once ``label`` is shown as ``shown`` (``DROP``: as its value) has the mapping this
    gives.  The mappings are never changed once made: facts that had one mapping and show the same object share
    the next one (memory: a date every row shows as text), up to ``SHARED_SHOWN`` steps."""

    __slots__ = ("keep", "steps")

    def __init__(self) -> None:
        self.steps: dict[tuple, dict[str, Any] | None] = {}
        self.keep: list[tuple] = []

    def __call__(self, before: dict[str, Any] | None, label: str, shown: Any) -> dict[str, Any] | None:
        if shown is DROP and not (before and label in before):
            return before
        if before is not None and shown is not DROP and before.get(label, DROP) is shown:
            return before
        step = (id(before), label, id(shown))
        after = self.steps.get(step, DROP)
        if after is DROP:
            if shown is DROP:
                after = {k: v for k, v in (before or {}).items() if k != label} or None
            else:
                after = {**(before or {}), label: shown}
            if len(self.steps) < SHARED_SHOWN:
                self.steps[step] = after
                self.keep.append((before, shown, after))  # kept alive: their ids are in the key
        return after


class Coded:
    """A long held column as one small code per row into its distinct values (``coded``; memory: 1 or 2
    bytes a row instead of an 8-byte reference): the same values, read by position or in order."""

    __slots__ = ("codes", "table")

    def __init__(self, codes: array, table: list):
        self.codes, self.table = codes, table

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, row: int) -> Any:
        return self.table[self.codes[row]]

    def __iter__(self) -> Iterator:
        return map(self.table.__getitem__, self.codes)


def coded(values: list | None, by_value: bool = False, types: frozenset[type] | None = None) -> Any:
    """``values`` as a ``Coded`` column when it is long and holds at most 65,536 distinct objects (told apart
    by identity, so every value read back is the object held) and, beyond 256, at most 3 for every 4 rows (else
    the codes and the table of objects take more room than the list); otherwise as it is.  ``by_value``: values
    that are equal may be read back as one of them (no one tells them apart by identity) - then, when no two
    equal values can differ (``_by_value``), they are told apart by value, which is quicker (``types``: the types of
    the values, when known), and a list of too many is given back with one object per distinct value (the first of
    its equals: memory)."""
    if values is None or type(values) is not list or len(values) < _CODE_FROM:
        return values
    if all(map(operator.is_, values, repeat(values[0]))):  # one object (a value every row has, nothing derived)
        return Coded(array("B", bytes(len(values))), [values[0]])
    most = min(65536, max(256, 3 * len(values) // 4))
    told = _told_by_value(values, types or frozenset(map(type, values))) if by_value else False
    if told is not False:
        done = _coded_by_value(values, told, most)
        if done is not None:
            return done
    keys = list(map(id, values))
    if _too_many(keys, most):
        return values
    distinct = dict(zip(keys, values, strict=True))  # (all alive in ``values``: ids are unique)
    if len(distinct) > most:
        return values
    table = list(distinct.values())
    if len(distinct) == 1:  # (one value, several objects equal to it)
        return Coded(array("B", bytes(len(values))), table)
    by_id = map(dict(zip(distinct, range(len(distinct)), strict=True)).__getitem__, keys)
    return Coded(array("B", bytes(by_id)) if len(distinct) <= 256 else array("H", list(by_id)), table)


_CODE_FROM = 1024  # rows of a held column, from which it is held ``Coded``


def _coded_by_value(values: list, told: bool | None, most: int) -> Any:
    """``coded`` by value (``told``: ``_told_by_value``), or None: to be coded by identity."""
    index: dict[Any, Any] = {}
    try:  # (each distinct value, the first of its equals, by value: one pass)
        if _too_many(values, most):
            return values
        firsts = list(map(index.setdefault, values, values))
    except TypeError:  # (a value unhashable: by identity)
        return None
    if told or _by_value(index, values):  # (each read back as the first of its equals)
        if len(index) > most:  # (more distinct values than coded: the list, one object per value - memory)
            return firsts
        index.update(zip(index, range(len(index)), strict=True))  # (each one's code, in the order first met)
        codes = map(index.__getitem__, firsts)
        return Coded(array("B", bytes(codes)) if len(index) <= 256 else array("H", codes), list(index))
    return values if len(index) > most else None  # (more distinct values than coded: as many objects at least)


def _too_many(values: list, most: int) -> bool:
    """Whether a sample shows the values (hashable) to be far more than ``most`` distinct ones (twice as many: a
    column all but all of whose values differ is never coded, and its distinct values are not counted)."""
    return distinct_share(values) * len(values) > 2 * most


def _by_value(distinct: dict, values: list) -> bool:
    """Whether the values of the list may be told apart by value, its ``distinct`` values (by value) for the whole
    (``coded``): when values that are equal are the same value to a reader - texts, whole numbers (no bool: True ==
    1), None and plain objects (equal only to themselves), or floats among texts, None and plain objects but no zeros
    of both signs (0.0 == -0.0)."""
    if set(map(type, distinct)) <= _NEVER_EQUAL:  # (no two values of these types are equal unless the same)
        return True
    types = set(map(type, values))  # (a value equal to another of another type is among the distinct ones' equals)
    return types <= _VALUE_CODED or (types <= _FLOAT_CODED and (0.0 not in distinct or zeros_one_signed(values)))


def _told_by_value(values: list, types: frozenset[type]) -> bool | None:
    """``_by_value`` told from the types of the values (``types``) before their distinct values are found: True or
    False; None where it cannot be (a value of another type than these may equal a text, None or a plain object)."""
    if types <= _VALUE_CODED:
        return True
    if types <= _FLOAT_CODED:  # (a value equal to a zero: a float, never among the texts, None and plain objects)
        return 0.0 not in values or zeros_one_signed(values)
    return None if types - _NEVER_EQUAL - _OTHERS else False  # (none of the others equals a text, None or an object)


_VALUE_CODED, _NEVER_EQUAL = frozenset({str, int, type(None), object}), frozenset({str, type(None), object})
_OTHERS = frozenset({int, float, bool, list, dict, tuple})
_FLOAT_CODED = frozenset({str, float, type(None), object})
