"""The declarations of ``pack.yaml`` that compute before the engine: derived values (``derive:``) and
aggregates (``aggregates:``), read into ``Derived`` and ``Aggregate`` and linted against the evidence
schemas, the aggregates and each other (unknown kinds and fields, units pint does not know, a ``ref``
to a missing kind or field, a dependency cycle).

A derived entry is written in one of two equivalent forms: the operation as key,
``{kind, field, ratio: [a, b]}``, ``{kind, field, convert: [quantity, unit], to: tce}``,
``{kind, field, ref: {of, match, take}}``, ``{kind, field, decline_rate: sum}``; or with ``op``,
``{kind, field, op: convert, args: [quantity, unit], to: tce}``,
``{kind, field, op: ref, of: KIND, match: {their_field: our_field}, take: FIELD}``,
``{kind, field, op: decline_rate, args: [sum]}`` (no args: ``sum``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .aggregation import plan
from .columns import LOCATION  # pseudo-fields a derive step may read: where a fact's evidence is
from .condlint import fix
from .packmodel import AGG_PREFIX, BUNDLE_KIND, DERIVE_OPS, UNIT_OPS, Aggregate, Derived, aggregate_of, kind_resolver
from .quantities import known_unit
from .schemas import SchemaSet
from .scoring import qualitative_words, slot_table

Add = Callable[[str, str], None]  # (pointer, message): a problem located in pack.yaml
WINDOW_OPS = ("window_sum", "window_decline")  # over the last `years` years ending at each year
STRUCTURAL = ("_id", "_doc", "_parent")  # a fact's own id, its document's and its enclosing fact's


def _op_and_spec(d: dict) -> tuple[str, Any]:
    """An entry's operation and its arguments in the key form (``ratio: [a, b]``), whichever form it
    is written in."""
    if "op" not in d:
        op = next(o for o in DERIVE_OPS if o in d)
        return op, d[op]
    op, args = d["op"], list(d.get("args") or [])
    if op == "ref":
        return op, {k: d[k] for k in ("of", "match", "take") if k in d}
    if op == "lookup":
        return op, {"key": args[0] if args else "", "table": d.get("table", ""), "take": d.get("take")}
    if op in ("type_of", "number_of", "decline_rate", "dimension_of", *WINDOW_OPS):
        return op, args[0] if args else ("sum" if op in ("decline_rate", *WINDOW_OPS) else "")
    return op, args


def _factors(spec: list) -> tuple[tuple[str, str | None], ...]:
    return tuple((f[0], f[1]) if isinstance(f, list) else (f, None) for f in spec)


def _entry(d: dict, op: str, spec: Any, scoring: dict, tables: dict) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The inputs and the extra fields of one declared derive entry."""
    kw: dict[str, Any] = {}
    if op == "lookup":
        name, take = spec["table"], spec.get("take")
        return (spec["key"],), {"table": tables.get((name, take) if take else name, ()), "take": take,
                                "table_name": name}
    if op in ("type_of", "number_of", "decline_rate", "dimension_of", *WINDOW_OPS):
        if op in WINDOW_OPS:
            kw["years"] = d.get("years")
        if op == "number_of":
            kw["table"] = tuple(sorted(qualitative_words(scoring).items()))
        return (spec,), kw
    if op in ("number_before", "mentions"):
        return tuple(spec), {"table": (("marker", d.get("marker") or ""),)}
    if op == "pick":
        key, value = next(iter((d.get("where") or {"": ""}).items()))
        return tuple(spec), {"table": (("key", key), ("value", value)), "take": d.get("take")}
    if op in UNIT_OPS:
        kw["factors"] = ((spec[0], spec[1]),) if op == "convert" else _factors(spec)
        kw["to"] = d.get("to")
        return tuple(f for pair in kw["factors"] for f in pair if f), kw
    if op == "ref":
        match = tuple(sorted((spec.get("match") or {}).items()))
        return tuple(ours for _, ours in match), {"of": spec.get("of"), "match": match, "take": spec.get("take")}
    return tuple(spec), kw


