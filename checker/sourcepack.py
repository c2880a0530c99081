"""The sources of a large kind's facts packed as columns (memory).

A fact's source (``checker.factbase.FactSource``) is an object of eleven fields, ~120 bytes, most of
them the same for every fact of a kind (its kind, file, document, derived names …) or already held
elsewhere (its fact is in the fact list at the same place).  The sources of each kind with at least
``PACK_FROM`` facts, numbered without a gap, are packed (``pack``) once the record facts are made and
again once the derive stage has run: a field every fact shares is held once, the others as a list by
position, and each of the kind's places in ``PackedSources`` holds the kind's ``Block``.  Reading a
place (``[]``, ``get``, ``values``, ``items``) gives a view of it (``checker.packedsource``) whose fields
are read from, and written to, the block: 16 bytes a fact instead of ~120 for a table's rows (at 180k
ledger records, 360k rows).  A released fact is ``RELEASED`` in the fact list, read back as no fact.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Sequence
from itertools import repeat
from typing import Any

from .idlist import IdList

PACK_FROM = 1024  # facts of a kind, from which their sources are packed
RELEASED: dict = {}  # the place of a fact whose engine copy was released (``checker.check._release``)
_ABSENT: Any = object()


class Block:
    """The sources of one kind's facts, numbered ``first + 1`` … ``first + count``, packed as columns: ``fields``
    holds each field once (shared) or as a ``_Column``; a fact's source is its place in the fact list unless
    ``fact`` is there, its row its position unless ``row`` is.  ``make(block, k)`` reads the ``k``-th back."""

    __slots__ = ("count", "facts", "fields", "first", "make")

    def __init__(self, make: Callable[..., Any], fields: dict[str, Any], facts: list, first: int, count: int):
        self.make, self.fields, self.facts, self.first, self.count = make, fields, facts, first, count

    def unpack(self, index: int) -> Any:
        """The source of the fact at ``index`` in the fact list (``make``: a view of its place)."""
        return self.make(self, index - self.first)

    def get(self, name: str, k: int) -> Any:
        """The field ``name`` of the ``k``-th source."""
        column = self.fields.get(name, _ABSENT)
        if column is _ABSENT:
            if name == "row":
                return k
            fact = self.facts[self.first + k]
            return None if fact is RELEASED else fact
        return column[k] if type(column) is _Column else column

    def put(self, name: str, k: int, value: Any) -> None:
        """Set the field ``name`` of the ``k``-th source (a shared field becomes a column when it differs)."""
        column = self.fields.get(name, _ABSENT)
        if column is _ABSENT and name == "fact":
            self.facts[self.first + k] = RELEASED if value is None else value
            return
        if column is _ABSENT:  # (the row: its position until one differs)
            if value == k:
                return
            column = self.fields[name] = _Column(range(self.count))
        elif type(column) is not _Column:
            if column is value:
                return
            column = self.fields[name] = _Column(repeat(column, self.count))
        column[k] = value

    def column(self, name: str) -> Sequence:
        """The field ``name`` of every source, by position (``row`` held as the positions: a ``range``)."""
        column = self.fields.get(name, _ABSENT)
        if type(column) is _Column:
            return column
        if column is _ABSENT and name == "fact":  # (the fact list's, a released one read as None)
            facts = self.facts[self.first:self.first + self.count]
            return [None if f is RELEASED else f for f in facts] if any(map(operator.is_, facts, repeat(RELEASED))) \
                else facts
        if column is _ABSENT:
            return range(self.count) if name == "row" else [self.get(name, k) for k in range(self.count)]
        return [column] * self.count

    def settle(self) -> None:
        """Each field whose column holds one object for every source held once (a field every source was given
        anew, one by one: the same ``shown`` mapping)."""
        for name, column in list(self.fields.items()):
            if type(column) is _Column and column and all(map(operator.is_, column, repeat(column[0]))):
                self.fields[name] = column[0]


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
        elif type(items[first]) is Block:  # (packed before: what the derive stage set on it, settled)
            items[first].settle()
    return packed


def _block(rows: list, facts: list, first: int, fields: tuple[str, ...], make: Callable[..., Any]) -> Block | None:
    """The ``Block`` of the sources ``rows`` (None: one is missing or already packed)."""
    if any(map(operator.is_, rows, repeat(None))) or Block in set(map(type, rows)):
        return None
    packed: dict[str, Any] = {}
    for name in fields:
        column = list(map(operator.attrgetter(name), rows))
        if name == "fact" and all(map(operator.is_, column, facts[first:first + len(rows)])):
            continue  # the fact list holds them (``Block.unpack``)
        if name == "row" and all(map(operator.eq, column, range(len(rows)))):
            continue  # (read back as the position)
        packed[name] = _shared(column)
    return Block(make, packed, facts, first, len(rows))


def packs(sources: IdList, count: int) -> bool:
    """Whether ``count`` sources of a new kind are placed packed (``placed``)."""
    return count >= PACK_FROM and isinstance(sources, PackedSources)


def placed(sources: IdList, facts: list, first: int, fields: dict[str, Any], make: Callable[..., Any]) -> None:
    """The sources of the facts after ``first`` in ``facts`` (ids ``first + 1`` on) placed as one ``Block``, packed as
    ``pack`` packs them: ``fields`` each field by name, a list (by position) held once when it holds one object for
    every fact; the ``fact`` (in the fact list) and the ``row`` (the position) left out.  ``sources``: none held
    from ``first`` on."""
    count = len(facts) - first
    packed = {name: _shared(value) if type(value) is list else value for name, value in fields.items()}
    items = sources._items
    items.extend(repeat(None, first - len(items)))
    items[first:] = repeat(Block(make, packed, facts, first, count), count)
    sources._count += count


def _shared(column: list) -> Any:
    """A field's values held once when they are one object, else as a ``_Column`` (``_block``)."""
    head = column[0]
    return head if all(map(operator.is_, column, repeat(head))) else _Column(column)


