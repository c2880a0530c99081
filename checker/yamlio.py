"""Read YAML and JSON text into plain Python data while keeping where every value was written.

Positions come from ruamel.yaml's round-trip loader.  The result is plain ``dict``/``list``/scalars
(safe to hand to jsonschema and to the fact builder) plus a map from JSON pointer to
``(line, column)``, both 1-based, so every later error can name the file, line and field.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import warnings
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Any

import yaml  # PyYAML: libyaml's composer for the fast path
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .charset import INVISIBLE, SURROGATE, char_name, locate, shown
from .errors import InputError
from .limits import DEFAULT_LIMITS, Limits, option

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
    bad = INVISIBLE.search(text, 1 if text.startswith("\ufeff") else 0)
    if bad:
        raise InputError(_invisible_message(bad.group()), name, *locate(text, bad.start()))
    return text


def _invisible_message(char: str) -> str:
    return (f"contains the invisible or bidirectional control character {char_name(char)}: text could display "
            "differently from what it is; remove it")


def _yaml() -> YAML:
    y = YAML(typ="rt", pure=True)
    y.allow_duplicate_keys = False
    return y


@lru_cache(maxsize=1024)
def parse_yaml(text: str, name: str, limits: Limits = DEFAULT_LIMITS) -> Positioned:
    """Parse one YAML (or JSON) document from ``text``.  ``name`` is used in error messages.

    Valid documents take a fast path (libyaml's composer, YAML 1.2 core scalars, positions from the
    node marks); anything it does not handle, and every error, goes through ruamel.yaml's
    round-trip loader, whose messages and positions are the reference.  Results are memoised on
    (text, name, limits): treat the returned data as read-only.

    Limits hold before anything is built.  Values are counted as libyaml's events: one per scalar or
    alias, two per list or mapping (start and end), aliases expanded when converting.  A document
    that may hold more than allowed (by a cheap upper bound from its characters) is first counted by
    libyaml's C parser without building anything.  Nesting is bounded by libyaml's own non-recursive
    parser (deeper than 1000 levels is refused there) and checked while converting.  The reference
    loader, whose composer recurses, only sees documents whose depth, size, tags and numbers were
    checked on the event stream, and only small ones: for a large broken document libyaml's own
    message is given.
    """
    if 4 * len(text) + 2 > limits.max_values and 2 * _node_bound(text) > limits.max_values:
        error = _count_events(text, name, limits)
        if error is not None and len(text) > _REFERENCE_MAX_CHARS:
            raise error
    fast = _fast(text, name, limits)
    if isinstance(fast, Positioned):
        return fast
    if fast is not None and len(text) > _REFERENCE_MAX_CHARS:
        raise fast  # the pure-Python reference loader would take too long on a large broken file
    error = _scan(text, name, limits)
    if error is not None and len(text) > _REFERENCE_MAX_CHARS:
        raise error
    return _ruamel_parse(text, name, limits)


def _count_events(text: str, name: str, limits: Limits) -> InputError | None:
    """Count the document's values with libyaml's C parser (nothing is built, memory stays flat); raise
    if there are more than the limit, return libyaml's syntax error if the text has one."""
    try:
        from yaml._yaml import CParser
    except ImportError:  # pure-Python PyYAML: count on the event stream
        return _scan(text, name, limits)
    try:
        events = CParser(text).raw_parse() - 4  # stream and document start and end
    except yaml.YAMLError as exc:
        error = _libyaml_error(exc, name, limits)
        if "nesting deeper" in str(error):
            raise error from None
        return error
    if events > limits.max_values:
        raise _values_error(name, limits, None, None)
    return None


_REFERENCE_MAX_CHARS = 1 << 20
_LIBYAML_MAX_DEPTH = 1000  # libyaml refuses deeper nesting itself ("exceeded maximum nesting depth")


def _node_bound(text: str) -> int:
    """An upper bound on the nodes libyaml composes from ``text`` (every node but the first follows one of
    these characters; a single-pair mapping inside a flow sequence adds one more per colon): at most
    ``2 * len(text) + 1``, so short documents need no count."""
    return (text.count(",") + 2 * text.count(":") + text.count("\n") + text.count("-") + text.count("[")
            + text.count("{") + text.count("?") + 1)


def _libyaml_error(exc: yaml.YAMLError, name: str, limits: Limits) -> InputError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
    problem = str(getattr(exc, "problem", None) or getattr(exc, "context", None) or "malformed YAML")
    if "maximum nesting depth" in problem:
        depth = min(limits.max_depth, _LIBYAML_MAX_DEPTH)
        return InputError(f"nesting deeper than {depth} levels ({option('max_depth')})", name, line, col)
    return InputError(f"malformed YAML: {shown(problem.strip())}", name, line, col)


