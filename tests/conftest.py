"""Shared fixtures: paths to the shipped examples and a CLI runner that keeps stdout and stderr apart."""

from __future__ import annotations

import copy
import functools
import gc
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# The suite (and the parkcheck subprocesses it starts) use a cache folder of their own.
os.environ.setdefault("PARKCHECK_CACHE_DIR", tempfile.mkdtemp(prefix="parkcheck-test-cache-"))
# Messages in English unless a test asks for Chinese (--lang zh): the suite asserts exact message texts
# and must not depend on the locale of the machine (checker.i18n).
os.environ.setdefault("PARKCHECK_LANG", "en")

import pytest
from click.testing import CliRunner

from checker.cli import main

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE = ROOT / "evidence"
CONFORMING = EVIDENCE / "lvgu-park"
DEFECTIVE = EVIDENCE / "donghu-park"
PACK = "t-cpqs-zc001-2025"
BASE_FIXTURE = ROOT / "rules" / PACK / "fixtures" / "base"


# How the suite is spread over the workers (``--dist loadgroup``, pyproject): a module's tests run on one
# worker, so its costly fixtures are built once, except the long parametrised modules below, cut into
# that many runs of consecutive tests.  The groups are made by the scheduler below, from the test ids:
# pytest-xdist's own loadgroup appends an ``xdist_group`` mark's name to ``item._nodeid``, which pytest 9
# no longer reads, so with it every test was a group of its own and each worker built every module's
# fixtures again.  The groups start longest first (``pytest_collection_modifyitems``, from the measured
# seconds of tests/durations.json), so that the last groups handed out are short and the workers finish
# together.
SPLIT = {"test_rule_cases.py": 4, "test_harness.py": 4, "test_features.py": 3, "test_gaps.py": 2}


def worker_groups(nodeids: list[str]) -> dict[str, str]:
    """The group (one worker's run of tests) of each test id, the ids in collection order."""
    sizes: dict[str, int] = {}
    for nodeid in nodeids:
        module = nodeid.split("::")[0]
        sizes[module] = sizes.get(module, 0) + 1
    seen: dict[str, int] = {}
    groups = {}
    for nodeid in nodeids:
        module = nodeid.split("::")[0]
        parts = SPLIT.get(Path(module).name, 1)
        index = seen[module] = seen.get(module, -1) + 1
        groups[nodeid] = f"{module}#{index * parts // sizes[module]}"
    return groups


# Seconds per test the scheduler assumes for a module missing from tests/durations.json (a new module).
UNMEASURED = 0.2


def group_seconds(nodeids: list[str], measured: dict[str, float]) -> dict[str, float]:
    """The expected seconds of one group of each module (its measured seconds shared among its groups),
    by module path, the ids in collection order."""
    counts: dict[str, int] = {}
    for nodeid in nodeids:
        module = nodeid.split("::")[0]
        counts[module] = counts.get(module, 0) + 1
    return {module: measured.get(Path(module).name, UNMEASURED * n) / SPLIT.get(Path(module).name, 1)
            for module, n in counts.items()}


