"""All problems at once (issue 13 item 6): ``validate`` and ``check`` read every file of a bundle, list
each problem (a file that cannot be read is one problem; the others are still read and validated),
grouped by file with a count line, and exit 2 only after listing them.  ``validate`` never calls a
bundle valid that lacks the documents its standards need."""

from __future__ import annotations

import zipfile

import pytest

from checker.bundle import load_bundle
from checker.errors import EXIT_FINDINGS, EXIT_INPUT_ERROR, EXIT_OK, InputError, ReadProblem
from checker.onboard import NEEDED, document_need
from checker.packs import get_pack
from checker.problemlist import count_line, grouped
from checker.readers import Reading
from checker.schemas import load_schemas

from .conftest import BASE_FIXTURE, PACK, edit_text, listed_problems, run_in_process, run_parkcheck

POLICY = "policy.yaml:3:10: malformed YAML: expected ',' or ']', but got ':'"
REVIEW = "management_review.yaml:5:5: Date (/reviews/0/date): expected a date written YYYY-MM-DD, got '2024-13-45'"
SCOPE = "scope.yaml:2:1: /colour: unknown field 'colour'"
COUNT = "3 个文件有问题，共 3 处 / 3 problems in 3 files"


def three_malformed(folder):
    """A YAML syntax error, a bad date and an unknown field, each in a file of its own."""
    (folder / "policy.yaml").write_text("kind: policy\ntitle: [未闭合\nstatement: x\n", encoding="utf-8")
    assert edit_text(folder / "management_review.yaml", "date: 2024-12-18", "date: 2024-13-45", 1) == 5
    assert edit_text(folder / "scope.yaml", "kind: scope\n", "kind: scope\ncolour: 蓝\n", 1) == 1  # line of the change
    return folder


def zipped(folder, archive):
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, f"park/{p.relative_to(folder)}")
    return archive


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_validate_lists_three_malformed_files_in_one_run(base_copy, tmp_path, as_zip):
    bundle = three_malformed(base_copy)
    proc = run_in_process("validate", zipped(bundle, tmp_path / "park.zip") if as_zip else bundle)
    assert proc.returncode == EXIT_INPUT_ERROR
    # the unreadable file on stderr, the invalid documents on stdout, one line each, file by file
    out = [line for line in proc.stdout.splitlines() if line]
    err = [line for line in proc.stderr.splitlines() if line]
    assert out[0] == REVIEW and out[1].startswith(SCOPE) and len(out) == 2, proc.stdout
    assert err[0] == f"parkcheck: error: {POLICY}" and err[1].endswith(COUNT) and len(err) == 2, proc.stderr
    assert len(listed_problems(proc.stdout, proc.stderr)) == 3


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_check_lists_three_malformed_files_and_evaluates_nothing(base_copy, tmp_path, as_zip):
    bundle = three_malformed(base_copy)
    out_dir = tmp_path / "out"
    proc = run_in_process("check", zipped(bundle, tmp_path / "park.zip") if as_zip else bundle, "--out", out_dir)
    assert proc.returncode == EXIT_INPUT_ERROR
    lines = [line for line in proc.stderr.splitlines() if line]
    assert lines[:3] == [f"parkcheck: invalid evidence: {REVIEW}", f"parkcheck: error: {POLICY}",
                         lines[2]] and lines[2].startswith(f"parkcheck: invalid evidence: {SCOPE}")
    assert lines[3] == f"parkcheck: {COUNT}" and len(lines) == 4, proc.stderr
    assert proc.stdout == "" and not out_dir.exists()


