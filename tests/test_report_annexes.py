"""The neutrality verdict, the rejected offsets, the pack-declared report sections (the NDRC "1+5"
indicators) and the mark 「来源：二手资料，非官方原文」 in the documents to file: report.pdf,
ncr/annex.docx (with the NCR forms) and nonconformities.xlsx.

One report holds everything: the defective example's claim and rejected offsets (T/CPQS), the
conforming example checked against the national pack (its section, every verdict resting on
secondary sources), one nonconformity moved onto a clause of the national pack, and a hostile
rejected offset (a formula, control characters, markup) beside the real ones.  Each format renders
it once (module fixtures); every expectation is read from the report and the packs."""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from docx import Document
from openpyxl import load_workbook

from checker.check import run_check
from checker.labels_docs import DOCUMENT
from checker.labels_out import status_label
from checker.model import SECONDARY_MARK
from checker.modes import PRECHECK
from checker.neutrality import RejectedOffset
from checker.reporters import docx_annex, docx_report, pdf_report, xlsx_report
from checker.reporters._documents import SOURCE_BASIS, safe_text
from checker.reporters._neutrality import LABELS
from checker.reporters._view import environment, view
from checker.reporters._xlsx_cells import sheet_name

from .conftest import CONFORMING

NDRC = "ndrc-zero-carbon-park-2025"
MARK = SECONDARY_MARK[0]
HOSTILE_SERIAL = '=HYPERLINK("http://evil.invalid","点我")\x1b[31m<b>x</b>\x07'
HOSTILE_REASON = "@SUM(1+1)\u202e被拒绝\x00"
MOVED = "NC-ZZZZZZZZ"  # a nonconformity moved onto a clause of the national pack


@pytest.fixture(scope="module")
def report(defective):
    national = run_check(CONFORMING, [NDRC], mode=PRECHECK)
    assert defective.neutrality and defective.neutrality[0].rejected and national.sections
    claim = defective.neutrality[0]
    hostile = RejectedOffset(HOSTILE_SERIAL, "offsets.yaml", "/offsets/9", 99,
                             (dataclasses.replace(claim.rejected[0].reasons[0], zh=HOSTILE_REASON, en=HOSTILE_REASON),),
                             ("zc001-9.2.5-c-retired",))
    moved = dataclasses.replace(defective.nonconformities[0], id=MOVED, clauses=((NDRC, "2.2"),), record=None)
    return dataclasses.replace(
        defective, packs=defective.packs + national.packs, verdicts=defective.verdicts + national.verdicts,
        results=defective.results + national.results, sections=national.sections,
        nonconformities=(*defective.nonconformities[:2], moved),
        neutrality=(dataclasses.replace(claim, rejected=(*claim.rejected, hostile)),))


def _labels(lang: str = "zh") -> dict:
    return {key: pair[0 if lang == "zh" else 1] for key, pair in LABELS.items()}


def _national(report):
    return next(p for p in report.packs if p.id == NDRC)


# --- xlsx ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workbook(report):
    return load_workbook(io.BytesIO(xlsx_report.render(report, "zh")))


def _header(ws, row: int = 1) -> list:
    return [c.value for c in ws[row]]


def test_xlsx_neutrality_sheet_has_the_verdict_and_each_figure_as_a_number(workbook, report):
    t, (claim,) = _labels(), report.neutrality
    ws = workbook[t["sheet_verdict"]]
    header = _header(ws)
    assert header[:6] == [t["standard"], t["claim_year"], t["verdict"], t["clause"], t["rule"], t["message"]]
    assert header[6:] == [t.get(name, name) for name, _ in claim.figures]
    assert all("tCO2e" in label for label in header[6:] if label in (t["inventory_emissions"], t["valid_offsets"]))
    row = ws[2]
    assert row[1].value == claim.year and row[1].data_type == "n"
    assert row[2].value == status_label(claim.status, claim.grade, "zh") and row[3].value == claim.clause
    assert row[5].value == claim.message.get("zh")
    for cell, (_, value) in zip(row[6:], claim.figures, strict=True):
        assert cell.data_type == "n" and cell.value == pytest.approx(value)
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}2"


