"""The ``parkcheck`` command: parses options and calls library functions, nothing more.

Exit codes: 0 no nonconformity · 1 nonconformities found (``validate``: evidence invalid;
``rules lint/test``: problems found) · 2 usage or input error.  Never a traceback: set
``PARKCHECK_DEBUG=1`` to see one for an internal error.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from . import __version__
from .cli_lang import lang_option
from .errors import EXIT_FINDINGS, EXIT_INPUT_ERROR, EXIT_OK, EngineError, InputError, ParkcheckError, RuleError
from .escape import one_line
from .i18n import tr

FORMAT_CHOICES = ("json", "md", "html", "csv")


class InputFailure(click.ClickException):
    """A bad-input error: printed as one line, exit code 2 (click's own exceptions exit 1)."""

    exit_code = EXIT_INPUT_ERROR

    def show(self, file=None) -> None:
        click.echo(f"parkcheck: error: {one_line(self.message)}", err=True)


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)


def guarded(fn):
    """Turn every error into one readable line and the right exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except RuleError as exc:
            for p in exc.problems:
                click.echo(f"parkcheck: rule error: {p}", err=True)
            raise SystemExit(EXIT_INPUT_ERROR) from None
        except InputError as exc:
            raise InputFailure(str(exc)) from None
        except EngineError as exc:
            click.echo(f"parkcheck: engine error: {one_line(exc)} (no result was reported)", err=True)
            raise SystemExit(EXIT_INPUT_ERROR) from None
        except ParkcheckError as exc:
            raise InputFailure(str(exc)) from None
        except BrokenPipeError:  # the reader went away (`parkcheck … | head`): stop quietly
            try:
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep Python from failing at exit
            except OSError:
                pass
            raise SystemExit(EXIT_OK) from None
        except KeyboardInterrupt:
            click.echo("parkcheck: interrupted", err=True)
            raise SystemExit(EXIT_INPUT_ERROR) from None
        except Exception as exc:  # a bug: say so in one line, never a traceback
            if os.environ.get("PARKCHECK_DEBUG"):
                traceback.print_exc()
            click.echo(f"parkcheck: internal error ({type(exc).__name__}: {one_line(exc)}); "
                       "please report it with the command you ran", err=True)
            raise SystemExit(EXIT_INPUT_ERROR) from None

    return wrapper


class _Size(click.ParamType):
    name = "SIZE"

    def convert(self, value, param, ctx):
        from .limits import parse_size
        try:
            return parse_size(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def limit_options(fn):
    """One ``--max-*`` option per limit (checker/limits.py), gathered into a ``limits`` argument."""
    from .limits import DEFAULT_LIMITS, described, option

    names = []
    for name, default, help_en, is_size in reversed(described()):
        kind = _Size() if is_size else (click.FloatRange(min=0) if isinstance(default, float)
                                         else click.IntRange(min=1))
        fn = click.option(option(name), name, type=kind, default=None, metavar=kind.name.upper(),
                          help=f"{help_en} Default: " + (f"{default:g}." if isinstance(default, float)
                                                         else f"{default:,}."))(fn)
        names.append(name)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        kwargs["limits"] = DEFAULT_LIMITS.with_options(**{n: kwargs.pop(n) for n in names})
        return fn(*args, **kwargs)

    return wrapper


rules_option = click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path),
                            help="Use rule packs from this folder instead of the shipped ones.")


def _no_cache(ctx, param, value):
    if value:
        from .cache import disable

        disable()
    return value


cache_option = click.option("--no-cache", is_flag=True, expose_value=False, is_eager=True, callback=_no_cache,
                            help="Neither read nor write the cache of linted rule packs.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="parkcheck", message="%(prog)s %(version)s")
def main() -> None:
    """Check a park's evidence bundle against carbon-management and zero-carbon-park standards."""


@main.command()
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--standard", "-s", "standards", multiple=True, metavar="ID",
              help="Rule pack to check against (repeatable). Default: the standards the bundle claims.")
@click.option("--out", "-o", "out_dir", type=click.Path(path_type=Path), help="Write the reports into this folder.")
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(FORMAT_CHOICES),
              help="Report formats to write (repeatable). Default: all four.")
@lang_option("Language of the reports (default zh) and of the messages (default: PARKCHECK_LANG, "
             "then the locale, then zh).")
