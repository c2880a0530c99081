"""Combined audits across packs, the crosswalk, and honest coverage of the CECC packs."""

from __future__ import annotations

import pytest

from checker.check import run_check
from checker.coverage import coverage, summary
from checker.crosswalk import lint_crosswalk, load_crosswalk
from checker.packs import get_pack
from checker.reporters import json_report
from checker.schemas import load_schemas

from .conftest import DEFECTIVE, edit_text
from .test_examples import DEFECTIVE_NCS

MS_PACKS = ["t-cpqs-zc001-2025", "cecc-org-carbon-neutrality", "q-cecc-zcp-cj-01-2025"]
CECC, QCECC, CPQS = "cecc-org-carbon-neutrality", "q-cecc-zcp-cj-01-2025", "t-cpqs-zc001-2025"


@pytest.fixture(scope="module")
def combined():
    return run_check(DEFECTIVE, MS_PACKS)


def test_each_defect_appears_once_with_the_clauses_of_every_pack(combined):
    # the same defects as the T/CPQS audit alone, in the same order
    assert [(nc.evidence[0].file, nc.evidence[0].pointer) for nc in combined.nonconformities] == \
        [(f, p) for _, _, f, p in DEFECTIVE_NCS]
    by_cpqs = {c: nc for nc in combined.nonconformities for s, c in nc.clauses if s == CPQS}
    assert set(by_cpqs["10.2"].clauses) == {(CPQS, "10.2"), (CECC, "9.2"), (QCECC, "9.2")}
    assert set(by_cpqs["10.3"].clauses) == {(CPQS, "10.3"), (CECC, "9.3"), (QCECC, "9.3")}
    # the missing baseline is one finding citing every clause of every pack that needs it
    assert {(CPQS, "7.5"), (CPQS, "7.1"), (QCECC, "6.3"), (QCECC, "6.8")} <= set(by_cpqs["7.5"].clauses)
    assert set(by_cpqs["5.1 b)"].clauses) == {(CPQS, "5.1 b)"), (CECC, "4.1.2")}
    assert set(by_cpqs["10.1.1"].clauses) == {(CPQS, "10.1.1"), (QCECC, "7.6")}
    assert by_cpqs["10.2"].grade.value == "major"


def test_every_nonconformity_result_is_in_exactly_one_entry(combined):
    cited = [(s, c) for nc in combined.nonconformities for s, c in nc.clauses]
    ncs = {(r.standard, r.clause) for r in combined.results if r.status.value == "nonconformity"}
    assert set(cited) == ncs


def test_two_defects_of_one_pack_never_merge(combined):
    items = [nc for nc in combined.nonconformities if nc.evidence[0].file == "nonconformities.yaml"]
    assert len(items) == len({nc.rules[0] for nc in items}) >= 2  # different requirements stay different findings


def test_consequences_of_a_missing_document_are_one_nonconformity(combined):
    # the objectives and indicator cite a baseline that does not exist: one finding, at the baseline
    baseline = [nc for nc in combined.nonconformities if (CPQS, "7.5") in nc.clauses]
    assert len(baseline) == 1 and baseline[0].grade.value == "major"
    assert {(CPQS, "7.1"), (CPQS, "7.4"), (CPQS, "11.3")} <= set(baseline[0].clauses)
    assert not [nc for nc in combined.nonconformities if nc.evidence[0].file == "objectives.yaml"]


def test_combined_report_validates_and_has_a_verdict_per_clause_per_standard(combined):
    data = json_report.to_dict(combined)
    schemas = load_schemas()
    assert list(schemas.validator(schemas.schema("report.schema.json")).iter_errors(data)) == []
    assert {v["standard"] for v in data["verdicts"]} == set(MS_PACKS)
    v = {(x["standard"], x["clause"]): x["status"] for x in data["verdicts"]}
    assert v[(QCECC, "9.2")] == "nonconformity" and v[(QCECC, "8.3")] == "not_checked"


def test_title_only_results_say_so(combined):
    titles = [r for r in combined.results if r.standard == QCECC]
    assert titles and all(r.source == "title only" for r in titles)
    cecc = {r.rule: r.source for r in combined.results if r.standard == CECC}
    assert cecc["cecc-4.1.2"] == "full text" and cecc["cecc-9.2"] == "title only"


def test_coverage_distinguishes_full_text_from_title_only():
    s = summary(coverage(get_pack(CECC)))
    assert (s["full_text_covered"], s["full_text"]) == (26, 26)
    assert s["title only"] == s["title_only_checked"] == 14
    rows = {r.clause: r for r in coverage(get_pack(CECC))}
    assert rows["9.2"].status == "title only" and rows["8.2.2"].status == "not covered" and not rows["8.2.2"].text
    q = summary(coverage(get_pack(QCECC)))
    assert (q["full_text"], q["checked"], q["title only"], q["not covered"]) == (0, 0, 27, 10)


def test_duplicate_6_5_is_kept():
    cat = get_pack(QCECC).catalogue
    assert cat["6.5"].title == "碳管理目标及实现它们的策划" and cat["6.5(2)"].title == "碳管理评审"


def test_truncated_clause_and_missing_annex_are_marked():
    cat = get_pack(CECC).catalogue
    assert "截断" in cat["5.2.1"].note and "not available" in cat["A"].note


def test_crosswalk_lints_clean_and_maps_clauses():
    assert lint_crosswalk() == []
    cw = load_crosswalk()
    assert cw.topics_of(CPQS, "10.2 (2)c)") == {"internal-audit"}
    assert cw.topics_of(QCECC, "6.5(2)") == {"system-review"}


def test_crosswalk_lint_names_an_unknown_clause(rules_copy, cli):
    rules = rules_copy
    edit_text(rules / "crosswalk.yaml", 'q-cecc-zcp-cj-01-2025: ["9.2"]', 'q-cecc-zcp-cj-01-2025: ["9.9"]')
    result = cli("rules", "lint", "--rules", rules)
    assert result.exit_code == 1 and "crosswalk.yaml:" in result.output and "clause '9.9' is not in the catalogue" in result.output


def test_crosswalk_command(cli):
    md = cli("crosswalk")
    assert md.exit_code == 0 and "| 内部审核 | 9.2 | 9.2 | 10.2 |" in md.output
    csv_out = cli("crosswalk", "--format", "csv", "--lang", "en")
    assert "Internal audit,9.2,9.2,10.2" in csv_out.output
