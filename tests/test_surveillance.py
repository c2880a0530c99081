"""A surveillance audit against the previous one (checker.surveillance, ``parkcheck diff``, ``check
--previous``): closed, still open, recurring and new nonconformities with exact ids, exit codes, an
untrusted previous report, determinism.

The previous audit is the defective example at its follow-up (audit information and the example's
corrective actions: three majors verified closed); the surveillance bundle is a corrected copy made
here: the policy gains its commitment to legal requirements (NC-K7NHFJKA closes) and the
communication document is gone (a new nonconformity at 8.3)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from checker.check import run_check
from checker.controldocs import ControlError
from checker.errors import InputError
from checker.reporters import FORMATS
from checker.schemas import load_schemas
from checker.surveillance import CLOSED_NOTE, compare, read_report

from .conftest import DEFECTIVE, edit_text
from .test_ncr import ACTIONS, FOLLOW_UP, _audit, _bundle_at

CLOSED_BEFORE = ["NC-ET5GWHOY", "NC-HKQWAGDH", "NC-TCLTKHP6"]  # verified closed at the follow-up
FIXED = "NC-K7NHFJKA"  # T/CPQS 6.2 d): corrected in the surveillance bundle
NEW = "NC-IMTS4J7B"  # T/CPQS 8.3: the communication document removed


def _write(report, path: Path) -> Path:
    path.write_bytes(FORMATS["json"][1](report, "zh"))
    return path


@pytest.fixture(scope="module")
def audits(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("surveillance")
    first = run_check(_bundle_at(tmp, FOLLOW_UP), given={"audit": _audit(tmp), "corrective_actions": ACTIONS})
    old = _write(first, tmp / "previous.json")
    corrected = tmp / "corrected"
    shutil.copytree(_bundle_at(tmp / "c", FOLLOW_UP), corrected)
    edit_text(corrected / "policy.yaml", "commitments:\n", "commitments:\n  - {type: legal_compliance, text: 遵守法律法规。}\n")
    (corrected / "communication.yaml").unlink()
    second = run_check(corrected, previous=old)
    new = _write(second, tmp / "report.json")
    return {"first": first, "second": second, "old": old, "new": new, "corrected": corrected, "tmp": tmp}


def _ids(entries) -> list[str]:
    return [e["id"] for e in entries]


def test_each_category_holds_exactly_its_nonconformities(audits):
    first, second = audits["first"], audits["second"]
    sv = second.surveillance
    assert sorted(n.id for n in first.nonconformities if n.record["status"] == "closed") == CLOSED_BEFORE
    assert _ids(sv["closed"]) == [FIXED]
    assert sv["closed"][0]["previous_status"] == "completed" and sv["closed"][0]["clauses"] == [
        {"standard": "t-cpqs-zc001-2025", "clause": "6.2 d)"}]
    assert _ids(sv["recurring"]) == CLOSED_BEFORE  # verified closed, found again
    assert all(e["recurring_of"] == [e["id"]] and e["previous_status"] == "closed" for e in sv["recurring"])
    assert _ids(sv["new"]) == [NEW] and sv["new"][0]["clauses"][0]["clause"] == "8.3"
    still = {n.id for n in first.nonconformities} - {FIXED, *CLOSED_BEFORE}
    assert set(_ids(sv["still_open"])) == still
    assert sv["counts"] == {"closed": 1, "still_open": len(still), "recurring": 3, "new": 1}
    assert sv["open_remaining"] == len(second.nonconformities)
    major = [e["grade"] for e in sv["still_open"]]
    assert major == sorted(major, key=lambda g: g != "major")  # major first
    assert sv["previous"]["file"] == "previous.json" and sv["previous"]["audit_date"] == FOLLOW_UP


def test_the_findings_and_clauses_come_from_the_reports(audits):
    sv = audits["second"].surveillance
    by_id = {n.id: n for n in audits["second"].nonconformities}
    for entry in sv["still_open"] + sv["recurring"] + sv["new"]:
        nc = by_id[entry["id"]]
        assert entry["finding"] == nc.finding.to_json() and entry["grade"] == nc.grade.value
        assert entry["clauses"] == [{"standard": s, "clause": c} for s, c in nc.clauses]


def test_a_corrective_action_on_a_closed_nonconformity_is_said_to_be_about_it(audits):
    with pytest.raises(ControlError) as exc:  # without the previous report the entry is about nothing
        run_check(audits["corrected"], given={"corrective_actions": ACTIONS})
    assert FIXED in str(exc.value)
    report = run_check(audits["corrected"], given={"corrective_actions": ACTIONS}, previous=audits["old"])
    (closed,) = report.surveillance["closed"]
    assert closed["id"] == FIXED and closed["note"] == CLOSED_NOTE
    assert closed["record"]["number"] == FIXED and closed["record"]["verified_by"] == "吴刚"
    assert [p["en"] for p in closed["record"]["problems"]] == [
        "verified by 吴刚, who carried out the action", "declared closed, but no verification stands"]
    assert closed["record"]["status"] == "completed"


def test_the_report_shows_the_comparison_in_every_format(audits):
    data = json.loads(audits["new"].read_bytes())
    schemas = load_schemas()
    assert list(schemas.validator(schemas.schema("report.schema.json")).iter_errors(data)) == []
    assert data["surveillance"] == audits["second"].surveillance
    for fmt in ("md", "html"):
        zh = FORMATS[fmt][1](audits["second"], "zh").decode("utf-8")
        en = FORMATS[fmt][1](audits["second"], "en").decode("utf-8")
        assert "与上次审核的比较" in zh and "再次发生（3）" in zh and "新发现（1）" in zh and NEW in zh
        assert "Comparison with the previous audit" in en and "Recurring (3)" in en


# -- parkcheck diff -----------------------------------------------------------------------------------


def test_diff_gives_the_same_comparison_and_exits_1_while_any_is_open(cli, audits):
    result = cli("diff", audits["old"], audits["new"], "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == audits["second"].surveillance
    again = cli("diff", audits["old"], audits["new"], "--format", "json")
    assert again.stdout == result.stdout
    md = cli("diff", audits["old"], audits["new"])
    assert md.exit_code == 1 and md.stdout.startswith("# 不符合项比较")
    assert f"| {FIXED} | T/CPQS ZC001—2025 6.2 d) | 一般 |" in md.stdout
    assert "Recurring" in cli("diff", audits["old"], audits["new"], "--lang", "en").stdout


def _edited(audits, tmp_path: Path, name: str, change) -> Path:
    data = json.loads(audits["new"].read_bytes())
    change(data)
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def test_diff_exits_0_when_nothing_remains_open(cli, audits, tmp_path):
    def all_closed(data):
        data["nonconformities"] = [n for n in data["nonconformities"] if n["id"] == NEW]
        data["nonconformities"][0]["record"]["status"] = "closed"  # verified in this audit
    result = cli("diff", audits["old"], _edited(audits, tmp_path, "closed.json", all_closed), "--format", "json")
    assert result.exit_code == 0, result.stdout
    out = json.loads(result.stdout)
    assert out["open_remaining"] == 0 and _ids(out["new"]) == [NEW]
    assert out["counts"]["closed"] == len(audits["first"].nonconformities)  # every earlier one


def test_a_new_id_at_the_rule_of_a_closed_nonconformity_is_recurring(audits, tmp_path):
    def renamed(data):
        for n in data["nonconformities"]:
            if n["id"] == "NC-HKQWAGDH":
                n["id"] = "NC-AAAAAAAA"
    result = compare(read_report(audits["old"]), read_report(_edited(audits, tmp_path, "renamed.json", renamed)))
    assert "NC-AAAAAAAA" in _ids(result["recurring"])
    assert next(e for e in result["recurring"] if e["id"] == "NC-AAAAAAAA")["recurring_of"] == ["NC-HKQWAGDH"]
    assert "NC-HKQWAGDH" in _ids(result["closed"])


def test_the_order_of_the_reports_nonconformities_does_not_matter(audits, tmp_path):
    reversed_ = _edited(audits, tmp_path, "reversed.json", lambda d: d["nonconformities"].reverse())
    a = compare(read_report(audits["old"]), read_report(audits["new"]))
    b = compare(read_report(audits["old"]), read_report(reversed_))
    assert {k: v for k, v in a.items() if k != "previous"} == {k: v for k, v in b.items() if k != "previous"}


@pytest.mark.parametrize(("change", "where", "says"), [
    (lambda d: d.update({"$schema": "https://example.invalid/x.json"}), ":2:", "/$schema"),
    (lambda d: d["nonconformities"][0].update({"id": "NC-1"}), "", "/nonconformities/0/id"),
    (lambda d: d["nonconformities"][1].update({"id": d["nonconformities"][0]["id"]}), "", "listed twice"),
    (lambda d: d["nonconformities"][0].update({"grade": "severe"}), "", "/nonconformities/0/grade"),
    (lambda d: d["bundle"].update({"audit_date": "2025-13-01"}), "", "/bundle/audit_date"),
    (lambda d: d["bundle"]["park"].update({"name": "别的园区"}), "", "/bundle/park/name"),
    (lambda d: d["bundle"].update({"audit_date": "2024-01-01"}), "", "after this one"),
])
def test_diff_refuses_an_unusable_report_with_one_line(cli, audits, tmp_path, change, where, says):
    bad = _edited(audits, tmp_path, "bad.json", change)
    result = cli("diff", audits["old"], bad)
    assert result.exit_code == 2, result.stdout
    assert says in result.stderr and where in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize("content", [b"", b"{", b"[1, 2]", b"\xff\xfe", b"{\"report_version\": \"1\"}",
                                     b"report_version: '1'\nnonconformities: []\n"],
                         ids=["empty", "broken", "array", "not-utf8", "no-fields", "yaml-not-json"])
def test_diff_refuses_what_is_not_a_report(cli, audits, tmp_path, content):
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    result = cli("diff", bad, audits["new"])
    assert result.exit_code == 2 and str(bad) in result.stderr and "Traceback" not in result.stderr


def test_diff_refuses_a_missing_file_or_a_folder(cli, audits, tmp_path):
    for path in (tmp_path / "none.json", tmp_path):
        result = cli("diff", path, audits["new"])
        assert result.exit_code == 2 and "Traceback" not in result.stderr


def test_check_refuses_an_unusable_previous_report(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    with pytest.raises(InputError):
        run_check(DEFECTIVE, previous=bad)


def test_a_nonconformity_of_a_standard_not_checked_again_is_not_closed(audits, tmp_path):
    def other_standard(data):
        data["packs"] = [dict(p, id="q-cecc-zcp-cj-01-2025") for p in data["packs"]]
        data["nonconformities"] = []
    result = compare(read_report(audits["old"]), read_report(_edited(audits, tmp_path, "other.json", other_standard)))
    assert _ids(result["closed"]) == CLOSED_BEFORE  # verified closed before: nothing says otherwise
    assert len(result["still_open"]) == len(audits["first"].nonconformities) - 3
    assert {e["note"]["en"] for e in result["still_open"]} == {
        "this check does not cover its standard: it cannot be taken as closed"}
    assert result["open_remaining"] == len(result["still_open"])


def test_a_finding_the_auditor_made_on_site_stays_open_until_its_closure_is_verified(tmp_path):
    """The tool cannot find again what only the auditor found (an added finding): its absence from the
    next check is no evidence of closure (fail closed)."""
    from .conftest import ROOT
    records = ROOT / "evidence" / "audits" / "donghu"
    first = run_check(DEFECTIVE, audit_date="2025-05-14",
                      given={"audit": records / "audit-stage2.yaml", "onsite": records / "onsite.yaml"})
    added = sorted(n.id for n in first.nonconformities if (n.judgement or {}).get("action") == "add")
    assert added  # the example adds findings on site
    old = _write(first, tmp_path / "previous.json")
    second = run_check(DEFECTIVE, audit_date="2025-05-14", previous=old)  # no on-site record this time
    sv = second.surveillance
    assert not set(added) & set(_ids(sv["closed"]))
    still = {e["id"]: e for e in sv["still_open"]}
    assert set(added) <= set(still)
    assert all(still[i]["note"]["en"].startswith("the auditor found it on site") for i in added)
