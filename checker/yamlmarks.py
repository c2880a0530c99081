"""Where each value of a parsed YAML/JSON document was written, stored compactly.

Containers (mappings and sequences) are numbered in the order they are completed (children before
their parent, so the document's root container comes last).  Per container one integer in
``codes``: where its entries' (line, column) pairs start in one flat array ``at`` of the whole
document, and its *shape* - its keys (a sequence: none) and its number of entries - shared by every
container with the same shape (the records of a list repeat theirs).  Per entry one integer in
``kids``: the number of the container that is its value (-1: a scalar, or an alias of a container
already recorded).  No JSON pointer is stored: ``own`` walks a pointer's tokens down from the root,
and answers exactly as a full map from pointer to position would.
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
        self.codes = array("q")  # per container, in completion order: (start in ``at``) << _SHIFT | shape
        self.kids = array("i")  # per entry, container after container: the container it holds, or -1
        self.shapes: list[tuple[tuple | dict | None, int]] = []  # (keys | {key: index} | None, entries)
        self.at = array("i")  # line, column of every entry, container after container
        self.root: Position | None = None
        self._shape_ids: dict[tuple, int] = {}

    def add(self, keys: tuple | dict | None, at: array, kids: array) -> int:
        """Record a container whose children are recorded already: its keys (None: a sequence), its
        entries' pairs and the containers they hold (``kids``); its number."""
        shape = (keys, len(at) // 2)
        sid = self._shape_ids.get(shape) if type(keys) is not dict else None
        if sid is None:
            sid = len(self.shapes)
            if sid > _MASK:
                raise ValueError("too many container shapes")
            self.shapes.append(shape)
            if type(keys) is not dict:
                self._shape_ids[shape] = sid
        self.codes.append((len(self.at) << _SHIFT) | sid)
        self.at.extend(at)
        self.kids.extend(kids)
        return len(self.codes) - 1

    def values(self) -> int:
        """The values held (a scalar 1, a list or mapping 2), from the entries and containers recorded."""
        return len(self.kids) + len(self.codes) + 1

    def sharing(self, data: Any) -> MarkedContent:
        """The same positions (never changed once parsed) for a copy of the data."""
        out = MarkedContent(data)
        out.codes, out.kids, out.shapes, out.at, out.root = self.codes, self.kids, self.shapes, self.at, self.root
        return out

    def _entry(self, container: int, token: str) -> int:
        """The index (in ``kids``; twice it in ``at``) of the entry ``token`` names in a container, or -1."""
        code = self.codes[container]
        keys, count = self.shapes[code & _MASK]
        if keys is None:
            if not token.isdigit() or (len(token) > 1 and token[0] == "0") or int(token) >= count:
                return -1
            i = int(token)
        else:
            key = token
            if "~" in token:
                key = token.replace("~1", "/").replace("~0", "~")
                if escape_pointer_token(key) != token:
                    return -1  # not written so by join_pointer
            i = keys.get(key, -1) if isinstance(keys, dict) else keys.index(key) if key in keys else -1
            if i < 0:
                return -1
        return (code >> _SHIFT) // 2 + i

    def own(self, pointer: str) -> Position | None:
        """The position recorded for exactly ``pointer`` (a pointer as ``join_pointer`` writes it)."""
        if not pointer:
            return self.root
        if pointer[0] != "/" or not self.codes:
            return None
        tokens = pointer[1:].split("/")
        container, last = len(self.codes) - 1, len(tokens) - 1
        for depth, token in enumerate(tokens):
            e = self._entry(container, token)
            if e < 0:
                return None
            if depth == last:
                return (self.at[2 * e], self.at[2 * e + 1])
            container = self.kids[e]
            if container < 0:
                return None
        return None

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
        at, kids = self.at, self.kids
        pending = [(len(self.codes) - 1, "")] if self.codes else []
        while pending:
            container, parent = pending.pop()
            code = self.codes[container]
            keys, count = self.shapes[code & _MASK]
            start = (code >> _SHIFT) // 2
            for i, token in enumerate(range(count) if keys is None else keys):
                pointer = join_pointer(parent, token)
                out[pointer] = (at[2 * (start + i)], at[2 * (start + i) + 1])
                if kids[start + i] >= 0:
                    pending.append((kids[start + i], pointer))
        if self.root is not None:
            out[""] = self.root
        return out

    @positions.setter
    def positions(self, value: dict) -> None:  # the dataclass initialiser sets it: ignored
        pass
