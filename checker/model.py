"""The result model: frozen dataclasses that reporters read and nothing else writes to."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

TITLE_ONLY = "title only"  # Result.source of a rule that rests on a clause title only (the source has no text)
SECONDARY = "secondary"  # Result.source of a rule of a pack that rests on secondary sources (no official text)
# how every report marks what rests on secondary sources
SECONDARY_MARK = ("来源：二手资料，非官方原文", "source: secondary reporting, not the official text")


# str mixins, not StrEnum: StrEnum changes str()/format() of the members, which templates and messages show
class Status(str, Enum):  # noqa: UP042
    """Outcome of one rule on one subject, and of a clause."""

    CONFORM = "conform"
    NONCONFORMITY = "nonconformity"
    OBSERVATION = "observation"
    NOT_APPLICABLE = "not_applicable"
    ONSITE = "onsite"  # needs on-site verification
    NOT_EVALUATED = "not_evaluated"  # the evidence it builds on is itself nonconforming (or missing)
    ERROR = "error"
    NOT_CHECKED = "not_checked"  # clauses only: no rule of the selected packs covers it


class Grade(str, Enum):  # noqa: UP042 - as Status
    MAJOR = "major"
    MINOR = "minor"


# Worst first.  A clause verdict is the worst of its rules' results.  "onsite" ranks above an
# observation because it is undetermined: the auditor may still find a nonconformity there; "not
# evaluated" ranks above both: the clause cannot be judged until the nonconformity it depends on is closed.
SEVERITY = {
    (Status.ERROR, None): 0,
    (Status.NONCONFORMITY, Grade.MAJOR): 1,
    (Status.NONCONFORMITY, Grade.MINOR): 2,
    (Status.NOT_EVALUATED, None): 3,
    (Status.ONSITE, None): 4,
    (Status.OBSERVATION, None): 5,
    (Status.CONFORM, None): 6,
    (Status.NOT_APPLICABLE, None): 7,
    (Status.NOT_CHECKED, None): 8,
}


def severity(status: Status, grade: Grade | None) -> int:
    return SEVERITY[(status, grade if status is Status.NONCONFORMITY else None)]




@dataclass(frozen=True, slots=True)
class Text:
    """A piece of report text in Chinese with English alongside."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def to_json(self) -> dict:
        return {"zh": self.zh, "en": self.en}


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a result's evidence is: a file in the bundle, a JSON pointer into it, and a line."""

    file: str
    pointer: str = ""
    line: int | None = None
    column: int | None = None
    note: Text | None = None  # what is missing there, e.g. 证据包中没有方针 / no policy in the bundle

    def location(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
        if self.pointer:
            where += f"#{self.pointer}"
        return where

    def to_json(self) -> dict:
        out: dict = {"file": self.file, "pointer": self.pointer}
        if self.line is not None:
            out["line"] = self.line
        if self.column is not None:
            out["column"] = self.column
        if self.note:
            out["note"] = self.note.to_json()
        return out


@dataclass(frozen=True, slots=True)
class Result:
    """One rule's outcome on one subject (a document, a record, or the bundle as a whole)."""

    rule: str
    standard: str
    clause: str
    status: Status
    grade: Grade | None
    obligation: str
    requirement: str
    message: Text
    evidence: tuple[Evidence, ...]
    remediation: Text | None = None
    subject: str | None = None  # stable key of the subject, for de-duplication and sorting
    source: str = "full text"  # or TITLE_ONLY
    finding: str | None = field(default=None, compare=False)  # defect key: equal keys on one subject merge
    reason: Text | None = None  # why not applicable (shown beside 不适用)
    missing: str | None = field(default=None, compare=False)  # the absent document kind a breach rests on
    blocked_by: tuple[str, ...] = field(default=(), compare=False)  # rule ids (or "missing:<kind>") it waits on
    depends_on: tuple[str, ...] = ()  # ids of the nonconformities a "not evaluated" result depends on
    # the auditor's on-site judgement of this result (checker.onsite): who, when, evidence seen, and the
    # tool's own verdict before it, kept in the record
    judgement: dict | None = field(default=None, compare=False)

    def to_json(self) -> dict:
        out: dict[str, Any] = {
            "rule": self.rule,
            "standard": self.standard,
            "clause": self.clause,
            "status": self.status.value,
            "grade": self.grade.value if self.grade else None,
            "obligation": self.obligation,
            "requirement": self.requirement,
            "source": self.source,
            "message": self.message.to_json(),
            "evidence": [e.to_json() for e in self.evidence],
        }
        if self.remediation:
            out["remediation"] = self.remediation.to_json()
        if self.subject:
            out["subject"] = self.subject
        if self.reason:
            out["reason"] = self.reason.to_json()
        if self.depends_on:
            out["depends_on"] = list(self.depends_on)
        if self.judgement:
            out["judgement"] = self.judgement
        return out


@dataclass(frozen=True, slots=True)
class ClauseVerdict:
    standard: str
    clause: str
    title: str
    normative: bool
    status: Status
    grade: Grade | None
    rules: tuple[str, ...]
    counts: dict = field(default_factory=dict, compare=False, hash=False)
    reason: Text | None = None  # why the clause is not applicable, or which nonconformity it waits on

    def to_json(self) -> dict:
        out = {
            "standard": self.standard,
            "clause": self.clause,
            "title": self.title,
            "normative": self.normative,
            "status": self.status.value,
            "grade": self.grade.value if self.grade else None,
            "rules": list(self.rules),
            "counts": dict(sorted(self.counts.items())),
        }
        if self.reason:
            out["reason"] = self.reason.to_json()
        return out


@dataclass(frozen=True, slots=True)
class Nonconformity:
    id: str
    clauses: tuple[tuple[str, str], ...]  # (standard, clause)
    grade: Grade
    requirement: str
    finding: Text
    evidence: tuple[Evidence, ...]
    remediation: Text | None
    rules: tuple[str, ...]
    members: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # (standard, rule) of its results
    missing: tuple[str, ...] = field(default=(), compare=False)  # absent document kinds it is about
    judgement: dict | None = field(default=None, compare=False)  # the auditor's on-site judgement (checker.onsite)
    # the waiver or accepted risk that covers it, in force or expired (checker.waivers)
    waiver: dict | None = field(default=None, compare=False)
    # the fields of its 不符合项报告 and the park's corrective action (checker.ncr)
    record: dict | None = field(default=None, compare=False)

    def to_json(self) -> dict:
        out = {
            "id": self.id,
            "clauses": [{"standard": s, "clause": c} for s, c in self.clauses],
            "grade": self.grade.value,
            "requirement": self.requirement,
            "finding": self.finding.to_json(),
            "evidence": [e.to_json() for e in self.evidence],
            "rules": list(self.rules),
        }
        if self.remediation:
            out["remediation"] = self.remediation.to_json()
        if self.waiver:
            out["waiver"] = self.waiver
        if self.record is not None:
            out["record"] = self.record
        if self.judgement:
            out["judgement"] = self.judgement
        return out


@dataclass(frozen=True, slots=True)
class ContentGap:
    """A schema content gap of the evidence (checker.gaps) and how the report accounts for it:
    ``rule`` (a rule's own breach rests on it), ``finding`` (a result of its own in ``standards``),
    ``not_covered`` (no rule of the selected packs reads that document), ``optional`` (an optional
    value left empty: not given, no finding)."""

    file: str
    pointer: str
    line: int | None
    column: int | None
    keyword: str
    message: Text  # the schema's complaint, in Chinese with English alongside
    reported_as: str
    standards: tuple[str, ...] = ()

    def to_json(self) -> dict:
        out: dict = {"file": self.file, "pointer": self.pointer}
        if self.line is not None:
            out["line"] = self.line
        if self.column is not None:
            out["column"] = self.column
        out.update({"keyword": self.keyword, "message": self.message.to_json(), "reported_as": self.reported_as,
                    "standards": list(self.standards)})
        return out


@dataclass(frozen=True)
class PackInfo:
    id: str
    code: str
    title: str
    edition: str
    version: str
    publisher: str
    rules: int
    sha256: str
    source_basis: str | None = None  # "secondary": the pack rests on secondary sources (marked in every report)

    @property
    def secondary(self) -> bool:
        return self.source_basis == SECONDARY

    def to_json(self) -> dict:
        out = {"id": self.id, "code": self.code, "title": self.title, "edition": self.edition,
               "version": self.version, "publisher": self.publisher, "rules": self.rules,
               "sha256": self.sha256}
        if self.secondary:
            out["source_basis"] = SECONDARY
            out["source_note"] = {"zh": SECONDARY_MARK[0], "en": SECONDARY_MARK[1]}
        return out


@dataclass(frozen=True)
class EvidenceFile:
    path: str
    kind: str | None
    sha256: str
    size: int

    def to_json(self) -> dict:
        return {"path": self.path, "kind": self.kind, "sha256": self.sha256, "size": self.size}


def _nc_counts(ncs: list[Nonconformity]) -> dict:
    return {"total": len(ncs), "major": sum(1 for n in ncs if n.grade is Grade.MAJOR),
            "minor": sum(1 for n in ncs if n.grade is Grade.MINOR)}


def _waiver_counts(ncs: tuple[Nonconformity, ...]) -> dict:
    """The nonconformities covered by a waiver in force (``waived``); those not — the counts with
    waivers — (``not_waived``); those whose waiver is expired or not yet in force (``waiver_not_in_force``,
    counted as not waived).  A waived nonconformity stays a nonconformity: ``nonconformities`` counts it."""
    waived = [n for n in ncs if n.waiver and n.waiver.get("in_force")]
    ids = {n.id for n in waived}
    return {"waived": _nc_counts(waived), "not_waived": _nc_counts([n for n in ncs if n.id not in ids]),
            "waiver_not_in_force": _nc_counts([n for n in ncs if n.waiver and not n.waiver.get("in_force")])}


@dataclass(frozen=True)
class Report:
    tool_version: str
    bundle: dict  # park, period, audit_date, name, standards claimed
    files: tuple[EvidenceFile, ...]
    packs: tuple[PackInfo, ...]
    results: tuple[Result, ...]
    verdicts: tuple[ClauseVerdict, ...]
    nonconformities: tuple[Nonconformity, ...]
    generated_at: str | None = None
    engine: dict = field(default_factory=dict, compare=False, hash=False)
    scores: tuple = ()  # checker.scoring.Score, one per scored standard
    sections: tuple = ()  # pack-declared report sections (checker.sections), one per pack declaring one
    content_gaps: tuple[ContentGap, ...] = ()  # schema content gaps, each with how it is reported
    unused_files: tuple[str, ...] = ()  # files and workbook sheets nothing reads (checker.unused)
    mode: str = "precheck"  # precheck | audit (checker.modes): an audit report carries no advice
    audit: dict | None = None  # the audit information (schemas/audit.schema.json), when given (checker.audit)
    conclusion: dict | None = None  # the audit conclusion, in an audit (checker.audit)
    readiness: dict | None = None  # readiness per PDCA area and "fix first", in a pre-check (checker.readiness)
    applicability: tuple = ()  # the park's statements of applicability as a table (checker.waivers)
    waivers: tuple = ()  # waivers and accepted risks, each with whether it is in force (checker.waivers)
    surveillance: dict | None = None  # closed / still open / new / recurring against the previous report (checker.ncr)
    neutrality: tuple = ()  # checker.neutrality.NeutralityVerdict per pack declaring it: verdict, rejected offsets

    @property
    def has_nonconformities(self) -> bool:
        return bool(self.nonconformities)

    @functools.cached_property
    def _title_only(self) -> tuple[frozenset, dict, frozenset]:
        """The title-only results, indexed once: (standard, rule); their clauses by (standard, rule);
        (standard, rule, status, grade) of each."""
        mine = [r for r in self.results if r.source == TITLE_ONLY]
        clauses: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for r in mine:
            clauses.setdefault((r.standard, r.rule), set()).add((r.standard, r.clause))
        return (frozenset((r.standard, r.rule) for r in mine), clauses,
                frozenset((r.standard, r.rule, r.status, r.grade) for r in mine))

    def title_only_rules(self) -> frozenset[tuple[str, str]]:
        """(standard, rule) of the rules that rest on a clause title only (``source: title only``)."""
        return self._title_only[0]

    def on_title(self, nc: Nonconformity) -> frozenset[tuple[str, str]]:
        """(standard, clause) of a nonconformity's clauses that a title-only rule of it judged."""
        clauses = self._title_only[1]
        return frozenset(c for member in set(nc.members) for c in clauses.get(member, ()))

    def verdict_on_title(self, verdict: ClauseVerdict) -> bool:
        """Whether a clause verdict rests on a title-only result: one of its rules rests on the clause title
        only and gave the verdict's own status (and grade)."""
        given = self._title_only[2]
        return any((verdict.standard, rule, verdict.status, verdict.grade) in given for rule in verdict.rules)

    def summary(self) -> dict:
        """Every count a report shows, computed once here (every format reads it).  ``results`` counts rule
        results (one per rule and subject; several may make one nonconformity); ``nonconformities`` counts
        the numbered nonconformities; ``clauses`` counts clause verdicts; ``title_only`` counts what rests
        on clause titles only."""
        counts: dict[str, int] = {}
        for r in self.results:
            graded = r.status is Status.NONCONFORMITY and r.grade is not None
            key = f"nonconformity_{r.grade.value}" if graded and r.grade is not None else r.status.value
            counts[key] = counts.get(key, 0) + 1
        on_title = self.title_only_rules()
        return {
            "results": dict(sorted(counts.items())),
            "nonconformities": {
                "total": len(self.nonconformities),
                "major": sum(1 for n in self.nonconformities if n.grade is Grade.MAJOR),
                "minor": sum(1 for n in self.nonconformities if n.grade is Grade.MINOR),
            },
            "clauses": {s.value: sum(1 for v in self.verdicts if v.status is s) for s in Status
                        if any(v.status is s for v in self.verdicts)},
            **_waiver_counts(self.nonconformities),  # waivers (checker.waivers): counts with and without
            "title_only": {
                "results": sum(1 for r in self.results if r.source == TITLE_ONLY),
                "nonconformities": sum(1 for n in self.nonconformities if on_title & set(n.members)),
                "clauses": sum(1 for v in self.verdicts if self.verdict_on_title(v)),
            },
            **self._secondary_counts(),
        }

    def _secondary_counts(self) -> dict:
        """What rests on secondary sources (packs with ``source_basis: secondary``); absent when nothing does."""
        packs = {p.id for p in self.packs if p.secondary}
        if not packs:
            return {}
        return {"secondary": {
            "results": sum(1 for r in self.results if r.standard in packs),
            "nonconformities": sum(1 for n in self.nonconformities if any(s in packs for s, _ in n.clauses)),
            "clauses": sum(1 for v in self.verdicts if v.standard in packs)}}
