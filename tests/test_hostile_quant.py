"""Hostile input for the quantitative evidence kinds (issue 16): energy_consumption, ghg_inventory,
emission_factors, offsets and economic_output, in their CSV and YAML forms.

Every probe runs the real ``parkcheck check`` command (in-process through click; the probe about
hanging runs it as a process bounded by a timeout) on a copy of the conforming example park with one cell, column or file made hostile.  What the
project promises for bad input: never a traceback; either a finding at its clause whose evidence
names the file and row, or exit 2 with one readable line naming file, line and field.  The last test
renders every report format from a bundle whose text is markup, formulas and control characters and
asserts none of it reaches an output raw.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import CONFORMING, run_in_process, run_parkcheck

GHG = "ghg_inventory.csv"
ENERGY = "energy_consumption.csv"
ROW = "LG-E01-202201-ELEC"  # the first record of both ledgers: line 2 of each CSV file


def _bundle(tmp_path: Path) -> Path:
    folder = tmp_path / "park"
    shutil.copytree(CONFORMING, folder)
    return folder


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _set_cell(folder: Path, name: str, record_id: str, column: str, value: str) -> int:
    """Set one cell of a CSV table; returns the line of the record in the file."""
    path = folder / name
    rows = _rows(path)
    col = rows[0].index(column)
    for n, row in enumerate(rows[1:], start=2):
        if row[0] == record_id:
            row[col] = value
            _write_rows(path, rows)
            return n
    raise AssertionError(f"{record_id} not in {name}")


def _check(folder: Path, *extra: str, process: bool = False):
    """Run the check: in-process through click (an escaping exception fails the test, as a traceback
    would), or, for the probe that is about hanging, as a process (run_parkcheck times out after 120 s,
    which fails the test)."""
    out = folder.parent / "out"
    run = run_parkcheck if process else run_in_process
    proc = run("check", folder, "--out", out, "--format", "json", *extra)
    text = proc.stdout + proc.stderr
    assert "Traceback" not in text, text[-3000:]
    assert proc.returncode in (0, 1, 2), (proc.returncode, text[-3000:])
    report = json.loads((out / "report.json").read_text(encoding="utf-8")) if proc.returncode != 2 else None
    return proc, report


def _assert_one_line(proc, file: str, line: int | None, field: str) -> None:
    """Exit 2 with one error line naming the file (and line) and the field."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    errors = [x for x in proc.stderr.splitlines() if file in x]
    assert len(errors) == 1, proc.stderr
    where = f"{file}:{line}:" if line else f"{file}:"
    assert where in errors[0], errors[0]
    assert field in errors[0], errors[0]


def _evidence_at(report: dict, file: str, line: int, field: str | None = None) -> list[dict]:
    """The nonconformities of the report whose evidence names this file and line (and field)."""
    hits = []
    for nc in report["nonconformities"]:
        for ev in nc["evidence"]:
            if ev.get("file") == file and ev.get("line") == line and (field is None or ev.get("pointer", "").endswith("/" + field)):
                hits.append(nc)
                break
    return hits


# --------------------------------------------------------------------------- numbers in CSV cells
NOT_A_NUMBER = ["nan", "NaN", "inf", "-inf", "Infinity", "１２３", "12 MWh", "${x}", "约994.5", "1,24.5"]


@pytest.mark.parametrize("name,column,value", [(GHG, "activity", v) for v in NOT_A_NUMBER]
                         + [(ENERGY, "quantity", v) for v in ("nan", "-inf", "约994.5")])
def test_csv_number_that_is_text_is_a_finding_at_its_row(tmp_path, name, column, value):
    """A number cell holding text is an unusable value (issue 16, s12-cells): a content gap, checked
    without the value, a finding at 7.3.2 whose evidence names the file, the row and the column (the text
    in its note); never a number, never conformity on that row."""
    folder = _bundle(tmp_path)
    line = _set_cell(folder, name, ROW, column, value)
    proc, report = _check(folder)
    assert proc.returncode == 1, proc.stderr[-2000:]
    hits = _evidence_at(report, name, line, column)
    assert hits and any(c["clause"].startswith("7.3.2") for nc in hits for c in nc["clauses"]), \
        [(nc["clauses"], nc["evidence"][:2]) for nc in report["nonconformities"]]
    assert [(g["keyword"], g["line"]) for g in report["content_gaps"]] == [("type", line)]


