"""Follow-ups of the session-17 hostile-input review (tests/test_hostile_s17.py): ``template --out`` never
replaces an existing file (a park's filled workbook is evidence), an Excel error cell (``#N/A``, ``#REF!``) is
no value, and U+2028 / U+2029 survive a report's round trip (report.json read back by ``diff`` / ``--previous``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import CONFORMING, PACK, one_problem_line, run_in_process
from tests.xlsx_fill import register_as_workbook

DOCS = "documented_information.csv"


_one_line = one_problem_line


# -- template --out: an existing file is refused unless --force ----------------------------------------------

def test_template_refuses_to_overwrite_an_existing_workbook(tmp_path):
    """``parkcheck template -o 台账.xlsx`` replaced a park's filled workbook with an empty template."""
    out = tmp_path / "台账.xlsx"
    out.write_bytes(b"the park's filled workbook")
    proc = run_in_process("template", "-s", PACK, "--out", out)
    assert _one_line(proc) == (f"parkcheck: error: {out}: already exists; parkcheck template does not overwrite it "
                               "(give a new file, or --force to replace it)")
    assert out.read_bytes() == b"the park's filled workbook"
    assert [p.name for p in tmp_path.iterdir()] == ["台账.xlsx"]  # no temporary file left behind


def test_template_refuses_a_dangling_symlink_too(tmp_path):
    out = tmp_path / "park.xlsx"
    out.symlink_to(tmp_path / "elsewhere.xlsx")
    proc = run_in_process("template", "-s", PACK, "--out", out)
    assert _one_line(proc).startswith(f"parkcheck: error: {out}: already exists;")
    assert not (tmp_path / "elsewhere.xlsx").exists()


def test_template_force_replaces_the_file_atomically(tmp_path, monkeypatch):
    from checker import template_xlsx

    monkeypatch.setattr(template_xlsx, "build_template", lambda kinds, standards: b"PK the template")
    out = tmp_path / "park.xlsx"
    out.write_bytes(b"old")
    proc = run_in_process("template", "-s", PACK, "--out", out, "--force")
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == b"PK the template"
    assert [p.name for p in tmp_path.iterdir()] == ["park.xlsx"]


def test_a_file_created_while_the_template_is_built_is_not_replaced(tmp_path):
    """The check before building is not the only guard: the workbook is hard-linked into place, never renamed
    over a file that appeared meanwhile."""
    from checker.safeio import atomic_write

    out = tmp_path / "park.xlsx"
    out.write_bytes(b"evidence")
    with pytest.raises(FileExistsError):
        atomic_write(out, b"template", replace=False)
    assert out.read_bytes() == b"evidence" and [p.name for p in tmp_path.iterdir()] == ["park.xlsx"]
    atomic_write(tmp_path / "new.xlsx", b"template", replace=False)
    assert (tmp_path / "new.xlsx").read_bytes() == b"template"


def test_template_help_documents_force():
    proc = run_in_process("template", "--help")
    assert proc.returncode == 0 and "--force" in proc.stdout


# -- Excel error cells: no value, one line at the cell -------------------------------------------------------

def _workbook_park(tmp_path: Path, edit) -> Path:
    """The conforming park with its register of documented information moved into ledger.xlsx."""
    folder = tmp_path / "park"
    shutil.copytree(CONFORMING, folder)
    register_as_workbook(folder, edit)
    return folder


@pytest.mark.parametrize("cell,code", [("E2", "#N/A"), ("B3", "#REF!"), ("D2", "#VALUE!"), ("E4", "#DIV/0!")])
def test_an_excel_error_cell_is_refused_at_its_cell(tmp_path, cell, code):
    """``approved_by: #N/A`` was read as the text '#N/A': a given approver (fail-open)."""
    def edit(ws):
        ws[cell] = code  # openpyxl stores an error code as an error cell (data type e)
        assert ws[cell].data_type == "e"

    folder = _workbook_park(tmp_path, edit)
    proc = run_in_process("check", folder, "--out", tmp_path / "out", "--lang", "en")
    line = _one_line(proc)
    assert line.startswith(f"parkcheck: error: ledger.xlsx!documented_information!{cell}: "), line
    assert f"the cell holds the Excel error value {code}, not a value" in line, line
    assert not (tmp_path / "out" / "report.json").exists()
    proc = run_in_process("validate", folder, "--lang", "en")
    assert _one_line(proc) == line


def test_an_error_in_a_header_cell_is_refused_at_its_cell(tmp_path):
    folder = _workbook_park(tmp_path, lambda ws: ws.cell(1, 12, "#NAME?"))
    line = _one_line(run_in_process("validate", folder, "--lang", "en"))
    assert line.startswith("parkcheck: error: ledger.xlsx!documented_information!L1: the cell holds the Excel error "
                           "value #NAME?"), line


