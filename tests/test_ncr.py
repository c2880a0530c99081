"""The 不符合项报告 of each nonconformity and the park's corrective actions (checker.ncr): exact NC
ids, due dates on their boundaries, each check an auditor makes of an entry, the derived status,
the park's controlled documents, fail-closed input, no advice in an audit, determinism."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from checker.check import run_check
from checker.controldocs import ControlError
from checker.modes import AUDIT
from checker.ncr import DEFAULT_DUE_DAYS, RECORD_KEYS, AuditDates, check_entry, ncr_record
from checker.reporters import FORMATS
from checker.schemas import load_schemas
from checker.yamlio import read_yaml_file

from .conftest import CONFORMING, DEFECTIVE, EVIDENCE, edit_text, example_report

ACTIONS = EVIDENCE / "audits" / "donghu" / "corrective_actions.yaml"
FOLLOW_UP = "2025-07-01"  # the follow-up the example is written for
AUDIT_YAML = """kind: audit
certification_body: {name: 测试认证有限公司}
audit_number: T-2025-01
audit_type: stage2
dates: {start: 2025-05-12, end: 2025-05-14}
team:
  - {name: 陈立, role: lead_auditor}
  - {name: 周敏, role: auditor}
auditee:
  - {name: 吴刚, position: 环保科科长}
scope: 园区碳排放管理体系
standards:
  - {standard: t-cpqs-zc001-2025, edition: "2025"}
