"""Table cells and declared tables (issue 16, s12-cells): what a park's spreadsheet gets wrong is a finding at
its clause, not a refusal.

* A cell of a number column of a table (CSV or a workbook sheet) that is not a number (``约994.5``,
  ``12 MWh``) is an unusable value: a content gap (``type``), checked without the value as a blank cell
  is, reported at the clause that needs it with file, row, column and the text; ``validate`` lists it
  (exit 1).  In a YAML document a wrong type stays an input error (exit 2).
* ``1,240.2`` (thousands separators, as Chinese spreadsheets write numbers) is 1240.2; malformed groups
  are text.
* A table ``bundle.yaml`` declares that the bundle lacks is the kind being absent: the rules that need it
  fail at their clause, with the declaration's line as evidence; a declared path out of the bundle, a
  kind that cannot be a table, and a declared file that is there but unreadable stay refusals (exit 2).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import openpyxl
import pytest

from checker.bundle import Document, _parse_table, bundle_from_files
from checker.errors import EXIT_FINDINGS, EXIT_INPUT_ERROR
from checker.evidence import coerce_table
from checker.schemas import load_schemas, validate_document

from .conftest import CONFORMING, edit_text, listed_problems, run_in_process

ENERGY = "energy_consumption.csv"
HEAT = "LG-E02-202407-HEAT"


def _bundle(tmp_path: Path) -> Path:
    folder = tmp_path / "park"
    shutil.copytree(CONFORMING, folder)
    return folder


def _set_cell(path: Path, record_id: str, column: str, value: str) -> tuple[int, int]:
    """Set one cell of a CSV table; the line of its record and the cell's column (1-based, in characters)."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    col = rows[0].index(column)
    for n, row in enumerate(rows[1:], start=2):
        if row[0] == record_id:
            row[col] = value
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(rows)
            path.write_text(out.getvalue(), encoding="utf-8")
            return n, 1 + col + sum(len(c) for c in row[:col])
    raise AssertionError(record_id)


def _check(folder: Path, *extra: str):
    out = folder.parent / "out"
    proc = run_in_process("check", folder, "--out", out, "--format", "json", *extra)
    assert "Traceback" not in proc.stdout + proc.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8")) if proc.returncode != 2 else None
    return proc, report


def _new_ncs(report: dict) -> list[tuple[str, str, str]]:
    return sorted((c["clause"], nc["grade"], nc["rules"][0]) for nc in report["nonconformities"] for c in nc["clauses"])


# -- the loader: thousands separators --------------------------------------------------------------

def test_thousands_separators_are_read_as_the_number():
    text = "id,amount,count\nA,\"1,240.2\",\"2,024\"\nB,\"-1,000\",7\nC,\"12,345,678.5\",1\n"
    doc = Document("t.csv", "t", _parse_table(text, "t.csv", "t", "rows"), "csv")
    coerce_table(doc, {"amount": "number", "count": "integer"}, "rows")
    assert doc.data["rows"] == [{"id": "A", "amount": 1240.2, "count": 2024},
                                {"id": "B", "amount": -1000.0, "count": 7},
                                {"id": "C", "amount": 12345678.5, "count": 1}]


@pytest.mark.parametrize("value", ["1,24.5", "1,2402", "1,240,5", ",240", "1,240.", "1.240,5", "１,２４０", "1，240"])
def test_malformed_thousands_groups_stay_text(value):
    text = f"id,amount\nA,\"{value}\"\n"
    doc = Document("t.csv", "t", _parse_table(text, "t.csv", "t", "rows"), "csv")
    coerce_table(doc, {"amount": "number"}, "rows")
    assert doc.data["rows"] == [{"id": "A", "amount": value}]


# -- the schema: text in a number cell of a table is a gap, in YAML an error -------------------------

def _ledger(quantity) -> dict:
    return {"kind": "energy_consumption", "records": [{
        "id": "X-1", "enterprise": "E1", "year": 2024, "month": 7, "energy_type": "热力", "quantity": quantity,
        "unit": "GJ", "coefficient": 0.03412, "coefficient_unit": "tce/GJ"}]}


