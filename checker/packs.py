"""Rule packs: loading the manifest, catalogue and rule files, and linting them.

A pack is a folder ``rules/<pack-id>/`` with ``pack.yaml`` (standard metadata, clause catalogue,
declared aggregates) and rule files (every other ``*.yaml`` at its top level).  ``fixtures/`` holds
the small bundles that the rules' test cases patch.  Every problem found names file and line.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta as jinja_meta
from jinja2.sandbox import SandboxedEnvironment

from .conditions import COMPOSITES, JOINS, OPERATORS, leaf_operator
from .errors import InputError, Problem, RuleError
from .resources import data_dir
from .ruleformat import TEMPLATE_NAMES, derived_reads, template_hint
from .schemas import FieldInfo, SchemaSet, _describe, load_schemas
from .yamlio import Positioned, read_yaml_file

ANCHORS = ("audit_date", "period_start", "period_end")
BUNDLE_KIND = "bundle"
AGG_PREFIX = "agg."
BREACH_GRADES = {"应": ("major", "minor"), "宜": ("observation",), "鼓励": ("observation",), "可": ("observation",)}
_CLAUSE_RE = re.compile(r"^(?P<num>[0-9A-Z]+(?:\.[0-9]+)*)(?P<dup>\([0-9]\))?(?: (?:\((?P<list>[0-9])\))?(?P<item>[a-z]|[0-9]+)\))?$")


DERIVE_OPS = ("ratio", "abs_diff", "year_diff", "join", "lookup", "type_of", "number_of")
TEXT_OPS = ("join", "lookup", "type_of")


def field_resolver(schemas: SchemaSet, kind: str, derived: tuple = ()):
    """Look up fields of a fact kind: schema fields, and numbers the pack derives for that kind."""
    extra = {d.field: FieldInfo(kind, d.field, {"type": "string" if d.op in TEXT_OPS else "number"})
             for d in derived if d.kind == kind}
    return lambda path: extra.get(path) or schemas.field(kind, path)


def aggregate_resolver(agg: "Aggregate | None", kind: str):
    """Fields of an aggregate's facts: ``key``/``count`` (and ``sum``) per calendar year, or, for an
    interval aggregate, one fact per gap with ``from``/``to`` (dates), ``days``, ``months`` and
    ``first``/``last`` (the gap starts at the period start / ends at the audit date)."""
    if agg is not None and agg.intervals:
        fields: dict[str, dict] = {"from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
                                   "days": {"type": "integer"}, "months": {"type": "integer"},
                                   "first": {"type": "boolean"}, "last": {"type": "boolean"}}
    else:
        fields = {"key": {"type": agg.key_type if agg is not None else "integer"}, "count": {"type": "integer"}}
        if agg is not None and agg.sum:
            fields["sum"] = {"type": "number"}
    return lambda path: FieldInfo(kind, path, fields[path]) if path in fields else None


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
    op: str  # ratio | abs_diff | year_diff (calendar year of a date field minus a year field) | join | lookup | type_of | number_of
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

    def entry(self, clause: str) -> CatalogueEntry | None:
        return self.catalogue.get(clause)



def available_packs(folder: Path | None = None) -> list[str]:
    root = folder or data_dir("rules")
    return sorted(p.name for p in root.iterdir() if (p / "pack.yaml").is_file())


def _line(doc: Positioned, pointer: str) -> tuple[int | None, int | None]:
    pos = doc.position(pointer)
    return (pos[0], pos[1]) if pos else (None, None)


def _schema_problems(schemas: SchemaSet, schema_name: str, doc: Positioned, file: str) -> list[Problem]:
    validator = schemas.validator(schemas.schema(schema_name))
    out = []
    for err in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))):
        pointer, message = _describe(err)
        line, col = _line(doc, pointer)
        out.append(Problem(message, file, line, col, pointer or "/"))
    return out


class _Linter:
    """Semantic checks of one pack after its files validated against their schemas."""

    def __init__(self, pack_id: str, schemas: SchemaSet, catalogue: dict[str, CatalogueEntry],
                 aggregates: dict[str, Aggregate], derived: tuple[Derived, ...] = ()):
        self.pack_id = pack_id
        self.schemas = schemas
        self.catalogue = catalogue
        self.aggregates = aggregates
        self.derived = derived
        self.problems: list[Problem] = []
        self.env = SandboxedEnvironment(undefined=jinja2.ChainableUndefined, autoescape=False)

    def add(self, doc: Positioned, file: str, pointer: str, message: str):
        line, col = _line(doc, pointer)
        self.problems.append(Problem(message, file, line, col, pointer))

    def kind_exists(self, kind: str) -> bool:
        if kind == BUNDLE_KIND:
            return True
        if kind.startswith(AGG_PREFIX):
            return kind[len(AGG_PREFIX):] in self.aggregates
        return self.schemas.fact_root(kind) is not None

    def resolver(self, kind: str):
        if kind.startswith(AGG_PREFIX):
            return aggregate_resolver(self.aggregates.get(kind[len(AGG_PREFIX):]), kind)
        return field_resolver(self.schemas, kind, self.derived)

    def check_condition(self, cond: Any, kind: str, doc, file, pointer, allow_join: bool, subject_kind: str | None,
                        joins_seen: list):
        if not isinstance(cond, dict):
            return
        if "all" in cond:
            for i, c in enumerate(cond["all"]):
                self.check_condition(c, kind, doc, file, f"{pointer}/all/{i}", allow_join, subject_kind, joins_seen)
            return
        for comp in ("any", "not"):
            if comp in cond:
                subs = cond[comp] if comp == "any" else [cond[comp]]
                for i, c in enumerate(subs):
                    sub_ptr = f"{pointer}/any/{i}" if comp == "any" else f"{pointer}/not"
                    self.check_condition(c, kind, doc, file, sub_ptr, False, subject_kind, joins_seen)
                return
        for j in JOINS:
            if j in cond:
                if not allow_join:
                    self.add(doc, file, pointer, f"{j} may only stand at the top of expect or inside its top-level all")
                    return
                joins_seen.append(cond[j].get("kind"))
                self.check_join(cond[j], doc, file, f"{pointer}/{j}", kind)
                return
        name = leaf_operator(cond)
        if name is None or "field" not in cond:
            self.add(doc, file, pointer, "a condition needs a field and exactly one operator "
                     f"({', '.join(OPERATORS)}), or one of {', '.join(COMPOSITES + JOINS)}")
            return
        if name not in OPERATORS:
            self.add(doc, file, f"{pointer}/{name}", f"unknown operator {name!r} (known: {', '.join(OPERATORS)})")
            return
        self.check_leaf(cond, name, kind, doc, file, pointer, subject_kind)

    def check_leaf(self, cond, name, kind, doc, file, pointer, subject_kind):
        operator = OPERATORS[name]
        info = self.resolver(kind)(cond["field"])
        if info is None:
            self.add(doc, file, f"{pointer}/field", f"unknown field {cond['field']!r} for evidence kind {kind!r}")
            return
        ftype = "date" if info.is_date else info.type
        if "any" not in operator.types and ftype not in operator.types:
            self.add(doc, file, f"{pointer}/{name}",
                     f"operator {name!r} does not apply to {cond['field']!r}, a {ftype} field")
            return
        value = cond[name]
        vptr = f"{pointer}/{name}"
        if operator.value == "bool" and not isinstance(value, bool):
            self.add(doc, file, vptr, f"{name} takes true or false")
        elif operator.value in ("scalar", "number", "date"):
            self.check_value(value, info, doc, file, vptr, subject_kind, kind)
        elif operator.value == "list":
            if not isinstance(value, list) or not value:
                self.add(doc, file, vptr, f"{name} takes a non-empty list")
            else:
                for i, v in enumerate(value):
                    self.check_value(v, info, doc, file, f"{vptr}/{i}", subject_kind, kind)
        elif operator.value == "date_window":
            if not (isinstance(value, dict) and value.get("anchor") in ANCHORS and isinstance(value.get("months"), int)
                    and value["months"] > 0):
                self.add(doc, file, vptr, f"{name} takes {{anchor: {'|'.join(ANCHORS)}, months: N>0}}")
        elif operator.value == "item":
            item_info = self.schemas.items_of(info)
            if isinstance(value, dict):
                if item_info is None or item_info.type != "object":
                    self.add(doc, file, vptr, f"{cond['field']!r} is a list of values: give a value, not a mapping")
                    return
                for k, v in value.items():
                    sub = self.schemas.item_field(info, k)
                    if sub is None:
                        self.add(doc, file, f"{vptr}/{k}", f"unknown field {k!r} in the items of {cond['field']!r}")
                    else:
                        self.check_value(v, sub, doc, file, f"{vptr}/{k}", None, kind)
            else:
                if name == "each":
                    self.add(doc, file, vptr, "each takes a mapping of item fields to values")
                elif item_info is not None and item_info.type == "object":
                    self.add(doc, file, vptr, f"{cond['field']!r} is a list of objects: give {{field: value}}")
                elif item_info is not None:
                    self.check_value(value, item_info, doc, file, vptr, None, kind)

    def check_value(self, value, info: FieldInfo, doc, file, vptr, subject_kind, kind):
        if isinstance(value, dict):
            if "anchor" in value:
                if value["anchor"] not in ANCHORS or not info.is_date:
                    self.add(doc, file, vptr, f"an anchor compares a date field with one of: {', '.join(ANCHORS)}")
                elif not isinstance(value.get("months_before", 0), int) or value.get("months_before", 0) < 0:
                    self.add(doc, file, vptr, "months_before takes a whole number ≥ 0")
                return
            if "field" in value and len(value) == 1:
                other = self.resolver(kind)(value["field"])
                if other is None:
                    self.add(doc, file, vptr, f"unknown field {value['field']!r} for evidence kind {kind!r}")
                elif (other.is_date, other.type) != (info.is_date, info.type) and not (
                        {other.type, info.type} <= {"integer", "number"}):
                    self.add(doc, file, vptr, f"cannot compare {info.path!r} with {value['field']!r}: different types "
                                              "(compare a date with a date, a number with a number)")
                return
            if "subject" in value:
                if subject_kind is None:
                    self.add(doc, file, vptr, "{subject: field} is only allowed inside an exists/not_exists where")
                    return
                other = self.resolver(subject_kind)(value["subject"])
                if other is None:
                    self.add(doc, file, vptr, f"unknown field {value['subject']!r} for the subject kind {subject_kind!r}")
                elif (other.is_date, other.type) != (info.is_date, info.type) and not (
                        {other.type, info.type} <= {"integer", "number"}):
                    self.add(doc, file, vptr, f"cannot compare {info.path!r} with subject field {value['subject']!r}: "
                                              "different types")
                return
            self.add(doc, file, vptr, "a value is a literal, {anchor: …}, {field: …} (same record) or {subject: …}")
            return
        if info.is_date:
            try:
                import datetime as _dt
                _dt.date.fromisoformat(value)
            except (TypeError, ValueError):
                self.add(doc, file, vptr, f"{value!r} is not a date written YYYY-MM-DD")
            return
        t = info.type
        ok = {"string": isinstance(value, str), "boolean": isinstance(value, bool),
              "integer": isinstance(value, int) and not isinstance(value, bool),
              "number": isinstance(value, (int, float)) and not isinstance(value, bool)}.get(t, True)
        if not ok:
            self.add(doc, file, vptr, f"{value!r} does not fit {info.path!r}, a {t} field")
        elif info.enum is not None and value not in info.enum:
            self.add(doc, file, vptr, f"{value!r} is not a value {info.path!r} can take ({', '.join(map(str, info.enum))})")

    def check_join(self, join: dict, doc, file, pointer, subject_kind: str):
        kind = join.get("kind")
        if not isinstance(kind, str) or not self.kind_exists(kind):
            self.add(doc, file, f"{pointer}/kind", f"unknown evidence kind {kind!r}")
            return
        partner = self.resolver(kind)
        subject = self.resolver(subject_kind)
        for their, ours in (join.get("match") or {}).items():
            a, b = partner(their), subject(ours)
            if a is None:
                self.add(doc, file, f"{pointer}/match/{their}", f"unknown field {their!r} for evidence kind {kind!r}")
            if b is None:
                self.add(doc, file, f"{pointer}/match/{their}", f"unknown field {ours!r} for the subject kind {subject_kind!r}")
            if a is not None and b is not None and a.type != b.type:
                self.add(doc, file, f"{pointer}/match/{their}", f"cannot match {their!r} ({a.type}) with {ours!r} ({b.type})")
        if "where" in join:
            self.check_condition(join["where"], kind, doc, file, f"{pointer}/where", False, subject_kind, [])

    def check_template(self, text: str, doc, file, pointer):
        try:
            names = jinja_meta.find_undeclared_variables(self.env.parse(text))
        except jinja2.TemplateSyntaxError as exc:
            self.add(doc, file, pointer, f"message template: {exc.message}")
            return
        unknown = sorted(names - TEMPLATE_NAMES)
        if unknown:
            self.add(doc, file, pointer, f"message template uses unknown name(s) {', '.join(unknown)}: "
                                         + template_hint(unknown))

    def check_rule(self, raw: dict, doc: Positioned, file: str, ptr: str, seen: dict[str, str]):
        rid = raw["id"]
        if rid in seen:
            self.add(doc, file, f"{ptr}/id", f"rule id {rid!r} is already used in {seen[rid]}")
        seen[rid] = file
        clause = raw["clause"]
        entry = self.catalogue.get(clause)
        if entry is None:
            self.add(doc, file, f"{ptr}/clause", f"clause {clause!r} is not in the pack's catalogue")
        else:
            quote = re.sub(r"\s+", "", raw["requirement"])
            texts = [entry.text]
            parent = self.catalogue.get(entry.parent) if entry.parent else None
            if parent:
                texts.append(parent.text)
            if raw.get("source", "full text") == "full text" and not any(quote in re.sub(r"\s+", "", t) for t in texts):
                self.add(doc, file, f"{ptr}/requirement",
                         f"requirement is not quoted verbatim from the catalogue text of {clause} (or its parent)")
            if raw.get("source") == "title only" and raw["requirement"] != entry.title:
                self.add(doc, file, f"{ptr}/requirement", f"a title-only rule quotes the clause title: {entry.title!r}")
        allowed = BREACH_GRADES[raw["obligation"]]
        if raw["grade"] not in allowed:
            self.add(doc, file, f"{ptr}/grade", f"a {raw['obligation']} requirement is graded {' or '.join(allowed)} "
                                                f"when breached, not {raw['grade']}")
        kind = raw["for_each"]
        if not self.kind_exists(kind):
            self.add(doc, file, f"{ptr}/for_each", f"unknown evidence kind {kind!r}")
            return
        if "where" in raw:
            self.check_condition(raw["where"], kind, doc, file, f"{ptr}/where", False, None, [])
        joins: list = []
        self.check_condition(raw["expect"], kind, doc, file, f"{ptr}/expect", True, kind, joins)
        if raw.get("evidence_field") and self.resolver(kind)(raw["evidence_field"]) is None:
            self.add(doc, file, f"{ptr}/evidence_field", f"unknown field {raw['evidence_field']!r} for {kind!r}")
        wn = raw.get("when_none")
        if (raw.get("on_pass") == "onsite" or (wn and wn.get("status") == "onsite")) and not raw.get("onsite"):
            self.add(doc, file, ptr, "a rule that can yield onsite must say what the auditor should look at (onsite:)")
        for key in ("message", "pass_message", "remediation", "onsite", "title"):
            if isinstance(raw.get(key), dict):
                for lang in ("zh", "en"):
                    self.check_template(raw[key][lang], doc, file, f"{ptr}/{key}/{lang}")
        if wn and isinstance(wn.get("message"), dict):
            for lang in ("zh", "en"):
                self.check_template(wn["message"][lang], doc, file, f"{ptr}/when_none/message/{lang}")
        cases = raw.get("cases") or []
        if not any(not c.get("breach", False) for c in cases):
            self.add(doc, file, ptr, f"rule {rid} has no passing case")
        if not any(c.get("breach", False) for c in cases):
            self.add(doc, file, ptr, f"rule {rid} has no failing case")


def _text(d: dict | None) -> dict | None:
    return {"zh": d["zh"], "en": d["en"]} if isinstance(d, dict) else None


def load_pack(pack_id: str, rules_dir: Path | None = None, schemas: SchemaSet | None = None) -> Pack:
    """Load and lint one pack.  Lint problems are kept on ``pack.problems``; unreadable files raise."""
    root = (rules_dir or data_dir("rules")) / pack_id
    if not (root / "pack.yaml").is_file():
        known = ", ".join(available_packs(rules_dir)) or "none"
        raise InputError(f"unknown standard {pack_id!r} (rule packs available: {known})")
    schemas = schemas or load_schemas()
    digest = hashlib.sha256()
    manifest_path = root / "pack.yaml"
    manifest = read_yaml_file(manifest_path, f"{pack_id}/pack.yaml")
    digest.update(manifest_path.read_bytes())
    problems = _schema_problems(schemas, "pack.schema.json", manifest, f"{pack_id}/pack.yaml")
    if problems:
        return Pack(pack_id, root, manifest.data if isinstance(manifest.data, dict) else {}, {}, [], {},
                    digest.hexdigest(), problems)
    meta = manifest.data
    if meta["id"] != pack_id:
        line, col = _line(manifest, "/id")
        problems.append(Problem(f"id {meta['id']!r} differs from the folder name {pack_id!r}",
                                f"{pack_id}/pack.yaml", line, col, "/id"))
    catalogue: dict[str, CatalogueEntry] = {}
    for i, e in enumerate(meta["catalogue"]):
        if e["clause"] in catalogue:
            line, col = _line(manifest, f"/catalogue/{i}")
            problems.append(Problem(f"clause {e['clause']!r} is catalogued twice", f"{pack_id}/pack.yaml", line, col))
        catalogue[e["clause"]] = CatalogueEntry(e["clause"], e.get("title", ""), e.get("text", ""),
                                                e.get("normative", True), e.get("note"))
    derived, derive_problems = _derived(meta, manifest, schemas, pack_id)
    problems.extend(derive_problems)
    aggregates = {}
    for name, spec in (meta.get("aggregates") or {}).items():
        iv = spec.get("intervals")
        if iv:
            aggregates[name] = Aggregate(name, spec["of"], None, False, tuple(sorted((spec.get("where") or {}).items())),
                                         spec.get("sum"), intervals=(iv["date"], iv.get("from", "period_start"),
                                                                     iv.get("until", "audit_date")))
            info = schemas.field(spec["of"], iv["date"]) if schemas.fact_root(spec["of"]) else None
            if info is None or not info.is_date:
                line, col = _line(manifest, f"/aggregates/{name}")
                problems.append(Problem(f"aggregate {name!r}: {spec['of']!r} has no date field "
                                        f"{iv['date']!r}", f"{pack_id}/pack.yaml", line, col))
            continue
        by = spec["group_by"]
        if "field" in by:
            info = field_resolver(schemas, spec["of"], derived)(by["field"]) if schemas.fact_root(spec["of"]) else None
            aggregates[name] = Aggregate(name, spec["of"], "", False, tuple(sorted((spec.get("where") or {}).items())),
                                         spec.get("sum"), by["field"],
                                         "string" if info is not None and info.type == "string" else "integer")
            if info is None or info.type not in ("string", "integer"):
                line, col = _line(manifest, f"/aggregates/{name}")
                problems.append(Problem(f"aggregate {name!r}: {spec['of']!r} has no text or integer field {by['field']!r}",
                                        f"{pack_id}/pack.yaml", line, col))
            continue
        aggregates[name] = Aggregate(name, spec["of"], by["year_of"], spec.get("over") == "period_years",
                                     tuple(sorted((spec.get("where") or {}).items())), spec.get("sum"))
        info = schemas.field(spec["of"], by["year_of"]) if schemas.fact_root(spec["of"]) else None
        if info is None or not info.is_date:
            line, col = _line(manifest, f"/aggregates/{name}")
            problems.append(Problem(f"aggregate {name!r}: {spec['of']!r} has no date field "
                                    f"{by['year_of']!r}", f"{pack_id}/pack.yaml", line, col))
    linter = _Linter(pack_id, schemas, catalogue, aggregates, derived)
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in sorted(root.glob("*.yaml")):
        if path.name == "pack.yaml":
            continue
        rel = f"{pack_id}/{path.name}"
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
        doc = read_yaml_file(path, rel)
        file_problems = _schema_problems(schemas, "rule.schema.json", doc, rel)
        if file_problems:
            problems.extend(file_problems)
            continue
        for i, raw in enumerate(doc.data["rules"]):
            ptr = f"/rules/{i}"
            before = len(linter.problems)
            linter.check_rule(raw, doc, rel, ptr, seen)
            cases = tuple(
                Case(c["name"], (c.get("expect") or {}).get("status"), (c.get("expect") or {}).get("grade"),
                     (c.get("expect") or {}).get("evidence"), tuple(c.get("patch") or ()),
                     c.get("fixture", "base"), bool(c.get("breach", False)), _line(doc, f"{ptr}/cases/{j}")[0])
                for j, c in enumerate(raw.get("cases") or []))
            if len(linter.problems) == before:
                rule = Rule(
                    id=raw["id"], pack=pack_id, clause=raw["clause"], requirement=raw["requirement"],
                    obligation=raw["obligation"], grade=raw["grade"], reads=derived_reads(raw, aggregates),
                    for_each=raw["for_each"],
                    where=raw.get("where"), expect=raw["expect"], when_none=raw.get("when_none"),
                    on_pass=raw.get("on_pass", "conform"), onsite=_text(raw.get("onsite")),
                    evidence_field=raw.get("evidence_field"), finding=raw.get("finding"), title=_text(raw.get("title")), message=_text(raw["message"]),
                    pass_message=_text(raw.get("pass_message")), remediation=_text(raw.get("remediation")),
                    source=raw.get("source", "full text"), cases=cases, file=rel, line=_line(doc, ptr)[0], pointer=ptr,
                    depends_on=tuple(raw.get("depends_on") or ()), grade_reason=_text(raw.get("grade_reason")))
                shape = _compile_problem(rule, schemas, aggregates, derived)
                if shape:
                    linter.add(doc, rel, f"{ptr}/expect", shape)
                else:
                    rules.append(rule)
    problems.extend(linter.problems)
    if meta.get("scoring") is not None:
        from .scoring import lint_scoring
        rule_files_ok = not any(p.file != f"{pack_id}/pack.yaml" for p in problems)
        for pointer, message in lint_scoring(meta["scoring"], {r.id for r in rules} if rule_files_ok else None):
            line, col = _line(manifest, pointer)
            problems.append(Problem(message, f"{pack_id}/pack.yaml", line, col, pointer))
    problems.extend(_dependency_problems(pack_id, rules))
    return Pack(pack_id, root, meta, catalogue, rules, aggregates, digest.hexdigest(), problems, derived)


def _derived(meta: dict, manifest, schemas: SchemaSet, pack_id: str) -> tuple[tuple[Derived, ...], list[Problem]]:
    """The pack's declared derived values, with the tables they read (from the pack's scoring)."""
    from .scoring import qualitative_words, slot_table

    scoring = meta.get("scoring") or {}
    tables = {"scoring_slots": tuple(sorted(slot_table(scoring).items())) if scoring.get("indicators") else ()}
    problems: list[Problem] = []
    derived: list[Derived] = []
    for i, d in enumerate(meta.get("derive") or ()):
        op = next(o for o in DERIVE_OPS if o in d)
        spec = d[op]
        table: tuple = ()
        if op == "lookup":
            args = (spec["key"],)
            if spec["table"] not in tables:
                line, col = _line(manifest, f"/derive/{i}")
                problems.append(Problem(f"derive: unknown table {spec['table']!r} (known: {', '.join(tables)})",
                                        f"{pack_id}/pack.yaml", line, col))
            table = tables.get(spec["table"], ())
        elif op in ("type_of", "number_of"):
            args = (spec,)
            if op == "number_of":
                table = tuple(sorted(qualitative_words(scoring).items()))
        else:
            args = tuple(spec)
        derived.append(Derived(d["kind"], d["field"], op, args, table))
        for arg in args:
            if not any(x.kind == d["kind"] and x.field == arg for x in derived[:-1]) and schemas.field(d["kind"], arg) is None:
                line, col = _line(manifest, f"/derive/{i}")
                problems.append(Problem(f"derive: {d['kind']!r} has no field {arg!r}", f"{pack_id}/pack.yaml", line, col))
    return tuple(derived), problems


def _dependency_problems(pack_id: str, rules: list[Rule]) -> list[Problem]:
    """``depends_on`` names rules of the same pack, never the rule itself, and forms no cycle;
    ``when_none: {status: depends}`` needs a ``depends_on``."""
    by_id = {r.id: r for r in rules}
    out = []
    for r in rules:
        if (r.when_none or {}).get("status") == "depends" and not r.depends_on:
            out.append(Problem("when_none: depends needs depends_on (the rules whose nonconformity this one follows)",
                               r.file, r.line, None, f"{r.pointer}/when_none"))
        for dep in r.depends_on:
            if dep == r.id or dep not in by_id:
                out.append(Problem(f"depends_on names {dep!r}, which is not another rule of {pack_id} "
                                   "(give the id of the rule whose evidence this one builds on)",
                                   r.file, r.line, None, f"{r.pointer}/depends_on"))
    state: dict[str, int] = {}

    def visit(rid: str, trail: list[str]) -> None:
        if state.get(rid) == 2:
            return
        if state.get(rid) == 1:
            cycle = trail[trail.index(rid):] + [rid]
            r = by_id[rid]
            out.append(Problem(f"depends_on forms a cycle: {' → '.join(cycle)} (a rule cannot wait on itself)",
                               r.file, r.line, None, f"{r.pointer}/depends_on"))
            return
        state[rid] = 1
        for dep in by_id[rid].depends_on:
            if dep in by_id:
                visit(dep, trail + [rid])
        state[rid] = 2

    for r in rules:
        visit(r.id, [])
    return out


def _compile_problem(rule: Rule, schemas: SchemaSet, aggregates: dict[str, Aggregate],
                     derived: tuple = ()) -> str | None:
    """Compile one rule as the engine will see it; return why it cannot be, if it cannot."""
    from .compiler import compile_rule
    from .engine import UnsafeShape

    stub = Pack(rule.pack, Path("."), {}, {}, [], aggregates, "", derived=derived)
    try:
        compile_rule(rule, schemas, stub)
    except UnsafeShape as exc:
        return str(exc)
    return None


@lru_cache(maxsize=16)
def _cached_pack(pack_id: str, rules_dir: str | None) -> Pack:
    """Load a pack once per process, through the on-disk cache of linted packs (``checker.cache``)."""
    from . import cache

    folder = Path(rules_dir) if rules_dir else None
    root = (folder or data_dir("rules")) / pack_id
    return cache.load_or_build(pack_id, root, lambda: load_pack(pack_id, folder))


def get_pack(pack_id: str, rules_dir: Path | None = None) -> Pack:
    """Load a pack once per process; raise ``RuleError`` if it does not lint cleanly."""
    pack = _cached_pack(pack_id, str(rules_dir) if rules_dir else None)
    if pack.problems:
        raise RuleError(pack.problems)
    return pack