def test_xlsx_rejected_offsets_sheet_lists_every_offset_with_its_reasons(workbook, report):
    t, (claim,) = _labels(), report.neutrality
    ws = workbook[t["sheet_rejected"]]
    assert _header(ws) == [t["standard"], t["serial"], t["file"], t["line"], t["pointer"], t["reasons"], t["rules"]]
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == len(claim.rejected)
    for row, offset in zip(rows, claim.rejected, strict=True):
        assert row[1].value == safe_text(offset.serial) and row[2].value == offset.file
        assert row[3].value == offset.line and row[3].data_type == "n"
        assert row[5].value == safe_text("\n".join(r.get("zh") for r in offset.reasons))
        assert row[6].value == "; ".join(offset.rules)
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:G{len(rows) + 1}"


def test_xlsx_hostile_serial_stays_text(workbook, report):
    ws = workbook[_labels()["sheet_rejected"]]
    serial, reason = ws.cell(ws.max_row, 2), ws.cell(ws.max_row, 6)
    for cell in (serial, reason):
        assert cell.data_type == "s" and cell.quotePrefix  # shown literally, never a formula
    assert serial.value.startswith('=HYPERLINK(') and "\x1b" not in serial.value and "\\x1b" in serial.value
    assert "\x00" not in reason.value and "\u202e" not in reason.value


def test_xlsx_section_tables_have_typed_numbers_under_a_frozen_filtered_header(workbook, report):
    (section,) = report.sections
    numbers = 0
    for table in section["tables"]:
        ws = workbook[sheet_name(table["title"]["zh"], set())]
        assert section["title"]["zh"] in ws["A1"].value and table["title"]["zh"] in ws["A1"].value
        assert ws["A2"].value == (section["note"] or {}).get("zh", "")
        assert _header(ws, 3) == [c["zh"] for c in table["columns"]]
        assert ws.freeze_panes == "A4" and ws.auto_filter.ref.startswith("A3:")
        for r, row in enumerate(table["rows"], 4):
            for c, cell in enumerate(row, 1):
                got = ws.cell(r, c)
                if "value" in cell:
                    assert got.data_type == "n" and got.value == pytest.approx(cell["value"])
                    numbers += 1
                else:
                    assert got.value == cell["zh"] and got.data_type == "s"
    assert numbers  # the core indicator's computed value among them


def test_xlsx_marks_the_secondary_standard_s_verdicts_and_only_those(workbook, report):
    t = {key: pair[0] for key, pair in DOCUMENT.items()}
    national = _national(report)
    for pack in report.packs:
        ws = workbook[sheet_name(pack.code, set())]
        header = _header(ws)
        verdict_col = header.index(t["verdict"])
        if pack.secondary:
            assert header[verdict_col + 1] == xlsx_report.source_label("zh")
            assert {row[verdict_col + 1] for row in ws.iter_rows(min_row=2, values_only=True)} == {MARK}
        else:
            assert xlsx_report.source_label("zh") not in header and not any(
                MARK in str(v) for row in ws.iter_rows(values_only=True) for v in row)
    register = workbook[t["register_sheet"]]
    header = _header(register)
    names = {row[0]: row[header.index(t["standard_name"])] for row in register.iter_rows(min_row=2, values_only=True)}
    assert names.pop(MOVED) == f"{national.title}「{MARK}」"
    assert names and not any(MARK in name for name in names.values())


# --- docx ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def documents(report):
    return docx_annex.render(report, "zh")


def _paragraph_texts(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


def _tables(data: bytes) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in Document(io.BytesIO(data)).tables]


