"""Pre-check or audit: who the report is for, decided once per check.

A park pre-checking its readiness wants to know what would close each finding; a certification
body's auditor must not give advice (ISO/IEC 17021-1), so an audit report carries none.  The mode is
asked for (``--mode precheck|audit``) or read from the bundle's ``check_type``: a certification or
surveillance audit is an audit, anything else (self-check, pre-assessment, not stated) a pre-check.
In an audit the advice is removed from the report itself — the remediation of every result and
nonconformity, and the "what would raise the score" plan — so no output format can show it.
"""

from __future__ import annotations

import dataclasses

from .model import Report

PRECHECK, AUDIT = "precheck", "audit"
MODES = (PRECHECK, AUDIT)
AUDIT_TYPES = ("certification_audit", "surveillance_audit")  # a certification body's audit: no advice


def report_mode(check_type: str | None, asked: str | None = None) -> str:
    """``asked`` when it is a mode; else from the bundle's ``check_type``."""
    if asked in MODES:
        return asked
    return AUDIT if check_type in AUDIT_TYPES else PRECHECK


def in_mode(report: Report, mode: str) -> Report:
    """The report for ``mode``: an audit report without advice; a pre-check report as it is."""
    if mode != AUDIT:
        return dataclasses.replace(report, mode=PRECHECK)
    return dataclasses.replace(
        report, mode=AUDIT,
        results=tuple(r if r.remediation is None else dataclasses.replace(r, remediation=None) for r in report.results),
        nonconformities=tuple(dataclasses.replace(nc, remediation=None) for nc in report.nonconformities),
        scores=tuple(dataclasses.replace(sc, improvements=(), next_grade=None) for sc in report.scores))
