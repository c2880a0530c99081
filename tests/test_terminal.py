"""The terminal view of a check (checker.reporters.terminal) and its progress bar (reporters.progress).

What a person sees first is the verdict and the counts, then the nonconformities, major first, each
with its requirement, finding, evidence and, in a pre-check, what to provide; the clause table only
with --all.  In an audit no advice is shown (ISO/IEC 17021-1).  The progress bar goes to stderr,
only on a terminal.  Every expectation is derived from the report, not pinned.
"""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
import threading

import pytest
from rich.console import Console

from checker.escape import one_line
from checker.labels_out import status_label
from checker.model import Grade, Status
from checker.modes import AUDIT, in_mode
from checker.reporters.progress import STAGES, check_progress, wanted
from checker.reporters.terminal import precheck_mode, print_summary

from .conftest import DEFECTIVE, ROOT, example_report


@pytest.fixture(scope="module")
def report():
    return example_report(DEFECTIVE)


def render(report, lang="zh", **kwargs) -> str:
    buf = io.StringIO()
    # wide enough that no value wraps: the texts are searched for whole
    print_summary(report, Console(file=buf, width=2000, highlight=False, color_system=None), lang, **kwargs)
    return buf.getvalue()


def remediations(report) -> list[str]:
    texts = [n.remediation.zh for n in report.nonconformities if n.remediation]
    texts += [r.remediation.zh for r in report.results
              if r.remediation and r.status in (Status.OBSERVATION, Status.ONSITE)]
    return [one_line(x) for x in texts]


def test_the_verdict_and_counts_come_before_the_nonconformities_and_those_before_the_clause_table(report):
    out = render(report, show_all=True)
    lines = out.splitlines()
    major = sum(1 for n in report.nonconformities if n.grade is Grade.MAJOR)
    minor = len(report.nonconformities) - major
    conclusion = lines.index(f"结论：存在 {major} 项严重不符合、{minor} 项一般不符合；"
                             f"另有 {report.summary()['results']['onsite']} 项需现场核实")
    counts = next(i for i, line in enumerate(lines) if line.startswith(f"不符合项 {len(report.nonconformities)}: "))
    first_nc = min(i for i, line in enumerate(lines) if line.startswith("NC-"))
    last_nc = max(i for i, line in enumerate(lines) if line.startswith("NC-"))
    table = lines.index("条款结论 · " + report.packs[0].code)
    assert lines[0].startswith("东湖经济开发区") and lines[1].startswith(report.packs[0].code)
    assert 1 < conclusion < counts < first_nc <= last_nc < table
    assert "观察项 " in lines[counts] and "符合 " in lines[counts] and "不适用 " in lines[counts]
    # every clause verdict is in the table, the not-checked ones included
    body = "\n".join(lines[table:])
    for v in report.verdicts:
        assert status_label(v.status, v.grade, "zh") in body
    assert status_label(Status.NOT_CHECKED, None, "zh") in body


def test_without_all_there_is_no_clause_table_only_a_hint(report):
    out = render(report)
    assert "条款结论 · " not in out and out.splitlines()[-1] == "逐条款结论表：加 --all 显示"
    assert status_label(Status.NOT_CHECKED, None, "zh") not in out


def test_nonconformities_are_listed_major_first_each_with_clause_requirement_finding_and_evidence(report):
    out = render(report)
    positions = {n.id: out.index(n.id + "  ") for n in report.nonconformities}
    majors = [n for n in report.nonconformities if n.grade is Grade.MAJOR]
    minors = [n for n in report.nonconformities if n.grade is Grade.MINOR]
    assert majors and minors
    assert max(positions[n.id] for n in majors) < min(positions[n.id] for n in minors)
    # within a grade, the report's (clause) order
    for group in (majors, minors):
        assert [positions[n.id] for n in group] == sorted(positions[n.id] for n in group)
    for n in report.nonconformities:
        block = out[positions[n.id]:].split("\nNC-")[0]
        head = block.splitlines()[0]
        assert status_label(Status.NONCONFORMITY, n.grade, "zh") in head
        assert all(c in head for _, c in n.clauses)
        assert "要求" in block and one_line(n.requirement)[:20] in block
        assert one_line(n.finding.zh) in block and n.evidence[0].location() in block


