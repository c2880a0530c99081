"""The ``parkcheck`` command: parses options and calls library functions, nothing more.

Exit codes: 0 no nonconformity · 1 nonconformities found (``validate``: evidence invalid;
``rules lint/test``: problems found) · 2 usage or input error.  Never a traceback: set
``PARKCHECK_DEBUG=1`` to see one for an internal error.

The shared options and the error handling are in ``checker.cli_support``; the ``rules`` group is
in ``checker.cli_rules``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from . import __version__
from .cli_audit import register as register_audit
from .cli_batch import register as register_batch
from .cli_excel import register as register_excel
from .cli_lang import lang_option
from .cli_onboard import register as register_onboarding
from .cli_rules import rules
from .cli_support import FORMAT_CHOICES, cache_option, guarded, limit_options, new_console, rules_option
from .errors import EXIT_FINDINGS, EXIT_OK
from .escape import one_line, terminal_line


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="parkcheck", message="%(prog)s %(version)s")
def main() -> None:
    """Check a park's evidence bundle against carbon-management and zero-carbon-park standards."""
    for stream in (sys.stdout, sys.stderr):  # a terminal or file in ASCII or GBK: a character it lacks is
        reconfigure = getattr(stream, "reconfigure", None)  # written \uXXXX, never an error mid-report
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


@main.command()
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--standard", "-s", "standards", multiple=True, metavar="ID",
              help="Rule pack to check against (repeatable). Default: the standards the bundle claims.")
@click.option("--out", "-o", "out_dir", type=click.Path(path_type=Path), help="Write the reports into this folder.")
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(FORMAT_CHOICES),
              help="Report formats to write (repeatable). Default: json, md, html, csv.")
@lang_option("Language of the reports (default zh) and of the messages (default: PARKCHECK_LANG, "
             "then the locale, then zh).")
@click.option("--timestamp", is_flag=True,
              help="Record the generation time in the reports (off: byte-identical output).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors (no summary, no progress bar).")
@click.option("--all", "show_all", is_flag=True,
              help="Also print the verdict of every clause (not-checked clauses included).")
@click.option("--mode", type=click.Choice(["auto", "precheck", "audit"]), default="auto", show_default=True,
              help="precheck: show what would close each finding; audit: no advice (ISO/IEC 17021-1); "
                   "auto: from the bundle's check_type.")
@click.option("--audit", "audit_file", type=click.Path(path_type=Path), metavar="FILE",
              help="The audit information (audit.yaml): body, audit type, dates, team, auditee, scope. "
                   "Replaces the bundle's audit.yaml.")
@click.option("--audit-date", metavar="YYYY-MM-DD", help="The date the rules measure from (replaces the bundle's).")
@click.option("--onsite", "onsite_file", type=click.Path(path_type=Path), metavar="FILE",
              help="The auditor's on-site results (onsite.yaml). Replaces the bundle's onsite.yaml.")
@click.option("--waivers", "waivers_file", type=click.Path(path_type=Path), metavar="FILE",
              help="Waivers and accepted risks (waivers.yaml). Replaces the bundle's waivers.yaml.")
@click.option("--applicability", "soa_file", type=click.Path(path_type=Path), metavar="FILE",
              help="The park's statement of applicability (applicability.yaml). Replaces the bundle's.")
@click.option("--corrective-actions", "actions_file", type=click.Path(path_type=Path), metavar="FILE",
              help="The park's corrective actions: corrective_actions.yaml, or the filled register "
                   "nonconformities.xlsx that --format xlsx writes. Replaces the bundle's.")
@click.option("--previous", type=click.Path(path_type=Path), metavar="REPORT",
              help="report.json of the previous audit: the report then shows closed, still open, new and "
                   "recurring nonconformities (surveillance).")
@rules_option
@cache_option
@limit_options
@guarded
def check(bundle, standards, out_dir, formats, lang, timestamp, quiet, show_all, mode, audit_file, audit_date,
          onsite_file, waivers_file, soa_file, actions_file, previous, rules_dir, limits):
    """Check BUNDLE (a folder or .zip) and report per clause."""
    from .check import InvalidEvidence, run_check
    from .cli_support import DEFAULT_FORMATS
    from .reporters import write_reports
    from .reporters.progress import check_progress, wanted
    from .reporters.terminal import print_summary
    from .resources import describe_rules, locate_rules

    lang = lang or "zh"  # the reports are Chinese first; the messages follow checker.i18n
    rules_dir, origin = locate_rules(rules_dir)
    if formats and out_dir is None:
        raise click.UsageError("--format needs --out")
    written = []
    try:
        with check_progress(wanted(quiet), lang) as timings:  # on stderr, gone before anything is printed
            report = run_check(bundle, list(standards) or None, rules_dir, timings=timings, timestamp=timestamp,
                               limits=limits, mode=mode, audit_date=audit_date, previous=previous,
                               given=given_records(audit=audit_file, onsite=onsite_file, waivers=waivers_file,
                                                   corrective_actions=actions_file, applicability=soa_file))
            if out_dir is not None:
                written = write_reports(report, out_dir, list(formats) or list(DEFAULT_FORMATS), lang,
                                        protect=Path(bundle))
    except InvalidEvidence as exc:  # every unreadable file and invalid document, grouped by file
        from .problemlist import check_listing
        _print_listing(check_listing(exc.problems))
    if not quiet:
        if written:
            click.echo("wrote " + ", ".join(one_line(p) for p in written))
        click.echo(one_line(describe_rules(rules_dir, origin, lang)))
        print_summary(report, new_console(), lang, show_all=show_all)
    has_errors = any(r.status.value == "error" for r in report.results)
    sys.exit(EXIT_FINDINGS if report.has_nonconformities or has_errors else EXIT_OK)


def given_records(**files: Path | None) -> dict[str, Path]:
    """The audit records given by option, by kind (checker.controldocs)."""
    return {kind: path for kind, path in files.items() if path is not None}


@main.command()
@click.argument("bundle", type=click.Path(path_type=Path))
@lang_option("Language of the messages (default: PARKCHECK_LANG, then the locale, then zh).")
@limit_options
@guarded
def validate(bundle, lang, limits):
    """Validate BUNDLE's documents against the evidence schemas."""
    from .check import load_and_validate
    from .problemlist import validate_listing
    from .schemas import load_schemas

    b, problems = load_and_validate(bundle, limits=limits)
    _print_listing(validate_listing(b, problems, load_schemas()))


def _print_listing(listing) -> NoReturn:
    """Print what ``checker.problemlist`` listed and exit with its code."""
    for line, err in listing.lines:
        click.echo(terminal_line(line), err=err)
    sys.exit(listing.exit_code)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["md", "csv"]), default="md", show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@rules_option
@cache_option
@guarded
def crosswalk(fmt, lang, rules_dir):
    """Print the crosswalk between the clauses of the rule packs."""
    from .crosswalk import load_crosswalk, render
    from .packs import available_packs

    cw = load_crosswalk(rules_dir)
    packs = [p for p in available_packs(rules_dir) if any(p in t.clauses for t in cw.topics)]
    click.echo(render(cw, packs, fmt, lang), nl=False)


main.add_command(rules)
register_onboarding(main)  # `init` and `checklist` (checker.cli_onboard)
register_excel(main, guarded, rules_option)  # `template` (checker.cli_excel)
register_audit(main, guarded)  # `diff` (checker.cli_audit)
register_batch(main)  # `batch` (checker.cli_batch)


if __name__ == "__main__":  # pragma: no cover
    main()
