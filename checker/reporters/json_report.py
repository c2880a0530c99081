"""``report.json``: the machine-readable report, described by ``schemas/report.schema.json``."""

from __future__ import annotations

from ..audit import audit_json
from ..gcpause import paused
from ..model import Nonconformity, Report
from ._json import dumps as json_dumps

REPORT_SCHEMA_ID = "https://parkcheck.invalid/schemas/report.schema.json"
REPORT_VERSION = "1"


def to_dict(report: Report) -> dict:
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
        "results": [r.to_json() for r in report.results],
        "nonconformities": [_nc_json(n, report.on_title(n)) for n in report.nonconformities],
        "applicability": list(report.applicability), "waivers": list(report.waivers),  # checker.waivers
        "scores": [s.to_json() for s in report.scores],
        **({"sections": list(report.sections)} if report.sections else {}),  # pack-declared (checker.sections)
        "content_gaps": [g.to_json() for g in report.content_gaps],
        "unused_files": list(report.unused_files),
        "engine": report.engine,
        **({"surveillance": report.surveillance} if report.surveillance is not None else {}),  # ncr
    }


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