"""


def _bundle_at(tmp_path: Path, date: str) -> Path:
    """A copy of the defective example whose audit date is ``date`` (what --audit-date does, without it)."""
    bundle = tmp_path / f"donghu-{date}"
    shutil.copytree(DEFECTIVE, bundle)
    edit_text(bundle / "bundle.yaml", "audit_date: 2025-03-28", f"audit_date: {date}")
    return bundle


def _audit(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "audit.yaml"
    path.write_text(AUDIT_YAML + extra, encoding="utf-8")
    return path


def _dates(start="2025-05-12", end="2025-05-14", now="2025-07-01", **days) -> AuditDates:
    d = dt.date.fromisoformat
    return AuditDates(d(start), d(end), d(now), {**DEFAULT_DUE_DAYS, **days})


@pytest.fixture(scope="module")
def plain():
    """The defective example with neither audit information nor corrective actions."""
    return example_report(DEFECTIVE)


@pytest.fixture(scope="module")
def follow_up(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("follow")
    return run_check(_bundle_at(tmp, FOLLOW_UP), given={"audit": _audit(tmp), "corrective_actions": ACTIONS})


def _by_id(report) -> dict:
    return {nc.id: nc.record for nc in report.nonconformities}


# -- the record of every nonconformity --------------------------------------------------------------


def test_every_nonconformity_has_a_record_with_exactly_the_agreed_fields(plain):
    assert plain.nonconformities
    for nc in plain.nonconformities:
        assert tuple(nc.record) == RECORD_KEYS
        assert nc.record["number"] == nc.id
        assert nc.record["auditor"] is None  # no audit information given
        assert nc.record["status"] == "open" and nc.record["problems"] == []
        assert all(nc.record[k] is None for k in ("acknowledged_by", "correction", "verified_on"))


def test_default_due_dates_count_from_the_audit_date_by_grade(plain):
    base = dt.date.fromisoformat(plain.bundle["audit_date"])
    for nc in plain.nonconformities:
        days = 30 if nc.grade.value == "major" else 90
        assert nc.record["due_date"] == (base + dt.timedelta(days=days)).isoformat(), nc.id
    assert _by_id(plain)["NC-ET5GWHOY"]["due_date"] == "2025-04-27"  # the missing baseline, major
    assert _by_id(plain)["NC-K7NHFJKA"]["due_date"] == "2025-06-26"  # policy commitment, minor


def test_due_dates_count_from_the_audits_last_day_with_its_days(tmp_path):
    report = run_check(DEFECTIVE, given={"audit": _audit(tmp_path, "ncr_due_days: {major: 10, minor: 20}\n")})
    records = _by_id(report)
    assert records["NC-ET5GWHOY"]["due_date"] == "2025-05-24" and records["NC-K7NHFJKA"]["due_date"] == "2025-06-03"
    assert {r["auditor"] for r in records.values()} == {"陈立"}  # the lead auditor, not the other member


def test_the_documents_are_the_parks_controlled_documents_with_file_and_line(plain):
    policy = read_yaml_file(DEFECTIVE / "policy.yaml").data
    records = _by_id(plain)
    assert records["NC-K7NHFJKA"]["documents"] == [
        {"file": "policy.yaml", "line": 6, "number": policy["control"]["number"], "title": policy["title"],
         "version": policy["control"]["version"]}]
    # a document without a title of its own takes the title its number has in the register
    register = {d["number"]: d["title"] for d in read_yaml_file(DEFECTIVE / "documented_information.yaml").data["documents"]}
    risks = read_yaml_file(DEFECTIVE / "risks.yaml").data["control"]
    assert records["NC-IHZAEYC7"]["documents"] == [
        {"file": "risks.yaml", "line": 1, "number": risks["number"], "title": register[risks["number"]],
         "version": risks["version"]}]
    # a document without a control block is cited by file and line only; the manifest is no document
    assert records["NC-WNGV3T6N"]["documents"] == [
        {"file": "organization.yaml", "line": 1, "number": None, "title": None, "version": None}]
    assert all(d["file"] != "bundle.yaml" for d in records["NC-ET5GWHOY"]["documents"])


# -- the example's corrective actions at the follow-up ----------------------------------------------


def test_the_example_closes_some_has_one_overdue_and_one_with_problems(follow_up):
    records = _by_id(follow_up)
    status = {n: r["status"] for n, r in records.items() if r["acknowledged_by"]}
    assert status == {"NC-ET5GWHOY": "closed", "NC-HKQWAGDH": "closed", "NC-TCLTKHP6": "closed",
                      "NC-G4JI4OIS": "overdue", "NC-K7NHFJKA": "completed", "NC-WNGV3T6N": "planned"}
    assert records["NC-G4JI4OIS"]["due_date"] == "2025-06-13"  # 30 days after 2025-05-14, passed on 07-01
    assert [p["en"] for p in records["NC-K7NHFJKA"]["problems"]] == [
        "verified by 吴刚, who carried out the action", "declared closed, but no verification stands"]
    assert [p["en"] for p in records["NC-WNGV3T6N"]["problems"]] == [
        "the due date 2025-09-30 is later than the 2025-08-12 allowed (90 days from 2025-05-14 for a minor "
        "nonconformity)", "a corrective action without a root-cause analysis"]
    assert records["NC-WNGV3T6N"]["due_date"] == "2025-08-12"  # the allowed date, not the park's later one
    others = [r for r in records.values() if not r["acknowledged_by"]]
    assert others and {r["status"] for r in others} == {"open"}  # minors due 2025-08-12, not yet passed
    closed = records["NC-ET5GWHOY"]
    assert (closed["verified_by"], closed["verified_on"], closed["completed_on"]) == ("陈立", "2025-06-12", "2025-06-05")
    assert all(r["auditor"] == "陈立" for r in records.values())


# -- each check of an entry, on its boundaries -------------------------------------------------------


@pytest.mark.parametrize(("due", "problem"), [("2025-06-13", False), ("2025-06-14", True), ("2025-05-20", False)])
def test_a_due_date_may_not_be_later_than_allowed(due, problem):
    problems, _, _, effective = check_entry({"due_date": due}, "major", _dates())
    assert bool(problems) is problem
    assert effective.isoformat() == min(due, "2025-06-13")


@pytest.mark.parametrize(("due", "now", "status"), [("2025-06-13", "2025-06-13", "open"),
                                                    ("2025-06-13", "2025-06-14", "overdue")])
def test_overdue_only_once_the_due_date_has_passed_the_audit_date(due, now, status):
    record = ncr_record("NC-AAAAAAAA", "major", {"due_date": due}, _dates(now=now), None, [])
    assert record["status"] == status


def test_a_verified_action_is_not_overdue():
    entry = {"due_date": "2025-06-13", "completed_on": "2025-06-10", "verified_by": "陈立", "verified_on": "2025-06-20"}
    assert ncr_record("NC-AAAAAAAA", "major", entry, _dates(), None, [])["status"] == "closed"


ENTRY = {"corrective_action": "措施", "root_cause": "原因", "action_by": "吴刚", "completed_on": "2025-06-01",
         "verified_by": "陈立", "verified_on": "2025-06-02"}


@pytest.mark.parametrize(("change", "expected", "status"), [
    ({}, [], "closed"),
    ({"root_cause": None}, ["a corrective action without a root-cause analysis"], "closed"),
    ({"completed_on": "2025-05-11"}, ["the completion date 2025-05-11 is before the audit (2025-05-12)"], "planned"),
    ({"completed_on": "2025-05-12", "verified_on": "2025-05-12"}, [], "closed"),
    ({"verified_on": "2025-07-02"}, ["the verification date 2025-07-02 is after the date this check measures from "
                                     "(2025-07-01)"], "completed"),
    ({"verified_on": "2025-07-01", "completed_on": "2025-07-01"}, [], "closed"),
    ({"verified_on": "2025-05-31"}, ["verified on 2025-05-31, before the action was completed (2025-06-01)"],
     "completed"),
    ({"verified_by": "吴刚"}, ["verified by 吴刚, who carried out the action"], "completed"),
    ({"completed_on": None}, ["verified on 2025-06-02 but no completion date of the action is recorded"], "planned"),
    ({"verified_on": None, "status": "closed"},
     ["the verification is incomplete: it needs both the verifier and the date",
      "declared closed, but no verification stands"], "completed"),
    ({"acknowledged_on": "2025-07-05"}, ["the acknowledgement date 2025-07-05 is after the date this check measures "
                                         "from (2025-07-01)"], "closed"),
])
def test_each_check_of_an_entry(change, expected, status):
    entry = {k: v for k, v in {**ENTRY, **change}.items() if v is not None}
    record = ncr_record("NC-AAAAAAAA", "minor", entry, _dates(), None, [])
    assert [p["en"] for p in record["problems"]] == expected
    assert all(p["zh"] for p in record["problems"])  # Chinese first, English alongside
    assert record["status"] == status


# -- fail closed -------------------------------------------------------------------------------------


def test_an_entry_for_an_unknown_nonconformity_stops_the_check(cli, tmp_path):
    result = cli("check", CONFORMING, "--corrective-actions", ACTIONS)
    assert result.exit_code == 2
    line = ACTIONS.read_text(encoding="utf-8").splitlines().index("  - nc: NC-ET5GWHOY") + 1
    assert f"{ACTIONS}:{line}:5: /actions/0/nc: NC-ET5GWHOY is no nonconformity of this check" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_an_nc_given_twice_stops_the_check(tmp_path):
    actions = tmp_path / "ca.yaml"
    actions.write_text("kind: corrective_actions\nactions:\n  - {nc: NC-ET5GWHOY}\n  - {nc: NC-ET5GWHOY}\n",
                       encoding="utf-8")
    with pytest.raises(ControlError) as exc:
        run_check(DEFECTIVE, given={"corrective_actions": actions})
    assert (exc.value.problem.line, exc.value.problem.field) == (4, "/actions/1/nc")


@pytest.mark.parametrize("text", ["kind: corrective_actions\nactions:\n  - {nc: NC-1}\n",
                                  "kind: corrective_actions\nactions:\n  - {nc: NC-ET5GWHOY, due_date: 2025-13-01}\n",
                                  "kind: corrective_actions\nactions:\n  - {nc: NC-ET5GWHOY, root_cause: ''}\n",
                                  "kind: corrective_actions\nactions: []\n"])
def test_a_malformed_entry_stops_the_check(tmp_path, text):
    actions = tmp_path / "ca.yaml"
    actions.write_text(text, encoding="utf-8")
    with pytest.raises(ControlError) as exc:
        run_check(DEFECTIVE, given={"corrective_actions": actions})
    assert exc.value.problem.file == str(actions) and exc.value.problem.line


# -- outputs -----------------------------------------------------------------------------------------


def test_the_records_are_in_the_json_valid_and_deterministic(follow_up, tmp_path):
    render = FORMATS["json"][1]
    data = json.loads(render(follow_up, "zh"))
    schemas = load_schemas()
    assert list(schemas.validator(schemas.schema("report.schema.json")).iter_errors(data)) == []
    assert [n["record"]["number"] for n in data["nonconformities"]] == [n["id"] for n in data["nonconformities"]]
    bundle, given = _bundle_at(tmp_path, FOLLOW_UP), {"audit": _audit(tmp_path), "corrective_actions": ACTIONS}
    first = render(run_check(bundle, given=given), "zh")
    assert render(run_check(bundle, given=given), "zh") == first  # the same files give the same bytes
    assert json.loads(first)["nonconformities"] == data["nonconformities"]  # wherever the files are


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_md_and_html_show_the_record_fields_without_advice_in_an_audit(follow_up, fmt):
    from checker.modes import in_mode
    audit = in_mode(follow_up, AUDIT)
    advice = {t for nc in follow_up.nonconformities if nc.remediation for t in (nc.remediation.zh, nc.remediation.en)}
    assert advice
    for lang, words in (("zh", ("不符合项报告", "原因分析", "已逾期", "验证人 吴刚 即整改实施人")),
                        ("en", ("Nonconformity reports", "Root cause", "Overdue", "verified by 吴刚, who carried"))):
        out = FORMATS[fmt][1](audit, lang).decode("utf-8")
        assert all(w in out for w in words), (fmt, lang)
        assert not [t for t in advice if t in out]
    assert "以 2022 年能源消费与碳排放数据建立基准 BL-2022" in FORMATS[fmt][1](audit, "zh").decode("utf-8")


def test_entry_text_is_escaped_in_md_and_html(tmp_path):
    actions = tmp_path / "ca.yaml"
    actions.write_text("kind: corrective_actions\nactions:\n  - nc: NC-ET5GWHOY\n"
                       "    correction: \"<script>x</script> | **b**\"\n", encoding="utf-8")
    report = run_check(DEFECTIVE, given={"corrective_actions": actions})
    html = FORMATS["html"][1](report, "zh").decode("utf-8")
    md = FORMATS["md"][1](report, "zh").decode("utf-8")
    assert "<script>x" not in html and "&lt;script&gt;x" in html
    assert "<script>x" not in md and "\\| \\*\\*b\\*\\*" in md
