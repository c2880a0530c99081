"""Excel in and out (issue 13 items 3 and 4): Chinese labels accepted wherever a park types a value,
``parkcheck template``, workbooks read from a bundle with errors naming workbook, sheet and cell,
files nothing reads listed as not used, and the round trip template → filled → check."""

from __future__ import annotations

import io
import shutil
import zipfile
from functools import lru_cache
from pathlib import Path

import openpyxl
import pytest

from checker.check import load_and_validate, run_check
from checker.errors import EXIT_FINDINGS, EXIT_INPUT_ERROR, EXIT_OK
from checker.evidence import split_gaps
from checker.reporters import json_report
from checker.schemas import load_schemas
from checker.template_xlsx import build_template, template_kinds
from checker.xlsx_layout import INSTRUCTIONS, LISTS, SHEET_NAME_MAX, kind_sheets, sheet_index, workbook_kinds

from .conftest import CONFORMING, PACK, edit_text, example_report, listed_problems, run_in_process, run_parkcheck
from .xlsx_fill import fill, tables_as_workbook

SEESA = "t-seesa-010-2025"
WORKBOOK = "台账.xlsx"
DOCS = "文件化信息清单"  # the sheet of documented_information (a single table)


@lru_cache(maxsize=2)
def _yaml_report(standard: str):
    """The conforming example (YAML and CSV) checked against one pack: the reference several tests compare
    a workbook or relabelled bundle with, computed once per module (the callers only read it)."""
    return run_check(CONFORMING, [standard])


def _verdicts(report):
    return [(v.standard, v.clause, v.status.value, v.grade.value if v.grade else None) for v in report.verdicts]


def _results(report):
    return sorted((r.rule, r.status.value, r.grade.value if r.grade else None) for r in report.results)


@lru_cache(maxsize=1)
def _lvgu_documents() -> tuple[dict, tuple[str, ...]]:
    bundle, problems = load_and_validate(CONFORMING)
    assert not split_gaps(problems)[0]
    docs: dict[str, dict] = {}
    for d in bundle.documents:  # a kind given in two files (ghg_inventory: records as CSV, boundary as YAML)
        assert not set(docs.get(d.kind, {})) & set(d.data) - {"kind"}, f"{d.kind}: the same field in two files"
        docs[d.kind] = {**docs.get(d.kind, {}), **d.data}
    return docs, tuple(d.path for d in bundle.documents)


@lru_cache(maxsize=1)
def _filled_workbook() -> bytes:
    """The template filled from the example park's data, made once per module: each test writes these
    bytes into a bundle of its own and edits its own copy."""
    docs, _ = _lvgu_documents()
    kinds = [k for k in workbook_kinds(load_schemas()) if k in docs]
    return fill(build_template(kinds, [PACK, SEESA]), docs)


def _workbook_bundle(tmp_path: Path) -> Path:
    """evidence/lvgu-park with every document replaced by one workbook filled from the template."""
    _, paths = _lvgu_documents()
    dest = tmp_path / "park"
    shutil.copytree(CONFORMING, dest)
    for p in paths:
        (dest / p).unlink()
    manifest = (dest / "bundle.yaml").read_text(encoding="utf-8")
    (dest / "bundle.yaml").write_text(manifest[: manifest.index("tables:")], encoding="utf-8")
    (dest / WORKBOOK).write_bytes(_filled_workbook())
    return dest


def _edit_workbook(path: Path, sheet: str, cells: dict[str, object]) -> None:
    wb = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        wb[sheet][ref] = value
    wb.save(path)


def _column_of(path: Path, sheet: str, label: str) -> str:
    wb = openpyxl.load_workbook(path)
    for cell in wb[sheet][1]:
        if str(cell.value).lstrip("*") == label:
            return cell.column_letter
    raise AssertionError(f"no column {label} in {sheet}")


# -- Chinese labels in YAML and CSV --------------------------------------------------------------------

