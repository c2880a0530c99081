"""A report set is replaced atomically: killed at any point, the output folder holds the previous
complete set or the new one, never a mix and never a temporary file; the next run cleans up."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import checker.reporters as reporters
from checker.errors import InputError
from checker.reporters import FORMATS, docx_annex, write_reports

from .conftest import DEFECTIVE, ROOT, example_report, run_in_process, run_parkcheck


@pytest.fixture(scope="module")
def report():
    return example_report(DEFECTIVE)


def listing(folder):
    """Every file of a report set by its path in the set (a format's folder of files included)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_new_set_replaces_the_whole_previous_set(report, tmp_path, monkeypatch):
    # which files a set holds is asserted, not what a printed page shows (tests/test_pdf.py): the PDF,
    # the one renderer that takes seconds, stands in as a few bytes
    monkeypatch.setitem(FORMATS, "pdf", (FORMATS["pdf"][0], lambda _report, _lang: b"%PDF-1.7 stand-in"))
    out = tmp_path / "out"
    write_reports(report, out, list(FORMATS))
    assert sorted(p.name for p in out.iterdir()) == sorted(name for name, _ in FORMATS.values())
    assert sorted(p.name for p in (out / "ncr").iterdir()) == sorted(
        [f"{nc.id}.docx" for nc in report.nonconformities] + [docx_annex.ANNEX])  # donghu claims neutrality
    write_reports(report, out, ["json", "csv"], "en")
    assert sorted(listing(out)) == ["nonconformities.csv", "report.json"]  # no stale md/html of the earlier run
    assert b"No." in (out / "nonconformities.csv").read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert (out.stat().st_mode & 0o777) == 0o777 & ~reporters._umask()


def test_the_fallback_without_an_atomic_exchange_also_leaves_no_trace(report, tmp_path, monkeypatch):
    monkeypatch.setattr(reporters, "_exchange", lambda a, b: False)
    out = tmp_path / "out"
    write_reports(report, out, ["json"])
    write_reports(report, out, ["md"])
    assert sorted(listing(out)) == ["report.md"] and [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_folder_with_other_files_is_refused_and_left_alone(report, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "report.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match=r"holds 'notes\.txt', which parkcheck did not write"):
        write_reports(report, out, ["json"])
    assert listing(out) == {"notes.txt": b"mine", "report.json": b"{}"}
    (out / "sub").mkdir()
    with pytest.raises(InputError, match="and 1 more"):
        write_reports(report, out, ["json"])


def test_the_bundle_or_the_working_folder_is_never_replaced(report, tmp_path, monkeypatch):
    bundle = tmp_path / "parent" / "bundle"
    bundle.mkdir(parents=True)
    with pytest.raises(InputError, match="evidence bundle is inside the output folder"):
        write_reports(report, tmp_path / "parent", ["json"], protect=bundle)
    with pytest.raises(InputError, match="inside the evidence bundle"):
        write_reports(report, bundle / "out", ["json"], protect=bundle)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    with pytest.raises(InputError, match="is the current folder"):
        write_reports(report, work, ["json"])
    assert list(work.iterdir()) == []


def test_stale_temporary_folders_of_killed_runs_are_removed(report, tmp_path):
    out = tmp_path / "out"
    dead = 999_999_999  # no such process
    for name in (f".out.tmp-{dead}-a", f".out.old-{dead}-b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "report.json").write_bytes(b"stale")
    alive = tmp_path / f".out.tmp-{os.getppid()}-c"  # a run still writing: not touched
    alive.mkdir()
    (tmp_path / ".other.tmp-1-x").mkdir()  # another output folder's: not ours to judge
    write_reports(report, out, ["json"])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out", alive.name, ".other.tmp-1-x"])


def test_a_run_killed_between_the_fallback_renames_is_repaired(tmp_path):
    out = tmp_path / "out"
    old = tmp_path / ".out.old-999999999-z"
    old.mkdir()
    (old / "report.json").write_bytes(b"previous")
    reporters._remove_stale(out)  # the start of the next run
    assert listing(out) == {"report.json": b"previous"} and not old.exists()


DRIVER = textwrap.dedent(r"""
    import dataclasses, json, os, shutil, signal, sys, tempfile, types
    from pathlib import Path
    import checker.reporters as reporters
    from checker.check import run_check

    modes, bundle, work = sys.argv[1].split(","), sys.argv[2], Path(sys.argv[3])
    report = run_check(bundle)
    out = work / "out"
    PREVIOUS = (["json", "md", "html", "csv"], "zh")
    NEW = (["json", "md", "csv", "docx", "xlsx"], "en")  # docx: a folder of files (ncr/NC-….docx)
    # rendered once: each kill then costs only the file-system steps
    rendered = {(f, lang): reporters.FORMATS[f][1](report, lang) for formats, lang in (PREVIOUS, NEW) for f in formats
                if f != "docx"}
    # three forms show the folder's steps (rendered for the first three nonconformities only)
    first_three = dataclasses.replace(report, nonconformities=report.nonconformities[:3])
    rendered["docx", "en"] = dict(sorted(reporters.FORMATS["docx"][1](first_three, "en").items())[:3])
    reporters.FORMATS = {f: (name, lambda _report, lang, f=f: rendered[f, lang])
                         for f, (name, _) in reporters.FORMATS.items()}
    # the streamed formats too (report.json, .md, .html): their pieces made once, then written again as they came
    # (the same os.write calls)
    pieces = {(f, lang): [] for formats, lang in (PREVIOUS, NEW) for f in formats if f in reporters.STREAMED}
    for (f, lang), made in pieces.items():
        reporters.STREAMED[f](report, lang, lambda data, made=made: made.append(bytes(data)))
    reporters.STREAMED = {f: (lambda _report, lang, write, f=f: [write(data) for data in pieces[f, lang]])
                          for f in reporters.STREAMED}

    def expected(formats, lang):
        files = {}
        for f in formats:
            name, data = reporters.FORMATS[f][0], rendered[f, lang]
            files.update({f"{name}/{k}": v for k, v in data.items()} if isinstance(data, dict) else {name: data})
        return files

    sets = {"previous": expected(*PREVIOUS), "new": expected(*NEW)}

    def state():
        if not out.is_dir():
            return "missing"
        found = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        return next((name for name, files in sets.items() if files == found), "mixed: " + ", ".join(sorted(found)))

    def killing(fn, label):
        def wrapped(*args, **kwargs):
            global steps
            steps += 1
            if steps == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return fn(*args, **kwargs)
        return wrapped

    class KillingOs(types.ModuleType):
        def __getattr__(self, name):
            attr = getattr(os, name)
            return killing(attr, name) if name in {"open", "write", "fsync", "close", "rename", "chmod", "stat",
                                                   "mkdir"} else attr

    outcomes = {mode: [] for mode in modes}
    for mode in modes:  # the rendering above serves every mode
        kill_at = 0
        while True:
            kill_at += 1
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            reporters.write_reports(report, out, *PREVIOUS)
            assert state() == "previous"
            pid = os.fork()
            if pid == 0:
                steps = 0
                reporters.os = KillingOs("os")
                reporters.tempfile = types.SimpleNamespace(mkdtemp=killing(tempfile.mkdtemp, "mkdtemp"))
                reporters.shutil = types.SimpleNamespace(rmtree=killing(shutil.rmtree, "rmtree"))
                exchange = reporters._exchange if mode == "exchange" else (lambda a, b: False)
                reporters._exchange = killing(exchange, "exchange")
                reporters.write_reports(report, out, *NEW)
                os._exit(0)
            _, status = os.waitpid(pid, 0)
            killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
            after_kill = state()
            leftovers = sorted(p.name for p in work.iterdir() if p.name != "out")
            hidden_inside = sorted(p.name for p in out.iterdir() if p.name.startswith(".")) if out.is_dir() else []
            reporters._remove_stale(out)  # what the next run does first
            repaired = state()
            reporters.write_reports(report, out, *PREVIOUS)  # the next run
            clean_after = sorted(p.name for p in work.iterdir()) == ["out"] and state() == "previous"
            outcomes[mode].append({"kill_at": kill_at, "killed": killed, "state": after_kill, "repaired": repaired,
                                   "leftovers": leftovers, "hidden_inside": hidden_inside,
                                   "clean_after_next_run": clean_after})
            if not killed:
                break
    print(json.dumps(outcomes))
""")


@pytest.fixture(scope="module")
def kill_outcomes(tmp_path_factory):
    """The driver's outcomes for both ways of replacing the folder, from one process (the example is
    checked and rendered once for both)."""
    tmp_path = tmp_path_factory.mktemp("kill")
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, str(driver), "exchange,fallback", str(DEFECTIVE), str(tmp_path / "work")],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("mode", ["exchange", "fallback"])
def test_killed_at_every_step_the_folder_holds_one_complete_set(kill_outcomes, mode):
    """SIGKILL the writer before each of its file-system calls in turn (a forked child per step)."""
    outcomes = kill_outcomes[mode]
    assert len(outcomes) > 10 and not outcomes[-1]["killed"] and all(o["killed"] for o in outcomes[:-1])
    for o in outcomes:
        if mode == "exchange":
            assert o["state"] in ("previous", "new"), o
        else:  # two renames: killed between them, the folder is missing until the next run puts it back
            assert o["state"] in ("previous", "new") or (o["state"] == "missing" and o["repaired"] == "previous"), o
        assert o["repaired"] in ("previous", "new") and o["hidden_inside"] == [] and o["clean_after_next_run"], o
    states = [o["repaired"] for o in outcomes]
    assert states[0] == "previous" and states[-1] == "new"
    assert states == sorted(states, key=["previous", "new"].index)  # once new, never back to a mix or old


def test_the_cli_killed_at_random_moments_leaves_one_complete_set(tmp_path):
    # the killed runs (and the full run that times them) are processes of their own; the runs that write
    # the previous set and then clean up after each kill are the same command line run in this process
    # (tests/conftest.py), the clean-up found on disk as the next run finds it
    out = tmp_path / "out"
    assert run_in_process("check", DEFECTIVE, "--out", out, "-q", "--lang", "en").returncode == 1
    previous = listing(out)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    assert run_parkcheck("check", DEFECTIVE, "--out", tmp_path / "full", "-q").returncode == 1
    duration = time.perf_counter() - start
    new = listing(tmp_path / "full")
    seen = set()
    # a kill part-way and one near the end (test_killed_at_every_step_… covers each step in turn)
    for fraction in (0.6, 0.97):
        proc = subprocess.Popen([sys.executable, "-m", "checker.cli", "check", str(DEFECTIVE), "--out", str(out), "-q"],
                                env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        found = listing(out)
        assert found in (previous, new)
        seen.add("new" if found == new else "previous")
        assert not [p for p in out.iterdir() if p.name.startswith(".")]
        # restore the previous set for the next trial (a clean run also removes what the kill left)
        assert run_in_process("check", DEFECTIVE, "--out", out, "-q", "--lang", "en").returncode == 1
        assert sorted(p.name for p in tmp_path.iterdir()) == ["full", "out"] and listing(out) == previous
    assert "previous" in seen
