"""Excel commands of ``parkcheck`` (registered by ``checker.cli``): ``template``.

``register(main, guarded, rules_option)`` takes the CLI's error guard and ``--rules`` option as
arguments, so this module never imports ``checker.cli`` (no import cycle, also under ``python -m``)."""

from __future__ import annotations

from pathlib import Path

import click

from .escape import one_line


def _template(standards, out, rules_dir):
    """Write an Excel workbook for a park to fill: a sheet per register or ledger, a key-value sheet per
    document, Chinese headers, drop-down lists, and a first sheet explaining how to fill it."""
    from .errors import InputError
    from .packs import available_packs
    from .resources import locate_rules
    from .template_xlsx import write_template

    if out.suffix.lower() != ".xlsx":
        raise click.UsageError("--out must name an .xlsx file")
    rules_dir, _ = locate_rules(rules_dir)
    known = available_packs(rules_dir)
    for sid in standards:
        if sid not in known:
            raise InputError(f"unknown standard {sid!r} (rule packs available: {', '.join(known)})")
    if out.exists() and not out.is_file():
        raise InputError("is not a regular file; give the path of the workbook to write", str(out))
    try:
        kinds = write_template(out, list(dict.fromkeys(standards)), rules_dir)
    except OSError as exc:  # a missing folder, a read-only or full disk: name the workbook, not a temporary file
        raise InputError(f"cannot write the workbook: {exc.strerror or type(exc).__name__}", str(out)) from None
    click.echo(f"wrote {one_line(out)}: {len(kinds)} document kinds ({', '.join(kinds)})")


def register(main: click.Group, guarded, rules_option) -> None:
    """Add the Excel commands to the ``parkcheck`` group."""
    command = click.command("template", help=_template.__doc__)(
        click.option("--standard", "-s", "standards", multiple=True, required=True, metavar="ID",
                     help="Rule pack whose evidence the workbook asks for (repeatable).")(
            click.option("--out", "-o", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
                         help="The workbook to write (.xlsx).")(
                rules_option(guarded(_template)))))
    main.add_command(command)
