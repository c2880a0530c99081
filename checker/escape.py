"""Escaping of evidence text for each output medium, so bundle text is always shown literally.

Text from a bundle (park names, file names, ids, free-text fields, messages rendered with bundle
values) may hold control characters, terminal escape sequences, newlines, invisible or
bidirectional formatting characters, markup or formula prefixes.  Every writer passes it through
the function for its medium:

* ``one_line``: control, invisible and bidirectional characters as visible backslash escapes
  (``\\n``, ``\\x1b``, ``\\u202e``), so an error line or a terminal cell stays one honest line.
  Backslashes themselves are kept, which makes it idempotent (escaping twice changes nothing).
* ``printable``: the same but keeps newlines and tabs (HTML, Markdown before their own escaping).
* ``clip``: a long text cut with a marker (the terminal; the report files keep the full text).
* ``markdown`` / ``markdown_code``: Markdown inline text with HTML and Markdown syntax escaped.
* ``csv_cell``: a CSV cell that no spreadsheet evaluates as a formula, within Excel's cell size.
"""

from __future__ import annotations

import re

# Formatting characters that are invisible or reorder text (Unicode category Cf and friends).
_INVISIBLE = [0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, *range(0x200B, 0x2010),
              0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2060, 0x2070), 0x3164, 0xFEFF, 0xFFA0,
              *range(0xFFF9, 0xFFFC)]
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_of(cp: int) -> str:
    ch = chr(cp)
    if ch in _NAMED:
        return _NAMED[ch]
    return f"\\x{cp:02x}" if cp <= 0xFF else f"\\u{cp:04x}"


_ONE_LINE = {cp: _escape_of(cp) for cp in [*range(0x00, 0x20), *range(0x7F, 0xA0), *_INVISIBLE,
                                              *range(0xD800, 0xE000)]}  # lone surrogates cannot be printed
_PRINTABLE = {cp: e for cp, e in _ONE_LINE.items() if chr(cp) not in "\n\t"}


def one_line(text) -> str:
    """``text`` as one line with every control, invisible and bidirectional character made visible."""
    return str(text).translate(_ONE_LINE)


def printable(text) -> str:
    """Like ``one_line`` but newlines and tabs are kept (``\\r\\n`` and ``\\r`` become ``\\n``)."""
    return str(text).replace("\r\n", "\n").replace("\r", "\n").translate(_PRINTABLE)


# A terminal line longer than this is cut in the middle: an error quoting a 5 MB cell was a 5 MB line.
LINE_LIMIT = 4000


def terminal_line(text) -> str:
    """``one_line(text)``, cut in its middle past ``LINE_LIMIT`` characters (the start names the file, line and
    field; the end keeps the message's hint), saying how much was left out."""
    text = one_line(text)
    if len(text) <= LINE_LIMIT:
        return text
    cut = len(text) - 3000 - 800
    return f"{text[:3000]} …（略去 {cut} 字符 / {cut} characters left out）… {text[-800:]}"


def clip(text, limit: int) -> str:
    """``text`` cut to ``limit`` characters with a marker saying how much was left out."""
    text = str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…（截断，另有 {len(text) - limit} 字符 / truncated, {len(text) - limit} more characters）"


# --- Markdown ---

_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Markdown syntax characters; ``_`` only where it could delimit emphasis (an underscore inside a
# word, as in ``legal_compliance``, never does), which keeps field names readable.
_MD_SPECIAL = re.compile(r"[\\`*\[\]{}|~$^&<>]|(?<!\w)_|_(?!\w)")


def markdown(text) -> str:
    """Inline Markdown text that renders literally: HTML special characters as entities, Markdown
    syntax characters backslash-escaped, ``|`` escaped (safe in table cells), newlines as ``<br>``."""
    text = _MD_SPECIAL.sub(lambda m: _MD_ENTITIES.get(m[0]) or "\\" + m[0], printable(text))
    return text.replace("\n", "<br>").replace("\t", " ")


_MD_CODE_OK = re.compile(r"[^`|<>&\\]*")


def markdown_code(text) -> str:
    """A Markdown code span of ``text``; text a code span cannot hold literally (backticks, ``|`` in
    a table, HTML characters) is given as escaped plain text instead."""
    text = one_line(text)
    return f"`{text}`" if text and _MD_CODE_OK.fullmatch(text) else markdown(text)


# --- CSV ---

EXCEL_CELL_LIMIT = 32_767  # Excel keeps at most this many characters in a cell
_TRUNCATED = ("…（已截断，全文见 JSON/Markdown/HTML 报告 / "
              "truncated: the full text is in the JSON, Markdown and HTML reports）")
_FORMULA_START = frozenset("=+-@\t\r")


def csv_cell(value) -> str:
    """A CSV cell that spreadsheets show as text: control characters other than newline and tab
    made visible (``printable``); a cell whose first character (or first after leading whitespace)
    could start a formula (``= + - @``, tab, CR) gets a leading apostrophe; a cell over Excel's
    limit is cut with a marker (the other reports keep the full text)."""
    text = "" if value is None else printable(value)
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - len(_TRUNCATED) - 1] + _TRUNCATED
    stripped = text.lstrip()
    if text and (text[0] in _FORMULA_START or (stripped and stripped[0] in _FORMULA_START)):
        text = "'" + text
    return text
