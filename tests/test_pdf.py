"""report.pdf (checker.reporters.pdf_report): A4 pages numbered in the margin, Chinese text embedded
and extractable, long titles whole, table headers repeated, a cover with the audit information and
a signature block, no advice in an audit, no fetches, one clear line without a Chinese font.

Each bundle is checked and printed once per module; the pages are read back with poppler
(pdfinfo, pdftotext, pdffonts, pdftoppm), as a reader of the file would see them."""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from checker.check import run_check
from checker.cli import main
from checker.labels_audit import PDF
from checker.labels_out import REPORT
from checker.modes import AUDIT
from checker.reporters import FORMATS, pdf_report
from checker.resources import data_dir

from .conftest import BASE_FIXTURE, CONFORMING, DEFECTIVE, edit_text, example_report

# Skipped on a developer's machine without poppler; in CI (.ci/run installs it and sets
# PARKCHECK_RENDER_TESTS=required) a missing tool fails the tests instead.
pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("pdfinfo", "pdftotext", "pdftoppm", "pdffonts"))
    and os.environ.get("PARKCHECK_RENDER_TESTS") != "required",
    reason="poppler-utils (pdfinfo, pdftotext, pdftoppm, pdffonts) not installed")

A4 = (595.28, 841.89)  # points

# An audit record as schemas/audit.schema.json describes it (the audit helper puts it on report.audit).
AUDIT_INFO = {
    "kind": "audit",
    "certification_body": {"name": "华中低碳认证中心", "accreditation": "CNCA-R-2099-001"},
    "audit_number": "HZ-2025-0117",
    "audit_type": "stage1",
    "dates": {"start": "2025-03-26", "end": "2025-03-28"},
    "team": [{"name": "李审核", "role": "lead_auditor", "registration": "2021-N1-0001"},
             {"name": "王审核", "role": "technical_expert"}],
    "auditee": [{"name": "陈代表", "position": "管委会副主任"}],
    "scope": "开发区管委会管理的全部区域及入园企业的碳排放管理活动",
    "standards": [{"standard": "t-cpqs-zc001-2025", "edition": "2025"}],
    "sites": [{"name": "管委会办公楼", "address": "东湖大道 1 号"}],
}


@dataclasses.dataclass
class Printed:
    path: Path
    report: object
    pages: int
    size: tuple[float, float]
    page_text: list[str]  # pdftotext -raw, page by page

    @property
    def text(self) -> str:
        return "\n".join(self.page_text)


def _print(report, lang: str, folder: Path) -> Printed:
    path = folder / "report.pdf"
    path.write_bytes(pdf_report.render(report, lang))
    return _read(path, report)


