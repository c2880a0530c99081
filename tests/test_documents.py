"""The documents an auditor files: ``ncr/NC-….docx`` (one 不符合项报告 per nonconformity) and
``nonconformities.xlsx`` (the register, the clause table per standard, the audit information).

Expected values come from the report itself (its nonconformities, verdicts and packs) and from the
label table, never pinned.  The DOCX forms are rendered once, as a set, with LibreOffice and poppler
(A4, pages, extractable Chinese text, a PNG of each page); .ci/run installs them."""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import struct
import subprocess
import time
import zipfile
import zlib

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from checker.check import run_check
from checker.cli_support import DEFAULT_FORMATS, FORMAT_CHOICES
from checker.errors import InputError
from checker.labels_docs import AUDIT_TYPE, DOCUMENT, JUDGEMENT_ACTION, NCR_STATUS
from checker.labels_out import grade_label, status_label
from checker.modes import AUDIT, PRECHECK, in_mode
from checker.reporters import FORMATS, docx_annex, docx_report, write_reports, xlsx_report

from .conftest import DEFECTIVE, example_report, run_in_process

ZC001, SEESA = "t-cpqs-zc001-2025", "t-seesa-010-2025"
AUDIT_INFO = {"certification_body": {"name": "华信认证有限公司"}, "audit_number": "HX-2025-0042",
              "audit_type": "stage2", "dates": {"start": "2025-03-26", "end": "2025-03-28"}}
RECORD = {"number": None, "auditor": "李审", "acknowledged_by": "王园", "acknowledged_on": "2025-03-28",
          "correction": "=HYPERLINK(\"http://x\")", "root_cause": "+1 职责未明确\x1b[31m", "corrective_action": "-修订程序\ufffe",
          "due_date": "2025-06-26", "completed_on": None, "verified_by": "@张验", "verified_on": None,
          "status": "planned", "problems": [],
          "documents": [{"file": "context.yaml", "line": 3, "number": "DH-QP-05", "title": "园区环境与相关方管理程序",
                         "version": "B/1"}]}


@pytest.fixture(scope="module")
def precheck():
    report = example_report(DEFECTIVE)  # the example declares a pre-assessment: the same as mode=PRECHECK
    assert report.mode == PRECHECK
    return report


@pytest.fixture(scope="module")
def audit(precheck):
    """An audit report with the audit information and the first nonconformity's record filled in."""
    report = in_mode(precheck, AUDIT)
    first, *rest = report.nonconformities
    return dataclasses.replace(report, audit=AUDIT_INFO,
                               nonconformities=(dataclasses.replace(first, record=RECORD), *rest))


def form_fields(data: bytes) -> dict[str, str]:
    """Label -> value of the two-column tables of a form."""
    doc = Document(io.BytesIO(data))
    return {row.cells[0].text: row.cells[1].text for table in doc.tables[:2] for row in table.rows}


def zh(key: str) -> str:
    return DOCUMENT[key][0]


# --- the formats ---

def test_docx_and_xlsx_are_formats_but_not_written_unless_asked():
    assert set(FORMAT_CHOICES) == set(FORMATS) and {"docx", "xlsx"} <= set(FORMATS)
    assert DEFAULT_FORMATS == ("json", "md", "html", "csv")


def test_the_cli_writes_one_form_per_nonconformity_and_the_register(tmp_path, precheck):
    out = tmp_path / "out"
    proc = run_in_process("check", DEFECTIVE, "--out", out, "-f", "docx", "-f", "xlsx", "-q")
    assert proc.returncode == 1, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["ncr", "nonconformities.xlsx"]
    # the forms, and the annex: donghu claims neutrality (tests/test_report_annexes.py)
    assert sorted(p.name for p in (out / "ncr").iterdir()) == sorted(
        [f"{n.id}.docx" for n in precheck.nonconformities] + [docx_annex.ANNEX])
    # (without --format the CLI writes the four default reports: tests/test_examples.py)


