"""Benchmark `check` on generated bundles, with the parse+validate floor measured beside it.

    python bench/bench.py                 # 10000 100000 180000, documents then the GHG ledger
    python bench/bench.py 1000 5000       # chosen sizes
    python bench/bench.py --only ledger   # one series (documents | ledger)

Each size runs in a fresh subprocess (so peak memory is that run's own).  In that process the
*floor* is measured first: every file of the bundle parsed with PyYAML's CSafeLoader or the csv
module (its cells typed as the schema declares the column: integer, number, boolean) and validated
with jsonschema-rs against its kind's schema (no positions, no facts, no engine) - what any checker has
to pay to read the evidence at all; a file the floor finds invalid stops the benchmark (the floor would
not have validated it); it runs in a forked child, so
its memory is not counted in the check's peak.  Then the real check runs as `parkcheck check --out`
does: load (read + parse + positions), validation, facts, evaluation (the engine), verdicts and
the default report set (json, md, html, csv) written to a folder.  Printed per size:
each stage, the end-to-end time, the floor, the ratio end-to-end / floor, the same in CPU seconds of
the process (steadier than the wall clock on a machine shared with other work), peak resident memory,
the number of engine facts asserted, fired actions and engine sessions, and (``ex-facts``) the ratio the check would
have if its facts stage (derived values, aggregates, the facts themselves) cost nothing: what no speed-up of that
stage can take the ratio below.

Targets (issue 15): 180k records within 3x the floor, under 500 MB peak; 100k/10k time at most 11x.

Two series.  *documents*: the records are split like a real park's evidence, scaled up: 80% rows of
the documented-information register (CSV), 10% nonconformity items, 5% internal-audit records and 5%
management-review records (YAML).  Audits and reviews carry ~40 single-fact rules each; the register is
read through a join from the one scope document; audits per year go through a declared aggregate.
*ledger* (issue 16): the records are rows of the GHG inventory (CSV, enterprises x 3 years x 12 months
x 10 sources: 500 enterprises at 180k), with the matching energy ledger, emission factors and boundary
(bench/ledger.py), every row recomputed through the pack's declared units and checked by the engine.
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


def generate_ledger(folder: Path, records: int) -> dict:
    """The base fixture with a GHG inventory of ``records`` rows and its energy ledger (bench/ledger.py)."""
    from ledger import write_ledger

    shutil.copytree(BASE, folder)
    return write_ledger(folder, records)


SERIES = {"documents": generate, "ledger": generate_ledger}


def floor(folder: Path) -> tuple[float, float]:
    """Seconds (wall clock, CPU) to parse every evidence file (CSafeLoader / csv) and validate it with
    jsonschema-rs."""
    import csv

    import yaml

    from checker.schemas import load_schemas

    class Loader(yaml.CSafeLoader):  # dates stay text, as JSON Schema expects them
        pass

    Loader.yaml_implicit_resolvers = {k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
                                      for k, v in yaml.CSafeLoader.yaml_implicit_resolvers.items()}

    schemas = load_schemas()
    t0, c0 = time.perf_counter(), time.process_time()
    manifest = yaml.load((folder / "bundle.yaml").read_text(encoding="utf-8"), Loader=Loader)
    tables = {t["file"]: t["kind"] for t in manifest.get("tables") or []}
    fields = schemas.table_fields()
    for path in sorted(folder.iterdir()):
        if path.name == "bundle.yaml" or path.suffix not in (".yaml", ".yml", ".csv"):
            continue
        if path.suffix == ".csv":
            kind = tables[path.name]
            typed = _column_types(schemas.by_kind[kind], fields[kind])
            with open(path, encoding="utf-8", newline="") as fh:
                rows = [{k: typed[k](v) if k in typed else v for k, v in row.items() if v}
                        for row in csv.DictReader(fh)]
            data = {"kind": kind, fields[kind]: rows}
        else:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
            kind = data.get("kind") if isinstance(data, dict) else None
        if kind in schemas.kinds and not schemas.fast_validator(kind).is_valid(data):
            raise RuntimeError(f"floor: {path.name} is not valid as parsed (the floor would not have validated it)")
    return time.perf_counter() - t0, time.process_time() - c0


def _column_types(schema: dict, field: str) -> dict:
    """The cell conversions of a CSV table's columns the schema declares integer, number or boolean: a CSV
    cell is text, and text fails such a column at its first row, so a floor that validated untyped cells
    measured a validation that stopped at once (before: ~0.08 s for 360k ledger rows, typed: ~0.7 s)."""
    items = schema["properties"][field]["items"].get("properties", {})
    conversions = {"integer": int, "number": float,
                   "boolean": lambda v: {"true": True, "false": False}.get(v.lower(), v)}
    return {name: conversions[prop["type"]] for name, prop in items.items() if prop.get("type") in conversions}


def _in_child(work, failed: str):
    """``work()`` (JSON data) computed in a forked child and handed back through a pipe: what it allocates
    never counts in this process's peak memory (``ru_maxrss``)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, report, leave without running the parent's clean-up
        os.close(read)
        try:
            os.write(write, json.dumps(work()).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as fh:
        text = fh.read()
    os.waitpid(pid, 0)
    if not text:
        raise RuntimeError(failed)
    return json.loads(text)


def floor_apart(folder: Path) -> tuple[float, float]:
    """``floor`` measured in a forked child, in the same run: its parsed documents never count in the
    check's peak memory, and the two times are taken side by side."""

    def work():
        floor(folder)  # warm the file cache and the validators
        return floor(folder)

    wall, cpu = _in_child(work, "the floor measurement failed")
    return float(wall), float(cpu)


def generate_apart(series: str, folder: Path, records: int) -> dict:
    """The bundle generated in a forked child: what the generator allocates never counts in the check's
    peak memory (a park's check does not generate its evidence)."""
    return _in_child(lambda: SERIES[series](folder, records), "generating the bundle failed")


def measure(records: int, series: str = "documents") -> dict:
    from checker.check import Timings, check_bundle, compiled_pack, load_and_validate
    from checker.cli_support import DEFAULT_FORMATS
    from checker.reporters import write_reports

    compiled_pack("t-cpqs-zc001-2025")  # compiling the pack is a one-off per process: not timed
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bundle"
        split = generate_apart(series, folder, records)
        floor_s, floor_cpu = floor_apart(folder)
        timings = Timings()
        t0, c0 = time.perf_counter(), time.process_time()
        bundle, problems = load_and_validate(folder, timings=timings)
        assert not problems, problems[:3]
        report = check_bundle(bundle, ["t-cpqs-zc001-2025"], timings=timings)
        t1 = time.perf_counter()
        write_reports(report, Path(tmp) / "reports", list(DEFAULT_FORMATS))  # as `check --out` writes them
        timings.add("render", time.perf_counter() - t1)
        total, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"records": records, **split, "stages": timings.stages, "total": total, "floor": floor_s,
            "ratio": total / floor_s, "cpu": cpu, "floor_cpu": floor_cpu, "cpu_ratio": cpu / floor_cpu,
            "peak_mib": peak_kb / 1024, "facts": report.engine.get("asserted", 0),
            "actions": report.engine["actions"], "sessions": report.engine.get("sessions", report.engine["rulesets"]),
            "nonconformities": len(report.nonconformities), "results": len(report.results)}


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--one":
        print(json.dumps(measure(int(argv[1]), argv[2])))
        return
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__.strip())
        return
    series = list(SERIES)
    if argv[:1] == ["--only"]:
        if len(argv) < 2 or argv[1] not in SERIES:
            sys.exit(f"bench.py: --only takes one of {', '.join(SERIES)}")
        series, argv = [argv[1]], argv[2:]
    if not all(a.isdigit() and int(a) > 0 for a in argv):
        sys.exit("bench.py: sizes are positive whole numbers of records, e.g. `python bench/bench.py 1000 5000`")
    sizes = [int(a) for a in argv] or [10000, 100000, 180000]
    for name in series:
        print(f"series: {name}")
        run_series(name, sizes)


