"""The machine formats (work package "machine"): junit.xml, report.sarif, oscal-assessment-results.json.

Every count is derived from the report the formats render; locations are checked against the
evidence file itself; the OSCAL file is validated against the official OSCAL 1.1.3 schema
(tests/data/oscal, with its SHA-256) and the SARIF file against the OASIS SARIF 2.1.0 schema
(tests/data/sarif); JUnit has no official schema: its structure and counts are checked element by element."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import jsonschema_rs
import pytest

from checker.check import run_check
from checker.model import Grade, Status, Text
from checker.modes import AUDIT, in_mode
from checker.reporters import FORMATS, junit_report, oscal_report, sarif_report

from .conftest import CONFORMING, DEFECTIVE, PACK, example_report

DATA = Path(__file__).parent / "data"
OSCAL_SCHEMA = DATA / "oscal" / "oscal_assessment-results_schema.json"
OSCAL_SHA256 = "d9e34757f0c12aff61f52b821f0b8f83ba0ba75b3a149a202b08ba82f82bc4c3"  # the v1.1.3 release asset
SARIF_SCHEMA = DATA / "sarif" / "sarif-schema-2.1.0.json"
SARIF_SHA256 = "ad389db5a66fad5c131178b0e1f18600ac625616cd5ea20a00ee8ee246dc7069"  # oasis-tcs/sarif-spec 85971b3
KNOWN_RULE = "zc001-5.3-f-outsourced"  # donghu-park: an outsourced process with no control stated
# the line of that process, the first item under outsourced_processes in donghu's scope.yaml
KNOWN_LINE = (DEFECTIVE / "scope.yaml").read_text(encoding="utf-8").splitlines().index("outsourced_processes:") + 2
SKIPPED = (Status.NOT_APPLICABLE, Status.NOT_EVALUATED, Status.ONSITE)
SEESA = "t-seesa-010-2025"


@pytest.fixture(scope="module")
def donghu():
    return example_report(DEFECTIVE)


@pytest.fixture(scope="module")
def lvgu():
    return example_report(CONFORMING)


@pytest.fixture(scope="module")
def reports(donghu, lvgu):
    """Every report the tests render: a pre-check with nonconformities, its audit, a clean audit, and a
    combined audit of two standards (one test suite, one set of rules per standard)."""
    assert donghu.mode == "precheck" and lvgu.mode == "audit"
    combined = run_check(DEFECTIVE, [PACK, SEESA])
    assert [p.id for p in combined.packs] == [PACK, SEESA]
    return {"donghu": donghu, "donghu-audit": in_mode(donghu, AUDIT), "lvgu": lvgu, "combined": combined}


@pytest.fixture(scope="module")
def oscal_validator():
    data = OSCAL_SCHEMA.read_bytes()
    assert hashlib.sha256(data).hexdigest() == OSCAL_SHA256, "the OSCAL schema is not the release asset"
    return jsonschema_rs.Draft7Validator(json.loads(data), validate_formats=True)


@pytest.fixture(scope="module")
def sarif_validator():
    data = SARIF_SCHEMA.read_bytes()
    assert hashlib.sha256(data).hexdigest() == SARIF_SHA256
    schema = json.loads(data)
    region = schema["definitions"]["region"]  # the one defect of the file (tests/data/sarif/README.md)
    region["anyOf"] = region["properties"].pop("anyOf")
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def _known_nc(report):
    [nc] = [n for n in report.nonconformities if KNOWN_RULE in n.rules]
    [result] = [r for r in report.results if r.rule == KNOWN_RULE and r.status is Status.NONCONFORMITY]
    [evidence] = result.evidence
    return nc, result, evidence


def test_the_known_nonconformity_is_where_the_report_says(donghu):
    """The location the machine formats are checked against is the evidence file's own line."""
    _, result, e = _known_nc(donghu)
    assert (result.status, result.grade, result.clause) == (Status.NONCONFORMITY, Grade.MINOR, "5.3 f)")
    assert (e.file, e.line, e.column, e.pointer) == ("scope.yaml", KNOWN_LINE, 5, "/outsourced_processes/0")
    line = (DEFECTIVE / e.file).read_text(encoding="utf-8").splitlines()[e.line - 1]
    assert line[e.column - 1:].startswith("name: ") and line[: e.column - 1] == "  - "


