"""Turn validated documents into engine facts, and keep the way back to the evidence.

The engine sees small, typed, flat-ish facts; reports need the original values and where they
were written.  So every fact gets a short sequential id, and ``FactBase.sources`` maps that id to
the file, JSON pointer and original data.  Normalisation (driven by the schemas, the same for all
kinds) is:

* blank values (``null``, whitespace-only text, empty lists and mappings) are dropped, so rules
  test "missing or empty" with one operator;
* dates become whole days since 1970-01-01, so the engine can compare them as numbers;
* arrays marked ``x-records`` become facts of kind ``<kind>.<field>`` of their own, each carrying
  ``_doc`` (the document fact) and ``_parent`` (the enclosing fact), so big tables are evaluated
  record by record instead of inside one oversized fact;
* ``x-`` extension fields are not given to the engine.

Declared aggregates (counts and sums per calendar year) are computed here, generically, because
the engine cannot count; they enter as facts of kind ``agg.<name>``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .bundle import Bundle, Document
from .conditions import RESERVED, add_months, anchor_name, epoch_days
from .ids import document_keys, item_key_fields, record_keys, unique_keys
from .packmodel import BUNDLE_KIND, Aggregate, Derived
from .pointers import join_pointer
from .schemas import SchemaSet

_BLANK = object()


@dataclass
class FactSource:
    """Where a fact came from, and its original (un-normalised) values for messages."""

    kind: str
    file: str
    pointer: str
    data: Any
    document: Document | None
    key: str  # stable identity, independent of file names and order (checker.ids): kind/records[id] or agg:name:key


@dataclass
class FactBase:
    facts: list[dict] = field(default_factory=list)
    sources: dict[str, FactSource] = field(default_factory=dict)
    by_kind: dict[str, list[str]] = field(default_factory=dict)
    bundle_id: str | None = None

    def add(self, fact: dict, source: FactSource) -> str:
        fid = str(len(self.facts) + 1)
        fact["id"] = fid
        self.facts.append(fact)
        self.sources[fid] = source
        self.by_kind.setdefault(fact["kind"], []).append(fid)
        return fid

    def of_kind(self, kind: str) -> list[str]:
        return self.by_kind.get(kind, [])


_TRIM = " \t\r\n\u3000。．.；;，,：:！!"


def _placeholder(value: str, node: dict) -> bool:
    """A text that is only a placeholder the schema declares (``x-placeholders``: 待定, 暂无, TBD …)
    says nothing: it is treated as not given, so a rule asking for the content fails."""
    words = node.get("x-placeholders") or ()
    return bool(words) and value.strip(_TRIM).casefold() in {w.casefold() for w in words}


class _Normaliser:
    def __init__(self, schemas: SchemaSet, base: FactBase):
        self.schemas = schemas
        self.base = base

    def value(self, value: Any, node: dict, resolver, pointer: str, doc: Document, fact_kind: str,
              doc_id: str | None, parent_id: str | None, pending: list) -> Any:
        node, resolver = self.schemas.deref(node, resolver)
        if isinstance(value, dict):
            props = node.get("properties", {})
            out = {}
            for k, v in value.items():
                if k.startswith("x-") or (k == "kind" and not pointer):
                    continue
                sub = props.get(k, {})
                nv = self.value(v, sub, resolver, join_pointer(pointer, k), doc, fact_kind, doc_id, parent_id, pending)
                if nv is not _BLANK:
                    out[k] = nv
            return out if out or not pointer else _BLANK
        if isinstance(value, list):
            if node.get("x-records"):
                pending.append((value, node, resolver, pointer))
                return _BLANK
            items = node.get("items", {})
            found = []
            for i, v in enumerate(value):
                nv = self.value(v, items, resolver, join_pointer(pointer, i), doc, fact_kind, doc_id, parent_id,
                                pending)
                if nv is not _BLANK:
                    found.append(nv)
            return found if found else _BLANK
        if value is None:
            return _BLANK
        if isinstance(value, str):
            if not value.strip() or _placeholder(value, node):
                return _BLANK
            if node.get("format") == "date":
                return epoch_days(value)
            return value
        return value

    def emit(self, data: dict, node: dict, resolver, pointer: str, doc: Document, kind: str,
             doc_id: str | None, parent_id: str | None, key: str) -> str:
        pending: list = []
        fields = self.value(data, node, resolver, pointer, doc, kind, doc_id, parent_id, pending)
        if not isinstance(fields, dict):
            fields = {}
        fields = {("f_" + k if k in RESERVED else k): v for k, v in fields.items()}
        fact = {"kind": kind, **fields}
        if doc_id:
            fact["_doc"] = doc_id
        if parent_id:
            fact["_parent"] = parent_id
        fid = self.base.add(fact, FactSource(kind, doc.path, pointer, data, doc, key))
        for items, arr_node, arr_resolver, arr_pointer in pending:
            item_node, item_resolver = self.schemas.deref(arr_node.get("items", {}), arr_resolver)
            name = arr_pointer.rsplit('/', 1)[1]
            sub_kind = f"{kind}.{name}"
            records = [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]
            keys = record_keys([item for _, item in records], item_key_fields(item_node))
            for (i, item), rkey in zip(records, keys, strict=True):
                self.emit(item, item_node, item_resolver, join_pointer(arr_pointer, i), doc, sub_kind,
                          doc_id or fid, fid, f"{key}/{name}[{rkey}]")
        return fid


def _year_of(days: int) -> int:
    return (_dt.date(1970, 1, 1) + _dt.timedelta(days=days)).year


def _dotted(fact: dict, path: str) -> Any:
    value: Any = fact
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _type_of(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "text"
    return "other"


_ABSENT = object()  # a derived value that is not given (an input is missing or not usable)


def _numbers(args: list) -> bool:
    return all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in args)


def _join(args: list, table: dict) -> Any:
    if not args or args[0] is None:
        return _ABSENT
    return "/".join(str(a) for a in args if a is not None and not isinstance(a, (dict, list)))


def _lookup(args: list, table: dict) -> Any:
    key = args[0]
    if isinstance(key, (str, int)) and not isinstance(key, bool) and str(key) in table:
        return table[str(key)]
    return _ABSENT


def _type_op(args: list, table: dict) -> Any:
    return _type_of(args[0]) or _ABSENT


def _number_of(args: list, table: dict) -> Any:
    v = args[0]
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str) and v.strip() in table:
        return table[v.strip()]
    return _ABSENT


def _ratio(args: list, table: dict) -> Any:
    a, b = args
    return round(a / b, 9) if _numbers(args) and b else _ABSENT


def _year_diff(args: list, table: dict) -> Any:
    a, b = args  # a is a date (epoch days), b a calendar year
    return _year_of(int(a)) - int(b) if _numbers(args) else _ABSENT


def _abs_diff(args: list, table: dict) -> Any:
    a, b = args
    return round(abs(a - b), 9) if _numbers(args) else _ABSENT


_DERIVATIONS = {"join": _join, "lookup": _lookup, "type_of": _type_op, "number_of": _number_of,
                "ratio": _ratio, "year_diff": _year_diff, "abs_diff": _abs_diff}


def _derive(base: FactBase, derived: Iterable[Derived]) -> None:
    """Add the declared derived values to the facts of their kind (absent when an input is).

    ratio, abs_diff, year_diff: numbers from two number fields.  join: the present values of the
    fields joined with "/" (a composite key).  lookup: the value the pack's table gives for a key
    field.  type_of: integer | number | boolean | text.  number_of: a number as is, true/false as
    1/0, a word of the pack's table as its number.
    """
    for d in derived:
        table = dict(d.table or ())
        compute = _DERIVATIONS.get(d.op, _abs_diff)
        for fid in base.of_kind(d.kind):
            fact = base.facts[int(fid) - 1]
            value = compute([_dotted(fact, arg) for arg in d.args], table)
            if value is not _ABSENT:
                fact[d.field] = value


def build_facts(bundle: Bundle, schemas: SchemaSet, anchors: Iterable[tuple[str, int]] = (),
                aggregates: Iterable[Aggregate] = (), derived: Iterable[Derived] = ()) -> FactBase:
    """Build the fact base of a validated bundle."""
    base = FactBase()
    m = bundle.manifest.data
    dates = {"audit_date": m["audit_date"], "period_start": m["period"]["start"], "period_end": m["period"]["end"]}
    bundle_fact: dict = {"kind": BUNDLE_KIND, "park": m["park"]["name"]}
    for name, iso in dates.items():
        bundle_fact[name] = epoch_days(iso)
    for anchor, months in sorted(set(anchors)):
        day = _dt.date.fromisoformat(dates[anchor])
        bundle_fact[anchor_name(anchor, months)] = epoch_days(add_months(day, -months).isoformat())
    base.bundle_id = base.add(bundle_fact, FactSource(BUNDLE_KIND, bundle.manifest.path, "", m, bundle.manifest,
                                                      BUNDLE_KIND))
    norm = _Normaliser(schemas, base)
    doc_keys = document_keys(bundle.documents, schemas)
    for doc in bundle.documents:
        kind = doc.kind
        assert kind is not None, "build_facts needs a validated bundle"  # validate_bundle refuses a document without
        schema = schemas.inlined(kind)  # no $ref left: normalising needs no resolver
        norm.emit(doc.data, schema, None, "", doc, kind, None, None, doc_keys[doc.path])
    evidence = [src for src in base.sources.values() if src.document is not None and src.kind != BUNDLE_KIND]
    for src, key in zip(evidence, unique_keys([(src.key, src.data) for src in evidence]), strict=True):
        src.key = key
    _derive(base, derived)
    period_years = range(int(m["period"]["start"][:4]), int(m["period"]["end"][:4]) + 1)
    for agg in aggregates:
        if agg.intervals:
            _intervals(base, bundle, agg, dates)
        else:
            _aggregate(base, bundle, agg, period_years)
    return base


def months_between(start: _dt.date, end: _dt.date) -> int:
    """Whole months from ``start`` to ``end``, counting a part month as one: 2023-11-12 → 2024-11-12
    is 12, → 2024-11-13 is 13."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) < end:
        months += 1
    while months > 0 and add_months(start, months - 1) >= end:
        months -= 1
    return max(months, 0)