def test_a_report_folder_is_parkcheck_s_only_while_it_holds_only_forms(precheck, tmp_path):
    out = tmp_path / "out"
    two = dataclasses.replace(precheck, nonconformities=precheck.nonconformities[:2])
    write_reports(two, out, ["docx"])
    assert sorted(p.name for p in (out / "ncr").iterdir()) == sorted(
        [f"{n.id}.docx" for n in two.nonconformities] + [docx_annex.ANNEX])
    (out / "ncr" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match=r"holds 'ncr/notes\.txt', which parkcheck did not write"):
        write_reports(precheck, out, ["json"])
    assert (out / "ncr" / "notes.txt").read_text(encoding="utf-8") == "mine"
    shutil.rmtree(out / "ncr")
    (out / "ncr").write_bytes(b"a file where the folder goes")
    with pytest.raises(InputError, match=r"holds 'ncr'"):
        write_reports(precheck, out, ["json"])
    (out / "ncr").unlink()
    (tmp_path / "elsewhere").mkdir()
    (out / "ncr").symlink_to(tmp_path / "elsewhere")  # never followed: refused, not replaced
    with pytest.raises(InputError, match=r"holds 'ncr'"):
        write_reports(precheck, out, ["json"])
    assert (out / "ncr").is_symlink()


def test_no_nonconformity_gives_an_empty_folder_of_forms(precheck, tmp_path):
    clean = dataclasses.replace(precheck, nonconformities=(), neutrality=(), sections=())
    assert docx_report.render(clean) == {} and docx_annex.render(clean) == {}
    write_reports(clean, tmp_path / "out", ["docx", "json"])
    assert list((tmp_path / "out" / "ncr").iterdir()) == []
    # a neutrality claim and no nonconformity: the annex alone
    assert list(docx_annex.render(dataclasses.replace(precheck, nonconformities=()))) == [docx_annex.ANNEX]


# --- the NCR forms (docx) ---

def _cited(doc: dict) -> str:
    """How a form cites a controlled document: number, title (version), then where it is."""
    head = " ".join(doc[k] for k in ("number", "title") if doc[k])
    head += f"（版本 {doc['version']}）" if doc["version"] else ""
    where = f"{doc['file']}:{doc['line']}" if doc["line"] else doc["file"]
    return f"{head} — {where}" if head else where


def test_each_form_holds_its_nonconformity(precheck):
    forms = docx_report.render(precheck, "zh")
    code = {p.id: p.code for p in precheck.packs}
    for nc in precheck.nonconformities:
        fields = form_fields(forms[f"{nc.id}.docx"])
        assert fields[zh("number")] == nc.id
        assert fields[zh("clause")] == "; ".join(c for _, c in nc.clauses)
        assert fields[zh("standard")].startswith(code[nc.clauses[0][0]])
        assert fields[zh("requirement")] == nc.requirement and fields[zh("finding")] == nc.finding.zh
        assert fields[zh("grade")] == grade_label(nc.grade, "zh")
        # the park's documents where the record names them (number, title, version, file:line), else locations
        documents = nc.record["documents"] if nc.record else []
        assert fields[zh("evidence")].splitlines() == (
            [_cited(d) for d in documents]
            if documents else [e.location() for e in nc.evidence])
        assert fields[zh("remediation")] == nc.remediation.zh  # a pre-check says what would close it
        for key in ("auditor", "acknowledged", "correction", "root_cause", "corrective_action",
                    "verified_by", "verified_on"):
            assert fields[zh(key)] == "", key  # no audit record, no corrective actions: blank to fill in
        assert fields[zh("due_date")] == nc.record["due_date"]  # the allowed days from the audit date
        assert fields[zh("status")] == NCR_STATUS["open"][0]


