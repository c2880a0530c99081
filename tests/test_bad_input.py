"""Bad input gets one readable line naming file, line and field, exit code 2, no traceback, and the
evidence is never modified.  Invalid evidence (wrong types) is reported by ``validate`` with exit 1."""

from __future__ import annotations

import os
import stat
import zipfile

import pytest

from checker.bundlefiles import MAX_COMPRESSION_RATIO
from checker.errors import EXIT_FINDINGS, EXIT_INPUT_ERROR

from .conftest import edit_text, listed_problems, run_in_process, run_parkcheck, tree_digest


def write(folder, name, text, encoding="utf-8"):
    path = folder / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def one_error_line(proc) -> str:
    """The one problem of a refused run: alone, or listed and counted (``1 problem in 1 file``)."""
    lines = listed_problems(proc.stdout, proc.stderr)
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_validate_wrong_type_names_file_line_and_field(base_copy):
    edit_text(base_copy / "internal_audit.yaml", "interval_months: 12", "interval_months: twelve")
    proc = run_in_process("validate", base_copy)
    assert proc.returncode == EXIT_FINDINGS
    assert "internal_audit.yaml:4:3: Planned interval (months) (/programme/interval_months): expected integer, got string 'twelve'" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_check_refuses_invalid_evidence_with_exit_2(base_copy):
    # 是/否 are the Chinese labels of true/false (accepted, checker.labels_in); other text is an error
    edit_text(base_copy / "policy.yaml", "top_management: true", "top_management: 也许")
    proc = run_in_process("check", base_copy)
    assert proc.returncode == EXIT_INPUT_ERROR
    assert "policy.yaml:12:3: Is top management (/issued_by/top_management): expected boolean, got string '也许' (write 是 or 否)" in proc.stderr


def test_malformed_yaml_is_one_line_exit_2(base_copy):
    write(base_copy, "policy.yaml", "kind: policy\ntitle: [未闭合\nstatement: x\n")
    for command in ("validate", "check"):
        proc = run_parkcheck(command, base_copy)
        assert proc.returncode == EXIT_INPUT_ERROR
        line = one_error_line(proc)
        assert line.startswith("parkcheck: error: policy.yaml:3:10: malformed YAML"), line


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("policy.yaml", "kind: policy\ntitle: 方针\n".encode("gbk"), "policy.yaml:2:8: not UTF-8 text"),
    ("policy.yaml", b"kind: policy\x00\n", "contains a NUL character"),
    ("policy.yaml", b"", "policy.yaml: the file is empty"),
    ("policy.yaml", b"kind: policy\n---\nkind: scope\n", "holds several YAML documents"),
    ("policy.yaml", b"kind: policy\nkind: scope\n", "policy.yaml:2:1: malformed YAML: duplicate key kind"),
    ("policy.yaml", b"kind: policy\nn: .nan\n", "a number must be finite"),
    ("table.csv", b"a,b\n1,2\n", "table.csv: CSV table not declared in bundle.yaml"),
], ids=["gbk", "nul", "empty", "two-documents", "duplicate-key", "nan", "undeclared-csv"])
def test_unreadable_documents(base_copy, name, content, expected):
    write(base_copy, name, content)
    proc = run_in_process("check", base_copy)
    assert proc.returncode == EXIT_INPUT_ERROR
    assert expected in one_error_line(proc)


def test_missing_bundle_and_missing_manifest(tmp_path):
    proc = run_in_process("check", tmp_path / "nope")
    assert proc.returncode == EXIT_INPUT_ERROR and "no such bundle" in one_error_line(proc)
    proc = run_in_process("check", tmp_path)
    assert proc.returncode == EXIT_INPUT_ERROR and "no bundle.yaml manifest" in one_error_line(proc)


def test_unknown_and_missing_kind_are_validation_problems(base_copy):
    write(base_copy, "x.yaml", "kind: polcy\ntitle: x\n")
    write(base_copy, "y.yaml", "title: no kind\n")
    proc = run_in_process("validate", base_copy)
    assert proc.returncode == EXIT_FINDINGS
    assert "x.yaml:1:1: /kind: unknown kind 'polcy'" in proc.stdout
    assert "y.yaml:1:1: /kind: missing kind" in proc.stdout


def test_typo_in_a_field_name_is_reported(base_copy):
    edit_text(base_copy / "policy.yaml", "statement:", "statment:")
    proc = run_in_process("validate", base_copy)
    assert "policy.yaml:13:1: /statment: unknown field 'statment'" in proc.stdout
    assert "policy.yaml:1:1: Full text of the policy (/statement): required field is missing" in proc.stdout


def test_attachment_outside_the_bundle_is_refused(base_copy):
    edit_text(base_copy / "policy.yaml", "  status: effective\n", "  status: effective\n  file: ../secret.pdf\n", 1)
    proc = run_in_process("validate", base_copy)
    assert proc.returncode == EXIT_FINDINGS
    assert "policy.yaml:8:3: Scan of the signed document (/control/file): attachment path '../secret.pdf' points outside the bundle" in proc.stdout


