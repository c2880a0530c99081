"""Excel commands of ``parkcheck`` (registered by ``checker.cli``): ``template``.

``register(main, guarded, rules_option)`` takes the CLI's error guard and ``--rules`` option as
arguments, so this module never imports ``checker.cli`` (no import cycle, also under ``python -m``)."""

from __future__ import annotations

from pathlib import Path

import click

from .escape import one_line


def _exists_message() -> str:
    from .i18n import tr

    return tr("already exists; parkcheck template does not overwrite it (give a new file, or --force to replace it)")


def _template(standards, out, rules_dir, force=False):
    """Write an Excel workbook for a park to fill: a sheet per register or ledger, a key-value sheet per
    document, Chinese headers, drop-down lists, and a first sheet explaining how to fill it.  An existing
    file is never replaced unless --force is given (it may be a park's filled workbook)."""
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
    if not force and (out.exists() or out.is_symlink()):  # a filled workbook is evidence: never overwritten
        raise InputError(_exists_message(), str(out))
    try:
        kinds = write_template(out, list(dict.fromkeys(standards)), rules_dir, replace=force)
    except FileExistsError:  # created while the workbook was built
        raise InputError(_exists_message(), str(out)) from None
    except OSError as exc:  # a missing folder, a read-only or full disk: name the workbook, not a temporary file
        raise InputError(f"cannot write the workbook: {exc.strerror or type(exc).__name__}", str(out)) from None
    click.echo(f"wrote {one_line(out)}: {len(kinds)} document kinds ({', '.join(kinds)})")


def register(main: click.Group, guarded, rules_option) -> None:
    """Add the Excel commands to the ``parkcheck`` group."""
    command = click.command("template", help=_template.__doc__)(
        click.option("--standard", "-s", "standards", multiple=True, required=True, metavar="ID",
                     help="Rule pack whose evidence the workbook asks for (repeatable).")(
            click.option("--out", "-o", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
                         help="The workbook to write (.xlsx); an existing file is refused unless --force.")(
                click.option("--force", is_flag=True, default=False,
                             help="Replace the --out file if it exists (never needed for a new file).")(
                    rules_option(guarded(_template))))))
    main.add_command(command)
