"""The park's answers typed into the NC register (``nonconformities.xlsx``) and given with
``--corrective-actions``: the same records as the equivalent corrective_actions.yaml, cells named in
every error, formulas refused, an empty register no entries, deterministic."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from checker.check import run_check
from checker.cli import main
from checker.controldocs import ControlError
from checker.errors import InputError
from checker.labels_docs import DOCUMENT
from checker.register_in import read_register
from checker.schemas import load_schemas
from checker.xlsxcells import cell_name

from .conftest import DEFECTIVE, EVIDENCE

AUDITS = EVIDENCE / "audits" / "donghu"
STAGE2 = AUDITS / "audit-stage2.yaml"
FOLLOW_UP = "2025-07-01"
# from the example corrective actions: closed, overdue, verified by the doer, due too late without a root cause
CHOSEN = ("NC-ET5GWHOY", "NC-G4JI4OIS", "NC-K7NHFJKA", "NC-WNGV3T6N")
ACTION_BY = "整改实施人"  # the park's own column (the schema's title of action_by)
SHEET = DOCUMENT["register_sheet"][0]


def _cli(*args) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


def _write_register(folder: Path, lang: str = "zh") -> Path:
    code, out = _cli("check", DEFECTIVE, "--mode", "audit", "--audit", STAGE2, "--audit-date", "2025-05-14",
                     "--format", "xlsx", "--lang", lang, "-o", folder)
    assert code in (0, 1), out
    path = folder / "nonconformities.xlsx"
    assert path.is_file()
    return path


@pytest.fixture(scope="module")
def register(tmp_path_factory) -> Path:
    return _write_register(tmp_path_factory.mktemp("register"))


def _entries() -> list[dict]:
    """The example's entries for ``CHOSEN``, without the declared status (the register has no column for it)."""
    data = yaml.safe_load((AUDITS / "corrective_actions.yaml").read_text(encoding="utf-8"))
    out = [{k: v for k, v in e.items() if k != "status"} for e in data["actions"] if e["nc"] in CHOSEN]
    assert [e["nc"] for e in out] == sorted(CHOSEN, key=[e["nc"] for e in data["actions"]].index)
    return out


def _columns(ws, lang: str = "zh") -> dict[str, int]:
    i = 0 if lang == "zh" else 1
    labels = {DOCUMENT[k][i]: k for k in DOCUMENT}
    return {labels[c.value]: c.column for c in ws[1] if c.value in labels}


def _rows(ws) -> dict[str, int]:
    return {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}


def _fill(src: Path, dst: Path, entries: list[dict], lang: str = "zh") -> dict[tuple[str, str], str]:
    """The register with ``entries`` typed in (dates alternately as Excel date cells and as text);
    returns each filled cell's name by (nc, field)."""
    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[0]
    cols, rows = _columns(ws, lang), _rows(ws)
    cols["action_by"] = ws.max_column + 1
    ws.cell(1, cols["action_by"]).value = ACTION_BY
    cells, as_date = {}, True
    for entry in entries:
        for key, value in entry.items():
            if key == "nc":
                continue
            row, col = rows[entry["nc"]], cols[key]
            if isinstance(value, dt.date):
                as_date = not as_date
                value = value if as_date else value.isoformat()
            ws.cell(row, col).value = value
            cells[(entry["nc"], key)] = cell_name(row, col)
    wb.save(dst)
    return cells


def _records(report) -> dict[str, dict]:
    return {nc.id: nc.record for nc in report.nonconformities}


def _check(tmp_path: Path, actions: Path | None):
    given = {"audit": STAGE2, **({"corrective_actions": actions} if actions else {})}
    return run_check(DEFECTIVE, mode="audit", given=given, audit_date=FOLLOW_UP)


def test_the_filled_register_gives_the_records_of_the_equivalent_yaml(register, tmp_path):
    entries = _entries()
    filled = tmp_path / "nonconformities.xlsx"
    _fill(register, filled, entries)
    plain = tmp_path / "corrective_actions.yaml"
    plain.write_text(yaml.safe_dump({"kind": "corrective_actions", "actions": entries}, allow_unicode=True),
                     encoding="utf-8")
    from_xlsx, from_yaml = _records(_check(tmp_path, filled)), _records(_check(tmp_path, plain))
    assert from_xlsx == from_yaml
    status = {n: from_xlsx[n]["status"] for n in CHOSEN}
    assert status == {"NC-ET5GWHOY": "closed", "NC-G4JI4OIS": "overdue", "NC-K7NHFJKA": "completed",
                      "NC-WNGV3T6N": "planned"}
    assert from_xlsx["NC-ET5GWHOY"]["acknowledged_on"] == "2025-05-14"
    assert from_xlsx["NC-ET5GWHOY"]["verified_on"] == "2025-06-12"
    assert any("验证人 吴刚 即整改实施人" in p["zh"] for p in from_xlsx["NC-K7NHFJKA"]["problems"])
    assert any("2025-09-30" in p["zh"] for p in from_xlsx["NC-WNGV3T6N"]["problems"])
    # the rows the park did not answer stay unanswered, the due date the tool wrote notwithstanding
    untouched = [r for n, r in from_xlsx.items() if n not in CHOSEN]
    assert untouched and all(r["acknowledged_by"] is None and r["corrective_action"] is None for r in untouched)


