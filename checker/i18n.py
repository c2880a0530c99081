"""Messages in Chinese and English: a gettext catalogue read with babel.

Message ids are English, written in the code as ``tr("expected {expected}, got {value}", expected=…,
value=…)``: ``tr`` looks the id up in ``checker/locale/zh_CN/LC_MESSAGES/parkcheck.po`` when the
language is Chinese and fills the named placeholders (``str.format``).  An id without a translation
stays English (``tests/test_i18n.py`` fails when one is missing or fuzzy).  The ``.po`` is read at
run time with ``babel.messages.pofile``: nothing has to be compiled when the package is built.

The language: ``using("zh"|"en")`` (the ``--lang`` option of the commands) wins; otherwise
``PARKCHECK_LANG``; otherwise the locale (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``, the
first one set): Chinese when it names Chinese (``zh_CN.UTF-8``), English when it names another
language (``en_US.UTF-8``).  An unset locale or the neutral ``C``/``POSIX`` one means Chinese, the
tool's first language.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
CATALOGUE = Path(__file__).resolve().parent / "locale" / "zh_CN" / "LC_MESSAGES" / "parkcheck.po"

_CHOSEN: ContextVar[str | None] = ContextVar("parkcheck_lang", default=None)


def language_from_env(environ: Mapping[str, str] | None = None) -> str:
    """``zh`` or ``en`` from ``PARKCHECK_LANG`` or the locale variables (see the module docstring)."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    chosen = (env.get("PARKCHECK_LANG") or "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = (env.get(name) or "").strip()
        if not value:
            continue
        first = value.split(":")[0]  # LANGUAGE may list several: the first one counts
        code = first.split(".")[0].split("@")[0].lower()
        if code in ("c", "posix", ""):
            return DEFAULT
        return "zh" if code.startswith("zh") else "en"
    return DEFAULT


def current() -> str:
    """The language messages are written in now."""
    return _CHOSEN.get() or language_from_env()


@contextmanager
def using(lang: str | None) -> Iterator[str]:
    """Write messages in ``lang`` (``None``: from the environment) inside the block."""
    chosen = lang if lang in LANGUAGES else language_from_env()
    token = _CHOSEN.set(chosen)
    try:
        yield chosen
    finally:
        _CHOSEN.reset(token)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, str]:
    """``{English id: Chinese text}`` of the translated, non-fuzzy entries of the ``.po``."""
    from babel.messages.pofile import read_po  # only when a Chinese message is written

    with CATALOGUE.open("rb") as fh:
        cat = read_po(fh, locale="zh_CN")
    return {str(m.id): str(m.string) for m in cat
            if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy}


def tr(message: str, /, **values: Any) -> str:
    """``message`` (an English id) in the current language, its ``{name}`` placeholders filled."""
    text = catalogue().get(message, message) if current() == "zh" else message
    return text.format(**values) if values else text


def zh() -> bool:
    return current() == "zh"
