"""Hostile input, third look (session 17): an independent hostile-corpus pass over the CLI against a clean
install found these; each test pins one, built from a copy of the conforming example park and run through
the real command in-process (a refusal is exit 2 and one readable line naming the file, line or cell, and
field; never "internal error", never a warning on the terminal).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import types
import warnings
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import CONFORMING, PACK, one_problem_line, run_in_process
from tests.xlsx_fill import register_as_workbook

DOCS = "documented_information.csv"


def _park(tmp_path: Path) -> Path:
    folder = tmp_path / "park"
    shutil.copytree(CONFORMING, folder)
    return folder




_one_line = one_problem_line


# -- dates out of the years the checks can count in ---------------------------------------------------------
# 0000-01-01 passed jsonschema-rs's date format (not jsonschema's) and stopped the check in facts.epoch_days
# (ValueError: year 0 is out of range); 0001-01-01 and 9999-12-31 are real dates, and the checks' arithmetic
# (months before the audit date, due dates after the audit) left the calendar: "internal error", exit 2.

@pytest.mark.parametrize("old,new,where", [
    ("start: 2023-01-01", "start: 0000-01-01", "bundle.yaml:8:3: Start date (/period/start): expected a date written "
                                               "YYYY-MM-DD, got '0000-01-01'"),
    ("audit_date: 2025-04-15", "audit_date: 0001-01-01", "bundle.yaml:10:1: Audit or self-check date (/audit_date): "
                                                         "expected a date from 1900-01-01 to 2999-12-31, got '0001-01-01'"),
    ("audit_date: 2025-04-15", "audit_date: 9999-12-31", "bundle.yaml:10:1: Audit or self-check date (/audit_date): "
                                                         "expected a date from 1900-01-01 to 2999-12-31, got '9999-12-31'"),
])
def test_a_date_out_of_range_in_the_manifest_is_one_line(tmp_path, old, new, where):
    folder = _park(tmp_path)
    manifest = folder / "bundle.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    proc = run_in_process("check", folder, "--out", tmp_path / "out", "--lang", "en")
    assert _one_line(proc) == f"parkcheck: invalid evidence: {where}"


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_an_audit_date_option_out_of_range_is_one_line(tmp_path, value):
    proc = run_in_process("check", CONFORMING, "--audit-date", value, "--out", tmp_path / "out", "--lang", "en")
    assert _one_line(proc) == (f"parkcheck: error: --audit-date: expected a date from 1900-01-01 to 2999-12-31, "
                               f"got '{value}'")


@pytest.mark.parametrize("text", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "9999-12-31"])
def test_a_waiver_date_out_of_range_is_a_value_error_not_an_overflow(text):
    """``shanghai_date`` turned 9999-12-31T23:59:59-12:00 into Shanghai time: OverflowError, which the
    waivers' reader (catching ValueError to name file, line and field) let through as an internal error."""
    from checker.waivers import OUT_OF_RANGE, shanghai_date

    with pytest.raises(ValueError, match=OUT_OF_RANGE):
        shanghai_date(text)
    assert shanghai_date("2025-06-30T23:59:59+08:00") == dt.date(2025, 6, 30)


def test_a_register_date_out_of_range_names_its_cell():
    from checker.errors import InputError
    from checker.limits import DEFAULT_LIMITS
    from checker.register_in import _Register
    from checker.schemas import load_schemas

    reg = _Register("nonconformities.xlsx", "不符合项登记表", DEFAULT_LIMITS, load_schemas())
    assert reg.date(dt.datetime(2025, 6, 30), "due_date", 3, 16) == "2025-06-30"
    with pytest.raises(InputError) as caught:
        reg.date(dt.datetime(9999, 12, 31), "due_date", 3, 16)
    assert "nonconformities.xlsx!不符合项登记表!P3" in str(caught.value)
    assert "expected a date from 1900-01-01 to 2999-12-31, got '9999-12-31'" in str(caught.value)


# -- workbooks: openpyxl's warnings never reach the terminal --------------------------------------------------