def test_an_audit_form_shows_the_audit_the_record_and_no_advice(audit):
    nc = audit.nonconformities[0]
    fields = form_fields(docx_report.render_one(audit, nc, "zh"))
    assert fields[zh("body")] == "华信认证有限公司" and fields[zh("audit_number")] == "HX-2025-0042"
    assert fields[zh("audit_type")] == AUDIT_TYPE["stage2"][0]
    assert fields[zh("audit_dates")] == "2025-03-26 — 2025-03-28"
    assert zh("remediation") not in fields
    assert fields[zh("evidence")] == "DH-QP-05 园区环境与相关方管理程序（版本 B/1） — context.yaml:3"
    assert fields[zh("auditor")] == "李审" and fields[zh("acknowledged")] == "王园 2025-03-28"
    assert fields[zh("correction")] == "=HYPERLINK(\"http://x\")"
    assert fields[zh("root_cause")] == "+1 职责未明确\\x1b[31m"  # a control character shown, never passed on
    assert fields[zh("corrective_action")] == "-修订程序\\ufffe"  # a character XML cannot hold, shown
    assert fields[zh("status")] == NCR_STATUS["planned"][0] and fields[zh("verified_on")] == ""
    doc = Document(io.BytesIO(docx_report.render_one(audit, nc, "zh")))
    signatures = [row.cells[0].text for row in doc.tables[2].rows]
    assert signatures == [zh("sign_auditor"), zh("sign_auditee"), zh("sign_verifier")]
    assert all(row.cells[2].text == zh("date") for row in doc.tables[2].rows)


JUDGEMENT = {"auditor": "李审", "date": "2025-03-27", "evidence_seen": "现场查看监测台账", "action": "downgrade",
             "tool_status": "nonconformity", "tool_grade": "major", "file": "onsite.yaml", "line": 4}
WAIVER = {"id": "W-01", "approver": "赵总", "justification": "设备更换中", "start": "2025-01-01",
          "expiry": "2025-02-01", "in_force": False, "file": "waivers.yaml", "line": 2}


def test_the_judgement_the_waiver_and_the_record_s_problems_are_on_the_form(audit):
    nc = dataclasses.replace(audit.nonconformities[1], judgement=JUDGEMENT, waiver=WAIVER,
                             record=dict(RECORD, problems=[{"zh": "原因分析未说明根本原因", "en": "no root cause"}]))
    fields = form_fields(docx_report.render_one(audit, nc, "zh"))
    judgement = fields[zh("judgement")]
    assert judgement.startswith("李审 2025-03-27；" + JUDGEMENT_ACTION["downgrade"][0])
    assert status_label("nonconformity", "major", "zh") in judgement and "现场查看监测台账" in judgement
    assert fields[zh("waiver")] == "W-01；批准人 赵总；2025-01-01 — 2025-02-01；" + zh("expired") + "；设备更换中"
    assert fields[zh("record_problems")] == "原因分析未说明根本原因"
    plain = form_fields(docx_report.render_one(audit, audit.nonconformities[1], "zh"))
    assert not {zh("judgement"), zh("waiver"), zh("record_problems")} & set(plain)
    report = dataclasses.replace(audit, nonconformities=(nc,))
    ws = load_workbook(io.BytesIO(xlsx_report.render(report, "en")))[DOCUMENT["register_sheet"][1]]
    row = dict(zip([c.value for c in ws[1]], [c.value for c in ws[2]], strict=True))
    assert row[DOCUMENT["waiver"][1]].endswith(DOCUMENT["expired"][1] + "; 设备更换中")
    assert row[DOCUMENT["record_problems"][1]] == "no root cause"


def test_english_labels_on_request(audit):
    nc = audit.nonconformities[1]
    fields = form_fields(docx_report.render_one(audit, nc, "en"))
    assert fields[DOCUMENT["number"][1]] == nc.id and fields[DOCUMENT["finding"][1]] == nc.finding.en
    assert fields[DOCUMENT["audit_type"][1]] == AUDIT_TYPE["stage2"][1]
    assert not any("\u4e00" <= ch <= "\u9fff" for label in fields for ch in label)


def test_a_form_is_a4_with_a_chinese_east_asian_font(audit):
    doc = Document(io.BytesIO(docx_report.render_one(audit, audit.nonconformities[0], "zh")))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == docx_report.EAST_ASIAN_FONT
    props = doc.core_properties
    assert props.created == props.modified and props.created.date().isoformat() == audit.bundle["audit_date"]


def _later(monkeypatch):
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 86_400 * 400)  # a year later: other zip and core times


