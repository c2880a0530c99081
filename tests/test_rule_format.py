"""The rule-file format: one YAML style, patches by key, derived reads, no restated defaults, named
template variables — each break is reported with file, line and the fix; ``checker.rulefmt`` fixes it."""

from __future__ import annotations

import pytest
import yaml

from checker.packs import available_packs, get_pack, load_pack
from checker.rulefmt import format_text, rename_template
from checker.rulefmt import main as rulefmt_main
from checker.ruleformat import derived_reads
from checker.stylelint import lint_rule_format, plain_ok

from .conftest import PACK, ROOT, edit_text

FILE = "6.2-policy.yaml"
RULE_FILES = sorted(p for p in (ROOT / "rules").glob("*/*.yaml") if p.name != "pack.yaml")


@pytest.mark.parametrize("pack_id", available_packs())
def test_shipped_rule_files_follow_the_format(pack_id):
    assert [str(p) for p in lint_rule_format(pack_id)] == []


@pytest.mark.parametrize("path", RULE_FILES, ids=[f"{p.parent.name}/{p.name}" for p in RULE_FILES])
def test_the_formatter_leaves_shipped_rule_files_as_they_are(path):
    meta = yaml.safe_load((path.parent / "pack.yaml").read_text(encoding="utf-8"))
    text = path.read_text(encoding="utf-8")
    assert format_text(text, path.parent, meta, str(path)) == (text, [])


D_EXPECT = ("    expect:\n      field: commitments\n      contains:\n        type: legal_compliance\n        text:\n"
            "          present: true\n")
D_HEAD = "    grade: minor\n    for_each: policy\n    finding: zc001-6.2-commitments\n"
BREAKS = [
    # (what, old, new, words the problem must say: what is wrong and how to fix it)
    ("a case's implied status", "        breach: true\n        patch:\n          - op: remove\n            file: policy.yaml\n"
     "            path: /commitments[type=legal_compliance]\n        expect:\n",
     "        breach: true\n        patch:\n          - op: remove\n            file: policy.yaml\n"
     "            path: /commitments[type=legal_compliance]\n        expect:\n          status: nonconformity\n",
     ["expect status: nonconformity is what this case expects anyway", "leave it out"]),
    ("reads naming another document", D_HEAD, D_HEAD.replace("    for_each", "    reads: [scope]\n    for_each"),
     ["reads is wrong", "names scope", "the rule reads [policy]", "leave reads out"]),
    ("reads restating the derived documents", D_HEAD, D_HEAD.replace("    for_each", "    reads: [policy]\n    for_each"),
     ["reads restates", "leave reads out"]),
    ("reads missing a joined document", "    for_each: policy\n    expect:\n      exists:\n        kind: organization.members",
     "    reads: [policy]\n    for_each: policy\n    expect:\n      exists:\n        kind: organization.members",
     ["misses organization", "the rule reads [policy, organization]"]),
    ("on_pass restating its default", D_HEAD, D_HEAD + "    on_pass: conform\n", ["on_pass: conform is the default", "leave it out"]),
    ("when_none restating its default", D_HEAD, D_HEAD + "    when_none:\n      status: breach\n",
     ["when_none: {status: breach} is the default"]),
    ("source restating its default", D_HEAD, D_HEAD + "    source: full text\n", ["source: full text is the default"]),
    ("a case's breach: false", "      - name: 含合规承诺\n", "      - name: 含合规承诺\n        breach: false\n",
     ["breach: false is the default"]),
    ("a case's fixture: base", "      - name: 含合规承诺\n", "      - name: 含合规承诺\n        fixture: base\n",
     ["fixture: base is the default"]),
    ("flow mapping", D_EXPECT, "    expect: {field: commitments, contains: {type: legal_compliance, text: {present: true}}}\n",
     ["flow mapping", "block style", f"python -m checker.rulefmt {PACK}/{FILE}"]),
    ("flow list of mappings", "        patch:\n          - op: remove\n            file: policy.yaml\n            path: /commitments\n",
     "        patch: [{op: remove, file: policy.yaml, path: /commitments}]\n",
     ["a flow list [...] holds only plain values", "block style"]),
    ("indentation", "    title:\n      zh: 制定碳排放管理方针\n      en: A carbon emission management policy is set\n",
     "    title:\n        zh: 制定碳排放管理方针\n        en: A carbon emission management policy is set\n",
     ["indentation", "write it at column 7"]),
    ("unneeded quotes", "requirement: 包括满足与碳排放管理有关的适用法律法规及其他要求的承诺；",
     'requirement: "包括满足与碳排放管理有关的适用法律法规及其他要求的承诺；"', ["unneeded quotes", "without quotes"]),
    ("trailing whitespace", D_HEAD, D_HEAD.replace("grade: minor", "grade: minor  "), ["trailing whitespace"]),
    ("tab", "lacks the commitment to meet", "lacks\tthe commitment to meet", ["tab character"]),
    ("anchor", "    evidence_field: alignment\n", "    evidence_field: &a alignment\n", ["anchor or alias (&a)"]),
    ("positional patch", "path: /commitments[type=legal_compliance]", "path: /commitments/1",
     ["/commitments/1 picks a list item by position", "write /commitments[type=legal_compliance]"]),
]


