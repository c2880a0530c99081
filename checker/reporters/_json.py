"""``json.dumps(data, ensure_ascii=False, indent=2)``, byte for byte, in a fraction of its time.

With ``indent`` the standard library encodes in pure Python through a chain of nested generators
(one generator frame per level for every value); a report of 100k records is about 100 MB of JSON,
and that chain was most of the rendering time.  Here the same text is built by one recursive walk
appending to a list, with the standard library's own C string escaping and the same rules for
numbers, constants and keys, so the output is identical (``tests/test_json_encoding.py`` compares
the two).  Anything the standard library would refuse (a value of another type, a key that is not
text, a number, a boolean or null) raises the same ``TypeError``.

One difference: U+2028 and U+2029 (LINE and PARAGRAPH SEPARATOR) are written escaped, ``\\u2028`` and
``\\u2029``: valid JSON either way, but a report is read back (``parkcheck diff``, ``--previous``) by
the YAML reader that gives every value its line, and YAML takes them raw for line breaks and folds them,
silently changing the text.  A report without them is unchanged, byte for byte."""

from __future__ import annotations

from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

_INF = float("inf")


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == _INF:
        return "Infinity"
    if value == -_INF:
        return "-Infinity"
    return float.__repr__(value)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return encode_basestring(key)
    if isinstance(key, float):
        return encode_basestring(_float(key))
    if key is True:
        return '"true"'
    if key is False:
        return '"false"'
    if key is None:
        return '"null"'
    if isinstance(key, int):
        return encode_basestring(int.__repr__(key))
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def _value(value: Any, parts: list[str], newline: str, flush: Callable[[], None] | None) -> None:
    """Append the text of ``value`` to ``parts``; ``newline`` is the line break and indentation of its own
    level.  ``flush`` (streaming) is called after an item of a list or mapping once ``parts`` is long."""
    out = parts.append
    if isinstance(value, str):
        out(encode_basestring(value))
    elif value is None:
        out("null")
    elif value is True:
        out("true")
    elif value is False:
        out("false")
    elif isinstance(value, int):
        out(int.__repr__(value))
    elif isinstance(value, float):
        out(_float(value))
    elif isinstance(value, (list, tuple)):
        _list(value, parts, newline, flush)
    elif isinstance(value, dict):
        _dict(value, parts, newline, flush)
    else:
        raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def _list(value: list | tuple, parts: list[str], newline: str, flush: Callable[[], None] | None) -> None:
    out = parts.append
    if not value:
        out("[]")
        return
    inner = newline + "  "
    separator = "," + inner
    out("[" + inner)
    for i, item in enumerate(value):
        if i:
            out(separator)
        if type(item) is str:  # the common case, without a call
            out(encode_basestring(item))
        else:
            _value(item, parts, inner, flush)
            if flush is not None and len(parts) > FLUSH_PARTS:
                flush()
    out(newline + "]")


def _dict(value: dict, parts: list[str], newline: str, flush: Callable[[], None] | None) -> None:
    out = parts.append
    if not value:
        out("{}")
        return
    inner = newline + "  "
    separator = "," + inner
    out("{" + inner)
    for i, (key, item) in enumerate(value.items()):
        if i:
            out(separator)
        text = encode_basestring(key) if type(key) is str else _key(key)
        if type(item) is str:  # the common case, without a call
            out(text + ": " + encode_basestring(item))
        else:
            out(text + ": ")
            _value(item, parts, inner, flush)
            if flush is not None and len(parts) > FLUSH_PARTS:
                flush()
    out(newline + "}")


def separators_escaped(text: str) -> str:
    """``text`` with U+2028 / U+2029 escaped (they occur only inside JSON strings: an escape there is the
    same value)."""
    if "\u2028" in text:
        text = text.replace("\u2028", "\\u2028")
    if "\u2029" in text:
        text = text.replace("\u2029", "\\u2029")
    return text


FLUSH_PARTS = 1 << 14  # pieces held before a streaming writer is handed them


def dump(data: Any, write: Callable[[str], None]) -> None:
    """Hand the text ``dumps(data)`` gives to ``write``, in pieces of about ``FLUSH_PARTS`` tokens, as it is
    made (a large report is never held whole)."""
    parts: list[str] = []

    def flush() -> None:
        write(separators_escaped("".join(parts)))
        parts.clear()

    _value(data, parts, "\n", flush)
    flush()


def dumps(data: Any) -> str:
    """The text ``json.dumps(data, ensure_ascii=False, indent=2)`` gives (U+2028 / U+2029 escaped)."""
    parts: list[str] = []
    _value(data, parts, "\n", None)
    return separators_escaped("".join(parts))