def test_the_same_report_gives_the_same_bytes(audit, monkeypatch):
    nc = audit.nonconformities[0]
    docx, xlsx = docx_report.render_one(audit, nc, "zh"), xlsx_report.render(audit, "zh")
    day = tuple(int(x) for x in audit.bundle["audit_date"].split("-"))
    for data in (docx, xlsx):  # every time in the file is the audit date's, none the clock's
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            assert {i.date_time for i in z.infolist()} == {(*day, 0, 0, 0)}
            core = z.read("docProps/core.xml").decode("utf-8")
        stamps = re.findall(r"<dcterms:(created|modified)[^>]*>([^<]*)<", core)
        assert sorted(stamps) == [("created", f"{audit.bundle['audit_date']}T00:00:00Z"),
                                  ("modified", f"{audit.bundle['audit_date']}T00:00:00Z")]
    _later(monkeypatch)
    assert docx_report.render_one(audit, nc, "zh") == docx and xlsx_report.render(audit, "zh") == xlsx


# --- the register (xlsx) ---

@pytest.fixture(scope="module")
def combined():
    return run_check(DEFECTIVE, [ZC001, SEESA], mode=PRECHECK)


def test_the_register_lists_every_nonconformity_as_text(audit):
    wb = load_workbook(io.BytesIO(xlsx_report.render(audit, "zh")))
    ws = wb[zh("register_sheet")]
    header = [c.value for c in ws[1]]
    assert header[:4] == [zh("number"), zh("standard_code"), zh("standard_name"), zh("clause")]
    assert zh("remediation") not in header  # an audit: no advice
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}{ws.max_row}"
    assert ws.max_row == len(audit.nonconformities) + 1
    rows = {r[0].value: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2)}
    pack = {p.id: p for p in audit.packs}
    for nc in audit.nonconformities:
        row = rows[nc.id]
        assert row[zh("clause")].value == "; ".join(c for _, c in nc.clauses)
        assert row[zh("standard_code")].value == pack[nc.clauses[0][0]].code
        assert row[zh("standard_name")].value == pack[nc.clauses[0][0]].title
        assert row[zh("grade")].value == grade_label(nc.grade, "zh")
        assert all(c.data_type == "s" and c.alignment.wrap_text for c in row.values() if c.value)
    for col, width in enumerate(w for key, _, w in xlsx_report.REGISTER if key != "remediation"):
        assert ws.column_dimensions[ws.cell(1, col + 1).column_letter].width == width


def test_register_cells_never_become_formulas(audit):
    ws = load_workbook(io.BytesIO(xlsx_report.render(audit, "zh")))[zh("register_sheet")]
    header = [c.value for c in ws[1]]
    row = dict(zip(header, ws[2], strict=True))
    for key in ("correction", "root_cause", "corrective_action", "verified_by"):
        cell = row[zh(key)]
        assert cell.data_type == "s" and cell.quotePrefix, key
    assert row[zh("correction")].value == RECORD["correction"]
    assert row[zh("root_cause")].value == "+1 职责未明确\\x1b[31m"
    assert not row[zh("auditor")].quotePrefix


def test_the_clause_table_has_every_verdict_with_its_standard(precheck):
    wb = load_workbook(io.BytesIO(xlsx_report.render(precheck, "zh")))
    ws = wb[zh("clauses_sheet")]
    [pack] = precheck.packs
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[5]) for r in rows] == [(v.clause, status_label(v.status, v.grade, "zh")) for v in precheck.verdicts]
    assert {(r[0], r[1]) for r in rows} == {(pack.code, pack.title)}
    assert "5.1" in [r[2] for r in rows] and all(isinstance(r[2], str) for r in rows)  # '5.1' stays text
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:H{len(rows) + 1}"


def test_a_combined_audit_has_a_clause_sheet_per_standard(combined):
    wb = load_workbook(io.BytesIO(xlsx_report.render(combined, "en")))
    assert len(combined.packs) == 2
    for pack in combined.packs:
        ws = wb[pack.code.replace("/", "-")]
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        verdicts = [v for v in combined.verdicts if v.standard == pack.id]
        assert [r[2] for r in rows] == [v.clause for v in verdicts] and len(rows) > 0
        assert all((r[0], r[1]) == (pack.code, pack.title) for r in rows)  # never a pack id alone
        assert all(pack.id not in (r[0], r[1]) for r in rows)
    assert wb.sheetnames[0] == DOCUMENT["register_sheet"][1] and wb.sheetnames[-1] == DOCUMENT["audit_info"][1]