def _iso(days: int) -> str:
    return (_dt.date(1970, 1, 1) + _dt.timedelta(days=days)).isoformat()


def _intervals(base: FactBase, bundle: Bundle, agg: Aggregate, dates: dict[str, str]) -> None:
    """Gaps between consecutive dated records, measured from the period start (or the last record
    before it) to the first record in the period, between records, and from the last record to the
    audit date: one fact per gap.  Records dated after the closing anchor do not shorten a gap."""
    assert agg.intervals is not None
    date_field, start_anchor, end_anchor = agg.intervals
    start, end = epoch_days(dates[start_anchor]), epoch_days(dates[end_anchor])
    dated: list[tuple[int, str]] = []
    for fid in base.of_kind(agg.of):
        fact = base.facts[int(fid) - 1]
        if any(fact.get(k) != v for k, v in agg.where):
            continue
        day = fact.get(date_field)
        if isinstance(day, int) and day <= end:
            dated.append((day, fid))
    dated.sort()
    before = [d for d in dated if d[0] <= start]
    inside = [d for d in dated if start < d[0]]
    points: list[tuple[int, str | None]] = [before[-1] if before else (start, None), *inside]
    manifest = bundle.manifest
    for i in range(len(points)):
        frm, from_fid = points[i]
        to, to_fid = points[i + 1] if i + 1 < len(points) else (end, None)
        last = i + 1 == len(points)
        fact = {"kind": agg.kind, "from": frm, "to": to, "days": to - frm,
                "months": months_between(_dt.date.fromisoformat(_iso(frm)), _dt.date.fromisoformat(_iso(to))),
                "first": i == 0, "last": last}
        data = {"from": _iso(frm), "to": _iso(to), "days": fact["days"], "months": fact["months"],
                "first": fact["first"], "last": last}
        anchor_fid = to_fid or from_fid
        if anchor_fid is not None:
            src = base.sources[anchor_fid]
            source = FactSource(agg.kind, src.file, src.pointer, data, src.document,
                                f"agg:{agg.name}:{data['from']}:{data['to']}")
        else:
            source = FactSource(agg.kind, manifest.path, "/period", data, manifest,
                                f"agg:{agg.name}:{data['from']}:{data['to']}")
        base.add(fact, source)


