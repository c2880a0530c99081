"""The limits every YAML/JSON document is read under, and the YAML 1.2 core scalars.

Before anything is built, libyaml's event stream is walked (``scan``) or counted (``count_events``)
so that too many values, too deep nesting, unsupported tags and out-of-range numbers are refused
with their line; plain scalars are read as numbers only within the limits (``plain_scalar``).
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml  # PyYAML: libyaml's parser

from .charset import INVISIBLE, SURROGATE, char_name, shown
from .errors import InputError
from .i18n import tr
from .limits import DEFAULT_LIMITS, Limits, option
from .pointers import join_pointer


def invisible_message(char: str) -> str:
    return tr("contains the invisible or bidirectional control character {char}: text could display differently "
              "from what it is; remove it", char=char_name(char))


def count_events(text: str, name: str, limits: Limits) -> InputError | None:
    """Count the document's values with libyaml's C parser (nothing is built, memory stays flat); raise
    if there are more than the limit, return libyaml's syntax error if the text has one."""
    try:
        from yaml._yaml import CParser
    except ImportError:  # pure-Python PyYAML: count on the event stream
        return scan(text, name, limits)
    try:
        events = CParser(text).raw_parse() - 4  # stream and document start and end
    except yaml.YAMLError as exc:
        error = libyaml_error(exc, name, limits)
        if "nesting deeper" in str(error):
            raise error from None
        return error
    if events > limits.max_values:
        raise values_error(name, limits, None, None)
    return None


REFERENCE_MAX_CHARS = 1 << 20
_LIBYAML_MAX_DEPTH = 1000  # libyaml refuses deeper nesting itself ("exceeded maximum nesting depth")


def node_bound(text: str) -> int:
    """An upper bound on the nodes libyaml composes from ``text`` (every node but the first follows one of
    these characters; a single-pair mapping inside a flow sequence adds one more per colon): at most
    ``2 * len(text) + 1``, so short documents need no count."""
    return (text.count(",") + 2 * text.count(":") + text.count("\n") + text.count("-") + text.count("[")
            + text.count("{") + text.count("?") + 1)


def libyaml_error(exc: yaml.YAMLError, name: str, limits: Limits) -> InputError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
    problem = str(getattr(exc, "problem", None) or getattr(exc, "context", None) or "malformed YAML")
    if "maximum nesting depth" in problem:
        depth = min(limits.max_depth, _LIBYAML_MAX_DEPTH)
        return InputError(tr("nesting deeper than {depth} levels ({option})", depth=depth, option=option("max_depth")),
                          name, line, col)
    return InputError(tr("malformed YAML: {problem}", problem=shown(problem.strip())), name, line, col)


class _Scanner:
    """A walk over libyaml's event stream that builds nothing: it tracks the pointer of each value, the
    nesting depth and the number of values, and refuses too many values, too deep nesting, unsupported
    tags and out-of-range numbers."""

    def __init__(self, name: str, limits: Limits):
        self.name = name
        self.limits = limits
        self.depth = 0
        self.count = 0
        self.frames: list[list] = []  # [pointer, is_mapping, items seen, last key] per open collection

    def feed(self, ev: Any) -> None:
        cls = type(ev)
        if cls is yaml.MappingEndEvent or cls is yaml.SequenceEndEvent:
            self.depth -= 1
            self.frames.pop()
            self.count += 1
            return
        if cls not in _NODE_EVENTS:
            return
        self.count += 1
        line, col = ev.start_mark.line + 1, ev.start_mark.column + 1
        if self.count > self.limits.max_values:
            raise values_error(self.name, self.limits, line, col)
        pointer, is_key = self._place(ev)
        tag = getattr(ev, "tag", None)
        if tag is not None and tag != "!" and tag not in STD_TAGS:
            raise tag_error(tag, self.name, line, col, pointer)
        if cls is yaml.ScalarEvent:
            if tag is None and ev.style in (None, "") and not is_key:
                plain_scalar(ev.value, self.name, line, col, pointer, self.limits)
        elif cls is not yaml.AliasEvent:
            self._open(cls is yaml.MappingStartEvent, pointer, line, col)

    def _place(self, ev: Any) -> tuple[str, bool]:
        """The pointer of the value an event starts, and whether it is a mapping key."""
        if not self.frames:
            return "", False
        top = self.frames[-1]
        is_key = False
        if top[1]:
            is_key = top[2] % 2 == 0
            if is_key:
                top[3] = ev.value if type(ev) is yaml.ScalarEvent else "?"
            pointer = top[0] if is_key else join_pointer(top[0], top[3])
        else:
            pointer = join_pointer(top[0], top[2])
        top[2] += 1
        return pointer, is_key

    def _open(self, mapping: bool, pointer: str, line: int, col: int) -> None:
        self.depth += 1
        if self.depth > self.limits.max_depth:
            raise InputError(tr("nesting deeper than {depth} levels ({option})", depth=self.limits.max_depth,
                                option=option("max_depth")), self.name, line, col, field=pointer or None)
        self.frames.append([pointer, mapping, 0, None])


