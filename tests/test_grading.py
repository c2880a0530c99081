"""Consistent grading (issue 9 item 6): same-topic rules of different packs that test the same evidence
give the same grade or state why; the combined audit of the conforming example conforms."""

from __future__ import annotations

from typing import ClassVar

import pytest

from checker.check import run_check
from checker.crosswalk import load_crosswalk
from checker.grading import lint_grading, rule_fields
from checker.model import Status
from checker.packs import available_packs, get_pack, load_pack

from .conftest import CONFORMING, edit_text, run_in_process

CECC = "cecc-org-carbon-neutrality"
QCECC = "q-cecc-zcp-cj-01-2025"
ALL_PACKS = ["t-cpqs-zc001-2025", CECC, QCECC, "t-seesa-010-2025"]


def _lint(rules_dir=None, selected=None):
    packs = [load_pack(p, rules_dir) for p in available_packs(rules_dir)]
    return lint_grading(packs, load_crosswalk(rules_dir), selected)


def test_shipped_packs_grade_consistently():
    assert _lint() == []


def test_a_different_grade_is_reported_with_file_and_line(rules_copy):
    line = edit_text(rules_copy / CECC / "5-leadership.yaml",
                     "  - id: cecc-5.2.1\n    clause: 5.2.1\n    requirement: 最高管理者应在界定的碳中和管理体系范围内建立、实施并保持碳中和方针\n"
                     "    obligation: 应\n    grade: minor",
                     "  - id: cecc-5.2.1\n    clause: 5.2.1\n    requirement: 最高管理者应在界定的碳中和管理体系范围内建立、实施并保持碳中和方针\n"
                     "    obligation: 应\n    grade: major")
    found = _lint(rules_copy, {CECC})
    assert found  # at least Q/CECC 5.2, which tests the same field issued_by.top_management
    for p in found:
        assert p.file == f"{CECC}/5-leadership.yaml" and p.line == line
        assert "cecc-5.2.1 is graded major" in p.message and "issued_by.top_management" in p.message
        assert "crosswalk topic policy" in p.message
    others = {p.message.split(" but ")[1].split(" (")[0] for p in found}
    assert "qcecc-5.2" in others and others <= {"zc001-6.2-top-management", "qcecc-5.2"}
    # the CLI fails with the located problem
    proc = run_in_process("rules", "lint", "--rules", rules_copy, "--standard", CECC)
    assert proc.returncode == 1 and f"{CECC}/5-leadership.yaml:{line}: /rules/" in proc.stdout


def test_a_stated_reason_accepts_the_difference(rules_copy):
    edit_text(rules_copy / CECC / "5-leadership.yaml",
              "    obligation: 应\n    grade: minor\n    for_each: policy\n    expect:\n      field: issued_by.top_management",
              "    obligation: 应\n    grade: major\n    grade_reason: {zh: 测试理由, en: a test reason}\n"
              "    for_each: policy\n    expect:\n      field: issued_by.top_management")
    pack = load_pack(CECC, rules_copy)
    assert pack.problems == []
    assert next(r for r in pack.rules if r.id == "cecc-5.2.1").grade == "major"
    assert _lint(rules_copy) == []


def test_rules_on_different_fields_of_one_kind_may_differ():
    """Rules of two packs on one subject kind that grade differently without a stated reason test
    different fields: not the same defect, so lint does not compare them (derived from the packs)."""
    cpqs = get_pack("t-cpqs-zc001-2025").rules
    pairs = [(a, b) for b in get_pack(QCECC).rules for a in cpqs
             if a.for_each == b.for_each and a.grade != b.grade and not a.grade_reason and not b.grade_reason]
    assert pairs  # e.g. a baseline rule of each pack
    for a, b in pairs:
        assert not rule_fields(a) & rule_fields(b) or _lint() == [], (a.id, b.id)


def test_rule_fields_reads_joins_and_composites():
    cond = {"all": [{"field": "a", "present": True}, {"not": {"field": "b.c", "equals": 1}},
                    {"exists": {"kind": "k", "match": {"x": "y"}, "where": {"field": "z", "gt": 1}}}]}

    class R:
        where: ClassVar[dict] = {"field": "w", "equals": 1}
        expect: ClassVar[dict] = cond
    assert rule_fields(R) == {"a", "b.c", "k:x", "y", "k:z", "w"}


@pytest.mark.parametrize("standards", [[p] for p in ALL_PACKS] + [ALL_PACKS], ids="+".join)
def test_conforming_example_conforms_alone_and_combined(standards):
    report = run_check(CONFORMING, standards)
    assert [(nc.clauses, nc.finding.en) for nc in report.nonconformities] == []
    assert not [r for r in report.results if r.status is Status.ERROR]


def test_combined_audit_of_the_conforming_example_exits_0():
    args = ["check", CONFORMING, "-q"] + [a for p in ALL_PACKS for a in ("--standard", p)]
    proc = run_in_process(*args)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_baseline_of_the_example_states_its_method():
    """The cause of the combined audit's nonconformity (Q/CECC 6.8): the total-emissions baseline gave
    no quantification method."""
    report = run_check(CONFORMING, [QCECC])
    [r] = [r for r in report.results if r.rule == "qcecc-6.8"]
    from ruamel.yaml import YAML
    baselines = YAML(typ="safe").load((CONFORMING / "baseline.yaml").read_text(encoding="utf-8"))["baselines"]
    assert r.status is Status.CONFORM and len(r.evidence) == len(baselines)