def test_chinese_labels_in_yaml_and_csv_give_the_same_report(tmp_path):
    """有效 for effective, 是 for true, Chinese CSV headers and enum labels: normalised on reading, so the
    report is the one of the canonical codes."""
    dest = tmp_path / "park"
    shutil.copytree(CONFORMING, dest)
    edit_text(dest / "policy.yaml", "top_management: true", "top_management: 是")
    edit_text(dest / "policy.yaml", "status: effective", "status: 有效")
    csv = dest / "documented_information.csv"
    header = csv.read_text(encoding="utf-8").splitlines()[0]
    assert header == "number,title,type,version,approved_by,issue_date,status,clauses,location,category,annex_a"
    edit_text(csv, header, "*编号,名称,类别,版本,批准人,发布日期,状态,对应条款,存放位置,文件类别（8.4）,对应附录 A 示例文件", 1)
    edit_text(csv, ",effective,", ",有效,")
    edit_text(csv, ",document,", ",文件,")
    bundle, problems = load_and_validate(dest)
    assert problems == []
    policy = next(d for d in bundle.documents if d.kind == "policy")
    assert policy.data["control"]["status"] == "effective" and policy.data["issued_by"]["top_management"] is True
    lines = (dest / "policy.yaml").read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(lines, start=1) if "status: 有效" in t)
    assert policy.position("/control/status") == (line, lines[line - 1].index("status") + 1)  # as written
    table = next(d for d in bundle.documents if d.fmt == "csv")
    assert {r["status"] for r in table.data["documents"]} <= {"effective", "draft", "obsolete"}
    assert table.position("/documents/0/issue_date") == (2, 33)
    assert _verdicts(run_check(dest, [PACK])) == _verdicts(_yaml_report(PACK))


def test_unknown_label_lists_the_accepted_chinese_labels(tmp_path):
    dest = tmp_path / "park"
    shutil.copytree(CONFORMING, dest)
    line = edit_text(dest / "policy.yaml", "status: effective", "status: 有小")
    col = (dest / "policy.yaml").read_text(encoding="utf-8").splitlines()[line - 1].index("status") + 1
    proc = run_in_process("validate", dest, "--lang", "zh")
    assert proc.returncode == EXIT_FINDINGS
    assert f"policy.yaml:{line}:{col}: 状态（/control/status）：“有小”不是可选值，可填：有效、草稿、作废\n" in proc.stdout
    proc = run_in_process("validate", dest, "--lang", "en")
    assert (f"policy.yaml:{line}:{col}: Status (/control/status): “有小” is not one of: effective, draft, obsolete "
            "(in Chinese: 有效、草稿、作废)\n") in proc.stdout


def test_a_value_that_is_no_boolean_label_is_still_an_error(tmp_path):
    dest = tmp_path / "park"
    shutil.copytree(CONFORMING, dest)
    line = edit_text(dest / "policy.yaml", "top_management: true", "top_management: 也许")
    col = (dest / "policy.yaml").read_text(encoding="utf-8").splitlines()[line - 1].index("top_management") + 1
    proc = run_in_process("check", dest, "--lang", "zh")
    assert proc.returncode == EXIT_INPUT_ERROR
    assert (f"parkcheck: 证据无效：policy.yaml:{line}:{col}: 是否最高管理者（/issued_by/top_management）：应为是/否，"
            "实为文本 '也许'（可填：是、否）\n") in proc.stderr
    proc = run_in_process("check", dest)  # English (tests/conftest.py sets PARKCHECK_LANG=en)
    assert (f"parkcheck: invalid evidence: policy.yaml:{line}:{col}: Is top management (/issued_by/top_management): "
            "expected boolean, got string '也许' (write 是 or 否)\n") in proc.stderr


# -- the template ----------------------------------------------------------------------------------

def test_layout_sheet_names_are_unique_and_valid():
    schemas = load_schemas()
    names = [s.name for k in workbook_kinds(schemas) for s in kind_sheets(schemas, k)]
    assert len(names) == len(set(names))
    assert all(0 < len(n) <= SHEET_NAME_MAX and not set(n) & set("[]:*?/\\") for n in names)
    assert INSTRUCTIONS not in names and LISTS not in names
    assert set(names) <= set(sheet_index(schemas))


