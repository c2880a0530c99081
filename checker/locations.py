"""Where a fact's evidence is, as a pseudo-field a derive step may read (``ref ... take: _at``): ``file:line``
for one source (``LOCATION``) or a column of them (``LOCATION_COLUMNS``), and a column of positions in a kind's
sources read that way (``located_column``)."""

from __future__ import annotations

import functools
import operator
from array import array
from collections.abc import Callable, Sequence
from itertools import repeat
from typing import Any

from .csvtable import TableContent
from .factbase import FactSource
from .packedsource import field
from .sourcepack import BlockSources


def _at(src: FactSource) -> str:
    """Where a fact's evidence is, as the reports write it: ``file:line`` (the file alone without a line)."""
    pos = src.document.position(src.pointer) if src.document is not None else None
    return f"{src.file}:{pos[0]}" if pos else src.file


def _at_column(sources: Sequence[FactSource]) -> list[str]:
    """``_at`` of each source; a row of a CSV table (pointer ``<records>/<n>``) is read straight from its
    table's line numbers (``TableContent``), the same place its ``position`` gives, without parsing a
    pointer per row."""
    out = []
    tables: dict[int, tuple[str, array, int] | None] = {}  # by id of the document's content
    for src in sources:
        doc = src.document
        content = doc.content if doc is not None else None
        if type(content) is TableContent:
            table = tables.get(id(content), _UNSEEN_TABLE)
            if table is _UNSEEN_TABLE:
                table = tables[id(content)] = (content.base + "/", content.lines, len(content.base) + 1)
            prefix, lines, skip = table
            if type(src.at) is int and src.at < len(lines):  # a row of the table by its position (``FactSource.at``)
                out.append(f"{src.file}:{lines[src.at]}")
                continue
            row = src.pointer[skip:]
            if src.pointer.startswith(prefix) and row.isdigit() and row.isascii() and int(row) < len(lines):
                out.append(f"{src.file}:{lines[int(row)]}")
                continue
        out.append(_at(src))
    return out


_UNSEEN_TABLE: Any = object()
# a pseudo-field a derive step may read (``ref ... take: _at``): where the fact's evidence is; the column of each
LOCATION: dict[str, Callable[[FactSource], Any]] = {"_at": _at}
LOCATION_COLUMNS: dict[str, Callable[[Sequence[FactSource]], list]] = {"_at": _at_column}


def located_column(name: str, partners: Sequence[FactSource]) -> tuple[Callable[[int], Any], Callable[[list], list]]:
    """A column of positions in ``partners`` read as ``LOCATION[name]`` of each (``Columns.set``): from their places
    when they share kind, file and document (a table's rows, whose sources are let go: ``checker.sourcepack``)."""
    head = partners[0] if partners else None
    source: Any = partners.__getitem__ if type(partners) is BlockSources else list(partners).__getitem__
    if head is not None and all(map(operator.is_, field(partners, "document"), repeat(head.document))) \
            and set(field(partners, "file")) == {head.file} and set(field(partners, "kind")) == {head.kind}:
        ats, make = field(partners, "at"), functools.partial(FactSource, head.kind, head.file)
        source = lambda position: make(ats[position], None, head.document, "")  # noqa: E731
    one, many = LOCATION[name], LOCATION_COLUMNS[name]
    return (lambda position: one(source(position)), lambda positions: many(list(map(source, positions))))