def pytest_configure(config):
    """The suite's processes keep many objects to the end (compiled packs, cached example reports): the cyclic
    collector's passes skip what exists once the plugins are loaded (``gc.freeze``) and run less often.  Measured
    alone: tests/test_gaps.py 62.8 -> 54.5 s.  Only the test processes: the checker's own handling of the
    collector (``checker.gcpause``) and subprocess runs of ``parkcheck`` are unaffected."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def pytest_collection_modifyitems(config, items):
    # The longest groups first (tests/durations.json), so that the short ones fill in at the end and both
    # workers finish together: the scheduler below hands the groups out in collection order.  A module's
    # tests stay in their order (the sort is stable and by module).
    from .durations import load
    seconds = group_seconds([item.nodeid for item in items], load())
    items.sort(key=lambda item: -seconds[item.nodeid.split("::")[0]])


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    config.option.loadscopereorder = False  # the groups in collection order (longest first), not by test count
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        """xdist's scope scheduling (a group's tests on one worker, the groups shared out as workers free
        up), the scope of a test being its ``worker_groups`` group."""

        def __init__(self, config, log=None) -> None:
            super().__init__(config, log)
            self.groups: dict[str, str] = {}

        def schedule(self) -> None:
            if self.collection is None and self.registered_collections:
                self.groups = worker_groups(list(next(iter(self.registered_collections.values()))))
            super().schedule()

        def _split_scope(self, nodeid: str) -> str:
            return self.groups[nodeid]

    return GroupScheduling(config, log)


@pytest.fixture
def cli():
    """Run the CLI in-process; returns the click Result (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return run


@functools.cache
def _example_report(bundle: Path):
    from checker.check import run_check
    return run_check(bundle)


def example_report(bundle: Path):
    """``run_check(bundle)`` of a shipped example (its standards, mode auto), computed once per test
    process: several modules check the same example park.  Each caller gets its own deep copy, so a
    test cannot change what another module sees.  Tests of determinism run the check themselves."""
    return copy.deepcopy(_example_report(bundle))


def run_parkcheck(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real ``parkcheck`` entry point in a subprocess (as a user would); ``env`` adds variables."""
    env = dict(os.environ, **(env or {}))
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "checker.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=120)


def run_in_process(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """The same command line as ``run_parkcheck``, run in-process through click (no interpreter start-up,
    no pack loading and ruleset compilation per call): same arguments, working folder (the checkout
    unless ``cwd``), environment additions, exit code, stdout and stderr apart.  An exception that
    escapes the command's guard is raised (the test fails), as a traceback would fail the subprocess
    tests.  For tests about the entry point itself, the process (signals, a crash, what it leaves on
    disk or in the cache) keep ``run_parkcheck``."""
    from checker import cache
    disabled = cache._disabled  # --no-cache switches the cache off for the process: keep it to this call
    here = os.getcwd()
    os.chdir(cwd or ROOT)
    try:
        result = CliRunner(env=env).invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(here)
        cache._disabled = disabled
    return subprocess.CompletedProcess(["parkcheck", *map(str, args)], result.exit_code, result.stdout, result.stderr)


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def edit_text(path: Path, old: str, new: str, count: int = -1) -> int:
    """Replace ``old`` by ``new`` in a UTF-8 file; fail if ``old`` is not there (an edit that misses
    would leave the test checking nothing).  Returns the line of the first change."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} does not contain {old!r}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


@pytest.fixture
def rules_copy(tmp_path) -> Path:
    """A writable copy of the shipped rules folder."""
    dest = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", dest)
    return dest


@pytest.fixture
def base_copy(tmp_path) -> Path:
    """A writable copy of the pack's base fixture bundle."""
    dest = tmp_path / "bundle"
    shutil.copytree(BASE_FIXTURE, dest)
    return dest


_COUNT_LINE = re.compile(r"(\d+) 个文件有问题，共 (\d+) 处 / (\d+) problems? in (\d+) files?")


def one_problem_line(proc) -> str:
    """The one problem line an in-process run that stopped with exit 2 printed (no traceback, no internal error)."""
    text = proc.stdout + proc.stderr
    assert "Traceback" not in text and "internal error" not in text, text[-3000:]
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    lines = listed_problems(proc.stdout, proc.stderr)
    assert len(lines) == 1, proc.stderr
    return lines[0]


def listed_problems(stdout: str, stderr: str) -> list[str]:
    """The problem lines of a run that listed every problem of a bundle (``checker.problemlist``): its
    stderr (then stdout) lines but the count line, which must be last and count exactly them.  A run
    stopped by one error that is no file's (a limit of the whole bundle, a bad option) prints that line
    alone.  Never a traceback."""
    assert "Traceback" not in stdout + stderr
    err = [line for line in stderr.splitlines() if line.strip()]
    if not err or not _COUNT_LINE.search(err[-1]):
        return err
    out = [line for line in stdout.splitlines() if line.strip()]
    m = _COUNT_LINE.search(err[-1])
    problems = err[:-1] + out
    files = {line.removeprefix("parkcheck: error: ").removeprefix("parkcheck: invalid evidence: ").split(":")[0].split("!")[0]
             for line in problems}
    assert int(m.group(2)) == int(m.group(3)) == len(problems), (stdout, stderr)
    assert int(m.group(1)) == int(m.group(4)) == len(files), (stdout, stderr)
    return problems


@pytest.fixture(scope="module")
def defective():
    """The example park with seeded defects, checked once per worker (``example_report``)."""
    return example_report(DEFECTIVE)


@pytest.fixture(scope="module")
def conforming():
    """The conforming example park, checked once per worker (``example_report``)."""
    return example_report(CONFORMING)