def test_a_date_serial_out_of_range_is_one_line_and_no_warning(tmp_path):
    """A date-formatted cell holding 2958466 (the day after 9999-12-31): openpyxl parses cells as the rows
    are read, after the workbook is opened, and warned "Cell F2 is marked as a date but the serial value
    2958466 is outside the limits for dates" on stderr beside the error line."""
    folder = _park(tmp_path)

    def out_of_range(ws):
        cell = ws.cell(2, [c.value for c in ws[1]].index("issue_date") + 1, 2958466)
        cell.number_format = "yyyy-mm-dd"

    register_as_workbook(folder, out_of_range)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        proc = run_in_process("check", folder, "--out", tmp_path / "out", "--lang", "en")
    assert not [w for w in seen if "openpyxl" in w.filename], [str(w.message) for w in seen]
    line = _one_line(proc)
    assert line.startswith("parkcheck: invalid evidence: ledger.xlsx!documented_information!F2: Issue date "
                           "(/documents/0/issue_date): "), line


# -- output paths the system refuses: one line naming the path, not an internal error -------------------------

def test_init_into_a_path_under_a_file_is_one_line(tmp_path):
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    target = tmp_path / "afile" / "park"
    proc = run_in_process("init", "-s", PACK, target)
    line = _one_line(proc)
    assert line.startswith(f"parkcheck: error: {target}: ") and "Not a directory" in line, line


@pytest.mark.parametrize("command", ["template", "checklist"])
def test_an_output_file_in_a_missing_folder_is_one_line(tmp_path, command):
    out = tmp_path / "missing" / ("t.xlsx" if command == "template" else "c.md")
    proc = run_in_process(command, "-s", PACK, "--out", out)
    line = _one_line(proc)
    assert line.startswith(f"parkcheck: error: {out}: cannot write") and "No such file or directory" in line, line
    assert not out.parent.exists()


@pytest.mark.parametrize("value", ["2025-W01-1", "20250101", "0001-01-01"])
def test_init_takes_only_a_date_written_yyyy_mm_dd_in_range(tmp_path, value):
    """``date.fromisoformat`` of Python 3.11 also reads 20250101 and ISO week dates; ``check --audit-date``
    refuses them.  0001-01-01 wrote a skeleton whose period starts in year 0 (``start: 0-01-01``)."""
    proc = run_in_process("init", "-s", PACK, "--audit-date", value, tmp_path / "park")
    assert proc.returncode == 2 and "--audit-date" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "park").exists()


# -- batch: a large --jobs starts no more Dask workers than there are bundles --------------------------------

def test_dask_local_cluster_has_no_more_workers_than_bundles(monkeypatch):
    """``--executor dask -j 200`` on two bundles started a LocalCluster of 200 worker processes (the local
    executor already starts at most one per bundle)."""
    from checker.executors import DaskExecutor

    asked = {}

    class Stop(Exception):
        pass

    def cluster(**kwargs):
        asked.update(kwargs)
        raise Stop

    fake = types.ModuleType("distributed")
    fake.LocalCluster, fake.Client = cluster, object
    monkeypatch.setitem(sys.modules, "distributed", fake)
    with pytest.raises(Stop):
        DaskExecutor(None, 200).run(None, [object(), object()], None)
    assert asked["n_workers"] == 2


# -- a CSV header naming no field: one line at the header, not one line per row ------------------------------

