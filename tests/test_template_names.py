"""Report templates name their variables for what they are (issue 12 item 4): no single-letter loop
or context variable in templates/*.j2."""

from __future__ import annotations

import re

import pytest
from jinja2 import Environment, meta, nodes

from .conftest import ROOT

TEMPLATES = sorted((ROOT / "templates").glob("*.j2"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_no_single_letter_variables(path):
    tree = Environment().parse(path.read_text(encoding="utf-8"))
    loop_names = {n.name for f in tree.find_all(nodes.For) for n in f.target.find_all(nodes.Name)}
    context_names = meta.find_undeclared_variables(tree)
    short = sorted(n for n in loop_names | context_names if len(n) == 1)
    assert short == [], f"{path.name}: rename {short} to what they hold"


def test_the_check_can_fail():
    tree = Environment().parse("{% for p in packs %}{{ p.id }}{% endfor %}{{ t.title }}")
    loop_names = {n.name for f in tree.find_all(nodes.For) for n in f.target.find_all(nodes.Name)}
    assert {n for n in loop_names | meta.find_undeclared_variables(tree) if re.fullmatch(r"\w", n)} == {"p", "t"}