def test_csv_number_with_thousands_separators_is_that_number(tmp_path):
    """``1,234.5`` is how Chinese spreadsheets write 1234.5: read as the number, never refused, no gap."""
    folder = _bundle(tmp_path)
    _set_cell(folder, GHG, ROW, "activity", "1,234.5")
    proc, report = _check(folder)
    assert proc.returncode == 1 and report["content_gaps"] == [], proc.stderr[-2000:]


@pytest.mark.parametrize("name,column,value", [(GHG, "emissions", "1e308"), (ENERGY, "declared_tce", "1e308"),
                                               (GHG, "factor", "1e308"), (GHG, "activity", "1e9999"),
                                               (ENERGY, "coefficient", "-1e9999")])
def test_csv_number_out_of_range_is_one_line(tmp_path, name, column, value):
    folder = _bundle(tmp_path)
    line = _set_cell(folder, name, ROW, column, value)
    proc, _ = _check(folder)
    _assert_one_line(proc, name, line, column)


@pytest.mark.parametrize("name,column", [(GHG, "activity"), (ENERGY, "quantity")])
def test_csv_subnormal_number_is_a_finding_or_one_line(tmp_path, name, column):
    """1e-320 is finite but subnormal: the recomputed value divides to infinity in a relative difference.
    (Before s7-mach 2019191 this ended in 'engine error: a fact holds a non-finite number (inf)', exit 2,
    naming no file or field.)"""
    folder = _bundle(tmp_path)
    line = _set_cell(folder, name, ROW, column, "1e-320")
    proc, report = _check(folder)
    if proc.returncode == 2:
        _assert_one_line(proc, name, line, column)
    else:
        assert _evidence_at(report, name, line), report["nonconformities"]


def test_negative_activity_is_a_finding_at_its_row(tmp_path):
    folder = _bundle(tmp_path)
    line = _set_cell(folder, GHG, ROW, "activity", "-5")
    proc, report = _check(folder)
    assert proc.returncode == 1
    assert _evidence_at(report, GHG, line, "activity"), report["nonconformities"]


@pytest.mark.parametrize("value", ["0", ""])
def test_zero_or_missing_factor_is_a_finding_at_its_row(tmp_path, value):
    folder = _bundle(tmp_path)
    line = _set_cell(folder, GHG, ROW, "factor", value)
    proc, report = _check(folder)
    assert proc.returncode == 1
    hits = _evidence_at(report, GHG, line)
    assert hits and any(c["clause"].startswith("7.3.2") for nc in hits for c in nc["clauses"]), report["nonconformities"]


@pytest.mark.parametrize("value", ["0x10", "0o17"])
def test_hex_text_in_a_number_column_is_not_a_number(tmp_path, value):
    """A cell is written in decimal: 0x10 and 0o17 are text (an unusable value, a finding at the cell),
    not 16 and 15."""
    folder = _bundle(tmp_path)
    line = _set_cell(folder, GHG, ROW, "activity", value)
    proc, report = _check(folder)
    assert proc.returncode == 1
    assert _evidence_at(report, GHG, line, "activity")
    assert [(g["keyword"], g["message"]["en"]) for g in report["content_gaps"]] == \
        [("type", f"expected number, got string {value!r}")]


# --------------------------------------------------------------------------- unit text
HOSTILE_UNITS = ["kg**99999999", "1e9999 t", "m/(s*0)", "__import__('os')", "${x}", "=1+1", "@SUM(A1)",
                 "[red]x[/red]", "t^999999", "MWh^-0", "MWh/MWh/MWh", "吨" * 300, "x" * 100_000, "MWh\x07",
                 "{0.__class__}", "%s%s%n"]


@pytest.mark.parametrize("name,column,unit", [(GHG, "activity_unit", u) for u in HOSTILE_UNITS]
                         + [(GHG, "factor_unit", u) for u in ("kg**99999999", "m/(s*0)", "=1+1")]
                         + [(ENERGY, "unit", u) for u in ("1e9999 t", "__import__('os')", "@SUM(A1)")]
                         + [(ENERGY, "coefficient_unit", u) for u in ("${x}", "t^999999", "x" * 100_000)],
                         ids=lambda v: repr(v[:16]) if isinstance(v, str) else None)
