"""The two YAML parsers behind ``checker.yamlio.parse_yaml``: the fast path (libyaml's composer,
positions from the node marks) for valid documents it handles, and the reference path (ruamel.yaml's
round-trip loader) for everything else, whose messages and positions are the reference.  Both give
plain ``dict``/``list``/scalars and a map from JSON pointer to ``(line, column)``.
"""

from __future__ import annotations

import datetime as _dt
import math
import warnings
from array import array
from typing import Any

import yaml  # PyYAML: libyaml's composer for the fast path
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .charset import INVISIBLE, SURROGATE
from .errors import InputError
from .i18n import tr
from .limits import DEFAULT_LIMITS, Limits, option
from .pointers import Position, Positioned, escape_pointer_token, join_pointer
from .yamllimits import (
    BOOLS,
    NON_TEXT_START,
    NULL,
    STD_TAGS,
    TEXT,
    Budget,
    escaped_text,
    in_range,
    libyaml_error,
    plain_scalar,
    tag_error,
)


def _yaml() -> YAML:
    y = YAML(typ="rt", pure=True)
    y.allow_duplicate_keys = False
    return y


class _Fallback(Exception):
    """The fast path does not handle this document: use the reference loader."""


def fast_parse(text: str, name: str, limits: Limits = DEFAULT_LIMITS) -> Positioned | None:
    """The fast path's result, or None where the reference loader must decide."""
    result = fast(text, name, limits)
    return result if isinstance(result, Positioned) else None


