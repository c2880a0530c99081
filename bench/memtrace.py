"""What the built facts hold, line by line: Python's live memory (tracemalloc) after loading a bench bundle and
after building its facts, by the line that allocated it, highest first (issue 15: the holder to go after).

    python bench/memtrace.py ledger 20000 [lines]

Slow (tracemalloc: ~5x); 20k ledger records take about a minute.  Divide by the records to compare sizes.
A measuring aid: it wraps ``checker.check.build_facts``, so it follows the code.
"""
from __future__ import annotations

import gc
import sys
import tempfile
import tracemalloc
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import bench  # noqa: E402
import checker.check as check  # noqa: E402


def main(series: str, records: int, lines: int) -> None:
    snapshots: dict = {}
    inner = check.build_facts

    def wrapped(*args, **kwargs):
        base = inner(*args, **kwargs)
        gc.collect()
        snapshots["facts built"] = tracemalloc.take_snapshot()
        counts = Counter({kind: len(fids) for kind, fids in base.by_kind.items()})
        print("facts by kind:", ", ".join(f"{k} {n}" for k, n in counts.most_common(6)))
        return base

    check.build_facts = wrapped
    check.compiled_pack("t-cpqs-zc001-2025")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bundle"
        bench.SERIES[series](folder, records)
        tracemalloc.start(1)
        bundle, _ = check.load_and_validate(folder)
        gc.collect()
        snapshots["loaded"] = tracemalloc.take_snapshot()
        check.check_bundle(bundle, ["t-cpqs-zc001-2025"])
    for stage, snapshot in snapshots.items():
        stats = snapshot.statistics("lineno")
        print(f"== {stage}: {sum(s.size for s in stats) / 2**20:.1f} MiB live")
        for s in stats[:lines]:
            print(f"{s.size / 2**20:8.2f} MiB {s.count:8d} {s.traceback[0]}")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in bench.SERIES or not sys.argv[2].isdigit():
        sys.exit(__doc__.strip())
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) == 4 else 30)
