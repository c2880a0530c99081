"""Read YAML and JSON text into plain Python data while keeping where every value was written.

Positions come from ruamel.yaml's round-trip loader.  The result is plain ``dict``/``list``/scalars
(safe to hand to jsonschema and to the fact builder) plus a map from JSON pointer to
``(line, column)``, both 1-based, so every later error can name the file, line and field.
"""

from __future__ import annotations

import datetime as _dt
import math
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .errors import InputError

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

    def position(self, pointer: str) -> Position | None:
        """Position of ``pointer``, or of its nearest ancestor that has one."""
        while True:
            if pointer in self.positions:
                return self.positions[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]


def decode_text(raw: bytes, name: str) -> str:
    """Decode UTF-8 (a BOM is allowed) or fail naming the line and column of the first bad byte."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8 "
            "(GBK/GB18030 files must be converted)", name, line, col) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError("contains a NUL character: binary data, not a text document", name, line)
    return text


def _yaml() -> YAML:
    y = YAML(typ="rt", pure=True)
    y.allow_duplicate_keys = False
    return y


@lru_cache(maxsize=1024)
def parse_yaml(text: str, name: str) -> Positioned:
    """Parse one YAML (or JSON) document from ``text``.  ``name`` is used in error messages.

    Results are memoised on (text, name): the same file is parsed once per process (rule cases
    re-read the same fixture files many times).  Treat the returned data as read-only.
    """
    try:
        docs = list(_yaml().load_all(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "malformed YAML").strip()
        problem = problem.replace("\n", " ")
        if "duplicate key" in str(exc).lower() or "found duplicate key" in problem:
            problem = "duplicate key " + problem.split('"')[1] if '"' in problem else problem
        raise InputError(f"malformed YAML: {problem}", name,
                         mark.line + 1 if mark else None, mark.column + 1 if mark else None) from None
    except YAMLError as exc:  # errors without a mark
        raise InputError(f"malformed YAML: {str(exc).splitlines()[0]}", name) from None
    except RecursionError:
        raise InputError("malformed YAML: nesting too deep", name) from None
    if not docs or all(d is None for d in docs):
        raise InputError("the file is empty", name)
    if len(docs) > 1:
        raise InputError("holds several YAML documents (---); put one document in each file", name)
    out = Positioned(None)
    out.data = _plain(docs[0], "", out.positions, name, 0, _Budget(name))
    out.positions.setdefault("", (1, 1))
    return out


_MAX_DEPTH = 64
MAX_VALUES = 5_000_000  # guards against alias expansion ("billion laughs") and runaway documents


class _Budget:
    """Counts values as if aliases were expanded, without expanding them (aliased nodes are
    converted once and reused, their size charged again at each reference)."""

    def __init__(self, name: str):
        self.left = MAX_VALUES
        self.name = name
        self.memo: dict[int, tuple[Any, int]] = {}

    def spend(self, n: int = 1) -> None:
        self.left -= n
        if self.left < 0:
            raise InputError(f"more than {MAX_VALUES:,} values once aliases are expanded; refusing to read it "
                             "(nested YAML aliases?)", self.name)


def _plain(node: Any, pointer: str, positions: dict[str, Position], name: str, depth: int, budget: _Budget) -> Any:
    if isinstance(node, (CommentedMap, CommentedSeq)):
        seen = budget.memo.get(id(node))
        if seen is not None:  # an alias of a node already converted
            budget.spend(seen[1])
            return seen[0]
        before = budget.left
        result = _convert(node, pointer, positions, name, depth, budget)
        budget.memo[id(node)] = (result, before - budget.left)
        return result
    return _convert(node, pointer, positions, name, depth, budget)


def _convert(node: Any, pointer: str, positions: dict[str, Position], name: str, depth: int, budget: _Budget) -> Any:
    budget.spend()
    if depth > _MAX_DEPTH:
        raise InputError("nesting too deep (more than 64 levels)", name, *(positions.get(pointer) or (None, None)))
    if isinstance(node, CommentedMap):
        if pointer == "":
            positions[""] = (node.lc.line + 1, node.lc.col + 1)
        result = {}
        for key, value in node.items():
            if not isinstance(key, (str, int, float, bool)) or isinstance(key, bool):
                line, col = node.lc.key(key) if key in node.lc.data else (node.lc.line, node.lc.col)
                raise InputError("a mapping key must be text", name, line + 1, col + 1)
            skey = str(key)
            child = join_pointer(pointer, skey)
            try:
                line, col = node.lc.key(key)
                positions[child] = (line + 1, col + 1)
            except (KeyError, TypeError):
                pass
            result[skey] = _plain(value, child, positions, name, depth + 1, budget)
        return result
    if isinstance(node, CommentedSeq):
        if pointer == "":
            positions[""] = (node.lc.line + 1, node.lc.col + 1)
        items = []
        for i, value in enumerate(node):
            child = join_pointer(pointer, i)
            try:
                line, col = node.lc.item(i)
                positions[child] = (line + 1, col + 1)
            except (KeyError, TypeError, IndexError):
                pass
            items.append(_plain(value, child, positions, name, depth + 1, budget))
        return items
    if isinstance(node, dict):  # plain dicts (flow style inside JSON can still be Commented*)
        return {str(k): _plain(v, join_pointer(pointer, k), positions, name, depth + 1, budget) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v, join_pointer(pointer, i), positions, name, depth + 1, budget) for i, v in enumerate(node)]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        value = float(node)
        if not math.isfinite(value):
            line, col = positions.get(pointer, (None, None))
            raise InputError("a number must be finite (.nan and .inf are not allowed)", name, line, col,
                             field=pointer or "/")
        return value
    if isinstance(node, _dt.datetime):
        return node.isoformat()
    if isinstance(node, _dt.date):
        return node.isoformat()
    if isinstance(node, str):
        return str(node)
    return str(node)


def read_yaml_file(path, name: str | None = None) -> Positioned:
    """Read and parse a YAML/JSON file from disk (UTF-8 only)."""
    from pathlib import Path

    p = Path(path)
    label = name or str(p)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", label) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", label) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", label) from None
    return parse_yaml(decode_text(raw, label), label)
