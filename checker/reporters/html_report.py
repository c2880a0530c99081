"""``report.html``: one self-contained page (inline CSS, no external assets), autoescaped."""

from __future__ import annotations

from ..model import Report
from ._view import environment, view


def render(report: Report, lang: str = "zh") -> bytes:
    return environment(True).get_template("report.html.j2").render(**view(report, lang)).encode("utf-8")
