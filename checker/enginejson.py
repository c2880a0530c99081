"""The JSON text facts are given to the engine in.

durable-rules parses numbers itself and misreads a bare exponent (``1e-07``): every float is written
positionally.  The standard encoder already writes most floats so (0 and 1e-4 <= |x| < 1e16); another
float is given to it as a placeholder text, replaced in its output by the float's positional digits.
``_dumps`` writes value by value: the reference tests/test_engine_json.py compares the fast path with,
and the writer of a value whose text holds the placeholder character.  A non-finite number is refused.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any

from .errors import EngineError


def _positional(f: float) -> bool:
    """``repr(f)`` is positional (no exponent) and finite: 0, or 1e-4 <= |f| < 1e16."""
    a = abs(f)
    return a == 0.0 or 1e-4 <= a < 1e16  # False for inf and nan too


def _needs_decimal(value: Any) -> bool:
    """A float somewhere in ``value`` whose repr the engine would misread (an exponent) or that is
    not finite: those facts are written by ``_dumps``."""
    kind = type(value)
    if kind is float:
        return not _positional(value)
    if kind is dict or (kind is not list and kind is not tuple and isinstance(value, dict)):
        items = value.values()
    elif kind is list or kind is tuple or isinstance(value, (list, tuple)):
        items = value
    else:
        return isinstance(value, float) and not _positional(value)
    for item in items:
        t = type(item)
        if t is float:
            if not _positional(item):
                return True
        elif t is not str and t is not int and t is not bool and item is not None and _needs_decimal(item):
            return True  # a container (or a subclass of one, or of float): looked into
    return False


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters around a placeholder's number
_PLACEHOLDER = re.compile(f'"{_OPEN}([0-9]+){_CLOSE}"')


class _ByValue(Exception):
    """A text of the value holds the placeholder character: it is written value by value."""


def dumps(value: Any) -> str:
    """JSON text the engine parses faithfully: floats positional, never with a bare exponent.

    The standard (C) encoder writes the text; a float it would write with an exponent (or a non-finite
    one, refused) is first replaced by a placeholder text, and the placeholder's quoted text in the
    output by the float's positional digits.  A value whose own text holds the placeholder character
    is written by the reference writer instead."""
    if not _needs_decimal(value):  # the common case: the standard encoder's float repr is positional
        return _ENCODER.encode(value)
    texts: list[str] = []
    try:
        swapped = _swap(value, texts)
    except _ByValue:
        return _dumps(value)
    return _PLACEHOLDER.sub(lambda m: texts[int(m.group(1))], _ENCODER.encode(swapped))


def dumps_all(values: list) -> str:
    """``dumps`` of a list of facts, in one call of the encoder (a call per fact cost more than the
    encoding itself)."""
    return dumps(values)


def _swap(value: Any, texts: list[str]) -> Any:
    """``value`` with every float the engine would misread replaced by a placeholder (its text appended
    to ``texts``): a copy where something changed, else the value itself.  Raises ``_ByValue`` when a
    text or key holds the placeholder character.  Subclasses are looked into as their base classes."""
    kind = type(value)
    if kind is str or isinstance(value, str):
        if _OPEN in value:
            raise _ByValue
        return value
    if kind is float or isinstance(value, float):
        if _positional(value):
            return value
        texts.append(_float_text(value))
        return f"{_OPEN}{len(texts) - 1}{_CLOSE}"
    if kind is dict or isinstance(value, dict):
        return _swap_mapping(value, texts)
    if kind is list or kind is tuple or isinstance(value, (list, tuple)):
        items = [_swap(item, texts) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


def _swap_mapping(value: dict, texts: list[str]) -> dict:
    out = None
    for key, item in value.items():
        if _OPEN in str(key):
            raise _ByValue
        new = _swap(item, texts)
        if new is not item:
            if out is None:
                out = dict(value)
            out[key] = new
    if out is None:
        return value if type(value) is dict else dict(value)
    return out


def _float_text(value: float) -> str:
    if not math.isfinite(value):
        raise EngineError(f"a fact holds a non-finite number ({value!r})")
    text = format(Decimal(repr(value)), "f")
    return text if "." in text else text + ".0"


def _dumps(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{_dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_dumps(v) for v in value) + "]"
    raise EngineError(f"a fact holds a value of type {type(value).__name__}")
