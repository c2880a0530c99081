"""Fail closed: absence of evidence is never conformity, 不适用 comes only from the bundle, and one
root defect gives one nonconformity (consequences are "not evaluated", linked to it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from checker.check import run_check
from checker.errors import InputError
from checker.model import Status
from checker.packs import available_packs, load_pack

from .conftest import BASE_FIXTURE, CONFORMING, PACK, edit_text


def _bare_bundle(tmp_path: Path, standards: list[str]) -> Path:
    folder = tmp_path / "bare"
    folder.mkdir()
    text = (BASE_FIXTURE / "bundle.yaml").read_text(encoding="utf-8")
    text = text.replace("standards: [t-cpqs-zc001-2025]", f"standards: [{', '.join(standards)}]")
    (folder / "bundle.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("pack", available_packs())
def test_a_bundle_holding_only_its_manifest_conforms_nowhere(tmp_path, pack):
    from checker.packs import get_pack
    base = get_pack(pack).meta.get("profile_of")  # a profile is selected beside the pack it refines
    report = run_check(_bare_bundle(tmp_path, [base, pack] if base else [pack]))
    conform = [(v.clause, v.rules) for v in report.verdicts if v.status is Status.CONFORM]
    assert conform == []
    assert not [r for r in report.results if r.status is Status.CONFORM]
    # whatever is not applicable says why; whatever is not evaluated names the NC it waits on
    assert all(r.reason for r in report.results if r.status is Status.NOT_APPLICABLE)
    assert all(v.reason for v in report.verdicts if v.status is Status.NOT_APPLICABLE)
    waiting = [r for r in report.results if r.status is Status.NOT_EVALUATED]
    ids = {nc.id for nc in report.nonconformities}
    reported = {r.missing for r in report.results if r.status in (Status.NONCONFORMITY, Status.OBSERVATION)}
    # each waits on a nonconformity it names, or on an absent document reported by another result
    assert all((r.depends_on and set(r.depends_on) <= ids) or r.missing in reported for r in waiting)
    assert report.nonconformities


@pytest.mark.parametrize("park", sorted(p.name for p in (CONFORMING.parent).iterdir() if (p / "bundle.yaml").is_file()))
def test_every_not_applicable_in_the_examples_shows_its_reason(park):
    report = run_check(CONFORMING.parent / park)
    for r in report.results:
        if r.status is Status.NOT_APPLICABLE:
            assert r.reason is not None and r.reason.zh and r.reason.en, r.rule
    for v in report.verdicts:
        if v.status is Status.NOT_APPLICABLE:
            assert v.reason is not None, v.clause


def _rule_file(rules: Path, text: str) -> None:
    (rules / PACK / "zz-test.yaml").write_text(text, encoding="utf-8")


def _edit_rule(rules: Path, rule_id: str, key: str, value) -> None:
    y = YAML()
    for path in sorted((rules / PACK).glob("*.yaml")):
        data = y.load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "rules" not in data:
            continue
        for rule in data["rules"]:
            if rule["id"] == rule_id:
                rule[key] = value
                with path.open("w", encoding="utf-8") as fh:
                    y.dump(data, fh)
                return
    raise AssertionError(f"rule {rule_id} not found")


def test_a_consequence_waits_on_its_root_nonconformity(rules_copy, base_copy):
    _edit_rule(rules_copy, "zc001-10.2-programme-interval", "depends_on", ["zc001-10.2-interval"])
    # the only audit predates the period: a gap of more than 12 months (root), hence also more than
    # the programme's interval (consequence)
    edit_text(base_copy / "internal_audit.yaml", "date: 2024-11-12", "date: 2023-06-01")
    report = run_check(base_copy, rules_dir=rules_copy)
    root = [nc for nc in report.nonconformities if "zc001-10.2-interval" in nc.rules]
    assert len(root) == 1
    planned = [r for r in report.results if r.rule == "zc001-10.2-programme-interval"]
    assert [r.status for r in planned] == [Status.NOT_EVALUATED]
    assert planned[0].depends_on == (root[0].id,)
    assert not [nc for nc in report.nonconformities if "zc001-10.2-programme-interval" in nc.rules]
    verdict = next(v for v in report.verdicts if v.clause == "10.2")
    assert verdict.status is Status.NONCONFORMITY  # the clause still shows its worst result


def test_without_the_root_defect_the_consequence_is_judged(rules_copy, base_copy):
    _edit_rule(rules_copy, "zc001-10.2-programme-interval", "depends_on", ["zc001-10.2-interval"])
    # audits within 12 months (root conforms) but the programme plans one every 6 months
    edit_text(base_copy / "internal_audit.yaml", "interval_months: 12", "interval_months: 6")
    report = run_check(base_copy, rules_dir=rules_copy)
    planned = [r for r in report.results if r.rule == "zc001-10.2-programme-interval"]
    assert [(r.status, r.grade.value) for r in planned] == [(Status.NONCONFORMITY, "minor")]


DEPENDS_RULE = """\
rules:
  - id: zz-review-of-unknown-scope
    clause: "10.2 a)"
    requirement: 是否改进碳排放管理绩效。
    obligation: 应
    grade: minor
    reads: [internal_audit]
    for_each: internal_audit.audits
    where: {field: scope, equals: 不存在的范围}
    expect: {field: conclusions.performance_improved, present: true}
    when_none: {status: depends}
    depends_on: [zc001-10.2-interval]
    message: {zh: "审核 {{ subject.id }} 无结论。", en: "Audit {{ subject.id }} has no conclusion."}
    remediation: {zh: 补充结论。, en: Add the conclusion.}
    cases:
      - name: 通过
      - name: 不通过
        breach: true
        patch: [{op: remove, file: internal_audit.yaml, path: "/audits/[id=IA-2024-01]/conclusions/performance_improved"}]
