"""Benchmark `parkcheck batch`: N example-size bundles checked with 1 and with 2 worker processes.

    python bench/bench_batch.py                    # 1000 copies of evidence/lvgu-park, --jobs 1 then 2
    python bench/bench_batch.py 200 --park binhai-park --jobs 1 2 4
    python bench/bench_batch.py 1000 --generate-only /tmp/parks   # just write the bundles (for other timers)

Each bundle is a copy of an example park with its own park name (``… #0042``), in a temporary folder;
each run is a fresh ``parkcheck batch`` process writing the default report formats (json, md, html,
csv) for every bundle and the summary files, timed as a whole (worker start-up and pack compilation
included).  Prints, per job count, the wall time and bundles per second, then each speed-up over the
first job count.  The machine's load average is printed before and after: on a shared machine the
ratio is only as good as the cores the runs actually got.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE = ROOT / "evidence"


def generate(folder: Path, count: int, park: str) -> None:
    """``count`` copies of ``evidence/PARK`` under ``folder``, each with its own park name."""
    source = EVIDENCE / park
    manifest = (source / "bundle.yaml").read_text(encoding="utf-8")
    name_line = next(line for line in manifest.splitlines() if line.strip().startswith("name:"))
    for i in range(count):
        target = folder / f"{park}-{i:04d}"
        shutil.copytree(source, target)
        renamed = name_line.rstrip() + f" #{i:04d}"
        (target / "bundle.yaml").write_text(manifest.replace(name_line, renamed, 1), encoding="utf-8")


def run(folder: Path, out: Path, jobs: int) -> tuple[float, int]:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "checker.cli", "batch", str(folder), "--out", str(out),
                           "--jobs", str(jobs), "--quiet"], check=False, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode == 2:
        sys.exit(f"batch failed (exit 2): {proc.stderr.strip() or (out / 'summary.csv')}")
    return seconds, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundles", type=int, nargs="?", default=1000)
    parser.add_argument("--park", default="lvgu-park", help="the example park to copy (a folder of evidence/)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--generate-only", type=Path, metavar="DIR", help="write the bundles into DIR and stop")
    args = parser.parse_args()
    if args.generate_only:
        args.generate_only.mkdir(parents=True, exist_ok=False)
        generate(args.generate_only, args.bundles, args.park)
        print(f"wrote {args.bundles} bundles into {args.generate_only}")
        return
    with tempfile.TemporaryDirectory(prefix="parkcheck-bench-batch-") as tmp:
        folder = Path(tmp) / "parks"
        folder.mkdir()
        generate(folder, args.bundles, args.park)
        print(f"{args.bundles} copies of evidence/{args.park}; cpus {os.cpu_count()}; "
              f"load average before {os.getloadavg()[0]:.2f}")
        speeds = {}
        for jobs in args.jobs:
            seconds, code = run(folder, Path(tmp) / f"out-{jobs}", jobs)
            speeds[jobs] = args.bundles / seconds
            print(f"--jobs {jobs}: {seconds:8.1f} s  {speeds[jobs]:7.2f} bundles/s  (exit {code})", flush=True)
        first = args.jobs[0]
        for jobs in args.jobs[1:]:
            print(f"speed-up --jobs {jobs} / --jobs {first}: {speeds[jobs] / speeds[first]:.2f}x")
        print(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
