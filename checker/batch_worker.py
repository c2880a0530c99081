"""What a ``parkcheck batch`` worker process does: check one bundle, write its reports, return its row.

Everything that crosses to a worker is plain data (paths as strings, an options dict) and what comes
back is a plain dict, the bundle's summary row; the reports themselves are written by the worker into
the output folder (on a cluster, a file system the workers and the caller share).  ``warm`` is the
worker's initializer: it compiles the rule packs once per process (``checker.check.compiled_pack``
is cached per process), so no bundle pays for it.

A bundle that cannot be read (``InputError``, ``InvalidEvidence``) or that makes the check fail in
any other way becomes a row carrying the error as one escaped line; nothing a bundle holds stops the
worker.  A worker may run several tasks on threads (a Dask worker with ``--nthreads`` over 1): the
rule engine is one per process and not thread-safe, so checks in one process run one at a time.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from .cache import disable as disable_cache
from .check import InvalidEvidence, compiled_pack, run_check
from .errors import EngineError, InputError, ParkcheckError
from .escape import one_line
from .i18n import current, tr, using
from .limits import Limits
from .model import Grade, Report, Status
from .packs import available_packs
from .reporters import write_reports
from .scoring import fmt

_ONE_AT_A_TIME = threading.Lock()

# The kinds of error a row may carry; every one of them makes the batch exit 2.
INPUT, INTERNAL, ENGINE, DIED, TIMEOUT, MEMORY = "input", "internal", "engine", "died", "timeout", "memory"


def options(standards: list[str], rules_dir: Path | None, formats: list[str], lang: str, mode: str,
            limits: Limits) -> dict[str, Any]:
    """The options every task carries, as plain data: ``lang`` the reports' language, ``messages`` the
    messages' (the caller's, as ``checker.i18n`` chose it: --lang, else PARKCHECK_LANG or the locale)."""
    return {"standards": list(standards), "rules_dir": str(rules_dir) if rules_dir else None,
            "formats": list(formats), "lang": lang, "messages": current(), "mode": mode,
            "limits": {k: getattr(limits, k) for k in limits.__dataclass_fields__}}


def warm(setup: dict[str, Any]) -> None:
    """Worker initializer: compile the packs the batch asks for (all the packs when it names none)."""
    if setup.get("no_cache"):
        disable_cache()  # --no-cache or PARKCHECK_CACHE_DIR=off in the caller
    rules_dir = Path(setup["rules_dir"]) if setup.get("rules_dir") else None
    with _ONE_AT_A_TIME:
        for sid in setup.get("standards") or available_packs(rules_dir):
            compiled_pack(sid, rules_dir)


def empty_row(task: dict[str, Any]) -> dict[str, Any]:
    """A row with the bundle's place filled in and nothing checked yet."""
    return {"index": task["index"], "bundle": task["relative"], "reports": task["reports"], "park": "",
            "standards": [], "verdict": None, "major": None, "minor": None, "observations": None,
            "scores": [], "seconds": 0.0, "error": None, "error_kind": None}


def failed_row(task: dict[str, Any], kind: str, message: str, seconds: float) -> dict[str, Any]:
    return {**empty_row(task), "error": one_line(message), "error_kind": kind, "seconds": round(seconds, 3)}


def check_one(task: dict[str, Any]) -> dict[str, Any]:
    """Check one bundle and write its reports; its summary row, errors included."""
    opts = task["options"]
    with _ONE_AT_A_TIME, using(opts.get("messages")):
        t0 = time.perf_counter()  # waiting for another thread's check is not this bundle's time
        try:
            row = _check(task, opts)
        except InvalidEvidence as exc:
            count = sum(1 for p in exc.problems if not p.gap) or len(exc.problems)
            shown = tr("the evidence does not validate ({count} problem(s); the first: {problem}); run `parkcheck "
                       "validate` on the bundle for the list", count=count, problem=str(exc.problem))
            return failed_row(task, INPUT, shown, time.perf_counter() - t0)
        except InputError as exc:
            return failed_row(task, INPUT, str(exc), time.perf_counter() - t0)
        except (EngineError, ParkcheckError) as exc:
            return failed_row(task, ENGINE, str(exc), time.perf_counter() - t0)
        except MemoryError:
            row = {}  # the row is made below, once the exception and the evidence its frames hold are let go
        except Exception as exc:  # a bug, or a bundle the check did not expect: the batch goes on
            return failed_row(task, INTERNAL, f"{type(exc).__name__}: {exc}",
                              time.perf_counter() - t0)
        if not row:
            return failed_row(task, MEMORY, tr("out of memory: checking this bundle needs more memory than the "
                                               "worker may use (a large CSV table takes about 2 KB a row while it "
                                               "is checked)"), time.perf_counter() - t0)
    row["seconds"] = round(time.perf_counter() - t0, 3)
    return row


def _check(task: dict[str, Any], opts: dict[str, Any]) -> dict[str, Any]:
    source = Path(task["source"])
    rules_dir = Path(opts["rules_dir"]) if opts["rules_dir"] else None
    report = run_check(source, opts["standards"] or None, rules_dir, limits=Limits(**opts["limits"]),
                       mode=opts["mode"])
    write_reports(report, Path(task["out"]), opts["formats"], opts["lang"], protect=source)
    return {**empty_row(task), **summarise(report)}


def verdict(report: Report) -> dict[str, str]:
    """The bundle's verdict in both languages: the audit conclusion in an audit; in a pre-check,
    whether nonconformities (or rule errors) were found."""
    if report.conclusion:
        return dict(report.conclusion["text"])
    if any(r.status is Status.ERROR for r in report.results):
        return {"zh": "规则出错，结论不可信", "en": "rule errors: no verdict can be trusted"}
    if report.has_nonconformities:
        return {"zh": "存在不符合项", "en": "nonconformities found"}
    return {"zh": "未发现不符合项", "en": "no nonconformity found"}


def summarise(report: Report) -> dict[str, Any]:
    """The row's figures from a finished report (plain data only)."""
    codes = {p.id: p.code for p in report.packs}
    return {  # the counts of Report.summary(), taken directly (its title-only counts cost more than the check)
        "park": str((report.bundle.get("park") or {}).get("name") or ""),
        "standards": [p.code for p in report.packs],
        "verdict": verdict(report),
        "major": sum(1 for n in report.nonconformities if n.grade is Grade.MAJOR),
        "minor": sum(1 for n in report.nonconformities if n.grade is Grade.MINOR),
        "observations": sum(1 for v in report.verdicts if v.status is Status.OBSERVATION),
        "scores": [{"standard": codes.get(s.standard, s.standard),
                    "total": fmt(s.total, s.places) if s.computed and s.total is not None else None,
                    "grade": s.grade} for s in report.scores],
    }
