"""The auditor's on-site results (checker.onsite, onsite.yaml): merged into the results so that verdicts,
nonconformities and counts follow the auditor; every changed or added result marked as judgement with
the tool's own verdict kept; fail closed (exit 2, file:line and field) on anything doubtful.

Expected values come from the example record (evidence/audits/donghu/onsite.yaml), the check without it
and the pack's catalogue, never pinned counts."""

from __future__ import annotations

import json

import pytest

from checker.check import load_and_validate, run_check
from checker.controldocs import ControlError, load_controls
from checker.crosswalk import load_crosswalk
from checker.model import Grade, Status
from checker.modes import AUDIT, PRECHECK
from checker.onsite import ADDED_RULE_PREFIX, apply_onsite
from checker.packs import get_pack
from checker.reporters import FORMATS
from checker.reporters.json_report import to_dict
from checker.schemas import load_schemas
from checker.yamlio import read_yaml_file

from .conftest import DEFECTIVE, EVIDENCE, PACK

EXAMPLE = EVIDENCE / "audits" / "donghu" / "onsite.yaml"
ONSITE_RULE = "zc001-6.2-a"  # an on-site item of the defective example (asserted below)
AUDIT_DATE = "2025-05-14"  # the last day of the example's stage 2 audit (after the bundle's own audit date)


def _entries() -> list[tuple[dict, int]]:
    """The example's entries with the line each starts at."""
    doc = read_yaml_file(EXAMPLE)
    return [(e, doc.position(f"/entries/{i}")[0]) for i, e in enumerate(doc.data["entries"])]


@pytest.fixture(scope="module")
def tool():
    return run_check(DEFECTIVE, mode=AUDIT, audit_date=AUDIT_DATE)


@pytest.fixture(scope="module")
def judged():
    return run_check(DEFECTIVE, mode=AUDIT, given={"onsite": EXAMPLE}, audit_date=AUDIT_DATE)


def _result(report, rule: str, subject: str | None = None):
    (r,) = [r for r in report.results if r.standard == PACK and r.rule == rule
            and (subject is None or r.subject == subject)]
    return r


def _expected_judgement(entry: dict, line: int, action: str, tool_status, tool_grade, item: str) -> dict:
    return {"auditor": entry["auditor"], "date": str(entry["date"]),
            "evidence_seen": [{"type": s["type"], "reference": s.get("reference"), "description": s["description"]}
                              for s in entry["evidence_seen"]],
            "action": action, "tool_status": tool_status, "tool_grade": tool_grade,
            "file": str(EXAMPLE), "line": line, "item": item}


def test_each_onsite_item_takes_the_auditors_verdict_with_the_tools_kept(tool, judged):
    rule_entries = [(e, line) for e, line in _entries() if "rule" in e]
    assert rule_entries
    for entry, line in rule_entries:
        before = _result(tool, entry["rule"])
        assert before.status is Status.ONSITE, entry["rule"]
        after = _result(judged, entry["rule"])
        assert (after.status.value, after.grade.value if after.grade else None) == (entry["verdict"], entry.get("grade"))
        assert after.clause == before.clause and after.requirement == before.requirement
        assert after.judgement == _expected_judgement(entry, line, "resolve", "onsite", None,
                                                      f"{before.rule} · {before.subject}")
        if "finding" in entry:
            assert after.message.zh == entry["finding"]
            assert after.message.en == entry.get("finding_en", entry["finding"])


def test_an_onsite_item_the_auditor_did_not_record_stays_onsite(tool, judged):
    named = {e["rule"] for e, _ in _entries() if "rule" in e}
    left = {r.rule for r in tool.results if r.status is Status.ONSITE} - named
    assert left, "the example leaves some on-site items unrecorded"
    assert {r.rule for r in judged.results if r.status is Status.ONSITE} == left
    assert all(r.judgement is None for r in judged.results if r.rule in left)
    assert judged.summary()["results"]["onsite"] == len(left)