def test_symlink_out_of_the_bundle_is_refused(base_copy, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("kind: policy\n", encoding="utf-8")
    os.symlink(secret, base_copy / "linked.yaml")
    proc = run_in_process("check", base_copy)
    assert proc.returncode == EXIT_INPUT_ERROR
    assert "linked.yaml: symbolic link points outside the bundle" in one_error_line(proc)


def test_csv_table_with_a_bad_row(base_copy):
    (base_copy / "documented_information.yaml").unlink()
    write(base_copy, "docs.csv", "number,title,issue_date\nA-1,范围,2024-01-05\nA-2,方针\n")
    m = base_copy / "bundle.yaml"
    m.write_text(m.read_text(encoding="utf-8") + "tables:\n  - {file: docs.csv, kind: documented_information}\n", encoding="utf-8")
    proc = run_in_process("check", base_copy)
    assert proc.returncode == EXIT_INPUT_ERROR
    assert "docs.csv:3: row has 2 cells, the header has 3" in one_error_line(proc)
    write(base_copy, "docs.csv", "number,title,issue_date\nA-1,范围,2024/01/05\n")
    proc = run_in_process("validate", base_copy)
    assert "docs.csv:2:8: Issue date (/documents/0/issue_date): expected a date written YYYY-MM-DD, got '2024/01/05'" in proc.stdout


# -- hostile archives -----------------------------------------------------------------------

def make_zip(path, members: dict, symlinks=()):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name in symlinks:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return path


@pytest.mark.parametrize(("members", "symlinks", "expected"), [
    ({"bundle.yaml": "kind: bundle\n", "../evil.yaml": "x: 1\n"}, (), "points outside the bundle (..)"),
    ({"bundle.yaml": "kind: bundle\n", "/etc/evil.yaml": "x: 1\n"}, (), "has an absolute path"),
    ({"bundle.yaml": "kind: bundle\n"}, ("link.yaml",), "is a symbolic link"),
    ({"bundle.yaml": "kind: bundle\n", "big.txt": b"0" * (3 << 20)}, (), "likely zip bomb"),
], ids=["dot-dot", "absolute", "symlink", "bomb"])
def test_hostile_zip_members_are_refused(tmp_path, members, symlinks, expected):
    archive = make_zip(tmp_path / "b.zip", members, symlinks)
    proc = run_parkcheck("check", archive)
    assert proc.returncode == EXIT_INPUT_ERROR
    # the member is refused and listed with the other problems (here: the manifest's missing fields)
    refused = [line for line in listed_problems(proc.stdout, proc.stderr) if expected in line]
    assert refused == [line for line in refused if line.startswith(f"parkcheck: error: {archive}: archive")]
    assert len(refused) == 1, proc.stderr
    assert not (tmp_path / "evil.yaml").exists()


def test_zip_bomb_threshold_is_a_ratio():
    assert MAX_COMPRESSION_RATIO >= 100


def test_not_a_zip(tmp_path):
    fake = write(tmp_path, "b.zip", b"PK\x03\x04 not really")
    proc = run_in_process("check", fake)
    assert proc.returncode == EXIT_INPUT_ERROR and "not" in one_error_line(proc)


def test_yaml_alias_bomb_is_refused(base_copy):
    lines = ["kind: policy", "a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(8):
        prev, cur = chr(97 + i), chr(98 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    write(base_copy, "policy.yaml", "\n".join(lines) + "\n")
    proc = run_parkcheck("check", base_copy)
    assert proc.returncode == EXIT_INPUT_ERROR
    assert "aliases are expanded" in one_error_line(proc)


# -- outputs ---------------------------------------------------------------------------------

def test_reports_are_never_written_into_the_evidence(base_copy):
    before = tree_digest(base_copy)
    proc = run_in_process("check", base_copy, "--out", base_copy / "reports")
    assert proc.returncode == EXIT_INPUT_ERROR
    assert "inside the evidence bundle" in one_error_line(proc)
    assert tree_digest(base_copy) == before


def test_usage_errors_exit_2(base_copy):
    assert run_parkcheck("check", base_copy, "--format", "json").returncode == EXIT_INPUT_ERROR  # needs --out
    assert run_parkcheck("check", base_copy, "--format", "pdf").returncode == EXIT_INPUT_ERROR
    proc = run_parkcheck("check", base_copy, "--standard", "gb-12345")
    assert proc.returncode == EXIT_INPUT_ERROR and "unknown standard 'gb-12345'" in one_error_line(proc)
    assert run_parkcheck("frobnicate").returncode == EXIT_INPUT_ERROR


def test_output_folder_that_cannot_be_created(base_copy, tmp_path):
    blocker = write(tmp_path, "file", "x")
    proc = run_in_process("check", base_copy, "--out", blocker / "sub")
    assert proc.returncode == EXIT_INPUT_ERROR
    assert "cannot create the output folder" in one_error_line(proc)