def test_docx_annex_holds_the_verdict_and_every_rejected_offset(documents, report):
    t, (claim,) = _labels(), report.neutrality
    tables = _tables(documents[docx_annex.ANNEX])
    pairs = {row[0]: row[1] for table in tables if len(table[0]) == 2 for row in table}
    assert pairs[t["claim_year"]] == str(claim.year)
    assert pairs[t["verdict"]].startswith(status_label(claim.status, claim.grade, "zh"))
    for name, _ in claim.figures:
        assert t.get(name, name) in pairs
    (rejected,) = [table for table in tables if table[0][0] == t["serial"]]
    assert rejected[0] == [t["serial"], t["where"], t["reasons"], t["rules"]]
    assert [row[:3] for row in rejected[1:]] == [
        [safe_text(o.serial), f"{o.file}:{o.line}", safe_text("\n".join(r.get("zh") for r in o.reasons))]
        for o in claim.rejected]
    hostile = rejected[-1][0]
    assert "\\x1b" in hostile and "\x1b" not in hostile and "\x07" not in hostile


def test_docx_annex_holds_each_section_table_and_the_marked_verdicts(documents, report):
    tables = _tables(documents[docx_annex.ANNEX])
    (section,) = report.sections
    for table in section["tables"]:
        expected = [[c["zh"] for c in table["columns"]]] + [[cell["zh"] for cell in row] for row in table["rows"]]
        if table["rows"] or not table.get("notes"):
            assert expected in tables, table["title"]["zh"]
        else:  # a table with no row says why instead (the key products of an excluded indicator)
            assert expected not in tables, table["title"]["zh"]
        for note in table.get("notes") or ():
            assert note["zh"] in _paragraph_texts(documents[docx_annex.ANNEX]), note["zh"]
    national = _national(report)
    verdicts = [v for v in report.verdicts if v.standard == national.id]
    (marked,) = [table for table in tables if table[0][-1] == SOURCE_BASIS[0]]
    assert marked[1:] == [[v.clause, v.title, status_label(v.status, v.grade, "zh"), MARK] for v in verdicts]


def test_docx_forms_mark_only_the_secondary_standard(documents, report):
    national = _national(report)
    label = DOCUMENT["standard"][0]
    for nc in report.nonconformities:
        fields = {row[0]: row[1] for table in _tables(documents[f"{nc.id}.docx"])[:2] for row in table}
        assert (MARK in fields[label]) == (nc.id == MOVED), nc.id
    assert f"{national.title}「{MARK}」" in fields[label]