def views(sources: IdList, name: str, wanted: Callable[[Any], bool]) -> Iterator[Any]:
    """Every source, as ``values`` gives them, but those of a ``Block`` whose field ``name`` is held once and not
    ``wanted`` (none of its sources would be) left out without making their views."""
    items = sources._items
    i, end = 0, len(items)
    while i < end:
        value = items[i]
        column = value.fields.get(name, _ABSENT) if type(value) is Block and value.first == i else _ABSENT
        if column is not _ABSENT and type(column) is not _Column and not wanted(column):
            i += value.count
            continue
        if value is not None:
            yield value.unpack(i) if type(value) is Block else value
        i += 1


def release(sources: IdList, facts: list, whole: set[str]) -> None:
    """Each fact with no derived value whose kind is not in ``whole`` replaced by ``RELEASED`` in ``facts``,
    its source's fact then None (``checker.check._release``)."""
    items = sources._items
    i = 0
    while i < len(facts):
        block = items[i] if i < len(items) else None
        if type(block) is Block and _listed_at(block, facts, i):  # a packed kind's facts at once
            i = _release_block(block, facts, whole)
            continue
        fact = facts[i]
        i += 1
        if fact["kind"] in whole:
            continue
        j = int(fact["id"]) - 1
        src = items[j]
        if type(src) is Block:
            if src.get("names", j - src.first) is None:
                facts[i - 1] = RELEASED
        elif src.names is None:
            src.fact = None
            facts[i - 1] = RELEASED


def _listed_at(block: Block, facts: list, i: int) -> bool:
    """Whether ``block`` starts at ``i`` and its facts are those of ``facts`` from there (``Block.get``)."""
    end = i + block.count
    return block.first == i and block.facts is facts and "fact" not in block.fields and type(
        block.fields.get("kind")) is str and facts[i]["id"] == str(i + 1) and facts[end - 1]["id"] == str(end)