@pytest.mark.parametrize("old,new,col,message", [
    ("quality_tier", "qualty_tier", 20, "qualty_tier: unknown column 'qualty_tier' (columns of this table: 记录编号、"),
    ("quality_tier", "\x1b[31mX\rparkcheck: error: forged", 20, "\\x1b[31mX\\rparkcheck: error: forged: unknown column"),
    ("quality_tier", "活动数据", 20, "活动数据: column '活动数据' is given twice"),  # the title of activity, also there
])
def test_a_csv_column_naming_no_field_is_one_line_at_the_header(tmp_path, old, new, col, message):
    """A typo in one header cell of the GHG inventory (288 rows) gave 50 lines "ghg_inventory.csv:<row>:160:
    /records/<n>/qualty_tier: unknown field" and "... and 238 more problems"; a workbook's sheet already
    gave one line at the header cell.  A control character in the header is shown escaped."""
    folder = _park(tmp_path)
    table = folder / "ghg_inventory.csv"
    lines = table.read_text(encoding="utf-8").split("\n")
    assert lines[0].split(",")[col - 1] == old
    lines[0] = lines[0].replace(old, f'"{new}"' if "\r" in new else new)
    table.write_text("\n".join(lines), encoding="utf-8")
    proc = run_in_process("check", folder, "--out", tmp_path / "out", "--lang", "en")
    line = _one_line(proc)
    assert line.startswith(f"parkcheck: error: ghg_inventory.csv:1:{col}: {message}"), line


# -- a zip member whose directory lies about its size ------------------------------------------------------------

def test_a_member_lying_about_its_size_is_never_inflated_whole(tmp_path):
    """A member declaring 1,000 bytes that inflates to 800 MB passes every check of the directory (its size,
    the ratio); it was read with one ``read(budget + 1)``, which inflates up to the budget (1 GiB) at once
    before zipfile cuts it to the declared size and the CRC check refuses it: 585 MB resident for a 0.8 MB
    archive.  Read in pieces, the same refusal costs a piece."""
    import io
    import struct
    import tracemalloc
    import zipfile

    from checker.bundlefiles import _read_member
    from checker.errors import InputError
    from checker.limits import DEFAULT_LIMITS

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("attachments/scan.pdf", "w") as fh:
        zero = bytes(1 << 20)
        for _ in range(40):
            fh.write(zero)
    data = bytearray(buf.getvalue())
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):  # the sizes both headers declare
        struct.pack_into("<I", data, data.find(signature) + offset, 1000)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.infolist()[0]
        assert info.file_size == 1000
        tracemalloc.start()
        try:
            with pytest.raises(InputError, match="cannot be read: Bad CRC-32"):
                _read_member(zf, info, "bomb.zip", DEFAULT_LIMITS.max_unpacked_bytes, DEFAULT_LIMITS)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 8 << 20, peak  # was 90 MB here (the 40 MB member inflated, then cut), 585 MB with 800 MB


# -- an error quoting a huge value stays a readable line ------------------------------------------------------------

def test_an_error_quoting_a_huge_value_is_cut_in_its_middle(tmp_path):
    """``status:`` followed by 5 MB of text: the error line quoted all of it (a 5 MB line on stderr; fifty
    such cells of a table, 50 MB).  The line keeps its start (file, line, column, field) and its end."""
    from checker.escape import LINE_LIMIT

    folder = _park(tmp_path)
    policy = folder / "policy.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("status: effective", "status: " + "x" * 200_000),
                      encoding="utf-8")
    proc = run_in_process("check", folder, "--out", tmp_path / "out", "--lang", "en")
    line = _one_line(proc)
    assert len(line) < LINE_LIMIT + 200, len(line)
    assert line.startswith("parkcheck: invalid evidence: policy.yaml:7:3: Status (/control/status): “xxx"), line[:200]
    assert "characters left out" in line and line.endswith("(in Chinese: 有效、草稿、作废)"), line[-200:]


# -- a terminal that cannot show Chinese ----------------------------------------------------------------------------