"""


def test_a_dependent_with_nothing_to_judge_fails_closed_when_its_root_conforms(rules_copy, base_copy):
    _rule_file(rules_copy, DEPENDS_RULE)
    report = run_check(base_copy, rules_dir=rules_copy)
    mine = [r for r in report.results if r.rule == "zz-review-of-unknown-scope"]
    assert [r.status for r in mine] == [Status.NONCONFORMITY]  # nothing to wait on: a breach, not a pass


def test_lint_checks_dependencies(rules_copy):
    _edit_rule(rules_copy, "zc001-10.2-programme-interval", "depends_on", ["zc001-no-such-rule"])
    _edit_rule(rules_copy, "zc001-10.2-a", "depends_on", ["zc001-10.2-b"])
    _edit_rule(rules_copy, "zc001-10.2-b", "depends_on", ["zc001-10.2-a"])
    _edit_rule(rules_copy, "zc001-10.2-c", "when_none", {"status": "depends"})
    problems = [str(p) for p in load_pack(PACK, rules_copy).problems]
    assert any("zc001-no-such-rule" in p and "10.2-internal-audit.yaml" in p for p in problems)
    assert any("cycle" in p and "zc001-10.2-a" in p for p in problems)
    assert any("when_none: depends needs depends_on" in p for p in problems)


SAME_FACT_RULE = """\
rules:
  - id: zz-report-after-audit
    clause: "10.2 (2)d)"
    requirement: 确保向相关管理者报告审核结果。
    obligation: 应
    grade: minor
    reads: [internal_audit]
    for_each: internal_audit.audits
    expect: {field: report_date, on_or_after: {field: date}}
    evidence_field: report_date
    message: {zh: "审核 {{ subject.id }} 的报告日期早于审核日期。", en: "Audit {{ subject.id }} was reported before it took place."}
    remediation: {zh: 核对日期。, en: Check the dates.}
    cases:
      - name: 审核后报告
      - name: 审核前报告
        breach: true
        patch: [{op: set, file: internal_audit.yaml, path: "/audits/[id=IA-2024-01]/report_date", value: 2024-10-01}]
        expect: {status: nonconformity, grade: minor, evidence: {file: internal_audit.yaml, pointer: /audits/0/report_date}}
