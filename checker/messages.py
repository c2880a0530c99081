"""Render a rule's zh/en message templates with the evidence values filled in.

Templates are Jinja expressions (``{{ subject.title }}``) evaluated in a sandbox.  Names available:
``subject`` the subject's original values, ``bundle`` the bundle manifest, ``partners`` the join
partners' values (a list), ``rule`` (id, clause), ``count`` (number of subjects).  Besides Jinja's own
filters, ``figure`` shows a computed number with 4 places, and 4 significant digits when it is small.
A value the evidence does not give renders as "（未提供）" / "(not given)" rather than failing.
"""

from __future__ import annotations

from functools import lru_cache

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from .figures import figure
from .labels_out import NOT_GIVEN, index
from .model import Text


def _undefined(lang: str):
    class Missing(jinja2.ChainableUndefined):
        def __str__(self) -> str:
            return NOT_GIVEN[index(lang)]

    return Missing


@lru_cache(maxsize=2)
def _env(lang: str) -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=_undefined(lang), autoescape=False)
    env.filters["figure"] = figure
    return env


@lru_cache(maxsize=4096)
def _template(lang: str, source: str) -> jinja2.Template:
    return _env(lang).from_string(source)


def _one(lang: str, source: str, context: dict) -> str:
    if "{" not in source:  # no placeholder, tag or comment: the text is its own rendering
        return source.strip()
    return _recent(_template(lang, source).render(context).strip())


_RECENT: dict[str, str] = {}
_RECENT_MAX = 4096


def _recent(text: str) -> str:
    """One object per distinct text among those rendered lately: a rule's message or remediation is often
    the same for thousands of subjects, rendered one after the other.  (Not ``sys.intern``: a text met once,
    such as a message naming its subject, would hold an entry of the interpreter's table while it lives.)"""
    hit = _RECENT.get(text)
    if hit is None:
        if len(_RECENT) >= _RECENT_MAX:
            _RECENT.clear()
        _RECENT[text] = hit = text
    return hit


@lru_cache(maxsize=4096)
def _shared(zh: str, en: str) -> Text:
    return Text(zh, en)


def render(text: dict | None, context: dict) -> Text | None:
    if not text:
        return None
    return _shared(_one("zh", text["zh"], context), _one("en", text["en"], context))
