"""Waivers and accepted risks, and the statement of applicability as a table (checker.waivers).

A waived nonconformity stays a nonconformity and carries its waiver; a waiver is in force from its
start through its expiry day, judged on the report's audit date (date-times with an offset taken as
their Asia/Shanghai date); counts are given with and without waivers; any problem in a waiver or a
statement of applicability stops the check (exit 2, file:line and field)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from checker.check import load_and_validate, run_check
from checker.controldocs import ControlError, load_controls
from checker.errors import InputError
from checker.model import Grade, Status
from checker.packs import get_pack
from checker.reporters import json_report
from checker.reporters._view import environment, view
from checker.schemas import load_schemas
from checker.waivers import apply_waivers, shanghai_date

from .conftest import DEFECTIVE, PACK, ROOT, example_report

EXAMPLES = ROOT / "evidence" / "audits" / "donghu"
CALIBRATION_NC = "NC-P43MJFQM"  # donghu: flow meter 1 out of calibration, 10.1.1, minor (zc001-10.1.1-calibration)
MANAGER_NC = "NC-WNGV3T6N"  # donghu: no carbon manager, 6.3, minor (zc001-6.3-composition)
INTERNAL_AUDIT_NC = "NC-HKQWAGDH"  # donghu: no internal audit in 2023, 10.2, major (zc001-10.2-interval)


@pytest.fixture(scope="module")
def plain():
    """donghu-park checked without waivers, and its bundle (for applying waivers to that report)."""
    bundle, _ = load_and_validate(DEFECTIVE)
    return example_report(DEFECTIVE), bundle


@pytest.fixture(scope="module")
def example():
    return run_check(DEFECTIVE, given={"waivers": EXAMPLES / "waivers.yaml",
                                       "applicability": EXAMPLES / "applicability.yaml"})


def _waivers_file(tmp_path: Path, body: str, name: str = "waivers.yaml") -> Path:
    path = tmp_path / name
    path.write_text("kind: waivers\nwaivers:\n" + body, encoding="utf-8")
    return path


def _one(covers: str, start: str = "2025-03-01", expiry: str = "2025-06-30", wid: str = "W-1") -> str:
    return (f"  - id: {wid}\n    covers: {covers}\n    approver: {{name: 陈立, position: 审核组长}}\n"
            f"    justification: 已批准的临时措施。\n    start: \"{start}\"\n    expiry: \"{expiry}\"\n")


def _apply(plain, tmp_path: Path, body: str, audit_date: str | None = None):
    report, bundle = plain
    if audit_date:
        report = dataclasses.replace(report, bundle={**report.bundle, "audit_date": audit_date})
    controls = load_controls(bundle, load_schemas(), {"waivers": _waivers_file(tmp_path, body)})
    return apply_waivers(report, controls, bundle, {PACK: get_pack(PACK)})


def _nc(report, nc_id: str):
    return next(n for n in report.nonconformities if n.id == nc_id)


# -- the example -------------------------------------------------------------------------------------------

def test_the_example_waives_one_nonconformity_and_shows_the_expired_one(example, plain):
    calibration, manager = _nc(example, CALIBRATION_NC), _nc(example, MANAGER_NC)
    assert calibration.clauses == ((PACK, "10.1.1"),) and calibration.rules == ("zc001-10.1.1-calibration",)
    assert manager.clauses == ((PACK, "6.3"),)
    path = str(EXAMPLES / "waivers.yaml")
    assert calibration.waiver == {
        "id": "W-2025-01", "approver": "陈立",
        "justification": "1 号流量计已送省计量院检定，检定期间以 2 号流量计读数比对，偏差在 ±1% 以内。",
        "start": "2025-03-01", "expiry": "2025-06-30", "in_force": True, "file": path, "line": 7}
    assert manager.waiver is not None and manager.waiver["id"] == "W-2024-07"
    assert manager.waiver["in_force"] is False and manager.waiver["line"] == 14
    assert {n.id for n in example.nonconformities if n.waiver} == {CALIBRATION_NC, MANAGER_NC}
    assert [(w["id"], w["state"], w["nonconformities"]) for w in example.waivers] == [
        ("W-2024-07", "expired", [MANAGER_NC]), ("W-2025-01", "in_force", [CALIBRATION_NC])]
    # a waiver rewrites no status and no grade: the nonconformities and results are those of the plain check
    report, _ = plain
    assert [(n.id, n.grade) for n in example.nonconformities] == [(n.id, n.grade) for n in report.nonconformities]
    assert [(r.rule, r.status, r.grade) for r in example.results if r.clause != "9.2.3 c)"] == [
        (r.rule, r.status, r.grade) for r in report.results if r.clause != "9.2.3 c)"]
    assert calibration.grade is Grade.MINOR


def test_counts_with_and_without_waivers(example, plain):
    report, _ = plain
    summary, before = example.summary(), report.summary()
    assert summary["nonconformities"] == before["nonconformities"]  # without waivers: every one counts
    assert summary["waived"] == {"total": 1, "major": 0, "minor": 1}
    assert summary["waiver_not_in_force"] == {"total": 1, "major": 0, "minor": 1}
    ncs = before["nonconformities"]
    assert summary["not_waived"] == {"total": ncs["total"] - 1, "major": ncs["major"], "minor": ncs["minor"] - 1}
    assert before["waived"] == {"total": 0, "major": 0, "minor": 0} and before["not_waived"] == ncs


def test_a_waived_major_stays_an_open_major(plain, tmp_path):
    waived = _apply(plain, tmp_path, _one(f"{{standard: {PACK}, clause: \"10.2\"}}"))
    ids = [n.id for n in waived.nonconformities if n.waiver and n.waiver["in_force"]]
    clause_10_2 = [n.id for n in waived.nonconformities if any(c == "10.2" or c.startswith("10.2 ") for _, c in n.clauses)]
    assert INTERNAL_AUDIT_NC in ids and ids == clause_10_2  # 10.2 and its list items, nothing else
    major = _nc(waived, INTERNAL_AUDIT_NC)
    assert major.grade is Grade.MAJOR and major.rules == ("zc001-10.2-interval",)
    summary = waived.summary()
    grades = [_nc(waived, i).grade for i in ids]
    assert summary["waived"] == {"total": len(ids), "major": grades.count(Grade.MAJOR), "minor": grades.count(Grade.MINOR)}
    assert summary["nonconformities"]["major"] == plain[0].summary()["nonconformities"]["major"]
    assert summary["not_waived"]["major"] == summary["nonconformities"]["major"] - 1


def test_an_in_force_waiver_wins_over_an_expired_one_whatever_the_order(plain, tmp_path):
    body = (_one(f"{{nonconformity: {CALIBRATION_NC}}}", "2024-01-01", "2024-12-31", "W-A")
            + _one(f"{{standard: {PACK}, rule: zc001-10.1.1-calibration}}", wid="W-B"))
    assert _nc(_apply(plain, tmp_path, body), CALIBRATION_NC).waiver["id"] == "W-B"


def test_a_waiver_of_a_rule_without_nonconformity_covers_none(plain, tmp_path):
    report, _ = plain
    failing = {rid for n in report.nonconformities for _, rid in n.members}
    rule = next(r.id for r in get_pack(PACK).rules if r.id not in failing)
    waived = _apply(plain, tmp_path, _one(f"{{standard: {PACK}, rule: {rule}}}"))
    assert [w["nonconformities"] for w in waived.waivers] == [[]]
    assert waived.summary()["waived"]["total"] == 0


# -- in force on the audit date (2025-03-28), never the wall clock -----------------------------------------

@pytest.mark.parametrize(("start", "expiry", "state"), [
    ("2025-03-01", "2025-03-28", "in_force"),  # the expiry day itself is in force
    ("2025-03-01", "2025-03-27", "expired"),
    ("2025-03-28", "2025-06-30", "in_force"),  # so is the start day
    ("2025-03-29", "2025-06-30", "not_yet_in_force"),
    ("2025-03-01", "2025-03-27T16:30:00Z", "in_force"),  # 2025-03-28 00:30 in Shanghai
    ("2025-03-01", "2025-03-27T15:59:59Z", "expired"),  # 2025-03-27 23:59:59 in Shanghai
    ("2025-03-01", "2025-03-27T23:30:00+08:00", "expired"),
    ("2025-03-01", "2025-03-28T00:30:00+09:00", "expired"),  # the 28th in Tokyo, still the 27th in Shanghai
    ("2025-03-01", "2025-03-28T00:30:00+08:00", "in_force"),
    ("2025-03-28T16:00:00Z", "2025-06-30", "not_yet_in_force"),  # 2025-03-29 00:00 in Shanghai
    ("2025-03-28T15:59:59Z", "2025-06-30", "in_force"),
    ("2025-03-28T23:59:59-05:00", "2025-06-30", "not_yet_in_force"),  # 2025-03-29 12:59:59 in Shanghai
])
def test_in_force_on_the_audit_date(plain, tmp_path, start, expiry, state):
    waived = _apply(plain, tmp_path, _one(f"{{nonconformity: {CALIBRATION_NC}}}", start, expiry))
    assert [w["state"] for w in waived.waivers] == [state]
    assert _nc(waived, CALIBRATION_NC).waiver["in_force"] is (state == "in_force")
    assert waived.summary()["waived"]["total"] == (1 if state == "in_force" else 0)
    assert waived.summary()["waiver_not_in_force"]["total"] == (0 if state == "in_force" else 1)


def test_the_audit_date_of_the_report_decides(plain, tmp_path):
    body = (EXAMPLES / "waivers.yaml").read_text(encoding="utf-8").split("waivers:\n", 1)[1]
    late = _apply(plain, tmp_path, body, audit_date="2025-07-01")
    assert [(w["id"], w["state"]) for w in late.waivers] == [("W-2024-07", "expired"), ("W-2025-01", "expired")]
    last_day = _apply(plain, tmp_path, body, audit_date="2025-06-30")  # 2025-06-30T23:59:59+08:00
    assert [w["state"] for w in last_day.waivers] == ["expired", "in_force"]
    early = _apply(plain, tmp_path, body, audit_date="2024-06-30")
    assert [w["state"] for w in early.waivers] == ["not_yet_in_force", "not_yet_in_force"]


def test_shanghai_dates():
    assert shanghai_date("2025-03-28") == dt.date(2025, 3, 28)
    assert shanghai_date("2025-12-31T16:00:00Z") == dt.date(2026, 1, 1)
    assert shanghai_date("2025-01-01T07:59:59+00:00") == dt.date(2025, 1, 1)
    assert shanghai_date("2025-01-01t00:00:00z") == dt.date(2025, 1, 1)
    for bad in ("2025-02-30", "2025-03-28T10:00:00"):
        with pytest.raises(ValueError):
            shanghai_date(bad)


# -- fail closed: exit 2 with file:line and field ------------------------------------------------------------

GOOD = _one(f"{{standard: {PACK}, rule: zc001-10.1.1-calibration}}")

FAIL_CLOSED = [
    ("no approver", GOOD.replace("    approver: {name: 陈立, position: 审核组长}\n", ""), 3, "/waivers/0", "approver"),
    ("approver without name", GOOD.replace("{name: 陈立, position: 审核组长}", "{position: 审核组长}"), 5,
     "/waivers/0/approver", "name"),
    ("no justification", GOOD.replace("    justification: 已批准的临时措施。\n", ""), 3, "/waivers/0", "justification"),
    ("placeholder justification", GOOD.replace("已批准的临时措施。", "待定"), 6, "/waivers/0/justification", "待定"),
    ("unknown nonconformity", _one("{nonconformity: NC-AAAAAAAA}"), 4, "/waivers/0/covers/nonconformity",
     "NC-AAAAAAAA"),
    ("unknown rule", _one(f"{{standard: {PACK}, rule: zc001-no-such-rule}}"), 4, "/waivers/0/covers/rule",
     "zc001-no-such-rule"),
    ("unknown clause", _one(f"{{standard: {PACK}, clause: \"7.3.9\"}}"), 4, "/waivers/0/covers/clause", "7.3.9"),
    ("standard not checked", _one("{standard: t-seesa-010-2025, clause: \"4.2\"}"), 4,
     "/waivers/0/covers/standard", "t-seesa-010-2025"),
    ("two things covered", _one(f"{{standard: {PACK}, rule: zc001-10.1.1-calibration, clause: \"10.1.1\"}}"), 4,
     "/waivers/0/covers", "covers"),
    ("nothing covered", _one("{}"), 4, "/waivers/0/covers", "covers"),
    ("expiry before start", _one(f"{{nonconformity: {CALIBRATION_NC}}}", "2025-03-01", "2025-02-28"), 8,
     "/waivers/0/expiry", "2025-02-28"),
    ("impossible date", _one(f"{{nonconformity: {CALIBRATION_NC}}}", "2025-02-30"), 7, "/waivers/0/start",
     "2025-02-30"),
    ("date-time without offset", _one(f"{{nonconformity: {CALIBRATION_NC}}}", "2025-03-01T08:00:00"), 7,
     "/waivers/0/start", "start"),
    ("duplicate id", GOOD + _one(f"{{nonconformity: {MANAGER_NC}}}"), 9, "/waivers/1/id", "W-1"),
]


@pytest.mark.parametrize(("case", "body", "line", "field", "word"), FAIL_CLOSED, ids=[c[0] for c in FAIL_CLOSED])
def test_a_bad_waiver_stops_the_check(cli, tmp_path, case, body, line, field, word):
    path = _waivers_file(tmp_path, body)
    result = cli("check", DEFECTIVE, "--waivers", path, "-q")
    assert result.exit_code == 2, (case, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    first = result.stderr.strip().splitlines()[0]
    assert f"{path}:{line}:" in first and f" {field}" in first and word in first, first


def test_a_bad_waiver_in_the_bundle_stops_the_check(cli, tmp_path):
    bundle = tmp_path / "bundle"
    shutil.copytree(DEFECTIVE, bundle)
    _waivers_file(bundle, GOOD.replace("    justification: 已批准的临时措施。\n", ""))
    result = cli("check", bundle, "-q")
    assert result.exit_code == 2 and "waivers.yaml:3" in result.stderr and "justification" in result.stderr


# -- the statement of applicability as a table -------------------------------------------------------------

SOA = """\
kind: applicability
statements:
  - clause: "7.3.3"
    justification: 园区未纳入全国或地方碳排放权交易市场，也未参与自愿减排交易。
    decided_by: {name: 王主任, position: 管委会主任}
    date: 2024-03-01
