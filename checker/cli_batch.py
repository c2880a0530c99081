"""``parkcheck batch DIR… --out OUT``: every bundle under the folders, checked on worker processes
(checker.batch), each bundle's reports in ``OUT/reports/NAME`` and a summary in ``OUT/summary.csv``,
``summary.xlsx`` and ``summary.html``.

Exit code: 0 when no bundle has a nonconformity and every bundle was checked; 1 when nonconformities
were found; 2 when any bundle could not be checked (unreadable, invalid, a failed check, a worker that
died, over the time limit) or the command itself could not run.  Registered by ``checker.cli``."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from .cli_lang import lang_option
from .cli_support import FORMAT_CHOICES, InputFailure, cache_option, guarded, limit_options, rules_option
from .escape import one_line, terminal_line
from .i18n import tr

EXECUTORS = ("local", "dask")


@contextmanager
def _progress(enabled: bool) -> Iterator[tuple]:
    """A bar on stderr (rich), only for a person at a terminal; yields (on_plan, on_row) callbacks."""
    if not enabled:
        yield None, None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=Console(stderr=True), transient=True)
    state: dict = {}

    def on_plan(total: int) -> None:
        state["task"] = progress.add_task(tr("checking bundles"), total=total)

    def on_row(row: dict) -> None:
        if "task" in state:
            progress.advance(state["task"])

    with progress:
        yield on_plan, on_row


def _executor(name: str, jobs: int, scheduler: str | None):
    from .executors import DaskExecutor, LocalExecutor

    if name == "dask":
        try:
            import distributed  # noqa: F401 - only to say clearly when the extra is missing
        except ImportError:
            raise click.UsageError(tr("--executor dask needs Dask: pip install 'parkcheck[cluster]'")) from None
        return DaskExecutor(scheduler, jobs)
    if scheduler:
        raise click.UsageError(tr("--scheduler is for --executor dask"))
    return LocalExecutor(jobs)


def _cpus() -> int:
    """The processors this process may run on (its affinity), else the machine's count."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def _batch(folders, out_dir, jobs, executor, scheduler, standards, formats, lang, mode, timeout, quiet, rules_dir,
           limits):
    """Check every bundle under the folders (a folder holding bundle.yaml, or a .zip) on worker processes;
    each bundle's reports go to OUT/reports/NAME, the summary to OUT/summary.csv, .xlsx and .html.
    Exit 0: no nonconformity; 1: nonconformities found; 2: a bundle could not be checked."""
    from .batch import run_batch
    from .batch_worker import options
    from .cache import cache_dir
    from .cli_support import DEFAULT_FORMATS
    from .executors import WorkerStartFailed
    from .resources import locate_rules

    lang = lang or "zh"
    rules_dir, _ = locate_rules(rules_dir)
    opts = options(list(standards), rules_dir, list(formats) or list(DEFAULT_FORMATS), lang, mode, limits)
    opts["no_cache"] = cache_dir() is None
    runner = _executor(executor, jobs or _cpus(), scheduler)
    bar = not quiet and sys.stderr.isatty()
    try:
        with _progress(bar) as (on_plan, on_row):
            outcome = run_batch(list(folders), out_dir, runner, opts, timeout or None, on_row=on_row, on_plan=on_plan)
    except WorkerStartFailed as exc:
        raise InputFailure(tr("the worker processes could not start: {reason}", reason=one_line(exc))) from None
    for folder in outcome.skipped:
        click.echo(tr("parkcheck: warning: folder skipped: {folder}", folder=one_line(folder)), err=True)
    if not quiet:
        from .batch_summary import failures, totals

        click.echo(totals(outcome.rows, lang))
        for line in failures(outcome.rows, lang):  # which bundles, and why: the summary files hold them all
            click.echo(terminal_line(line))
        click.echo(tr("wrote {files}", files=", ".join(one_line(p) for p in outcome.written)))
    sys.exit(outcome.exit_code)


def register(main: click.Group) -> None:
    """Add ``batch`` to the ``parkcheck`` group."""
    command = _batch
    for decorate in reversed((
        click.argument("folders", nargs=-1, required=True, type=click.Path(path_type=Path)),
        click.option("--out", "-o", "out_dir", required=True, type=click.Path(path_type=Path),
                     help="Folder for the summary and, under reports/, each bundle's reports."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
                     help="Worker processes (local), or workers of the LocalCluster started without --scheduler "
                          "(dask). Default: the CPUs this process may use."),
        click.option("--executor", type=click.Choice(EXECUTORS), default="local", show_default=True,
                     help="local: processes on this machine; dask: a Dask cluster (--scheduler) or a local one."),
        click.option("--scheduler", metavar="ADDRESS",
                     help="Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --executor dask)."),
        click.option("--standard", "-s", "standards", multiple=True, metavar="ID",
                     help="Rule pack to check against (repeatable). Default: the standards each bundle claims."),
        click.option("--format", "-f", "formats", multiple=True, type=click.Choice(FORMAT_CHOICES),
                     help="Report formats of each bundle (repeatable). Default: json, md, html, csv."),
        lang_option("Language of the reports and the summary (default zh) and of the messages."),
        click.option("--mode", type=click.Choice(["auto", "precheck", "audit"]), default="auto", show_default=True,
                     help="As for `check`: precheck, audit, or from each bundle's check_type."),
        click.option("--timeout", type=click.FloatRange(min=0), default=900.0, show_default=True, metavar="SECONDS",
                     help="Time limit per bundle; a bundle over it is stopped and reported (0: no limit)."),
        click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors (no progress bar, no totals)."),
        rules_option, cache_option, limit_options, guarded,
    )):
        command = decorate(command)
    main.add_command(click.command("batch", help=_batch.__doc__)(command))