def test_text_in_a_number_cell_is_a_gap_only_in_a_table():
    schemas = load_schemas()
    data = _ledger("约994.5")
    table = validate_document(schemas, "energy_consumption", data, "e.csv", lambda p: (3, 7), set(), set(), table=True)
    yaml = validate_document(schemas, "energy_consumption", data, "e.yaml", lambda p: (3, 7), set(), set())
    gaps = [p for p in table if p.field == "/records/0/quantity"]
    assert [p.gap for p in gaps] == ["type"], table
    assert "'约994.5'" in gaps[0].text("zh") and "'约994.5'" in gaps[0].text("en")
    assert [p.gap for p in yaml if p.field == "/records/0/quantity"] == [None], yaml


# -- check and validate on a CSV ledger ------------------------------------------------------------

@pytest.mark.parametrize("value", ["约994.5", "12 GJ", "nan", "0x10", "１２３"])
def test_text_in_a_quantity_cell_is_a_minor_nc_at_its_cell(tmp_path, value):
    folder = _bundle(tmp_path)
    line, col = _set_cell(folder / ENERGY, HEAT, "quantity", value)
    proc, report = _check(folder)
    assert proc.returncode == EXIT_FINDINGS, proc.stderr
    assert _new_ncs(report) == [("7.3.2 e)", "minor", "zc001-7.3.2-e-quantity")]
    nc = report["nonconformities"][0]
    cell = [e for e in nc["evidence"] if e["file"] == ENERGY and e["pointer"].endswith("/quantity")]
    assert [(e["line"], e["column"]) for e in cell] == [(line, col)], nc["evidence"]
    assert repr(value) in cell[0]["note"]["zh"] and repr(value) in cell[0]["note"]["en"]
    gap = [g for g in report["content_gaps"] if g["file"] == ENERGY]
    assert [(g["keyword"], g["line"], g["reported_as"]) for g in gap] == [("type", line, "rule")]
    # validate lists the cell as a content gap, exit 1 (the evidence is not valid)
    proc = run_in_process("validate", folder)
    assert proc.returncode == EXIT_FINDINGS
    assert f"{ENERGY}:{line}:{col}: " in proc.stdout and "[content gap" in proc.stdout, proc.stdout


def test_text_in_an_optional_number_cell_is_a_finding_too(tmp_path):
    """declared_tce is optional: text there is still no number, never conformity on that row."""
    folder = _bundle(tmp_path)
    line, _ = _set_cell(folder / ENERGY, HEAT, "declared_tce", "约34")
    proc, report = _check(folder)
    assert proc.returncode == EXIT_FINDINGS
    hits = [nc for nc in report["nonconformities"]
            if any(e["file"] == ENERGY and e["line"] == line and e["pointer"].endswith("/declared_tce")
                   for e in nc["evidence"])]
    assert hits and all(c["clause"].startswith("7.3.2") for nc in hits for c in nc["clauses"]), _new_ncs(report)


def test_a_quantity_with_thousands_separators_is_conforming(tmp_path):
    folder = _bundle(tmp_path)
    rows = list(csv.reader(io.StringIO((folder / ENERGY).read_text(encoding="utf-8"), newline="")))
    col = rows[0].index("quantity")
    big = [r for r in rows[1:] if float(r[col]) >= 1000]
    assert big
    for r in big:
        r[col] = f"{float(r[col]):,}"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    (folder / ENERGY).write_text(out.getvalue(), encoding="utf-8")
    assert '"1,' in (folder / ENERGY).read_text(encoding="utf-8")
    proc, report = _check(folder)
    assert proc.returncode == 0, (proc.stdout[-2000:], _new_ncs(report) if report else proc.stderr)


def test_a_number_out_of_range_stays_one_line(tmp_path):
    """A number the tool cannot take (a limit: --max-number) is still refused, naming the cell."""
    folder = _bundle(tmp_path)
    line, _ = _set_cell(folder / ENERGY, HEAT, "quantity", "1e999")
    proc, _ = _check(folder)
    assert proc.returncode == EXIT_INPUT_ERROR
    lines = [x for x in listed_problems(proc.stdout, proc.stderr) if ENERGY in x]
    assert len(lines) == 1 and f"{ENERGY}:{line}:" in lines[0] and "quantity" in lines[0], lines