def test_hostile_unit_text_is_a_finding_at_its_row(tmp_path, name, column, unit):
    folder = _bundle(tmp_path)
    line = _set_cell(folder, name, ROW, column, unit)
    proc, report = _check(folder)
    if proc.returncode == 2:  # refused as input: one line naming the cell
        _assert_one_line(proc, name, line, column)
        return
    assert proc.returncode == 1
    hits = _evidence_at(report, name, line)
    assert hits and any(c["clause"].startswith("7.3.2") for nc in hits for c in nc["clauses"]), \
        [(nc["clauses"], nc["evidence"][:2]) for nc in report["nonconformities"]]


# --------------------------------------------------------------------------- table structure
def test_empty_table_file(tmp_path):
    folder = _bundle(tmp_path)
    (folder / GHG).write_bytes(b"")
    proc, report = _check(folder)
    if proc.returncode == 2:
        assert len([x for x in proc.stderr.splitlines() if GHG in x]) == 1, proc.stderr
    else:  # no records: the inventory is missing, never conforming
        assert proc.returncode == 1 and any(GHG in json.dumps(nc["evidence"]) or "ghg_inventory" in json.dumps(nc)
                                            for nc in report["nonconformities"])


def test_header_only_table(tmp_path):
    folder = _bundle(tmp_path)
    (folder / ENERGY).write_text(",".join(_rows(folder / ENERGY)[0]) + "\n", encoding="utf-8")
    proc, report = _check(folder)
    if proc.returncode == 2:
        assert len([x for x in proc.stderr.splitlines() if ENERGY in x]) == 1, proc.stderr
    else:  # an energy ledger without a record cannot conform
        assert proc.returncode == 1 and any("energy_consumption" in json.dumps(nc, ensure_ascii=False)
                                            for nc in report["nonconformities"])


def test_bom_and_crlf_change_nothing(tmp_path):
    folder = _bundle(tmp_path)
    for name in (GHG, ENERGY):
        text = (folder / name).read_text(encoding="utf-8")
        (folder / name).write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    proc, report = _check(folder)
    assert proc.returncode == 0, [(nc["clauses"], nc["finding"]) for nc in (report or {}).get("nonconformities", [])]


def test_repeated_column_is_one_line(tmp_path):
    """A column written twice in the header: one line naming the file, line 1, the repeated column's
    position and its name."""
    folder = _bundle(tmp_path)
    rows = _rows(folder / GHG)
    col = rows[0].index("activity")
    for row in rows:
        row.insert(col + 1, row[col] if row is not rows[0] else "activity")
    _write_rows(folder / GHG, rows)
    proc, _ = _check(folder)
    assert proc.returncode == 2, proc.stdout[-2000:]
    errors = [x for x in proc.stderr.splitlines() if GHG in x]
    assert len(errors) == 1 and f"{GHG}:1:{col + 2}: activity:" in errors[0], proc.stderr


def test_empty_column_name_is_one_line(tmp_path):
    folder = _bundle(tmp_path)
    rows = _rows(folder / GHG)
    rows[0][3] = " "
    _write_rows(folder / GHG, rows)
    proc, _ = _check(folder)
    assert proc.returncode == 2, proc.stdout[-2000:]
    errors = [x for x in proc.stderr.splitlines() if GHG in x]
    assert len(errors) == 1 and f"{GHG}:1:4:" in errors[0], proc.stderr


def test_200k_rows_of_one_value_finish(tmp_path):
    """200,000 copies of one ledger row (the --max-csv-rows default): read, judged and reported within the
    timeout, the repeated record a finding (or one line), never a hang."""
    folder = _bundle(tmp_path)
    rows = _rows(folder / ENERGY)
    header, first = rows[0], rows[1]
    body = io.StringIO()
    w = csv.writer(body, lineterminator="\n")
    w.writerow(header)
    for _ in range(200_000):
        w.writerow(first)
    (folder / ENERGY).write_text(body.getvalue(), encoding="utf-8")
    proc, report = _check(folder, process=True)
    if proc.returncode == 2:
        assert len([x for x in proc.stderr.splitlines() if ENERGY in x]) == 1, proc.stderr
    else:  # one month of one energy type cannot make a complete ledger: a finding naming the table
        assert proc.returncode == 1
        assert any(ev.get("file") == ENERGY for nc in report["nonconformities"] for ev in nc["evidence"])