class _Composer(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """libyaml's composer without PyYAML's implicit resolvers: the conversion below reads plain scalars
    itself (YAML 1.2 core), so a node's tag only has to say whether it is one the tool accepts.  The
    tags given are the ones PyYAML's safe resolver gives wherever they matter: ``=`` (!!value) and
    ``<<`` (!!merge) keep theirs, every other implicit tag is a standard one."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode:
            if implicit[0] and (value == "=" or value == "<<"):
                return _VALUE_TAG if value == "=" else _MERGE_TAG
            return _STR_TAG
        return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG


_STR_TAG, _SEQ_TAG, _MAP_TAG = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_VALUE_TAG, _MERGE_TAG = "tag:yaml.org,2002:value", "tag:yaml.org,2002:merge"


class MarkedContent(Positioned):
    """Parsed data with the positions of its values stored compactly: per mapping or sequence (by its
    pointer) the keys and a flat array of (line, column) of its entries, instead of a dictionary entry
    (pointer string and tuple) per value.  ``position`` answers exactly as the full map would."""

    def __init__(self, data: Any = None):
        super().__init__(data, {})
        self.marks: dict[str, tuple[tuple | dict | None, array]] = {}
        self.root: Position | None = None

    def own(self, pointer: str) -> Position | None:
        """The position recorded for exactly ``pointer`` (a pointer as ``join_pointer`` writes it)."""
        if not pointer:
            return self.root
        if pointer[0] != "/":
            return None
        parent, _, token = pointer.rpartition("/")
        entry = self.marks.get(parent)
        if entry is None:
            return None
        keys, at = entry
        if keys is None:
            if not token.isdigit() or (len(token) > 1 and token[0] == "0") or int(token) * 2 >= len(at):
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
        return (at[2 * i], at[2 * i + 1])

    def position(self, pointer: str) -> Position | None:
        """Position of ``pointer``, or of its nearest ancestor that has one."""
        while True:
            found = self.own(pointer)
            if found is not None:
                return found
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]

    @property  # type: ignore[override]
    def positions(self) -> dict[str, Position]:
        """The full map from pointer to position (built on demand: tests, small documents)."""
        out: dict[str, Position] = {}
        for parent, (keys, at) in self.marks.items():
            tokens = range(len(at) // 2) if keys is None else keys
            for i, token in enumerate(tokens):
                out[join_pointer(parent, token)] = (at[2 * i], at[2 * i + 1])
        if self.root is not None:
            out[""] = self.root
        return out

    @positions.setter
    def positions(self, value: dict) -> None:  # the dataclass initialiser sets it: ignored
        pass


def fast(text: str, name: str, limits: Limits) -> Positioned | InputError | None:
    if not hasattr(yaml, "CSafeLoader"):
        return None
    try:
        docs = list(yaml.compose_all(text, Loader=_Composer))
    except yaml.YAMLError as exc:
        error = libyaml_error(exc, name, limits)
        if "nesting deeper" in str(error):
            raise error from None
        return error
    except (RecursionError, ValueError):
        return None
    if len(docs) != 1 or docs[0] is None:
        return None
    out = MarkedContent()
    try:
        out.data = _Converter(out.marks, name, Budget(name, limits)).node(docs[0], "", 0)
    except (_Fallback, RecursionError):
        return None
    root = docs[0]
    out.root = ((root.start_mark.line + 1, root.start_mark.column + 1) if not isinstance(root, yaml.ScalarNode)
                else (1, 1))
    return out


def _scalar(node, pointer: str, budget: Budget) -> Any:
    value = node.value
    style = node.style
    if style not in (None, ""):  # quoted or block scalar: always text (libyaml marks plain as '')
        if style == '"' and (INVISIBLE.search(value) or SURROGATE.search(value)):
            escaped_text(value, budget.name, node.start_mark.line + 1, node.start_mark.column + 1, pointer)
        return value
    if value and value[0] not in NON_TEXT_START:  # plain text: no pattern can match
        return value
    if NULL.match(value):
        return None
    if value in BOOLS:
        return BOOLS[value]
    number = plain_scalar(value, budget.name, node.start_mark.line + 1, node.start_mark.column + 1, pointer,
                           budget.limits)
    return value if number is TEXT else number


def _token(pointer: str, token: str) -> str:
    return join_pointer(pointer, token) if "~" in token or "/" in token else f"{pointer}/{token}"


_MappingNode, _SequenceNode, _ScalarNode = yaml.MappingNode, yaml.SequenceNode, yaml.ScalarNode
_LARGE_MAPPING = 16  # keys looked up through a dictionary beyond this many (a tuple below)


class _Converter:
    """libyaml's nodes into plain data, the entries' positions into ``marks`` (``MarkedContent``)."""

    def __init__(self, marks: dict, name: str, budget: Budget):
        self.marks, self.name, self.budget = marks, name, budget
        self.max_depth = budget.limits.max_depth

    def node(self, node, pointer: str, depth: int) -> Any:
        if node.tag not in STD_TAGS:
            raise tag_error(node.tag, self.name, node.start_mark.line + 1, node.start_mark.column + 1, pointer)
        budget = self.budget
        cls = type(node)
        if cls is _ScalarNode or not isinstance(node, (_MappingNode, _SequenceNode)):
            budget.spend(1)
            return _scalar(node, pointer, budget)
        seen = budget.memo.get(id(node))
        if seen is not None:  # an alias of a node already converted
            budget.spend(seen[1])
            return seen[0]
        before = budget.left
        budget.spend(2)  # as libyaml's events: start and end
        if depth >= self.max_depth:
            raise InputError(tr("nesting deeper than {depth} levels ({option})", depth=self.max_depth,
                               option=option("max_depth")), self.name,
                             node.start_mark.line + 1, node.start_mark.column + 1, field=pointer or None)
        value = self.mapping(node, pointer, depth) if isinstance(node, _MappingNode) else \
            self.sequence(node, pointer, depth)
        budget.memo[id(node)] = (value, before - budget.left)
        return value

    def mapping(self, node, pointer: str, depth: int) -> dict:
        result: dict = {}
        at = array("i")
        add = at.extend
        budget = self.budget
        for key_node, value_node in node.value:
            if type(key_node) is not _ScalarNode or key_node.tag == _MERGE_TAG:
                raise _Fallback
            key = _scalar(key_node, pointer, budget)
            if isinstance(key, bool) or key is None or isinstance(key, float):
                raise _Fallback
            skey = key if type(key) is str else str(key)
            if skey in result:
                raise _Fallback  # the reference loader reports duplicate keys
            mark = key_node.start_mark
            add((mark.line + 1, mark.column + 1))
            if type(value_node) is _ScalarNode and value_node.tag in STD_TAGS:
                budget.spend(1)
                value = value_node.value
                if (value_node.style in (None, "") and (not value or value[0] in NON_TEXT_START)) \
                        or value_node.style == '"':
                    value = _scalar(value_node, _token(pointer, skey), budget)
                result[skey] = value
            else:
                result[skey] = self.node(value_node, _token(pointer, skey), depth + 1)
        keys = tuple(result)
        self.marks[pointer] = (keys if len(keys) <= _LARGE_MAPPING else {k: i for i, k in enumerate(keys)}, at)
        return result

    def sequence(self, node, pointer: str, depth: int) -> list:
        items = []
        at = array("i")
        add = at.extend
        for i, item in enumerate(node.value):
            mark = item.start_mark
            add((mark.line + 1, mark.column + 1))
            items.append(self.node(item, f"{pointer}/{i}", depth + 1))
        self.marks[pointer] = (None, at)
        return items


def ruamel_parse(text: str, name: str, limits: Limits = DEFAULT_LIMITS) -> Positioned:
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
        raise InputError(tr("malformed YAML: {problem}", problem=problem), name,
                         mark.line + 1 if mark else None, mark.column + 1 if mark else None) from None
    except YAMLError as exc:  # errors without a mark
        raise InputError(tr("malformed YAML: {problem}", problem=str(exc).splitlines()[0]), name) from None
    except RecursionError:
        raise InputError(tr("nesting deeper than {depth} levels ({option})", depth=limits.max_depth,
                           option=option("max_depth")), name) from None
    except (ValueError, OverflowError) as exc:  # a value the constructor cannot build
        raise InputError(tr("malformed YAML: {problem}",
                           problem=str(exc).splitlines()[0] if str(exc) else type(exc).__name__),
                         name) from None
    if not docs or all(d is None for d in docs):
        raise InputError(tr("the file is empty"), name)
    if len(docs) > 1:
        raise InputError(tr("holds several YAML documents (---); put one document in each file"), name)
    out = Positioned(None)
    out.data = _plain(docs[0], "", out.positions, name, 0, Budget(name, limits))
    out.positions.setdefault("", (1, 1))
    return out


def _plain(node: Any, pointer: str, positions: dict[str, Position], name: str, depth: int, budget: Budget) -> Any:
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


def _convert(node: Any, pointer: str, positions: dict[str, Position], name: str, depth: int, budget: Budget) -> Any:
    budget.spend(2 if isinstance(node, (dict, list)) else 1)  # as libyaml's events: start and end
    limits = budget.limits
    if depth >= limits.max_depth and isinstance(node, (dict, list)):
        raise InputError(tr("nesting deeper than {depth} levels ({option})", depth=limits.max_depth,
                           option=option("max_depth")), name,
                         *(positions.get(pointer) or (None, None)))
    if isinstance(node, (CommentedMap, CommentedSeq)) and pointer == "":
        positions[""] = (node.lc.line + 1, node.lc.col + 1)
    if isinstance(node, CommentedMap):
        return _convert_map(node, pointer, positions, name, depth, budget)
    if isinstance(node, CommentedSeq):
        return _convert_seq(node, pointer, positions, name, depth, budget)
    if isinstance(node, dict):  # plain dicts (flow style inside JSON can still be Commented*)
        return {str(k): _plain(v, join_pointer(pointer, k), positions, name, depth + 1, budget)
                for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v, join_pointer(pointer, i), positions, name, depth + 1, budget) for i, v in enumerate(node)]
    if isinstance(node, bool) or node is None:
        return node
    return _convert_scalar(node, pointer, positions.get(pointer, (None, None)), name, limits)


def _key_position(node: CommentedMap, key: Any) -> tuple[int, int]:
    """0-based position of a key of a mapping (of the mapping itself when the key has none)."""
    return node.lc.key(key) if key in node.lc.data else (node.lc.line, node.lc.col)


def _convert_map(node: CommentedMap, pointer: str, positions: dict[str, Position], name: str, depth: int,
                 budget: Budget) -> dict:
    result = {}
    for key, value in node.items():
        if not isinstance(key, (str, int, float, bool)) or isinstance(key, bool):
            line, col = _key_position(node, key)
            raise InputError(tr("a mapping key must be text"), name, line + 1, col + 1)
        skey = str(key)
        if SURROGATE.search(skey) or INVISIBLE.search(skey):
            line, col = _key_position(node, key)
            skey = escaped_text(skey, name, line + 1, col + 1, pointer)
        child = join_pointer(pointer, skey)
        try:
            line, col = node.lc.key(key)
            positions[child] = (line + 1, col + 1)
        except (KeyError, TypeError):
            pass
        result[skey] = _plain(value, child, positions, name, depth + 1, budget)
    return result


def _convert_seq(node: CommentedSeq, pointer: str, positions: dict[str, Position], name: str, depth: int,
                 budget: Budget) -> list:
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


def _convert_scalar(node: Any, pointer: str, position: tuple[int | None, int | None], name: str,
                    limits: Limits) -> Any:
    line, col = position
    if isinstance(node, int):
        value = int(node)
        if abs(value) >= 10 ** limits.max_integer_digits:
            raise InputError(tr("an integer of more than {digits} digits ({option})", digits=limits.max_integer_digits,
                               option=option("max_integer_digits")), name, line, col, field=pointer or "/")
        return in_range(value, name, line, col, pointer, limits)
    if isinstance(node, float):
        number = float(node)
        if not math.isfinite(number):
            raise InputError(tr("a number must be finite (.nan and .inf are not allowed)"), name, line, col,
                             field=pointer or "/")
        return in_range(number, name, line, col, pointer, limits)
    if isinstance(node, (_dt.datetime, _dt.date)):
        return node.isoformat()
    if isinstance(node, str):
        text = str(node)
        if SURROGATE.search(text) or INVISIBLE.search(text):
            text = escaped_text(text, name, line, col, pointer)
        return text
    tag = getattr(getattr(node, "tag", None), "value", None) or type(node).__name__
    raise tag_error(str(tag), name, line, col, pointer)