def test_an_empty_register_holds_no_entries(register, tmp_path):
    name, content = read_register(register, load_schemas())
    assert name == f"{register}!{SHEET}"
    assert content.data == {"kind": "corrective_actions", "actions": []}
    report = _check(tmp_path, register)
    park = ("acknowledged_by", "acknowledged_on", "correction", "root_cause", "corrective_action", "completed_on",
            "verified_by", "verified_on")
    assert report.nonconformities
    for nc in report.nonconformities:
        assert all(nc.record[k] is None for k in park) and nc.record["problems"] == []
        # nobody answered: a major is overdue on 2025-07-01 (due 2025-06-13), a minor still open (2025-08-12)
        assert (nc.record["status"], nc.record["due_date"]) == (
            ("overdue", "2025-06-13") if nc.grade.value == "major" else ("open", "2025-08-12"))


def test_a_date_that_is_neither_a_date_cell_nor_yyyy_mm_dd_stops_naming_the_cell(register, tmp_path):
    filled = tmp_path / "nonconformities.xlsx"
    entries = _entries()[:1]
    entries[0]["completed_on"] = "6月5日前后"
    cells = _fill(register, filled, entries)
    code, out = _cli("check", DEFECTIVE, "--mode", "audit", "--audit", STAGE2, "--audit-date", FOLLOW_UP,
                     "--corrective-actions", filled, "--format", "json", "-o", tmp_path / "out")
    assert code == 2
    assert f"nonconformities.xlsx!{SHEET}!{cells[('NC-ET5GWHOY', 'completed_on')]}" in out
    assert "completed_on" in out and "6月5日前后" in out and "Traceback" not in out


def test_an_nc_number_that_is_no_nonconformity_stops_naming_the_cell(register, tmp_path):
    filled = tmp_path / "nonconformities.xlsx"
    _fill(register, filled, _entries()[:1])
    wb = openpyxl.load_workbook(filled)
    ws = wb.worksheets[0]
    row = _rows(ws)["NC-ET5GWHOY"]
    ws.cell(row, 1).value = "NC-AAAAAAAA"
    wb.save(filled)
    code, out = _cli("check", DEFECTIVE, "--mode", "audit", "--audit", STAGE2, "--audit-date", FOLLOW_UP,
                     "--corrective-actions", filled, "--format", "json", "-o", tmp_path / "out")
    assert code == 2
    assert f"nonconformities.xlsx!{SHEET}!A{row}" in out and "NC-AAAAAAAA" in out


def test_a_placeholder_in_the_register_stops_naming_the_cell(register, tmp_path):
    filled = tmp_path / "nonconformities.xlsx"
    entries = _entries()[:1]
    entries[0]["root_cause"] = "待定"
    cells = _fill(register, filled, entries)
    code, out = _cli("check", DEFECTIVE, "--mode", "audit", "--audit", STAGE2, "--audit-date", FOLLOW_UP,
                     "--corrective-actions", filled, "--format", "json", "-o", tmp_path / "out")
    assert code == 2
    assert f"nonconformities.xlsx!{SHEET}!{cells[('NC-ET5GWHOY', 'root_cause')]}" in out and "待定" in out


def test_only_the_corrective_actions_may_be_a_workbook(register, tmp_path):
    code, out = _cli("check", DEFECTIVE, "--mode", "audit", "--audit", register, "--audit-date", FOLLOW_UP,
                     "--format", "json", "-o", tmp_path / "out")
    assert code == 2 and "nonconformities.xlsx" in out and "Traceback" not in out