@pytest.mark.parametrize(("what", "old", "new", "words"), BREAKS, ids=[b[0] for b in BREAKS])
def test_each_break_is_reported_with_file_line_and_fix(rules_copy, what, old, new, words):
    line = edit_text(rules_copy / PACK / FILE, old, new, 1)
    found = [p for p in lint_rule_format(PACK, rules_copy) if all(w in p.message for w in words)]
    assert found, what
    p = found[0]
    assert p.file == f"{PACK}/{FILE}" and p.line is not None and line <= p.line <= line + new.count("\n"), (str(p), line)


def test_format_problems_do_not_stop_the_pack_from_loading(rules_copy):
    """Every break above at once (one lint of the pack, not one per break): still only format problems."""
    path = rules_copy / PACK / FILE
    for _, old, new, _ in BREAKS:
        if old in path.read_text(encoding="utf-8"):
            edit_text(path, old, new, 1)
    assert len(lint_rule_format(PACK, rules_copy)) >= len(BREAKS) - 1
    assert load_pack(PACK, rules_copy).problems == []


def test_cli_lint_fails_naming_file_line_and_fix(rules_copy, cli):
    line = edit_text(rules_copy / PACK / FILE, "path: /commitments[type=legal_compliance]", "path: /commitments/1", 1)
    result = cli("rules", "lint", "--rules", rules_copy, "--standard", PACK)
    assert result.exit_code == 1
    assert f"{PACK}/{FILE}:{line}:" in result.output and "write /commitments[type=legal_compliance]" in result.output


def test_the_formatter_fixes_every_format_problem_and_keeps_the_meaning(rules_copy):
    path = rules_copy / PACK / FILE
    shipped = yaml.safe_load(path.read_text(encoding="utf-8"))
    for what, old, new, _ in BREAKS:
        if "reads" not in what and "tab" not in what:
            edit_text(path, old, new, 1)
    edit_text(path, "{{ subject.title }}", "{{ s.title }}")  # the old template names, everywhere in the file
    assert lint_rule_format(PACK, rules_copy) and load_pack(PACK, rules_copy).problems
    assert rulefmt_main([str(path)]) == 0
    assert [str(p) for p in lint_rule_format(PACK, rules_copy)] == []
    assert load_pack(PACK, rules_copy).problems == []
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == shipped


def test_the_formatter_keys_a_positional_patch_from_the_fixture(rules_copy):
    path = rules_copy / PACK / FILE
    edit_text(path, "path: /commitments[type=legal_compliance]", "path: /commitments/1", 1)
    rulefmt_main([str(path)])
    assert "path: /commitments[type=legal_compliance]" in path.read_text(encoding="utf-8")


