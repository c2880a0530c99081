"""The catalogue: text quoted verbatim from the standards (`parkcheck rules verify-source`), parents, quotations."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from checker.packs import available_packs, clause_parent, get_pack
from checker.sourcecheck import verify_pack

from .conftest import ROOT, run_in_process, run_parkcheck

# The standards' texts are kept beside the checkout, not in it (shared/standards); PARKCHECK_STANDARDS
# points elsewhere.  The comparison itself is tested on the fixture below, which is in the repository.
STANDARDS = Path(os.environ.get("PARKCHECK_STANDARDS") or ROOT.parent / "shared" / "standards")
FIXTURE = ROOT / "tests" / "sourcecheck"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_verify_source_passes_a_verbatim_catalogue():
    proc = run_in_process("rules", "verify-source", "--standards", FIXTURE / "standards-verbatim",
                         "--rules", FIXTURE / "rules", env={"PARKCHECK_CACHE_DIR": "off"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[1:] == [
        "mini-standard: 3 条条款文本与 mini-standard.md 比对 / clause texts compared: 逐字一致 / verbatim"]


def test_verify_source_names_the_pack_line_of_each_mismatch():
    proc = run_parkcheck("rules", "verify-source", "--standards", FIXTURE / "standards-changed",
                         "--rules", FIXTURE / "rules", env={"PARKCHECK_CACHE_DIR": "off"})
    assert proc.returncode == 1 and proc.stderr == ""
    manifest = (FIXTURE / "rules" / "mini-standard" / "pack.yaml").read_text(encoding="utf-8").splitlines()
    line_of = {text: next(i for i, line in enumerate(manifest, 1) if text in line)
               for text in ("并按年度复核第二类记录。", "示例组织宜公开结果。公开的方式不限。")}
    assert proc.stdout.splitlines()[1:] == [
        f"mini-standard/pack.yaml:{line_of['并按年度复核第二类记录。']}: 2.1: 未见于标准原文 / not in the standard's "
        "text (mini-standard.md): 并按年度复核第二类记录。",
        f"mini-standard/pack.yaml:{line_of['示例组织宜公开结果。公开的方式不限。']}: 3: 未见于标准原文 / not in the "
        "standard's text (mini-standard.md): 示例组织宜公开结果。公开的方式不限。",
        "mini-standard: 3 条条款文本与 mini-standard.md 比对 / clause texts compared: 2 处不一致 / mismatches"]


def test_verify_source_without_the_source_text_is_an_input_error(tmp_path):
    proc = run_in_process("rules", "verify-source", "--standards", tmp_path, "--rules", FIXTURE / "rules",
                         env={"PARKCHECK_CACHE_DIR": "off"})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [f"parkcheck: error: mini-standard: source text mini-standard.md not found in {tmp_path}"]


if STANDARDS.is_dir():  # where the standards are available, every shipped pack is compared with them
    @pytest.mark.parametrize("pack_id", available_packs())
    def test_catalogue_text_is_verbatim(pack_id):
        pack = get_pack(pack_id)
        result = verify_pack(pack, STANDARDS)
        if pack.meta.get("source_basis") == "secondary":  # the source is a note, not a text: nothing is quoted
            assert result.entries == 0 and all(not e.text for e in pack.catalogue.values())
            return
        assert result.entries > 0 and [str(m) for m in result.mismatches] == []


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
        if rule.source in ("title only", "secondary"):  # no text to quote: the rule quotes the clause title
            assert rule.requirement == entry.title, rule.id
            continue
        texts = _squash(entry.text) + _squash(pack.catalogue[entry.parent].text if entry.parent else "")
        assert _squash(rule.requirement) in texts, rule.id


def test_source_defect_is_marked_not_corrected():
    entry = get_pack("t-cpqs-zc001-2025").catalogue["10.3 b)"]
    assert "外部 and 内部" in entry.text and "照录" in entry.note


@pytest.mark.parametrize("pack_id", available_packs())
def test_every_clause_title_is_whole(pack_id):
    """A report shows the clause title: it must not be cut off ("…"), and a title taken from the
    clause's text is a verbatim part of it (issue 14: no truncated titles in any output)."""
    pack = get_pack(pack_id)
    cut = [c for c, e in pack.catalogue.items() if e.title.rstrip().endswith(("…", "...", "⋯"))]
    assert cut == [], f"{pack_id}: titles cut off: {cut}"
