"""The ``--lang zh|en`` option of the commands (checker.i18n)."""

from __future__ import annotations

import functools

import click

from .i18n import using


def lang_option(help_text: str):
    """``--lang zh|en``: the language of the messages (checker.i18n; default: PARKCHECK_LANG, then the
    locale, then Chinese).  The command runs with that language chosen and gets ``lang`` (``None``
    when not given)."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with using(kwargs.get("lang")):
                return fn(*args, **kwargs)

        return click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help=help_text)(wrapper)

    return decorate
