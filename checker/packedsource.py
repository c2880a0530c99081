"""A packed fact's source read back (``checker.sourcepack``): a small view of its place in its kind's
``Block`` that reads, and writes, each field there.  It answers as a ``checker.factbase.FactSource``
(the same fields and the same ``pointer``, ``derived``, ``derived_get``, ``key`` and ``values``), without
holding a copy of the fields: the derive stage and ``FactBase.narrow`` read and set the fields of every
row of a large kind through such views while the kind stays packed."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from .factbase import FactSource
from .sourcepack import Block, BlockSources

FIELDS = tuple(f.name for f in dataclasses.fields(FactSource))


class PackedSource:
    __slots__ = ("_block", "_k")

    def __init__(self, block: Block, k: int):
        self._block, self._k = block, k

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, (PackedSource, FactSource)):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in FIELDS)

    __hash__ = None  # type: ignore[assignment]  # (as a dataclass: mutable, unhashable)

    def __repr__(self) -> str:
        return f"PackedSource({', '.join(f'{name}={getattr(self, name)!r}' for name in FIELDS)})"

    # what a FactSource computes from its fields, from the same fields
    pointer = FactSource.pointer
    derived = FactSource.derived
    derived_get = FactSource.derived_get
    key = FactSource.key
    values = FactSource.values


def _field(name: str) -> property:
    def get(self: PackedSource) -> Any:
        return self._block.get(name, self._k)

    def put(self: PackedSource, value: Any) -> None:
        self._block.put(name, self._k, value)

    return property(get, put, doc=f"The source's ``{name}`` (``FactSource.{name}``), in its block.")


for _name in FIELDS:
    setattr(PackedSource, _name, _field(_name))


def block_of(sources: Sequence) -> Block | None:
    """The block ``sources`` are the views of, all of it in order (None: they are not)."""
    if type(sources) is BlockSources:
        return sources.block
    head = sources[0] if sources else None
    if type(head) is not PackedSource or head._k != 0 or head._block.count != len(sources):
        return None
    block = head._block
    last = sources[-1]
    return block if type(last) is PackedSource and last._block is block and last._k == len(sources) - 1 else None


def evidence(sources: Sequence) -> Sequence:
    """The evidence of each source (``data``), by position: a packed kind's straight from its block."""
    return field(sources, "data")


def field(sources: Sequence, name: str) -> Sequence:
    """The field ``name`` of each source, by position: a packed kind's straight from its block (``row`` held as
    the positions: a ``range``)."""
    block = block_of(sources)
    return block.column(name) if block is not None else [getattr(src, name) for src in sources]
