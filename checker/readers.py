"""Which rules read which document kind and field, from the packs' declarations.

Shared by ``parkcheck init`` (the clauses named in each field's comment), ``parkcheck checklist``
(the documents and fields that evidence a clause, and how it is checked) and the data dictionary
(the clauses that read each field).  Everything here is derived from the rules — ``for_each``,
``reads``, ``where``/``expect`` conditions and their joins, ``evidence_field``, the pack's declared
aggregates and derived values — and from the evidence schemas; nothing is written per kind.

Field paths are dotted paths from the document root with list levels left out, as a park would
name them: ``audits.conclusions.performance_improved`` of ``internal_audit``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .grading import condition_fields, condition_nodes
from .packs import AGG_PREFIX, BUNDLE_KIND, Pack, Rule
from .schemas import SchemaSet

# How a rule is checked (the checklist's "检查方式"), from its declaration.
BY_DOCUMENT = "document"
BY_DATA = "data"
ON_SITE = "onsite"
METHOD_LABELS = {BY_DOCUMENT: ("查阅文件", "by document"), BY_DATA: ("核对数据", "by data"),
                 ON_SITE: ("现场核实", "on site")}
_DATA_OPERATORS = ("gt", "gte", "lt", "lte", "before", "on_or_before", "after", "on_or_after", "within_months_before")
_UNIT = re.compile(r"（([^（）]*(?:千米|公里|米|tCO2|tce|吨|万元|元|kWh|MWh|GJ|%|％|年|月|个|人|台|项)[^（）]*)）\s*$")


@dataclass(frozen=True)
class SchemaField:
    """One field of an evidence kind, found by walking its (inlined) schema."""

    kind: str
    path: str  # dotted, list levels left out
    node: dict
    required: bool  # required by the object that holds it
    depth: int
    records: bool = False  # an array of objects (each item a record)
    in_list: bool = False  # inside the items of a list

    @property
    def title(self) -> str:
        return str(self.node.get("title") or self.path.rsplit(".", 1)[-1])

    @property
    def title_en(self) -> str:
        return str(self.node.get("x-title-en") or self.path.rsplit(".", 1)[-1])

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    @property
    def is_object(self) -> bool:
        return "properties" in self.node

    @property
    def is_array(self) -> bool:
        return self.node.get("type") == "array"


def node_type(node: dict) -> str:
    """The JSON type of a schema node (``string`` for a text enum), never null."""
    t = node.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), None)
    if t is None and "enum" in node:
        t = "string" if all(isinstance(v, str) for v in node["enum"]) else "number"
    if t is None and "const" in node:
        t = "string"
    return str(t or "any")


def enum_labels(node: dict) -> dict[str, str]:
    """Chinese labels of a field's allowed values (``x-enum-labels`` in the schema); one place to read
    them, so a later label map in the schemas needs a change here only."""
    labels = node.get("x-enum-labels")
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}


def unit_of(f: SchemaField, siblings: dict[str, Any]) -> tuple[str, str]:
    """(zh, en) unit of a numeric field: ``x-unit``; else a unit in parentheses at the end of its title;
    else, when its object has a ``unit`` field, a pointer to it."""
    if f.node.get("x-unit"):
        unit = str(f.node["x-unit"])
        return unit, unit
    if node_type(f.node) not in ("number", "integer"):
        return "", ""
    m = _UNIT.search(f.title)
    if m:
        return m[1], m[1]
    if node_type(f.node) != "number":
        return "", ""  # counts and years have no unit of their own
    for key in siblings:
        if key == "unit" or key == f"{f.name}_unit" or (key.endswith("_unit") and f.name.startswith(key[:-5])):
            return f"见字段 {key}", f"see field {key}"
    return "", ""


def _resolved(schemas: SchemaSet, node: dict, resolver: Any) -> tuple[dict, Any, bool]:
    """``node`` with its ``$ref`` followed; the referencing node's own keywords (its title and
    description) win over the target's.  The flag says whether the description is the node's own."""
    own_description = "description" in node
    seen = 0
    while isinstance(node, dict) and "$ref" in node:
        target = resolver.lookup(node["$ref"])
        merged = {k: v for k, v in target.contents.items() if k not in ("title", "x-title-en")
                  or not any(t in node for t in ("title", "x-title-en"))}
        if own_description:
            merged.pop("x-description-en", None)
        merged.update({k: v for k, v in node.items() if k != "$ref"})
        node, resolver = merged, target.resolver
        seen += 1
        if seen > 32:
            raise ValueError("$ref cycle")
    return node, resolver, own_description


def walk_schema(schemas: SchemaSet, kind: str) -> list[SchemaField]:
    """Every field of ``kind`` in schema order (depth first), ``kind`` itself left out.  A field keeps
    the title written where it is used; a description that only a shared type gives (common.schema.json)
    is left out (it says what every text or date says)."""
    out: list[SchemaField] = []
    schema = schemas.by_kind[kind]
    root_resolver = schemas.registry.resolver(base_uri=schema["$id"])

    def visit(node: dict, resolver: Any, prefix: str, depth: int, in_list: bool) -> None:
        required = set(node.get("required", []))
        for key, raw in node.get("properties", {}).items():
            sub, res, own = _resolved(schemas, raw, resolver)
            if not own and "$ref" in raw:
                sub = {k: v for k, v in sub.items() if k not in ("description", "x-description-en")}
            path = f"{prefix}{key}"
            items, ires = None, res
            if sub.get("type") == "array" and isinstance(sub.get("items"), dict):
                items, ires, _ = _resolved(schemas, sub["items"], res)
                sub = {**sub, "items": items}
            records = items is not None and "properties" in items
            out.append(SchemaField(kind, path, sub, key in required, depth, records, in_list))
            if "properties" in sub:
                visit(sub, res, path + ".", depth + 1, in_list)
            elif records and items is not None:
                visit(items, ires, path + ".", depth + 1, True)

    top, resolver, _ = _resolved(schemas, schema, root_resolver)
    visit(top, resolver, "", 0, False)
    return out


def document_kinds(schemas: SchemaSet) -> list[str]:
    """Evidence kinds (not the bundle manifest)."""
    return [k for k in schemas.kinds if k != BUNDLE_KIND]


# -- what a rule reads ----------------------------------------------------------------------------

def _contained_fields(cond: Any, prefix: str = "") -> set[str]:
    """Fields of list items a condition names: ``{field: commitments, contains: {type: …}}`` reads
    ``commitments.type`` as well as ``commitments``."""
    return {f"{pre}{node['field']}.{key}" for pre, node in condition_nodes(cond, prefix)
            if isinstance(node.get("field"), str)
            for op in ("contains", "not_contains", "each") if isinstance(node.get(op), dict) for key in node[op]}


def _fact_path(fact_kind: str, path: str) -> tuple[str, str]:
    """``("internal_audit.audits", "date")`` → ``("internal_audit", "audits.date")``."""
    kind, _, rest = fact_kind.partition(".")
    return kind, ".".join(x for x in (rest, path) if x)


def _is_data_condition(cond: Any) -> bool:
    if isinstance(cond, list):
        return any(_is_data_condition(c) for c in cond)
    if not isinstance(cond, dict):
        return False
    if any(j in cond for j in ("exists", "not_exists")):
        return True
    if any(_is_data_condition(cond.get(k)) for k in ("all", "any", "not")):
        return True
    if any(op in cond for op in _DATA_OPERATORS):
        return True
    return any(isinstance(v, dict) and ("field" in v or "subject" in v or "anchor" in v)
               for k, v in cond.items() if k != "field")


def check_method(rule: Rule, pack: Pack) -> str:
    """How the rule's requirement is checked: on site (``on_pass: onsite`` or ``when_none: onsite``),
    by data (aggregates, joins, derived values, comparisons of numbers and dates, the score), else by
    document (a field is given, holds or lists a value)."""
    if rule.on_pass == "onsite" or (rule.when_none or {}).get("status") == "onsite":
        return ON_SITE
    derived = {(d.kind, name) for d in pack.derived for name in d.sets()}
    fields = condition_fields(rule.where) | condition_fields(rule.expect)
    if rule.for_each.startswith(AGG_PREFIX) or any((rule.for_each, f) in derived for f in fields):
        return BY_DATA
    if _is_data_condition(rule.expect) or _is_data_condition(rule.where):
        return BY_DATA
    return BY_DOCUMENT


def rule_reads(rule: Rule, pack: Pack) -> set[tuple[str, str]]:
    """(document kind, field path) pairs the rule reads; ``""`` is the document (or record list) as a
    whole.  Aggregates read the records they count; derived values the fields they are computed from."""
    out: set[tuple[str, str]] = set()
    derived = {(d.kind, name): d for d in pack.derived for name in d.sets()}
    seen: set[tuple[str, str]] = set()

    def add(fact_kind: str, path: str) -> None:
        if fact_kind == BUNDLE_KIND or (fact_kind, path) in seen or path.startswith("_"):
            return
        seen.add((fact_kind, path))
        d = derived.get((fact_kind, path))
        if d is not None:  # a derived value reads its inputs (a ref: the other kind's fields too)
            for arg in d.args:
                add(fact_kind, arg)
            if d.op == "ref" and d.of:
                for f in (d.take, *(theirs for theirs, _ in d.match)):
                    add(d.of, f or "")
            return
        if fact_kind.startswith(AGG_PREFIX):
            agg = pack.aggregates.get(fact_kind[len(AGG_PREFIX):])
            if agg is None:
                return
            add(agg.of, "")
            for f in agg.reads():
                add(agg.of, f)
            return
        out.add(_fact_path(fact_kind, path))

    add(rule.for_each, "")
    for kind in rule.reads:
        add(kind, "")
    fields = condition_fields(rule.where) | condition_fields(rule.expect) | _contained_fields(rule.expect) \
        | _contained_fields(rule.where)
    if rule.evidence_field:
        fields.add(rule.evidence_field)
    for f in fields:
        if ":" in f:
            kind, _, path = f.partition(":")
            add(kind, "")
            add(kind, path)
        else:
            add(rule.for_each, f)
    return out


@dataclass
class Reading:
    """The rules of the selected packs that read each document kind and field."""

    packs: list[Pack]
    schemas: SchemaSet
    by_field: dict[tuple[str, str], list[tuple[Pack, Rule]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        known = {k: {f.path for f in walk_schema(self.schemas, k)} for k in document_kinds(self.schemas)}
        for pack in self.packs:
            for rule in pack.rules:
                for kind, path in sorted(rule_reads(rule, pack)):
                    if kind not in known:
                        continue
                    while path and path not in known[kind]:  # a derived or unknown tail: its known parent
                        path = path.rsplit(".", 1)[0] if "." in path else ""
                    self.by_field.setdefault((kind, path), []).append((pack, rule))

    @property
    def kinds(self) -> list[str]:
        """Document kinds some rule of the selected packs reads, sorted."""
        return sorted({k for k, _ in self.by_field})

    def rules_of(self, kind: str, path: str = "", below: bool = False) -> list[tuple[Pack, Rule]]:
        """Rules reading ``path`` of ``kind`` (with ``below``, also any field under it); ``""`` with
        ``below`` is every rule reading the kind."""
        seen: dict[tuple[str, str], tuple[Pack, Rule]] = {}
        for (k, p), rules in self.by_field.items():
            if k != kind:
                continue
            if p == path or (below and (not path or p.startswith(path + "."))):
                for pack, rule in rules:
                    seen.setdefault((pack.id, rule.id), (pack, rule))
        return [seen[key] for key in sorted(seen)]

    def fields_of_rule(self, pack: Pack, rule: Rule) -> list[tuple[str, str]]:
        return sorted((k, p) for (k, p), rules in self.by_field.items()
                      if any(pk.id == pack.id and r.id == rule.id for pk, r in rules))


def clause_refs(rules: list[tuple[Pack, Rule]]) -> list[tuple[Pack, list[str]]]:
    """The clauses of ``rules`` per pack, in catalogue order."""
    from .packs import clause_sort_key

    per_pack: dict[str, tuple[Pack, set[str]]] = {}
    for pack, rule in rules:
        per_pack.setdefault(pack.id, (pack, set()))[1].add(rule.clause)
    return [(pack, sorted(clauses, key=clause_sort_key)) for pack, clauses in
            (per_pack[pid] for pid in sorted(per_pack))]


def short_code(pack: Pack) -> str:
    """The standard's code without its year, for compact references: ``T/CPQS ZC001``."""
    return re.sub(r"[—-]\d{4}$", "", pack.code)


def refs_text(rules: list[tuple[Pack, Rule]], lang: str = "zh") -> str:
    """``T/CPQS ZC001 6.2 d)、7.7；CECC 5.2`` for a list of rules."""
    parts = [f"{short_code(pack)} {'、'.join(clauses) if lang == 'zh' else ', '.join(clauses)}"
             for pack, clauses in clause_refs(rules)]
    return ("；" if lang == "zh" else "; ").join(parts)