def _scan(text: str, name: str, limits: Limits) -> InputError | None:
    """Walk libyaml's event stream without building anything: refuse (raise) too deep nesting, too many
    values, unsupported tags and numbers out of range, with their line; return libyaml's own syntax error
    (or None) so the caller can choose the message."""
    depth = 0
    count = 0
    # frames: [pointer, is_mapping, items seen, last key]
    frames: list[list] = []
    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    events = yaml.parse(text, Loader=loader)
    try:
        for ev in events:
            cls = type(ev)
            if cls is yaml.MappingEndEvent or cls is yaml.SequenceEndEvent:
                depth -= 1
                frames.pop()
                count += 1
                continue
            if cls not in _NODE_EVENTS:
                continue
            count += 1
            if count > limits.max_values:
                raise _values_error(name, limits, ev.start_mark.line + 1, ev.start_mark.column + 1)
            pointer, is_key = "", False
            if frames:
                top = frames[-1]
                if top[1]:
                    is_key = top[2] % 2 == 0
                    if is_key:
                        top[3] = ev.value if cls is yaml.ScalarEvent else "?"
                    pointer = top[0] if is_key else join_pointer(top[0], top[3])
                else:
                    pointer = join_pointer(top[0], top[2])
                top[2] += 1
            line, col = ev.start_mark.line + 1, ev.start_mark.column + 1
            tag = getattr(ev, "tag", None)
            if tag is not None and tag != "!" and tag not in _STD_TAGS:
                raise _tag_error(tag, name, line, col, pointer)
            if cls is yaml.ScalarEvent:
                if tag is None and ev.style in (None, "") and not is_key:
                    _plain_scalar(ev.value, name, line, col, pointer, limits)
            elif cls is not yaml.AliasEvent:
                depth += 1
                if depth > limits.max_depth:
                    raise InputError(f"nesting deeper than {limits.max_depth} levels ({option('max_depth')})",
                                     name, line, col, field=pointer or None)
                frames.append([pointer, cls is yaml.MappingStartEvent, 0, None])
    except yaml.YAMLError as exc:
        error = _libyaml_error(exc, name, limits)
        if "nesting deeper" in str(error):
            raise error from None
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        rest = text[mark.index:] if mark is not None else text
        if _could_nest_deeper(rest, limits.max_depth - depth):
            raise error from None  # what follows the error could make the recursive reference loader dig deep
        return error
    return None


def _could_nest_deeper(text: str, levels: int) -> bool:
    half = max(levels // 2, 1)
    if text.count("[") + text.count("{") > half:
        return True
    return re.search(r"^[ \t\-?:]{%d,}" % half, text, re.MULTILINE) is not None


def _values_error(name: str, limits: Limits, line: int | None, col: int | None) -> InputError:
    return InputError(f"more than {limits.max_values:,} values ({option('max_values')}), counting aliases as "
                      "expanded; refusing to read it", name, line, col)


def _tag_error(tag: str, name: str, line: int | None, col: int | None, pointer: str) -> InputError:
    shown_tag = shown(tag.replace("tag:yaml.org,2002:", "!!"))
    return InputError(f"unsupported tag {shown_tag!r}: only plain YAML values (text, numbers, booleans, lists, "
                      "mappings) are read", name, line, col, field=pointer or "/")


def _plain_scalar(value: str, name: str, line: int, col: int, pointer: str, limits: Limits) -> Any:
    """The number a plain scalar stands for (checked against the limits), or ``_TEXT`` if it is not one."""
    if _INT.match(value):
        digits = len(value) - (value[0] in "+-")
        if digits > limits.max_integer_digits:
            raise InputError(f"an integer of more than {limits.max_integer_digits} digits "
                             f"({option('max_integer_digits')})", name, line, col, field=pointer or "/")
        return _in_range(int(value), name, line, col, pointer, limits)
    if _OCT.match(value) or _HEX.match(value):
        digits = len(value) - 2
        # 8 octal or ~0.83 hex digits per decimal digit: bound the text before converting it
        if digits > limits.max_integer_digits * (1 if value[1] == "x" else 2):
            raise InputError(f"an integer of more than {limits.max_integer_digits} digits "
                             f"({option('max_integer_digits')})", name, line, col, field=pointer or "/")
        return _in_range(int(value[2:], 16 if value[1] == "x" else 8), name, line, col, pointer, limits)
    if _SPECIAL.match(value):
        raise InputError("a number must be finite (.nan and .inf are not allowed)", name, line, col,
                         field=pointer or "/")
    if _FLOAT.match(value):
        number = float(value)
        if not math.isfinite(number):
            raise InputError(f"a number must be finite ({value} is too large to be one)", name, line, col,
                             field=pointer or "/")
        return _in_range(number, name, line, col, pointer, limits)
    return _TEXT


def plain_number(value: str, name: str, line: int | None, col: int | None, pointer: str,
                 limits: Limits = DEFAULT_LIMITS, integer: bool = False) -> int | float | None:
    """The number written in ``value`` (a CSV cell, say) checked against the limits; None if it is not one
    (with ``integer``, only integers count)."""
    if not value or value[0] not in _NON_TEXT_START or _SPECIAL.match(value):
        return None
    if integer and not _INT.match(value):
        return None
    number = _plain_scalar(value, name, line, col, pointer, limits)
    return None if number is _TEXT else number


def _in_range(number, name: str, line, col, pointer: str, limits: Limits):
    if abs(number) > limits.max_number:
        raise InputError(f"the number {number:g} is out of range ({option('max_number')} {limits.max_number:g})",
                         name, line, col, field=pointer or "/")
    return number


_TEXT = object()


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
_NODE_EVENTS = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.AliasEvent)


