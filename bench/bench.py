"""Benchmark `check` on generated bundles of 1k, 10k and 100k records.

    python bench/bench.py                 # 1000 10000 100000
    python bench/bench.py 1000 5000       # chosen sizes

Each size runs in a fresh subprocess (so peak memory is that run's own) and prints wall time per
stage - load (read + parse), validation, facts, evaluation (the engine), verdicts, rendering (all
four formats) - plus peak resident memory, the number of engine facts and fired actions.

The records are split like a real park's evidence, scaled up: 80% rows of the documented-
information register (CSV), 10% nonconformity items, 5% internal-audit records and 5% management-
review records (YAML).  Audits and reviews carry ~40 single-fact rules each; the register is read
through a join from the one scope document; audits per year go through a declared aggregate.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BASE = ROOT / "rules" / "t-cpqs-zc001-2025" / "fixtures" / "base"


def generate(folder: Path, records: int) -> dict:
    shutil.copytree(BASE, folder)
    docs, ncs, audits, reviews = int(records * 0.8), int(records * 0.1), int(records * 0.05), int(records * 0.05)
    (folder / "documented_information.yaml").unlink()
    with open(folder / "register.csv", "w", encoding="utf-8") as fh:
        fh.write("number,title,type,version,approved_by,issue_date,status\n")
        fh.write("FX-CM-001,碳排放管理体系范围,document,A/0,园区管委会主任,2024-01-05,effective\n")
        for i in range(docs - 1):
            date = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
            fh.write(f"DOC-{i:06d},文件 {i},record,A/{i % 7},审批人 {i % 13},{date},effective\n")
    with open(folder / "bundle.yaml", "a", encoding="utf-8") as fh:
        fh.write("tables:\n  - {file: register.csv, kind: documented_information}\n")
    lines = ["kind: nonconformities", "items:"]
    for i in range(max(ncs, 1)):
        lines += [f"  - {{id: NC-{i:06d}, source: internal_audit, description: 不符合 {i}, severity: minor, "
                  f"correction: 纠正 {i}, "
                  f"corrective_action: {{description: 措施 {i}, owner: 综合办, due: 2024-12-31}}, status: closed}}"]
    (folder / "nonconformities.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    audit = (folder / "internal_audit.yaml").read_text(encoding="utf-8")
    head, first = audit.split("audits:\n", 1)
    body = [head + "audits:\n"]
    for i in range(max(audits, 1)):
        body.append(first.replace("IA-2024-01", f"IA-{i:06d}").replace("2024-11-12", f"2024-{1 + i % 12:02d}-12")
                    .replace("NC-2024-01", f"NC-{i % max(ncs, 1):06d}").replace("F-01", f"F-{i:06d}"))
    (folder / "internal_audit.yaml").write_text("".join(body), encoding="utf-8")
    review = (folder / "management_review.yaml").read_text(encoding="utf-8")
    head, first = review.split("reviews:\n", 1)
    body = [head + "reviews:\n"]
    for i in range(max(reviews, 1)):
        body.append(first.replace("MR-2024", f"MR-{i:06d}"))
    (folder / "management_review.yaml").write_text("".join(body), encoding="utf-8")
    return {"register": docs, "nonconformities": ncs, "audits": audits, "reviews": reviews}


def measure(records: int) -> dict:
    from checker.check import Timings, check_bundle, compiled_pack, load_and_validate
    from checker.reporters import FORMATS

    compiled_pack("t-cpqs-zc001-2025")  # compiling the pack is a one-off per process: not timed
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bundle"
        split = generate(folder, records)
        timings = Timings()
        t0 = time.perf_counter()
        bundle, problems = load_and_validate(folder, timings=timings)
        assert not problems, problems[:3]
        report = check_bundle(bundle, ["t-cpqs-zc001-2025"], timings=timings)
        t1 = time.perf_counter()
        for _name, (_, render) in FORMATS.items():
            render(report, "zh")
        timings.add("render", time.perf_counter() - t1)
        total = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"records": records, **split, "stages": timings.stages, "total": total, "peak_mib": peak_kb / 1024,
            "facts": report.engine["facts"], "actions": report.engine["actions"],
            "nonconformities": len(report.nonconformities), "results": len(report.results)}


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--one":
        print(json.dumps(measure(int(argv[1]))))
        return
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__.strip())
        return
    if not all(a.isdigit() and int(a) > 0 for a in argv):
        sys.exit("bench.py: sizes are positive whole numbers of records, e.g. `python bench/bench.py 1000 5000`")
    sizes = [int(a) for a in argv] or [1000, 10000, 100000]
    cols = ["load", "validate", "facts", "evaluate", "verdicts", "render"]
    print(f"{'records':>8} " + " ".join(f"{c:>9}" for c in cols)
          + f" {'total':>8} {'peak MiB':>9} {'facts':>8} {'actions':>8}")
    for n in sizes:
        proc = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=False,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        if proc.returncode != 0:
            print(f"{n:>8} failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr else proc.returncode}")
            continue
        r = json.loads(proc.stdout)
        print(f"{n:>8} " + " ".join(f"{r['stages'].get(c, 0):>8.2f}s" for c in cols)
              + f" {r['total']:>7.2f}s {r['peak_mib']:>9.0f} {r['facts']:>8} {r['actions']:>8}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