def test_an_ascii_terminal_gets_escapes_not_an_internal_error():
    """With PYTHONIOENCODING=ascii (a C-locale shell, a log collector) the first Chinese character printed
    by Rich (``rules list``, the summary of ``check``) was "internal error (UnicodeEncodeError ...)", exit 2."""
    from click.testing import CliRunner

    from checker.cli import main

    result = CliRunner(charset="ascii", env={"PARKCHECK_LANG": "zh"}).invoke(main, ["rules", "list"],
                                                                             catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "internal error" not in result.stderr and "\\u" in result.stdout, (result.stdout, result.stderr)


# -- characters no YAML reader takes; invisible characters in workbooks ------------------------------------------------

@pytest.mark.parametrize("title,where", [
    ('"a\\x7fb"', "policy.yaml:9:8: /title: contains the invisible or bidirectional control character U+007F"),
    ('"a\\u009b31mb"', "policy.yaml:9:8: /title: contains the invisible or bidirectional control character U+009B"),
    ('"a\\uffffb"', "policy.yaml:9:8: /title: contains the invisible or bidirectional control character U+FFFF"),
    ("a\x7fb", "policy.yaml:9:9: contains the invisible or bidirectional control character U+007F"),
])
def test_del_c1_and_noncharacters_are_refused_in_a_document(tmp_path, title, where):
    """Written as escapes they were read, reached report.json raw (JSON allows them) and made the park's own
    report unreadable to ``diff`` and ``check --previous`` ("malformed YAML", no line: YAML's reader refuses
    them); written raw, the refusal named no line."""
    folder = _park(tmp_path)
    policy = folder / "policy.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("title: 绿谷高新区碳排放管理方针", f"title: {title}"),
                      encoding="utf-8")
    proc = run_in_process("check", folder, "--out", tmp_path / "out", "--lang", "en")
    assert _one_line(proc).startswith(f"parkcheck: error: {where}"), proc.stderr


@pytest.mark.parametrize("char,message", [
    ("\x01", "contains the character U+0001, which a YAML or JSON document cannot hold raw; remove it (or write it "
              "as an escape in a double-quoted string)"),
    ("\ufffe", "contains the invisible or bidirectional control character U+FFFE: text could display differently "
                "from what it is; remove it"),
])
def test_a_report_holding_a_character_yaml_refuses_is_named_at_its_line(tmp_path, char, message):
    """A report.json with such a character raw (written before this refusal, or by hand): "malformed YAML"
    and no line before (YAML's reader says only where in the stream, as a character offset)."""
    old = tmp_path / "old.json"
    old.write_text('{\n  "a": "x' + char + 'y"\n}\n', encoding="utf-8")
    proc = run_in_process("diff", old, old, "--lang", "en")
    assert _one_line(proc) == f"parkcheck: error: {old}:2:10: {message}"


@pytest.mark.parametrize("cell,value", [("B2", "abc\u202edcba"), ("B2", "abc\x7f"), ("L1", "x-\u202enote")])
def test_invisible_characters_are_refused_in_a_workbook_cell(tmp_path, cell, value):
    """The README refuses zero-width and bidirectional characters "anywhere in a document": a workbook's
    cells (and header cells) were read as they were, RIGHT-TO-LEFT OVERRIDE included, exit 0."""
    folder = _park(tmp_path)
    register_as_workbook(folder, lambda ws: ws.__setitem__(cell, value))
    proc = run_in_process("check", folder, "--out", tmp_path / "out", "--lang", "en")
    line = _one_line(proc)
    assert line.startswith(f"parkcheck: error: ledger.xlsx!documented_information!{cell}: "), line
    assert "contains the invisible or bidirectional control character U+" in line, line


# -- report.pdf: a huge text cannot stall the layout ------------------------------------------------------------------

def test_pdf_texts_are_cut_before_weasyprint_lays_them_out():
    """A policy title of 300,000 characters, quoted by the 6.2 d) finding: ``check -f pdf`` ran for more than
    5 minutes (timeout) in WeasyPrint's table layout, which grows faster than the text; every other format took
    seconds.  The PDF's template values are cut to ``PDF_TEXT_LIMIT`` (report.json keeps the whole text)."""
    from markupsafe import Markup

    from checker.reporters import pdf_report

    env = pdf_report._environment()
    text = env.from_string("{{ t }}").render(t="长" * 300_000 + "\x1b")
    assert pdf_report.PDF_TEXT_LIMIT <= len(text) < pdf_report.PDF_TEXT_LIMIT + 100 and "\x1b" not in text
    assert env.from_string("{{ t }}").render(t="<b>x</b>\x1b") == "&lt;b&gt;x&lt;/b&gt;\\x1b"  # escaped as before
    assert env.from_string("{{ t }}").render(t=Markup("<br>")) == "<br>"


