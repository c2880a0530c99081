"""The terminal's "type of check" line says what the packs prepare: a run of the national programme's
pack is a check against its application conditions, whatever the bundle states (it may be a
certification bundle); a certification run shows the bundle's own type."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from checker.check import run_check
from checker.reporters.terminal import print_summary

from .conftest import ROOT

LVGU = ROOT / "evidence" / "lvgu-park"


def _header(standards, lang):
    report = run_check(LVGU, standards)
    buf = io.StringIO()
    print_summary(report, Console(file=buf, width=2000, highlight=False, color_system=None), lang)
    return next(line for line in buf.getvalue().splitlines() if line.startswith(("检查类型", "Type of check")))


@pytest.mark.parametrize(("lang", "want"), [
    ("zh", "检查类型: 申报条件核对（证据包声明的检查类型：认证审核） · 审核（不提供整改建议）"),
    ("en", "Type of check: check against the application conditions (the bundle states: certification audit) · "
           "audit (no advice is given)"),
])
def test_a_programme_application_is_not_shown_as_a_certification_audit(lang, want):
    assert _header(["ndrc-zero-carbon-park-2025"], lang) == want


def test_a_certification_run_shows_the_bundles_own_type():
    assert _header(["t-cpqs-zc001-2025"], "zh") == "检查类型: 认证审核 · 审核（不提供整改建议）"
