"""JSON pointers (RFC 6901) into parsed documents, and data that keeps where each value was written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Position = tuple[int, int]


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, token: str | int) -> str:
    return f"{base}/{escape_pointer_token(token)}"


def split_pointer(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


@dataclass
class Positioned:
    """Plain data with the position of each value, keyed by JSON pointer."""

    data: Any
    positions: dict[str, Position] = field(default_factory=dict)

    def values(self) -> int:
        """The values the document holds, counted as ``--max-values`` counts them (a scalar 1, a list or a
        mapping 2): by walking the data (``MarkedContent`` and a CSV table count theirs from their positions)."""
        count, stack = 0, [self.data]
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                count += 2
                stack.extend(value.values())
            elif isinstance(value, list):
                count += 2
                stack.extend(value)
            else:
                count += 1
        return count

    def position(self, pointer: str) -> Position | None:
        """Position of ``pointer``, or of its nearest ancestor that has one."""
        while True:
            if pointer in self.positions:
                return self.positions[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]