def reference_columns(meta: dict) -> dict[tuple[str, str], tuple[tuple[str, Any], ...]]:
    """Each column of each table under ``reference_tables``: (table, column) -> ((row key, value), …), a
    row's own value or the table's default for that column."""
    out: dict[tuple[str, str], tuple[tuple[str, Any], ...]] = {}
    for name, table in (meta.get("reference_tables") or {}).items():
        defaults, rows = table.get("defaults") or {}, table.get("rows") or {}
        for column in sorted({c for row in rows.values() for c in row} | set(defaults)):
            out[(name, column)] = tuple(sorted((str(key), row.get(column, defaults.get(column)))
                                               for key, row in rows.items() if column in row or column in defaults))
    return out


def read_derived(meta: dict) -> tuple[Derived, ...]:
    """The pack's declared derived values, with the tables they read (the pack's scoring, or a column of a
    table the pack declares under ``reference_tables``)."""
    scoring = meta.get("scoring") or {}
    tables: dict[Any, tuple] = {
        "scoring_slots": tuple(sorted(slot_table(scoring).items())) if scoring.get("indicators") else ()}
    tables.update(reference_columns(meta))
    out: list[Derived] = []
    for d in meta.get("derive") or ():
        op, spec = _op_and_spec(d)
        args, kw = _entry(d, op, spec, scoring, tables)
        out.append(Derived(d["kind"], d["field"], op, args, **kw))
    return tuple(out)


def _where(spec: dict) -> tuple[tuple[str, Any], ...]:
    out = []
    for name, value in sorted((spec.get("where") or {}).items()):
        if isinstance(value, dict):  # {in: [...]} or {not_in: [...]} (the schema allows nothing else)
            op = "in" if "in" in value else "not_in"
            value = (op, tuple(value[op]))
        out.append((name, value))
    return tuple(out)


def _resolve(schemas: SchemaSet, kind: str, derived: tuple[Derived, ...], name: str):
    return kind_resolver(schemas, kind, {}, derived)(name) if schemas.fact_root(kind) else None


def _interval_agg(name: str, spec: dict, schemas: SchemaSet, derived: tuple[Derived, ...]):
    iv = spec["intervals"]
    agg = Aggregate(name, spec["of"], None, False, _where(spec), spec.get("sum"), distinct=spec.get("distinct"),
                    intervals=(iv["date"], iv.get("from", "period_start"), iv.get("until", "audit_date")))
    info = _resolve(schemas, spec["of"], derived, iv["date"])
    return agg, (iv["date"] if info is None or not info.is_date else None), ("date", "日期")


_GROUPABLE = ("string", "integer", "number", "boolean")


def _fields_agg(name: str, spec: dict, schemas: SchemaSet, derived: tuple[Derived, ...]):
    infos = [(f, _resolve(schemas, spec["of"], derived, f)) for f in spec["group_by"]["fields"]]
    typed = tuple((f, (i.type if i is not None and i.type else "string")) for f, i in infos)
    agg = Aggregate(name, spec["of"], "", False, _where(spec), spec.get("sum"), None, "string",
                    group_by_fields=typed, distinct=spec.get("distinct"))
    missing = next((f for f, i in infos if i is None or i.type not in _GROUPABLE), None)
    return agg, missing, ("text, number or boolean", "文本、数字或布尔")


def _field_agg(name: str, spec: dict, schemas: SchemaSet, derived: tuple[Derived, ...]):
    by_field = spec["group_by"]["field"]
    info = _resolve(schemas, spec["of"], derived, by_field)
    agg = Aggregate(name, spec["of"], "", False, _where(spec), spec.get("sum"), by_field,
                    "string" if info is not None and info.type == "string" else "integer",
                    distinct=spec.get("distinct"))
    return agg, (by_field if info is None or info.type not in ("string", "integer") else None), \
        ("text or integer", "文本或整数")


