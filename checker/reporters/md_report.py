"""``report.md``: the report as Markdown (templates/report.md.j2)."""

from __future__ import annotations

from ..gcpause import paused
from ..model import Report
from ._view import environment, view


def render(report: Report, lang: str = "zh") -> bytes:
    with paused():  # the page's objects are short-lived trees: no cyclic collection (checker.gcpause)
        return environment(False).get_template("report.md.j2").render(**view(report, lang)).encode("utf-8")
