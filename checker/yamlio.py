"""Read YAML and JSON text into plain Python data while keeping where every value was written.

Positions come from ruamel.yaml's round-trip loader.  The result is plain ``dict``/``list``/scalars
(safe to hand to jsonschema and to the fact builder) plus a map from JSON pointer to
``(line, column)``, both 1-based, so every later error can name the file, line and field.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .charset import INVISIBLE, char_name, locate
from .errors import InputError
from .i18n import tr
from .limits import DEFAULT_LIMITS, Limits, option
from .pointers import Position, Positioned, escape_pointer_token, join_pointer, split_pointer
from .safeio import read_regular_file
from .yamllimits import REFERENCE_MAX_CHARS, count_events, invisible_message, node_bound, plain_number, scan
from .yamlmarks import MarkedContent
from .yamlparse import fast, fast_parse, ruamel_parse

# The parsers by their former names (the tests compare the two paths).
_fast_parse = fast_parse
_ruamel_parse = ruamel_parse

__all__ = ["Position", "Positioned", "decode_text", "escape_pointer_token", "join_pointer", "parse_yaml",
           "plain_number", "read_yaml_file", "split_pointer"]


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
            tr("not UTF-8 text (byte {byte}); save the file as UTF-8 (GBK/GB18030 files must be converted)",
               byte=f"0x{raw[exc.start]:02x}"), name, line, col) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError(tr("contains a NUL character: binary data, not a text document"), name, line)
    bad = INVISIBLE.search(text, 1 if text.startswith("\ufeff") else 0)
    if bad:
        raise InputError(invisible_message(bad.group()), name, *locate(text, bad.start()))
    return text


def parse_yaml(text: str, name: str, limits: Limits = DEFAULT_LIMITS) -> Positioned:
    """Parse one YAML (or JSON) document from ``text``.  ``name`` is used in error messages.

    The parse of a document up to ``MEMO_MAX_CHARS`` is memoised on (text, name, limits); each call
    gets its own copy of the data (the positions, never changed, are shared), so a caller that
    normalises or trims a document in place (labels, content gaps) never changes what the next call
    gets: the same bundle checked twice in one process gives the same report.  A larger document is
    parsed afresh each time, neither kept nor copied.
    """
    if len(text) > MEMO_MAX_CHARS:  # a large document is parsed once per bundle: no memo, no copy
        return _parse_yaml.__wrapped__(text, name, limits)
    parsed = _parse_yaml(text, name, limits)
    if isinstance(parsed, MarkedContent):  # its positions are never changed: shared
        return parsed.sharing(_plain_copy(parsed.data))
    return Positioned(_plain_copy(parsed.data), dict(parsed.positions))


# Documents up to this size are memoised (the same small files are read again by tests, by batch
# workers and by the rule linter); a larger one would only hold its memory.
MEMO_MAX_CHARS = 1 << 18


def clear_parse_cache() -> None:
    """Forget memoised parses (tests that measure parsing)."""
    _parse_yaml.cache_clear()


def _plain_copy(value):
    """A copy of parsed data (mappings, lists, scalars; nesting bounded by ``max_depth``)."""
    if isinstance(value, dict):
        return {k: _plain_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_copy(v) for v in value]
    return value


@lru_cache(maxsize=1024)
def _parse_yaml(text: str, name: str, limits: Limits = DEFAULT_LIMITS) -> Positioned:
    """Parse one YAML (or JSON) document from ``text`` (memoised: never hand its data out unshared).

    Valid documents take a fast path (libyaml's composer, YAML 1.2 core scalars, positions from the
    node marks); anything it does not handle, and every error, goes through ruamel.yaml's
    round-trip loader, whose messages and positions are the reference.

    Limits hold before anything is built.  Values are counted as libyaml's events: one per scalar or
    alias, two per list or mapping (start and end), aliases expanded when converting.  A document
    that may hold more than allowed (by a cheap upper bound from its characters) is first counted by
    libyaml's C parser without building anything.  Nesting is bounded by libyaml's own non-recursive
    parser (deeper than 1000 levels is refused there) and checked while converting.  The reference
    loader, whose composer recurses, only sees documents whose depth, size, tags and numbers were
    checked on the event stream, and only small ones: for a large broken document libyaml's own
    message is given.
    """
    try:
        return _parsed(text, name, limits)
    except InputError as exc:
        if exc.problem.line is None:  # YAML's reader refuses a character without saying where: say it
            bad = _NOT_YAML.search(text)
            if bad:
                raise InputError(tr("contains the character {char}, which a YAML or JSON document cannot "
                                    "hold raw; remove it (or write it as an escape in a double-quoted string)",
                                    char=char_name(bad.group())), name, *locate(text, bad.start())) from None
        raise


# What YAML's reader refuses anywhere in a stream (YAML 1.1 c-printable; NUL is refused by ``decode_text``):
# other C0 and C1 controls, DEL, surrogates, U+FFFE and U+FFFF.  JSON allows some of them raw.
_NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _parsed(text: str, name: str, limits: Limits) -> Positioned:
    if 4 * len(text) + 2 > limits.max_values and 2 * node_bound(text) > limits.max_values:
        error = count_events(text, name, limits)
        if error is not None and len(text) > REFERENCE_MAX_CHARS:
            raise error
    quick = fast(text, name, limits)
    if isinstance(quick, Positioned):
        return quick
    if quick is not None and len(text) > REFERENCE_MAX_CHARS:
        raise quick  # the pure-Python reference loader would take too long on a large broken file
    error = scan(text, name, limits)
    if error is not None and len(text) > REFERENCE_MAX_CHARS:
        raise error
    return ruamel_parse(text, name, limits)


def read_yaml_file(path, name: str | None = None) -> Positioned:
    """Read and parse a YAML/JSON file from disk (UTF-8 only)."""
    p = Path(path)
    label = name or str(p)
    raw = read_regular_file(p, label, DEFAULT_LIMITS.max_document_bytes, option("max_document_bytes"))
    return parse_yaml(decode_text(raw, label), label)
