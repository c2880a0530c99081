"""``parkcheck batch``: discovery, hostile bundles as rows, the summary files, the same results on one
and two workers and on a Dask LocalCluster, a worker that dies or hangs."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from checker.batch import exit_code, run_batch
from checker.batch_discover import Found, discover, output_names
from checker.batch_summary import COLUMNS, FILES, heads
from checker.batch_worker import options
from checker.executors import DaskExecutor, Failure, LocalExecutor, Work
from checker.limits import DEFAULT_LIMITS

from .conftest import EVIDENCE, edit_text, run_parkcheck

PARKS = ("binhai-park", "donghu-park", "lvgu-park")
HOSTILE_PARK = '"=HYPERLINK(\\"http://x\\")<script>alert(1)</script>"'


@pytest.fixture(scope="module")
def parks(tmp_path_factory) -> Path:
    """The example parks, a park whose name is markup and a formula, and hostile bundles."""
    root = tmp_path_factory.mktemp("batch") / "in"
    for park in PARKS:
        shutil.copytree(EVIDENCE / park, root / "parks" / park)
    shutil.copytree(EVIDENCE / "binhai-park", root / "odd <name>\n")
    edit_text(root / "odd <name>\n" / "bundle.yaml", "name: 滨海低碳产业园", f"name: {HOSTILE_PARK}")
    (root / "hostile" / "bad-yaml").mkdir(parents=True)
    (root / "hostile" / "bad-yaml" / "bundle.yaml").write_text("kind: bundle\npark: {name: [unclosed\n")
    (root / "hostile" / "manifest-folder" / "bundle.yaml").mkdir(parents=True)
    shutil.copytree(EVIDENCE / "binhai-park", root / "hostile" / "escape")
    (root / "hostile" / "escape" / "seesa_measures.yaml").unlink()
    os.symlink("/etc/passwd", root / "hostile" / "escape" / "seesa_measures.yaml")
    (root / "hostile" / "junk.zip").write_bytes(b"not a zip")
    return root


@pytest.fixture(scope="module")
def runs(parks, tmp_path_factory):
    """The batch through the CLI on two workers, and through the library on one worker and on Dask."""
    out = tmp_path_factory.mktemp("out")
    cli = run_parkcheck("batch", parks, "--out", out / "cli", "--jobs", "2", "--quiet")
    opts = options([], None, ["json", "md", "html", "csv"], "zh", "auto", DEFAULT_LIMITS)
    one = run_batch([parks], out / "one", LocalExecutor(1), opts)
    dask = run_batch([parks], out / "dask", DaskExecutor(jobs=1, processes=False), opts)
    return {"cli": cli, "out": out, "one": one, "dask": dask}


def _csv_rows(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _stable(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in rows]


def test_every_bundle_is_found_in_order_and_named_safely(parks):
    found, skipped = discover([parks])
    assert [f.relative for f in found] == ["hostile/bad-yaml", "hostile/escape", "hostile/junk.zip",
                                           "hostile/manifest-folder", "odd <name>\n", "parks/binhai-park",
                                           "parks/donghu-park", "parks/lvgu-park"]
    assert skipped == []
    names = [f.name for f in output_names(found)]
    assert names[:3] == ["hostile__bad-yaml", "hostile__escape", "hostile__junk.zip"]
    assert names[4].startswith("odd__name__-") and len(names[4]) == len("odd__name__-") + 8
    assert len(set(names)) == len(names)


def test_odd_and_colliding_names_get_distinct_safe_folders():
    found = [Found(Path(f"/x/{i}"), rel) for i, rel in enumerate(["a/b", "a__b", "A__B", "../..", ".hidden",
                                                                   "x" * 200, "a\nb", "ok"])]
    names = [f.name for f in output_names(found)]
    assert len({n.casefold() for n in names}) == len(names)
    assert names[-1] == "ok"
    for name in names:
        assert "/" not in name and not name.startswith(".") and "\n" not in name and len(name) <= 89


def test_cli_rows_errors_and_exit_code(runs):
    proc = runs["cli"]
    assert proc.returncode == 2, proc.stderr  # bundles could not be read
    assert proc.stdout == "" and proc.stderr == ""
    rows = _csv_rows(runs["out"] / "cli" / "summary.csv")
    assert list(rows[0]) == heads()
    bundle, error, park, verdict = (heads()[[k for k, _, _ in COLUMNS].index(k)]
                                    for k in ("bundle", "error", "park", "verdict"))
    by_bundle = {r[bundle]: r for r in rows}
    assert "bundle.yaml:3:" in by_bundle["hostile/bad-yaml"][error]
    assert by_bundle["hostile/manifest-folder"][error].startswith("无法读取：bundle.yaml: ")
    assert "seesa_measures.yaml" in by_bundle["hostile/escape"][error]
    assert "junk.zip" in by_bundle["hostile/junk.zip"][error]
    for name in PARKS:
        assert by_bundle[f"parks/{name}"][error] == ""
        report = json.loads((runs["out"] / "cli" / "reports" / f"parks__{name}" / "report.json").read_text())
        assert by_bundle[f"parks/{name}"][park] == report["bundle"]["park"]["name"]
    assert by_bundle["parks/lvgu-park"][verdict] == "不推荐认证注册"  # the audit conclusion
    assert by_bundle["odd <name>\\n"][park].startswith("'=HYPERLINK")  # no formula in a spreadsheet
    for bad in ("hostile/bad-yaml", "hostile/manifest-folder", "hostile/escape", "hostile/junk.zip"):
        assert not any((runs["out"] / "cli" / "reports").glob(bad.replace("/", "__")))


def test_summary_counts_match_each_bundles_report(runs):
    rows = {r["bundle"]: r for r in runs["one"].rows}
    for park in PARKS:
        report = json.loads((runs["out"] / "one" / rows[f"parks/{park}"]["reports"] / "report.json").read_text())
        ncs = report["nonconformities"]
        assert rows[f"parks/{park}"]["major"] == sum(1 for n in ncs if n["grade"] == "major")
        assert rows[f"parks/{park}"]["minor"] == sum(1 for n in ncs if n["grade"] == "minor")
        assert rows[f"parks/{park}"]["observations"] == sum(1 for v in report["verdicts"]
                                                            if v["status"] == "observation")
    assert rows["parks/donghu-park"]["major"] > 0 and rows["parks/donghu-park"]["observations"] > 0
    score = rows["parks/binhai-park"]["scores"]
    assert [s["grade"] for s in score] == ["创建级"] and score[0]["total"]


def test_xlsx_cells_are_text_and_html_is_escaped(runs):
    folder = runs["out"] / "cli"
    sheet = load_workbook(folder / "summary.xlsx").active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == heads()
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type == "s" for c in cells if c.value is not None)
    hostile = next(c for c in cells if isinstance(c.value, str) and c.value.startswith("=HYPERLINK"))
    assert hostile.quotePrefix
    html = (folder / "summary.html").read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "odd &lt;name&gt;\\n" in html
    assert sorted(p.name for p in folder.iterdir()) == sorted([*FILES, "reports"])


def test_one_two_and_dask_workers_give_the_same_results(runs):
    two = _csv_rows(runs["out"] / "cli" / "summary.csv")
    assert len(two) == len(runs["one"].rows) == 8
    assert _stable(runs["one"].rows) == _stable(runs["dask"].rows)
    assert [r[heads()[0]] for r in two] == [str(r["index"]) for r in runs["one"].rows]
    for a, b in ((runs["out"] / "one", runs["out"] / "dask"), (runs["out"] / "one", runs["out"] / "cli")):
        for row in runs["one"].rows:
            if not row["error"]:
                assert (a / row["reports"] / "report.json").read_bytes() == (b / row["reports"] /
                                                                             "report.json").read_bytes()
    same_csv = [{k: v for k, v in r.items() if not k.startswith("用时")} for r in two]
    one_csv = [{k: v for k, v in r.items() if not k.startswith("用时")} for r in _csv_rows(runs["out"] / "one" /
                                                                                           "summary.csv")]
    assert same_csv == one_csv
    assert exit_code(runs["one"].rows) == exit_code(runs["dask"].rows) == 2


def test_out_inside_a_folder_of_bundles_is_refused(parks):
    proc = run_parkcheck("batch", parks, "--out", parks / "parks" / "reports", "--quiet")
    assert proc.returncode == 2
    assert "output folder is inside a folder of bundles" in proc.stderr
    assert not (parks / "parks" / "reports").exists()


def _task(task: dict) -> dict:
    """A stand-in check for the executor tests: crash, hang, or answer."""
    if task["do"] == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    if task["do"] == "hang":
        time.sleep(60)
    return {"n": task["n"], "pid": os.getpid()}


def _ready(_setup: dict) -> None:
    return None


def test_a_worker_that_dies_or_hangs_fails_its_task_alone():
    tasks = [{"n": i, "do": do} for i, do in enumerate(["ok", "crash", "ok", "hang", "ok", "ok"])]
    got: dict[int, object] = {}
    t0 = time.monotonic()
    LocalExecutor(2).run(Work(_task, _ready, {}, timeout=3), tasks, got.__setitem__)
    assert time.monotonic() - t0 < 30
    assert sorted(got) == list(range(6))
    crashed, hung = got[1], got[3]
    assert isinstance(crashed, Failure) and crashed.kind == "died" and "signal 11" in crashed.detail
    assert isinstance(hung, Failure) and hung.kind == "timeout"
    assert all(got[i] == {"n": i, "pid": got[i]["pid"]} for i in (0, 2, 4, 5))  # type: ignore[index]


def test_the_terminal_names_each_bundle_that_could_not_be_checked(runs):
    from checker.batch_summary import SHOWN_FAILURES, failures
    rows = runs["one"].rows
    failed = [r for r in rows if r["error"]]
    lines = failures(rows, "zh")
    assert len(lines) == len(failed) and failed
    for row, line in zip(failed, lines, strict=True):
        assert line.startswith("  未能检查  ") and "\n" not in line and row["error"][:40] in line
    [odd] = failures([dict(failed[0], bundle="odd\nname", error="bad\x1b[31m")], "en")  # control characters shown
    assert odd == "  not checked  odd\\nname: bad\\x1b[31m"
    many = [dict(failed[0], bundle=f"b{i}") for i in range(SHOWN_FAILURES + 3)]
    assert failures(many, "en")[-1] == "  ... and 3 more, see summary.csv" and len(failures(many, "en")) == 11
    assert failures([r for r in rows if not r["error"]], "zh") == []
