"""Waivers and accepted risks, and the statement of applicability as a table (issue 14, item 4).

A waiver (kind ``waivers``, an audit record: checker.controldocs) covers a nonconformity by its id
(``NC-…``), every nonconformity of a rule (standard + rule) or of a clause and its sub-clauses
(standard + clause).  It is approved by someone, for a reason, from a start date through an expiry
date.  A waived nonconformity stays a nonconformity — its status and grade are never rewritten — and
carries the waiver (``Nonconformity.waiver``); the report gives the counts with and without waivers.
Whether a waiver is in force is judged on the date the check measures from (the audit date of the
report), never on the wall clock: before its start it is not yet in force, after its expiry it has
expired; either way the nonconformity counts as not waived.  A date-time with a UTC offset is turned
into its date in Asia/Shanghai (UTC+8, no daylight saving since 1991).

Fail closed: a waiver without an approver or a justification (the schema), one that covers nothing
this check knows (an unknown standard, rule or clause, a nonconformity this check did not find), an
expiry before the start, an impossible date or a duplicate id stops the check (exit 2, file, line and
field).  A waiver never closes a nonconformity: the audit conclusion (checker.audit) treats an open
major as blocking, waived or not.

Scores do not change with waivers: a score is computed from the indicator data, which a waiver does
not supply, and eligibility rests on the nonconformities of the gate clauses, which a waiver does not
close.  The report says so beside the counts.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, replace
from typing import Any

from .controldocs import ControlError, Controls, placeholder_problems
from .dependencies import applicability_documents, applicability_table, within_clause
from .errors import Problem
from .i18n import tr
from .limits import FIRST_DATE, LAST_DATE, calendar_date
from .model import Nonconformity, Report
from .packs import Pack
from .schemas import load_schemas

__all__ = ["EXPIRED", "IN_FORCE", "NOT_YET", "SHANGHAI", "apply_waivers", "shanghai_date"]

SHANGHAI = _dt.timezone(_dt.timedelta(hours=8), "Asia/Shanghai")
IN_FORCE, EXPIRED, NOT_YET = "in_force", "expired", "not_yet_in_force"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
OUT_OF_RANGE = "out of the years the checks count in"


def shanghai_date(text: str) -> _dt.date:
    """The date ``text`` names: a date as written, or a date-time with an offset turned into its date
    in Asia/Shanghai.  Raises ValueError for an impossible date or a date-time without an offset."""
    if _DATE.match(text):
        day = _dt.date.fromisoformat(text)
    else:
        moment = _dt.datetime.fromisoformat(text.replace("z", "Z").replace("t", "T"))
        if moment.tzinfo is None:
            raise ValueError("a date-time needs a UTC offset")
        try:
            day = moment.astimezone(SHANGHAI).date()
        except OverflowError:  # 9999-12-31T23:00-12:00 is past the last date Python holds in Shanghai
            raise ValueError(OUT_OF_RANGE) from None
    if not calendar_date(day.isoformat()):  # the checks count days from it (checker.limits)
        raise ValueError(OUT_OF_RANGE)
    return day


@dataclass(frozen=True)
class _Waiver:
    id: str
    covers: dict
    approver: dict
    justification: str
    risk: str | None
    start: _dt.date
    expiry: _dt.date
    written: tuple[str, str]
    file: str
    line: int | None
    state: str = IN_FORCE
    nonconformities: tuple[str, ...] = ()

    def for_nonconformity(self) -> dict:
        """``Nonconformity.waiver`` (the contract of SESSION5)."""
        return {"id": self.id, "approver": self.approver.get("name"), "justification": self.justification,
                "start": self.start.isoformat(), "expiry": self.expiry.isoformat(),
                "in_force": self.state == IN_FORCE, "file": self.file, "line": self.line}

    def to_json(self) -> dict:
        return {"id": self.id, "covers": dict(sorted(self.covers.items())),
                "nonconformities": list(self.nonconformities), "approver": self.approver,
                "justification": self.justification, "risk": self.risk,
                "start": self.start.isoformat(), "expiry": self.expiry.isoformat(),
                "start_written": self.written[0], "expiry_written": self.written[1],
                "state": self.state, "file": self.file, "line": self.line}


class _Reader:
    """Reads the waivers of one document, collecting every problem (file, line, field)."""

    def __init__(self, doc: Any, packs: dict[str, Pack], ncs: tuple[Nonconformity, ...]):
        self.doc, self.packs, self.ncs = doc, packs, ncs
        self.problems: list[Problem] = []

    def problem(self, message: str, pointer: str) -> None:
        pos = self.doc.position(pointer) or (None, None)
        self.problems.append(Problem(message, self.doc.path, pos[0], pos[1], pointer))

    def when(self, w: dict, key: str, pointer: str) -> _dt.date | None:
        try:
            return shanghai_date(str(w[key]))
        except ValueError as exc:
            if str(exc) == OUT_OF_RANGE:
                self.problem(tr("expected a date from {first} to {last}, got {value}", first=FIRST_DATE, last=LAST_DATE,
                                value=repr(w[key])), f"{pointer}/{key}")
                return None
            self.problem(tr("{value} is not a date (YYYY-MM-DD, or a date-time with a UTC offset)",
                            value=repr(w[key])), f"{pointer}/{key}")
            return None

    def covered(self, covers: dict, pointer: str) -> tuple[str, ...] | None:
        """The ids of the nonconformities ``covers`` names; None (and a problem) when it names nothing
        this check knows."""
        keys = frozenset(covers)
        where = f"{pointer}/covers"
        if keys == {"nonconformity"}:
            ids = tuple(n.id for n in self.ncs if n.id == covers["nonconformity"])
            if not ids:
                self.problem(tr("the waiver covers nonconformity {id}, which this check did not find",
                                id=covers["nonconformity"]), f"{where}/nonconformity")
                return None
            return ids
        if keys not in ({"standard", "rule"}, {"standard", "clause"}):
            self.problem(tr("a waiver covers a nonconformity, or a standard and a rule, or a standard and a clause"),
                         where)
            return None
        pack = self.packs.get(covers["standard"])
        if pack is None:
            self.problem(tr("the waiver names standard {standard}, which is not checked in this run (checked: "
                            "{checked})", standard=covers["standard"], checked=", ".join(self.packs)),
                         f"{where}/standard")
            return None
        return self._in_pack(pack, covers, where)

    def _in_pack(self, pack: Pack, covers: dict, where: str) -> tuple[str, ...] | None:
        if "rule" in covers:
            if covers["rule"] not in {r.id for r in pack.rules}:
                self.problem(tr("the waiver names rule {rule}, which is not a rule of {standard}",
                                rule=covers["rule"], standard=pack.id), f"{where}/rule")
                return None
            return tuple(n.id for n in self.ncs if (pack.id, covers["rule"]) in n.members)
        if covers["clause"] not in pack.catalogue:
            self.problem(tr("the waiver names clause {clause}, which is not a clause of {standard}",
                            clause=covers["clause"], standard=pack.id), f"{where}/clause")
            return None
        return tuple(n.id for n in self.ncs
                     if any(s == pack.id and within_clause(c, covers["clause"]) for s, c in n.clauses))

    def waiver(self, i: int, w: dict, seen: dict[str, int], audit_date: _dt.date) -> _Waiver | None:
        pointer = f"/waivers/{i}"
        if w["id"] in seen:
            self.problem(tr("waiver id {id} is given twice (first at /waivers/{first})", id=w["id"],
                            first=seen[w["id"]]), f"{pointer}/id")
        seen.setdefault(w["id"], i)
        start, expiry = self.when(w, "start", pointer), self.when(w, "expiry", pointer)
        ids = self.covered(w["covers"], pointer)
        if start and expiry and expiry < start:
            self.problem(tr("the waiver expires ({expiry}) before it starts ({start})", expiry=expiry.isoformat(),
                            start=start.isoformat()), f"{pointer}/expiry")
        if start is None or expiry is None or ids is None:
            return None
        state = NOT_YET if audit_date < start else EXPIRED if audit_date > expiry else IN_FORCE
        pos = self.doc.position(pointer)
        return _Waiver(w["id"], w["covers"], w["approver"], w["justification"], w.get("risk"), start, expiry,
                       (str(w["start"]), str(w["expiry"])), self.doc.path, pos[0] if pos else None, state, ids)


def _stop(problems: list[Problem]) -> None:
    if problems:
        raise ControlError(sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or 0, p.field or "")))


def _read(doc: Any, packs: dict[str, Pack], ncs: tuple[Nonconformity, ...], audit_date: _dt.date) -> list[_Waiver]:
    reader = _Reader(doc, packs, ncs)
    seen: dict[str, int] = {}
    out = [reader.waiver(i, w, seen, audit_date) for i, w in enumerate(doc.data.get("waivers") or [])]
    _stop(reader.problems)
    return [w for w in out if w is not None]


def _order(w: _Waiver) -> tuple:
    return (w.state != IN_FORCE, w.id)


def _waived(ncs: tuple[Nonconformity, ...], waivers: list[_Waiver]) -> tuple[Nonconformity, ...]:
    """Each nonconformity with the waiver that covers it: one in force first, else the first by id."""
    out = []
    for nc in ncs:
        mine = sorted((w for w in waivers if nc.id in w.nonconformities), key=_order)
        out.append(replace(nc, waiver=mine[0].for_nonconformity()) if mine else nc)
    return tuple(out)


def apply_waivers(report: Report, controls: Controls, bundle: Any, packs: dict[str, Pack]) -> Report:
    """The report with the statement of applicability as a table (``Report.applicability``), the
    waivers judged on the report's audit date (``Report.waivers``) and each nonconformity carrying
    the waiver that covers it (``Nonconformity.waiver``).  Raises ControlError (exit 2) on a waiver
    that is malformed or covers nothing."""
    schemas = load_schemas()
    given = controls.get("applicability")
    doc = controls.get("waivers")
    records = [*applicability_documents(bundle, given), *([doc] if doc is not None else [])]
    _stop([p for d in records for p in placeholder_problems(d, schemas)])
    table = tuple(applicability_table(list(report.results), bundle, packs, given))
    if doc is None:
        return replace(report, applicability=table)
    audit_date = _dt.date.fromisoformat(str(report.bundle["audit_date"]))
    waivers = sorted(_read(doc, packs, report.nonconformities, audit_date), key=lambda w: w.id)
    return replace(report, applicability=table, waivers=tuple(w.to_json() for w in waivers),
                   nonconformities=_waived(report.nonconformities, waivers))
