"""``report.md``: the report as Markdown (templates/report.md.j2)."""

from __future__ import annotations

from collections.abc import Callable

from ..gcpause import paused
from ..model import Report
from ._view import chunked, environment, view


def render(report: Report, lang: str = "zh") -> bytes:
    with paused():  # the page's objects are short-lived trees: no cyclic collection (checker.gcpause)
        return environment(False).get_template("report.md.j2").render(**view(report, lang)).encode("utf-8")


def stream(report: Report, lang: str, write: Callable[[bytes], object]) -> None:
    """Write exactly the bytes ``render`` gives through ``write``, as the template makes them (a large
    report's page is never held whole: ``checker.reporters.write_reports``)."""
    with paused():
        chunked(environment(False).get_template("report.md.j2").generate(**view(report, lang)), write)