def test_a_formula_cell_is_refused_naming_the_cell(register, tmp_path):
    filled = tmp_path / "nonconformities.xlsx"
    cells = _fill(register, filled, _entries()[:1])
    wb = openpyxl.load_workbook(filled)
    ws = wb.worksheets[0]
    ws[cells[("NC-ET5GWHOY", "correction")]] = '=HYPERLINK("http://example.invalid","x")'
    wb.save(filled)
    code, out = _cli("check", DEFECTIVE, "--mode", "audit", "--audit", STAGE2, "--audit-date", FOLLOW_UP,
                     "--corrective-actions", filled, "--format", "json", "-o", tmp_path / "out")
    assert code == 2
    assert f"nonconformities.xlsx!{SHEET}!{cells[('NC-ET5GWHOY', 'correction')]}" in out and "formula" in out


def test_a_text_beginning_with_an_equals_sign_is_read_as_text(register, tmp_path):
    filled = tmp_path / "nonconformities.xlsx"
    entries = _entries()[:1]
    entries[0]["correction"] = "=以基准 BL-2022 为准"
    _fill(register, filled, entries)
    wb = openpyxl.load_workbook(filled)
    ws = wb.worksheets[0]
    cell = ws.cell(_rows(ws)["NC-ET5GWHOY"], _columns(ws)["correction"])
    cell.data_type = "s"  # typed as text (Excel's quote prefix), not a formula
    wb.save(filled)
    _, content = read_register(filled, load_schemas())
    assert content.data["actions"][0]["correction"] == "=以基准 BL-2022 为准"


def test_the_english_register_reads_the_same(register, tmp_path):
    english = _write_register(tmp_path / "en", lang="en")
    entries = _entries()
    _fill(register, tmp_path / "zh.xlsx", entries)
    _fill(english, tmp_path / "en.xlsx", entries, lang="en")
    schemas = load_schemas()
    assert read_register(tmp_path / "zh.xlsx", schemas)[1].data == read_register(tmp_path / "en.xlsx", schemas)[1].data


def test_reading_the_register_is_deterministic(register, tmp_path):
    filled = tmp_path / "nonconformities.xlsx"
    _fill(register, filled, _entries())
    outputs = []
    for n in (1, 2):
        code, out = _cli("check", DEFECTIVE, "--mode", "audit", "--audit", STAGE2, "--audit-date", FOLLOW_UP,
                         "--corrective-actions", filled, "--format", "json", "-o", tmp_path / f"out{n}")
        assert code in (0, 1), out
        outputs.append((tmp_path / f"out{n}" / "report.json").read_bytes())
    assert outputs[0] == outputs[1]
    report = json.loads(outputs[0])
    assert {nc["id"]: nc["record"]["status"] for nc in report["nonconformities"] if nc["id"] in CHOSEN} == {
        "NC-ET5GWHOY": "closed", "NC-G4JI4OIS": "overdue", "NC-K7NHFJKA": "completed", "NC-WNGV3T6N": "planned"}


def test_a_number_answered_twice_stops_naming_the_second_row(register, tmp_path):
    filled = tmp_path / "nonconformities.xlsx"
    _fill(register, filled, _entries()[:2])
    wb = openpyxl.load_workbook(filled)
    ws = wb.worksheets[0]
    rows = _rows(ws)
    first, second = sorted((rows["NC-ET5GWHOY"], rows["NC-G4JI4OIS"]))
    ws.cell(second, 1).value = ws.cell(first, 1).value
    wb.save(filled)
    with pytest.raises(ControlError) as caught:
        _check(tmp_path, filled)
    assert caught.value.problem.file == f"{filled}!{SHEET}!A{second}"


def test_a_workbook_that_is_not_one_or_has_no_register_stops(register, tmp_path):
    schemas = load_schemas()
    junk = tmp_path / "nonconformities.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match="xlsx"):
        read_register(junk, schemas)
    other = tmp_path / "other.xlsx"
    wb = openpyxl.load_workbook(register)
    wb.worksheets[0].title = "Sheet9"
    wb.save(other)
    with pytest.raises(InputError) as caught:
        read_register(other, schemas)
    assert caught.value.problem.file == str(other)


def test_answers_without_a_number_stop_naming_the_number_cell(register, tmp_path):
    filled = tmp_path / "nonconformities.xlsx"
    _fill(register, filled, _entries()[:1])
    wb = openpyxl.load_workbook(filled)
    ws = wb.worksheets[0]
    row = _rows(ws)["NC-ET5GWHOY"]
    ws.cell(row, 1).value = None
    wb.save(filled)
    with pytest.raises(InputError) as caught:
        read_register(filled, load_schemas())
    assert caught.value.problem.file == f"{filled}!{SHEET}!A{row}"