"""


def test_same_record_fields_can_be_compared(rules_copy, base_copy):
    _rule_file(rules_copy, SAME_FACT_RULE)
    from checker.cases import run_pack_cases
    pack = load_pack(PACK, rules_copy)
    assert not pack.problems
    outcomes = run_pack_cases(pack, "zz-report-after-audit")
    assert [o.ok for o in outcomes] == [True, True], [o.detail for o in outcomes]
    # a missing side fails (never an engine error)
    edit_text(base_copy / "internal_audit.yaml", "    report_date: 2024-11-20\n", "")
    mine = [r for r in run_check(base_copy, rules_dir=rules_copy).results if r.rule == "zz-report-after-audit"]
    assert [r.status for r in mine] == [Status.NONCONFORMITY]


def test_lint_rejects_a_comparison_of_different_types(rules_copy):
    _rule_file(rules_copy, SAME_FACT_RULE.replace("{field: date}", "{field: scope}"))
    problems = [str(p) for p in load_pack(PACK, rules_copy).problems]
    assert any("different types" in p and "zz-test.yaml" in p for p in problems)


INTERVAL_RULE = """\
rules:
  - id: zz-audit-interval
    clause: "10.2"
    requirement: 产业园区应按计划的时间间隔对碳排放管理体系实施内部审核
    obligation: 应
    grade: major
    reads: [internal_audit]
    for_each: agg.zz_audit_gaps
    expect: {field: months, lte: 12}
    message: {zh: "{{ subject.from }} 至 {{ subject.to }} 之间 {{ subject.months }} 个月没有内部审核。", en: "No internal audit for {{ subject.months }} months from {{ subject.from }} to {{ subject.to }}."}
    remediation: {zh: 按计划间隔实施内审。, en: Audit at the planned interval.}
    cases:
      - name: 间隔不超过 12 个月
      - name: 间隔超过 12 个月
        breach: true
        patch: [{op: set, file: internal_audit.yaml, path: "/audits/[id=IA-2024-01]/date", value: 2024-02-01}]
"""


def _with_interval_aggregate(rules: Path) -> None:
    path = rules / PACK / "pack.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("aggregates:\n", "aggregates:\n  zz_audit_gaps:\n    of: internal_audit.audits\n"
                                         "    intervals: {date: date}\n", 1)
    path.write_text(text, encoding="utf-8")
    _rule_file(rules, INTERVAL_RULE)


def test_intervals_are_measured_to_the_audit_date(rules_copy, base_copy):
    _with_interval_aggregate(rules_copy)
    report = run_check(base_copy, rules_dir=rules_copy)
    mine = [r for r in report.results if r.rule == "zz-audit-interval"]
    assert [r.status for r in mine] == [Status.CONFORM]
    # one audit in the period, 2024-02-01: 13.6 months before the audit date 2025-03-20
    edit_text(base_copy / "internal_audit.yaml", "date: 2024-11-12", "date: 2024-02-01")
    mine = [r for r in run_check(base_copy, rules_dir=rules_copy).results
            if r.rule == "zz-audit-interval" and r.status is Status.NONCONFORMITY]
    assert [r.grade.value for r in mine] == ["major"]  # the gap to the audit date; the first gap is 1 month
    assert "2024-02-01 至 2025-03-20 之间 14 个月" in mine[0].message.zh
    assert mine[0].evidence[0].file == "internal_audit.yaml" and mine[0].evidence[0].pointer == "/audits/0"


def test_intervals_work_for_a_period_that_does_not_start_in_january(rules_copy, base_copy):
    _with_interval_aggregate(rules_copy)
    edit_text(base_copy / "bundle.yaml", "start: 2024-01-01", "start: 2023-07-01")
    edit_text(base_copy / "bundle.yaml", "end: 2024-12-31", "end: 2024-06-30")
    edit_text(base_copy / "bundle.yaml", "audit_date: 2025-03-20", "audit_date: 2024-09-10")
    edit_text(base_copy / "internal_audit.yaml", "date: 2024-11-12", "date: 2024-05-12")
    edit_text(base_copy / "internal_audit.yaml", "report_date: 2024-11-20", "report_date: 2024-05-20")
    report = run_check(base_copy, rules_dir=rules_copy)
    mine = [r for r in report.results if r.rule == "zz-audit-interval"]
    assert [r.status for r in mine] == [Status.CONFORM]  # 2023-07-01 → 2024-05-12 → 2024-09-10: 11 and 4 months
    edit_text(base_copy / "internal_audit.yaml", "date: 2024-05-12", "date: 2024-08-02")
    mine = [r for r in run_check(base_copy, rules_dir=rules_copy).results
            if r.rule == "zz-audit-interval" and r.status is Status.NONCONFORMITY]
    assert len(mine) == 1 and "2023-07-01 至 2024-08-02" in mine[0].message.zh  # 14 months from the period start


SOA = """\
kind: applicability
statements:
  - clause: "7.3.3"
    justification: 园区未纳入全国或地方碳排放权交易市场，也未参与自愿减排交易。
    decided_by: {name: 王主任, position: 管委会主任}
    date: 2024-03-01