def test_template_names_are_renamed_but_not_attributes():
    assert rename_template("{{ s.title }}《{{ p | map(attribute='s') | join }}》{{ b.park.name }} {{ x.s }}") == \
        "{{ subject.title }}《{{ partners | map(attribute='s') | join }}》{{ bundle.park.name }} {{ x.s }}"


def test_plain_only_where_yaml_reads_the_same_text():
    assert plain_ok("包括满足…的承诺；") and plain_ok("6.2 d)") and plain_ok("The policy \"x\" lacks")
    for needs_quotes in ("6.2", "10", "2024-05-01", "yes", "null", "true", "{{ subject.name }}", "a: b", "a #b", "", "- x"):
        assert not plain_ok(needs_quotes), needs_quotes
    assert plain_ok("a, b") and not plain_ok("a, b", in_flow=True)


def test_reads_are_derived_from_subject_joins_and_aggregates():
    aggregates = {"audits_per_year": {"of": "internal_audit.audits"}}
    assert derived_reads({"for_each": "policy", "expect": {"field": "x", "present": True}}, aggregates) == ("policy",)
    assert derived_reads({"for_each": "objectives.objectives",
                          "expect": {"all": [{"exists": {"kind": "baseline.baselines"}},
                                             {"not_exists": {"kind": "objectives.objectives"}}]}},
                         aggregates) == ("objectives", "baseline")
    assert derived_reads({"for_each": "agg.audits_per_year", "expect": {}}, aggregates) == ("internal_audit",)
    assert derived_reads({"for_each": "bundle", "expect": {"exists": {"kind": "policy"}}}, aggregates) == ("policy",)
    assert derived_reads({"for_each": "bundle", "expect": {"field": "x", "present": True}}, aggregates) == ()


def test_loaded_rules_carry_the_derived_reads():
    rules = {r.id: r for r in get_pack(PACK).rules}
    assert rules["zc001-6.2-top-management"].reads == ("policy", "organization")
    assert rules["zc001-6.2-d"].reads == ("policy",)
    assert rules["zc001-10.2-interval"].reads == ("internal_audit",)


def test_old_template_names_stop_the_pack_with_the_new_name(rules_copy):
    line = edit_text(rules_copy / PACK / FILE, "{{ subject.title }}", "{{ s.title }}", 1)
    problems = load_pack(PACK, rules_copy).problems
    assert any(p.line == line and "rename s to subject" in p.message for p in problems), [str(p) for p in problems]


@pytest.mark.parametrize(("key", "value", "words"), [
    ("profile_of", "ndrc-zero-carbon-park-2099", "names 'ndrc-zero-carbon-park-2099', which is not a pack"),
    ("fixtures_from", "no-such-pack", "names 'no-such-pack', which is not a pack"),
    ("profile_of", "ndrc-zcp-hunan-staged", "must name another pack"),
    ("profile_of", "../t-cpqs-zc001-2025", "must name another pack"),
])
def test_a_pack_naming_a_missing_or_its_own_pack_is_reported_at_its_line(rules_copy, key, value, words):
    pid = "ndrc-zcp-hunan-staged"
    meta = rules_copy / pid / "pack.yaml"
    text = meta.read_text(encoding="utf-8")
    old = f"{key}: ndrc-zero-carbon-park-2025\n"
    assert old in text
    meta.write_text(text.replace(old, f"{key}: {value}\n"), encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    found = [p for p in lint_rule_format(pid, rules_copy) if words in p.message]
    assert [(p.file, p.line, p.field) for p in found] == [(f"{pid}/pack.yaml", line, key)]


def test_shipped_pack_references_name_existing_packs():
    for pid in available_packs():
        assert not [p for p in lint_rule_format(pid) if p.field in ("profile_of", "fixtures_from")], pid