def scan(text: str, name: str, limits: Limits) -> InputError | None:
    """Walk libyaml's event stream without building anything: refuse (raise) too deep nesting, too many
    values, unsupported tags and numbers out of range, with their line; return libyaml's own syntax error
    (or None) so the caller can choose the message."""
    scanner = _Scanner(name, limits)
    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    try:
        for ev in yaml.parse(text, Loader=loader):
            scanner.feed(ev)
    except yaml.YAMLError as exc:
        error = libyaml_error(exc, name, limits)
        if "nesting deeper" in str(error):
            raise error from None
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        rest = text[mark.index:] if mark is not None else text
        if _could_nest_deeper(rest, limits.max_depth - scanner.depth):
            raise error from None  # what follows the error could make the recursive reference loader dig deep
        return error
    return None


def _could_nest_deeper(text: str, levels: int) -> bool:
    half = max(levels // 2, 1)
    if text.count("[") + text.count("{") > half:
        return True
    return re.search(rf"^[ \t\-?:]{{{half},}}", text, re.MULTILINE) is not None


def values_error(name: str, limits: Limits, line: int | None, col: int | None) -> InputError:
    return InputError(tr("more than {count} values ({option}), counting aliases as expanded; refusing to read it",
                         count=f"{limits.max_values:,}", option=option("max_values")), name, line, col)


def tag_error(tag: str, name: str, line: int | None, col: int | None, pointer: str) -> InputError:
    shown_tag = shown(tag.replace("tag:yaml.org,2002:", "!!"))
    return InputError(tr("unsupported tag {tag}: only plain YAML values (text, numbers, booleans, lists, mappings) "
                         "are read", tag=repr(shown_tag)), name, line, col, field=pointer or "/")


def plain_scalar(value: str, name: str, line: int | None, col: int | None, pointer: str, limits: Limits) -> Any:
    """The number a plain scalar stands for (checked against the limits), or ``TEXT`` if it is not one."""
    if _INT.match(value):
        digits = len(value) - (value[0] in "+-")
        if digits > limits.max_integer_digits:
            raise InputError(tr("an integer of more than {digits} digits ({option})", digits=limits.max_integer_digits,
                                option=option("max_integer_digits")), name, line, col, field=pointer or "/")
        return in_range(int(value), name, line, col, pointer, limits)
    if _OCT.match(value) or _HEX.match(value):
        digits = len(value) - 2
        # 8 octal or ~0.83 hex digits per decimal digit: bound the text before converting it
        if digits > limits.max_integer_digits * (1 if value[1] == "x" else 2):
            raise InputError(tr("an integer of more than {digits} digits ({option})", digits=limits.max_integer_digits,
                                option=option("max_integer_digits")), name, line, col, field=pointer or "/")
        return in_range(int(value[2:], 16 if value[1] == "x" else 8), name, line, col, pointer, limits)
    if _SPECIAL.match(value):
        raise InputError(tr("a number must be finite (.nan and .inf are not allowed)"), name, line, col,
                         field=pointer or "/")
    if _FLOAT.match(value):
        number = float(value)
        if not math.isfinite(number):
            raise InputError(tr("a number must be finite ({value} is too large to be one)", value=value), name, line,
                             col, field=pointer or "/")
        return in_range(number, name, line, col, pointer, limits)
    return TEXT


def plain_number(value: str, name: str, line: int | None, col: int | None, pointer: str,
                 limits: Limits = DEFAULT_LIMITS, integer: bool = False) -> int | float | None:
    """The number written in ``value`` (a CSV cell, say) checked against the limits; None if it is not one
    (with ``integer``, only integers count).  A cell is written in decimal: ``0x10`` or ``0o17`` is text
    (the schema reports it), not the 16 or 15 YAML would read."""
    if not value or value[0] not in NON_TEXT_START or _SPECIAL.match(value) or _HEX.match(value) or _OCT.match(value):
        return None
    if integer and not _INT.match(value):
        return None
    number = plain_scalar(value, name, line, col, pointer, limits)
    return None if number is TEXT else number


def in_range(number, name: str, line, col, pointer: str, limits: Limits):
    if abs(number) > limits.max_number:
        raise InputError(tr("the number {number} is out of range ({option} {limit})", number=f"{number:g}",
                            option=option("max_number"), limit=f"{limits.max_number:g}"),
                         name, line, col, field=pointer or "/")
    return number


TEXT = object()


NULL = re.compile(r"^(~|null|Null|NULL|)$")
BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_SPECIAL = re.compile(r"^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")
# Every pattern above matches only a value starting with one of these (or the empty value).
NON_TEXT_START = frozenset("~nNtTfF+-.0123456789")
STD_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}
_NODE_EVENTS = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.AliasEvent)


def escaped_text(value: str, name: str, line: int | None, col: int | None, pointer: str) -> str:
    """A string that came from escapes: surrogate pairs joined, a lone surrogate or an invisible character
    refused."""
    if SURROGATE.search(value):
        try:
            value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        except UnicodeDecodeError:
            raise InputError(tr("a lone surrogate escape (\\ud800-\\udfff without its pair) is not a character"),
                             name, line, col, field=pointer or "/") from None
    bad = INVISIBLE.search(value)
    if bad:
        raise InputError(invisible_message(bad.group()), name, line, col, field=pointer or "/")
    return value


MAX_VALUES = DEFAULT_LIMITS.max_values  # guards against alias expansion ("billion laughs") and runaway documents


class Budget:
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
            raise InputError(tr("more than {count} values ({option}) once aliases are expanded; refusing to read it "
                                "(nested YAML aliases?)", count=f"{self.limits.max_values:,}",
                                option=option("max_values")), self.name)
