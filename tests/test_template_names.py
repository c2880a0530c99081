"""Report templates name their variables for what they are (issue 12 item 4): no single-letter loop
or context variable in templates/*.j2."""

from __future__ import annotations

import re

import pytest
from jinja2 import Environment, nodes

from .conftest import ROOT

TEMPLATES = sorted((ROOT / "templates").glob("*.j2"))


def short_names(source: str) -> list[str]:
    """Every single-letter name a template binds or reads (loop targets, set, context)."""
    tree = Environment().parse(source)
    return sorted({n.name for n in tree.find_all(nodes.Name) if re.fullmatch(r"\w", n.name)})


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_no_single_letter_variables(path):
    short = short_names(path.read_text(encoding="utf-8"))
    assert short == [], f"{path.name}: rename {short} to what they hold"


def test_the_check_can_fail():
    assert short_names("{% for p in packs %}{{ p.id }}{% endfor %}{{ t.title }}") == ["p", "t"]