# -- a workbook whose sheet is corrupt past its first rows ----------------------------------------------------------

@pytest.mark.parametrize("cell,reason", [
    ('<c r="B2" t="s"><v>999999999</v></c>', "IndexError"),  # a shared string past the table
    ('<c r="B2"><v>abc</v></c>', "ValueError"),  # a number that is not one
    ('<c r="ZZZZZZ2" t="inlineStr"><is><t>x</t></is></c>', "ValueError"),  # a reference past column XFD
    ('<c r="B2" t="inlineStr"><is><t>&xxe;</t></is></c>', "ParseError"),  # an external entity (never read)
])
def test_a_corrupt_cell_is_one_line_naming_the_sheet(tmp_path, cell, reason):
    """openpyxl parses a read-only sheet's cells as its rows are read, after the workbook opened cleanly:
    these were "internal error (IndexError: list index out of range)" and the like."""
    import re
    import zipfile

    folder = _park(tmp_path)
    plain = register_as_workbook(folder).rename(tmp_path / "plain.xlsx")
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(folder / "ledger.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<c r="B2".*?</c>', cell.encode(), data, count=1)
                if b"&xxe;" in data:
                    data = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + data
            out.writestr(info, data)
    proc = run_in_process("check", folder, "--out", tmp_path / "out", "--lang", "en")
    line = _one_line(proc)
    assert line.startswith(f"parkcheck: error: ledger.xlsx!documented_information: a cell of this sheet cannot be read "
                           f"({reason}"), line


# -- a workbook's recorded used range is not trusted ---------------------------------------------------------------

def _sheet_xml(path: Path, edit) -> None:
    import zipfile

    data = {i.filename: (i, zipfile.ZipFile(path).read(i)) for i in zipfile.ZipFile(path).infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, (info, raw) in data.items():
            out.writestr(info, edit(raw) if name == "xl/worksheets/sheet1.xml" else raw)


def test_a_dimension_that_lies_loses_no_row(tmp_path):
    """``<dimension ref="A1:K3"/>`` over 55 rows: read-only openpyxl stops at the recorded used range, and
    52 of the 54 register entries were dropped without a word (false findings; a ledger's defective rows
    past the range would have been conformity)."""
    import re

    folder = _park(tmp_path)
    path = register_as_workbook(folder)
    _sheet_xml(path, lambda raw: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:K3"/>', raw))
    proc = run_in_process("check", folder, "--out", tmp_path / "out", "--lang", "en")
    assert proc.returncode == 0, (proc.stdout[-2000:], proc.stderr[-2000:])  # as the conforming CSV register


def test_a_value_far_right_of_the_table_is_refused(tmp_path):
    """A note in column 1500 (past the 1,024 columns read) was silently ignored; column 20 was refused."""
    folder = _park(tmp_path)
    register_as_workbook(folder, lambda ws: ws.cell(3, 1500, "a note nothing reads"))
    proc = run_in_process("check", folder, "--out", tmp_path / "out", "--lang", "en")
    assert _one_line(proc).startswith("parkcheck: error: ledger.xlsx!documented_information!BER3: a value in a column "
                                      "without a header"), proc.stderr


def test_the_nc_register_read_past_a_dimension_that_lies(tmp_path):
    """The park's answers in nonconformities.xlsx, the same lying ``<dimension>``: rows past it were dropped."""
    import re

    from checker.labels_docs import DOCUMENT
    from checker.register_in import read_register
    from checker.schemas import load_schemas

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = DOCUMENT["register_sheet"][0]
    ws.append(["nc", "root_cause"])
    for i in range(2, 12):
        ws.append([f"NC-AAAAAAA{chr(ord('A') + i)}", f"原因 {i}"])
    path = tmp_path / "nonconformities.xlsx"
    wb.save(path)
    _sheet_xml(path, lambda raw: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:B3"/>', raw))
    _, content = read_register(path, load_schemas())
    assert len(content.data["actions"]) == 10
