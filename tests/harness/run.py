"""The seeded-defect harness: mutations of the conforming example park, run through the checker.

Each defect in ``tests/harness/defects/*.yaml`` is written from the standard's text: which file of
``evidence/lvgu-park`` to edit and how, and the clause and status an auditor would record.  Each
variation in ``tests/harness/variations/*.yaml`` is a conforming rewrite of the park that must give
no nonconformity.  For every defect the harness reports

* **found** — a result at the expected clause (or one of its list items) with the expected status
  (and grade, when the defect states one);
* **missed** — no such result;
* **rejected** — the mutated bundle could not be read (exit 2): a gap that the tool refused instead
  of reporting at its clause;
* **cascade** — the defect raised more than one nonconformity (or an observation-level defect
  raised any).

``python -m tests.harness.run [--only NAME] [--verbose] [--json FILE]`` prints each miss, false
nonconformity and cascade, then recall, false nonconformities and cascades.  The evidence on disk
is never modified: every edit is applied to an in-memory copy.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from checker.bundle import bundle_from_files, read_files
from checker.cases import apply_patches
from checker.check import check_bundle
from checker.dependencies import within_clause as _within
from checker.errors import InputError
from checker.evidence import accept_gaps, split_gaps, validate_bundle
from checker.model import Grade, Report, Status
from checker.schemas import load_schemas

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PARK = ROOT / "evidence" / "lvgu-park"
DEFAULT_STANDARDS = ("t-cpqs-zc001-2025",)


@dataclass(frozen=True)
class Entry:
    id: str
    file: str
    edits: tuple
    standards: tuple[str, ...]
    clause: str | None = None
    status: str | None = None
    grade: str | None = None
    why: str = ""
    known: str = ""  # a gap the tool still has, stated with its reason: counted as it comes out, xfail in tests


@dataclass
class Outcome:
    entry: Entry
    verdict: str  # found | missed | rejected | cascade | clean | false_nc | broken
    detail: str = ""
    new_ncs: list[str] = field(default_factory=list)


def load_entries(folder: str, only: str | None = None) -> list[Entry]:
    out: list[Entry] = []
    seen: set[str] = set()
    for path in sorted((HERE / folder).glob("*.yaml")):
        if only and only not in path.name:
            continue
        # libyaml (PyYAML's C loader): ruamel's pure-Python safe loader took ~2 s per test process for the
        # catalogues; they hold plain data (no yes/no/on/off scalars, where YAML 1.1 and 1.2 differ)
        items = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or []
        for raw in items:
            eid = raw["id"]
            if eid in seen:
                raise ValueError(f"{path.name}: duplicate id {eid}")
            seen.add(eid)
            out.append(Entry(eid, path.name, tuple(raw.get("edits") or ()),
                             tuple(raw.get("standards") or DEFAULT_STANDARDS),
                             str(raw["clause"]) if raw.get("clause") is not None else None,
                             raw.get("status"), raw.get("grade"), raw.get("why", ""), raw.get("known", "")))
    return out


_PARK_FILES: dict[str, bytes] | None = None


def park_files() -> dict[str, bytes]:
    global _PARK_FILES
    if _PARK_FILES is None:
        _PARK_FILES = read_files(PARK)[1]
    return dict(_PARK_FILES)


def run_bundle(files: dict[str, bytes], standards: tuple[str, ...]) -> Report:
    schemas = load_schemas()
    bundle = bundle_from_files("lvgu-park", str(PARK), files, schemas.table_fields())
    fatal, gaps = split_gaps(validate_bundle(bundle, schemas))
    if fatal:
        raise InputError(str(fatal[0]))
    accept_gaps(bundle, gaps, schemas)  # content gaps are findings, as in `parkcheck check`
    return check_bundle(bundle, list(standards), gaps=gaps)


def _nc_keys(report: Report) -> list[str]:
    return sorted(f"{'+'.join(c for _, c in nc.clauses)} {nc.grade.value} {nc.rules[0]}"
                  for nc in report.nonconformities)


_BASELINES: dict[tuple, list[str]] = {}


def baseline(standards: tuple[str, ...]) -> list[str]:
    if standards not in _BASELINES:
        _BASELINES[standards] = _nc_keys(run_bundle(park_files(), standards))
    return _BASELINES[standards]


def _new_ncs(report: Report, standards: tuple[str, ...]) -> list[str]:
    base = list(baseline(standards))
    new = []
    for k in _nc_keys(report):
        if k in base:
            base.remove(k)
        else:
            new.append(k)
    return new


def _mutated_report(entry: Entry) -> Report | Outcome:
    """The report of the park with the entry's edits applied, or the outcome saying why there is none."""
    try:
        files = apply_patches(park_files(), entry.edits)
    except (InputError, KeyError, IndexError, ValueError) as exc:
        return Outcome(entry, "broken", f"the edit does not apply: {exc}")
    try:
        return run_bundle(files, entry.standards)
    except InputError as exc:
        return Outcome(entry, "rejected", str(exc))


