"""The JSON text facts are given to the engine in.

durable-rules parses numbers itself and misreads a bare exponent (``1e-07``): every float is written
positionally.  The standard encoder already writes most floats so (0 and 1e-4 <= |x| < 1e16): a fact
holding only such floats takes it; a fact holding another float is written value by value (``_dumps``,
the reference that tests/test_engine_json.py compares the fast path with).  A non-finite number is refused.
"""

from __future__ import annotations

import json
import math
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
    if kind is dict:
        items = value.values()
    elif kind is list or kind is tuple:
        items = value
    else:
        return isinstance(value, float) and not _positional(value)
    for item in items:
        t = type(item)
        if t is float:
            if not _positional(item):
                return True
        elif (t is dict or t is list or t is tuple) and _needs_decimal(item):
            return True
    return False


def dumps(value: Any) -> str:
    """JSON text the engine parses faithfully: floats positional, never with a bare exponent."""
    if not _needs_decimal(value):  # the common case: the standard encoder's float repr is positional
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return _dumps(value)


def _dumps(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EngineError(f"a fact holds a non-finite number ({value!r})")
        text = format(Decimal(repr(value)), "f")
        return text if "." in text else text + ".0"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{_dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_dumps(v) for v in value) + "]"
    raise EngineError(f"a fact holds a value of type {type(value).__name__}")
