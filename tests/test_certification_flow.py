"""The certification workflow end to end, as a certification body runs it on the example park
(issue 14): a stage-1 audit, a stage-2 audit with the auditor's on-site results and a waiver, the
follow-up of the park's corrective actions, and a surveillance audit compared with `parkcheck diff`.

Every step is the command line a user types, with the example records in evidence/audits/donghu.  Each
produces the documents a certification body files — report.json, the A4 report.pdf, one 不符合项报告
per nonconformity (ncr/NC-….docx) and the register (nonconformities.xlsx) — and the tests look at
them as files: the PDF and a DOCX form are rendered to PNG; the OSCAL output is validated against the
official schema."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from .conftest import DEFECTIVE, ROOT, edit_text, example_report, run_in_process
from .office_text import office_text
from .test_machine_formats import oscal_validator  # noqa: F401 - a fixture

RECORDS = ROOT / "evidence" / "audits" / "donghu"
TOOLS = ("soffice", "pdfinfo", "pdftotext", "pdftoppm")
pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in TOOLS)
                                and os.environ.get("PARKCHECK_RENDER_TESTS") != "required",
                                reason="LibreOffice and poppler-utils are needed to look at the documents")


def _check(out: Path, *args) -> dict:
    # the command line a user types, run through click in this process (tests/conftest.py): each step
    # neither starts an interpreter nor compiles the packs again; the entry point's own process is
    # tested in test_cli.py and test_atomic_reports.py
    proc = run_in_process("check", *args, "--out", out, "--quiet")
    assert proc.returncode == 1, proc.stderr  # nonconformities found
    assert proc.stderr == ""
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("flow")
    files = ["-f", "json", "-f", "pdf", "-f", "docx", "-f", "xlsx"]
    # stage 1 files the same A4 report (one template, seconds to lay out): its PDF is looked at in stage 2
    # and the surveillance audit; tests/test_modes.py checks an audit PDF for advice
    stage1 = _check(tmp / "stage1", DEFECTIVE, "--mode", "audit", "--audit", RECORDS / "audit-stage1.yaml",
                    "-f", "json", "-f", "docx", "-f", "xlsx", "-f", "oscal")
    stage2 = _check(tmp / "stage2", DEFECTIVE, "--mode", "audit", "--audit", RECORDS / "audit-stage2.yaml",
                    "--audit-date", "2025-05-14", "--onsite", RECORDS / "onsite.yaml",
                    "--waivers", RECORDS / "waivers.yaml", *files)
    follow_up = _check(tmp / "follow-up", DEFECTIVE, "--mode", "audit", "--audit", RECORDS / "audit-stage2.yaml",
                       "--audit-date", "2025-07-01", "--onsite", RECORDS / "onsite.yaml",
                       "--corrective-actions", RECORDS / "corrective_actions.yaml", "-f", "json")
    corrected = tmp / "corrected"  # the park corrected its policy before the surveillance audit
    shutil.copytree(DEFECTIVE, corrected)
    edit_text(corrected / "policy.yaml", "commitments:\n",
              "commitments:\n  - {type: legal_compliance, text: 遵守法律法规。}\n", count=1)
    surveillance = _check(tmp / "surveillance", corrected, "--mode", "audit",
                          "--audit", RECORDS / "audit-surveillance.yaml", "--audit-date", "2026-04-21",
                          "--previous", tmp / "follow-up" / "report.json", *files)
    return {"tmp": tmp, "stage1": stage1, "stage2": stage2, "follow_up": follow_up, "surveillance": surveillance}


def _pdf(path: Path) -> tuple[int, set, str]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", path], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])
    sizes = {(round(float(w)), round(float(h))) for w, h in re.findall(r"size:\s+([\d.]+) x ([\d.]+) pts", info)}
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", path, "-"], capture_output=True, text=True,
                          check=True).stdout
    return pages, sizes, text


def _png_pages(pdf: Path, folder: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-png", "-r", "40", pdf, folder / "page"], check=True, timeout=300)
    pages = sorted(folder.glob("page-*.png"))
    for png in pages:
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert abs(height / width - 297 / 210) < 0.01, (png, width, height)  # A4 portrait
    return pages


@pytest.mark.parametrize("step", ["stage1", "stage2", "surveillance"])
def test_each_audit_files_its_documents(flow, step):
    report, out = flow[step], flow["tmp"] / step.replace("_", "-")
    ids = [nc["id"] for nc in report["nonconformities"]]
    assert ids and report["mode"] == "audit"
    assert report["audit"]["audit_type"] == {"stage1": "stage1", "stage2": "stage2",
                                             "surveillance": "surveillance"}[step]
    # one 不符合项报告 per nonconformity, each carrying its number and the park's fields to fill
    forms = sorted(p.stem for p in (out / "ncr").glob("NC-*.docx"))
    assert forms == sorted(ids)
    assert (out / "ncr" / "annex.docx").is_file()  # the neutrality verdict and rejected offsets (donghu claims it)
    first = office_text((out / "ncr" / f"{ids[0]}.docx").read_bytes())
    assert ids[0] in first and "原因分析" in first and "纠正措施" in first
    # the register: one row per nonconformity, clause numbers as text
    book = openpyxl.load_workbook(out / "nonconformities.xlsx")
    register = book.worksheets[0]
    numbers = [row[0].value for row in register.iter_rows(min_row=2) if row[0].value]
    assert sorted(numbers) == sorted(ids)
    assert all(cell.data_type == "s" for row in register.iter_rows(min_row=2) for cell in row if cell.value)
    if step == "stage1":
        assert not (out / "report.pdf").exists()  # not asked for (see the fixture)
        return
    # the A4 report with page numbers and a signature block
    pages, sizes, text = _pdf(out / "report.pdf")
    assert sizes == {(595, 842)} and pages > 1
    assert f"第 1 页 共 {pages} 页" in text and f"第 {pages} 页 共 {pages} 页" in text
    assert report["audit"]["certification_body"]["name"] in text
    lead = next(m["name"] for m in report["audit"]["team"] if m["role"] == "lead_auditor")
    assert re.search(rf"审核组长\s+{lead}", text.split("\f")[pages - 1])  # the signature block, last page


def test_the_pdf_renders_to_a4_pages(flow, tmp_path):
    pages, _, _ = _pdf(flow["tmp"] / "stage2" / "report.pdf")
    assert len(_png_pages(flow["tmp"] / "stage2" / "report.pdf", tmp_path)) == pages


def test_a_docx_form_renders_to_an_a4_page_with_its_chinese_text(flow, tmp_path):
    """The NCR form of a nonconformity the auditor judged on site, opened by LibreOffice as a park would."""
    stage2 = flow["stage2"]
    judged = next(nc for nc in stage2["nonconformities"] if nc.get("judgement"))
    form = flow["tmp"] / "stage2" / "ncr" / f"{judged['id']}.docx"
    profile = tmp_path / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", tmp_path, form], check=True, capture_output=True, timeout=300)
    pdf = tmp_path / f"{judged['id']}.pdf"
    pages, sizes, text = _pdf(pdf)
    assert sizes == {(595, 842)} and 1 <= pages <= 2
    assert judged["id"] in text and "不符合项报告" in text and judged["judgement"]["auditor"] in text
    assert len(_png_pages(pdf, tmp_path)) == pages


def test_stage1_concludes_on_readiness_and_open_majors_block_the_recommendation(flow):
    stage1 = flow["stage1"]
    majors = sorted(nc["id"] for nc in stage1["nonconformities"] if nc["grade"] == "major")
    assert majors and stage1["conclusion"]["code"] != "recommend"
    assert sorted(stage1["conclusion"]["blocking"]) == majors
    assert stage1["conclusion"]["about"] == "stage2_readiness" or "第一阶段" in stage1["conclusion"]["text"]["zh"]


def test_the_oscal_output_validates_against_the_official_schema(flow, oscal_validator):  # noqa: F811
    data = json.loads((flow["tmp"] / "stage1" / "oscal-assessment-results.json").read_text(encoding="utf-8"))
    errors = [e.message for e in oscal_validator.iter_errors(data)]
    assert errors == []


def test_stage2_merges_the_on_site_results_and_counts_the_waiver_both_ways(flow):
    stage2 = flow["stage2"]
    judged = [r for r in stage2["results"] if r.get("judgement")]
    assert judged and all(r["judgement"]["auditor"] and r["judgement"]["evidence_seen"] for r in judged)
    assert any(r["judgement"]["tool_status"] != r["status"] for r in judged)  # both verdicts kept
    waived = [nc for nc in stage2["nonconformities"] if (nc.get("waiver") or {}).get("in_force")]
    summary = stage2["summary"]
    assert waived and summary["nonconformities"]["total"] == len(stage2["nonconformities"])
    assert summary["not_waived"]["total"] == summary["nonconformities"]["total"] - len(waived)
    # a waived nonconformity is still a nonconformity, and a waived major never allows "recommend"
    assert all(nc["grade"] in ("major", "minor") for nc in waived)
    assert stage2["conclusion"]["code"] != "recommend"


def test_no_advice_in_any_document_of_an_audit(flow):
    """ISO/IEC 17021-1: the auditor gives no advice; the pre-check's remediation texts appear nowhere."""
    precheck = example_report(DEFECTIVE)  # the example declares a pre-assessment: a pre-check, with its advice
    assert precheck.mode == "precheck"
    advice = {nc.remediation.zh for nc in precheck.nonconformities if nc.remediation}
    assert advice
    out = flow["tmp"] / "stage1"
    shown = [(out / "report.json").read_text(encoding="utf-8"),
             _pdf(flow["tmp"] / "stage2" / "report.pdf")[2].replace(" ", "").replace("\n", ""),
             *(office_text(p.read_bytes()) for p in sorted((out / "ncr").glob("*.docx"))),
             office_text((out / "nonconformities.xlsx").read_bytes())]
    assert [t for t in advice for text in shown if t.replace(" ", "") in text.replace(" ", "").replace("\n", "")] == []


