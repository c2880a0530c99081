"""Read YAML and JSON text into plain Python data while keeping where every value was written.

Positions come from ruamel.yaml's round-trip loader.  The result is plain ``dict``/``list``/scalars
(safe to hand to jsonschema and to the fact builder) plus a map from JSON pointer to
``(line, column)``, both 1-based, so every later error can name the file, line and field.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Any

import yaml  # PyYAML: libyaml's composer for the fast path
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

    Valid documents take a fast path (libyaml's composer, YAML 1.2 core scalars, positions from the
    node marks); anything it does not handle, and every error, goes through ruamel.yaml's
    round-trip loader, whose messages and positions are the reference.  Results are memoised on
    (text, name): treat the returned data as read-only.
    """
    fast = _fast_parse(text, name)
    if fast is not None:
        return fast
    return _ruamel_parse(text, name)


# -- fast path -----------------------------------------------------------------------------------

_NULL = re.compile(r"^(~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_SPECIAL = re.compile(r"^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")
# Every pattern above matches only a value starting with one of these (or the empty value).
_NON_TEXT_START = frozenset("~nNtTfF+-.0123456789")
_STD_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}


class _Fallback(Exception):
    """The fast path does not handle this document: use the reference loader."""


def _fast_parse(text: str, name: str) -> Positioned | None:
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        return None
    try:
        docs = list(yaml.compose_all(text, Loader=loader))
    except (yaml.YAMLError, RecursionError, ValueError):
        return None
    if len(docs) != 1 or docs[0] is None:
        return None
    out = Positioned(None)
    try:
        out.data = _node(docs[0], "", out.positions, name, 0, _Budget(name))
    except (_Fallback, RecursionError):
        return None
    out.positions.setdefault("", (1, 1))
    return out


def _scalar(node) -> Any:
    value = node.value
    if node.style not in (None, ""):  # quoted or block scalar: always text (libyaml marks plain as '')
        return value
    if value and value[0] not in _NON_TEXT_START:  # plain text: no pattern can match
        return value
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value)
    if _OCT.match(value):
        return int(value[2:], 8)
    if _HEX.match(value):
        return int(value[2:], 16)
    if _SPECIAL.match(value):
        raise _Fallback  # .inf/.nan: the reference loader reports them with their position
    if _FLOAT.match(value):
        return float(value)
    return value


def _node(node, pointer: str, positions: dict[str, Position], name: str, depth: int, budget: _Budget) -> Any:
    if node.tag not in _STD_TAGS:
        raise _Fallback
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        seen = budget.memo.get(id(node))
        if seen is not None:  # an alias of a node already converted
            budget.spend(seen[1])
            return seen[0]
    before = budget.left
    budget.spend()
    if depth > _MAX_DEPTH:
        raise _Fallback
    if pointer == "" and not isinstance(node, yaml.ScalarNode):
        positions[""] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise _Fallback
            key = _scalar(key_node)
            if isinstance(key, bool) or key is None or isinstance(key, float):
                raise _Fallback
            skey = str(key)
            if skey in result:
                raise _Fallback  # the reference loader reports duplicate keys
            child = join_pointer(pointer, skey)
            positions[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[skey] = _node(value_node, child, positions, name, depth + 1, budget)
        value: Any = result
    elif isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            child = join_pointer(pointer, i)
            positions[child] = (item.start_mark.line + 1, item.start_mark.column + 1)
            items.append(_node(item, child, positions, name, depth + 1, budget))
        value = items
    else:
        return _scalar(node)
    budget.memo[id(node)] = (value, before - budget.left)
    return value


# -- reference path --------------------------------------------------------------------------------

def _ruamel_parse(text: str, name: str) -> Positioned:
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