def _release_block(block: Block, facts: list, whole: set[str]) -> int:
    """``release`` of a block's facts (``_listed_at``): those with no derived value, unless the kind is in ``whole``
    (a released one stays so); the place after the block."""
    first, end = block.first, block.first + block.count
    names = block.fields.get("names")
    if block.fields["kind"] in whole or (type(names) is not _Column and names is not None):
        return end
    if type(names) is not _Column:
        facts[first:end] = repeat(RELEASED, block.count)
    else:
        facts[first:end] = [RELEASED if n is None else f for f, n in zip(facts[first:end], names, strict=True)]
    return end


def only_kinds(sources: IdList, by_kind: dict[str, list[str]]) -> PackedSources:
    """The sources of the facts of ``by_kind`` only, packed or not as they were (``checker.check._let_go``)."""
    out = PackedSources()
    items = sources._items
    for fids in by_kind.values():
        for fid in fids:
            IdList.__setitem__(out, fid, items[int(fid) - 1])
    return out


def _whole_block(sources: IdList, fids: list[str]) -> Block | None:
    """The block the sources of ``fids`` are, all of it and nothing else (None: they are not one)."""
    items = sources._items
    block = items[int(fids[0]) - 1] if fids else None
    if type(block) is not Block or block.count != len(fids) or items[int(fids[-1]) - 1] is not block:
        return None
    return block


def facts_listed(sources: IdList, fids: list[str]) -> bool:
    """Whether the sources of ``fids`` are one block whose facts are read from the fact list (``Block.get``)."""
    block = _whole_block(sources, fids)
    return block is not None and "fact" not in block.fields


def each_distinct(sources: IdList, fids: list[str], name: str, change: Callable[[Any], Any]) -> bool:
    """The field ``name`` of the sources of ``fids`` replaced by ``change`` of it, computed once per distinct
    value (by identity), when they are one block (False: they are not; nothing is changed)."""
    block = _whole_block(sources, fids)
    if block is None:
        return False
    column = block.fields[name]
    if type(column) is not _Column:
        block.fields[name] = change(column)
        return True
    done: dict[int, Any] = {}
    out = [done[id(v)] if id(v) in done else done.setdefault(id(v), change(v)) for v in column]
    head = out[0]
    block.fields[name] = head if all(map(operator.is_, out, repeat(head))) else _Column(out)
    return True


def put_column(sources: IdList, fids: list[str], name: str, before: Sequence, after: list) -> None:
    """The field ``name`` of the sources of ``fids`` set to ``after`` (by position; ``before``: as it was): a whole
    block's at once (held once when one object), else each one that changed."""
    block = _whole_block(sources, fids)
    if block is not None and after:
        block.fields[name] = _shared(after)
        return
    for fid, old, new in zip(fids, before, after, strict=True):
        if new is not old:
            setattr(sources[fid], name, new)


def sources_of(sources: IdList, fids: list[str]) -> Sequence:
    """The sources of ``fids``, in order: those of a whole block as ``BlockSources`` (no lookup by id, no view held)."""
    block = _whole_block(sources, fids)
    if block is None:
        return [sources[fid] for fid in fids]
    return BlockSources(block)


class BlockSources(Sequence):
    """The sources of a whole ``Block``, by position, each view made as it is read and not held (memory: a view is
    ~40 bytes; a derive stage that held the views of every row of the ledger kinds held ~30 MB of them).  A field of
    every source is read straight from the block (``checker.packedsource.field``)."""

    __slots__ = ("block",)

    def __init__(self, block: Block):
        self.block = block

    def __len__(self) -> int:
        return self.block.count

    def __getitem__(self, k: Any) -> Any:
        block = self.block
        if isinstance(k, slice):
            return [block.make(block, i) for i in range(*k.indices(block.count))]
        i = operator.index(k)
        if i < 0:
            i += block.count
        if not 0 <= i < block.count:
            raise IndexError(k)
        return block.make(block, i)

    def __iter__(self) -> Iterator[Any]:
        return map(self.block.make, repeat(self.block, self.block.count), range(self.block.count))


def column_of(sources: IdList, fids: list[str], name: str) -> Sequence:
    """The field ``name`` of the sources of ``fids``, in order: a whole block's read straight from it."""
    block = _whole_block(sources, fids)
    return [getattr(sources[fid], name) for fid in fids] if block is None else block.column(name)
