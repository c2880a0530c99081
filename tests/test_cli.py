"""The command line: version, named exit codes, listing, and the terminal summary."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap

from checker import __version__
from checker.errors import EXIT_FINDINGS, EXIT_INPUT_ERROR, EXIT_OK

from .conftest import CONFORMING, DEFECTIVE, ROOT, example_report, run_in_process


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == EXIT_OK and result.output.strip() == f"parkcheck {__version__}"


def test_check_prints_a_summary_and_exits_by_outcome(cli):
    expected = example_report(DEFECTIVE).nonconformities  # counts come from the pack, not pinned here
    major = sum(1 for nc in expected if nc.grade.value == "major")
    result = cli("check", DEFECTIVE)
    assert result.exit_code == EXIT_FINDINGS
    assert "东湖经济开发区" in result.output and expected[-1].id in result.output
    assert len(set(re.findall(r"NC-[A-Z2-7]{8}", result.output))) == len(expected)  # stable ids (checker.ids)
    assert f"不符合项 {len(expected)}: 严重 {major} · 一般 {len(expected) - major}" in result.output
    assert f"结论：存在 {major} 项严重不符合、{len(expected) - major} 项一般不符合" in result.output
    assert cli("check", CONFORMING).exit_code == EXIT_OK
    assert "Conclusion: no nonconformity found" in cli("check", CONFORMING, "--lang", "en").output
    assert cli("check", CONFORMING, "--lang", "en", "--all").output.count("Conform") > 10  # the clause table


def test_validate_ok(cli):
    result = cli("validate", CONFORMING)
    assert result.exit_code == EXIT_OK and "documents valid" in result.output


def test_rules_list_and_test(cli):
    from checker.packs import get_pack
    listing = cli("rules", "list", "--standard", "t-cpqs-zc001-2025")
    count = len(get_pack("t-cpqs-zc001-2025").rules)
    assert listing.exit_code == EXIT_OK and "zc001-6.2-d" in listing.output and f"{count} rules" in listing.output
    result = cli("rules", "test", "--rule", "zc001-6.2")
    cases = sum(len(r.cases) for r in get_pack("t-cpqs-zc001-2025").rules if r.id.startswith("zc001-6.2"))
    assert result.exit_code == EXIT_OK and result.output.strip().endswith(f"{cases} passed, 0 failed")


def test_unknown_standard_in_rules_commands(cli):
    result = cli("rules", "list", "--standard", "nope")
    assert result.exit_code == EXIT_INPUT_ERROR


# A bug inside the check: the verdict step raises an exception nothing expects, with a message
# holding a newline and an escape sequence.  The entry point is run as a user runs it.
INTERNAL_ERROR_SCRIPT = textwrap.dedent("""
    import runpy, sys
    import checker.check
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero\\nin a \\x1b[31mbug")
    checker.check.clause_verdicts = broken
    sys.argv = ["parkcheck", *sys.argv[1:]]
    runpy.run_module("checker.cli", run_name="__main__")
""")


def _run_with_internal_error(tmp_path, *args, env=None):
    script = tmp_path / "broken_check.py"
    script.write_text(INTERNAL_ERROR_SCRIPT, encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if k != "PARKCHECK_DEBUG"}
    environment.update(PYTHONPATH=str(ROOT), **(env or {}))  # the suite's pack cache (tests/conftest.py)
    return subprocess.run([sys.executable, str(script), *map(str, args)], capture_output=True, text=True,
                          cwd=tmp_path, env=environment, timeout=120)


def test_an_internal_error_is_one_readable_line_and_exit_2_without_traceback(tmp_path):
    proc = _run_with_internal_error(tmp_path, "check", DEFECTIVE, "-q", "--out", tmp_path / "out")
    assert proc.returncode == EXIT_INPUT_ERROR
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "parkcheck: internal error (ZeroDivisionError: division by zero\\nin a \\x1b[31mbug); "
        "please report it with the command you ran"]
    assert "Traceback" not in proc.stderr and "\x1b" not in proc.stderr
    assert not (tmp_path / "out").exists()  # no partial report set
    # the line comes from the guard around the command: with PARKCHECK_DEBUG the traceback is shown
    debug = _run_with_internal_error(tmp_path, "check", DEFECTIVE, "-q", env={"PARKCHECK_DEBUG": "1"})
    assert debug.returncode == EXIT_INPUT_ERROR and "Traceback" in debug.stderr and "in broken" in debug.stderr


def test_check_prints_the_score_and_grade_of_a_scored_standard(cli, tmp_path):
    result = cli("check", CONFORMING, "--standard", "t-seesa-010-2025", "--out", tmp_path)
    assert result.exit_code == EXIT_OK
    assert "T/SEESA 010—2025 评分 106.97" in result.output and "引领级" in result.output and "零碳园区称号: 是" in result.output
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "| 10 | 可再生能源占比 |" in md and "编辑默认值" in md


def test_rules_commands_use_the_checkout_they_are_run_in(tmp_path):
    """An editor's broken edit in the rules/ of the checkout they stand in is what lint reads."""
    import shutil

    from .conftest import ROOT

    project = tmp_path / "editor-checkout"
    shutil.copytree(ROOT / "rules", project / "rules")
    (project / "sub").mkdir()
    path = project / "rules" / "t-cpqs-zc001-2025" / "6.2-policy.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("obligation: 应", "obligation: 必须", 1), encoding="utf-8")
    proc = run_in_process("rules", "lint", "--standard", "t-cpqs-zc001-2025", cwd=project / "sub")
    lines = proc.stdout.splitlines()
    assert proc.returncode == EXIT_FINDINGS
    assert lines[0] == f"规则目录：{project / 'rules'}（当前项目检出）"
    assert any("6.2-policy.yaml" in line for line in lines[1:])
    # outside any checkout the installed packs are used, and the first line says so
    proc = run_in_process("rules", "lint", "--standard", "t-cpqs-zc001-2025", cwd=tmp_path)
    assert proc.returncode == EXIT_OK and "（已安装的规则包）" in proc.stdout.splitlines()[0]
    # --rules wins over the checkout
    proc = run_in_process("rules", "lint", "--standard", "t-cpqs-zc001-2025", "--rules", ROOT / "rules", cwd=project)
    assert proc.returncode == EXIT_OK and "（--rules 指定）" in proc.stdout.splitlines()[0]


def test_check_names_the_rules_it_used(cli):
    result = cli("check", CONFORMING)
    assert result.output.splitlines()[0].startswith("规则目录：")