def _aggregate(base: FactBase, bundle: Bundle, agg: Aggregate, period_years: range) -> None:
    if getattr(agg, "group_by_field", None):
        _aggregate_by_field(base, agg)
        return
    groups: dict[int, list[str]] = {}
    for fid in base.of_kind(agg.of):
        fact = base.facts[int(fid) - 1]
        if any(fact.get(k) != v for k, v in agg.where):
            continue
        day = fact.get(agg.group_by_year_of)
        if isinstance(day, int):
            groups.setdefault(_year_of(day), []).append(fid)
    keys = set(groups)
    if agg.over_period:
        keys = set(period_years) | {k for k in keys if k in period_years}
        keys = {k for k in keys if k in period_years}
    for key in sorted(keys):
        members = groups.get(key, [])
        counted: dict = {"kind": agg.kind, "key": key, "count": len(members)}
        if agg.sum:
            counted["sum"] = float(sum(base.facts[int(f) - 1].get(agg.sum, 0) or 0 for f in members))
        if members:
            first = base.sources[members[0]]
            pointer = first.pointer.rsplit("/", 1)[0]
            source = FactSource(agg.kind, first.file, pointer, {"key": key, "count": len(members)}, first.document,
                                f"agg:{agg.name}:{key}")
        else:
            source = FactSource(agg.kind, bundle.manifest.path, "/period", {"key": key, "count": 0},
                                bundle.manifest, f"agg:{agg.name}:{key}")
        base.add(counted, source)


def _aggregate_by_field(base: FactBase, agg: Aggregate) -> None:
    """Count records per value of a field.  The fact points at the last record of its group, so a
    value given twice is located at its repetition."""
    groups: dict = {}
    for fid in base.of_kind(agg.of):
        fact = base.facts[int(fid) - 1]
        if any(fact.get(k) != v for k, v in agg.where):
            continue
        key = fact.get(agg.group_by_field)
        if isinstance(key, (str, int)) and not isinstance(key, bool):
            groups.setdefault(key, []).append(fid)
    for key in sorted(groups, key=lambda k: (str(type(k)), k)):
        members = groups[key]
        counted: dict = {"kind": agg.kind, "key": key, "count": len(members)}
        if agg.sum:
            counted["sum"] = float(sum(base.facts[int(f) - 1].get(agg.sum, 0) or 0 for f in members))
        last = base.sources[members[-1]]
        base.add(counted, FactSource(agg.kind, last.file, last.pointer, {"key": key, "count": len(members)},
                                     last.document, f"agg:{agg.name}:{key}"))