# --- JUnit ---------------------------------------------------------------------------------------


def _junit(report, lang="zh") -> ET.Element:
    return ET.fromstring(junit_report.render(report, lang))


@pytest.mark.parametrize("name", ["donghu", "lvgu", "combined"])
def test_junit_has_one_testcase_per_result_and_counts_that_agree(reports, name):
    report = reports[name]
    root = _junit(report)
    suites = root.findall("testsuite")
    assert [s.get("id") for s in suites] == [p.id for p in report.packs]
    for suite in suites:
        results = [r for r in report.results if r.standard == suite.get("id")]
        cases = suite.findall("testcase")
        expected = {"tests": len(results),
                    "failures": sum(r.status is Status.NONCONFORMITY for r in results),
                    "errors": sum(r.status is Status.ERROR for r in results),
                    "skipped": sum(r.status in SKIPPED for r in results)}
        assert {k: int(suite.get(k)) for k in expected} == expected
        assert len(cases) == expected["tests"]
        assert sum(len(c.findall("failure")) for c in cases) == expected["failures"]
        assert sum(len(c.findall("error")) for c in cases) == expected["errors"]
        assert sum(len(c.findall("skipped")) for c in cases) == expected["skipped"]
        assert all(len(c.findall("system-out")) == 1 for c in cases)
        assert [(c.get("classname"), c.get("name")) for c in cases] == [
            (f"{next(p.code for p in report.packs if p.id == r.standard)} {r.clause}",
             f"{r.rule} [{r.subject}]" if r.subject else r.rule) for r in results]
        grades = Counter(f.get("type") for c in cases for f in c.findall("failure"))
        assert grades == Counter(r.grade.value for r in results if r.status is Status.NONCONFORMITY)
    assert int(root.get("tests")) == len(report.results)
    assert int(root.get("failures")) == sum(r.status is Status.NONCONFORMITY for r in report.results)
    if name != "lvgu":
        assert int(root.get("failures")) > 0 and any(f.get("type") == "major" for f in root.iter("failure"))
    else:
        assert int(root.get("failures")) == 0 and int(suites[0].get("skipped")) > 0


def test_junit_locates_the_known_nonconformity(donghu):
    nc, result, _ = _known_nc(donghu)
    [case] = [c for c in _junit(donghu).iter("testcase") if c.get("name") == f"{KNOWN_RULE} [{result.subject}]"]
    assert case.get("classname") == "T/CPQS ZC001—2025 5.3 f)"
    assert (case.get("file"), case.get("line")) == ("scope.yaml", str(KNOWN_LINE))
    [failure] = case.findall("failure")
    assert failure.get("type") == "minor"
    assert failure.get("message") == f"{nc.id}: {result.message.zh}"
    out = case.find("system-out").text
    assert f"证据位置：scope.yaml:{KNOWN_LINE}#/outsourced_processes/0" in out.splitlines()
    assert f"不符合项编号：{nc.id}" in out.splitlines()
    assert f"整改建议：{result.remediation.zh}" in out.splitlines()  # a pre-check: the remediation is shown
    [en] = [c for c in _junit(donghu, "en").iter("testcase") if c.get("name") == case.get("name")]
    assert en.find("failure").get("message") == f"{nc.id}: {result.message.en}"
    assert en.find("system-out").text.splitlines()[:2] == ["Verdict: Nonconformity (Minor)", f"Nonconformity: {nc.id}"]


