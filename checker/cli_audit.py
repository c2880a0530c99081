"""Audit commands of ``parkcheck`` (registered by ``checker.cli``): ``diff``.

``parkcheck diff OLD_REPORT.json NEW_REPORT.json`` compares the nonconformities of two audits of a
park (checker.surveillance): closed, still open, recurring and new, each with clause, grade and
finding; Markdown on the terminal (``--format md``, the default) or JSON (``--format json``).
Exit 0 when nothing remains open, 1 when a still-open, recurring or new nonconformity is not
verified closed, 2 when a report cannot be read or is not a usable parkcheck report.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .cli_lang import lang_option
from .errors import EXIT_FINDINGS, EXIT_OK


def render_diff(result: dict, fmt: str, lang: str, codes: dict[str, str], this_date: str) -> str:
    """The comparison as JSON (byte-identical for the same reports) or as Markdown."""
    if fmt == "json":
        from .reporters._json import dumps  # json.dumps(indent=2)'s text, U+2028 / U+2029 escaped

        return dumps(result) + "\n"
    from .labels_audit import NCR
    from .labels_out import in_language
    from .reporters._ncr import punctuation, surveillance_view
    from .reporters._view import environment

    ncr = {"t": in_language(NCR, lang), "records": [], "standalone": True, "this_date": this_date,
           "surveillance": surveillance_view(result, lang, codes), **punctuation(lang)}
    return environment(False).get_template("_ncr.md.j2").render(ncr=ncr)


def pack_codes(*reports: dict) -> dict[str, str]:
    """Pack id -> code, from the packs the reports name."""
    codes: dict[str, str] = {}
    for report in reports:
        for pack in report["packs"]:
            if isinstance(pack.get("code"), str):
                codes.setdefault(pack["id"], pack["code"])
    return codes


def register(main: click.Group, guarded) -> None:
    """Add ``diff`` to the ``parkcheck`` group."""

    @main.command("diff")
    @click.argument("old", type=click.Path(path_type=Path))
    @click.argument("new", type=click.Path(path_type=Path))
    @click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True,
                  help="md: a Markdown summary on the terminal; json: the comparison as data.")
    @lang_option("Language of the summary (default zh) and of the messages (default: PARKCHECK_LANG, "
                 "then the locale, then zh).")
    @guarded
    def diff(old, new, fmt, lang):
        """Compare the nonconformities of OLD (previous audit's report.json) and NEW (this audit's):
        closed, still open, recurring and new.  Exit 1 while any remains open."""
        from .surveillance import compare, read_report

        before, after = read_report(old), read_report(new)
        result = compare(before, after)
        this_date = str(after["bundle"]["audit_date"])
        click.echo(render_diff(result, fmt, lang or "zh", pack_codes(before, after), this_date), nl=False)
        sys.exit(EXIT_FINDINGS if result["open_remaining"] else EXIT_OK)