def run_series(name: str, sizes: list[int]) -> None:
    cols = ["load", "validate", "facts", "evaluate", "verdicts", "render"]
    print(f"{'records':>8} " + " ".join(f"{c:>9}" for c in cols)
          + f" {'total':>8} {'floor':>8} {'ratio':>6} {'cpu':>8} {'cpu fl.':>8} {'ratio':>6} {'peak MiB':>9}"
          + f" {'asserted':>9} {'actions':>8} {'sessions':>8} {'ex-facts':>8}")
    totals, cpus = {}, {}
    for n in sizes:
        proc = subprocess.run([sys.executable, __file__, "--one", str(n), name], capture_output=True, text=True,
                              check=False, env={**os.environ, "PYTHONPATH": str(ROOT)})
        if proc.returncode != 0:
            print(f"{n:>8} failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr else proc.returncode}")
            continue
        r = json.loads(proc.stdout)
        totals[n] = r["total"]
        cpus[n] = r["cpu"]
        print(f"{n:>8} " + " ".join(f"{r['stages'].get(c, 0):>8.2f}s" for c in cols)
              + f" {r['total']:>7.2f}s {r['floor']:>7.2f}s {r['ratio']:>5.2f}x"
              + f" {r['cpu']:>7.2f}s {r['floor_cpu']:>7.2f}s {r['cpu_ratio']:>5.2f}x {r['peak_mib']:>9.0f}"
              + f" {r['facts']:>9} {r['actions']:>8} {r['sessions']:>8}"
              + f" {(r['total'] - r['stages'].get('facts', 0)) / r['floor']:>7.2f}x", flush=True)
    for small, big in ((10000, 100000), (100000, 180000)):
        if small in totals and big in totals:
            print(f"time {big // 1000}k / {small // 1000}k: {totals[big] / totals[small]:.2f}x, "
                  f"CPU {cpus[big] / cpus[small]:.2f}x (records {big / small:.1f}x)")


if __name__ == "__main__":
    main(sys.argv[1:])
