"""Where each value of a parsed YAML/JSON document was written, stored compactly.

Per mapping or sequence (by its JSON pointer) one integer: where its entries' (line, column) pairs
start in one flat array of the whole document, and its *shape* - its keys (a sequence: none) and its
number of entries - shared by every container with the same shape (the records of a list repeat
theirs).  That is a pointer and a small integer per container instead of a tuple, a key tuple and an
array object each; ``position`` answers exactly as a full map from pointer to position would.
"""

from __future__ import annotations

from array import array
from typing import Any

from .pointers import Position, Positioned, escape_pointer_token, join_pointer

_SHIFT = 32  # a container's code: (where its pairs start in ``at``) << _SHIFT | its shape's index
_MASK = (1 << _SHIFT) - 1


class MarkedContent(Positioned):
    """Parsed data with the positions of its values (see the module)."""

    def __init__(self, data: Any = None):
        super().__init__(data, {})
        self.marks: dict[str, int] = {}  # container pointer -> code (_SHIFT)
        self.shapes: list[tuple[tuple | dict | None, int]] = []  # (keys | {key: index} | None, entries)
        self.at = array("i")  # line, column of every entry, container after container
        self.root: Position | None = None
        self._shape_ids: dict[tuple, int] = {}

    def add(self, pointer: str, keys: tuple | dict | None, at: array) -> None:
        """Record the container at ``pointer``: its keys (None: a sequence) and its entries' pairs."""
        shape = (keys, len(at) // 2)
        sid = self._shape_ids.get(shape) if type(keys) is not dict else None
        if sid is None:
            sid = len(self.shapes)
            if sid > _MASK:
                raise ValueError("too many container shapes")
            self.shapes.append(shape)
            if type(keys) is not dict:
                self._shape_ids[shape] = sid
        self.marks[pointer] = (len(self.at) << _SHIFT) | sid
        self.at.extend(at)

    def sharing(self, data: Any) -> MarkedContent:
        """The same positions (never changed once parsed) for a copy of the data."""
        out = MarkedContent(data)
        out.marks, out.shapes, out.at, out.root = self.marks, self.shapes, self.at, self.root
        return out

    def own(self, pointer: str) -> Position | None:
        """The position recorded for exactly ``pointer`` (a pointer as ``join_pointer`` writes it)."""
        if not pointer:
            return self.root
        if pointer[0] != "/":
            return None
        parent, _, token = pointer.rpartition("/")
        code = self.marks.get(parent)
        if code is None:
            return None
        keys, count = self.shapes[code & _MASK]
        if keys is None:
            if not token.isdigit() or (len(token) > 1 and token[0] == "0") or int(token) >= count:
                return None
            i = int(token)
        else:
            key = token
            if "~" in token:
                key = token.replace("~1", "/").replace("~0", "~")
                if escape_pointer_token(key) != token:
                    return None  # not written so by join_pointer
            i = keys.get(key, -1) if isinstance(keys, dict) else keys.index(key) if key in keys else -1
            if i < 0:
                return None
        j = (code >> _SHIFT) + 2 * i
        return (self.at[j], self.at[j + 1])

    def position(self, pointer: str) -> Position | None:
        """Position of ``pointer``, or of its nearest ancestor that has one."""
        while True:
            found = self.own(pointer)
            if found is not None:
                return found
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]

    @property
    def positions(self) -> dict[str, Position]:
        """The full map from pointer to position (built on demand: tests, small documents)."""
        out: dict[str, Position] = {}
        at = self.at
        for parent, code in self.marks.items():
            keys, count = self.shapes[code & _MASK]
            start = code >> _SHIFT
            for i, token in enumerate(range(count) if keys is None else keys):
                out[join_pointer(parent, token)] = (at[start + 2 * i], at[start + 2 * i + 1])
        if self.root is not None:
            out[""] = self.root
        return out

    @positions.setter
    def positions(self, value: dict) -> None:  # the dataclass initialiser sets it: ignored
        pass