def test_template_sheets_headers_dropdowns_and_formats():
    schemas = load_schemas()
    kinds = template_kinds([PACK], None, schemas)
    assert "documented_information" in kinds and "internal_audit" in kinds and "bundle" not in kinds
    wb = openpyxl.load_workbook(io.BytesIO(build_template(kinds, [PACK])))
    assert wb.sheetnames[0] == INSTRUCTIONS and "填写方法" in [c.value for c in wb[INSTRUCTIONS]["A"]]
    expected = [s.name for k in kinds for s in kind_sheets(schemas, k)]
    assert [n for n in wb.sheetnames if n not in (INSTRUCTIONS, LISTS)] == expected
    assert wb[LISTS].sheet_state == "hidden"

    ws = wb[DOCS]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["*编号", "*名称", "类别"]  # required columns marked
    assert ws["A1"].font.color.rgb.endswith("C00000")
    assert ws["G1"].value == "状态" and "字段：status" in ws["G1"].comment.text
    assert "有效、草稿、作废" in ws["G1"].comment.text
    status = next(dv for dv in ws.data_validations.dataValidation if "G2" in str(dv.sqref))
    assert status.type == "list"
    col, first, last = status.formula1.split("$")[1], status.formula1.split("$")[2], status.formula1.split("$")[-1]
    assert [wb[LISTS][f"{col}{r}"].value for r in range(int(first.rstrip(":")), int(last) + 1)] == ["有效", "草稿", "作废"]
    date = next(dv for dv in ws.data_validations.dataValidation if "F2" in str(dv.sqref))
    assert date.type == "date" and ws.column_dimensions["F"].number_format == "yyyy-mm-dd"

    kv = wb["碳排放管理方针"]
    assert [c.value for c in kv[1]] == ["项目", "填写内容", "说明", "字段"] and kv.column_dimensions["D"].hidden
    rows = {r[3]: r for r in kv.iter_rows(min_row=2, values_only=True)}
    assert rows["title"][0] == "*标题" and "必填" in rows["title"][2]
    assert rows["issued_by.top_management"][0] == "发布人·是否最高管理者"
    child = wb["内部审核-审核发现"]
    assert child["A1"].value == "*所属审核记录·审核编号" and "字段：^id" in child["A1"].comment.text


def test_cli_template_writes_the_workbook(tmp_path):
    out = tmp_path / "park.xlsx"
    proc = run_in_process("template", "--standard", SEESA, "--out", out)
    assert proc.returncode == EXIT_OK, proc.stderr
    assert "seesa_indicators" in proc.stdout
    assert "零碳园区评价指标-指标" in openpyxl.load_workbook(out, read_only=True).sheetnames
    bad = run_in_process("template", "--standard", "no-such-pack", "--out", out)
    assert bad.returncode == EXIT_INPUT_ERROR and "unknown standard 'no-such-pack'" in bad.stderr


# -- the round trip --------------------------------------------------------------------------------

def test_round_trip_template_filled_checked_gives_the_yaml_verdicts(tmp_path):
    """template → filled by a script from the example park's data (labels in Chinese, dates as Excel
    dates) → check: the same verdicts, results and scores as the YAML bundle, for both packs."""
    dest = _workbook_bundle(tmp_path)
    bundle, problems = load_and_validate(dest)
    assert problems == []
    assert {d.path for d in bundle.documents} >= {f"{WORKBOOK}!{DOCS}", f"{WORKBOOK}!内部审核"}
    docs, _ = _lvgu_documents()
    audits = next(d for d in bundle.documents if d.kind == "internal_audit").data["audits"]
    assert audits == docs["internal_audit"]["audits"]  # child sheets attached to their parent records
    for std in (PACK, SEESA):
        yaml_report, xlsx_report = _yaml_report(std), run_check(dest, [std])
        assert _verdicts(xlsx_report) == _verdicts(yaml_report)
        assert _results(xlsx_report) == _results(yaml_report)
        assert [n.id for n in xlsx_report.nonconformities] == [n.id for n in yaml_report.nonconformities]
        assert [(s.total, s.grade) for s in xlsx_report.scores] == [(s.total, s.grade) for s in yaml_report.scores]
        if std == PACK:
            assert json_report.to_dict(xlsx_report)["unused_files"] == []