"""


def test_the_example_statements_and_what_became_of_them(example):
    rows = [(r["standard"], r["clause"], r["outcome"], r["results_taken"], r["line"]) for r in example.applicability]
    assert rows == [(PACK, "7.3.3", "not_taken", 0, 9), (PACK, "9.2.3 c)", "partly_taken", 2, 14),
                    ("t-seesa-010-2025", "5", "outside", 0, 19)]
    in_733 = [r for r in example.results if r.clause.startswith("7.3.3")]
    assert example.applicability[0]["results_judged"] == len(in_733) and all(
        r.status is not Status.NOT_APPLICABLE for r in in_733)
    taken = [r.rule for r in example.results if r.evidence and r.evidence[0].pointer == "/statements/1"]
    assert taken == ["zc001-9.2.3-c-obligations", "zc001-9.2.3-c-obligations-on-time"]
    assert example.applicability[1]["judged"] == {"nonconformity": 1}  # the process document given is judged
    assert example.applicability[0]["decided_by"] == {"name": "李明", "position": "管委会副主任"}


def test_a_statement_taken_for_an_absent_record(base_copy):
    lines = [ln for ln in (base_copy / "carbon_review.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
             if "CR-2024-T" not in ln]
    (base_copy / "carbon_review.yaml").write_text("".join(lines), encoding="utf-8")
    (base_copy / "applicability.yaml").write_text(SOA, encoding="utf-8")
    report = run_check(base_copy)
    taken = [r for r in report.results if r.evidence and r.evidence[0].file == "applicability.yaml"]
    assert taken and all(r.status is Status.NOT_APPLICABLE for r in taken)
    assert [dict(r, judged=None) for r in report.applicability] == [{
        "standard": None, "clause": "7.3.3", "justification": "园区未纳入全国或地方碳排放权交易市场，也未参与自愿减排交易。",
        "decided_by": {"name": "王主任", "position": "管委会主任"}, "date": "2024-03-01",
        "outcome": "taken" if report.applicability[0]["results_judged"] == 0 else "partly_taken",
        "results_taken": len(taken), "results_judged": report.applicability[0]["results_judged"], "judged": None,
        "file": "applicability.yaml", "line": 3, "pointer": "/statements/0"}]
    judged = [r for r in report.results if r.clause.startswith("7.3.3") and r not in taken]
    assert report.applicability[0]["results_judged"] == len(judged)


@pytest.mark.parametrize(("old", "new", "line", "word"), [
    ("    decided_by: {name: 王主任, position: 管委会主任}\n", "", 3, "decided_by"),  # a gap in a park document
    ("也未参与自愿减排交易。", "也未参与自愿减排交易。\n    reason: 另见附件", 5, "reason"),
    ("园区未纳入全国或地方碳排放权交易市场，也未参与自愿减排交易。", "待定", 4, "待定"),
    ('"7.3.3"', '"7.3.9"', 3, "7.3.9"),  # no such clause in the pack checked
])
def test_a_bad_statement_of_applicability_stops_the_check(cli, base_copy, old, new, line, word):
    (base_copy / "applicability.yaml").write_text(SOA.replace(old, new), encoding="utf-8")
    result = cli("check", base_copy, "-q")
    assert result.exit_code == 2, result.stdout
    assert "Traceback" not in result.stderr
    assert f"applicability.yaml:{line}" in result.stderr and word in result.stderr, result.stderr


def test_a_statement_given_by_option_replaces_the_bundles(base_copy, tmp_path):
    (base_copy / "applicability.yaml").write_text(SOA.replace('"7.3.3"', '"7.3.9"'), encoding="utf-8")
    given = tmp_path / "soa.yaml"
    given.write_text(SOA, encoding="utf-8")
    report = run_check(base_copy, given={"applicability": given})
    assert [(r["clause"], r["file"]) for r in report.applicability] == [("7.3.3", str(given))]
    with pytest.raises(InputError):
        run_check(base_copy)


def test_a_placeholder_in_a_given_statement_stops_the_check(base_copy, tmp_path):
    given = tmp_path / "soa.yaml"
    given.write_text(SOA.replace("王主任", "TBD"), encoding="utf-8")
    with pytest.raises(ControlError) as err:
        run_check(base_copy, given={"applicability": given})
    assert (err.value.problem.file, err.value.problem.line, err.value.problem.field) == (
        str(given), 5, "/statements/0/decided_by/name")


# -- reports -------------------------------------------------------------------------------------------------

def test_the_json_report_carries_the_tables_and_validates(example):
    data = json.loads(json_report.render(example))
    schemas = load_schemas()
    assert list(schemas.validator(schemas.schema("report.schema.json")).iter_errors(data)) == []
    assert [w["id"] for w in data["waivers"]] == ["W-2024-07", "W-2025-01"]
    assert next(n for n in data["nonconformities"] if n["id"] == CALIBRATION_NC)["waiver"]["in_force"] is True
    assert data["summary"]["waived"]["total"] == 1 and len(data["applicability"]) == 3
    assert json_report.render(example) == json_report.render(run_check(
        DEFECTIVE, given={"waivers": EXAMPLES / "waivers.yaml", "applicability": EXAMPLES / "applicability.yaml"}))


def _render(report, fmt: str, lang: str) -> str:
    return environment(fmt == "html").get_template(f"report.{fmt}.j2").render(**view(report, lang))


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_md_and_html_show_both_tables_and_both_counts(example, fmt):
    zh, en = _render(example, fmt, "zh"), _render(example, fmt, "en")
    for text in ("适用性声明", "部分采纳：2 项", "不涉及本次检查的标准", "豁免与接受的风险", "W-2025-01", "W-2024-07",
                 "已失效（视为未豁免）", "有效", CALIBRATION_NC, MANAGER_NC, "2025-06-30（2025-06-30T23:59:59+08:00）"):
        assert text in zh, text
    ncs = example.summary()["nonconformities"]
    assert f"{ncs['total']}（严重 {ncs['major']}，一般 {ncs['minor']}）" in zh
    assert f"{ncs['total'] - 1}（严重 {ncs['major']}，一般 {ncs['minor'] - 1}）" in zh
    assert "Statement of applicability" in en and "Expired (counts as not waived)" in en
    assert f"{ncs['total']} (Major {ncs['major']}, Minor {ncs['minor']})" in en


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_bundle_text_in_the_tables_is_escaped(plain, tmp_path, fmt):
    body = _one(f"{{nonconformity: {CALIBRATION_NC}}}").replace(
        "已批准的临时措施。", "\"<script>alert(1)</script> | **粗体** [链接](http://x)\"")
    report = _apply(plain, tmp_path, body)
    out = _render(report, fmt, "zh")
    assert "<script>" not in out
    row = next(line for line in out.splitlines() if "alert(1)" in line)
    if fmt == "md":
        assert "\\|" in row and "\\*\\*" in row and row.count(" | ") == 9  # ten cells, the bar inside escaped
    else:
        assert "&lt;script&gt;" in row


def test_no_waivers_and_no_statements_are_said(plain):
    out = _render(plain[0], "md", "zh")
    assert "没有适用性声明" in out and "没有豁免" in out


def test_an_audit_report_with_waivers_holds_no_advice(tmp_path):
    audit = run_check(DEFECTIVE, mode="audit", given={"waivers": EXAMPLES / "waivers.yaml"})
    pre = run_check(DEFECTIVE, given={"waivers": EXAMPLES / "waivers.yaml"})
    advice = {t for n in pre.nonconformities if n.remediation for t in (n.remediation.zh, n.remediation.en)}
    assert advice
    for fmt in ("md", "html"):
        for lang in ("zh", "en"):
            out = _render(audit, fmt, lang)
            assert "W-2025-01" in out and [t for t in advice if t in out] == []


def test_a_waiver_needs_an_existing_nonconformity_of_this_check(plain, tmp_path):
    with pytest.raises(ControlError) as err:
        _apply(plain, tmp_path, _one("{nonconformity: NC-AAAAAAAA}"))
    assert err.value.problem.field == "/waivers/0/covers/nonconformity" and err.value.problem.line == 4


def test_the_examples_leave_the_example_bundles_alone():
    assert not list(DEFECTIVE.glob("waivers*")) and not list(DEFECTIVE.glob("applicability*"))
    bundle, _ = load_and_validate(DEFECTIVE)
    assert bundle.by_kind("waivers") == [] and bundle.by_kind("applicability") == []


def test_waivers_change_no_score_and_the_report_says_so(tmp_path):
    seesa = "t-seesa-010-2025"
    plain = run_check(DEFECTIVE, standards=[seesa])
    gate = [n for n in plain.nonconformities if any(c.startswith("4.2") for _, c in n.clauses)]
    assert gate and not plain.scores[0].eligible  # donghu: 4.2.6 occupancy, a gate clause
    body = _one(f"{{standard: {seesa}, clause: \"4.2\"}}")
    waived = run_check(DEFECTIVE, standards=[seesa], given={"waivers": _waivers_file(tmp_path, body)})
    assert waived.summary()["waived"]["total"] == len(gate)
    assert [s.to_json() for s in waived.scores] == [s.to_json() for s in plain.scores]  # eligibility included
    out = _render(waived, "md", "zh")
    assert "豁免不改变得分与评级资格" in out


def test_the_cli_takes_both_records_by_option(cli, tmp_path):
    result = cli("check", DEFECTIVE, "--waivers", EXAMPLES / "waivers.yaml", "--applicability",
                 EXAMPLES / "applicability.yaml", "--out", tmp_path / "out", "--format", "json", "-q")
    assert result.exit_code == 1, result.stderr  # nonconformities remain, waived or not
    data = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert [r["outcome"] for r in data["applicability"]] == ["not_taken", "partly_taken", "outside"]
    assert [w["state"] for w in data["waivers"]] == ["expired", "in_force"]


def test_the_machine_formats_carry_the_example_waivers(example):
    from checker.reporters import oscal_report, sarif_report
    sarif = json.loads(sarif_report.render(example, "zh"))
    suppressed = {x["ruleId"] for x in sarif["runs"][0]["results"] if x.get("suppressions")}
    assert suppressed == {"zc001-10.1.1-calibration"}  # the expired waiver of 6.3 suppresses nothing
    oscal = json.loads(oscal_report.render(example, "zh"))
    risks = {x["props"][0]["value"]: x["status"] for x in oscal["assessment-results"]["results"][0]["risks"]}
    assert risks[CALIBRATION_NC] == "deviation-approved" and risks[MANAGER_NC] != "deviation-approved"