@click.option("--timestamp", is_flag=True, help="Record the generation time in the reports (off: byte-identical output).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@rules_option
@cache_option
@limit_options
@guarded
def check(bundle, standards, out_dir, formats, lang, timestamp, quiet, rules_dir, limits):
    """Check BUNDLE (a folder or .zip) and report per clause."""
    from .check import InvalidEvidence, run_check
    from .reporters import write_reports
    from .reporters.terminal import print_summary
    from .resources import describe_rules, locate_rules

    lang = lang or "zh"  # the reports are Chinese first; the messages follow checker.i18n
    rules_dir, origin = locate_rules(rules_dir)
    try:
        report = run_check(bundle, list(standards) or None, rules_dir, timestamp=timestamp, limits=limits)
    except InvalidEvidence as exc:
        for p in [p for p in exc.problems if not p.gap][:20]:
            click.echo(tr("parkcheck: invalid evidence: {problem}", problem=p), err=True)
        shown = len([p for p in exc.problems if not p.gap])
        if shown > 20:
            click.echo(tr("parkcheck: ... and {count} more (see `parkcheck validate`)", count=shown - 20), err=True)
        raise SystemExit(EXIT_INPUT_ERROR) from None
    if out_dir is not None:
        written = write_reports(report, out_dir, list(formats) or list(FORMAT_CHOICES), lang,
                                protect=Path(bundle))
        if not quiet:
            click.echo("wrote " + ", ".join(one_line(p) for p in written))
    elif formats:
        raise click.UsageError("--format needs --out")
    if not quiet:
        click.echo(one_line(describe_rules(rules_dir, origin, lang)))
        print_summary(report, _console(), lang)
    has_errors = any(r.status.value == "error" for r in report.results)
    sys.exit(EXIT_FINDINGS if report.has_nonconformities or has_errors else EXIT_OK)


@main.command()
@click.argument("bundle", type=click.Path(path_type=Path))
@lang_option("Language of the messages (default: PARKCHECK_LANG, then the locale, then zh).")
@limit_options
@guarded
def validate(bundle, lang, limits):
    """Validate BUNDLE's documents against the evidence schemas."""
    from .check import load_and_validate

    b, problems = load_and_validate(bundle, limits=limits)
    for p in problems:
        click.echo(tr("{problem} [optional value left empty: treated as not given]", problem=p) if p.gap == "optional"
                   else tr("{problem} [content gap (reported as a finding by check)]", problem=p) if p.gap else str(p))
    name = one_line(b.name)
    if problems:
        gaps = sum(1 for p in problems if p.gap and p.gap != "optional")
        note = (tr(" (1 content gap: `check` reports it as a finding)") if gaps == 1
                else tr(" ({count} content gaps: `check` reports them as findings)", count=gaps) if gaps else "")
        count = (tr("1 problem in {bundle}{note}", bundle=name, note=note) if len(problems) == 1
                 else tr("{count} problems in {bundle}{note}", count=len(problems), bundle=name, note=note))
        click.echo(count, err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(tr("{bundle}: {count} documents valid ({kinds})", bundle=name, count=len(b.documents) + 1,
                 kinds=", ".join(sorted({d.kind for d in b.documents}))))
    sys.exit(EXIT_OK)


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


@main.group()
def rules() -> None:
    """List, lint and test rule packs."""


def _announce_rules(rules_dir: Path | None) -> Path | None:
    """Resolve the rules folder (``--rules``, ``PARKCHECK_RULES``, the project checkout, the installed
    packs) and say which one on the first line of output."""
    from .resources import describe_rules, locate_rules

    folder, origin = locate_rules(rules_dir)
    click.echo(one_line(describe_rules(folder, origin)))
    return folder


def _pack_ids(standards, rules_dir) -> list[str]:
    from .packs import available_packs

    known = available_packs(rules_dir)
    for s in standards:
        if s not in known:
            raise InputError(f"unknown standard {s!r} (rule packs available: {', '.join(known) or 'none'})")
    return list(standards) or known


@rules.command("list")
@click.option("--standard", "-s", "standards", multiple=True, metavar="ID")
@rules_option
@cache_option
@guarded
def rules_list(standards, rules_dir):
    """List the rules of each pack."""
    rules_dir = _announce_rules(rules_dir)
    from .packs import get_pack
    from .reporters.terminal import plain

    console = _console()
    for pid in _pack_ids(standards, rules_dir):
        pack = get_pack(pid, rules_dir)
        table = Table(title=plain(f"{pack.code} {pack.title['zh']} ({pid}, {len(pack.rules)} rules)"), title_justify="left")
        for col in ("rule", "clause", "obligation", "grade", "for each", "source"):
            table.add_column(col)
        for r in pack.rules:
            table.add_row(*(plain(x) for x in (r.id, r.clause, r.obligation, r.grade, r.for_each, r.source)))
        console.print(table)


@rules.command("lint")
@click.option("--standard", "-s", "standards", multiple=True, metavar="ID")
@rules_option
@cache_option
@guarded
def rules_lint(standards, rules_dir):
    """Check rule files against the rule schema, the catalogue and the evidence schemas."""
    rules_dir = _announce_rules(rules_dir)
    from .crosswalk import lint_crosswalk
    from .packs import load_pack

    loaded: dict = {}

    def pack_of(pid: str):
        if pid not in loaded:
            loaded[pid] = load_pack(pid, rules_dir)
        return loaded[pid]

    total = 0
    for p in lint_crosswalk(rules_dir, pack_of):
        click.echo(str(p))
        total += 1
    selected = _pack_ids(standards, rules_dir)
    from .stylelint import lint_rule_format
    for pid in selected:
        pack = pack_of(pid)
        problems = pack.problems + lint_rule_format(pid, rules_dir)  # the rule-file format (checker.stylelint)
        for p in problems:
            click.echo(str(p))
        total += len(problems)
        if not problems:
            click.echo(f"{pid}: {len(pack.rules)} rules, {len(pack.catalogue)} catalogue entries: ok")
    # grades of same-topic rules that test the same evidence agree across packs (every pack is compared;
    # a disagreement is reported when one of its two rules is in a selected pack)
    from .crosswalk import load_crosswalk
    from .grading import lint_grading
    from .packs import available_packs

    for p in lint_grading([pack_of(pid) for pid in available_packs(rules_dir)], load_crosswalk(rules_dir),
                          set(selected)):
        click.echo(str(p))
        total += 1
    sys.exit(EXIT_FINDINGS if total else EXIT_OK)


@rules.command("test")
@click.option("--standard", "-s", "standards", multiple=True, metavar="ID")
@click.option("--rule", "rule_filter", metavar="TEXT", help="Only rules whose id contains TEXT.")
@click.option("--verbose", "-v", is_flag=True, help="List every case.")
@rules_option
@cache_option
@guarded
def rules_test(standards, rule_filter, verbose, rules_dir):
    """Run the passing and failing cases written beside each rule."""
    rules_dir = _announce_rules(rules_dir)
    from .cases import run_pack_cases
    from .packs import get_pack

    failed = passed = 0
    for pid in _pack_ids(standards, rules_dir):
        pack = get_pack(pid, rules_dir)
        for o in run_pack_cases(pack, rule_filter):
            if o.ok:
                passed += 1
                if verbose:
                    click.echo(f"ok   {o.rule} :: {o.case} ({o.detail})")
            else:
                failed += 1
                click.echo(f"FAIL {o.location()}: {o.rule} :: {o.case}: {o.detail}")
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


@rules.command("docs")
@click.option("--standard", "-s", "standards", multiple=True, metavar="ID")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("docs/rules"), show_default=True)
@rules_option
@cache_option
@guarded
def rules_docs(standards, out_dir, rules_dir):
    """Write the rule reference of each pack (Markdown) into a folder."""
    rules_dir = _announce_rules(rules_dir)
    from .docs import render_pack
    from .packs import get_pack
    from .reporters import atomic_write

    out_dir.mkdir(parents=True, exist_ok=True)
    for pid in _pack_ids(standards, rules_dir):
        path = out_dir / f"{pid}.md"
        atomic_write(path, render_pack(get_pack(pid, rules_dir)).encode("utf-8"))
        click.echo(f"wrote {path}")


@rules.command("coverage")
@click.option("--standard", "-s", "standards", multiple=True, metavar="ID")
@click.option("--missing", is_flag=True, help="List only normative clauses no rule covers.")
@rules_option
@cache_option
@guarded
def rules_coverage(standards, missing, rules_dir):
    """Show which catalogue clauses the rules cover; fail if a normative clause has none."""
    rules_dir = _announce_rules(rules_dir)
    from .coverage import NOT_COVERED, coverage, summary
    from .packs import get_pack
    from .reporters.terminal import plain

    console = _console()
    uncovered = 0
    style = {"checked": "green", "onsite": "cyan", "title only": "yellow", "not covered": "bold red", "informative": "dim"}
    for pid in _pack_ids(standards, rules_dir):
        pack = get_pack(pid, rules_dir)
        rows = coverage(pack)
        table = Table(title=plain(f"{pack.code} {pack.title['zh']} ({pid})"), title_justify="left")
        for col in ("clause", "title", "normative", "status", "rules"):
            table.add_column(col, overflow="fold")
        for r in rows:
            if missing and r.status != NOT_COVERED:
                continue
            table.add_row(plain(r.clause), plain(r.title), "应" if r.normative else "", plain(r.status, style[r.status]),
                          plain(", ".join(r.rules)))
        console.print(table)
        s = summary(rows)
        console.print(f"{pid}: {s['covered']}/{s['normative']} normative clauses covered ({s['percent']}%): "
                      f"checked {s['checked']}, on-site {s['onsite']}, title only {s['title only']}, "
                      f"not covered {s['not covered']}")
        if s["title_only_clauses"]:
            console.print(f"  with clause text: {s['full_text_covered']}/{s['full_text']} covered; known by title only: "
                          f"{s['title_only_checked']}/{s['title_only_clauses']} checked through an equivalent requirement")
        uncovered += s["not covered"]
    sys.exit(EXIT_FINDINGS if uncovered else EXIT_OK)


@rules.command("new")
@click.option("--standard", "-s", "standard", required=True, metavar="ID")
@click.option("--clause", "-c", required=True, help="Catalogue clause, e.g. '6.2 d)'.")
@click.option("--kind", help="Evidence kind the rule reads (e.g. policy).")
@click.option("--field", "field_", help="Field of that kind the rule checks (dotted path).")
@click.option("--id", "rule_id", help="Rule id (default: <prefix>-<clause>-new).")
@click.option("--file", "target", type=click.Path(dir_okay=False, path_type=Path),
              help="Rule file of the pack to append to (default: print the rule).")
@rules_option
@cache_option
@guarded
def rules_new(standard, clause, kind, field_, rule_id, target, rules_dir):
    """Write a rule skeleton for a clause: the quoted requirement, obligation and grade from the
    catalogue, a passing and a failing case."""
    rules_dir = _announce_rules(rules_dir)
    from .packs import load_pack
    from .scaffold import add_rule, skeleton

    pack = load_pack(standard, rules_dir)
    if target is None:
        click.echo(skeleton(pack, clause, kind=kind, field=field_, rule_id=rule_id), nl=False)
    else:
        path = target if target.is_absolute() or target.parent != Path(".") else pack.folder / target
        add_rule(pack, clause, path, kind=kind, field=field_, rule_id=rule_id)
        click.echo(f"wrote {one_line(path)}: edit the message, then `parkcheck rules lint` and `rules test`")


@rules.command("diff")
@click.argument("pack_a")
@click.argument("pack_b")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@rules_option
@cache_option
@guarded
def rules_diff(pack_a, pack_b, fmt, rules_dir):
    """What changed from PACK_A to PACK_B (ids, or pack folders): clauses, rules, grades, scoring values.

    Exit 0 when the packs are the same, 1 when they differ."""
    rules_dir = _announce_rules(rules_dir)
    from .packdiff import diff_packs, open_pack, render_json, render_text

    d = diff_packs(open_pack(pack_a, rules_dir), open_pack(pack_b, rules_dir))
    click.echo(render_json(d) if fmt == "json" else render_text(d), nl=False)
    sys.exit(EXIT_OK if d.empty else EXIT_FINDINGS)


from .cli_onboard import register as _register_onboarding  # noqa: E402 - `init` and `checklist`

_register_onboarding(main)

from .cli_excel import register as _register_excel  # noqa: E402  (the Excel commands: template)

_register_excel(main, guarded, rules_option)

if __name__ == "__main__":  # pragma: no cover
    main()