def test_a_workbook_in_a_zip_bundle_is_read_the_same(tmp_path):
    dest = _workbook_bundle(tmp_path)
    archive = tmp_path / "park.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(dest.rglob("*")):
            if p.is_file():
                zf.write(p, f"park/{p.relative_to(dest).as_posix()}")
    assert _verdicts(run_check(archive, [PACK])) == _verdicts(run_check(dest, [PACK]))


def test_round_trip_seeded_mistakes_name_sheet_row_and_column(tmp_path):
    dest = _workbook_bundle(tmp_path)
    date_col = _column_of(dest / WORKBOOK, DOCS, "发布日期")
    status_col = _column_of(dest / WORKBOOK, DOCS, "状态")
    _edit_workbook(dest / WORKBOOK, DOCS, {f"{date_col}12": "2024-13-45", f"{status_col}5": "有小"})
    proc = run_in_process("check", dest, "--lang", "zh")
    assert proc.returncode == EXIT_INPUT_ERROR
    assert (f"证据无效：{WORKBOOK}!{DOCS}!{date_col}12: 发布日期（/documents/10/issue_date）：应为 YYYY-MM-DD 格式的日期，"
            "实为 '2024-13-45'\n") in proc.stderr
    assert (f"证据无效：{WORKBOOK}!{DOCS}!{status_col}5: 状态（/documents/3/status）：“有小”不是可选值，"
            "可填：有效、草稿、作废\n") in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_finding_in_a_workbook_points_at_its_row(tmp_path):
    dest = _workbook_bundle(tmp_path)
    status_col = _column_of(dest / WORKBOOK, DOCS, "状态")
    wb = openpyxl.load_workbook(dest / WORKBOOK)
    row = next(c.row for c in wb[DOCS]["A"] if c.value == "LG-CMS-002")  # the policy's register entry
    _edit_workbook(dest / WORKBOOK, DOCS, {f"{status_col}{row}": "作废"})
    report = run_check(dest, [PACK])
    evidence = [e for n in report.nonconformities for e in n.evidence if e.file == f"{WORKBOOK}!{DOCS}"]
    assert evidence and {e.line for e in evidence} == {row}


def test_serial_dates_and_numbers_stored_as_text_are_read(tmp_path):
    dest = _workbook_bundle(tmp_path)
    date_col = _column_of(dest / WORKBOOK, DOCS, "发布日期")
    _edit_workbook(dest / WORKBOOK, DOCS, {f"{date_col}2": 45000, f"{date_col}3": "45001",
                                           f"{date_col}4": "2023年2月20日"})
    wb = openpyxl.load_workbook(dest / WORKBOOK)
    kv = wb["内部审核"]
    row = next(r for r in range(2, kv.max_row + 1) if kv.cell(row=r, column=4).value == "programme.interval_months")
    kv.cell(row=row, column=2).value = " 12 "
    wb.save(dest / WORKBOOK)
    bundle, problems = load_and_validate(dest)
    assert problems == []
    docs = next(d for d in bundle.documents if d.kind == "documented_information").data["documents"]
    assert [d["issue_date"] for d in docs[:3]] == ["2023-03-15", "2023-03-16", "2023-02-20"]
    audit = next(d for d in bundle.documents if d.kind == "internal_audit").data
    assert audit["programme"]["interval_months"] == 12


def test_headers_may_be_field_keys_and_sheets_kind_names(tmp_path):
    dest = tmp_path / "park"
    shutil.copytree(CONFORMING, dest)
    tables_as_workbook(dest)  # every CSV table of the park as a sheet named by its kind or kind.list
    assert _verdicts(run_check(dest, [PACK])) == _verdicts(_yaml_report(PACK))


# -- what is refused, and what is not used ---------------------------------------------------------

def _one_error(proc) -> str:
    """The one problem of a refused run, listed and counted (``1 problem in 1 file``)."""
    lines = listed_problems(proc.stdout, proc.stderr)
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_unknown_column_names_the_header_cell(tmp_path):
    dest = _workbook_bundle(tmp_path)
    _edit_workbook(dest / WORKBOOK, DOCS, {"L1": "备注"})
    proc = run_in_process("validate", dest)
    assert proc.returncode == EXIT_INPUT_ERROR
    assert f"{WORKBOOK}!{DOCS}!L1: unknown column '备注'" in _one_error(proc)