def test_follow_up_and_surveillance_follow_each_nonconformity_to_its_closure(flow):
    follow_up, surveillance = flow["follow_up"], flow["surveillance"]
    closed_before = sorted(nc["id"] for nc in follow_up["nonconformities"] if nc["record"]["status"] == "closed")
    assert closed_before  # verified closed at the follow-up
    sv = surveillance["surveillance"]
    assert sv["previous"]["audit_date"] == "2025-07-01"
    assert {e["id"] for e in sv["recurring"]} == set(closed_before)  # closed, and found again
    closed = {e["id"] for e in sv["closed"]}
    assert "NC-K7NHFJKA" in closed  # the policy corrected
    onsite_added = {nc["id"] for nc in follow_up["nonconformities"] if (nc.get("judgement") or {}).get("action") == "add"}
    assert onsite_added and not onsite_added & closed  # what only the auditor found is not closed by absence
    # `parkcheck diff` says the same as the report's own section
    proc = run_in_process("diff", flow["tmp"] / "follow-up" / "report.json",
                         flow["tmp"] / "surveillance" / "report.json", "--format", "json")
    assert proc.returncode == 1  # nonconformities remain open
    diff = json.loads(proc.stdout)
    for category in ("closed", "still_open", "recurring", "new"):
        assert [e["id"] for e in diff[category]] == [e["id"] for e in sv[category]], category