def test_a_number_of_the_wrong_type_in_yaml_stays_an_error(tmp_path):
    folder = _bundle(tmp_path)
    line = edit_text(folder / "baseline.yaml", "  base_year: 2022\n", "  base_year: 约2022\n")
    proc, _ = _check(folder)
    assert proc.returncode == EXIT_INPUT_ERROR
    assert any(f"baseline.yaml:{line}:" in x for x in listed_problems(proc.stdout, proc.stderr))


# -- a workbook sheet ------------------------------------------------------------------------------

def test_text_in_a_number_cell_of_a_workbook_is_a_finding_at_its_cell(tmp_path):
    folder = _bundle(tmp_path)
    manifest = (folder / "bundle.yaml").read_text(encoding="utf-8")
    (folder / "bundle.yaml").write_text(manifest.replace(f"  - {{file: {ENERGY}, kind: energy_consumption}}\n", ""),
                                        encoding="utf-8")
    rows = list(csv.reader(io.StringIO((folder / ENERGY).read_text(encoding="utf-8"), newline="")))
    (folder / ENERGY).unlink()
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "energy_consumption.records"
    col = rows[0].index("quantity")
    for r in rows:
        sheet.append([c or None for c in r])
    row = next(n for n, r in enumerate(rows, start=1) if r[0] == HEAT)
    sheet.cell(row=row, column=col + 1, value="约994.5")
    wb.save(folder / "ledger.xlsx")
    proc, report = _check(folder)
    assert proc.returncode == EXIT_FINDINGS, proc.stderr
    assert _new_ncs(report) == [("7.3.2 e)", "minor", "zc001-7.3.2-e-quantity")]
    cell = [e for nc in report["nonconformities"] for e in nc["evidence"] if e["pointer"].endswith("/quantity")]
    assert [(e["file"].split("!")[0], e["line"], e["column"]) for e in cell] == [("ledger.xlsx", row, col + 1)], cell
    assert "'约994.5'" in cell[0]["note"]["en"]


# -- a declared table the bundle lacks -------------------------------------------------------------

def _declaration_line(folder: Path, name: str) -> int:
    lines = (folder / "bundle.yaml").read_text(encoding="utf-8").splitlines()
    return next(n for n, x in enumerate(lines, start=1) if f"file: {name}" in x)


def test_declared_ledger_missing_is_a_major_nc_at_7_3_2_e(tmp_path):
    folder = _bundle(tmp_path)
    (folder / ENERGY).unlink()
    line = _declaration_line(folder, ENERGY)
    proc, report = _check(folder)
    assert proc.returncode == EXIT_FINDINGS, proc.stderr
    assert _new_ncs(report) == [("7.3.2 e)", "major", "zc001-7.3.2-e-ledger")]
    ev = [e for e in report["nonconformities"][0]["evidence"] if e["pointer"] == "/tables/1/file"]
    assert [(e["file"], e["line"]) for e in ev] == [("bundle.yaml", line)]
    assert ENERGY in ev[0]["note"]["zh"] and ENERGY in ev[0]["note"]["en"]
    assert [(g["file"], g["keyword"], g["reported_as"]) for g in report["content_gaps"]] == \
        [("bundle.yaml", "table", "rule")]
    proc = run_in_process("validate", folder)
    assert proc.returncode == EXIT_FINDINGS
    assert f"bundle.yaml:{line}:5: " in proc.stdout and f"declared table '{ENERGY}' is not in the bundle" in proc.stdout


def test_declared_register_missing_behaves_as_the_register_absent(tmp_path):
    """The same for another kind (the documented-information register): its absence, at its clauses."""
    folder = _bundle(tmp_path)
    name = "documented_information.csv"
    absent = _bundle(tmp_path / "absent")
    (absent / name).unlink()
    manifest = (absent / "bundle.yaml").read_text(encoding="utf-8")
    (absent / "bundle.yaml").write_text(manifest.replace(f"  - {{file: {name}, kind: documented_information}}\n", ""),
                                        encoding="utf-8")
    (folder / name).unlink()
    proc, report = _check(folder)
    proc_absent, report_absent = _check(absent)
    assert proc.returncode == proc_absent.returncode == EXIT_FINDINGS
    assert _new_ncs(report) == _new_ncs(report_absent) != []
    line = _declaration_line(folder, name)
    assert any(e["file"] == "bundle.yaml" and e["line"] == line for nc in report["nonconformities"] for e in nc["evidence"])