def test_junit_skips_with_the_reason(donghu, lvgu):
    na = next(r for r in donghu.results if r.status is Status.NOT_APPLICABLE)
    ne = next(r for r in donghu.results if r.status is Status.NOT_EVALUATED and r.depends_on)
    onsite = next(r for r in lvgu.results if r.status is Status.ONSITE)
    for report, r in ((donghu, na), (donghu, ne), (lvgu, onsite)):
        [case] = [c for c in _junit(report, "en").iter("testcase")
                  if c.get("name") == (f"{r.rule} [{r.subject}]" if r.subject else r.rule)]
        [skipped] = case.findall("skipped")
        assert skipped.get("type") == r.status.value
        assert skipped.get("message").startswith((r.reason or r.message).en)
        assert all(d in skipped.get("message") for d in r.depends_on)


def test_junit_escapes_markup_and_characters_xml_cannot_hold(donghu):
    hostile = "a<b>&\"c'\x01\x1b\ufffe]]>\u202e end"
    results = list(donghu.results)
    i = next(i for i, r in enumerate(results) if r.status is Status.NONCONFORMITY)
    results[i] = dataclasses.replace(results[i], message=dataclasses.replace(results[i].message, zh=hostile),
                                     subject="x<y>&\x02")
    out = junit_report.render(dataclasses.replace(donghu, results=tuple(results)), "zh")
    root = ET.fromstring(out)  # well-formed
    [case] = [c for c in root.iter("testcase") if c.get("name") == f"{results[i].rule} [x<y>&\\x02]"]
    message = case.find("failure").get("message")
    assert message.endswith("a<b>&\"c'\\x01\\x1b\\ufffe]]>\\u202e end")
    assert b"\x01" not in out and b"\x1b" not in out and "\ufffe".encode() not in out


# --- SARIF ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["donghu", "donghu-audit", "lvgu", "combined"])
def test_sarif_run_rules_and_results_agree_with_the_report(reports, name):
    report = reports[name]
    doc = json.loads(sarif_report.render(report, "zh"))
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-schema-2.1.0.json")
    [run] = doc["runs"]
    rules, results = run["tool"]["driver"]["rules"], run["results"]
    assert len({r["id"] for r in rules}) == len(rules) == len({(r.standard, r.rule) for r in report.results})
    assert len(results) == len(report.results)
    for res, r in zip(results, report.results, strict=True):
        rule = rules[res["ruleIndex"]]
        assert rule["id"] == res["ruleId"] == r.rule
        assert rule["properties"] == {"standard": r.standard, "clause": r.clause, "obligation": r.obligation,
                                      "standard_code": next(p.code for p in report.packs if p.id == r.standard)}
        assert rule["shortDescription"]["text"] == r.requirement
        assert res["level"] == "none" or res["kind"] == "fail"  # SARIF: only a failure has a level
        assert len(res["locations"]) == len(r.evidence)
    kinds = Counter(res["kind"] for res in results)
    statuses = Counter(r.status for r in report.results)
    assert kinds == +Counter({"pass": statuses[Status.CONFORM], "notApplicable": statuses[Status.NOT_APPLICABLE],
                              "review": statuses[Status.ONSITE],
                              "open": statuses[Status.NOT_EVALUATED] + statuses[Status.ERROR],
                              "fail": statuses[Status.NONCONFORMITY] + statuses[Status.OBSERVATION]})
    levels = Counter(res["level"] for res in results if res["kind"] == "fail")
    graded = Counter(r.grade for r in report.results if r.status is Status.NONCONFORMITY)
    assert levels == +Counter({"error": graded[Grade.MAJOR], "warning": graded[Grade.MINOR],
                               "note": statuses[Status.OBSERVATION]})
    fingerprints = [res["partialFingerprints"]["nonconformityId/v1"] for res in results
                    if "nonconformityId/v1" in res["partialFingerprints"]]
    assert set(fingerprints) == {n.id for n in report.nonconformities}
    assert len(fingerprints) == statuses[Status.NONCONFORMITY]
    assert run["language"] == "zh-CN" and run["properties"]["mode"] == report.mode
    assert [a["hashes"]["sha-256"] for a in run["artifacts"]] == [f.sha256 for f in report.files]


