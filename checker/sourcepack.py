"""The sources of a large kind's facts packed as columns once the facts are built (memory).

A fact's source (``checker.factbase.FactSource``) is an object of eleven fields, ~120 bytes, most of
them the same for every fact of a kind (its kind, file, document, derived names …) or already held
elsewhere (its fact is in the fact list at the same place).  Once the derive stage has run, nothing
changes a source any more, so the sources of each kind with at least ``PACK_FROM`` facts, numbered
without a gap, are packed (``pack``): a field every fact shares is held once, the others as a list by
position, and each of the kind's places in ``PackedSources`` holds the kind's ``Block``.  Reading a
place (``[]``, ``get``, ``values``, ``items``) makes that fact's source again, equal field by field to
the one packed: 16 bytes a fact instead of ~120 for a table's rows (at 180k ledger records, 720k facts
and aggregates).  A value written on a source read back is not kept: the only writes after the
facts are built are a key's cache (``FactSource.key``, computed again when read) and a released fact
(``RELEASED`` in the fact list: read back as no fact).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from itertools import repeat
from typing import Any

from .idlist import IdList

PACK_FROM = 1024  # facts of a kind, from which their sources are packed
RELEASED: dict = {}  # the place of a fact whose engine copy was released (``checker.check._release``)
_ABSENT: Any = object()


class Block:
    """The sources of one kind's facts, numbered ``first + 1`` … ``first + count``, packed as columns."""

    __slots__ = ("count", "facts", "fields", "first", "make")

    def __init__(self, make: Callable[..., Any], fields: dict[str, Any], facts: list, first: int, count: int):
        self.make, self.fields, self.facts, self.first, self.count = make, fields, facts, first, count

    def unpack(self, index: int) -> Any:
        """The source of the fact at ``index`` in the fact list."""
        k = index - self.first
        values = {name: (column[k] if type(column) is _Column else column) for name, column in self.fields.items()}
        if "fact" not in values:
            fact = self.facts[index]
            values["fact"] = None if fact is RELEASED else fact
        if "row" not in values:
            values["row"] = k
        return self.make(**values)


class _Column(list):
    """A field's values by position in a ``Block`` (a list apart from a shared value that is a list)."""

    __slots__ = ()


class PackedSources(IdList):
    """``IdList`` whose places may hold a ``Block``: read, such a place is made its source again."""

    __slots__ = ()

    def __getitem__(self, fid: str) -> Any:
        value = IdList.__getitem__(self, fid)
        return value.unpack(int(fid) - 1) if type(value) is Block else value

    def get(self, fid: str, default: Any = None) -> Any:
        value = IdList.get(self, fid, _ABSENT)
        if value is _ABSENT:
            return default
        return value.unpack(int(fid) - 1) if type(value) is Block else value

    def values(self) -> Iterator[Any]:
        return (value.unpack(i) if type(value) is Block else value
                for i, value in enumerate(self._items) if value is not None)

    def items(self) -> Iterator[tuple[str, Any]]:
        return ((str(i + 1), value.unpack(i) if type(value) is Block else value)
                for i, value in enumerate(self._items) if value is not None)


def pack(sources: IdList, facts: list, by_kind: dict[str, list[str]], fields: tuple[str, ...],
         make: Callable[..., Any]) -> PackedSources:
    """``sources`` with the sources of every kind of ``PACK_FROM`` facts or more, numbered without a gap,
    packed (see the module); ``fields``: a source's fields, ``make`` makes one from them."""
    packed = PackedSources()
    packed._items, packed._count = sources._items, sources._count
    items = packed._items
    for fids in by_kind.values():
        count = len(fids)
        if count < PACK_FROM or int(fids[-1]) - int(fids[0]) != count - 1:
            continue
        first = int(fids[0]) - 1
        block = _block(items[first:first + count], facts, first, fields, make)
        if block is not None:
            items[first:first + count] = repeat(block, count)
    return packed


def _block(rows: list, facts: list, first: int, fields: tuple[str, ...], make: Callable[..., Any]) -> Block | None:
    """The ``Block`` of the sources ``rows`` (None: one is missing or already packed)."""
    if None in rows or any(type(row) is Block for row in rows):
        return None
    packed: dict[str, Any] = {}
    for name in fields:
        column = list(map(operator.attrgetter(name), rows))
        if name == "fact" and all(map(operator.is_, column, facts[first:first + len(rows)])):
            continue  # the fact list holds them (``Block.unpack``)
        if name == "row" and column == list(range(len(rows))):
            continue
        head = column[0]
        packed[name] = head if all(map(operator.is_, column, repeat(head))) else _Column(column)
    return Block(make, packed, facts, first, len(rows))


def release(sources: IdList, facts: list, whole: set[str]) -> None:
    """Each fact with no derived value whose kind is not in ``whole`` replaced by ``RELEASED`` in ``facts``,
    its source's fact then None (``checker.check._release``)."""
    items = sources._items
    for i, fact in enumerate(facts):
        if fact["kind"] in whole:
            continue
        j = int(fact["id"]) - 1
        src = items[j]
        if type(src) is Block:
            names = src.fields["names"]
            if (names[j - src.first] if type(names) is _Column else names) is None:
                facts[i] = RELEASED
        elif src.names is None:
            src.fact = None
            facts[i] = RELEASED


def only_kinds(sources: IdList, by_kind: dict[str, list[str]]) -> PackedSources:
    """The sources of the facts of ``by_kind`` only, packed or not as they were (``checker.check._let_go``)."""
    out = PackedSources()
    items = sources._items
    for fids in by_kind.values():
        for fid in fids:
            IdList.__setitem__(out, fid, items[int(fid) - 1])
    return out