def test_nonconformities_are_confirmed_or_downgraded_on_every_result_they_are_made_of(tool, judged):
    before = {nc.id: nc for nc in tool.nonconformities}
    after = {nc.id: nc for nc in judged.nonconformities}
    nc_entries = [(e, line) for e, line in _entries() if "nonconformity" in e]
    assert {e["verdict"] for e, _ in nc_entries} == {"nonconformity"}
    actions = set()
    for entry, line in nc_entries:
        nc_id = entry["nonconformity"]
        old, new = before[nc_id], after[nc_id]
        action = "confirm" if old.grade.value == entry["grade"] else "downgrade"
        actions.add(action)
        expected = _expected_judgement(entry, line, action, "nonconformity", old.grade.value, nc_id)
        assert new.grade is Grade(entry["grade"]) and new.clauses == old.clauses and new.rules == old.rules
        assert new.judgement == expected
        assert new.finding.zh == entry.get("finding", old.finding.zh)
        members = [r for r in judged.results if (r.standard, r.rule) in old.members and r.judgement
                   and r.judgement["item"] == nc_id]
        assert {(r.standard, r.rule) for r in members} == set(old.members)
        assert all(r.status is Status.NONCONFORMITY and r.grade is Grade(entry["grade"]) and r.judgement == expected
                   for r in members)
    assert actions == {"confirm", "downgrade"}
    downgraded = sum(1 for e, _ in nc_entries if before[e["nonconformity"]].grade.value != e["grade"])
    assert judged.summary()["nonconformities"]["major"] == tool.summary()["nonconformities"]["major"] - downgraded


def test_an_onsite_item_judged_nonconforming_becomes_a_nonconformity(tool, judged):
    (entry, line), = [(e, n) for e, n in _entries() if "rule" in e and e["verdict"] == "nonconformity"]
    (nc,) = [nc for nc in judged.nonconformities if nc.rules == (entry["rule"],)]
    assert nc.id not in {n.id for n in tool.nonconformities}
    assert nc.grade is Grade(entry["grade"]) and nc.finding.zh == entry["finding"]
    assert nc.judgement["action"] == "resolve" and nc.judgement["tool_status"] == "onsite"
    assert nc.judgement["line"] == line


def test_an_added_finding_quotes_the_catalogue_and_gets_a_nonconformity_of_its_own(tool, judged):
    (entry, line), = [(e, n) for e, n in _entries() if "clause" in e]
    catalogue = get_pack(PACK).catalogue[entry["clause"]]
    assert entry["requirement"] in catalogue.text
    rule = ADDED_RULE_PREFIX + entry["id"]
    (nc,) = [nc for nc in judged.nonconformities if nc.rules == (rule,)]
    assert nc.clauses == ((PACK, entry["clause"]),)
    assert nc.grade is Grade(entry["grade"]) and nc.requirement == entry["requirement"]
    assert nc.finding.zh == entry["finding"] and nc.finding.en == entry["finding_en"]
    assert [(e.file, e.pointer, e.line) for e in nc.evidence] == [(str(EXAMPLE), "/entries/8", line)]
    assert nc.judgement == _expected_judgement(entry, line, "add", None, None, entry["id"])
    result = _result(judged, rule)
    assert (result.clause, result.status, result.obligation, result.source) == (
        entry["clause"], Status.NONCONFORMITY, "应", "full text")
    verdict = {(v.standard, v.clause): v for v in judged.verdicts}[(PACK, entry["clause"])]
    assert verdict.status is Status.NONCONFORMITY and rule in verdict.rules
    assert len(judged.nonconformities) == len(tool.nonconformities) + 2  # the added one and the upgraded one


def test_the_judgement_is_in_the_json_report_and_it_validates(judged):
    data = to_dict(judged)
    schemas = load_schemas()
    assert list(schemas.validator(schemas.schema("report.schema.json")).iter_errors(data)) == []
    marked = [r for r in data["results"] if "judgement" in r]
    assert len(marked) == sum(1 for r in judged.results if r.judgement)
    assert {n["id"] for n in data["nonconformities"] if "judgement" in n} == {
        n.id for n in judged.nonconformities if n.judgement}
    assert "judgement" not in json.dumps(to_dict(run_check(DEFECTIVE, mode=AUDIT)))


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_reports_show_a_table_of_the_judgements(judged, fmt):
    render = FORMATS[fmt][1]
    out = render(judged, "zh").decode("utf-8")
    assert "现场审核判定（审核员判断）" in out
    for entry, line in _entries():
        assert entry["auditor"] in out and f"onsite.yaml:{line}" in out
    assert "需现场核实 → " in out and "不符合（严重） → " in out and "（审核员新增） → " in out
    en = render(judged, "en").decode("utf-8")
    assert "On-site judgements" in en and "Needs on-site verification → " in en