@pytest.mark.parametrize("name", ["donghu", "donghu-audit", "lvgu", "combined"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sarif_is_valid_against_the_sarif_2_1_0_schema(reports, sarif_validator, name, lang):
    doc = json.loads(sarif_report.render(reports[name], lang))
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message[:200]}" for e in sarif_validator.iter_errors(doc)]
    assert errors == []


def test_the_sarif_validator_is_live(donghu, sarif_validator):
    doc = json.loads(sarif_report.render(donghu, "zh"))
    assert sarif_validator.is_valid(doc)
    for mutate in (
        lambda d: d["runs"][0]["results"][0].update(kind="nonconformity"),
        lambda d: d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"].update(startLine=0),
        lambda d: d["runs"][0]["results"][0]["locations"][0]["physicalLocation"].update(region={"startColumn": 1}),
        lambda d: d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"].update(uri="a b"),
        lambda d: d["runs"][0].update(language="chinese"),
        lambda d: d.update(version="2.0.0"),
    ):
        bad = copy.deepcopy(doc)
        mutate(bad)
        assert not sarif_validator.is_valid(bad)


def test_sarif_locates_the_known_nonconformity(donghu):
    nc, result, _ = _known_nc(donghu)
    [run] = json.loads(sarif_report.render(donghu, "en"))["runs"]
    [res] = [x for x in run["results"] if x["ruleId"] == KNOWN_RULE and x["kind"] == "fail"]
    assert (res["kind"], res["level"]) == ("fail", "warning")
    assert res["partialFingerprints"]["nonconformityId/v1"] == nc.id
    assert res["message"]["text"] == f"{nc.id}: {result.message.en}"
    [loc] = res["locations"]
    assert loc["physicalLocation"] == {"artifactLocation": {"uri": "scope.yaml", "uriBaseId": "BUNDLE"},
                                       "region": {"startLine": KNOWN_LINE, "startColumn": 5}}
    assert loc["logicalLocations"] == [{"fullyQualifiedName": "/outsourced_processes/0", "kind": "element"}]
    assert res["properties"]["remediation"] == result.remediation.en
    assert run["language"] == "en-US"


def test_sarif_uris_are_encoded_relative_references():
    assert sarif_report.uri("证据/范围 文件#1.yaml") == "%E8%AF%81%E6%8D%AE/%E8%8C%83%E5%9B%B4%20%E6%96%87%E4%BB%B6%231.yaml"


# --- OSCAL ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["donghu", "donghu-audit", "lvgu", "combined"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_oscal_is_valid_against_the_official_schema(reports, oscal_validator, name, lang):
    doc = json.loads(oscal_report.render(reports[name], lang))
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message[:200]}" for e in oscal_validator.iter_errors(doc)]
    assert errors == []


def test_the_oscal_validator_is_live(donghu, oscal_validator):
    """The schema's patterns (\\p{L} tokens, UUIDs, date-times) and required members are enforced."""
    doc = json.loads(oscal_report.render(donghu, "zh"))
    assert oscal_validator.is_valid(doc)
    for mutate in (
        lambda d: d["assessment-results"].update(uuid="not-a-uuid"),
        lambda d: d["assessment-results"]["results"][0]["findings"][0]["target"].update({"target-id": "5.1 b)"}),
        lambda d: d["assessment-results"]["metadata"].update({"last-modified": "2025-03-28"}),
        lambda d: d["assessment-results"]["metadata"].pop("oscal-version"),
        lambda d: d["assessment-results"]["results"][0]["findings"][0]["target"]["status"].update(state="partial"),
    ):
        bad = copy.deepcopy(doc)
        mutate(bad)
        assert not oscal_validator.is_valid(bad)