# --------------------------------------------------------------------------- YAML forms
@pytest.mark.parametrize("file,old,new,field", [
    ("emission_factors.yaml", "value: 0.5703", "value: .nan", "value"),
    ("emission_factors.yaml", "value: 0.5703", "value: .inf", "value"),
    ("emission_factors.yaml", "value: 0.5703", "value: 1e400", "value"),
    ("offsets.yaml", "quantity: 15000", "quantity: -.inf", "quantity"),
    ("offsets.yaml", "claimed_emissions: 20934.211", "claimed_emissions: .nan", "claimed_emissions"),
    ("economic_output.yaml", "value: 24220.47", "value: '1,234.5'", "value"),
    ("economic_output.yaml", "value: 24220.47", "value: 1e308", "value"),
    ("ghg_inventory.yaml", "emissions: 20829.604", "emissions: .inf", "emissions"),
])
def test_yaml_number_is_one_line(tmp_path, file, old, new, field):
    folder = _bundle(tmp_path)
    text = (folder / file).read_text(encoding="utf-8")
    assert old in text
    (folder / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    proc, _ = _check(folder)
    line = next(n for n, x in enumerate((folder / file).read_text(encoding="utf-8").splitlines(), start=1) if new in x)
    _assert_one_line(proc, file, line, field)


@pytest.mark.parametrize("file,old,new", [
    ("emission_factors.yaml", "unit: tCO2/MWh", "unit: 'kg**99999999'"),
    ("emission_factors.yaml", "unit: tCO2/MWh", "unit: '=1+1'"),
    ("offsets.yaml", "factor_unit: tCO2/MWh", "factor_unit: 'm/(s*0)'"),
    ("offsets.yaml", "unit: tCO2e", "unit: '1e9999 t'"),
])
def test_yaml_hostile_unit_is_a_finding(tmp_path, file, old, new):
    folder = _bundle(tmp_path)
    text = (folder / file).read_text(encoding="utf-8")
    assert old in text
    (folder / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    proc, report = _check(folder)
    if proc.returncode == 2:
        assert len([x for x in proc.stderr.splitlines() if file in x]) == 1, proc.stderr
        return
    assert proc.returncode == 1
    assert any(ev.get("file") == file for nc in report["nonconformities"] for ev in nc["evidence"]), \
        [(nc["clauses"], nc["evidence"][:2]) for nc in report["nonconformities"]]


def test_economic_output_as_csv_with_nan(tmp_path):
    folder = _bundle(tmp_path)
    (folder / "economic_output.yaml").unlink()
    (folder / "economic_output.csv").write_text(
        "year,indicator,value,unit,price_basis,constant_base_year,source\n"
        "2022,工业增加值,24220.47,万元,constant,2020,年鉴\n"
        "2023,工业增加值,NaN,万元,constant,2020,年鉴\n", encoding="utf-8")
    manifest = (folder / "bundle.yaml").read_text(encoding="utf-8")
    (folder / "bundle.yaml").write_text(manifest + "  - {file: economic_output.csv, kind: economic_output}\n",
                                        encoding="utf-8")
    proc, report = _check(folder)
    # text (NaN) in a number cell is an unusable value: a finding at the cell, not a number (s12-cells)
    assert proc.returncode == 1
    assert _evidence_at(report, "economic_output.csv", 3, "value"), report["nonconformities"]


# --------------------------------------------------------------------------- text reaching the reports
PAYLOADS = {
    "formula": "=HYPERLINK(\"http://evil.invalid\",\"x\")",
    "at": "@SUM(A1)",
    "plus": "+cmd|' /C calc'!A0",
    "markup": "[red]x[/red][link=http://evil.invalid]y[/link]",
    "html": "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "esc": "\x1b[31mred\x1b[0m",
}


def test_hostile_text_is_escaped_in_every_report(tmp_path):
    folder = _bundle(tmp_path)
    # record ids, source names and units that end up in finding messages (each record is made defective)
    # a defect on each row first, then the row's id (the cells are found by id)
    _set_cell(folder, GHG, "LG-E01-202202-ELEC", "activity_unit", PAYLOADS["formula"])
    _set_cell(folder, GHG, "LG-E01-202202-ELEC", "id", PAYLOADS["formula"])
    _set_cell(folder, GHG, "LG-E01-202203-ELEC", "emissions", "999")
    _set_cell(folder, GHG, "LG-E01-202203-ELEC", "id", PAYLOADS["markup"])
    _set_cell(folder, GHG, "LG-E01-202204-ELEC", "factor_unit", PAYLOADS["at"])
    _set_cell(folder, GHG, "LG-E01-202204-ELEC", "id", PAYLOADS["plus"])
    _set_cell(folder, GHG, "LG-E01-202205-ELEC", "source", PAYLOADS["html"] + PAYLOADS["markup"])
    _set_cell(folder, GHG, "LG-E01-202205-ELEC", "emissions", "1")
    _set_cell(folder, GHG, "LG-E01-202205-ELEC", "id", PAYLOADS["html"])
    _set_cell(folder, ENERGY, "LG-E01-202206-ELEC", "unit", PAYLOADS["html"])
    _set_cell(folder, ENERGY, "LG-E01-202207-ELEC", "declared_tce", "1")
    _set_cell(folder, ENERGY, "LG-E01-202207-ELEC", "id", PAYLOADS["esc"])
    text = (folder / "offsets.yaml").read_text(encoding="utf-8")
    (folder / "offsets.yaml").write_text(text.replace("project: 某省海上风电项目", "project: '=1+1 " + PAYLOADS["html"] + "'")
                                         .replace("retired: true, retirement_date: 2025-03-05",
                                                  "retired: false, retirement_date: 2025-03-05"), encoding="utf-8")
    out = tmp_path / "out"
    proc = run_in_process("check", folder, "--out", out, "--format", "md", "--format", "html", "--format", "csv",
                         "--format", "json")
    terminal = proc.stdout + proc.stderr
    assert "Traceback" not in terminal, terminal[-3000:]
    if proc.returncode == 2:  # refused: the one line must not carry raw control characters either
        assert "\x1b" not in terminal, terminal
        pytest.fail(f"the hostile text bundle was refused: {proc.stderr}")
    assert proc.returncode == 1, terminal[-2000:]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    findings = json.dumps(report, ensure_ascii=False)
    # the defects seeded on the hostile rows are reported, and the data is kept verbatim in JSON
    assert "HYPERLINK" in findings and "<script>" in findings, "the hostile records gave no finding to render"
    assert "\x1b" not in terminal
    if "[link=" in terminal or "red]x" in terminal:  # Rich must print markup literally, not interpret it
        assert PAYLOADS["markup"] in terminal, terminal
    outputs = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir() if p.suffix in (".md", ".html", ".csv")}
    assert any(n.endswith(".html") for n in outputs) and any(n.endswith(".csv") for n in outputs)
    for name, body in outputs.items():
        assert "\x1b" not in body, name
        if name.endswith((".html", ".md")):
            assert "<script>" not in body and "<img" not in body, name
        if name.endswith(".csv"):
            for row in csv.reader(io.StringIO(body.lstrip("\ufeff"))):
                for cell in row:
                    if any(p in cell for p in ("HYPERLINK", "@SUM", "cmd|", "=1+1")):
                        assert not re.match(r"^[=+\-@\t\r]", cell), (name, cell)


@pytest.mark.parametrize("value,field", [(".nan", "quantity"), ("-.inf", "declared_tce"), ("'=1+1'", "quantity")])
def test_energy_ledger_in_yaml_form(tmp_path, value, field):
    """The energy ledger written as a YAML document instead of a CSV table: a hostile number is one line
    naming file, line and field (a formula typed where a number belongs is text, not a number)."""
    folder = _bundle(tmp_path)
    rows = _rows(folder / ENERGY)
    (folder / ENERGY).unlink()
    manifest = (folder / "bundle.yaml").read_text(encoding="utf-8")
    (folder / "bundle.yaml").write_text(manifest.replace("  - {file: energy_consumption.csv, kind: energy_consumption}\n", ""),
                                        encoding="utf-8")
    header = rows[0]
    lines = ["kind: energy_consumption", "records:"]
    for n, row in enumerate(rows[1:]):
        rec = dict(zip(header, row, strict=True))
        rec["on_site"] = rec["on_site"] == "true"
        items = []
        for k, v in rec.items():
            if n == 0 and k == field:
                items.append(f"{k}: {value}")
            elif k in ("year", "month", "quantity", "coefficient", "declared_tce") or isinstance(v, bool):
                items.append(f"{k}: {str(v).lower() if isinstance(v, bool) else v}")
            else:
                items.append(f"{k}: '{v}'")
        lines.append("  - {" + ", ".join(items) + "}")
    (folder / "energy_consumption.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc, _ = _check(folder)
    _assert_one_line(proc, "energy_consumption.yaml", 3, field)


# --------------------------------------------------------------------------- non-CO2 gases
def _ch4_entry(unit: str, value: float = 0.000389, emitted: float = 0.000389):
    """A rewrite: LG-E01's gas boiler also reports CH4 each month of 2024 (activity × ``value`` <unit> ×
    GWP 28, declared as activity × ``emitted`` t × 28: about 1 tCO2e a year, within the totals'
    tolerance), with the factor added."""
    from tests.harness.run import Entry
    rows = {r[0]: r for r in _rows(CONFORMING / GHG)[1:]}
    header = _rows(CONFORMING / GHG)[0]
    edits = [{"op": "append", "file": "emission_factors.yaml", "path": "/factors", "value": {
        "id": "EF-NG-CH4-2022", "set": "示例排放因子集（非官方数值）", "version": "2022", "publisher": "parkcheck 示例数据",
        "year": 2022, "region": "全国", "basis": "示例值", "item": "天然气", "value": value, "unit": unit, "gas": "CH4",
        "biogenic": False, "example": True, "citation": "示例数值，不能作为官方公布值引用"}}]
    for month in range(1, 13):
        rec = dict(zip(header, rows[f"LG-E01-2024{month:02d}-NG"], strict=True))
        rec.update(id=rec["id"] + "-CH4", gas="CH4", factor_id="EF-NG-CH4-2022", factor=str(value), factor_unit=unit,
                   gwp="28", emissions=str(round(float(rec["activity"]) * emitted * 28, 4)))
        edits.append({"op": "set", "file": GHG, "path": "/-", "value": rec})
    return Entry(f"ch4-{unit}", "inline", tuple(edits), ("t-cpqs-zc001-2025",))


@pytest.mark.parametrize("unit", ["tCH4/万m3", "t/万m3", "kgCH4/万m3"])
def test_ch4_record_with_gwp_is_conforming(unit):
    """A CH4 factor in the gas's own mass (tCH4, t or kgCH4 per 万m3) becomes tCO2e through the GWP the
    record declares (28): no finding.  (kgCH4 with the value in tonnes would be 1000 times too small, so
    the kg case scales the factor.)"""
    from tests.harness.run import run_variation
    outcome = run_variation(_ch4_entry(unit, 0.389 if unit.startswith("kg") else 0.000389))
    assert outcome.verdict == "clean", outcome.new_ncs


def test_ch4_factor_in_co2_is_a_unit_finding():
    """A CH4 record whose factor is already CO2 (tCO2/万m3) with a GWP of 28 would count the GWP twice:
    7.3.2 f) units, at each CH4 record's activity unit (ghg_inventory.csv, its line), and nothing else."""
    from tests.harness.run import _mutated_report, _new_ncs
    entry = _ch4_entry("tCO2/万m3")
    report = _mutated_report(entry)
    assert _new_ncs(report, entry.standards) == ["7.3.2 f) minor zc001-7.3.2-f-units"]
    nc = next(nc for nc in report.nonconformities if nc.rules[0] == "zc001-7.3.2-f-units")
    lines = sorted(e.line for e in nc.evidence if e.file == GHG and e.pointer.endswith("/activity_unit"))
    assert len(lines) == 12 and lines[0] == len(_rows(CONFORMING / GHG)) + 1, lines  # the appended rows
