"""``parkcheck batch``: many bundles checked on worker processes, one summary.

    discover bundles (checker.batch_discover) → tasks (plain data) → an executor (checker.executors)
    runs ``checker.batch_worker.check_one`` on each → rows → summary.csv / .xlsx / .html

Each bundle's reports go to ``OUT/reports/NAME`` (written by the worker, atomically, as ``check --out``
writes them); the summary files go to ``OUT`` (each written atomically).  A bundle that cannot be
read, that makes the check fail, that kills its worker or that runs over the time limit is a row
with its error; the batch always goes on.

Exit code (``exit_code``): 2 when any bundle could not be checked (an error row of any kind),
otherwise 1 when any bundle has a nonconformity, otherwise 0.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .batch_discover import REPORTS, Found, discover, output_names, refuse_out
from .batch_summary import write_summaries
from .batch_worker import check_one, failed_row, warm
from .errors import EXIT_FINDINGS, EXIT_INPUT_ERROR, EXIT_OK, InputError
from .executors import Executor, Failure, Work
from .i18n import tr

DEFAULT_TIMEOUT = 900.0  # seconds per bundle: the largest park measured (180k records) took 228 s


@dataclass
class Outcome:
    rows: list[dict[str, Any]]
    skipped: list[str]  # folders that could not be listed
    written: list[Path]  # the summary files

    @property
    def exit_code(self) -> int:
        return exit_code(self.rows)


def exit_code(rows: list[dict[str, Any]]) -> int:
    """2 if any bundle could not be checked, else 1 if any has a nonconformity, else 0."""
    if any(r["error"] for r in rows):
        return EXIT_INPUT_ERROR
    if any((r["major"] or 0) + (r["minor"] or 0) for r in rows):
        return EXIT_FINDINGS
    return EXIT_OK


def plan(folders: list[Path], out: Path) -> tuple[list[Found], list[str]]:
    """The bundles to check with their output names; refuses an ``out`` inside (or holding) a folder given."""
    refuse_out(out, folders)
    found, skipped = discover(folders)
    if not found:
        raise InputError(tr("no bundle found (a folder holding bundle.yaml, or a .zip)"),
                         ", ".join(str(f) for f in folders))
    return output_names(found), skipped


def tasks_for(found: list[Found], out: Path, options: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"index": i + 1, "source": str(f.path), "relative": f.relative, "reports": f"{REPORTS}/{f.name}",
             "out": str(out / REPORTS / f.name), "options": options} for i, f in enumerate(found)]


def run_batch(folders: list[Path], out: Path, executor: Executor, options: dict[str, Any],
              timeout: float | None = DEFAULT_TIMEOUT,
              on_row: Callable[[dict[str, Any]], None] | None = None,
              on_plan: Callable[[int], None] | None = None) -> Outcome:
    """Check every bundle under ``folders`` with ``executor`` and write the summary into ``out``.
    ``options``: ``checker.batch_worker.options(...)``; ``on_plan(n)`` is told how many bundles were found,
    ``on_row(row)`` gets each row as it comes (in completion order)."""
    out = Path(os.path.abspath(out))  # workers may run elsewhere (another folder, another machine)
    found, skipped = plan(folders, out)
    if on_plan:
        on_plan(len(found))
    tasks = tasks_for(found, out, options)
    (out / REPORTS).mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any] | None] = [None] * len(tasks)

    def done(position: int, result: dict[str, Any] | Failure) -> None:
        task = tasks[position]
        row = failed_row(task, result.kind, result.detail, result.seconds) if isinstance(result, Failure) else result
        rows[position] = row
        if on_row:
            on_row(row)

    executor.run(Work(check_one, warm, options, timeout), tasks, done)
    final = [r if r is not None else failed_row(t, "died", "no result came back", 0.0) for r, t in zip(rows, tasks,
                                                                                                       strict=True)]
    written = write_summaries(final, out, options["lang"])
    return Outcome(final, skipped, written)