def test_declared_table_missing_beside_another_of_its_kind_is_a_finding(tmp_path):
    """A second table of a kind that is there (the inventory given in two files, one missing): what it held
    was not checked, a minor nonconformity at the most general clause judging that kind, never conformity."""
    folder = _bundle(tmp_path)
    manifest = (folder / "bundle.yaml").read_text(encoding="utf-8")
    (folder / "bundle.yaml").write_text(manifest + "  - {file: ghg_inventory_2021.csv, kind: ghg_inventory}\n",
                                        encoding="utf-8")
    proc, report = _check(folder)
    assert proc.returncode == EXIT_FINDINGS
    hits = [nc for nc in report["nonconformities"]
            if any(e["file"] == "bundle.yaml" and e["pointer"].startswith("/tables/") for e in nc["evidence"])]
    assert len(hits) == 1 and hits[0]["grade"] == "minor", _new_ncs(report)
    assert [g["reported_as"] for g in report["content_gaps"]] == ["finding"]


@pytest.mark.parametrize("declared", ["../energy.csv", "/etc/energy.csv", "./energy_consumption.csv",
                                      "sub/../energy.csv", "C:\\\\energy.csv", ".hidden.csv"])
def test_declared_path_out_of_the_bundle_stays_a_refusal(tmp_path, declared):
    folder = _bundle(tmp_path)
    (folder / ENERGY).unlink()
    line = edit_text(folder / "bundle.yaml", f"{{file: {ENERGY},", f"{{file: '{declared}',")
    proc, _ = _check(folder)
    assert proc.returncode == EXIT_INPUT_ERROR
    lines = listed_problems(proc.stdout, proc.stderr)
    assert any(f"bundle.yaml:{line}:" in x and "/tables/1/file" in x for x in lines), lines


def test_declared_kind_that_cannot_be_a_table_stays_a_refusal(tmp_path):
    folder = _bundle(tmp_path)
    (folder / ENERGY).unlink()
    line = edit_text(folder / "bundle.yaml", "kind: energy_consumption}", "kind: policy}")
    proc, _ = _check(folder)
    assert proc.returncode == EXIT_INPUT_ERROR
    assert any(f"bundle.yaml:{line}:" in x and "/tables/1/kind" in x for x in listed_problems(proc.stdout, proc.stderr))


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
@pytest.mark.parametrize("what", ["folder", "link-out", "not-utf8"])
def test_declared_table_there_but_unreadable_stays_a_refusal(tmp_path, what):
    folder = _bundle(tmp_path)
    (folder / ENERGY).unlink()
    if what == "folder":
        (folder / ENERGY).mkdir()
        (folder / ENERGY / "x.csv").write_text("a\n1\n", encoding="utf-8")
    elif what == "link-out":
        (tmp_path / "outside.csv").write_text("id\n1\n", encoding="utf-8")
        (folder / ENERGY).symlink_to(tmp_path / "outside.csv")
    else:
        (folder / ENERGY).write_bytes(b"id,quantity\n\xff\xfe,1\n")
    proc, _ = _check(folder)
    assert proc.returncode == EXIT_INPUT_ERROR, proc.stdout[-1500:]
    assert any(ENERGY in x for x in listed_problems(proc.stdout, proc.stderr))


def test_declared_table_missing_in_memory_is_noted_not_raised():
    """``bundle_from_files`` (raising mode): an absent declared table is a gap on the bundle, not an error."""
    raw = {p.relative_to(CONFORMING).as_posix(): p.read_bytes() for p in CONFORMING.rglob("*") if p.is_file()}
    del raw[ENERGY]
    bundle = bundle_from_files("x", "x", raw, load_schemas().table_fields())
    assert [(p.file, p.field, p.gap, p.kind) for p in bundle.absent] == \
        [("bundle.yaml", "/tables/1/file", "table", "energy_consumption")]
