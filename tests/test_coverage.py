"""``parkcheck rules coverage``: every catalogue clause and the rules that cover it."""

from __future__ import annotations

from checker.coverage import CHECKED, INFORMATIVE, NOT_COVERED, ONSITE, coverage, summary
from checker.packs import get_pack

PACK = "t-cpqs-zc001-2025"


def rows():
    return {r.clause: r for r in coverage(get_pack(PACK))}


def test_coverage_statuses():
    r = rows()
    assert r["6.2 d)"].status == CHECKED and r["6.2 d)"].rules == ("zc001-6.2-d",)
    assert r["5.3"].status == CHECKED and "zc001-5.3-registered" in r["5.3"].rules
    assert r["7.1 a)"].status == INFORMATIVE and not r["7.1 a)"].normative  # 目标可包括
    assert r["9.2.2 a)"].normative is False  # (可选)
    assert r["6"].normative is False  # a heading without requirement text
    assert r["A.5"].normative is False and r["B.1"].normative is False  # informative annexes


def test_onsite_only_clauses_are_counted_separately():
    r = rows()
    assert r["6.2 a)"].status == ONSITE


def test_summary_counts_match_the_rows():
    all_rows = coverage(get_pack(PACK))
    s = summary(all_rows)
    assert s["normative"] == sum(1 for x in all_rows if x.normative)
    assert s["covered"] + s[NOT_COVERED] == s["normative"]
    assert s["normative"] == 207


def test_every_normative_clause_is_covered(cli):
    result = cli("rules", "coverage", "--standard", PACK, "--standard", "t-seesa-010-2025")
    assert result.exit_code == 0
    assert "207/207 normative clauses covered (100.0%)" in result.output
    assert "23/23 normative clauses covered (100.0%)" in result.output


def test_cli_fails_when_a_normative_clause_loses_its_rules(cli, rules_copy):
    rules = rules_copy
    (rules / PACK / "9-operation.yaml").unlink()
    result = cli("rules", "coverage", "--missing", "--rules", rules)
    assert result.exit_code == 1 and "9.2.1" in result.output and "not covered" in result.output
