"""Characters that must not pass silently: invisible and bidirectional controls, control characters and
lone surrogates.  Text that holds them could display differently from what it is (an id that looks like
another, a file name whose extension is reversed, an error line that forges a second one)."""

from __future__ import annotations

import re
import unicodedata

# Zero-width and direction marks (U+200B-U+200F), word joiner and invisible operators (U+2060-U+2064),
# bidirectional embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069), and U+FEFF inside text;
# also DEL and the C1 controls (U+007F-U+009F: mis-decoded bytes; U+009B starts a terminal escape as ESC [ does)
# and the noncharacters U+FFFE, U+FFFF, which no YAML reader takes: written raw into a report.json, they made
# the report unreadable to ``diff`` and ``--previous`` (C0 controls are escaped by JSON, kept as data).
INVISIBLE = re.compile("[\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufffe\uffff]")
# For names (files, archive members): also every control character and lone surrogates (bytes that were
# not UTF-8, as the file system hands them over).
SUSPICIOUS_NAME = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064"
                             "\u2066-\u2069\ufeff\ud800-\udfff]")
SURROGATE = re.compile("[\ud800-\udfff]")


def char_name(char: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def shown(text: str) -> str:
    """``text`` with every suspicious character written as ``<U+XXXX>``, so it prints as what it is."""
    return SUSPICIOUS_NAME.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def locate(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of ``text[index]``."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1