def _year_agg(name: str, spec: dict, schemas: SchemaSet, derived: tuple[Derived, ...]):
    year_of = spec["group_by"]["year_of"]
    agg = Aggregate(name, spec["of"], year_of, spec.get("over") == "period_years", _where(spec), spec.get("sum"),
                    distinct=spec.get("distinct"))
    info = _resolve(schemas, spec["of"], derived, year_of)
    return agg, (year_of if info is None or not info.is_date else None), ("date", "日期")


def read_aggregates(meta: dict, schemas: SchemaSet, derived: tuple[Derived, ...], add: Add) -> dict[str, Aggregate]:
    """The pack's aggregates; a grouping field of the wrong type or not in the records is a problem."""
    aggregates: dict[str, Aggregate] = {}
    for name, spec in (meta.get("aggregates") or {}).items():
        group = spec.get("group_by") or {}
        build = _interval_agg if spec.get("intervals") else _fields_agg if "fields" in group \
            else _field_agg if "field" in group else _year_agg
        aggregates[name], missing, wanted = build(name, spec, schemas, derived)
        if missing is not None:
            of = spec["of"]
            add(f"/aggregates/{name}", fix(f"aggregate {name!r}: {of!r} has no {wanted[0]} field {missing!r}",
                                           f"改为 {of} 的{wanted[1]}字段", f"name a {wanted[0]} field of {of}"))
    return aggregates


class _Fields:
    """Which fields a kind has, for lint: the schema's, an aggregate's, the structural ones, and those
    derived by the entries before a given one (or by any entry, for a kind read through ``ref``)."""

    def __init__(self, schemas: SchemaSet, aggregates: dict[str, Aggregate], derived: tuple[Derived, ...]):
        self.schemas, self.aggregates, self.derived = schemas, aggregates, derived

    def kind_known(self, kind: str) -> bool:
        if kind.startswith(AGG_PREFIX):
            return aggregate_of(kind, self.aggregates) is not None
        return self.schemas.fact_root(kind) is not None

    def has(self, kind: str, name: str, before: int | None = None) -> bool:
        if name in STRUCTURAL or name in LOCATION:
            return True
        entries = self.derived if before is None else self.derived[:before]
        if any(d.kind == kind and name in d.sets() for d in entries):
            return True
        agg = aggregate_of(kind, self.aggregates)
        if kind.startswith(AGG_PREFIX):
            return agg is not None and name in agg.fields()
        return self.schemas.fact_root(kind) is not None and self.schemas.field(kind, name) is not None


def _missing_field(kind: str, name: str) -> str:
    return fix(f"derive: {kind!r} has no field {name!r}", f"改为 {kind} 的字段，或先派生出 {name}",
               f"name a field of {kind}, or derive {name} first")


def _unit_problems(d: Derived) -> list[str]:
    out: list[str] = []
    if d.to is None and (d.op == "convert" or any(u for _, u in d.factors)):
        out.append(fix(f"derive {d.field!r}: {d.op} needs the unit of the result", "加入 to: <单位>",
                       "add to: <unit>"))
    reason = known_unit(d.to) if d.to is not None else None
    if reason:
        out.append(fix(f"derive {d.field!r}: to: {reason}", "改为已知单位（见 checker/quantities.py）",
                       "use a known unit (see checker/quantities.py)"))
    return out


def _ref_problems(d: Derived, fields: _Fields) -> list[str]:
    out: list[str] = []
    if not d.of or not fields.kind_known(d.of):
        out.append(fix(f"derive {d.field!r}: ref of an unknown kind {d.of!r}",
                       "改为证据种类、记录种类或 agg.<已声明的汇总>",
                       "name an evidence kind, a record kind or agg.<a declared aggregate>"))
    else:
        out += [_missing_field(d.of, f) for f in (d.take or "", *(t for t, _ in d.match)) if not fields.has(d.of, f)]
    if not d.match and d.of != BUNDLE_KIND:  # the bundle fact is one: its anchors need no match
        out.append(fix(f"derive {d.field!r}: ref without match", "加入 match: {对方字段: 本方字段}",
                       "add match: {their_field: our_field}"))
    return out