def test_bundle_text_in_the_judgements_is_escaped(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8").replace("auditor: 陈立", 'auditor: "<script>x</script>|*陈立*"', 1)
    path = tmp_path / "onsite.yaml"
    path.write_text(text, encoding="utf-8")
    report = run_check(DEFECTIVE, mode=AUDIT, given={"onsite": path}, audit_date=AUDIT_DATE)
    html = FORMATS["html"][1](report, "zh").decode("utf-8")
    md = FORMATS["md"][1](report, "zh").decode("utf-8")
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>x" not in md and "\\|" in md


def test_the_merge_is_deterministic_and_does_not_depend_on_the_order_of_the_entries(tmp_path, judged):
    doc = read_yaml_file(EXAMPLE).data
    reordered = tmp_path / "onsite.yaml"
    reordered.write_text(json.dumps({"kind": "onsite", "entries": list(reversed(doc["entries"]))}, default=str,
                                    ensure_ascii=False), encoding="utf-8")
    again = run_check(DEFECTIVE, mode=AUDIT, given={"onsite": EXAMPLE}, audit_date=AUDIT_DATE)
    assert FORMATS["json"][1](again, "zh") == FORMATS["json"][1](judged, "zh")
    other = run_check(DEFECTIVE, mode=AUDIT, given={"onsite": reordered}, audit_date=AUDIT_DATE)

    def verdicts(report):
        return sorted((r.rule, r.subject or "", r.status.value, r.grade.value if r.grade else "",
                       (r.judgement or {}).get("action", "")) for r in report.results)
    assert verdicts(other) == verdicts(judged)
    assert [(n.id, n.grade) for n in other.nonconformities] == [(n.id, n.grade) for n in judged.nonconformities]


def test_precheck_keeps_the_remediation_of_a_confirmed_nonconformity_and_audit_drops_it():
    pre = run_check(DEFECTIVE, mode=PRECHECK, given={"onsite": EXAMPLE}, audit_date=AUDIT_DATE)
    confirmed = [n for n in pre.nonconformities if n.judgement and n.judgement["action"] == "confirm"]
    assert confirmed and all(n.remediation for n in confirmed)
    audit = run_check(DEFECTIVE, mode=AUDIT, given={"onsite": EXAMPLE}, audit_date=AUDIT_DATE)
    assert all(r.remediation is None for r in audit.results) and all(n.remediation is None
                                                                      for n in audit.nonconformities)


# ---- fail closed ----------------------------------------------------------------------------------------

ENTRY = """kind: onsite
entries:
  - standard: t-cpqs-zc001-2025
    rule: zc001-6.2-a
    verdict: conform
    auditor: 李明
    date: 2025-03-26
    evidence_seen:
      - type: document
        reference: DH-TX-02
        description: 方针与政策一致。
"""
SEEN = """    auditor: 李明
    date: 2025-03-26
    evidence_seen:
      - type: observation
        description: 现场所见。
"""


@pytest.fixture(scope="module")
def base():
    """The defective example checked once (its results are what the on-site record is merged into)."""
    bundle, _ = load_and_validate(DEFECTIVE)
    report = run_check(DEFECTIVE, mode=AUDIT)
    return bundle, report


def _merge(base, tmp_path, text: str, audit_date: str | None = None, audit: str | None = None):
    bundle, report = base
    path = tmp_path / "onsite.yaml"
    path.write_text(text, encoding="utf-8")
    given = {"onsite": path}
    if audit is not None:
        given["audit"] = tmp_path / "audit.yaml"
        given["audit"].write_text(audit, encoding="utf-8")
    controls = load_controls(bundle, load_schemas(), given)
    return apply_onsite(list(report.results), controls, [get_pack(PACK)], bundle.manifest.data, audit_date,
                        load_crosswalk())


def _nc_of(base, rule: str) -> str:
    (nc,) = [n.id for n in base[1].nonconformities if rule in n.rules]
    return nc


def test_the_minimal_entry_is_accepted(base, tmp_path):
    results = _merge(base, tmp_path, ENTRY)
    (r,) = [r for r in results if r.judgement]
    assert (r.rule, r.status, r.judgement["action"]) == (ONSITE_RULE, Status.CONFORM, "resolve")
    assert next(r for r in base[1].results if r.rule == ONSITE_RULE).status is Status.ONSITE


def _case(name: str, text: str, line: int, field: str):
    return pytest.param(text, line, field, id=name)


def _variant(old: str, new: str) -> str:
    assert old in ENTRY
    return ENTRY.replace(old, new)


CASES = [
    _case("unknown-rule", _variant("rule: zc001-6.2-a", "rule: zc001-6.2-z"), 3, "/entries/0/rule"),
    _case("unknown-standard", _variant("standard: t-cpqs-zc001-2025", "standard: t-seesa-010-2025"), 3,
          "/entries/0/standard"),
    _case("unknown-clause", "kind: onsite\nentries:\n  - standard: t-cpqs-zc001-2025\n    clause: '8.9'\n"
          "    id: OS-1\n    verdict: observation\n    finding: 未见记录。\n" + SEEN, 3, "/entries/0/clause"),
    _case("unknown-nonconformity", "kind: onsite\nentries:\n  - nonconformity: NC-AAAAAAAA\n    verdict: conform\n"
          + SEEN, 3, "/entries/0/nonconformity"),
    _case("date-after-audit-date", _variant("date: 2025-03-26", "date: 2025-03-29"), 3, "/entries/0/date"),
    _case("date-before-period", _variant("date: 2025-03-26", "date: 2022-12-31"), 3, "/entries/0/date"),
    _case("no-auditor", _variant("    auditor: 李明\n", ""), 3, "/entries/0/auditor"),
    _case("no-evidence-seen", ENTRY.split("    evidence_seen:")[0], 3, "/entries/0/evidence_seen"),
    _case("empty-evidence-seen", ENTRY.split("    evidence_seen:")[0] + "    evidence_seen: []\n", 8,
          "/entries/0/evidence_seen"),
    _case("document-without-number", _variant("        reference: DH-TX-02\n", ""), 9,
          "/entries/0/evidence_seen/0/reference"),
    _case("two-entries-on-one-item", ENTRY + ENTRY.split("entries:\n")[1], 12, "/entries/1"),
    _case("nonconformity-without-grade", _variant("verdict: conform", "verdict: nonconformity\n    finding: 不一致。"),
          3, "/entries/0/grade"),
    _case("grade-without-nonconformity", _variant("verdict: conform", "verdict: conform\n    grade: minor"), 3,
          "/entries/0/grade"),
    _case("not-applicable-without-reason", _variant("verdict: conform", "verdict: not_applicable"), 3,
          "/entries/0/reason"),
    _case("upgrade-without-finding", _variant("verdict: conform", "verdict: nonconformity\n    grade: minor"), 3,
          "/entries/0/finding"),
    _case("nonconformity-where-the-standard-says-may", _variant("rule: zc001-6.2-a", "rule: zc001-8.2-c").replace(
        "verdict: conform", "verdict: nonconformity\n    grade: minor\n    finding: 未见海报。"), 3, "/entries/0/verdict"),
    _case("two-items-in-one-entry", _variant("rule: zc001-6.2-a", "rule: zc001-6.2-a\n    nonconformity: NC-AAAAAAAA"),
          3, "/entries/0"),
    _case("subject-needed", _variant("rule: zc001-6.2-a", "rule: zc001-7.1-improves"), 3, "/entries/0/subject"),
    _case("added-finding-invents-its-requirement",
          "kind: onsite\nentries:\n  - standard: t-cpqs-zc001-2025\n    clause: '8.3'\n    id: OS-1\n"
          "    requirement: 产业园区应每月召开沟通会。\n    verdict: observation\n    finding: 未见记录。\n" + SEEN,
          3, "/entries/0/requirement"),
    _case("added-finding-quotes-a-fragment",
          "kind: onsite\nentries:\n  - standard: t-cpqs-zc001-2025\n    clause: '8.3'\n    id: OS-1\n"
          "    requirement: 产业园区应保留沟通\n    verdict: observation\n    finding: 未见记录。\n" + SEEN,
          3, "/entries/0/requirement"),
    _case("added-finding-without-id", "kind: onsite\nentries:\n  - standard: t-cpqs-zc001-2025\n    clause: '8.3'\n"
          "    verdict: observation\n    finding: 未见记录。\n" + SEEN, 3, "/entries/0/id"),
    _case("added-finding-is-no-conform", "kind: onsite\nentries:\n  - standard: t-cpqs-zc001-2025\n    clause: '8.3'\n"
          "    id: OS-1\n    verdict: conform\n" + SEEN, 3, "/entries/0/verdict"),
]


@pytest.mark.parametrize(("text", "line", "field"), CASES)
def test_a_doubtful_entry_stops_the_check(base, tmp_path, text, line, field):
    with pytest.raises(ControlError) as err:
        _merge(base, tmp_path, text)
    problem = err.value.problem
    assert (problem.file, problem.line, problem.field) == (str(tmp_path / "onsite.yaml"), line, field)


def test_a_result_inside_a_nonconformity_is_named_by_the_nonconformity(base, tmp_path):
    nc = _nc_of(base, "zc001-6.3-composition")
    text = _variant("rule: zc001-6.2-a", "rule: zc001-6.3-composition")
    with pytest.raises(ControlError) as err:
        _merge(base, tmp_path, text)
    assert (err.value.problem.line, err.value.problem.field) == (3, "/entries/0/rule") and nc in str(err.value)


def test_the_same_nonconformity_twice_stops_the_check(base, tmp_path):
    nc = _nc_of(base, "zc001-6.3-composition")
    one = f"  - nonconformity: {nc}\n    verdict: nonconformity\n    grade: minor\n" + SEEN
    with pytest.raises(ControlError) as err:
        _merge(base, tmp_path, "kind: onsite\nentries:\n" + one + one)
    assert (err.value.problem.line, err.value.problem.field) == (3 + one.count("\n"), "/entries/1")


def test_the_audit_date_given_for_the_check_is_the_limit(base, tmp_path):
    text = _variant("date: 2025-03-26", "date: 2025-04-02")
    with pytest.raises(ControlError):
        _merge(base, tmp_path, text)
    results = _merge(base, tmp_path, text, audit_date="2025-04-03")
    assert [r.rule for r in results if r.judgement] == [ONSITE_RULE]


AUDIT_RECORD = """kind: audit
certification_body: {name: 华标低碳认证有限公司}
audit_type: stage2
dates: {start: 2025-03-25, end: 2025-03-27}
team:
  - {name: 李明, role: lead_auditor}
  - {name: 孙涛, role: technical_expert}
auditee:
  - {name: 吴刚}
scope: 园区碳排放管理体系
standards:
  - {standard: t-cpqs-zc001-2025, edition: "2025"}
"""


def test_with_the_audit_information_the_auditor_is_an_auditor_of_its_team_on_its_dates(base, tmp_path):
    assert [r.rule for r in _merge(base, tmp_path, ENTRY, audit=AUDIT_RECORD) if r.judgement] == [ONSITE_RULE]
    for old, new, field in (("auditor: 李明", "auditor: 孙涛", "/entries/0/auditor"),
                            ("auditor: 李明", "auditor: 王五", "/entries/0/auditor"),
                            ("date: 2025-03-26", "date: 2025-03-24", "/entries/0/date")):
        with pytest.raises(ControlError) as err:
            _merge(base, tmp_path, _variant(old, new), audit=AUDIT_RECORD)
        assert (err.value.problem.line, err.value.problem.field) == (3, field), new


def test_the_cli_exits_2_with_file_line_and_field(cli, tmp_path):
    path = tmp_path / "onsite.yaml"
    path.write_text(_variant("date: 2025-03-26", "date: 2025-03-29"), encoding="utf-8")
    out = cli("check", DEFECTIVE, "--mode", "audit", "--onsite", path)
    assert out.exit_code == 2
    (line,) = out.stderr.strip().splitlines()
    assert f"{path}:3:" in line and "/entries/0/date" in line and "2025-03-29" in line and "Traceback" not in line


def test_an_onsite_record_inside_the_bundle_is_merged_and_checked_the_same(tmp_path):
    import shutil
    bundle = tmp_path / "park"
    shutil.copytree(DEFECTIVE, bundle)
    shutil.copy(EXAMPLE, bundle / "onsite.yaml")
    report = run_check(bundle, mode=AUDIT, audit_date=AUDIT_DATE)
    given = run_check(DEFECTIVE, mode=AUDIT, given={"onsite": EXAMPLE}, audit_date=AUDIT_DATE)
    assert [(n.id, n.grade, (n.judgement or {}).get("action")) for n in report.nonconformities] == [
        (n.id, n.grade, (n.judgement or {}).get("action")) for n in given.nonconformities]
    (bundle / "onsite.yaml").write_text(_variant("date: 2025-03-26", "date: 2025-03-29"), encoding="utf-8")
    with pytest.raises(ControlError) as err:
        run_check(bundle, mode=AUDIT)
    assert (err.value.problem.line, err.value.problem.field) == (3, "/entries/0/date")


def test_in_a_combined_audit_a_nonconformity_across_packs_is_judged_on_all_its_results(tmp_path):
    standards = [PACK, "cecc-org-carbon-neutrality"]
    tool = run_check(DEFECTIVE, standards, mode=AUDIT)
    across = next(n for n in tool.nonconformities if len({s for s, _ in n.clauses}) > 1)
    clause = next(c for c, e in get_pack(standards[1]).catalogue.items() if e.normative and e.text)
    path = tmp_path / "onsite.yaml"
    path.write_text(f"kind: onsite\nentries:\n  - nonconformity: {across.id}\n    verdict: observation\n"
                    f"    finding: 现场所见。\n{SEEN}  - standard: {standards[1]}\n    clause: '{clause}'\n    id: OS-1\n"
                    f"    verdict: observation\n    finding: 未见记录。\n{SEEN}", encoding="utf-8")
    judged = run_check(DEFECTIVE, standards, mode=AUDIT, given={"onsite": path})
    assert across.id not in {n.id for n in judged.nonconformities}
    members = [r for r in judged.results if (r.standard, r.rule) in across.members and r.judgement]
    assert {r.standard for r in members} == set(standards)
    assert {(r.status, r.judgement["action"], r.judgement["tool_grade"]) for r in members} == {
        (Status.OBSERVATION, "downgrade", across.grade.value)}
    added = _result_of(judged, standards[1], ADDED_RULE_PREFIX + "OS-1")
    assert (added.clause, added.status, added.requirement) == (
        clause, Status.OBSERVATION, get_pack(standards[1]).catalogue[clause].text)
    assert len(judged.nonconformities) == len(tool.nonconformities) - 1


def _result_of(report, standard: str, rule: str):
    (r,) = [r for r in report.results if r.standard == standard and r.rule == rule]
    return r


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_nonconformity_list_marks_what_the_auditor_judged(judged, lang):
    """In the list of nonconformities a reader sees which rest on the auditor's judgement, not only in
    the table of judgements."""
    from checker.labels_audit import ONSITE_LABELS
    from checker.labels_out import REPORT, index
    from checker.reporters import md_report
    mark = ONSITE_LABELS["mark"][index(lang)]
    md = md_report.render(judged, lang).decode("utf-8")
    listed = next(sec for sec in md.split("\n## ") if sec.startswith(REPORT["ncs"][index(lang)]))
    headings = {line.split(" · ")[0][4:]: line for line in listed.splitlines() if line.startswith("### NC-")}
    marked = {nc.id for nc in judged.nonconformities if nc.judgement}
    assert marked and all(mark in headings[i] for i in marked)
    assert all(mark not in line for i, line in headings.items() if i not in marked)