def run_defect(entry: Entry) -> Outcome:
    report = _mutated_report(entry)
    if isinstance(report, Outcome):
        return report
    want_status = Status(entry.status or "nonconformity")
    want_grade = Grade(entry.grade) if entry.grade else None
    hits = [r for r in report.results
            if r.standard == entry.standards[0] and r.status is want_status and _within(r.clause, entry.clause or "")
            and (want_grade is None or r.grade is want_grade)]
    new = _new_ncs(report, entry.standards)
    if not hits:
        near = sorted({f"{r.clause} {r.status.value}{' ' + r.grade.value if r.grade else ''}" for r in report.results
                       if r.status in (Status.NONCONFORMITY, Status.OBSERVATION, Status.ERROR)})
        return Outcome(entry, "missed", "got: " + ("; ".join(near) or "no finding"), new)
    limit = 1 if want_status is Status.NONCONFORMITY else 0
    if len(new) > limit:
        return Outcome(entry, "cascade", f"{len(new)} new nonconformities", new)
    return Outcome(entry, "found", "", new)


def run_variation(entry: Entry) -> Outcome:
    report = _mutated_report(entry)
    if isinstance(report, Outcome):
        return report
    new = _new_ncs(report, entry.standards)
    return Outcome(entry, "false_nc" if new else "clean", "", new)


@dataclass
class Summary:
    defects: list[Outcome]
    variations: list[Outcome]

    def count(self, outcomes: list[Outcome], verdict: str) -> int:
        return sum(1 for o in outcomes if o.verdict == verdict)

    @property
    def recall(self) -> float:
        total = len(self.defects)
        return (self.count(self.defects, "found") + self.count(self.defects, "cascade")) / total if total else 1.0

    @property
    def false_ncs(self) -> int:
        return sum(len(o.new_ncs) for o in self.variations)

    @property
    def cascades(self) -> int:
        return self.count(self.defects, "cascade")

    def to_json(self) -> dict:
        return {
            "defects": len(self.defects), "found": self.count(self.defects, "found") + self.cascades,
            "missed": self.count(self.defects, "missed"), "rejected": self.count(self.defects, "rejected"),
            "broken": self.count(self.defects, "broken") + self.count(self.variations, "broken"),
            "cascades": self.cascades, "recall": round(self.recall, 4),
            "variations": len(self.variations), "false_ncs": self.false_ncs,
            "variations_rejected": self.count(self.variations, "rejected"),
            "problems": [{"id": o.entry.id, "file": o.entry.file, "verdict": o.verdict, "detail": o.detail,
                          "new_ncs": o.new_ncs}
                         for o in self.defects + self.variations if o.verdict not in ("found", "clean")],
        }


def run_all(only: str | None = None, folder: str = "defects") -> Summary:
    return Summary([run_defect(e) for e in load_entries(folder, only)],
                   [run_variation(e) for e in load_entries("variations", only)] if folder == "defects" else [])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.harness.run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="only catalogue files whose name contains this")
    ap.add_argument("--verbose", action="store_true", help="print every entry, not only the problems")
    ap.add_argument("--json", help="also write the summary as JSON to this file")
    ap.add_argument("--dir", default="defects", help="catalogue folder under tests/harness (default: defects)")
    args = ap.parse_args(argv)
    summary = run_all(args.only, args.dir)
    for o in summary.defects + summary.variations:
        if args.verbose or o.verdict not in ("found", "clean"):
            e = o.entry
            where = f"{e.clause} {e.status or ''} {e.grade or ''}".strip() if e.clause else "variation"
            print(f"{o.verdict:9} {e.file}:{e.id} [{where}]{' (known)' if e.known else ''} {o.detail}")
            for nc in o.new_ncs if o.verdict in ("cascade", "false_nc") else ():
                print(f"{'':9}   NC {nc}")
    data = summary.to_json()
    print(f"defects {data['defects']}: found {data['found']} (recall {data['recall']:.1%}), missed {data['missed']}, "
          f"rejected {data['rejected']}, broken {data['broken']}, cascades {data['cascades']}; "
          f"variations {data['variations']}: false nonconformities {data['false_ncs']}, "
          f"rejected {data['variations_rejected']}")
    if args.json:
        Path(args.json).write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
    ok = data["missed"] == data["rejected"] == data["broken"] == data["cascades"] == data["false_ncs"] == 0 \
        and data["variations_rejected"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
