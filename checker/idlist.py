"""A mapping keyed by fact ids, held as a list by the id's number.

``FactBase.add`` numbers facts ``"1"``, ``"2"`` … in the order they are made; their sources were a dict
keyed by those texts: at 180k records its table alone held ~7 MB more than a list of the same entries.
``IdList`` answers as that dict did (``[]``, ``get``, ``in``, ``len``, ``values``, ``items``, iteration in
the order of the numbers, ``KeyError`` for an id it does not hold); a key that is not such an id is never
held.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def _index(fid: Any) -> int:
    """The list index of a fact id (``"1"`` -> 0), or -1 for anything else."""
    if type(fid) is not str or not fid.isascii() or not fid.isdigit() or fid[0] == "0":
        return -1
    return int(fid) - 1


class IdList:
    __slots__ = ("_count", "_items")

    def __init__(self, pairs: Any = ()):
        self._items: list = []
        self._count = 0
        for fid, value in pairs:
            self[fid] = value

    def __getitem__(self, fid: str) -> Any:  # (``_index`` written out: the most frequent call)
        try:
            if fid.isdigit() and fid[0] != "0" and fid.isascii():
                value = self._items[int(fid) - 1]
                if value is not None:
                    return value
        except (AttributeError, IndexError):  # not a text; beyond the last id
            pass
        raise KeyError(fid)

    def __setitem__(self, fid: str, value: Any) -> None:
        i = _index(fid)
        if i < 0 or value is None:
            raise KeyError(fid)
        items = self._items
        if i >= len(items):
            items.extend([None] * (i + 1 - len(items)))
        if items[i] is None:
            self._count += 1
        items[i] = value

    def get(self, fid: str, default: Any = None) -> Any:
        i = _index(fid)
        value = self._items[i] if 0 <= i < len(self._items) else None
        return default if value is None else value

    def __contains__(self, fid: object) -> bool:
        return self.get(fid) is not None  # type: ignore[arg-type]

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[str]:
        return (str(i + 1) for i, value in enumerate(self._items) if value is not None)

    def keys(self) -> Iterator[str]:
        return iter(self)

    def values(self) -> Iterator[Any]:
        return (value for value in self._items if value is not None)

    def items(self) -> Iterator[tuple[str, Any]]:
        return ((str(i + 1), value) for i, value in enumerate(self._items) if value is not None)
