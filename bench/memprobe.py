"""Where the memory goes: resident memory per stage and per engine ruleset for one bench bundle.

    python bench/memprobe.py documents 100000
    python bench/memprobe.py ledger 50000

Prints the resident set after loading, building the facts, the engine and the check, and the highest
resident set sampled (every 10 ms, by a thread) in each stage and each engine ruleset, highest first:
the stage to work on (issue 15).  A measuring aid: it wraps internal functions, so it follows the code.
"""
from __future__ import annotations

import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import bench  # noqa: E402
import checker.check as check  # noqa: E402
from checker import engine  # noqa: E402
from checker.cli_support import DEFAULT_FORMATS  # noqa: E402
from checker.reporters import write_reports  # noqa: E402

STATE: dict = {"stage": "start", "max": {}}


def rss() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def _sample() -> None:
    while True:
        stage, now = STATE["stage"], rss()
        if now > STATE["max"].get(stage, 0):
            STATE["max"][stage] = now
        time.sleep(0.01)


def _wrap(owner, name: str, label=None, after: str | None = None) -> None:
    inner = getattr(owner, name)

    def wrapped(*args, **kwargs):
        before = STATE["stage"]
        if label:
            STATE["stage"] = label(*args)
        out = inner(*args, **kwargs)
        STATE["stage"] = before
        if after:
            print(f"{after:<18} {rss():8.0f} MiB", flush=True)
        return out
    setattr(owner, name, wrapped)


def main(series: str, records: int) -> None:
    threading.Thread(target=_sample, daemon=True).start()
    _wrap(engine.Engine, "_run", label=lambda _self, name, *_: f"ruleset {name}")
    _wrap(check, "build_facts", label=lambda *_: "build facts", after="facts built")
    _wrap(check, "_evaluate", label=lambda *_: "plan sessions", after="engine and results")
    _wrap(check, "rule_results", label=lambda *_: "results")
    check.compiled_pack("t-cpqs-zc001-2025")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bundle"
        bench.SERIES[series](folder, records)
        print(f"{'generated':<18} {rss():8.0f} MiB", flush=True)
        c0 = time.process_time()
        STATE["stage"] = "load, validate"
        bundle, _ = check.load_and_validate(folder)
        print(f"{'loaded':<18} {rss():8.0f} MiB", flush=True)
        STATE["stage"] = "facts, verdicts"
        report = check.check_bundle(bundle, ["t-cpqs-zc001-2025"])
        print(f"{'checked':<18} {rss():8.0f} MiB", flush=True)
        STATE["stage"] = "render"
        write_reports(report, Path(tmp) / "reports", list(DEFAULT_FORMATS))
        STATE["stage"] = "end"
        time.sleep(0.05)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"cpu {time.process_time() - c0:.1f} s, peak {peak:.0f} MiB")
    for stage, high in sorted(STATE["max"].items(), key=lambda kv: -kv[1])[:12]:
        print(f"{high:8.0f} MiB  {stage}")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in bench.SERIES or not sys.argv[2].isdigit():
        sys.exit(__doc__.strip())
    main(sys.argv[1], int(sys.argv[2]))
