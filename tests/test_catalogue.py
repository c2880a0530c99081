"""Catalogue text is quoted verbatim from the standards (shared/standards beside the checkout)."""

from __future__ import annotations

import re

import pytest

from checker.packs import available_packs, clause_parent, get_pack

from .conftest import ROOT

STANDARDS = ROOT.parent / "shared" / "standards"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("pack_id", available_packs())
def test_catalogue_text_is_verbatim(pack_id):
    pack = get_pack(pack_id)
    source = STANDARDS / pack.meta["source"]
    if not source.is_file():
        pytest.skip(f"standard text {source} is not beside this checkout")
    text = _squash(source.read_text(encoding="utf-8").replace("**", ""))  # Markdown emphasis is not text
    missing = [(e.clause, line) for e in pack.catalogue.values() for line in e.text.split("\n")
               if line.strip() and _squash(line) not in text]
    assert missing == []


@pytest.mark.parametrize("pack_id", available_packs())
def test_every_clause_has_its_parent_catalogued(pack_id):
    pack = get_pack(pack_id)
    for clause in pack.catalogue:
        parent = clause_parent(clause)
        assert parent is None or parent in pack.catalogue, f"{clause} has no parent {parent} in the catalogue"


@pytest.mark.parametrize("pack_id", available_packs())
def test_rule_requirements_are_quoted_from_their_clause(pack_id):
    pack = get_pack(pack_id)
    for rule in pack.rules:
        entry = pack.catalogue[rule.clause]
        if rule.source == "title only":  # the source holds only the title: the rule quotes it
            assert rule.requirement == entry.title, rule.id
            continue
        texts = _squash(entry.text) + _squash(pack.catalogue[entry.parent].text if entry.parent else "")
        assert _squash(rule.requirement) in texts, rule.id


def test_source_defect_is_marked_not_corrected():
    entry = get_pack("t-cpqs-zc001-2025").catalogue["10.3 b)"]
    assert "外部 and 内部" in entry.text and "照录" in entry.note