class _Fallback(Exception):
    """The fast path does not handle this document: use the reference loader."""


def _fast_parse(text: str, name: str, limits: Limits = DEFAULT_LIMITS) -> Positioned | None:
    """The fast path's result, or None where the reference loader must decide."""
    result = _fast(text, name, limits)
    return result if isinstance(result, Positioned) else None


def _fast(text: str, name: str, limits: Limits) -> Positioned | InputError | None:
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        return None
    try:
        docs = list(yaml.compose_all(text, Loader=loader))
    except yaml.YAMLError as exc:
        error = _libyaml_error(exc, name, limits)
        if "nesting deeper" in str(error):
            raise error from None
        return error
    except (RecursionError, ValueError):
        return None
    if len(docs) != 1 or docs[0] is None:
        return None
    out = Positioned(None)
    try:
        out.data = _node(docs[0], "", out.positions, name, 0, _Budget(name, limits))
    except (_Fallback, RecursionError):
        return None
    out.positions.setdefault("", (1, 1))
    return out


def _scalar(node, pointer: str, budget: _Budget) -> Any:
    value = node.value
    style = node.style
    if style not in (None, ""):  # quoted or block scalar: always text (libyaml marks plain as '')
        if style == '"' and (INVISIBLE.search(value) or SURROGATE.search(value)):
            _escaped_text(value, budget.name, node.start_mark.line + 1, node.start_mark.column + 1, pointer)
        return value
    if value and value[0] not in _NON_TEXT_START:  # plain text: no pattern can match
        return value
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    number = _plain_scalar(value, budget.name, node.start_mark.line + 1, node.start_mark.column + 1, pointer,
                           budget.limits)
    return value if number is _TEXT else number


def _escaped_text(value: str, name: str, line: int | None, col: int | None, pointer: str) -> str:
    """A string that came from escapes: surrogate pairs joined, a lone surrogate or an invisible character
    refused."""
    if SURROGATE.search(value):
        try:
            value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        except UnicodeDecodeError:
            raise InputError("a lone surrogate escape (\\ud800-\\udfff without its pair) is not a character",
                             name, line, col, field=pointer or "/") from None
    bad = INVISIBLE.search(value)
    if bad:
        raise InputError(_invisible_message(bad.group()), name, line, col, field=pointer or "/")
    return value


def _node(node, pointer: str, positions: dict[str, Position], name: str, depth: int, budget: _Budget) -> Any:
    if node.tag not in _STD_TAGS:
        raise _tag_error(node.tag, name, node.start_mark.line + 1, node.start_mark.column + 1, pointer)
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        seen = budget.memo.get(id(node))
        if seen is not None:  # an alias of a node already converted
            budget.spend(seen[1])
            return seen[0]
    before = budget.left
    budget.spend(1 if isinstance(node, yaml.ScalarNode) else 2)  # as libyaml's events: start and end
    if depth >= budget.limits.max_depth and not isinstance(node, yaml.ScalarNode):
        raise InputError(f"nesting deeper than {budget.limits.max_depth} levels ({option('max_depth')})", name,
                         node.start_mark.line + 1, node.start_mark.column + 1, field=pointer or None)
    if pointer == "" and not isinstance(node, yaml.ScalarNode):
        positions[""] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise _Fallback
            key = _scalar(key_node, pointer, budget)
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
        return _scalar(node, pointer, budget)
    budget.memo[id(node)] = (value, before - budget.left)
    return value