# --- rendered: LibreOffice -> PDF -> PNG ---

TOOLS = ("soffice", "pdfinfo", "pdftotext", "pdftoppm")


def _png_pixels(path) -> tuple[int, int, bytes]:
    """Width, height and the unfiltered samples of an 8-bit PNG (what pdftoppm writes)."""
    data = path.read_bytes()
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert depth == 8 and colour in (0, 2), (depth, colour)
    bpp = 3 if colour == 2 else 1
    chunks, pos = [], 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            chunks.append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    raw, stride = zlib.decompress(b"".join(chunks)), width * bpp
    out, prev = bytearray(), bytearray(stride)
    for row in range(height):
        kind, line = raw[row * (stride + 1)], bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
        for i in range(stride):
            a, b = (line[i - bpp] if i >= bpp else 0), prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out += line
        prev = line
    return width, height, bytes(out)


@pytest.fixture(scope="module")
def rendered(audit, tmp_path_factory):
    """Three forms converted in one LibreOffice run: an audit form with its record (zh), a plain one
    (zh) and one in English."""
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        if os.environ.get("PARKCHECK_RENDER_TESTS") == "required":
            pytest.fail(f"missing {', '.join(missing)} (install them as .ci/run does)")
        pytest.skip(f"missing {', '.join(missing)}")
    work = tmp_path_factory.mktemp("render")
    ncs = audit.nonconformities
    forms = {"first-zh": (ncs[0], "zh"), "second-zh": (ncs[1], "zh"), "first-en": (ncs[0], "en")}
    for name, (nc, lang) in forms.items():
        (work / f"{name}.docx").write_bytes(docx_report.render_one(audit, nc, lang))
    profile = (work / "profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(work), *(str(work / f"{n}.docx") for n in forms)],
                   check=True, capture_output=True, timeout=300)
    return work, forms


def _pdf(work, name: str, tool: str, *args: str) -> str:
    return subprocess.run([tool, *args, str(work / f"{name}.pdf")] + (["-"] if tool == "pdftotext" else []),
                          check=True, capture_output=True, text=True, timeout=60).stdout


def test_the_forms_render_on_a4_with_extractable_chinese(rendered):
    work, forms = rendered
    for name, (nc, lang) in forms.items():
        info = dict(line.split(":", 1) for line in _pdf(work, name, "pdfinfo").splitlines() if ":" in line)
        assert "(A4)" in info["Page size"], info["Page size"]
        pages = int(info["Pages"])
        assert 1 <= pages <= 2, f"{name}: {pages} pages"
        text = _pdf(work, name, "pdftotext", "-layout")
        assert nc.id in text and nc.finding.get(lang)[:12] in text.replace("\n", "")
        last = " ".join(_pdf(work, name, "pdftotext", "-f", str(pages), "-l", str(pages)).split())
        foot = rf"第\s*{pages}\s*页\s*共\s*{pages}\s*页" if lang == "zh" else rf"Page {pages} of {pages}"
        assert re.search(foot, last) and nc.id in last, last[-200:]  # the foot of each page: number, page x of y
        for key in ("sign_auditor", "sign_auditee", "sign_verifier"):  # the signature block, whole, at the end
            assert DOCUMENT[key][0 if lang == "zh" else 1] in last
    text = _pdf(work, "first-zh", "pdftotext")
    assert zh("ncr_title") in text and "华信认证有限公司" in text and "DH-QP-05" in text


def test_the_forms_render_to_png_pages(rendered):
    work, forms = rendered
    for name in forms:
        subprocess.run(["pdftoppm", "-png", "-r", "50", str(work / f"{name}.pdf"), str(work / name)],
                       check=True, capture_output=True, timeout=120)
        pngs = sorted(work.glob(f"{name}-*.png"))
        assert pngs, name
        for png in pngs:
            width, height, pixels = _png_pixels(png)
            assert abs(width - 413) <= 1 and abs(height - 585) <= 1, png.name  # A4 (210 x 297 mm) at 50 dpi
            dark = sum(1 for v in pixels[::3] if v < 96)
            assert 2_000 < dark < width * height // 4, (png.name, dark)  # text and rules drawn, not a black page
