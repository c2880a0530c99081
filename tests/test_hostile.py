"""Hostile and broken bundles (issue 11, input side): every class of bad input is refused with one
readable line naming the file (and the limit it broke), exit code 2, quickly, in bounded memory,
without blocking on special files and without changing the evidence."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from checker.bundle import load_bundle
from checker.errors import EXIT_INPUT_ERROR, InputError
from checker.limits import DEFAULT_LIMITS, Limits
from checker.schemas import load_schemas
from checker.yamlio import clear_parse_cache, parse_yaml

from .conftest import ROOT, edit_text, listed_problems, run_parkcheck, tree_digest


def one_error_line(proc) -> str:
    """The one problem of a refused run, alone or listed and counted (``1 problem in 1 file``), and no
    traceback, no internal error."""
    assert "internal error" not in proc.stderr
    lines = listed_problems(proc.stdout, proc.stderr)
    assert len(lines) == 1, proc.stderr
    return lines[0]


def refused(*args, timeout: int = 60, memory: int | None = None) -> str:
    """Run the CLI in a subprocess (optionally under an address-space limit); assert exit 2 with one line
    (one problem, listed and counted, or one error that stops the whole read)."""
    return one_error_line(refused_run(*args, timeout=timeout, memory=memory))


def refused_all(*args, timeout: int = 60, memory: int | None = None) -> list[str]:
    """Like ``refused``, but every problem listed (one a file, grouped and counted)."""
    proc = refused_run(*args, timeout=timeout, memory=memory)
    assert "internal error" not in proc.stderr
    return listed_problems(proc.stdout, proc.stderr)


def refused_run(*args, timeout: int = 60, memory: int | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")

    def limit_memory():  # pragma: no cover - runs in the child
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    proc = subprocess.run([sys.executable, "-m", "checker.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=timeout, preexec_fn=limit_memory)
    assert proc.returncode == EXIT_INPUT_ERROR, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    return proc


def load(folder, limits: Limits | None = None):
    return load_bundle(folder, load_schemas().table_fields(), limits)


def parse_error(text: str, limits: Limits = DEFAULT_LIMITS) -> str:
    clear_parse_cache()
    with pytest.raises(InputError) as info:
        parse_yaml(text, "doc.yaml", limits)
    return str(info.value)


GB = 1 << 30


# -- 1. limits ------------------------------------------------------------------------------------

@pytest.mark.parametrize("levels", [65, 1_000, 100_000])
@pytest.mark.parametrize("style", ["flow-seq", "flow-map", "block"])
def test_deep_nesting_is_refused_before_parsing_recurses(levels, style):
    if style == "flow-seq":
        text = "kind: policy\nx: " + "[" * levels + "]" * levels + "\n"
    elif style == "flow-map":
        text = "kind: policy\nx: " + "{a: " * levels + "1" + "}" * levels + "\n"
    else:
        text = "kind: policy\nx:\n" + "".join(" " * (i + 1) + "- \n" for i in range(min(levels, 1_500)))
    # the parser's own CPU seconds (a parse that recursed would spend them), not the wall clock: a worker
    # waiting for the CPU on a loaded machine took 1.9 s of wall time for 0.02 s of work
    t0 = time.process_time()
    message = parse_error(text)
    elapsed = time.process_time() - t0
    assert message.startswith("doc.yaml:") and "nesting deeper than 64 levels (--max-depth)" in message, message
    assert elapsed < 0.5, f"{elapsed:.2f} s"


def test_deep_nesting_after_a_syntax_error_is_still_bounded():
    text = 'kind: policy\nbad: "\\ud800"\nx: ' + "[" * 100_000 + "]" * 100_000 + "\n"
    t0 = time.process_time()  # CPU seconds, as above
    message = parse_error(text)
    assert time.process_time() - t0 < 1.0
    assert message.startswith("doc.yaml:2:")


def test_nesting_limit_is_configurable():
    text = "kind: policy\nx: [[[1]]]\n"
    assert "nesting deeper than 2 levels" in parse_error(text, Limits(max_depth=2))
    clear_parse_cache()
    assert parse_yaml(text, "doc.yaml", Limits(max_depth=4)).data["x"] == [[[1]]]


def test_ten_megabyte_single_line_list_is_refused_by_the_value_budget(base_copy):
    (base_copy / "policy.yaml").write_text("kind: policy\nx: [" + ",".join(["0"] * 5_000_000) + "]\n",
                                           encoding="utf-8")
    line = refused("validate", base_copy, memory=int(1.5 * GB))
    assert line.startswith("parkcheck: error: policy.yaml:"), line
    assert "more than 2,000,000 values (--max-values)" in line


def _larger_than(folder: Path, size: int, documents_only: bool) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.stat().st_size > size
                  and not (documents_only and (p.parts[len(folder.parts)] == "attachments" or p.suffix == ".pdf")))


def test_document_size_limit(base_copy):
    # every document over the limit is listed, one line each, and nothing else
    lines = refused_all("validate", base_copy, "--max-document-bytes", "1K")
    big = _larger_than(base_copy, 1024, documents_only=True)
    assert big and "bundle.yaml" not in big
    assert lines == [f"parkcheck: error: {name}: document is larger than the limit of 1,024 bytes "
                     "(--max-document-bytes)" for name in big]


def test_csv_row_and_cell_limits(base_copy):
    (base_copy / "documented_information.yaml").unlink()
    (base_copy / "docs.csv").write_text("number,title,issue_date\nA-1,范围,2024-01-05\nA-2,方针,2024-01-06\n",
                                        encoding="utf-8")
    with open(base_copy / "bundle.yaml", "a", encoding="utf-8") as fh:
        fh.write("tables:\n  - {file: docs.csv, kind: documented_information}\n")
    assert "docs.csv:3: the table has more than 1 rows (--max-csv-rows)" in refused(
        "validate", base_copy, "--max-csv-rows", "1")
    big = "x" * 200_000  # over the csv module's own 128 KiB default: must not be an internal error
    (base_copy / "docs.csv").write_text(f"number,title,issue_date\nA-1,{big},2024-01-05\n", encoding="utf-8")
    proc = run_parkcheck("validate", base_copy)
    assert proc.returncode != EXIT_INPUT_ERROR, proc.stderr
    line = refused("validate", base_copy, "--max-csv-cell", "1000")
    assert "docs.csv:2: a cell is longer than the limit of 1,000 characters (--max-csv-cell)" in line


def test_bundle_file_count_and_size_limits(base_copy):
    assert "more than 5 files (--max-files)" in refused("validate", base_copy, "--max-files", "5")
    assert "larger than the limit of 10,240 bytes (--max-bundle-bytes)" in refused(
        "validate", base_copy, "--max-bundle-bytes", "10K")
    lines = refused_all("validate", base_copy, "--max-file-bytes", "1K")  # one line a file, the others read
    assert lines == [f"parkcheck: error: {name}: file is larger than the limit of 1,024 bytes (--max-file-bytes)"
                     for name in _larger_than(base_copy, 1024, documents_only=False)]


def zip_folder(folder: Path, archive: Path, extra: dict | None = None) -> Path:
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(folder).as_posix())
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return archive


def test_archive_member_count_limit(base_copy, tmp_path):
    archive = zip_folder(base_copy, tmp_path / "b.zip")
    members = len(zipfile.ZipFile(archive).infolist())
    assert f"b.zip: archive has {members} members, more than the limit of 10 (--max-archive-members)" in refused(
        "validate", archive, "--max-archive-members", "10")


def test_archive_of_many_small_zero_members_is_refused_by_its_total(base_copy, tmp_path):
    zeros = bytes(1 << 20)
    archive = zip_folder(base_copy, tmp_path / "b.zip",
                         {f"attachments/z{i:04d}.bin": zeros for i in range(400)})
    t0 = time.perf_counter()
    line = refused("validate", archive, memory=int(1.5 * GB))
    assert time.perf_counter() - t0 < 20
    assert "b.zip: archive expands" in line and "(--max-compression-ratio)" in line, line
    line = refused("validate", archive, "--max-compression-ratio", "100000", "--max-unpacked-bytes", "100M")
    assert "b.zip: archive expands to more than the limit of 104,857,600 bytes (--max-unpacked-bytes)" in line


def test_corrupt_deflate_stream_is_one_line(base_copy, tmp_path):
    archive = zip_folder(base_copy, tmp_path / "b.zip")
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("policy.yaml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 2, start + min(info.compress_size, 40)):
        data[i] ^= 0x5A
    archive.write_bytes(bytes(data))
    line = refused("validate", archive)
    assert "b.zip: archive member 'policy.yaml' cannot be read" in line, line


@pytest.mark.parametrize(("text", "expected"), [
    ("kind: policy\nn: " + "9" * 5000 + "\n", "doc.yaml:2:4: /n: an integer of more than 18 digits"),
    ("kind: policy\nn: " + str(10 ** 400) + "\n", "doc.yaml:2:4: /n: an integer of more than 18 digits"),
    ("kind: policy\nn: 1e400\n", "doc.yaml:2:4: /n: a number must be finite"),
    ("kind: policy\nn: -.inf\n", "doc.yaml:2:4: /n: a number must be finite"),
    ("kind: policy\nn: .NaN\n", "doc.yaml:2:4: /n: a number must be finite"),
    ("kind: policy\nn: 1e300\n", "doc.yaml:2:4: /n: the number 1e+300 is out of range"),
    ("kind: policy\nn: [1, 2, -1e16]\n", "doc.yaml:2:11: /n/2: the number -1e+16 is out of range"),
    ('{"kind": "policy", "n": ' + "1" * 30 + "}", "doc.yaml:1:25: /n: an integer of more than 18 digits"),
], ids=["5000-digits", "10**400", "1e400", "-inf", "nan", "1e300", "in-list", "json"])
def test_numbers_the_engine_cannot_take_are_input_errors(text, expected):
    assert expected in parse_error(text)


def test_number_limits_are_configurable():
    assert "more than 3 digits (--max-integer-digits)" in parse_error("n: 1234\n", Limits(max_integer_digits=3))
    assert "out of range (--max-number" in parse_error("n: 1000.5\n", Limits(max_number=1000))


def test_out_of_range_number_never_reaches_the_engine(base_copy):
    edit_text(base_copy / "internal_audit.yaml", "interval_months: 12", "interval_months: 1e400")
    line = refused("check", base_copy)
    assert line.startswith("parkcheck: error: internal_audit.yaml:4:20: /programme/interval_months:"), line


def test_numbers_in_a_csv_table_are_typed_per_column_and_checked():
    from checker.bundle import Document, _parse_table
    from checker.evidence import coerce_table

    text = "id,amount,count,flag\nA,1.5,3,是\nB,x,4.5,no\nC,1e400,1,maybe\n"
    doc = Document("t.csv", "t", _parse_table(text, "t.csv", "t", "rows"), "csv")
    types = {"amount": "number", "count": "integer", "flag": "boolean"}
    with pytest.raises(InputError) as info:
        coerce_table(doc, types, "rows")
    assert str(info.value) == "t.csv:4:3: /rows/2/amount: a number must be finite (1e400 is too large to be one)"
    # typed column by column, all the column's distinct cells read before any is written: the column holding the
    # cell that cannot be taken is left as text (the document is refused whole: ``validate_bundle``)
    assert [r["amount"] for r in doc.data["rows"]] == ["1.5", "x", "1e400"]
    doc = Document("t.csv", "t", _parse_table(text.replace("1e400", "7"), "t.csv", "t", "rows"), "csv")
    coerce_table(doc, types, "rows")
    assert doc.data["rows"] == [{"id": "A", "amount": 1.5, "count": 3, "flag": True},
                                {"id": "B", "amount": "x", "count": "4.5", "flag": False},
                                {"id": "C", "amount": 7.0, "count": 1, "flag": "maybe"}]
    with pytest.raises(InputError, match=r"t.csv:2:3: /rows/0/count: an integer of more than 18 digits"):
        bad = Document("t.csv", "t", _parse_table("id,count\nA," + "9" * 40 + "\n", "t.csv", "t", "rows"), "csv")
        coerce_table(bad, {"count": "integer"}, "rows")
    for table, where in (("A,2\nB,1e999\nC,1e400\nD,1e999\n", "t.csv:3:3: /rows/1/amount"),
                         ("A,1e400\nB,2\nC,1e400\n", "t.csv:2:3: /rows/0/amount")):  # the first such cell
        with pytest.raises(InputError, match=where):
            coerce_table(Document("t.csv", "t", _parse_table("id,amount\n" + table, "t.csv", "t", "rows"), "csv"),
                         {"amount": "number"}, "rows")


def test_attachment_that_is_a_folder(base_copy):
    (base_copy / "attachments" / "scan.pdf").mkdir(parents=True)
    (base_copy / "attachments" / "scan.pdf" / "page1.png").write_bytes(b"x")
    edit_text(base_copy / "policy.yaml", "  status: effective\n", "  status: effective\n  file: attachments/scan.pdf\n", 1)
    proc = run_parkcheck("validate", base_copy)
    assert "policy.yaml:8:3: Scan of the signed document (/control/file): attachment 'attachments/scan.pdf' is a folder, not a file" in proc.stdout


# -- 2. only regular files -----------------------------------------------------------------------

@pytest.mark.parametrize("where", ["policy.yaml", "attachments/scan.pdf", "bundle.yaml"])
def test_named_pipe_is_refused_without_blocking(base_copy, where):
    target = base_copy / where
    target.parent.mkdir(exist_ok=True)
    if target.exists():
        target.unlink()
    os.mkfifo(target)
    line = refused("validate", base_copy, timeout=30)
    assert f"{where}: is a named pipe (FIFO), not a regular file" in line, line


def test_socket_is_refused(base_copy):
    path = base_copy / "attachments" / "s.sock"
    path.parent.mkdir()
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))
        line = refused("validate", base_copy, timeout=30)
    assert "attachments/s.sock: is a socket, not a regular file" in line


def test_bundle_argument_that_is_a_pipe(tmp_path):
    os.mkfifo(tmp_path / "b.zip")
    assert "b.zip: is a named pipe (FIFO), not a regular file" in refused("validate", tmp_path / "b.zip", timeout=30)


def test_symlink_to_dev_zero_is_refused_unread(base_copy):
    os.symlink("/dev/zero", base_copy / "zero.yaml")
    line = refused("validate", base_copy, timeout=30, memory=int(1.5 * GB))
    assert "zero.yaml: symbolic link points outside the bundle" in line


def test_symlink_loop_is_refused(base_copy):
    os.symlink("b.yaml", base_copy / "a.yaml")
    os.symlink("a.yaml", base_copy / "b.yaml")
    lines = refused_all("validate", base_copy, timeout=30)
    assert lines == [f"parkcheck: error: {name}.yaml: symbolic link loop; refusing to follow it" for name in "ab"]


def test_symlink_inside_the_bundle_to_a_pipe(base_copy):
    os.mkfifo(base_copy / ".pipe")
    os.symlink(".pipe", base_copy / "x.yaml")
    line = refused("validate", base_copy, timeout=30)
    assert "x.yaml: is a named pipe (FIFO), not a regular file" in line, line


def test_symlink_inside_the_bundle_is_read_once(base_copy):
    os.rename(base_copy / "policy.yaml", base_copy / "attachments_policy.txt")
    os.symlink("attachments_policy.txt", base_copy / "policy.yaml")
    bundle = load(base_copy)
    assert bundle.by_kind("policy")[0].path == "policy.yaml"


@pytest.mark.parametrize("where", ["bundle.yaml", "policy.yaml"])
def test_folder_where_a_file_is_expected(base_copy, where):
    (base_copy / where).unlink()
    (base_copy / where).mkdir()
    (base_copy / where / "x.txt").write_text("x", encoding="utf-8")
    line = refused("validate", base_copy)
    assert f"{where}: is a folder, where a document file is expected" in line, line


def test_unreadable_folder_is_named_not_skipped(base_copy, monkeypatch):
    locked = base_copy / "attachments"
    locked.mkdir()
    (locked / "scan.pdf").write_bytes(b"%PDF")
    real = os.scandir

    def scandir(path="."):
        if Path(path).name == "attachments":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(InputError) as info:
        load(base_copy)
    assert str(info.value) == "attachments: cannot read the folder: Permission denied"


# -- 3. memory proportional to the data ----------------------------------------------------------

def test_sixty_megabyte_table_is_refused_quickly_in_bounded_memory(base_copy):
    (base_copy / "documented_information.yaml").unlink()
    with open(base_copy / "docs.csv", "w", encoding="utf-8") as fh:
        fh.write("number,title,type,version,approved_by,issue_date,status\n")
        row = "DOC-{:07d},文件标题 {},record,A/0,审批人,2024-01-05,effective\n"
        size = 0
        i = 0
        while size < 60_000_000:
            line = row.format(i, i)
            fh.write(line)
            size += len(line.encode())
            i += 1
    with open(base_copy / "bundle.yaml", "a", encoding="utf-8") as fh:
        fh.write("tables:\n  - {file: docs.csv, kind: documented_information}\n")
    t0 = time.perf_counter()
    line = refused("check", base_copy, memory=1 * GB)
    assert time.perf_counter() - t0 < 30
    assert "docs.csv:" in line and "(--max-csv-rows)" in line, line


# -- 4. numbers and text -----------------------------------------------------------------------

def test_lone_surrogate_escape_is_an_input_error():
    assert parse_error('kind: policy\ntitle: "ab\\ud800"\n').startswith(
        "doc.yaml:2:1: /title: a lone surrogate escape")


def test_surrogate_pair_escape_in_json_is_one_character():
    clear_parse_cache()
    assert parse_yaml('{"kind": "policy", "t": "\\ud83d\\ude00"}', "doc.json").data["t"] == "\U0001F600"


@pytest.mark.parametrize("char", ["\u200b", "\u200f", "\u202e", "\u2066", "\u2069", "\ufeff"])
def test_invisible_and_bidi_characters_are_refused_and_shown_escaped(base_copy, char):
    edit_text(base_copy / "internal_audit.yaml", "IA-2024-01", f"IA-2024{char}-01", 1)
    line = refused("validate", base_copy)
    assert char not in line
    assert f"U+{ord(char):04X}" in line and line.startswith("parkcheck: error: internal_audit.yaml:"), line


def test_escaped_bidi_character_in_a_quoted_string():
    assert "U+202E" in parse_error('kind: policy\nid: "a\\u202eb"\n')


@pytest.mark.parametrize("tag", ["!!python/object:os.system", "!!python/object/apply:os.system", "!foo", "!!binary"])
def test_unknown_tag_in_an_extension_field_is_an_error(tag):
    message = parse_error(f"kind: policy\nx-note: {tag} aGVsbG8=\n")
    assert message.startswith("doc.yaml:2:9: /x-note: unsupported tag"), message


def test_bidi_character_in_a_file_name(base_copy):
    (base_copy / "attachments").mkdir()
    (base_copy / "attachments" / "scan\u202efdp.exe").write_bytes(b"x")
    line = refused("validate", base_copy)
    assert "\u202e" not in line and "U+202E" in line, line


def test_evidence_is_unchanged_by_refused_runs(base_copy):
    before = tree_digest(base_copy)
    refused("check", base_copy, "--max-files", "3")
    assert tree_digest(base_copy) == before


@pytest.mark.parametrize("name", ["a\nparkcheck: error: forged.yaml", "esc\x1b[31m.pdf", "bad\udcff.pdf"],
                         ids=["newline", "escape", "not-utf8"])  # ids a test report can always write
def test_file_names_that_could_forge_output_are_refused(base_copy, name):
    folder = base_copy / "attachments"
    folder.mkdir()
    (folder / name).write_bytes(b"x")  # "\udcff" is the byte 0xff, not UTF-8, as the file system gives it
    line = refused("validate", base_copy)
    assert line.startswith("parkcheck: error: attachments/") and "\x1b" not in line, line
    assert "file name contains" in line and "<U+" in line


def test_bundle_given_through_a_symlink(base_copy, tmp_path):
    archive = zip_folder(base_copy, tmp_path / "b.zip")
    os.symlink(archive, tmp_path / "link.zip")
    os.symlink(base_copy, tmp_path / "link-folder")
    for target in (tmp_path / "link.zip", tmp_path / "link-folder"):
        proc = run_parkcheck("validate", target)
        assert proc.returncode == 0, proc.stderr


def test_reference_loader_warnings_do_not_reach_the_terminal(base_copy):
    (base_copy / "policy.yaml").write_text("kind: policy\na: &x 1\na: &x 2\n", encoding="utf-8")
    line = refused("validate", base_copy)
    assert line == "parkcheck: error: policy.yaml:3:1: malformed YAML: duplicate key a", line


def test_corrupt_central_directory_is_one_line(base_copy, tmp_path):
    archive = zip_folder(base_copy, tmp_path / "b.zip")
    data = bytearray(archive.read_bytes())
    central = data.rfind(b"PK\x01\x02")  # the last central directory entry: "version needed" at offset 6
    data[central + 6:central + 8] = (177).to_bytes(2, "little")
    archive.write_bytes(bytes(data))
    line = refused("validate", archive)
    assert "b.zip: not a valid .zip archive (zip file version 17.7)" in line, line