# -- reference path --------------------------------------------------------------------------------

def _ruamel_parse(text: str, name: str, limits: Limits = DEFAULT_LIMITS) -> Positioned:
    try:
        with warnings.catch_warnings():  # e.g. ReusedAnchorWarning: printed, it would break the one error line
            warnings.simplefilter("ignore")
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
        raise InputError(f"nesting deeper than {limits.max_depth} levels ({option('max_depth')})", name) from None
    except (ValueError, OverflowError) as exc:  # a value the constructor cannot build
        raise InputError(f"malformed YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
                         name) from None
    if not docs or all(d is None for d in docs):
        raise InputError("the file is empty", name)
    if len(docs) > 1:
        raise InputError("holds several YAML documents (---); put one document in each file", name)
    out = Positioned(None)
    out.data = _plain(docs[0], "", out.positions, name, 0, _Budget(name, limits))
    out.positions.setdefault("", (1, 1))
    return out


MAX_VALUES = DEFAULT_LIMITS.max_values  # guards against alias expansion ("billion laughs") and runaway documents


class _Budget:
    """Counts values as if aliases were expanded, without expanding them (aliased nodes are
    converted once and reused, their size charged again at each reference)."""

    def __init__(self, name: str, limits: Limits = DEFAULT_LIMITS):
        self.left = limits.max_values
        self.limits = limits
        self.name = name
        self.memo: dict[int, tuple[Any, int]] = {}

    def spend(self, n: int = 1) -> None:
        self.left -= n
        if self.left < 0:
            raise InputError(f"more than {self.limits.max_values:,} values ({option('max_values')}) once aliases "
                             "are expanded; refusing to read it (nested YAML aliases?)", self.name)


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
    budget.spend(2 if isinstance(node, (dict, list)) else 1)  # as libyaml's events: start and end
    limits = budget.limits
    if depth >= limits.max_depth and isinstance(node, (dict, list)):
        raise InputError(f"nesting deeper than {limits.max_depth} levels ({option('max_depth')})", name,
                         *(positions.get(pointer) or (None, None)))
    if isinstance(node, CommentedMap):
        if pointer == "":
            positions[""] = (node.lc.line + 1, node.lc.col + 1)
        result = {}
        for key, value in node.items():
            if not isinstance(key, (str, int, float, bool)) or isinstance(key, bool):
                line, col = node.lc.key(key) if key in node.lc.data else (node.lc.line, node.lc.col)
                raise InputError("a mapping key must be text", name, line + 1, col + 1)
            skey = str(key)
            if SURROGATE.search(skey) or INVISIBLE.search(skey):
                pos = node.lc.key(key) if key in node.lc.data else (node.lc.line, node.lc.col)
                skey = _escaped_text(skey, name, pos[0] + 1, pos[1] + 1, pointer)
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
    line, col = positions.get(pointer, (None, None))
    if isinstance(node, int):
        value = int(node)
        if abs(value) >= 10 ** limits.max_integer_digits:
            raise InputError(f"an integer of more than {limits.max_integer_digits} digits "
                             f"({option('max_integer_digits')})", name, line, col, field=pointer or "/")
        return _in_range(value, name, line, col, pointer, limits)
    if isinstance(node, float):
        value = float(node)
        if not math.isfinite(value):
            raise InputError("a number must be finite (.nan and .inf are not allowed)", name, line, col,
                             field=pointer or "/")
        return _in_range(value, name, line, col, pointer, limits)
    if isinstance(node, _dt.datetime):
        return node.isoformat()
    if isinstance(node, _dt.date):
        return node.isoformat()
    if isinstance(node, str):
        text = str(node)
        if SURROGATE.search(text) or INVISIBLE.search(text):
            text = _escaped_text(text, name, line, col, pointer)
        return text
    tag = getattr(getattr(node, "tag", None), "value", None) or type(node).__name__
    raise _tag_error(str(tag), name, line, col, pointer)


def read_yaml_file(path, name: str | None = None) -> Positioned:
    """Read and parse a YAML/JSON file from disk (UTF-8 only)."""
    from pathlib import Path

    from .safeio import read_regular_file

    p = Path(path)
    label = name or str(p)
    raw = read_regular_file(p, label, DEFAULT_LIMITS.max_document_bytes, option("max_document_bytes"))
    return parse_yaml(decode_text(raw, label), label)
