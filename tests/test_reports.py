"""The four report formats: content, escaping, self-containment, atomic writing, languages."""

from __future__ import annotations

import csv
import io
import re

import pytest

from checker.check import run_check
from checker.reporters import FORMATS, csv_report, html_report, md_report, write_reports

from .conftest import DEFECTIVE, edit_text, example_report


@pytest.fixture(scope="module")
def report():
    return example_report(DEFECTIVE)


def test_html_is_self_contained_and_printable(report):
    html = html_report.render(report).decode("utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # no external assets
    assert "<script" not in html and "<link" not in html
    assert "@media print" in html
    assert html.count('class="nc ') == len(report.nonconformities)
    assert report.nonconformities[0].id in html and "policy.yaml:6#/commitments" in html


def test_html_escapes_evidence_text(base_copy):
    edit_text(base_copy / "bundle.yaml", "示例产业园区（规则测试夹具）", '"<script>alert(1)</script>"')
    edit_text(base_copy / "policy.yaml", "title: 碳排放管理方针", "title: <b>方针</b>")
    edit_text(base_copy / "policy.yaml", "  - {type: legal_compliance, text: 遵守与碳排放管理有关的适用法律法规及其他要求。}\n", "")
    html = html_report.render(run_check(base_copy)).decode("utf-8")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<b>方针</b>" not in html and "&lt;b&gt;方针&lt;/b&gt;" in html


def test_csv_is_excel_friendly(report):
    data = csv_report.render(report)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["编号", "标准条款", "标准", "仅依据标题的条款", "要求", "不符合事实", "等级", "证据位置", "整改建议",
                       "规则"]
    legal = next(r for r in rows if r[1] == "T/CPQS ZC001—2025 6.2 d)")  # the clause paired with its standard's code
    assert legal[2] == "T/CPQS ZC001—2025 产业园区碳排放管理体系建设规范" and legal[3] == ""
    assert legal[6] == "一般" and legal[7] == "policy.yaml:6#/commitments" and "legal_compliance" in legal[8]
    en = list(csv.reader(io.StringIO(csv_report.render(report, "en").decode("utf-8-sig"))))
    assert en[0][0] == "No." and next(r for r in en if r[1] == "T/CPQS ZC001—2025 6.2 d)")[6] == "Minor"


def test_markdown_lists_every_nonconformity_and_clause(report):
    md = md_report.render(report).decode("utf-8")
    for nc in report.nonconformities:
        assert f"### {nc.id}" in md
    assert "| 10.3.2 f) | 资源分配 | 不符合（一般） |" in md
    assert "“未检查”表示所选规则包尚无规则覆盖该条款，不代表符合。" in md
    en = md_report.render(report, "en").decode("utf-8")
    assert "# Carbon emission management system conformity report" in en and "Nonconformity (Minor)" in en


def test_reports_are_written_atomically_and_completely(report, tmp_path, monkeypatch):
    # which files are written is asserted, not what a printed page shows (tests/test_pdf.py): the PDF,
    # the one renderer that takes seconds, stands in as a few bytes
    monkeypatch.setitem(FORMATS, "pdf", (FORMATS["pdf"][0], lambda _report, _lang: b"%PDF-1.7 stand-in"))
    written = write_reports(report, tmp_path / "out", list(FORMATS))
    assert sorted(p.name for p in written) == sorted(name for name, _ in FORMATS.values())
    assert {"nonconformities.csv", "report.html", "report.json", "report.md"} <= {p.name for p in written}
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in written)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary folder left beside it
    assert all(p.stat().st_mode & 0o044 for p in written)  # readable like any other file


def test_a_failed_write_leaves_the_previous_report(report, tmp_path, monkeypatch):
    import checker.reporters as reporters

    out = tmp_path / "out"
    write_reports(report, out, ["json"])
    before = (out / "report.json").read_bytes()
    real = reporters._write_new_stream  # every report file, streamed (json) or rendered, is written by it
    calls = []

    def boom(path, produce):
        calls.append(path.name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(path, produce)

    monkeypatch.setattr(reporters, "_write_new_stream", boom)
    from checker.errors import InputError
    with pytest.raises(InputError, match="No space left"):
        write_reports(report, out, ["json", "md"], "en")
    assert calls == ["report.json", "report.md"]
    assert [p.name for p in out.iterdir()] == ["report.json"] and (out / "report.json").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
