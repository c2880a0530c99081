"""A park's first report, as a new user gets it (issue 13): ``parkcheck init --format xlsx`` writes
bundle.yaml and the workbook; a script fills the workbook with openpyxl (from the conforming example's
data, typed the way a person types it: Chinese labels, 是/否, Excel dates); the user sets the period in
bundle.yaml; ``parkcheck check`` gives the verdicts the YAML example gives.  A seeded mistake in one
cell is named by workbook, sheet, row and column, in Chinese."""

from __future__ import annotations

import json
import shutil

import openpyxl

from checker.errors import EXIT_INPUT_ERROR
from checker.evidence import split_gaps
from checker.template_xlsx import template_kinds

from .conftest import CONFORMING, PACK, edit_text, run_in_process, run_parkcheck
from .xlsx_fill import fill

WORKBOOK = "台账.xlsx"
REGISTER = "文件化信息清单"  # the sheet of the documented-information register


def _example():
    from checker.check import load_and_validate

    bundle, problems = load_and_validate(CONFORMING)
    assert not split_gaps(problems)[0]
    return bundle


def _new_park(tmp_path):
    example = _example()
    manifest = example.manifest.data
    park = tmp_path / "新园区"
    proc = run_in_process("init", park, "--standard", PACK, "--format", "xlsx", "--park", manifest["park"]["name"],
                          "--audit-date", manifest["audit_date"])
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in park.iterdir()) == sorted(["bundle.yaml", WORKBOOK])
    # what a person does next: the period of the check, the attachments the documents cite, the workbook
    year = int(manifest["audit_date"][:4]) - 1
    edit_text(park / "bundle.yaml", f"start: {year}-01-01", f"start: {manifest['period']['start']}")
    shutil.copytree(CONFORMING / "attachments", park / "attachments")
    kinds = set(template_kinds([PACK]))  # the documents the workbook has sheets for
    documents: dict[str, dict] = {}
    for d in example.documents:  # a kind may be given in two files (ghg_inventory: records CSV, boundary YAML)
        if d.kind in kinds:
            documents[d.kind] = {**documents.get(d.kind, {}), **d.data}
    (park / WORKBOOK).write_bytes(fill((park / WORKBOOK).read_bytes(), documents))
    return park


def _verdicts(folder, out):
    proc = run_in_process("check", folder, "--standard", PACK, "--out", out, "--format", "json", "-q")
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return proc.returncode, [(v["clause"], v["status"], v.get("grade")) for v in report["verdicts"]]


def test_init_template_fill_check_gives_the_examples_verdicts(tmp_path):
    park = _new_park(tmp_path)
    got_code, got = _verdicts(park, tmp_path / "new")
    want_code, want = _verdicts(CONFORMING, tmp_path / "example")
    assert got == want and got_code == want_code
    assert [s for _, s, _ in got].count("conform") > 0


def test_a_seeded_mistake_is_named_by_sheet_row_and_column_in_chinese(tmp_path):
    park = _new_park(tmp_path)
    wb = openpyxl.load_workbook(park / WORKBOOK)
    sheet = wb[REGISTER]
    header = {str(c.value).lstrip("*"): c.column_letter for c in sheet[1] if c.value}
    column = header["发布日期"]
    sheet[f"{column}5"] = "2024-13-45"
    wb.save(park / WORKBOOK)
    proc = run_in_process("check", park, "--standard", PACK, "--lang", "zh", "-q")
    assert proc.returncode == EXIT_INPUT_ERROR
    assert f"{WORKBOOK}!{REGISTER}!{column}5: 发布日期（/documents/3/issue_date）：应为 YYYY-MM-DD 格式的日期，实为 " \
           "'2024-13-45'" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_init_refuses_an_unknown_format(tmp_path):
    proc = run_parkcheck("init", tmp_path / "p", "--standard", PACK, "--format", "docx")
    assert proc.returncode == EXIT_INPUT_ERROR and "Traceback" not in proc.stderr