def test_oscal_tokens_name_clauses_one_to_one():
    assert oscal_report.token("t-cpqs-zc001-2025", "5.1 b)") == "t-cpqs-zc001-2025_-5.1_20b_29"
    assert oscal_report.token("a", "20x") != oscal_report.token("a 0x")
    assert oscal_report.token("a_b", "c") != oscal_report.token("a", "b_c")
    assert oscal_report.token("5.1")[0] == "_"


def test_oscal_findings_observations_and_risks_follow_the_report(donghu):
    ar = json.loads(oscal_report.render(donghu, "zh"))["assessment-results"]
    assert ar["metadata"]["oscal-version"] == "1.1.3"
    assert ar["metadata"]["last-modified"] == f"{donghu.bundle['audit_date']}T00:00:00+08:00"
    plan = ar["import-ap"]["href"]
    assert plan.startswith("#") and plan[1:] in {r["uuid"] for r in ar["back-matter"]["resources"]}
    [result] = ar["results"]
    assessed = [v for v in donghu.verdicts if v.rules]
    assert [f["target"]["target-id"] for f in result["findings"]] == [
        oscal_report.token(v.standard, v.clause) for v in assessed]
    undetermined = (Status.NONCONFORMITY, Status.ONSITE, Status.NOT_EVALUATED, Status.ERROR)
    states = Counter(f["target"]["status"]["state"] for f in result["findings"])
    assert states == +Counter({"not-satisfied": sum(v.status in undetermined for v in assessed),
                               "satisfied": sum(v.status not in undetermined for v in assessed)})
    assert len(result["observations"]) == len(donghu.results)
    assert [r["props"][0]["value"] for r in result["risks"]] == [n.id for n in donghu.nonconformities]
    uuids = [x["uuid"] for key in ("observations", "findings", "risks") for x in result[key]]
    assert len(uuids) == len(set(uuids))
    nc, r, _ = _known_nc(donghu)
    [risk] = [x for x in result["risks"] if x["props"][0]["value"] == nc.id]
    assert risk["status"] == "open" and risk["description"] == nc.finding.zh
    assert risk["remediations"][0]["lifecycle"] == "recommendation"
    [ob] = [o for o in result["observations"] if o["uuid"] in {x["observation-uuid"] for x in risk["related-observations"]}]
    [ev] = ob["relevant-evidence"]
    assert ev["href"] == "scope.yaml" and ev["description"] == f"scope.yaml:{KNOWN_LINE}#/outsourced_processes/0"
    assert {p["name"]: p["value"] for p in ev["props"]} == {"line": str(KNOWN_LINE), "column": "5",
                                                            "pointer": "/outsourced_processes/0"}
    [finding] = [f for f in result["findings"] if f["target"]["target-id"] == oscal_report.token(r.standard, "5.3 f)")]
    assert finding["target"]["status"] == {"state": "not-satisfied", "reason": "fail"}
    assert risk["uuid"] in {x["risk-uuid"] for x in finding["related-risks"]}


def test_oscal_uuids_name_one_assessment_and_follow_a_nonconformity_across_audits(donghu):
    later = dataclasses.replace(donghu, bundle=dict(donghu.bundle, audit_date="2026-03-28"))
    first, second = (json.loads(oscal_report.render(r, "zh"))["assessment-results"] for r in (donghu, later))
    assert first["uuid"] != second["uuid"]
    for key in ("observations", "findings"):
        assert not {x["uuid"] for x in first["results"][0][key]} & {x["uuid"] for x in second["results"][0][key]}
    assert [x["uuid"] for x in first["results"][0]["risks"]] == [x["uuid"] for x in second["results"][0]["risks"]]


def test_oscal_of_an_audit_has_no_remediation_and_a_timestamp_when_asked(donghu, oscal_validator):
    audit = in_mode(donghu, AUDIT)
    ar = json.loads(oscal_report.render(audit, "en"))["assessment-results"]
    assert all("remediations" not in r for r in ar["results"][0]["risks"])
    stamped = dataclasses.replace(audit, generated_at="2026-11-30T12:34:56+00:00")
    doc = json.loads(oscal_report.render(stamped, "en"))
    assert doc["assessment-results"]["metadata"]["last-modified"] == "2026-11-30T12:34:56Z"
    assert oscal_validator.is_valid(doc)


