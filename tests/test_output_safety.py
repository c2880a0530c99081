"""Bundle text cannot forge or inject output: the terminal shows markup and control characters
literally, error lines stay one line, CSV cells never start a formula, Markdown keeps no raw HTML
or Markdown syntax from the evidence, and huge values cannot stall the terminal."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import time

import pytest
from markdown_it import MarkdownIt
from rich.console import Console

from checker.check import run_check
from checker.crosswalk import Crosswalk, Topic
from checker.crosswalk import render as render_crosswalk
from checker.escape import EXCEL_CELL_LIMIT, csv_cell, markdown, markdown_code, one_line, printable
from checker.model import Text
from checker.modes import PRECHECK, in_mode
from checker.reporters import csv_report, html_report, json_report, md_report
from checker.reporters.terminal import CELL_LIMIT, print_summary

from .conftest import BASE_FIXTURE, PACK, edit_text, listed_problems, run_parkcheck

PARK = ('[bold]加粗[/bold] [/nope] [link=http://evil.example]点我[/link] <script>alert(1)</script> '
        '=HYPERLINK("http://x") | 管道 :smile: \x1b[31mRED\x1b[0m\nparkcheck: error: forged LTR')  # bidi overrides are refused on input (test_hostile)
TITLE = "=cmd|' /C calc'!A0 [red]红[/red] <img src=x onerror=alert(1)> `tick` *em* _u_\n- fake bullet\n# fake heading"
FILE = "=1+1 [bold]`p`|<b>[31m.yaml"  # control characters in file names are refused (test_hostile)


def yaml_quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The base fixture with a hostile park name, a hostile policy title (which the finding of
    rule zc001-6.2-d quotes, after its legal-compliance commitment is removed) and file name."""
    import shutil

    bundle = tmp_path_factory.mktemp("hostile") / "bundle"
    shutil.copytree(BASE_FIXTURE, bundle)
    edit_text(bundle / "bundle.yaml", "示例产业园区（规则测试夹具）", yaml_quote(PARK))
    edit_text(bundle / "policy.yaml", "title: 碳排放管理方针", "title: " + yaml_quote(TITLE))
    edit_text(bundle / "policy.yaml", "  - {type: legal_compliance, text: 遵守与碳排放管理有关的适用法律法规及其他要求。}\n", "")
    (bundle / "policy.yaml").rename(bundle / FILE)
    report = run_check(bundle, [PACK])
    nc = next(n for n in report.nonconformities if "zc001-6.2-d" in n.rules)
    assert TITLE in nc.finding.zh and nc.evidence[0].file == FILE  # the hostile text reached the finding
    return bundle, report


def terminal_output(report, **console_args) -> str:
    buf = io.StringIO()
    # every section, the clause table included (--all), and the pre-check remediation lines
    print_summary(in_mode(report, PRECHECK), Console(file=buf, width=160, highlight=False, **console_args), "zh",
                  show_all=True)
    return buf.getvalue()


def test_terminal_prints_markup_and_control_characters_literally(hostile):
    _, report = hostile
    out = terminal_output(report)
    assert "\x1b" not in out and "\u202e" not in out
    first = out.splitlines()[0]
    assert first.startswith("[bold]加粗[/bold] [/nope] [link=http://evil.example]点我[/link] <script>")
    assert "\\x1b[31mRED\\x1b[0m\\nparkcheck: " in first  # shown escaped, on the first line
    assert not any(line.startswith("parkcheck") for line in out.splitlines())
    assert ":smile:" in first and "😄" not in out
    assert "[red]红[/red]" in out and "<b>[31m.yaml" in out


def test_terminal_makes_no_links_or_colours_from_evidence(hostile):
    _, report = hostile
    out = terminal_output(report, force_terminal=True, color_system="standard")
    assert "\x1b]8;" not in out  # no OSC 8 hyperlink
    assert "[link=http://evil.example]" in out
    assert "\x1b[31mRED" not in out and "\\x1b[31mRED" in out


def test_a_huge_finding_does_not_stall_the_terminal(hostile):
    _, report = hostile
    huge = "很长的自由文本 [bold] " * 700_000  # about 10 MB
    ncs = [dataclasses.replace(n, finding=Text(huge, huge)) for n in report.nonconformities]
    report = dataclasses.replace(report, nonconformities=ncs)
    start = time.perf_counter()
    out = terminal_output(report)
    assert time.perf_counter() - start < 10
    # the marker may wrap inside its table cell (the width of the id column decides where): read the cells' text
    flat = " ".join(out.replace("│", " ").split())
    assert len(out) < 100_000 and "truncated, " in flat and f"{len(huge) - CELL_LIMIT} more characters" in flat
    assert json.loads(json_report.render(report))["nonconformities"][0]["finding"]["zh"] == huge  # files keep it all


def test_cli_error_lines_quote_file_names_escaped(tmp_path):
    import shutil

    bundle = tmp_path / "bundle"
    shutil.copytree(BASE_FIXTURE, bundle)
    (bundle / "x\nparkcheck: error: forged \x1b[31mred.yaml").write_text("kind: [unclosed\n", encoding="utf-8")
    for command in ("check", "validate"):
        proc = run_parkcheck(command, bundle)
        assert proc.returncode == 2
        assert "\x1b" not in proc.stdout + proc.stderr
        lines = listed_problems(proc.stdout, proc.stderr)  # the one problem, then the count line
        assert len(lines) == 1 and lines[0].startswith("parkcheck: error: x"), lines
        assert "\x1b" not in lines[0] and "forged" in lines[0]
        assert "file name contains the invisible or control character" in lines[0]  # refused before it is parsed


