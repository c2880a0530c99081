"""Long fuzz run: N mutated example bundles through the CLI, in this one process.

    python bench/fuzz.py 10000            # seeds 0..9999
    python bench/fuzz.py 10000 --start 50000

Each seed makes a mutated copy of an example park (see tests/fuzzing.py) in a temporary folder and runs
``parkcheck validate`` on it (``check`` for every tenth seed).  Prints the count of each exit code,
internal errors, runs whose evidence changed, other misbehaviour (an exit-2 line that is unreadable or
names no file), and the seeds of any bad run so each can be replayed and kept as a regression case.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PARKCHECK_CACHE_DIR", "off")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of bundles")
    parser.add_argument("--start", type=int, default=0, help="first seed")
    parser.add_argument("--check-every", type=int, default=10, help="run `check` instead of `validate` every K seeds")
    args = parser.parse_args(argv)

    from tests.fuzzing import fuzz_once

    codes: collections.Counter = collections.Counter()
    internal = changed = unchanged = 0
    bad: list[tuple[int, list[str], list[str]]] = []
    slowest = (0.0, None)
    t0 = time.perf_counter()
    for seed in range(args.start, args.start + args.n):
        command = "check" if args.check_every and seed % args.check_every == 0 else "validate"
        with tempfile.TemporaryDirectory(prefix="parkcheck-fuzz-") as tmp:
            t1 = time.perf_counter()
            outcome, target = fuzz_once(Path(tmp), seed, command)
            elapsed = time.perf_counter() - t1
            problems = outcome.problems(target)
        slowest = max(slowest, (elapsed, seed), key=lambda x: x[0])
        codes[outcome.exit_code] += 1
        internal += outcome.internal_error
        if outcome.evidence_unchanged:
            unchanged += 1
        else:
            changed += 1
        if problems:
            bad.append((seed, outcome.plan, problems))
            print(f"seed {seed} ({command}): {'; '.join(problems)} <- {outcome.plan}", flush=True)
        done = seed - args.start + 1
        if done % 500 == 0:
            print(f"... {done} bundles, {time.perf_counter() - t0:.0f} s, exit codes {dict(sorted(codes.items()))}",
                  flush=True)
    total = time.perf_counter() - t0
    print(f"bundles: {args.n} (seeds {args.start}..{args.start + args.n - 1}) in {total:.0f} s "
          f"({total / max(args.n, 1) * 1000:.0f} ms each, slowest {slowest[0]:.1f} s: seed {slowest[1]})")
    print("exit codes: " + ", ".join(f"{k}: {v}" for k, v in sorted(codes.items())))
    print(f"internal errors: {internal}")
    print(f"evidence unchanged: {unchanged} of {args.n} (changed: {changed})")
    print(f"runs with any problem: {len(bad)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
