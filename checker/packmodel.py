"""The rule-pack model: the dataclasses a loaded pack is made of, the clause-number helpers and the
field lookup a rule's conditions are checked and compiled against.

A pack is a folder ``rules/<pack-id>/`` with ``pack.yaml`` (standard metadata, clause catalogue,
declared aggregates) and rule files (every other ``*.yaml`` at its top level).  This module holds
data only; ``checker.packload`` builds it from the files, ``checker.packlint`` checks it and
``checker.packs`` is the public entry point (``get_pack``, ``load_pack``, ``available_packs``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Problem
from .schemas import FieldInfo, SchemaSet

ANCHORS = ("audit_date", "period_start", "period_end")
BUNDLE_KIND = "bundle"
AGG_PREFIX = "agg."
BREACH_GRADES = {"应": ("major", "minor"), "宜": ("observation",), "鼓励": ("observation",), "可": ("observation",)}
_CLAUSE_RE = re.compile(
    r"^(?P<num>[0-9A-Z]+(?:\.[0-9]+)*)(?P<dup>\([0-9]\))?(?: (?:\((?P<list>[0-9])\))?(?P<item>[a-z]|[0-9]+)\))?$")

DERIVE_OPS = ("ratio", "abs_diff", "year_diff", "join", "lookup", "type_of", "number_of")
TEXT_OPS = ("join", "lookup", "type_of")

Resolver = Callable[[str], FieldInfo | None]

# The fields of an aggregate's facts: ``key``/``count`` (and ``sum``) per group, or, for an interval
# aggregate, one fact per gap with ``from``/``to`` (dates), ``days``, ``months`` and ``first``/``last``
# (the gap starts at the period start / ends at the audit date).  ``checker.facts`` builds them.
INTERVAL_FIELDS: dict[str, dict] = {
    "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
    "days": {"type": "integer"}, "months": {"type": "integer"},
    "first": {"type": "boolean"}, "last": {"type": "boolean"}}


def clause_parent(clause: str) -> str | None:
    """``"6.2 d)"`` → ``"6.2"``; ``"10.3.1"`` → ``"10.3"``; ``"5"`` → None."""
    if " " in clause:
        return clause.split(" ", 1)[0]
    if "." in clause:
        return clause.rsplit(".", 1)[0]
    return None


def clause_sort_key(clause: str) -> tuple:
    m = _CLAUSE_RE.match(clause)
    if not m:
        return ((9999,), 0, "", clause)
    nums = tuple(int(x) if x.isdigit() else ord(x[0]) + 1000 for x in m["num"].split(".")) + (
        (int(m["dup"][1:-1]),) if m["dup"] else ())
    item = m["item"] or ""
    return (nums, int(m["list"] or 1) if item else 0, f"{int(item):03d}" if item.isdigit() else item, "")


@dataclass(frozen=True)
class CatalogueEntry:
    clause: str
    title: str
    text: str
    normative: bool
    note: str | None = None

    @property
    def parent(self) -> str | None:
        return clause_parent(self.clause)


@dataclass(frozen=True)
class Aggregate:
    name: str
    of: str
    group_by_year_of: str | None
    over_period: bool
    where: tuple[tuple[str, Any], ...]
    sum: str | None
    group_by_field: str | None = None  # count per value of this field instead of per calendar year
    key_type: str = "integer"
    intervals: tuple[str, str, str] | None = None  # (date field, from anchor, until anchor): gap facts

    @property
    def kind(self) -> str:
        return AGG_PREFIX + self.name

    def fields(self) -> dict[str, dict]:
        """The schema nodes of the fields of this aggregate's facts."""
        if self.intervals:
            return INTERVAL_FIELDS
        out: dict[str, dict] = {"key": {"type": self.key_type}, "count": {"type": "integer"}}
        if self.sum:
            out["sum"] = {"type": "number"}
        return out


@dataclass(frozen=True)
class Case:
    name: str
    expect_status: str | None
    expect_grade: str | None
    expect_evidence: dict | None
    patch: tuple
    fixture: str
    breach: bool
    line: int | None


@dataclass(frozen=True)
class Rule:
    id: str
    pack: str
    clause: str
    requirement: str
    obligation: str
    grade: str
    reads: tuple[str, ...]
    for_each: str
    where: Any
    expect: Any
    when_none: dict | None
    on_pass: str
    onsite: dict | None
    evidence_field: str | None
    finding: str | None
    title: dict | None
    message: dict
    pass_message: dict | None
    remediation: dict | None
    source: str
    cases: tuple[Case, ...]
    file: str
    line: int | None
    pointer: str
    depends_on: tuple[str, ...] = ()
    grade_reason: dict | None = None  # why the grade differs from a same-topic rule of another pack (checker.grading)


@dataclass(frozen=True)
class Derived:
    """A number computed before the engine from two fields of the same fact."""

    kind: str
    field: str
    # ratio | abs_diff | year_diff (calendar year of a date field minus a year field) | join | lookup | type_of
    # | number_of
    op: str
    args: tuple[str, ...]
    table: tuple[tuple[str, Any], ...] = ()  # lookup: key -> value; number_of: word -> number


@dataclass
class Pack:
    id: str
    folder: Path
    meta: dict
    catalogue: dict[str, CatalogueEntry]
    rules: list[Rule]
    aggregates: dict[str, Aggregate]
    sha256: str
    problems: list[Problem] = field(default_factory=list)
    derived: tuple[Derived, ...] = ()

    @property
    def scoring(self) -> dict | None:
        return self.meta.get("scoring")

    @property
    def code(self) -> str:
        return self.meta["code"]

    @property
    def title(self) -> dict:
        return self.meta["title"]

    @property
    def version(self) -> str:
        return str(self.meta["version"])


def aggregate_of(kind: str, aggregates: dict[str, Aggregate]) -> Aggregate | None:
    """The aggregate an ``agg.<name>`` fact kind names (None for other kinds and unknown names)."""
    return aggregates.get(kind[len(AGG_PREFIX):]) if kind.startswith(AGG_PREFIX) else None


def kind_resolver(schemas: SchemaSet, kind: str, aggregates: dict[str, Aggregate],
                  derived: tuple[Derived, ...] = ()) -> Resolver:
    """Look up the fields of a fact kind: an aggregate's fields for ``agg.<name>``, else the schema's
    fields and the values the pack derives for that kind.  The one resolver of the linter and the
    compiler."""
    if kind.startswith(AGG_PREFIX):
        agg = aggregate_of(kind, aggregates)
        fields = agg.fields() if agg is not None else {}
        return lambda path: FieldInfo(kind, path, fields[path]) if path in fields else None
    extra = {d.field: FieldInfo(kind, d.field, {"type": "string" if d.op in TEXT_OPS else "number"})
             for d in derived if d.kind == kind}
    return lambda path: extra.get(path) or schemas.field(kind, path)