def _read(path: Path, report) -> Printed:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "100000", path], capture_output=True, text=True,
                          check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])
    sizes = {(float(w), float(h)) for w, h in re.findall(r"^Page\s+\d+\s+size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)}
    assert len(sizes) == 1, f"pages of different sizes: {sizes}"
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", path, "-"], capture_output=True, text=True,
                          check=True).stdout
    page_text = text.split("\f")[:pages]
    return Printed(path, report, pages, sizes.pop(), page_text)


@pytest.fixture(scope="module")
def donghu(tmp_path_factory):
    """The defective example printed by ``parkcheck check --format pdf`` (with the JSON beside it)."""
    out = tmp_path_factory.mktemp("donghu") / "out"
    result = CliRunner().invoke(main, ["check", str(DEFECTIVE), "--format", "pdf", "--format", "json",
                                       "--out", str(out), "--quiet"], catch_exceptions=False)
    assert result.exit_code == 1, result.stderr  # nonconformities found
    assert result.stderr == ""
    return _read(out / "report.pdf", example_report(DEFECTIVE))


@pytest.fixture(scope="module")
def lvgu(tmp_path_factory):
    return _print(example_report(CONFORMING), "en", tmp_path_factory.mktemp("lvgu"))


@pytest.fixture(scope="module")
def audited(donghu, tmp_path_factory):
    """The defective example as a certification body's stage-1 audit: audit information and conclusion."""
    folder = tmp_path_factory.mktemp("audit")
    record = folder / "audit.yaml"
    record.write_text(yaml.safe_dump(AUDIT_INFO, allow_unicode=True, sort_keys=False), encoding="utf-8")
    report = run_check(DEFECTIVE, mode=AUDIT, given={"audit": record})
    assert report.conclusion and report.conclusion["blocking"]  # open majors block the recommendation
    return _print(report, "zh", folder)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_pdf_is_asked_for_not_written_by_default(cli, tmp_path):
    from checker.cli_support import FORMAT_CHOICES
    assert FORMATS["pdf"][0] == "report.pdf" and "pdf" in FORMAT_CHOICES
    out = tmp_path / "out"
    assert cli("check", BASE_FIXTURE, "--out", out, "--quiet").exit_code in (0, 1)
    assert sorted(p.name for p in out.iterdir()) == ["nonconformities.csv", "report.html", "report.json", "report.md"]


@pytest.mark.parametrize("which", ["donghu", "lvgu", "audited"])
def test_pages_are_a4_and_numbered_in_the_margin(which, request):
    printed = request.getfixturevalue(which)
    assert abs(printed.size[0] - A4[0]) <= 1 and abs(printed.size[1] - A4[1]) <= 1
    assert printed.pages > 1
    n = printed.pages
    if which == "lvgu":
        assert f"Page 1 of {n}" in printed.page_text[0] and f"Page {n} of {n}" in printed.page_text[-1]
    else:
        assert f"第 1 页 共 {n} 页" in printed.page_text[0] and f"第 {n} 页 共 {n} 页" in printed.page_text[-1]
        assert all(f"第 {i} 页 共 {n} 页" in t for i, t in enumerate(printed.page_text, 1))


def test_chinese_text_is_embedded_and_extractable(donghu):
    fonts = subprocess.run(["pdffonts", donghu.path], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all(row[-5] == "yes" for row in rows), fonts  # every font embedded (emb column)
    assert any("CJK" in row[0] for row in rows), fonts
    park = donghu.report.bundle["park"]["name"]
    assert park in donghu.page_text[0]
    nc = donghu.report.nonconformities[0]
    title = next(v.title for v in donghu.report.verdicts if (v.standard, v.clause) == nc.clauses[0])
    assert _flat(title) in _flat(donghu.text)
    assert nc.id in donghu.text and _flat(nc.finding.zh) in _flat(donghu.text)
    assert "\ufffd" not in donghu.text  # no character the fonts could not show


def test_long_titles_and_requirements_are_whole(donghu):
    flat = _flat(donghu.text)
    longest = max(donghu.report.verdicts, key=lambda v: len(v.title))
    assert len(longest.title) > 20 and _flat(longest.title) in flat
    requirement = max((n.requirement for n in donghu.report.nonconformities), key=len)
    assert len(requirement) > 30 and _flat(requirement) in flat
    # the longest finding fills more than a line of its column: it wraps, whole, over several lines
    finding = max((n.finding.zh for n in donghu.report.nonconformities), key=len)
    assert _flat(finding) in flat
    assert not any(_flat(finding) in _flat(line) for line in donghu.text.splitlines())


def test_table_headers_repeat_on_continuation_pages(donghu):
    labels = {k: v[0] for k, v in REPORT.items()}
    header = " ".join((labels["clause"], labels["clause_title"], labels["verdict"], labels["rules"]))
    with_header = [i for i, t in enumerate(donghu.page_text) if header in t]
    verdict_rows = sum(1 for v in donghu.report.verdicts)
    assert verdict_rows > 100  # the clause table spans several pages
    continuation = [i for i in with_header if labels["verdicts"] not in donghu.page_text[i]]
    assert len(with_header) >= 3 and continuation, with_header
    # every page of the clause table starts with the header: pages between the first and last hold it
    assert with_header == list(range(with_header[0], with_header[-1] + 1))


def test_cover_without_audit_information_shows_the_bundle(donghu):
    cover = donghu.page_text[0]
    bundle = donghu.report.bundle
    for value in (bundle["park"]["name"], bundle["period"]["start"], bundle["audit_date"],
                  donghu.report.packs[0].code):
        assert value in cover
    assert _flat(PDF["no_audit_info"][0]) in _flat(cover)


def test_cover_shows_the_audit_information_and_the_end_a_signature_block(audited):
    cover = audited.page_text[0]
    for value in ("华中低碳认证中心", "CNCA-R-2099-001", "HZ-2025-0117", "第一阶段审核", "2025-03-26", "2025-03-28",
                  "李审核", "审核组长", "技术专家", "陈代表", "管委会副主任", "管委会办公楼", "东湖大道 1 号",
                  audited.report.conclusion["text"]["zh"], audited.report.packs[0].code):
        assert value in cover, value
    last = audited.page_text[-1]
    assert re.search(r"审核组长 李审核 签字 日期", last) and re.search(r"受审核方代表 陈代表 签字 日期", last), last


def test_an_audit_pdf_holds_no_advice(donghu, audited):
    advice = sorted({t for n in donghu.report.nonconformities if n.remediation
                     for t in (n.remediation.zh,) if len(t) > 8})
    assert advice
    assert any(_flat(t) in _flat(donghu.text) for t in advice)  # a pre-check prints it
    assert [t for t in advice if _flat(t) in _flat(audited.text)] == []
    assert all(n.id in audited.text for n in donghu.report.nonconformities)


def test_pages_render_to_a4_images(donghu, tmp_path):
    subprocess.run(["pdftoppm", "-png", "-r", "50", donghu.path, tmp_path / "page"], check=True, timeout=120)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == donghu.pages
    for image in images:
        head = image.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", head[16:24])
        assert abs(width - 413) <= 2 and abs(height - 585) <= 2 and abs(height / width - 2 ** 0.5) < 0.01
        assert image.stat().st_size > 2000  # not a blank page


def test_bundle_text_is_shown_literally_and_nothing_is_fetched(base_copy, tmp_path, monkeypatch, caplog):
    marker = tmp_path / "fetched"
    hostile = f'"<img src=\\"file://{marker}\\"><b>园区</b>&amp;"'
    edit_text(base_copy / "bundle.yaml", "示例产业园区（规则测试夹具）", hostile)
    fetched = []
    real = pdf_report.packaged_file
    monkeypatch.setattr(pdf_report, "packaged_file", lambda url, root: fetched.append(url) or real(url, root))
    report = run_check(base_copy)
    with caplog.at_level(logging.INFO, logger="weasyprint"):
        printed = _print(report, "zh", tmp_path)
    # the printer had nothing to complain about: no unsupported style, no unreachable resource
    assert [r.getMessage() for r in caplog.records if r.name == "weasyprint" and r.levelno >= logging.WARNING] == []
    assert _flat(f'<img src="file://{marker}"><b>园区</b>&amp;') in _flat(printed.page_text[0])
    assert fetched == []  # no address was even asked for: the markup stayed text


def test_the_fetcher_serves_only_the_templates_own_files():
    root = data_dir("templates").resolve()
    css = root / "report.pdf.css"
    assert pdf_report.packaged_file(css.as_uri(), root) == css
    for url in ("https://example.com/x.css", "http://127.0.0.1/", "file:///etc/passwd", "data:text/css,a{}",
                (root / ".." / "pyproject.toml").as_uri(), css.as_uri() + "?x=1", "file://host" + str(css)):
        assert pdf_report.packaged_file(url, root) is None, url
    import weasyprint  # a dependency of parkcheck
    fetcher = pdf_report._packaged_only(weasyprint)
    with pytest.raises(ValueError, match="fetches nothing but its own template files"):
        fetcher.fetch("https://example.com/logo.png")
    assert b"@page" in fetcher.fetch(css.as_uri()).read()


def test_without_a_chinese_font_the_pdf_stops_with_one_line(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_report, "_fc_families", set)
    pdf_report.chinese_fonts.cache_clear()
    try:
        out = tmp_path / "out"
        result = cli("check", DEFECTIVE, "--format", "pdf", "--out", out, "--quiet")
    finally:
        pdf_report.chinese_fonts.cache_clear()
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "fonts-noto-cjk" in result.stderr and "report.pdf" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


def test_the_cli_writes_report_pdf(donghu):
    assert sorted(p.name for p in donghu.path.parent.iterdir()) == ["report.json", "report.pdf"]