def _entry_problems(i: int, d: Derived, fields: _Fields) -> list[str]:
    if not fields.kind_known(d.kind):
        return [fix(f"derive: unknown kind {d.kind!r}", "改为证据种类、记录种类或 agg.<已声明的汇总>",
                    "name an evidence kind, a record kind or agg.<a declared aggregate>")]
    out = [_missing_field(d.kind, a) for a in d.args if not fields.has(d.kind, a, before=i)]
    if d.op in UNIT_OPS:
        out += _unit_problems(d)
    if d.op == "ref":
        out += _ref_problems(d, fields)
    if d.op == "lookup" and d.table_name != "scoring_slots" and not d.table:
        out.append(fix(f"derive {d.field!r}: lookup of an unknown table or column "
                       f"({d.table_name!r}{', take: ' + repr(d.take) if d.take else ''})",
                       "改为 scoring_slots 或 reference_tables 下声明的表及其列（take:）",
                       "name scoring_slots, or a table declared under reference_tables and one of its columns (take:)"))
    if d.op == "pick" and not (d.take and dict(d.table).get("key")):
        out.append(fix(f"derive {d.field!r}: pick needs where: {{field: value}} (one pair) and take: <field>",
                       "加入 where: {字段: 值} 和 take: <字段>", "add where: {field: value} and take: <field>"))
    if d.op in ("decline_rate", *WINDOW_OPS) and not fields.has(d.kind, "year") and not _by_year(fields, d.kind):
        out.append(fix(f"derive {d.field!r}: decline_rate needs facts with a year ({d.kind!r} has none)",
                       "用于按年汇总（group_by: {year_of} 或 fields 含 year）或含 year 字段的种类",
                       "use it on a per-year aggregate (group_by year_of, or fields with year) or a kind with year"))
    return out


def _by_year(fields: _Fields, kind: str) -> bool:
    agg = aggregate_of(kind, fields.aggregates)
    return agg is not None and bool(agg.group_by_year_of)


def declaration_problems(meta: dict, derived: tuple[Derived, ...], aggregates: dict[str, Aggregate],
                         schemas: SchemaSet, add: Add) -> None:
    """Lint the derived entries and the aggregates' fields against the schemas and each other."""
    fields = _Fields(schemas, aggregates, derived)
    for i, d in enumerate(derived):
        for message in _entry_problems(i, d, fields):
            add(f"/derive/{i}", message)
    for name, agg in aggregates.items():
        if not fields.kind_known(agg.of):
            add(f"/aggregates/{name}", fix(f"aggregate {name!r}: unknown kind {agg.of!r}",
                                           "改为证据种类或记录种类", "name an evidence kind or a record kind"))
            continue
        for f in (agg.sum, agg.distinct, *(k for k, _ in agg.where)):
            if f and not fields.has(agg.of, f):
                add(f"/aggregates/{name}", fix(f"aggregate {name!r}: {agg.of!r} has no field {f!r}",
                                               f"改为 {agg.of} 的字段，或先派生出 {f}",
                                               f"name a field of {agg.of}, or derive {f} first"))
    _, cycle = plan(derived, tuple(aggregates.values()))
    if cycle:
        names = ", ".join(s.kind + "." + (s.field if isinstance(s, Derived) else "*") for s in cycle)
        add("/derive", fix(f"derive/aggregates depend on each other in a cycle: {names}",
                           "去掉循环依赖（一个派生值不能经由汇总读取它自己）",
                           "break the cycle (a derived value cannot read itself through an aggregate)"))