# --- all three -----------------------------------------------------------------------------------


def _judged_and_waived(report, in_force: bool):
    """The known nonconformity as the on-site, waiver and NCR helpers hand it over (SESSION5 contracts)."""
    nc, result, _ = _known_nc(report)
    judgement = {"auditor": "王审核", "date": "2025-03-29", "evidence_seen": "外包协议 DH-WB-01", "action": "confirm",
                 "tool_status": "nonconformity", "tool_grade": "minor", "file": "onsite.yaml", "line": 7}
    waiver = {"id": "W-1", "approver": "李主任", "justification": "外包过程年内转为自营", "start": "2025-01-01",
              "expiry": "2025-12-31", "in_force": in_force, "file": "waivers.yaml", "line": 3}
    results = tuple(dataclasses.replace(r, judgement=judgement) if r is result else r for r in report.results)
    ncs = tuple(dataclasses.replace(n, waiver=waiver, record={"status": "planned", "due_date": "2025-05-27"})
                if n.id == nc.id else n for n in report.nonconformities)
    return dataclasses.replace(report, results=results, nonconformities=ncs), nc, result


@pytest.mark.parametrize("in_force", [True, False])
def test_the_auditors_judgement_and_a_waiver_are_carried(donghu, oscal_validator, sarif_validator, in_force):
    report, nc, result = _judged_and_waived(donghu, in_force)
    [case] = [c for c in _junit(report).iter("testcase") if c.get("name") == f"{KNOWN_RULE} [{result.subject}]"]
    assert case.find("failure").get("type") == "minor"  # waived or not, still a nonconformity
    lines = case.find("system-out").text.splitlines()
    assert "审核员现场判定：王审核 2025-03-29 confirm 外包协议 DH-WB-01（工具原结论：不符合（一般））" in lines
    assert f"豁免/接受的风险：W-1 李主任 2025-01-01 – 2025-12-31 {'有效' if in_force else '已失效（不计为豁免）'}" in lines
    sarif = json.loads(sarif_report.render(report, "en"))
    assert sarif_validator.is_valid(sarif)
    [res] = [x for x in sarif["runs"][0]["results"] if x["ruleId"] == KNOWN_RULE and x["kind"] == "fail"]
    assert res["level"] == "warning" and res["properties"]["judgement"].endswith("(tool's verdict: Nonconformity (Minor))")
    if in_force:
        assert res["suppressions"] == [{"kind": "external", "status": "accepted", "justification": "外包过程年内转为自营"}]
    else:
        assert "suppressions" not in res
    oscal = json.loads(oscal_report.render(report, "zh"))
    assert oscal_validator.is_valid(oscal)
    [risk] = [x for x in oscal["assessment-results"]["results"][0]["risks"] if x["props"][0]["value"] == nc.id]
    assert risk["status"] == ("deviation-approved" if in_force else "remediating")
    assert risk["deadline"] == "2025-05-27T23:59:59+08:00"


