"""``report.json``: the machine-readable report, described by ``schemas/report.schema.json``."""

from __future__ import annotations

from ..audit import audit_json
from ..gcpause import paused
from ..model import Nonconformity, Report
from ._json import dump as json_dump
from ._json import dumps as json_dumps
from ._view import Chunks

REPORT_SCHEMA_ID = "https://parkcheck.invalid/schemas/report.schema.json"
REPORT_VERSION = "1"


class _Mapped(list):
    """The JSON data of many items, made one at a time as the encoder walks them (``stream``): a
    report of 100k records does not hold every result's JSON data, and its text, at once."""

    def __init__(self, items, convert):
        super().__init__()
        self._items, self._convert = items, convert

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self):
        return map(self._convert, self._items)


def to_dict(report: Report, lazy: bool = False) -> dict:
    """The report as JSON data.  Verdicts and nonconformity clauses that rest on a clause title only carry
    ``"title_only": true`` (each result says it in ``source``); ``summary`` is ``Report.summary()``, the
    counts every format shows."""
    return {
        "$schema": REPORT_SCHEMA_ID,
        "report_version": REPORT_VERSION,
        "tool": {"name": "parkcheck", "version": report.tool_version},
        "generated_at": report.generated_at,
        "bundle": report.bundle,
        "mode": report.mode,
        **audit_json(report),  # audit information, conclusion (audit) or readiness (pre-check): checker.audit
        "evidence_files": [f.to_json() for f in report.files],
        "packs": [p.to_json() for p in report.packs],
        "summary": report.summary(),
        "verdicts": [_mark(v.to_json(), report.verdict_on_title(v)) for v in report.verdicts],
        "results": _Mapped(report.results, _result_json) if lazy else [r.to_json() for r in report.results],
        "nonconformities": (_Mapped(report.nonconformities, lambda n: _nc_json(n, report.on_title(n))) if lazy
                            else [_nc_json(n, report.on_title(n)) for n in report.nonconformities]),
        "applicability": list(report.applicability), "waivers": list(report.waivers),  # checker.waivers
        "scores": [s.to_json() for s in report.scores],
        "neutrality": [n.to_json() for n in report.neutrality],  # checker.neutrality
        **({"sections": list(report.sections)} if report.sections else {}),  # pack-declared (checker.sections)
        "content_gaps": [g.to_json() for g in report.content_gaps],
        "unused_files": list(report.unused_files),
        "engine": report.engine,
        **({"surveillance": report.surveillance} if report.surveillance is not None else {}),  # ncr
    }


def _result_json(result) -> dict:
    return result.to_json()


def _mark(out: dict, title_only: bool) -> dict:
    if title_only:
        out["title_only"] = True
    return out


def _nc_json(nc: Nonconformity, on_title: frozenset[tuple[str, str]]) -> dict:
    out = nc.to_json()
    for item in out["clauses"]:
        _mark(item, (item["standard"], item["clause"]) in on_title)
    return out


def render(report: Report, lang: str = "zh") -> bytes:
    with paused():  # the JSON data is an acyclic tree: no cyclic collection while it is built (checker.gcpause)
        return (json_dumps(to_dict(report)) + "\n").encode("utf-8")


STREAM_CHUNK = 1 << 20  # characters handed to the file at a time


def stream(report: Report, lang: str, write) -> None:
    """Write exactly the bytes ``render`` gives through ``write`` (a file's write), as they are made:
    the largest report is never held whole in memory (``checker.reporters.write_reports``)."""
    out = Chunks(write, STREAM_CHUNK)
    with paused():
        json_dump(to_dict(report, lazy=True), out)
        out("\n")
    out.close()
