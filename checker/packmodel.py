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

DERIVE_OPS = ("ratio", "abs_diff", "year_diff", "join", "lookup", "type_of", "number_of",
              "convert", "product", "rel_diff", "ref", "sub", "add", "decline_rate", "period_end",
              "dimension_of", "occurrence", "window_sum", "window_decline", "first_given", "number_before",
              "pick", "mentions", "on_or_before")
TEXT_OPS = ("join", "lookup", "type_of", "dimension_of", "pick")
DATE_OPS = ("period_end",)  # a date (epoch days in the engine, compared with dates and anchors)
UNIT_OPS = ("convert", "product")  # set ``<field>_unit_error`` (text) instead of the value on a unit problem
UNIT_ERROR = "_unit_error"

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
    where: tuple[tuple[str, Any], ...]  # (field, value) equality, or (field, ("in"|"not_in", (values…)))
    sum: str | None
    group_by_field: str | None = None  # count per value of this field instead of per calendar year
    key_type: str = "integer"
    intervals: tuple[str, str, str] | None = None  # (date field, from anchor, until anchor): gap facts
    # group_by: {fields: [...]}: one fact per distinct combination, (field, schema type) of each
    group_by_fields: tuple[tuple[str, str], ...] = ()
    distinct: str | None = None  # count the distinct values of this field in each group

    def reads(self) -> tuple[str, ...]:
        """The fields of the ``of`` records this aggregate reads."""
        return tuple(f for f in (self.group_by_year_of, self.group_by_field, self.sum, self.distinct,
                                 *(k for k, _ in self.where), *(k for k, _ in self.group_by_fields),
                                 self.intervals[0] if self.intervals else None) if f)

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
        if self.distinct:
            out["distinct"] = {"type": "integer"}
        for name, typ in self.group_by_fields:
            out.setdefault(name, {"type": typ})
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
    """A value computed before the engine (``derive:`` in pack.yaml; checker.derivations computes it)."""

    kind: str
    field: str
    # ratio | abs_diff | year_diff (calendar year of a date field minus a year field) | join | lookup | type_of
    # | number_of | convert | product | rel_diff | ref | sub | add | decline_rate | period_end | dimension_of
    # | occurrence | window_sum | window_decline | first_given | on_or_before (1 when a <= b, else 0)
    # | number_before (the figure a
    # text states before a marker word, e.g. the 38 of "38 项要求") | pick (a field of the item of a list field
    # whose key field has a given value, e.g. the summary of the input on topic compliance_results) | mentions
    # (1 when a text, or a text of a list, contains the marker, else 0)
    op: str
    args: tuple[str, ...]  # the fields of the same fact it reads (product: every value and unit field)
    table: tuple[tuple[str, Any], ...] = ()  # lookup: key -> value; number_of: word -> number; number_before: marker;
    # pick: the item's key field and value (the field taken is ``take``)
    to: str | None = None  # convert, product: the unit of the result
    factors: tuple[tuple[str, str | None], ...] = ()  # convert, product: (value field, unit field or None)
    of: str | None = None  # ref: the kind the value is taken from
    match: tuple[tuple[str, str], ...] = ()  # ref: (their field, our field) pairs that must be equal
    take: str | None = None  # ref: their field copied
    years: int | None = None  # window_sum, window_decline: the years of the window ending at each year
    table_name: str | None = None  # lookup: the table read (scoring_slots or a name under reference_tables)

    def sets(self) -> tuple[str, ...]:
        """The fields this entry may set on a fact."""
        return (self.field, self.field + UNIT_ERROR) if self.op in UNIT_OPS else (self.field,)


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
    extra = derived_fields(schemas, kind, aggregates, derived)
    if kind.startswith(AGG_PREFIX):
        agg = aggregate_of(kind, aggregates)
        fields = agg.fields() if agg is not None else {}
        return lambda path: FieldInfo(kind, path, fields[path]) if path in fields else extra.get(path)
    return lambda path: extra.get(path) or schemas.field(kind, path)


def derived_fields(schemas: SchemaSet, kind: str, aggregates: dict[str, Aggregate],
                   derived: tuple[Derived, ...]) -> dict[str, FieldInfo]:
    """The fields the pack derives for ``kind``, with their schema nodes (a ``ref`` has the type of the
    field it takes, found through the kind it takes it from)."""
    out: dict[str, FieldInfo] = {}
    for d in derived:
        if d.kind != kind:
            continue
        out.setdefault(d.field, FieldInfo(kind, d.field, _derived_node(schemas, d, aggregates, derived, 0)))
        if d.op in UNIT_OPS:
            out.setdefault(d.field + UNIT_ERROR, FieldInfo(kind, d.field + UNIT_ERROR, {"type": "string"}))
    return out


def _derived_node(schemas: SchemaSet, d: Derived, aggregates: dict[str, Aggregate],
                  derived: tuple[Derived, ...], depth: int) -> dict:
    """The schema node of one derived value.  A ``ref`` follows only the one value it takes (a chain
    of refs at most 8 long), so a kind whose values take each other's stays linear to resolve."""
    if d.op in DATE_OPS:
        return {"type": "string", "format": "date"}
    if d.op == "lookup" and d.table and all(type(v) in (int, float) for _, v in d.table):
        return {"type": "number"}  # a numeric column of a reference table
    if not (d.op == "ref" and d.of and d.take and depth < 8):
        return {"type": "string" if d.op in TEXT_OPS else "number"}
    source = next((x for x in derived if x.kind == d.of and x.field == d.take), None)
    if source is not None:
        return _derived_node(schemas, source, aggregates, derived, depth + 1)
    return _taken_node(schemas, d, aggregates, derived)


def _taken_node(schemas: SchemaSet, d: Derived, aggregates: dict[str, Aggregate],
                derived: tuple[Derived, ...]) -> dict:
    """The node of a field a ``ref`` takes that no derivation makes: a unit error text, an
    aggregate's field or the schema's."""
    assert d.of is not None and d.take is not None
    if d.take.endswith(UNIT_ERROR) and any(
            x.kind == d.of and x.op in UNIT_OPS and x.field + UNIT_ERROR == d.take for x in derived):
        return {"type": "string"}
    agg = aggregate_of(d.of, aggregates)
    node = (agg.fields().get(d.take) if agg else None) or {}
    if not d.of.startswith(AGG_PREFIX) and schemas.fact_root(d.of):
        theirs = schemas.field(d.of, d.take)
        node = theirs.node if theirs is not None else {}
    return node