def test_problem_lines_are_one_line():
    from checker.errors import InputError, Problem

    p = Problem("bad value 'a\nb'", "dir\n/f\x1b.yaml", 3, 1, "/x\r")
    assert str(p) == "dir\\n/f\\x1b.yaml:3:1: /x\\r: bad value 'a\\nb'"
    assert "\n" not in str(InputError("m\u202e", "a\u2066b"))


# --- CSV ---

@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "  =1", "\n=1", " \t@x"])
def test_csv_cells_never_start_a_formula(cell):
    out = csv_cell(cell)
    assert out.startswith("'") and out[1:] == printable(cell)


def test_csv_cells_keep_ordinary_text():
    assert csv_cell("方针《碳排放管理方针》") == "方针《碳排放管理方针》"
    assert csv_cell("a=1") == "a=1" and csv_cell("") == "" and csv_cell(None) == ""
    assert csv_cell("行一\n行二") == "行一\n行二"


def test_nonconformities_csv_neutralises_evidence_text(hostile):
    _, report = hostile
    rows = list(csv.reader(io.StringIO(csv_report.render(report).decode("utf-8-sig"))))
    row = next(r for r in rows if r[-1] == "zc001-6.2-d")
    assert row[rows[0].index("证据位置")] == "'" + printable(FILE) + ":14#/commitments"
    for r in rows[1:]:
        for cell in r:
            assert cell.lstrip()[:1] not in ("=", "+", "-", "@") and "\x1b" not in cell, cell


def test_csv_cells_over_128_kib_are_cut_to_excel_size_and_readable(hostile):
    _, report = hostile
    big = "证" * 200_000  # 600 KB of UTF-8, more than csv's default 128 KiB field limit
    ncs = [dataclasses.replace(n, finding=Text(big, big)) for n in report.nonconformities]
    data = csv_report.render(dataclasses.replace(report, nonconformities=ncs))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))  # default field limit: does not raise
    cell = rows[1][rows[0].index("不符合事实")]
    assert len(cell) <= EXCEL_CELL_LIMIT and cell.startswith("证" * 1000) and cell.endswith("JSON, Markdown and HTML reports）")


def test_crosswalk_csv_neutralises_formulas():
    cw = Crosswalk((Topic("t", "=HYPERLINK(\"http://x\")", "@x", {"p": ("-1", "6.2")}),))
    rows = list(csv.reader(io.StringIO(render_crosswalk(cw, ["p"], "csv", "zh"))))
    assert rows[1] == ["'=HYPERLINK(\"http://x\")", "'-1; 6.2"]
    md = render_crosswalk(Crosswalk((Topic("t", "<b>x</b> | y", "", {"p": ("6.2",)}),)), ["p"], "md", "zh")
    assert "| &lt;b&gt;x&lt;/b&gt; \\| y | 6.2 |" in md


# --- Markdown and HTML ---

def test_markdown_report_keeps_no_raw_html_or_markdown_from_the_evidence(hostile):
    _, report = hostile
    md = md_report.render(report).decode("utf-8")
    assert "<script" not in md and "<img" not in md and "<b>" not in md and "\x1b" not in md
    park_row = next(line for line in md.splitlines() if line.startswith("| 园区 |"))
    html = MarkdownIt("commonmark").enable("table").render(md)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "<a " not in html and "<em>" not in html and "<strong>加粗" not in html
    assert "<h1>fake heading" not in html and "<li>fake bullet" not in html
    # The park row is still one table row of two cells showing the name literally.
    row = MarkdownIt("commonmark").enable("table").render("| | |\n|---|---|\n" + park_row + "\n")
    cells = row.split("<tbody>")[1]
    assert cells.count("<td>") == 2
    assert "[bold]加粗[/bold] [/nope] [link=http://evil.example]点我[/link] &lt;script&gt;alert(1)&lt;/script&gt;" in cells
    assert "| 管道" in cells and "\\x1b[31mRED" in cells and "<br>parkcheck: error: forged LTR" in cells
    finding = next(line for line in md.splitlines() if line.startswith("- **不符合事实**"))
    rendered = MarkdownIt("commonmark").render(finding)
    assert "[red]红[/red] &lt;img src=x onerror=alert(1)&gt; `tick` *em* _u_<br>- fake bullet<br># fake heading" in rendered
    evidence = next(line for line in md.splitlines() if line.startswith("- **证据位置**"))
    assert "=1+1 [bold]`p`|&lt;b&gt;[31m.yaml:14#/commitments" in MarkdownIt("commonmark").render(evidence)


def test_markdown_escaping_functions():
    assert markdown("a|b\nc") == "a\\|b<br>c"
    assert markdown("<script>") == "&lt;script&gt;" and markdown("&lt;") == "&amp;lt;"
    assert markdown("legal_compliance") == "legal_compliance" and markdown("_x_") == "\\_x\\_"
    assert markdown_code("policy.yaml:6#/commitments") == "`policy.yaml:6#/commitments`"
    assert markdown_code("a`b") == "a\\`b" and markdown_code("a|b") == "a\\|b"


def test_html_report_shows_control_characters_escaped(hostile):
    _, report = hostile
    html = html_report.render(report).decode("utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\x1b" not in html and "\u202e" not in html and "\\x1b[31mRED" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_escaping_is_idempotent_and_one_line():
    text = "a\nb\x1b\u202e\u200b\ud800c\\n"
    once = one_line(text)
    assert once == "a\\nb\\x1b\\u202e\\u200b\\ud800c\\n" and one_line(once) == once
    once.encode("utf-8")  # lone surrogates are escaped, so the text can be printed
