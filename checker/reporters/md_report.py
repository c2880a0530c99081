"""``report.md``: the report as Markdown (templates/report.md.j2)."""

from __future__ import annotations

from ..model import Report
from ._view import environment, view


def render(report: Report, lang: str = "zh") -> bytes:
    return environment(False).get_template("report.md.j2").render(**view(report, lang)).encode("utf-8")
