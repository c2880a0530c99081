"""A progress bar on stderr while ``parkcheck check`` runs (rich.progress).

It appears only when the run lasts longer than ``DELAY`` seconds and stderr is a terminal (never in
a pipe, a file or a test's captured output unless a console is passed in), and it is transient: it
erases itself before the summary is printed, so it never reaches stdout or a report file.  It
follows the pipeline through ``checker.check.Timings``: every stage the check times advances it.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from ..check import Timings
from ..labels_out import Pair, index

DELAY = 1.0  # seconds before the bar appears
# The stages ``checker.check`` times, in order, and the step shown while each one runs.
STAGES: tuple[tuple[str, Pair], ...] = (
    ("load", ("读取证据", "reading the evidence")),
    ("validate", ("校验证据", "validating the evidence")),
    ("facts", ("编译规则包、构建事实", "compiling the packs, building facts")),
    ("evaluate", ("评价规则", "evaluating the rules")),
    ("verdicts", ("汇总结论", "collecting the verdicts")),
)
WRITING: Pair = ("写出报告", "writing the reports")


class ProgressTimings(Timings):
    """``Timings`` that moves a progress bar on as each stage of the check ends."""

    def __init__(self, progress: Progress | None, lang: str):
        super().__init__()
        self.progress, self.lang = progress, lang
        self.task = progress.add_task(self._label(0), total=len(STAGES) + 1) if progress else None

    def _label(self, step: int) -> str:
        return (STAGES[step][1] if step < len(STAGES) else WRITING)[index(self.lang)]

    def add(self, name: str, seconds: float) -> None:
        super().add(name, seconds)
        if self.progress is not None and self.task is not None:
            done = sum(1 for stage, _ in STAGES if stage in self.stages)
            self.progress.update(self.task, completed=done, description=self._label(done))


def wanted(quiet: bool, stream=None) -> bool:
    """A bar only for people: not with --quiet, not when stderr is not a terminal."""
    stream = sys.stderr if stream is None else stream
    return not quiet and bool(getattr(stream, "isatty", lambda: False)())


@contextmanager
def check_progress(enabled: bool, lang: str = "zh", console: Console | None = None,
                   delay: float = DELAY) -> Iterator[ProgressTimings]:
    """Timings to pass to ``run_check``; while enabled, a transient bar on stderr after ``delay`` seconds.
    Leave the block before printing anything on stdout: the bar is gone by then."""
    if not enabled:
        yield ProgressTimings(None, lang)
        return
    progress = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                        console=console or Console(stderr=True), transient=True)
    lock = threading.Lock()
    state = {"started": False, "closed": False}

    def start() -> None:
        with lock:
            if not state["closed"]:
                progress.start()
                state["started"] = True

    timer = threading.Timer(delay, start)
    timer.daemon = True
    try:
        if delay <= 0:
            start()
        else:
            timer.start()
        yield ProgressTimings(progress, lang)
    finally:
        timer.cancel()
        with lock:
            state["closed"] = True
            if state["started"]:
                progress.stop()