def test_every_unreadable_file_is_read_past(base_copy):
    """Unreadable in different ways (encoding, NUL, empty, two YAML documents), each is listed; a bundle
    read without collecting still stops at the first, in path order."""
    bad = {"a.yaml": "kind: policy\ntitle: 方针\n".encode("gbk"), "b.yaml": b"kind: policy\x00\n", "c.yaml": b"",
           "d.yaml": b"kind: policy\n---\nkind: scope\n"}
    for name, data in bad.items():
        (base_copy / name).write_bytes(data)
    bundle = load_bundle(base_copy, load_schemas().table_fields(), collect=True)
    assert [p.file for p in bundle.unreadable] == sorted(bad)
    assert all(isinstance(p, ReadProblem) for p in bundle.unreadable)
    assert {d.path for d in bundle.documents} == {p.name for p in BASE_FIXTURE.iterdir()} - {"bundle.yaml"}
    with pytest.raises(InputError) as info:
        load_bundle(base_copy, load_schemas().table_fields())
    assert str(info.value) == str(bundle.unreadable[0])
    proc = run_in_process("check", base_copy)
    assert proc.returncode == EXIT_INPUT_ERROR
    lines = listed_problems(proc.stdout, proc.stderr)
    assert [line.split(":")[2].strip() for line in lines] == sorted(bad)
    assert "a.yaml:2:8: not UTF-8 text" in lines[0] and "c.yaml: the file is empty" in lines[2]


def test_a_malformed_manifest_stops_everything_and_says_so(base_copy):
    three_malformed(base_copy)
    (base_copy / "bundle.yaml").write_text("kind: bundle\npark: [\n", encoding="utf-8")
    for command in ("validate", "check"):
        proc = run_in_process(command, base_copy)
        assert proc.returncode == EXIT_INPUT_ERROR
        lines = listed_problems(proc.stdout, proc.stderr)
        assert len(lines) == 1 and lines[0].startswith("parkcheck: error: bundle.yaml:3:1: malformed YAML"), lines
        assert lines[0].endswith("(bundle.yaml cannot be read, so no other file was checked)")


def test_a_whole_bundle_limit_still_stops_at_once(base_copy):
    three_malformed(base_copy)
    proc = run_in_process("validate", base_copy, "--max-files", "5")
    assert proc.returncode == EXIT_INPUT_ERROR
    assert listed_problems(proc.stdout, proc.stderr) == [
        f"parkcheck: error: {base_copy}: bundle has more than 5 files (--max-files)"]


def needed_kinds() -> list[str]:
    reading = Reading([get_pack(PACK)], load_schemas())
    return [k for k in reading.kinds if document_need(k, reading)[0] == NEEDED]


def test_a_bundle_of_only_its_manifest_is_not_valid(tmp_path):
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "bundle.yaml").write_bytes((BASE_FIXTURE / "bundle.yaml").read_bytes())
    proc = run_in_process("validate", bare)
    assert proc.returncode == EXIT_FINDINGS
    lines = [line for line in proc.stdout.splitlines() if line]
    kinds = needed_kinds()
    assert kinds and len(lines) == len(kinds)
    for line, kind in zip(lines, kinds, strict=True):
        assert line.startswith("bundle.yaml:10:1: /standards: 缺少必备文件：") and f"（kind: {kind}；" in line, line
        assert f"needed document missing: no {kind} document (needed by T/CPQS ZC001 " in line
        assert line.endswith("[content gap (reported as a finding by check)]")
    assert proc.stderr.strip().endswith(f"1 个文件有问题，共 {len(kinds)} 处 / {len(kinds)} problems in 1 file "
                                        f"({len(kinds)} content gaps: `check` reports them as findings)")
    # consistent with check: the same bundle conforms nowhere those documents are needed
    assert run_in_process("check", bare, "-q").returncode == EXIT_FINDINGS


def test_a_complete_bundle_is_still_valid():
    proc = run_parkcheck("validate", BASE_FIXTURE)
    assert proc.returncode == EXIT_OK and "documents valid" in proc.stdout and proc.stderr == ""


def test_grouping_and_count():
    from checker.errors import Problem
    ps = [Problem("x", "b.yaml", 3), Problem("y", "台账.xlsx!清单!C12"), Problem("z", "bundle.yaml", 1),
          Problem("w", "b.yaml", 1), Problem("v", "台账.xlsx!清单!A2")]
    assert [p.message for p in grouped(ps)] == ["z", "x", "w", "y", "v"]
    assert count_line(ps) == "3 个文件有问题，共 5 处 / 5 problems in 3 files"
    assert count_line(ps[:1]) == "1 个文件有问题，共 1 处 / 1 problem in 1 file"
