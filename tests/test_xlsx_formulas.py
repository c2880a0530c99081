"""A workbook saved by a program that does not calculate holds formulas without their results.  Such a
cell's value is unknown: in a number column it is a content gap at its cell that names the formula
and says how to get its result saved; in any other column the cell counts as not filled.  A formula
saved with its result (as Excel and WPS save them) reads as that result."""

from __future__ import annotations

import io
import re
import shutil
import zipfile

import openpyxl
import pytest

import checker.xlsxio as xlsxio
from checker.check import load_and_validate, run_check
from checker.model import Status
from checker.template_xlsx import build_template
from checker.xlsxcells import sheet_marks

from .conftest import CONFORMING
from .xlsx_fill import fill

WORKBOOK = "台账.xlsx"

SHEET = "能源消费台账-能源消费记录"


def _column(wb, label: str) -> int:
    return next(i for i, c in enumerate(wb[SHEET][1], start=1) if str(c.value).lstrip("*") == label)


@pytest.fixture(scope="module")
def park(tmp_path_factory):
    """evidence/lvgu-park with its energy ledger given as a workbook filled from the template."""
    dest = tmp_path_factory.mktemp("formulas") / "park"
    shutil.copytree(CONFORMING, dest)
    bundle, _ = load_and_validate(CONFORMING)
    [ledger] = [d for d in bundle.documents if d.kind == "energy_consumption"]
    (dest / ledger.path).unlink()
    manifest = (dest / "bundle.yaml").read_text(encoding="utf-8")
    (dest / "bundle.yaml").write_text(manifest.replace(f"  - {{file: {ledger.path}, kind: energy_consumption}}\n", ""),
                                      encoding="utf-8")
    data = {"energy_consumption": {"kind": "energy_consumption", **ledger.data}}
    (dest / WORKBOOK).write_bytes(fill(build_template(["energy_consumption"], ["t-cpqs-zc001-2025"]), data))
    assert not [p for p in load_and_validate(dest)[1] if p.file and p.file.startswith(WORKBOOK)]
    return dest


def _edit(park, cells: dict[str, object]):
    path = park / WORKBOOK
    original = path.read_bytes()
    wb = openpyxl.load_workbook(path)
    for label, value in cells.items():
        wb[SHEET].cell(2, _column(wb, label)).value = value
    wb.save(path)
    return original


def _gaps(park):
    _, problems = load_and_validate(park)
    return [p for p in problems if p.file and p.file.endswith(SHEET)]


def test_a_formula_without_its_result_in_a_number_column_is_a_gap_at_its_cell(park):
    original = _edit(park, {"实物消费量": "=100+50"})
    try:
        [gap] = _gaps(park)
        assert (gap.gap, gap.field, gap.line, gap.column) == ("type", "/records/0/quantity", 2, 6)
        assert "'=100+50'" in gap.message and "formula" in gap.message and "save it" in gap.message
        report = run_check(park, ["t-cpqs-zc001-2025"])
        [nc] = [r for r in report.results if r.status is Status.NONCONFORMITY]
        assert (nc.rule, nc.clause) == ("zc001-7.3.2-e-quantity", "7.3.2 e)")
        assert any(e.file == f"{WORKBOOK}!{SHEET}" and e.pointer == "/records/0/quantity" for e in nc.evidence)
    finally:
        (park / WORKBOOK).write_bytes(original)


def test_a_formula_without_its_result_in_a_text_column_is_not_filled(park):
    original = _edit(park, {"折标系数来源": "=A1"})  # a text every ledger row must give
    try:
        bundle, _ = load_and_validate(park)
        [doc] = [d for d in bundle.documents if d.path == f"{WORKBOOK}!{SHEET}"]
        records = doc.data["records"]
        assert "coefficient_source" not in records[0] and records[1]["coefficient_source"].startswith("GB/T 2589")
        assert not _gaps(park)  # left blank: the rule that needs the source finds it missing
        report = run_check(park, ["t-cpqs-zc001-2025"])
        [nc] = [r for r in report.results if r.status is Status.NONCONFORMITY]
        assert nc.rule == "zc001-7.3.2-e-coefficient-source" and nc.evidence[0].pointer.startswith("/records/0")
    finally:
        (park / WORKBOOK).write_bytes(original)


def _with_result(data: bytes, result: str) -> bytes:
    """The workbook with each formula's result stored next to it, as a calculating program saves it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                body = re.sub(rb"(<f>[^<]*</f>)(<v\s*/>|<v></v>)?", rb"\1<v>" + result.encode() + rb"</v>", body)
            dst.writestr(info, body)
    return out.getvalue()


def test_a_formula_saved_with_its_result_reads_as_the_result(park):
    original = _edit(park, {"实物消费量": "=100+50"})
    try:
        (park / WORKBOOK).write_bytes(_with_result((park / WORKBOOK).read_bytes(), "150"))
        bundle, _ = load_and_validate(park)
        [doc] = [d for d in bundle.documents if d.path == f"{WORKBOOK}!{SHEET}"]
        assert doc.data["records"][0]["quantity"] == 150
        assert not _gaps(park)
    finally:
        (park / WORKBOOK).write_bytes(original)


def test_a_workbook_without_formulas_is_opened_once(park, monkeypatch):
    assert sheet_marks((park / WORKBOOK).read_bytes()) == (False, False)
    opened = []
    real = xlsxio.open_workbook
    monkeypatch.setattr(xlsxio, "open_workbook", lambda *a, **k: opened.append(k) or real(*a, **k))
    load_and_validate(park)
    assert opened == [{}]


def test_a_formula_in_an_integer_column_is_a_gap_too(park):
    original = _edit(park, {"年份": "=2020+4"})
    try:
        [gap] = _gaps(park)
        assert (gap.gap, gap.field) == ("type", "/records/0/year") and "'=2020+4'" in gap.message
    finally:
        (park / WORKBOOK).write_bytes(original)