def test_text_that_reads_like_an_error_stays_text(tmp_path):
    """A person typed '#N/A' as text (data type s): it is text, as in a CSV table."""
    def edit(ws):
        ws["E2"] = "#N/A"
        ws["E2"].data_type = "s"

    folder = _workbook_park(tmp_path, edit)
    from checker.xlsxio import read_workbook

    docs = read_workbook("ledger.xlsx", (folder / "ledger.xlsx").read_bytes())
    assert docs[0].content.data["documents"][0]["approved_by"] == "#N/A"


def test_an_error_cell_in_the_nc_register_names_its_cell(tmp_path):
    from checker.errors import InputError
    from checker.labels_docs import DOCUMENT
    from checker.register_in import read_register
    from checker.schemas import load_schemas

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = DOCUMENT["register_sheet"][0]
    ws.append(["nc", "root_cause"])
    ws.append(["NC-AAAAAAAA", "#N/A"])
    ws.append(["NC-AAAAAAAB", "原因"])
    ws["B3"] = "#REF!"
    path = tmp_path / "nonconformities.xlsx"
    wb.save(path)
    with pytest.raises(InputError) as caught:
        read_register(path, load_schemas())
    assert str(caught.value).startswith(f"{path}!{ws.title}!B2: ")
    assert "Excel" in str(caught.value) and "#N/A" in str(caught.value)
    ws["B2"].data_type = "s"  # typed text stays text; the next error cell is named
    wb.save(path)
    with pytest.raises(InputError) as caught:
        read_register(path, load_schemas())
    assert str(caught.value).startswith(f"{path}!{ws.title}!B3: ") and "#REF!" in str(caught.value)


# -- U+2028 / U+2029 in report.json --------------------------------------------------------------------------

def test_line_separators_are_escaped_in_every_json_writer():
    import json

    from checker.reporters import _json

    data = {"a\u2028": ["x\u2028y\u2029z", {"k": "\u2029"}]}
    text = _json.dumps(data)
    assert "\u2028" not in text and "\u2029" not in text and "\\u2028" in text and "\\u2029" in text
    assert json.loads(text) == data
    pieces: list[str] = []
    _json.dump(data, pieces.append)
    assert "".join(pieces) == text
    plain = {"a": ["中文\n", 1.5, None]}
    assert _json.dumps(plain) == json.dumps(plain, ensure_ascii=False, indent=2)


def test_a_line_separator_in_evidence_survives_the_report_round_trip(tmp_path):
    """Evidence text with U+2028 written to report.json and read back as the previous report (``diff``,
    ``--previous``): the YAML reader folded the raw character into a space, silently changing the value."""
    from checker.check import run_check
    from checker.reporters import json_report
    from checker.surveillance import read_report
    from tests.conftest import edit_text

    folder = tmp_path / "park"
    shutil.copytree(CONFORMING, folder)
    park = "绿谷\u2028高新\u2029技术产业开发区"
    edit_text(folder / "bundle.yaml", "  name: 绿谷高新技术产业开发区", '  name: "绿谷\\u2028高新\\u2029技术产业开发区"', 1)
    report = run_check(folder)
    assert report.bundle["park"]["name"] == park  # read from the evidence as written
    path = tmp_path / "report.json"
    chunks: list[bytes] = []
    json_report.stream(report, "zh", chunks.append)
    path.write_bytes(b"".join(chunks))
    assert b"".join(chunks) == json_report.render(report, "zh")
    assert "\u2028".encode() not in path.read_bytes() and b"\\u2028" in path.read_bytes()
    assert read_report(path)["bundle"]["park"]["name"] == park


def test_a_formula_whose_stored_result_is_an_error_is_refused(tmp_path):
    """The common case: a lookup formula (``=VLOOKUP(...)``) saved with its result ``#N/A``."""
    import re
    import zipfile

    folder = _workbook_park(tmp_path, lambda ws: None)
    path = folder / "ledger.xlsx"
    with zipfile.ZipFile(path) as src:
        members = {i.filename: src.read(i) for i in src.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    members[sheet], count = re.subn(rb'<c r="E2"[^>]*>.*?</c>',
                                    b'<c r="E2" t="e"><f>VLOOKUP(A2,X!A:B,2,0)</f><v>#N/A</v></c>', members[sheet])
    assert count == 1
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    line = _one_line(run_in_process("validate", folder, "--lang", "en"))
    assert line == ("parkcheck: error: ledger.xlsx!documented_information!E2: /documents/0/approved_by: the cell holds "
                    "the Excel error value #N/A, not a value; type the value or leave the cell empty"), line
