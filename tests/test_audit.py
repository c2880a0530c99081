"""The audit information, the date the rules measure from, the audit conclusion and the pre-check's
readiness view (checker.audit, checker.readiness).  Expected values come from the example records in
evidence/audits/donghu/, the packs and the report itself, not from pinned counts."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

from checker.audit import MEASURES, audit_information, conclude, open_majors, parse_audit_date, policy
from checker.check import run_check
from checker.controldocs import ControlError, Controls
from checker.errors import InputError
from checker.model import Grade, Status
from checker.modes import AUDIT, PRECHECK
from checker.packs import load_pack
from checker.readiness import area_of
from checker.reporters import FORMATS
from checker.schemas import load_schemas

from .conftest import CONFORMING, DEFECTIVE, EVIDENCE, PACK, edit_text, example_report, run_in_process, tree_digest

RECORDS = EVIDENCE / "audits" / "donghu"
STAGE1, STAGE2, SURVEILLANCE = (RECORDS / f"audit-{t}.yaml" for t in ("stage1", "stage2", "surveillance"))
SCORED = "t-seesa-010-2025"
DATED_RULE = "zc001-10.1.2-a"  # no compliance evaluation within 12 months of the audit date


def _render(report, fmt: str, lang: str) -> str:
    return FORMATS[fmt][1](report, lang).decode("utf-8")


def _valid(report) -> None:
    schemas = load_schemas()
    data = json.loads(_render(report, "json", "zh"))
    assert list(schemas.validator(schemas.schema("report.schema.json")).iter_errors(data)) == []


@pytest.fixture(scope="module")
def stage2():
    return run_check(DEFECTIVE, mode=AUDIT, given={"audit": STAGE2}, audit_date="2025-05-14")


@pytest.fixture(scope="module")
def precheck():
    return run_check(DEFECTIVE, [PACK, SCORED], mode=PRECHECK)


# -- the audit information ------------------------------------------------------------------------

def test_the_audit_information_is_the_record_with_labels(stage2):
    a = stage2.audit
    pack = next(p for p in stage2.packs if p.id == PACK)
    assert a["file"] == str(STAGE2)
    assert a["certification_body"] == {"name": "华标低碳认证有限公司", "accreditation": "CNCA-R-2099-001"}
    assert a["audit_number"] == "HB-ZC-2025-0317-S2"
    assert (a["audit_type"], a["audit_type_label"]) == ("stage2", {"zh": "第二阶段审核", "en": "Stage 2 audit"})
    assert a["dates"] == {"start": "2025-05-12", "end": "2025-05-14"}
    assert a["team"][0] == {"name": "陈立", "role": "lead_auditor", "role_label": {"zh": "审核组长", "en": "Lead auditor"},
                            "registration": "CCAA-2099-N-0101"}
    assert [m["role"] for m in a["team"]] == ["lead_auditor", "auditor", "technical_expert"]
    assert a["team"][2]["registration"] is None
    assert a["auditee"][0] == {"name": "吴刚", "position": "环保科科长", "department": "安全环保局"}
    assert a["standards"] == [{"standard": PACK, "code": pack.code, "edition": pack.edition}]
    assert a["sites"][1] == {"name": "东湖热电联产厂（外包蒸汽供应）", "address": "东湖大道 88 号"}
    assert a["ncr_due_days"] == {"major": 30, "minor": 90}
    _valid(stage2)


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_audit_information_heads_the_report(stage2, fmt, lang):
    out = _render(stage2, fmt, lang)
    label = stage2.audit["audit_type_label"][lang]
    lead = {"zh": "审核组长", "en": "Lead auditor"}[lang]
    heading = {"zh": "审核信息", "en": "Audit information"}[lang]
    summary = {"zh": "概要", "en": "Summary"}[lang]
    for text in (heading, label, "HB-ZC-2025-0317-S2", "华标低碳认证有限公司", "陈立", lead, "2025-05-12", "东湖大道 88 号"):
        assert text in out, f"{fmt}/{lang} lacks {text!r}"
    assert out.index(heading) < out.index(summary)  # it heads the report


def test_json_carries_the_audit_information(stage2):
    data = json.loads(_render(stage2, "json", "en"))
    assert data["audit"]["audit_type"] == "stage2"
    assert data["conclusion"]["code"] == stage2.conclusion["code"]
    assert "readiness" not in data  # a pre-check's view only
    again = run_check(DEFECTIVE, mode=AUDIT, given={"audit": STAGE2}, audit_date="2025-05-14")
    assert _render(again, "json", "en") == _render(stage2, "json", "en")  # deterministic


def _broken(tmp_path, old: str, new: str):
    copy = tmp_path / "audit.yaml"
    shutil.copy(STAGE2, copy)
    line = edit_text(copy, old, new, 1)
    return copy, line


@pytest.mark.parametrize(("old", "new", "field", "words"), [
    ("start: 2025-05-12", "start: 2025-05-15", "/dates/start", "2025-05-15"),
    ("role: lead_auditor", "role: auditor", "/team", "lead_auditor"),
    ("{standard: t-cpqs-zc001-2025,", "{standard: t-seesa-010-2025,", "/standards/0/standard", SCORED),
    ('edition: "2025"}', 'edition: "2022"}', "/standards/0/edition", "2022"),
])
def test_a_record_that_contradicts_itself_or_the_check_stops_it(tmp_path, old, new, field, words):
    copy, line = _broken(tmp_path, old, new)
    with pytest.raises(ControlError) as caught:
        run_check(DEFECTIVE, mode=AUDIT, given={"audit": copy})
    problem = caught.value.problem
    assert (problem.file, problem.field) == (str(copy), field)
    assert words in problem.message
    if field != "/team":
        assert problem.line == line
    proc = run_in_process("check", DEFECTIVE, "--audit", copy, "--lang", "en", "-q")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{copy}:{problem.line}" in proc.stderr and field in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_rules_measured_from_after_the_audit_stops_it():
    run_check(DEFECTIVE, mode=AUDIT, given={"audit": STAGE1}, audit_date="2025-03-28")  # the last day: fine
    with pytest.raises(ControlError) as caught:
        run_check(DEFECTIVE, mode=AUDIT, given={"audit": STAGE1}, audit_date="2025-03-29")
    problem = caught.value.problem
    assert (problem.file, problem.field, problem.line) == (str(STAGE1), "/dates/end", 12)
    assert "2025-03-29" in problem.message and "2025-03-28" in problem.message


def test_a_checked_pack_missing_from_the_audit_criteria_stops_it():
    with pytest.raises(ControlError) as caught:
        run_check(DEFECTIVE, [PACK, SCORED], mode=AUDIT, given={"audit": STAGE2})
    assert caught.value.problem.field == "/standards" and SCORED in caught.value.problem.message


def test_no_audit_record_no_audit_information():
    report = run_check(CONFORMING, mode=AUDIT)
    assert report.audit is None and audit_information(Controls(), report) is None
    assert report.conclusion["about"] == "certification"


# -- the date the rules measure from ----------------------------------------------------------------

@pytest.mark.parametrize("bad", ["2025-02-30", "28/03/2025", "2025-3-28", "", "2025-03-28T00:00"])
def test_a_bad_audit_date_stops_the_check(bad):
    with pytest.raises(InputError) as caught:
        parse_audit_date(bad)
    assert caught.value.problem.field == "--audit-date" and repr(bad) in caught.value.problem.message
    proc = run_in_process("check", CONFORMING, "--audit-date", bad, "--lang", "en", "-q")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "YYYY-MM-DD" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def _dated(report):
    return next(r for r in report.results if r.rule == DATED_RULE)


def test_the_audit_date_changes_a_date_dependent_verdict():
    before = tree_digest(DEFECTIVE)
    manifest = example_report(DEFECTIVE)
    moved = run_check(DEFECTIVE, audit_date="2024-11-20")
    assert tree_digest(DEFECTIVE) == before  # replaced in memory, never in the evidence
    own = manifest.bundle["audit_date"]
    assert (own, manifest.bundle["audit_date_source"]) == ("2025-03-28", "manifest")
    assert "audit_date_manifest" not in manifest.bundle
    assert (moved.bundle["audit_date"], moved.bundle["audit_date_source"], moved.bundle["audit_date_manifest"]) == (
        "2024-11-20", "option", own)
    r0, r1 = _dated(manifest), _dated(moved)
    assert (r0.clause, r0.status, r0.grade) == ("10.1.2 a)", Status.NONCONFORMITY, Grade.MAJOR)
    assert "2025-03-28" in r0.message.zh and r0.evidence[1].location() == "compliance_evaluation.yaml:6#/evaluations/0"
    assert (r1.clause, r1.status, r1.grade) == ("10.1.2 a)", Status.CONFORM, None)
    assert "2024-11-20" in r1.message.zh
    assert run_check(DEFECTIVE, audit_date=own).results == manifest.results  # the same date, the same results
    for lang, words in (("zh", "由 --audit-date 指定"), ("en", "given with --audit-date")):
        for fmt in ("md", "html"):
            out = _render(moved, fmt, lang)
            assert words in out and "2024-11-20" in out and own in out
            assert words not in _render(manifest, fmt, lang)
    _valid(moved)


# -- the conclusion ---------------------------------------------------------------------------------

def test_an_open_major_blocks_the_conclusion(stage2):
    majors = [n.id for n in stage2.nonconformities if n.grade is Grade.MAJOR]
    assert majors and stage2.conclusion["blocking"] == majors == open_majors(stage2)
    assert stage2.conclusion["code"] != "recommend"
    assert stage2.conclusion["about"] == "certification"
    reasons = [r["en"] for r in stage2.conclusion["reasons"]]
    assert f"{len(majors)} major nonconformity(ies) open (a waiver does not close one); their closure must be verified" \
        in reasons


def _with_major(report, record=None, waiver=None):
    source = run_check(DEFECTIVE, mode=AUDIT)
    major = next(n for n in source.nonconformities if n.grade is Grade.MAJOR)
    major = dataclasses.replace(major, record=record, waiver=waiver)
    return dataclasses.replace(report, nonconformities=(major,)), major.id


@pytest.fixture(scope="module")
def clean_audit():
    """The conforming park, in an audit: no nonconformity, on-site items only."""
    return run_check(CONFORMING, mode=AUDIT)


def test_a_major_open_waived_or_not_allows_only_a_recommendation_after_closure(clean_audit):
    # no on-site item counts at stage 1: it is what stage 2 verifies
    assert conclude(clean_audit, "stage1")["code"] == "recommend"
    assert conclude(clean_audit, "stage1")["text"]["zh"] == "具备进行第二阶段审核的条件（第一阶段审核不作认证推荐）"
    waiver = {"id": "W-1", "approver": "x", "justification": "y", "start": "2025-01-01", "expiry": "2026-01-01",
              "in_force": True, "file": "waivers.yaml", "line": 3}
    for record, waived in ((None, None), ({"status": "open"}, waiver), ({"status": "completed"}, None),
                           ({"status": "overdue"}, waiver)):
        report, nc_id = _with_major(clean_audit, record, waived)
        c = conclude(report, "stage2")
        onsite = any(v.status is Status.ONSITE and v.normative for v in clean_audit.verdicts)
        assert c["blocking"] == [nc_id]
        assert c["code"] == ("not_recommend" if onsite else "recommend_after_closure")
        s1 = conclude(report, "stage1")
        assert (s1["code"], s1["about"], s1["blocking"]) == ("recommend_after_closure", "stage2_readiness", [nc_id])
        assert s1["text"]["en"].startswith("Ready for the stage 2 audit once the closure of the major")
    closed, nc_id = _with_major(clean_audit, {"status": "closed"}, waiver)
    assert conclude(closed, "stage1")["code"] == "recommend" and conclude(closed, "stage1")["blocking"] == []
    report, nc_id = _with_major(clean_audit)
    resolved = dataclasses.replace(report, nonconformities=tuple(
        dataclasses.replace(n, judgement={"action": "resolve"}) for n in report.nonconformities))
    assert conclude(resolved, "stage1")["blocking"] == [] and conclude(resolved, "stage1")["code"] == "recommend"


def test_bundle_text_in_the_audit_record_is_escaped(tmp_path):
    copy, _ = _broken(tmp_path, "name: 华标低碳认证有限公司", 'name: "<script>x</script> | **A**"')
    report = run_check(DEFECTIVE, mode=AUDIT, given={"audit": copy}, audit_date="2025-05-14")
    html = _render(report, "html", "zh")
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    md = _render(report, "md", "zh")
    assert "| **A**" not in md and "<script>" not in md


def test_on_site_items_hold_a_stage_2_conclusion_back(clean_audit):
    onsite = sum(1 for v in clean_audit.verdicts if v.normative and v.status is Status.ONSITE)
    assert onsite > 0
    c = conclude(clean_audit, "stage2")
    assert (c["code"], c["blocking"]) == ("not_recommend", [])
    assert c["text"] == {"zh": "不推荐认证注册", "en": "Not recommended for certification"}
    assert c["reasons"] == [{"zh": f"{onsite} 个条款需现场核实，尚无现场审核结果",
                             "en": f"{onsite} clause(s) need on-site verification and have no on-site result yet"}]
    surveillance = conclude(clean_audit, "surveillance")
    assert surveillance["about"] == "continuation" and surveillance["text"]["zh"] == "不推荐保持认证注册"
    # with every on-site item resolved the clean park is recommended
    resolved = dataclasses.replace(clean_audit, verdicts=tuple(
        dataclasses.replace(v, status=Status.CONFORM) if v.status is Status.ONSITE else v for v in clean_audit.verdicts))
    assert conclude(resolved, "stage2")["code"] == "recommend"
    assert conclude(resolved, "stage2")["reasons"] == []


def test_the_policy_is_data_naming_known_measures():
    table = policy()
    assert {row["measure"] for row in table["blockers"]} <= set(MEASURES)
    assert {row["gives"] for row in table["blockers"]} <= set(table["order"])
    assert set(table["order"]) == {"recommend", "recommend_after_closure", "not_recommend"}
    for decision in table["decisions"].values():
        assert set(decision["text"]) == set(table["order"])


@pytest.mark.parametrize("record", [STAGE1, STAGE2, SURVEILLANCE])
def test_each_example_record_gives_a_worded_conclusion(record):
    report = run_check(DEFECTIVE, mode=AUDIT, given={"audit": record})
    kind = report.audit["audit_type"]
    about = {"stage1": "stage2_readiness", "stage2": "certification", "surveillance": "continuation"}[kind]
    assert report.conclusion["about"] == about
    assert report.conclusion["text"] == policy()["decisions"][kind if kind in policy()["decisions"] else "default"][
        "text"][report.conclusion["code"]]
    for lang in ("zh", "en"):
        for fmt in ("md", "html"):
            assert report.conclusion["text"][lang] in _render(report, fmt, lang)
    _valid(report)


def test_a_precheck_has_no_conclusion_and_an_audit_no_readiness(precheck, stage2):
    assert precheck.conclusion is None and precheck.readiness is not None
    assert stage2.readiness is None and stage2.conclusion is not None
    for lang in ("zh", "en"):
        fix = {"zh": "整改先后顺序", "en": "What to fix first"}[lang]
        assert fix not in _render(stage2, "md", lang) and fix not in _render(stage2, "html", lang)


# -- the readiness view -----------------------------------------------------------------------------

def test_readiness_counts_clauses_per_declared_pdca_area(precheck):
    view = {v["standard"]: v for v in precheck.readiness["areas"]}
    pack = load_pack(PACK)
    mapping = {c: a for a, cs in pack.meta["pdca"]["areas"].items() for c in cs}
    assert mapping == {"5": "plan", "6": "plan", "7": "plan", "8": "do", "9": "do", "10": "check", "11": "act"}
    areas = {a["area"]: a for a in view[PACK]["areas"]}
    assert list(areas) == ["plan", "do", "check", "act"]
    assert areas["do"]["label"] == {"zh": "实施", "en": "Do"}
    for area, row in areas.items():
        mine = [v for v in precheck.verdicts if v.standard == PACK and v.normative and area_of(v.clause, mapping) == area]
        assert row["total"] == len(mine) > 0
        for status in (Status.CONFORM, Status.NONCONFORMITY, Status.NOT_EVALUATED, Status.ONSITE):
            assert row[status.value] == sum(1 for v in mine if v.status is status)
    assert areas["plan"]["not_evaluated"] == sum(1 for v in precheck.verdicts if v.standard == PACK and v.normative
                                                 and v.status is Status.NOT_EVALUATED) > 0
    assert view[PACK]["unmapped"] == 0
    assert view[SCORED] == {"standard": SCORED, "omitted": load_pack(SCORED).meta["pdca"]["omitted"]}
    _valid(precheck)


def test_fix_first_puts_majors_first_then_what_most_results_wait_on(precheck):
    order = precheck.readiness["fix_first"]
    assert sorted(f["id"] for f in order) == sorted(n.id for n in precheck.nonconformities)
    grades = [f["grade"] for f in order]
    assert grades == sorted(grades, key=lambda g: g != "major")
    waiting = {n.id: sum(1 for r in precheck.results if n.id in r.depends_on) for n in precheck.nonconformities}
    assert [f["waiting"] for f in order] == [waiting[f["id"]] for f in order]
    first = order[0]  # the missing baseline: five clauses wait on it (7.5 major)
    assert first["grade"] == "major" and {"standard": PACK, "clause": "7.5"} in first["clauses"]
    assert first["waiting"] == max(waiting.values()) > 1
    minors = [f for f in order if f["grade"] == "minor"]
    assert [f["waiting"] for f in minors] == sorted((f["waiting"] for f in minors), reverse=True)
    for lang in ("zh", "en"):
        md = _render(precheck, "md", lang)
        assert f"| 1 | {first['id']} |" in md
        assert {"zh": "按 PDCA 环节的准备情况", "en": "Readiness by PDCA area"}[lang] in md


def test_a_pdca_clause_outside_the_catalogue_is_a_pack_problem(rules_copy):
    edit_text(rules_copy / PACK / "pack.yaml", 'act: ["11"]', 'act: ["11", "12"]')
    problems = load_pack(PACK, rules_copy).problems
    assert [(p.field, "'12'" in p.message) for p in problems] == [("/pdca/areas/act/1", True)]