def test_a_child_row_naming_no_parent_is_an_error_at_its_cell(tmp_path):
    dest = _workbook_bundle(tmp_path)
    _edit_workbook(dest / WORKBOOK, "内部审核-审核发现", {"A3": "IA-9999"})
    proc = run_in_process("check", dest)
    assert proc.returncode == EXIT_INPUT_ERROR
    assert f"{WORKBOOK}!内部审核-审核发现!A3: no record 'IA-9999'" in _one_error(proc)


def test_zip_bomb_workbook_is_refused(tmp_path):
    dest = tmp_path / "park"
    shutil.copytree(CONFORMING, dest)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (20 << 20) + b"/>")
    (dest / "bomb.xlsx").write_bytes(buf.getvalue())
    proc = run_parkcheck("check", dest)
    assert proc.returncode == EXIT_INPUT_ERROR
    line = _one_error(proc)
    assert "bomb.xlsx" in line and "zip bomb" in line and "--max-compression-ratio" in line


def test_huge_sheet_is_refused_with_the_row_limit(tmp_path):
    dest = _workbook_bundle(tmp_path)
    proc = run_in_process("check", dest, "--max-csv-rows", "10")
    assert proc.returncode == EXIT_INPUT_ERROR
    line = _one_error(proc)
    assert f"{WORKBOOK}!" in line and "more than 10 rows (--max-csv-rows)" in line


def test_a_corrupt_workbook_is_one_line_exit_2(tmp_path):
    dest = tmp_path / "park"
    shutil.copytree(CONFORMING, dest)
    (dest / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    proc = run_parkcheck("validate", dest)
    assert proc.returncode == EXIT_INPUT_ERROR
    assert "broken.xlsx: not a readable .xlsx workbook" in _one_error(proc)


def test_files_and_sheets_nothing_reads_are_listed_as_not_used(tmp_path):
    dest = _workbook_bundle(tmp_path)
    wb = openpyxl.load_workbook(dest / WORKBOOK)
    wb.create_sheet("备注")["A1"] = "会议安排"
    wb.create_sheet("空白")  # an empty sheet holds nothing: not listed
    wb.save(dest / WORKBOOK)
    (dest / "attachments" / "unreferenced.pdf").write_bytes(b"%PDF-1.4")
    report = run_check(dest, [PACK])
    assert report.unused_files == ("attachments/unreferenced.pdf", f"{WORKBOOK}!备注")
    assert json_report.to_dict(report)["unused_files"] == list(report.unused_files)
    proc = run_in_process("check", dest, "--standard", PACK)
    assert f"未使用的文件（没有任何文档读取或引用）: {WORKBOOK}!备注" in proc.stdout
    assert "未使用的文件（没有任何文档读取或引用）: attachments/unreferenced.pdf" in proc.stdout


@pytest.mark.parametrize("name", ["lvgu-park", "donghu-park", "binhai-park"])
def test_example_parks_use_every_file(name):
    report = example_report(CONFORMING.parent / name)
    assert report.unused_files == ()


def test_the_template_is_byte_identical_across_runs():
    kinds = template_kinds([PACK], None, load_schemas())
    assert build_template(kinds, [PACK]) == build_template(kinds, [PACK])


def test_a_sheet_name_with_a_bidi_override_is_refused(tmp_path):
    dest = tmp_path / "park"
    shutil.copytree(CONFORMING, dest)
    wb = openpyxl.Workbook()
    wb.active.title = "备注\u202e"
    wb.active["A1"] = "x"
    wb.save(dest / "notes.xlsx")
    proc = run_in_process("validate", dest)
    assert proc.returncode == EXIT_INPUT_ERROR
    assert "notes.xlsx: sheet name contains the invisible or control character U+202E" in _one_error(proc)


def test_a_workbook_under_attachments_is_an_attachment_not_read(tmp_path):
    dest = tmp_path / "park"
    shutil.copytree(CONFORMING, dest)
    (dest / "attachments" / "scan.xlsx").write_bytes(b"not even a zip")  # never opened
    bundle, problems = load_and_validate(dest)
    assert problems == [] and "attachments/scan.xlsx" in bundle.attachments