"""


def _drop_trading_review(bundle: Path) -> None:
    path = bundle / "carbon_review.yaml"
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines(keepends=True) if "CR-2024-T" not in ln]
    path.write_text("".join(lines), encoding="utf-8")


def test_not_applicable_only_from_a_statement_with_its_reason(base_copy):
    _drop_trading_review(base_copy)
    report = run_check(base_copy)
    annual = [r for r in report.results if r.rule == "zc001-7.3.3-annual"]
    assert [r.status for r in annual] == [Status.NONCONFORMITY]  # no statement: absence is a nonconformity
    (base_copy / "applicability.yaml").write_text(SOA, encoding="utf-8")
    report = run_check(base_copy)
    annual = [r for r in report.results if r.rule == "zc001-7.3.3-annual"]
    assert [r.status for r in annual] == [Status.NOT_APPLICABLE]
    assert "园区未纳入" in annual[0].reason.zh and "王主任" in annual[0].reason.zh
    assert annual[0].evidence[0].file == "applicability.yaml" and annual[0].evidence[0].line
    verdict = next(v for v in report.verdicts if v.clause == "7.3.3")
    assert verdict.status is Status.NOT_APPLICABLE and "园区未纳入" in verdict.reason.zh
    assert not report.nonconformities


def test_a_statement_never_outranks_the_evidence(base_copy):
    (base_copy / "applicability.yaml").write_text(SOA, encoding="utf-8")
    edit_text(base_copy / "carbon_review.yaml", "a: 无全国碳市场交易, ", "")  # the review exists but lacks a)
    report = run_check(base_copy)
    item = [r for r in report.results if r.rule == "zc001-7.3.3-a"]
    assert [r.status for r in item] == [Status.NONCONFORMITY]


def test_a_statement_naming_an_unknown_clause_is_an_input_error(base_copy):
    (base_copy / "applicability.yaml").write_text(SOA.replace('"7.3.3"', '"7.3.9"'), encoding="utf-8")
    with pytest.raises(InputError) as err:
        run_check(base_copy)
    assert "7.3.9" in str(err.value) and err.value.problem.file == "applicability.yaml"


@pytest.mark.parametrize("text", ["待定", " 暂无。", "TBD", "N/A", "无", "—"])
def test_a_placeholder_says_nothing(base_copy, text):
    edit_text(base_copy / "internal_audit.yaml", "performance_improved: 单位产值碳排放较上年下降 4.1%。",
              f"performance_improved: \"{text}\"")
    mine = [r for r in run_check(base_copy).results if r.rule == "zc001-10.2-a"]
    assert [(r.status, r.grade.value) for r in mine] == [(Status.NONCONFORMITY, "minor")]
    assert mine[0].evidence[0].file == "internal_audit.yaml" and mine[0].evidence[0].pointer == "/audits/0/conclusions"


def test_text_that_merely_starts_with_a_placeholder_word_is_content(base_copy):
    edit_text(base_copy / "internal_audit.yaml", "performance_improved: 单位产值碳排放较上年下降 4.1%。",
              "performance_improved: 无明显改进，单位产值碳排放与上年持平。")
    mine = [r for r in run_check(base_copy).results if r.rule == "zc001-10.2-a"]
    assert [r.status for r in mine] == [Status.CONFORM]


def test_one_requirement_breached_in_two_records_of_a_document_is_one_nonconformity(base_copy):
    # two conclusions missing in two audits of the same programme: one finding citing both records
    text = (base_copy / "internal_audit.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: IA-2024-01")
    end = text.index("    report: {number: FX-IA-2024-01}\n") + len("    report: {number: FX-IA-2024-01}\n")
    second = text[start:end].replace("IA-2024-01", "IA-2024-02").replace("date: 2024-11-12", "date: 2024-06-12")
    (base_copy / "internal_audit.yaml").write_text(text[:end] + second + text[end:], encoding="utf-8")
    edit_text(base_copy / "internal_audit.yaml", "      performance_improved: 单位产值碳排放较上年下降 4.1%。\n", "")
    report = run_check(base_copy)
    breaches = [r for r in report.results if r.rule == "zc001-10.2-a" and r.status is Status.NONCONFORMITY]
    assert len(breaches) == 2
    [nc] = [nc for nc in report.nonconformities if "zc001-10.2-a" in nc.rules]
    assert {e.pointer for e in nc.evidence} == {"/audits/0/conclusions", "/audits/1/conclusions"}
    assert "另有 1 处同类情况" in nc.finding.zh


def _emptied(base: Path, name: str, field: str) -> None:
    y = YAML()
    data = y.load((base / name).read_text(encoding="utf-8"))
    data[field] = []
    with (base / name).open("w", encoding="utf-8") as fh:
        y.dump(data, fh)


def test_a_rule_others_build_on_does_not_conform_over_an_empty_record_list(base_copy):
    """"No review record is dated after the audit" over no review record at all: not 符合 but not evaluated, waiting
    on what the rules built on it report (the missing annual reviews); those are judged, not blocked by it."""
    _emptied(base_copy, "carbon_review.yaml", "reviews")
    report = run_check(base_copy)
    root = [r for r in report.results if r.rule == "zc001-7.3.1-dated"]
    assert [(r.status, r.subject) for r in root] == [(Status.NOT_EVALUATED, "none:carbon_review.reviews")]
    assert "无据可查不等于符合" in root[0].message.zh and root[0].evidence[0].file == "bundle.yaml"
    annual = [r for r in report.results if r.rule.startswith("zc001-7.3.") and r.rule.endswith("-annual")]
    assert annual and {r.status for r in annual} == {Status.NONCONFORMITY}
    theirs = {nc.id for nc in report.nonconformities if set(nc.rules) & {r.rule for r in annual}}
    assert root[0].depends_on and set(root[0].depends_on) <= theirs
    assert not [nc for nc in report.nonconformities if "zc001-7.3.1-dated" in nc.rules]


ROOT_RULES = """\
rules:
  - id: zz-no-late-change
    clause: "7.3.1"
    requirement: 当发生重大变化时,碳排放管理体系评审应更新。
    obligation: 应
    grade: minor
    for_each: bundle
    expect: {not_exists: {kind: carbon_review.significant_changes, where: {field: date, after: {anchor: audit_date}}}}
    message: {zh: 重大变化晚于审核日。, en: A change is dated after the audit.}
    remediation: {zh: 更正日期。, en: Correct the date.}
    cases:
      - name: 通过
      - name: 晚于审核日
        breach: true
        patch: [{op: set, file: carbon_review.yaml, path: /significant_changes/0/date, value: "2030-01-01"}]
  - id: zz-built-on-it
    clause: "7.3.1"
    requirement: 当发生重大变化时,碳排放管理体系评审应更新。
    obligation: 应
    grade: minor
    for_each: carbon_review
    expect: {field: method.number, present: true}
    depends_on: [zz-no-late-change]
    message: {zh: 评审方法未编号。, en: The review method has no number.}
    remediation: {zh: 写明方法编号。, en: Give the method's number.}
    cases:
      - name: 通过
      - name: 未编号
        breach: true
        patch: [{op: remove, file: carbon_review.yaml, path: /method/number}]
"""


def test_a_rule_built_on_over_an_empty_list_that_nothing_reports_waits_on_nothing(rules_copy, base_copy):
    """When the rules built on it report nothing (no record was due), the vacuous pass of the rule they build on stays
    not evaluated and says so - neither 符合 (nothing was checked) nor a nonconformity (they judged the empty list)."""
    _rule_file(rules_copy, ROOT_RULES)
    _emptied(base_copy, "carbon_review.yaml", "significant_changes")
    report = run_check(base_copy, rules_dir=rules_copy)
    mine = {r.rule: r for r in report.results if r.rule.startswith("zz-")}
    root = mine["zz-no-late-change"]
    assert (root.status, root.grade, root.depends_on) == (Status.NOT_EVALUATED, None, ())
    assert root.message.zh.endswith("以本条为前提的规则均未发现记录缺失。") and "dependents" not in str(root)
    assert mine["zz-built-on-it"].status is Status.CONFORM
    assert not [nc for nc in report.nonconformities if "zz-no-late-change" in nc.rules]


def test_a_root_waits_on_what_a_dependent_that_is_not_evaluated_waits_on(base_copy):
    """7.4 "no indicator value dated after the audit" over no value: its one dependent is itself not evaluated, so
    the root names the nonconformity that one waits on (not an empty list of what it waits on)."""
    _emptied(base_copy, "performance_indicators.yaml", "values")
    report = run_check(base_copy)
    by_rule = {r.rule: r for r in report.results}
    root, current = by_rule["zc001-7.4-values-dated"], by_rule["zc001-7.4-values-current"]
    assert root.status is Status.NOT_EVALUATED and current.status is Status.NOT_EVALUATED
    assert current.depends_on and root.depends_on == current.depends_on


def test_a_selection_of_a_root_judges_it_as_the_full_check_does(base_copy):
    """Selecting the rule others build on (``rules test --rule``, ``checker.selection``) brings in the rules built on
    it: its result is the full check's, whatever was selected before in the process."""
    from checker.check import check_bundle, load_and_validate

    _emptied(base_copy, "risks.yaml", "assessments")
    bundle, _ = load_and_validate(base_copy)
    full = {(r.rule, r.subject): (r.status, r.blocked_by) for r in check_bundle(bundle, [PACK]).results}
    for select in ({"zc001-7.6.2-a-intervals"}, {"zc001-7.6.2-a-dated"}, {"zc001-7.6.2-a-dated", "zc001-5.3-registered"}):
        bundle, _ = load_and_validate(base_copy)
        chosen = check_bundle(bundle, [PACK], select=frozenset(select)).results
        for r in chosen:
            if r.rule in select:
                assert (r.status, r.blocked_by) == full[(r.rule, r.subject)], (select, r.rule)
    assert full[("zc001-7.6.2-a-dated", "none:risks.assessments")][0] is Status.NOT_EVALUATED
