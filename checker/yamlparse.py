"""The two YAML parsers behind ``checker.yamlio.parse_yaml``: the fast path (libyaml, checker.yamlfast)
for valid documents it handles, and the reference path (ruamel.yaml's
round-trip loader) for everything else, whose messages and positions are the reference.  Both give
plain ``dict``/``list``/scalars and a map from JSON pointer to ``(line, column)``.
"""

from __future__ import annotations

import datetime as _dt
import math
import warnings
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .charset import INVISIBLE, SURROGATE
from .errors import InputError
from .i18n import tr
from .limits import DEFAULT_LIMITS, Limits, option
from .pointers import Position, Positioned, join_pointer
from .yamlfast import fast
from .yamllimits import Budget, escaped_text, in_range, tag_error


def _yaml() -> YAML:
    y = YAML(typ="rt", pure=True)
    y.allow_duplicate_keys = False
    return y


def fast_parse(text: str, name: str, limits: Limits = DEFAULT_LIMITS) -> Positioned | None:
    """The fast path's result, or None where the reference loader must decide."""
    result = fast(text, name, limits)
    return result if isinstance(result, Positioned) else None


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
