"""Broken rules are caught by lint, naming the file and line; the shipped packs lint clean."""

from __future__ import annotations

import pytest

from checker.packs import available_packs, load_pack

from .conftest import PACK, edit_text


def break_rule(rules_copy, old: str, new: str, file: str = "6.2-policy.yaml"):
    return edit_text(rules_copy / PACK / file, old, new, 1)  # line of the change


def problems(rules_copy):
    return load_pack(PACK, rules_copy).problems


@pytest.mark.parametrize("pack_id", available_packs())
def test_shipped_packs_lint_clean(pack_id):
    assert load_pack(pack_id).problems == []


EXPECT_D = ("    expect:\n      field: commitments\n      contains:\n        type: legal_compliance\n        text:\n"
            "          present: true\n")
BROKEN = [
    ("unknown operator", EXPECT_D, EXPECT_D.replace("contains:", "containz:"), "unknown field 'containz'"),
    ("unknown field", EXPECT_D, EXPECT_D.replace("field: commitments", "field: commitmentz"),
     "unknown field 'commitmentz' for evidence kind 'policy'"),
    ("an item field asked to be absent", EXPECT_D, EXPECT_D.replace("present: true", "present: false"),
     "a value is a literal"),
    ("unknown enum value", EXPECT_D, EXPECT_D.replace("type: legal_compliance", "type: legal"), "'legal' is not a value"),
    ("operator on the wrong type", EXPECT_D, "    expect:\n      field: title\n      gte: 3\n",
     "operator 'gte' does not apply to 'title', a string field"),
    ("requirement not verbatim", "requirement: 包括满足与碳排放管理有关的适用法律法规及其他要求的承诺；",
     "requirement: 包括遵守法律法规的承诺；", "not quoted verbatim"),
    ("grade against obligation", "    obligation: 应\n    grade: minor\n    for_each: policy\n    expect:\n      field: alignment.national",
     "    obligation: 应\n    grade: observation\n    for_each: policy\n    expect:\n      field: alignment.national",
     "graded major or minor"),
    ("unknown clause", "clause: 6.2 d)", "clause: 6.2 h)", "clause '6.2 h)' is not in the pack's catalogue"),
    ("old template name", "en: The policy \"{{ subject.title }}\" lacks the commitment to meet",
     "en: The policy \"{{ s.title }}\" lacks the commitment to meet", "unknown name(s) s: rename s to subject"),
    ("unknown template name", "en: The policy \"{{ subject.title }}\" lacks the commitment to meet",
     "en: The policy \"{{ policy.title }}\" lacks the commitment to meet", "unknown name(s) policy: available: bundle"),
]


@pytest.mark.parametrize(("what", "old", "new", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_lint_names_file_line_and_problem(rules_copy, what, old, new, expected):
    line = break_rule(rules_copy, old, new)
    found = problems(rules_copy)
    assert found, what
    p = found[0]
    assert p.file == f"{PACK}/6.2-policy.yaml"
    assert expected in p.message, str(p)
    assert p.line is not None and abs(p.line - line) <= 8, (p.line, line)


def test_join_outside_top_level_is_rejected(rules_copy):
    break_rule(rules_copy, "    expect:\n      field: statement\n      present: true\n",
               "    expect:\n      any:\n        - exists:\n            kind: scope\n        - field: statement\n"
               "          present: true\n")
    assert any("exists may only stand at the top" in p.message for p in problems(rules_copy))


def test_rule_without_failing_case_is_rejected(rules_copy):
    break_rule(rules_copy, "      - name: 缺少合规承诺\n        breach: true\n", "      - name: 缺少合规承诺\n")
    break_rule(rules_copy, "      - name: 没有任何承诺\n        breach: true\n", "      - name: 没有任何承诺\n")
    break_rule(rules_copy, "      - name: 合规承诺只写了占位词\n        breach: true\n", "      - name: 合规承诺只写了占位词\n")
    assert any("has no failing case" in p.message for p in problems(rules_copy))


def test_duplicate_rule_id(rules_copy):
    break_rule(rules_copy, "id: zc001-6.2-e\n", "id: zc001-6.2-d\n")
    assert any("already used" in p.message for p in problems(rules_copy))


def test_cli_lint_fails_on_broken_rule_with_location(rules_copy, cli):
    line = break_rule(rules_copy, "      contains:\n        type: legal_compliance", "      containz:\n        type: legal_compliance")
    result = cli("rules", "lint", "--rules", rules_copy)
    assert result.exit_code == 1
    assert f"{PACK}/6.2-policy.yaml:{line}:" in result.output
    assert cli("rules", "lint").exit_code == 0


def test_cli_rules_test_fails_on_a_rule_that_no_longer_detects(rules_copy, cli):
    # the rule now looks for a commitment type that every fixture has: its failing case must fail
    break_rule(rules_copy, EXPECT_D, EXPECT_D.replace("legal_compliance", "continual_improvement"))
    result = cli("rules", "test", "--rules", rules_copy, "--rule", "zc001-6.2-d")
    assert result.exit_code == 1
    assert "FAIL t-cpqs-zc001-2025/6.2-policy.yaml:" in result.output
    assert "缺少合规承诺" in result.output and "0 failed" not in result.output


def test_malformed_rule_file_is_an_input_error(rules_copy, cli):
    (rules_copy / PACK / "6.2-policy.yaml").write_text("rules:\n  - id: [unclosed\n", encoding="utf-8")
    result = cli("rules", "lint", "--rules", rules_copy)
    assert result.exit_code == 2
    assert "6.2-policy.yaml:3:1: malformed YAML" in result.output
