"""Limits on what a bundle may make the tool do: stated, with defaults, and configurable.

Every limit has a ``--max-*`` option on ``check`` and ``validate`` (the option name is the field
name with dashes).  Exceeding one is an input error naming the file and the option, e.g.
``policy.yaml:2:4: nesting deeper than 64 levels (--max-depth)``.  The defaults are generous for
real parks and small enough that a hostile bundle is refused before it costs time or memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date as _date

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30


def _limit(default, help_en: str, size: bool = False):
    return field(default=default, metadata={"help": help_en, "size": size})


@dataclass(frozen=True)
class Limits:
    max_depth: int = _limit(64, "Nesting levels of a YAML/JSON document.")
    max_values: int = _limit(2_000_000, "Values in one YAML/JSON document, aliases expanded.")
    max_document_bytes: int = _limit(
        64 * MiB, "Bytes of one YAML/JSON document or CSV table (K, M, G suffixes allowed).", size=True)
    max_csv_rows: int = _limit(200_000, "Rows of one CSV table.")
    max_csv_cell: int = _limit(1 * MiB, "Characters in one CSV cell (K, M suffixes allowed).", size=True)
    max_files: int = _limit(20_000, "Files in a bundle folder.")
    max_file_bytes: int = _limit(256 * MiB, "Bytes of any one file of a bundle, attachments included.", size=True)
    max_bundle_bytes: int = _limit(1 * GiB, "Total bytes of the files of a bundle folder.", size=True)
    max_bundle_values: int = _limit(12_000_000, "Values of all documents and tables of a bundle together (a table "
                                                "row counts its columns and 2).")
    max_archive_members: int = _limit(20_000, "Members of a .zip bundle.")
    max_unpacked_bytes: int = _limit(1 * GiB, "Total uncompressed bytes of a .zip bundle.", size=True)
    max_compression_ratio: int = _limit(200, "Uncompressed size / compressed size of a .zip bundle "
                                             "(whole archive and each member over 1 MiB).")
    max_integer_digits: int = _limit(18, "Digits of an integer.")
    max_number: float = _limit(1e15, "Magnitude of any number.")

    def with_options(self, **values) -> Limits:
        """A copy with the given limits changed (``None`` values keep the default)."""
        given = {k: v for k, v in values.items() if v is not None}
        return Limits(**{**{f.name: getattr(self, f.name) for f in fields(self)}, **given}) if given else self


DEFAULT_LIMITS = Limits()
# records (CSV rows, YAML records, compacted facts) are made key-sharing dicts up to this many keys: CPython 3.11
# and 3.12 share at most 29 (a 30th makes a sharing dict about twice a plain one's size; tests/test_memory.py)
SHARED_KEYS = 29


# Dates (YAML/CSV/workbook values, --audit-date, the register's dates) must fall in these years: the checks
# count months and days from them (periods, intervals, due dates), which year 1 or 9999 would take out of the
# calendar Python can hold (0000-01-01 is no date at all, yet a JSON Schema validator accepted it).
FIRST_DATE, LAST_DATE = "1900-01-01", "2999-12-31"
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def existing_date(text) -> bool:
    """Whether ``text`` is a date written YYYY-MM-DD that exists in the calendar (any year)."""
    if not isinstance(text, str) or not _ISO_DATE.match(text):
        return False
    try:
        _date.fromisoformat(text)
    except ValueError:
        return False
    return True


def calendar_date(text) -> bool:
    """Whether ``text`` is a date written YYYY-MM-DD that exists, from ``FIRST_DATE`` to ``LAST_DATE``; any
    value that is not text passes (a format applies to strings only; the type is checked apart)."""
    return not isinstance(text, str) or (existing_date(text) and FIRST_DATE <= text <= LAST_DATE)


def option(name: str) -> str:
    """The command-line option of a limit: ``max_depth`` -> ``--max-depth``."""
    return "--" + name.replace("_", "-")


def described() -> list[tuple[str, object, str, bool]]:
    """``(name, default, help, is_size)`` of every limit, in declaration order."""
    return [(f.name, f.default, f.metadata["help"], f.metadata["size"]) for f in fields(Limits)]


_SIZE = re.compile(r"^\s*([0-9]+)\s*([KMG]?)(i?B)?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """``"64M"`` -> 67108864; plain numbers are bytes.  Raises ``ValueError`` on anything else."""
    m = _SIZE.match(str(text))
    if not m:
        raise ValueError(f"{text!r} is not a size (a number of bytes, or with K, M or G)")
    return int(m.group(1)) * {"": 1, "K": KiB, "M": MiB, "G": GiB}[m.group(2).upper()]


def archive_excess(sizes: list[int], compressed: int, limits: Limits) -> str | None:
    """Which limit a zip archive's declared contents break, judged before anything is inflated:
    ``members`` (too many), ``size`` (expands past ``max_unpacked_bytes``), ``ratio`` (a likely zip
    bomb: more than 1 MiB expanding beyond ``max_compression_ratio``), or None.  The reads that follow
    never trust the declared sizes."""
    if len(sizes) > limits.max_archive_members:
        return "members"
    total = sum(sizes)
    if total > limits.max_unpacked_bytes:
        return "size"
    if total > 1 << 20 and total > limits.max_compression_ratio * max(compressed, 1):
        return "ratio"
    return None
