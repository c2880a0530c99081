"""Onboarding commands: ``parkcheck init`` (a skeleton bundle) and ``parkcheck checklist`` (the
per-clause checklist and the data dictionary).  ``checker.cli`` adds them to the ``parkcheck`` group
with ``register(main)``; they use its error handling (``guarded``) and options.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from .errors import InputError
from .escape import one_line
from .template_xlsx import build_template, template_kinds

WORKBOOK = "台账.xlsx"  # the workbook `init --format xlsx` writes


def _packs(standards, rules_dir):
    from .packs import available_packs, get_pack

    known = available_packs(rules_dir)
    for s in standards:
        if s not in known:
            raise InputError(f"未知的标准 / unknown standard {s!r} "
                             f"(rule packs available: {', '.join(known) or 'none'})")
    return [get_pack(pid, rules_dir) for pid in (dict.fromkeys(standards) if standards else known)]


def _date(ctx, param, value):
    from .limits import FIRST_DATE, LAST_DATE, calendar_date, existing_date

    if value is None:
        return dt.datetime.now(dt.UTC).date()
    if not existing_date(value):  # YYYY-MM-DD only, as check's --audit-date (not 20250101 or 2025-W01-1)
        raise click.BadParameter(f"expected a date written YYYY-MM-DD, got {value!r}")
    first = f"{int(FIRST_DATE[:4]) + 1}{FIRST_DATE[4:]}"  # the skeleton's period is the year before it
    if not calendar_date(value) or value < first:
        raise click.BadParameter(f"expected a date from {first} to {LAST_DATE}, got {value!r}")
    return dt.date.fromisoformat(value)


def register(main: click.Group) -> None:
    """Add ``init`` and ``checklist`` to the ``parkcheck`` command group."""
    from .cli_support import cache_option, guarded, rules_option

    @main.command()
    @click.argument("folder", type=click.Path(path_type=Path))
    @click.option("--standard", "-s", "standards", multiple=True, required=True, metavar="ID",
                  help="Rule pack the bundle is for (repeatable).")
    @click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                  help="Comments in Chinese, or Chinese with English alongside.")
    @click.option("--park", default="（请填写园区名称）", help="Park name written in bundle.yaml.")
    @click.option("--format", "fmt", type=click.Choice(["yaml", "xlsx"]), default="yaml", show_default=True,
                  help="yaml: one commented file per document; xlsx: bundle.yaml and one workbook (台账.xlsx) "
                       "with a sheet per document, as `parkcheck template` writes it.")
    @click.option("--audit-date", callback=_date, metavar="YYYY-MM-DD",
                  help="Audit or self-check date (default: today); the period is the calendar year before it.")
    @rules_option
    @cache_option
    @guarded
    def init(folder, standards, lang, park, fmt, audit_date, rules_dir):
        """Write a skeleton evidence bundle into FOLDER (new or empty): bundle.yaml and one file per
        document the standards' rules read, every field explained in a comment."""
        from .onboard import skeleton_files, write_skeleton
        from .schemas import load_schemas

        packs = _packs(standards, rules_dir)
        workbook = WORKBOOK if fmt == "xlsx" else None
        files: dict[str, str | bytes] = dict(skeleton_files(packs, load_schemas(), park, audit_date, lang, rules_dir,
                                                            workbook))
        if workbook:
            ids = [p.id for p in packs]
            files[workbook] = build_template(template_kinds(ids, rules_dir), ids)
        written = write_skeleton(folder, files)
        click.echo(f"已写入 {len(written)} 个文件到 {one_line(folder)}：请按各文件注释填写，然后运行 "
                   f"parkcheck check {one_line(folder)}")
        if lang == "en":
            click.echo(f"wrote {len(written)} files into {one_line(folder)}: fill them in as their comments say, "
                       f"then run parkcheck check {one_line(folder)}")

    @main.command()
    @click.option("--standard", "-s", "standards", multiple=True, metavar="ID",
                  help="Rule pack (repeatable). Default: every pack.")
    @click.option("--format", "fmt", type=click.Choice(["md", "html", "xlsx"]), default="md", show_default=True)
    @click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                  help="Chinese, or Chinese with English alongside.")
    @click.option("--dictionary", is_flag=True, help="The data dictionary (every document kind and field) instead.")
    @click.option("--out", "-o", "out", type=click.Path(dir_okay=False, path_type=Path),
                  help="Write to this file (needed for xlsx). Default: standard output.")
    @click.option("--docs", "docs_dir", type=click.Path(file_okay=False, path_type=Path),
                  help="Regenerate the committed pages in this folder: checklist/<pack>.md and data-dictionary.md.")
    @rules_option
    @cache_option
    @guarded
    def checklist(standards, fmt, lang, dictionary, out, docs_dir, rules_dir):
        """Per clause: the requirement, the documents and fields that evidence it, how it is checked;
        or (--dictionary) every document kind and field with the clauses that read it."""
        from .checklist import checklist as build_checklist
        from .checklist import write_docs
        from .dictionary import dictionary as build_dictionary
        from .doctable import render
        from .schemas import load_schemas

        packs = _packs(standards, rules_dir)
        schemas = load_schemas()
        if docs_dir is not None:
            for path in write_docs(docs_dir, packs, schemas):
                click.echo(f"wrote {one_line(path)}")
            return
        doc = build_dictionary(packs, schemas, lang) if dictionary else build_checklist(packs, schemas, lang)
        data = render(doc, fmt)
        if out is not None:
            from .safeio import atomic_write

            try:
                atomic_write(out, data)
            except OSError as exc:  # name the file asked for, not atomic_write's temporary one
                raise InputError(f"cannot write it: {exc.strerror or type(exc).__name__}", str(out)) from None
            click.echo(f"wrote {one_line(out)}")
        elif fmt == "xlsx":
            raise click.UsageError("--format xlsx needs --out FILE")
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
