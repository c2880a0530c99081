"""`parkcheck rules diff`: what changed between two packs, as text and JSON."""

from __future__ import annotations

import json

from checker.packdiff import diff_packs, open_pack
from checker.packs import load_pack

from .conftest import PACK, ROOT, edit_text, run_parkcheck


def test_a_pack_does_not_differ_from_itself():
    d = diff_packs(load_pack(PACK), load_pack(PACK))
    assert d.empty


def test_changes_to_clauses_rules_grades_and_values_are_listed(rules_copy):
    pack = rules_copy / PACK
    edit_text(pack / "pack.yaml", "version: 0.1.0", "version: 0.2.0")
    edit_text(pack / "10.2-internal-audit.yaml", "    grade: major\n    for_each: internal_audit\n    expect:\n      not_exists:\n        kind: agg.audit_intervals",
              "    grade: minor\n    for_each: internal_audit\n    expect:\n      not_exists:\n        kind: agg.audit_intervals", count=1)
    a, b = load_pack(PACK), open_pack(str(pack), None)
    d = diff_packs(a, b)
    assert {"field": "version", "a": "0.1.0", "b": "0.2.0"} in d.meta
    assert d.grades == [{"rule": "zc001-10.2-interval", "clause": "10.2", "a": "major", "b": "minor"}]
    assert [x["rule"] for x in d.rules["changed"]] == ["zc001-10.2-interval"]
    assert not d.rules["added"] and not d.rules["removed"] and not any(d.clauses.values())


def test_cli_text_and_json(rules_copy):
    pack = rules_copy / PACK
    edit_text(pack / "pack.yaml", "version: 0.1.0", "version: 0.2.0")
    proc = run_parkcheck("rules", "diff", PACK, pack)
    assert proc.returncode == 1 and "~ version: 0.1.0 → 0.2.0" in proc.stdout
    proc = run_parkcheck("rules", "diff", PACK, pack, "--format", "json")
    data = json.loads(proc.stdout.split("\n", 1)[1])
    assert data["b"]["version"] == "0.2.0" and data["meta"] == [{"field": "version", "a": "0.1.0", "b": "0.2.0"}]
    same = run_parkcheck("rules", "diff", PACK, ROOT / "rules" / PACK)
    assert same.returncode == 0 and "无差异" in same.stdout


def test_rules_new_writes_a_rule_that_lints_and_whose_cases_run(rules_copy):
    """Scaffold: adding a rule is one entry plus its cases, with the requirement quoted from the catalogue."""
    proc = run_parkcheck("rules", "new", "--standard", PACK, "--clause", "6.2 d)", "--kind", "policy",
                         "--field", "commitments", "--file", "zz-new.yaml", "--rules", rules_copy)
    assert proc.returncode == 0, proc.stderr
    text = (rules_copy / PACK / "zz-new.yaml").read_text(encoding="utf-8")
    assert "requirement: 包括满足与碳排放管理有关的适用法律法规及其他要求的承诺；" in text
    assert "obligation: 应" in text and "grade: minor" in text
    lint = run_parkcheck("rules", "lint", "--standard", PACK, "--rules", rules_copy, "--no-cache")
    assert lint.returncode == 0, lint.stdout
    test = run_parkcheck("rules", "test", "--standard", PACK, "--rule", "6.2-d-new", "--rules", rules_copy, "--no-cache")
    assert test.returncode == 0 and "2 passed, 0 failed" in test.stdout
    # an unknown clause is a usage error naming the catalogue
    bad = run_parkcheck("rules", "new", "--standard", PACK, "--clause", "6.9 z)", "--rules", rules_copy)
    assert bad.returncode == 2 and "not in the catalogue" in bad.stderr