@pytest.fixture(scope="module")
def annex_pdf(documents, tmp_path_factory):
    """The annex as LibreOffice prints it (A4 landscape, text extractable)."""
    if not (shutil.which("soffice") and shutil.which("pdftotext")):
        if os.environ.get("PARKCHECK_RENDER_TESTS") == "required":
            pytest.fail("soffice and pdftotext are needed (install them as .ci/run does)")
        pytest.skip("soffice or pdftotext not installed")
    work = tmp_path_factory.mktemp("annex")
    (work / "annex.docx").write_bytes(documents[docx_annex.ANNEX])
    subprocess.run(["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(work), str(work / "annex.docx")], check=True, capture_output=True, timeout=300)
    info = subprocess.run(["pdfinfo", str(work / "annex.pdf")], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(["pdftotext", str(work / "annex.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    return info, text


def test_docx_annex_prints_on_a4_landscape_with_the_offsets(annex_pdf, report):
    info, text = annex_pdf
    assert re.search(r"Page size:\s+841\.\d+ x 595\.\d+ pts \(A4\)", info), info
    flat = re.sub(r"\s+", "", text)
    for offset in report.neutrality[0].rejected[:-1]:
        assert offset.serial in flat
    assert _labels()["rejected"] in flat and "附件" in flat


# --- pdf ----------------------------------------------------------------------------------------

class _Rows(HTMLParser):
    """The text of each body row of the HTML's tables of class ``verdicts`` (a tag's text included)."""

    def __init__(self):
        super().__init__()
        self.rows: list[str] = []
        self._in, self._head, self._row = 0, False, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "verdicts" in (dict(attrs).get("class") or ""):
            self._in += 1
        elif tag == "thead":
            self._head = True
        elif tag == "tr" and self._in and not self._head:
            self._row = []

    def handle_endtag(self, tag):
        if tag == "table" and self._in:
            self._in -= 1
        elif tag == "thead":
            self._head = False
        elif tag == "tr" and self._row is not None:
            self.rows.append("".join(self._row))
            self._row = None

    def handle_data(self, data):
        if self._row is not None:
            self._row.append(data)


def test_pdf_marks_each_verdict_row_of_the_secondary_standard_only(report):
    fonts = ("Noto Sans CJK SC",)
    html = environment(True).get_template("report.pdf.html.j2").render(
        **view(report, "zh"), pdf=pdf_report.pdf_view(report, "zh", fonts))
    parser = _Rows()
    parser.feed(html)
    rows = parser.rows
    verdicts = [v for p in report.packs for v in report.verdicts if v.standard == p.id]
    assert len(rows) == len(verdicts)
    for row, verdict in zip(rows, verdicts, strict=True):
        assert (MARK in row) == (verdict.standard == NDRC), row


@pytest.fixture(scope="module")
def printed(report, tmp_path_factory):
    if not shutil.which("pdftotext"):
        if os.environ.get("PARKCHECK_RENDER_TESTS") == "required":
            pytest.fail("pdftotext is needed (poppler-utils)")
        pytest.skip("pdftotext not installed")
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    # the T/CPQS rule results left out: their lists are pages the sections here do not need
    path.write_bytes(pdf_report.render(dataclasses.replace(
        report, results=tuple(r for r in report.results if r.standard == NDRC)), "zh"))
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return re.sub(r"\s+", "", text)


def test_pdf_shows_the_verdict_the_offsets_and_the_section(printed, report):
    t, (claim,) = _labels(), report.neutrality
    heading = f"{t['title']}·{next(p.code for p in report.packs if p.id == claim.standard)}"
    assert re.sub(r"\s+", "", heading) in printed
    assert status_label(claim.status, claim.grade, "zh") + "（" + re.sub(r"\s+", "", claim.clause) in printed
    for offset in claim.rejected:
        assert re.sub(r"\s+", "", safe_text(offset.serial)) in printed
        for reason in offset.reasons:
            assert re.sub(r"\s+", "", safe_text(reason.get("zh"))) in printed
    (section,) = report.sections
    for table in section["tables"]:
        assert re.sub(r"\s+", "", table["title"]["zh"]) in printed
        for row in table["rows"]:
            for cell in row:
                assert re.sub(r"\s+", "", cell["zh"]) in printed, cell
    assert MARK in printed


def test_pdf_shows_hostile_text_literally(printed):
    assert '=HYPERLINK("http://evil.invalid","点我")\\x1b[31m<b>x</b>\\x07' in printed
    assert "@SUM(1+1)" in printed


def test_the_forms_of_other_nonconformities_are_unchanged_by_the_annex(report):
    nc = report.nonconformities[0]
    assert docx_annex.render(report, "zh")[f"{nc.id}.docx"] == docx_report.render_one(report, nc, "zh")


def test_english_on_request_and_the_same_bytes_each_time(report):
    t = _labels("en")
    book = xlsx_report.render(report, "en")
    assert book == xlsx_report.render(report, "en")
    wb = load_workbook(io.BytesIO(book))
    (section,) = report.sections
    assert {t["sheet_verdict"], t["sheet_rejected"]} <= set(wb.sheetnames)
    ws = wb[sheet_name(section["tables"][0]["title"]["en"], set())]
    assert _header(ws, 3) == [c["en"] for c in section["tables"][0]["columns"]]
    claim = report.neutrality[0]
    assert wb[t["sheet_verdict"]]["C2"].value == status_label(claim.status, claim.grade, "en")
    annex = docx_annex.render_annex(report, "en")
    assert annex == docx_annex.render_annex(report, "en")
    text = "\n".join(p.text for p in Document(io.BytesIO(annex)).paragraphs)
    assert text.startswith("Annex: ") and t["rejected"] in text and SECONDARY_MARK[1] in text