def test_a_precheck_shows_what_to_provide_and_an_audit_gives_no_advice(report):
    assert report.bundle["check_type"] == "pre_assessment" and precheck_mode(report)
    texts = remediations(report)
    assert len(texts) >= len(report.nonconformities)
    pre = render(report)
    for text in texts:
        assert text in pre
    assert pre.count("需提供") == len(texts)
    out = render(in_mode(report, AUDIT))  # the mode is the report's: asked for, or from check_type
    assert "需提供" not in out and not [t for t in texts if t in out]
    assert "审核（不提供整改建议）" in out
    assert all(n.id in out for n in report.nonconformities)  # the findings themselves are all there
    assert not precheck_mode(in_mode(report, AUDIT))


def test_english_view(report):
    out = render(in_mode(report, AUDIT), "en")
    assert "Conclusion: " in out and "Nonconformities (major first)" in out and "To provide" not in out
    assert "Clause-by-clause table: add --all" in out


def test_cli_options_all_and_mode(cli):
    plain = cli("check", DEFECTIVE)
    audit = cli("check", DEFECTIVE, "--mode", "audit", "--all")
    assert plain.exit_code == audit.exit_code == 1
    assert "需提供" in plain.output and "需提供" not in audit.output
    assert "条款结论 · " not in plain.output and "条款结论 · " in audit.output


def test_no_progress_output_when_stderr_is_not_a_terminal(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PARKCHECK_CACHE_DIR": "off"}
    proc = subprocess.run([sys.executable, "-m", "checker.cli", "check", str(DEFECTIVE), "--out", str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 1 and proc.stderr == ""
    assert not wanted(False, io.StringIO()) and not wanted(True, sys.__stderr__)


def test_the_progress_bar_goes_to_a_terminal_on_stderr_and_never_to_stdout(tmp_path):
    """stderr on a pseudo-terminal, stdout a pipe: the bar is drawn on stderr; stdout and the reports are
    the same as without it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PARKCHECK_CACHE_DIR": "off", "COLUMNS": "100", "TERM": "xterm"}
    args = [sys.executable, "-m", "checker.cli", "check", str(DEFECTIVE), "--format", "json"]
    quiet = subprocess.run([*args, "--out", str(tmp_path / "a")], capture_output=True, env=env, timeout=300)
    master, slave = pty.openpty()
    seen = bytearray()

    def drain():
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                return
            if not chunk:
                return
            seen.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        proc = subprocess.run([*args, "--out", str(tmp_path / "b")], stdout=subprocess.PIPE, stderr=slave, env=env,
                              timeout=300)
    finally:
        os.close(slave)
        reader.join(timeout=10)
        os.close(master)
    assert proc.returncode == quiet.returncode == 1
    assert proc.stdout.replace(b"/b", b"/a") == quiet.stdout and b"\x1b" not in proc.stdout
    assert (tmp_path / "a" / "report.json").read_bytes() == (tmp_path / "b" / "report.json").read_bytes()
    shown = seen.decode("utf-8", "replace")
    assert any(label in shown for _, (label, _en) in STAGES), shown[:500]  # the run lasts over a second


def test_check_progress_is_transient_and_silent_when_quick():
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=80)
    with check_progress(True, "en", console=console, delay=0) as timings:
        for stage, _ in STAGES:
            timings.add(stage, 0.01)
    assert "collecting the verdicts" in buf.getvalue() or "writing the reports" in buf.getvalue()
    assert set(timings.stages) == {s for s, _ in STAGES}
    buf = io.StringIO()
    with check_progress(True, "en", console=Console(file=buf, force_terminal=True), delay=60) as timings:
        timings.add("load", 0.0)
    assert buf.getvalue() == ""  # a run under the delay draws nothing
    with check_progress(False) as timings:
        timings.add("load", 0.5)
    assert timings.stages == {"load": 0.5}


def test_an_audit_prints_its_conclusion_with_the_reasons_under_the_verdict():
    from .conftest import CONFORMING
    audit = example_report(CONFORMING)
    assert audit.conclusion, "lvgu-park is a certification audit: its report carries a conclusion"
    for lang in ("zh", "en"):
        lines = render(audit, lang).splitlines()
        [at] = [i for i, line in enumerate(lines) if audit.conclusion["text"][lang] in line]
        assert lines[at - 1].startswith("结论：" if lang == "zh" else "Conclusion: ")  # under the verdict line
        assert all(r[lang] in lines[at] for r in audit.conclusion["reasons"])
    assert not any("审核结论" in line for line in render(example_report(DEFECTIVE)).splitlines())  # a pre-check