def test_the_audit_information_is_named_in_each_format(donghu, oscal_validator, sarif_validator):
    audit = {"certification_body": {"name": "某认证机构 <CB>"}, "audit_number": "AUD-2025-017",
             "audit_type": "stage2", "dates": {"start": "2025-03-27", "end": "2025-03-28"}}
    majors = [n.id for n in donghu.nonconformities if n.grade is Grade.MAJOR]
    conclusion = {"code": "not_recommend", "text": {"zh": "不推荐", "en": "not recommended"}, "reasons": [],
                  "blocking": majors}
    report = dataclasses.replace(in_mode(donghu, AUDIT), audit=audit, conclusion=conclusion)
    props = {p.get("name"): p.get("value") for p in _junit(report).iter("property")}
    assert (props["certification_body"], props["audit_number"], props["audit_type"]) == (
        "某认证机构 <CB>", "AUD-2025-017", "stage2")
    assert (props["audit_start"], props["audit_end"], props["mode"]) == ("2025-03-27", "2025-03-28", "audit")
    assert props["conclusion"] == "not_recommend" and props["blocking"] == ", ".join(majors) and majors
    sarif = json.loads(sarif_report.render(report, "zh"))
    assert sarif_validator.is_valid(sarif)
    assert sarif["runs"][0]["properties"]["audit"]["audit_number"] == "AUD-2025-017"
    oscal = json.loads(oscal_report.render(report, "zh"))
    assert oscal_validator.is_valid(oscal)
    meta = {p["name"]: p["value"] for p in oscal["assessment-results"]["metadata"]["props"]}
    assert meta["audit-type"] == "stage2" and meta["certification-body"] == "某认证机构 <CB>"



def _hostile(report):
    """The report with bundle text no format may pass on raw: control, bidirectional and markup
    characters, blank names, a file name with spaces, ``#`` and Chinese, and a duplicated result."""
    results = list(report.results)
    i = next(i for i, r in enumerate(results) if r.status is Status.NONCONFORMITY)
    e = dataclasses.replace(results[i].evidence[0], file="证据 目录/a b#1.yaml", pointer="/x\x01",
                            note=Text(" \u202e ", " \u202e "))
    results[i] = dataclasses.replace(results[i], message=dataclasses.replace(results[i].message, zh=" <a>\x01\x1b ",
                                                                             en="\ufeff"),
                                     subject="  ", evidence=(e,))
    results.append(results[-1])  # the same rule and subject twice: ids must still be unique
    bundle = dict(report.bundle, park={"name": " \t "})
    return dataclasses.replace(report, results=tuple(results), bundle=bundle)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hostile_bundle_text_still_gives_valid_files(donghu, oscal_validator, sarif_validator, lang):
    report = _hostile(donghu)
    oscal = oscal_report.render(report, lang)
    assert [e.message[:200] for e in oscal_validator.iter_errors(json.loads(oscal))] == []
    uuids = [o["uuid"] for o in json.loads(oscal)["assessment-results"]["results"][0]["observations"]]
    assert len(uuids) == len(set(uuids)) == len(report.results)
    sarif = sarif_report.render(report, lang)
    assert [e.message[:200] for e in sarif_validator.iter_errors(json.loads(sarif))] == []
    assert "%E8%AF%81%E6%8D%AE%20%E7%9B%AE%E5%BD%95/a%20b%231.yaml" in sarif.decode("utf-8")
    for out in (oscal, sarif, junit_report.render(report, lang)):
        text = out.decode("utf-8")
        assert "\x01" not in text and "\x1b" not in text and "\u202e" not in text and "\ufeff" not in text
    ET.fromstring(junit_report.render(report, lang))



def test_the_machine_formats_are_byte_identical_for_the_same_input(donghu):
    again = run_check(DEFECTIVE)
    for fmt in ("junit", "sarif", "oscal"):
        render = FORMATS[fmt][1]
        for lang in ("zh", "en"):
            assert render(again, lang) == render(donghu, lang), fmt


def test_the_cli_writes_them_only_when_asked(cli, tmp_path):
    out = tmp_path / "out"
    result = cli("check", DEFECTIVE, "--out", out, "-q", "--format", "junit", "--format", "sarif",
                 "--format", "oscal", "--lang", "en")
    assert result.exit_code == 1, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["junit.xml", "oscal-assessment-results.json", "report.sarif"]
    assert json.loads((out / "report.sarif").read_text(encoding="utf-8"))["runs"][0]["language"] == "en-US"
    default = tmp_path / "default"
    cli("check", CONFORMING, "--out", default, "-q")
    assert sorted(p.name for p in default.iterdir()) == ["nonconformities.csv", "report.html", "report.json",
                                                          "report.md"]
