"""The pack linter: the semantic checks of a pack's rules after their files validated against
``rule.schema.json``, and the checks across rules (``depends_on``).

Every problem names file, line and field, says what is wrong and how to fix it:
``<what is wrong> — 修正：<how, in Chinese> / fix: <how, in English>``.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

import jinja2
from jinja2 import meta as jinja_meta
from jinja2.sandbox import SandboxedEnvironment

from .conditions import COMPOSITES, JOINS, OPERATORS, Operator, leaf_operator
from .errors import Problem
from .packmodel import (AGG_PREFIX, ANCHORS, BREACH_GRADES, BUNDLE_KIND, TEMPLATE_NAMES, Aggregate,
                        CatalogueEntry, Derived, Resolver, Rule, aggregate_of, kind_resolver)
from .schemas import FieldInfo, SchemaSet
from .yamlio import Positioned

_TEXT_KEYS = ("message", "pass_message", "remediation", "onsite", "title")
_LANGS = ("zh", "en")
_NUMBERS = {"integer", "number"}
_LITERAL_TYPES = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}


def fix(problem: str, zh: str, en: str) -> str:
    """A lint message: the problem, then how to fix it in Chinese and English."""
    return f"{problem} — 修正：{zh} / fix: {en}"


def position(doc: Positioned, pointer: str) -> tuple[int | None, int | None]:
    pos = doc.position(pointer)
    return (pos[0], pos[1]) if pos else (None, None)


def _comparable(a: FieldInfo, b: FieldInfo) -> bool:
    """Two fields can be compared: both dates, both numbers, or the same type."""
    return (a.is_date, a.type) == (b.is_date, b.type) or {a.type, b.type} <= _NUMBERS


def _is_date(value: Any) -> bool:
    try:
        _dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _operators_for(ftype: str | None) -> str:
    return ", ".join(n for n, o in OPERATORS.items() if "any" in o.types or ftype in o.types)


class Linter:
    """Semantic checks of the rules of one pack.  ``check_rule`` checks one rule of one file;
    problems accumulate on ``problems``."""

    def __init__(self, pack_id: str, schemas: SchemaSet, catalogue: dict[str, CatalogueEntry],
                 aggregates: dict[str, Aggregate], derived: tuple[Derived, ...] = ()):
        self.pack_id = pack_id
        self.schemas = schemas
        self.catalogue = catalogue
        self.aggregates = aggregates
        self.derived = derived
        self.problems: list[Problem] = []
        self.env = SandboxedEnvironment(undefined=jinja2.ChainableUndefined, autoescape=False)
        self.seen: dict[str, str] = {}  # rule id -> file that defines it
        self.doc: Positioned | None = None
        self.file = ""

    # -- reporting -------------------------------------------------------------------------------

    def add_at(self, doc: Positioned, file: str, pointer: str, message: str) -> None:
        line, col = position(doc, pointer)
        self.problems.append(Problem(message, file, line, col, pointer))

    def add(self, pointer: str, message: str) -> None:
        assert self.doc is not None, "add() outside check_rule()"
        self.add_at(self.doc, self.file, pointer, message)

    # -- lookups ---------------------------------------------------------------------------------

    def kind_exists(self, kind: str) -> bool:
        if kind == BUNDLE_KIND:
            return True
        if kind.startswith(AGG_PREFIX):
            return aggregate_of(kind, self.aggregates) is not None
        return self.schemas.fact_root(kind) is not None

    def resolver(self, kind: str) -> Resolver:
        return kind_resolver(self.schemas, kind, self.aggregates, self.derived)

    def _unknown_kind(self, pointer: str, kind: Any) -> None:
        known = ", ".join([BUNDLE_KIND, *self.schemas.kinds, *(AGG_PREFIX + a for a in sorted(self.aggregates))])
        self.add(pointer, fix(f"unknown evidence kind {kind!r}", f"改为已知的证据类型之一（{known}）",
                              f"use a known evidence kind ({known})"))

    def _unknown_field(self, pointer: str, name: Any, kind: str, role: str = "evidence kind") -> None:
        agg = aggregate_of(kind, self.aggregates)
        if agg is not None:
            names = ", ".join(agg.fields())
            where_zh, where_en = f"汇总 {kind} 的字段（{names}）", f"a field of {kind} ({names})"
        else:
            schema = f"schemas/{kind.split('.')[0]}.schema.json"
            where_zh, where_en = f"{schema} 中 {kind} 的字段", f"a field of {kind} in {schema}"
        self.add(pointer, fix(f"unknown field {name!r} for {'the subject kind' if role == 'subject' else role} "
                              f"{kind!r}", f"改为{where_zh}（路径用点号分隔）", f"use {where_en} (dotted path)"))

    # -- one rule --------------------------------------------------------------------------------

    def check_rule(self, raw: dict, doc: Positioned, file: str, ptr: str) -> None:
        self.doc, self.file = doc, file
        self._check_id(raw, ptr)
        self._check_quote(raw, ptr)
        self._check_grade(raw, ptr)
        kind = raw["for_each"]
        if not self.kind_exists(kind):
            self._unknown_kind(f"{ptr}/for_each", kind)
            return
        self._check_conditions_and_reads(raw, kind, ptr)
        self._check_outcomes(raw, kind, ptr)
        self._check_templates(raw, ptr)
        self._check_cases(raw, ptr)

    def _check_id(self, raw: dict, ptr: str) -> None:
        rid = raw["id"]
        if rid in self.seen:
            self.add(f"{ptr}/id", fix(f"rule id {rid!r} is already used in {self.seen[rid]}",
                                      "改用本规则包中未使用的 id", "give this rule an id not used elsewhere in the pack"))
        self.seen[rid] = self.file

    def _check_quote(self, raw: dict, ptr: str) -> None:
        clause = raw["clause"]
        entry = self.catalogue.get(clause)
        if entry is None:
            self.add(f"{ptr}/clause", fix(f"clause {clause!r} is not in the pack's catalogue",
                                          "改为 pack.yaml 目录（catalogue）中的条款号，或先把该条款加入目录",
                                          "use a clause of the catalogue in pack.yaml, or catalogue the clause first"))
            return
        source = raw.get("source", "full text")
        if source == "full text" and not self._quoted(raw["requirement"], entry):
            self.add(f"{ptr}/requirement", fix(
                f"requirement is not quoted verbatim from the catalogue text of {clause} (or its parent)",
                "从该条款（或其上级条款）的目录原文中逐字复制要求文字",
                "copy the requirement word for word from the catalogue text of the clause or its parent"))
        if source == "title only" and raw["requirement"] != entry.title:
            self.add(f"{ptr}/requirement", fix(f"a title-only rule quotes the clause title: {entry.title!r}",
                                               f"把 requirement 改为 {entry.title!r}",
                                               f"set requirement to {entry.title!r}"))

    def _quoted(self, requirement: str, entry: CatalogueEntry) -> bool:
        quote = re.sub(r"\s+", "", requirement)
        texts = [entry.text]
        parent = self.catalogue.get(entry.parent) if entry.parent else None
        if parent:
            texts.append(parent.text)
        return any(quote in re.sub(r"\s+", "", t) for t in texts)

    def _check_grade(self, raw: dict, ptr: str) -> None:
        allowed = BREACH_GRADES[raw["obligation"]]
        if raw["grade"] not in allowed:
            self.add(f"{ptr}/grade", fix(
                f"a {raw['obligation']} requirement is graded {' or '.join(allowed)} when breached, not {raw['grade']}",
                f"把 grade 改为 {' 或 '.join(allowed)}（或核对 obligation 是否与原文情态动词一致）",
                f"set grade to {' or '.join(allowed)} (or check the obligation against the modal verb of the text)"))

    def _check_conditions_and_reads(self, raw: dict, kind: str, ptr: str) -> None:
        if "where" in raw:
            self.check_condition(raw["where"], kind, f"{ptr}/where", False, None, [])
        joins: list = []
        self.check_condition(raw["expect"], kind, f"{ptr}/expect", True, kind, joins)
        roots = {self._root(k) for k in [kind, *(j for j in joins if j)]}
        roots.discard(BUNDLE_KIND)
        reads = set(raw["reads"])
        for k in sorted(reads - roots):
            self.add(f"{ptr}/reads", fix(f"reads lists {k!r} but the rule does not read it",
                                         f"从 reads 中删去 {k}", f"remove {k} from reads"))
        for k in sorted(roots - reads):
            self.add(f"{ptr}/reads", fix(f"the rule reads {k!r}: add it to reads", f"在 reads 中加入 {k}",
                                         f"add {k} to reads"))

    def _root(self, kind: str) -> str:
        """The document kind a fact kind is read from (an aggregate's: the kind it counts)."""
        agg = aggregate_of(kind, self.aggregates)
        if agg is not None:
            return agg.of.split(".")[0]
        return kind if kind.startswith(AGG_PREFIX) else kind.split(".")[0]

    def _check_outcomes(self, raw: dict, kind: str, ptr: str) -> None:
        if raw.get("evidence_field") and self.resolver(kind)(raw["evidence_field"]) is None:
            self._unknown_field(f"{ptr}/evidence_field", raw["evidence_field"], kind)
        wn = raw.get("when_none") or {}
        if (raw.get("on_pass") == "onsite" or wn.get("status") == "onsite") and not raw.get("onsite"):
            self.add(ptr, fix("a rule that can yield onsite must say what the auditor should look at (onsite:)",
                              "加入 onsite: {zh: …, en: …}，写明审核员现场应查看的内容",
                              "add onsite: {zh: …, en: …} saying what the auditor should look at"))

    def _check_templates(self, raw: dict, ptr: str) -> None:
        texts = [(f"{ptr}/{key}", raw[key]) for key in _TEXT_KEYS if isinstance(raw.get(key), dict)]
        wn = raw.get("when_none")
        if wn and isinstance(wn.get("message"), dict):
            texts.append((f"{ptr}/when_none/message", wn["message"]))
        for pointer, text in texts:
            for lang in _LANGS:
                self.check_template(text[lang], f"{pointer}/{lang}")

    def _check_cases(self, raw: dict, ptr: str) -> None:
        cases = raw.get("cases") or []
        breaches = [bool(c.get("breach", False)) for c in cases]
        if False not in breaches:
            self.add(ptr, fix(f"rule {raw['id']} has no passing case", "在 cases 中加入一个符合要求的用例（breach: false）",
                              "add a case the rule passes (breach: false) to cases"))
        if True not in breaches:
            self.add(ptr, fix(f"rule {raw['id']} has no failing case", "在 cases 中加入一个违反要求的用例（breach: true）",
                              "add a case that breaches the rule (breach: true) to cases"))

    # -- conditions ------------------------------------------------------------------------------

    def check_condition(self, cond: Any, kind: str, pointer: str, allow_join: bool, subject_kind: str | None,
                        joins_seen: list) -> None:
        if not isinstance(cond, dict):
            return
        subs = _subconditions(cond, pointer, allow_join)
        if subs is not None:
            for sub, sub_ptr, sub_allow in subs:
                self.check_condition(sub, kind, sub_ptr, sub_allow, subject_kind, joins_seen)
            return
        join = next((j for j in JOINS if j in cond), None)
        if join is not None:
            self._check_join_at(cond, join, kind, pointer, allow_join, joins_seen)
            return
        name = leaf_operator(cond)
        if name is None or "field" not in cond:
            self.add(pointer, fix("a condition needs a field and exactly one operator "
                                  f"({', '.join(OPERATORS)}), or one of {', '.join(COMPOSITES + JOINS)}",
                                  "写成 {field: 字段路径, 运算符: 值}，或用 all/any/not 组合条件",
                                  "write {field: <dotted path>, <operator>: <value>}, or combine with all/any/not"))
            return
        if name not in OPERATORS:
            self.add(f"{pointer}/{name}", fix(f"unknown operator {name!r} (known: {', '.join(OPERATORS)})",
                                              "改用上列已知运算符之一", "use one of the known operators listed"))
            return
        self.check_leaf(cond, name, kind, pointer, subject_kind)

    def _check_join_at(self, cond: dict, join: str, kind: str, pointer: str, allow_join: bool,
                       joins_seen: list) -> None:
        if not allow_join:
            self.add(pointer, fix(f"{join} may only stand at the top of expect or inside its top-level all",
                                  f"把 {join} 移到 expect 的顶层或其顶层 all 中",
                                  f"move {join} to the top of expect or into its top-level all"))
            return
        joins_seen.append(cond[join].get("kind"))
        self.check_join(cond[join], f"{pointer}/{join}", kind)

    def check_leaf(self, cond: dict, name: str, kind: str, pointer: str, subject_kind: str | None) -> None:
        operator = OPERATORS[name]
        info = self.resolver(kind)(cond["field"])
        if info is None:
            self._unknown_field(f"{pointer}/field", cond["field"], kind)
            return
        ftype = "date" if info.is_date else info.type
        if "any" not in operator.types and ftype not in operator.types:
            self.add(f"{pointer}/{name}", fix(f"operator {name!r} does not apply to {cond['field']!r}, a {ftype} field",
                                              f"改用适用于 {ftype} 字段的运算符（{_operators_for(ftype)}）",
                                              f"use an operator for {ftype} fields ({_operators_for(ftype)})"))
            return
        check = _VALUE_CHECKS[operator.value]
        check(self, cond, operator, info, f"{pointer}/{name}", subject_kind, kind)

    def _value_bool(self, cond, operator: Operator, info, vptr, subject_kind, kind) -> None:
        if not isinstance(cond[operator.name], bool):
            self.add(vptr, fix(f"{operator.name} takes true or false", "改为 true 或 false", "write true or false"))

    def _value_scalar(self, cond, operator: Operator, info, vptr, subject_kind, kind) -> None:
        self.check_value(cond[operator.name], info, vptr, subject_kind, kind)

    def _value_list(self, cond, operator: Operator, info, vptr, subject_kind, kind) -> None:
        value = cond[operator.name]
        if not isinstance(value, list) or not value:
            self.add(vptr, fix(f"{operator.name} takes a non-empty list", "改为非空列表，如 [甲, 乙]",
                               "write a non-empty list such as [a, b]"))
            return
        for i, v in enumerate(value):
            self.check_value(v, info, f"{vptr}/{i}", subject_kind, kind)

    def _value_window(self, cond, operator: Operator, info, vptr, subject_kind, kind) -> None:
        value = cond[operator.name]
        months = value.get("months") if isinstance(value, dict) else None
        if not (isinstance(value, dict) and value.get("anchor") in ANCHORS and isinstance(months, int) and months > 0):
            form = f"{{anchor: {'|'.join(ANCHORS)}, months: N>0}}"
            self.add(vptr, fix(f"{operator.name} takes {form}", f"写成 {form}，如 {{anchor: audit_date, months: 12}}",
                               f"write {form}, e.g. {{anchor: audit_date, months: 12}}"))

    def _value_item(self, cond, operator: Operator, info, vptr, subject_kind, kind) -> None:
        name, value, field_name = operator.name, cond[operator.name], cond["field"]
        item_info = self.schemas.items_of(info)
        objects = item_info is not None and item_info.type == "object"
        if isinstance(value, dict):
            if not objects:
                self.add(vptr, fix(f"{field_name!r} is a list of values: give a value, not a mapping",
                                   "改为单个值", "write a single value"))
                return
            self._item_fields(value, info, vptr, kind)
        elif name == "each":
            self.add(vptr, fix("each takes a mapping of item fields to values", "写成 {列表项字段: 值}",
                               "write {<item field>: <value>}"))
        elif objects:
            self.add(vptr, fix(f"{field_name!r} is a list of objects: give {{field: value}}",
                               "写成 {列表项字段: 值}", "write {<item field>: <value>}"))
        elif item_info is not None:
            self.check_value(value, item_info, vptr, None, kind)

    def _item_fields(self, value: dict, info: FieldInfo, vptr: str, kind: str) -> None:
        for k, v in value.items():
            sub = self.schemas.item_field(info, k)
            if sub is None:
                self.add(f"{vptr}/{k}", fix(f"unknown field {k!r} in the items of {info.path!r}",
                                            f"改为 {info.path} 列表项中的字段", f"use a field of the items of {info.path}"))
            else:
                self.check_value(v, sub, f"{vptr}/{k}", None, kind)

    def check_value(self, value: Any, info: FieldInfo, vptr: str, subject_kind: str | None, kind: str) -> None:
        if isinstance(value, dict):
            self._check_reference(value, info, vptr, subject_kind, kind)
        elif info.is_date:
            if not _is_date(value):
                self.add(vptr, fix(f"{value!r} is not a date written YYYY-MM-DD", "改为 YYYY-MM-DD 格式的日期",
                                   "write the date as YYYY-MM-DD"))
        elif not _LITERAL_TYPES.get(info.type or "", lambda v: True)(value):
            self.add(vptr, fix(f"{value!r} does not fit {info.path!r}, a {info.type} field",
                               f"改为 {info.type} 类型的值", f"write a {info.type} value"))
        elif info.enum is not None and value not in info.enum:
            values = ", ".join(map(str, info.enum))
            self.add(vptr, fix(f"{value!r} is not a value {info.path!r} can take ({values})",
                               "改为所列取值之一", "use one of the values listed"))

    def _check_reference(self, value: dict, info: FieldInfo, vptr: str, subject_kind: str | None,
                         kind: str) -> None:
        if "anchor" in value:
            self._check_anchor(value, info, vptr)
        elif "field" in value and len(value) == 1:
            self._check_same_fact(value["field"], info, vptr, kind)
        elif "subject" in value:
            self._check_subject(value["subject"], info, vptr, subject_kind)
        else:
            self.add(vptr, fix("a value is a literal, {anchor: …}, {field: …} (same record) or {subject: …}",
                               "改为字面值，或 {anchor: …}、{field: …}、{subject: …} 之一",
                               "write a literal or one of {anchor: …}, {field: …}, {subject: …}"))

    def _check_anchor(self, value: dict, info: FieldInfo, vptr: str) -> None:
        months = value.get("months_before", 0)
        if value["anchor"] not in ANCHORS or not info.is_date:
            self.add(vptr, fix(f"an anchor compares a date field with one of: {', '.join(ANCHORS)}",
                               f"只对日期字段使用 anchor，并取 {'、'.join(ANCHORS)} 之一",
                               f"use an anchor on a date field only, naming one of {', '.join(ANCHORS)}"))
        elif not isinstance(months, int) or months < 0:
            self.add(vptr, fix("months_before takes a whole number ≥ 0", "改为不小于 0 的整数",
                               "write a whole number ≥ 0"))

    def _check_same_fact(self, name: Any, info: FieldInfo, vptr: str, kind: str) -> None:
        other = self.resolver(kind)(name)
        if other is None:
            self._unknown_field(vptr, name, kind)
        elif not _comparable(other, info):
            self.add(vptr, fix(f"cannot compare {info.path!r} with {name!r}: different types "
                               "(compare a date with a date, a number with a number)",
                               "改为与之同类型的字段（日期对日期，数值对数值）",
                               "compare with a field of the same type (date with date, number with number)"))

    def _check_subject(self, name: Any, info: FieldInfo, vptr: str, subject_kind: str | None) -> None:
        if subject_kind is None:
            self.add(vptr, fix("{subject: field} is only allowed inside an exists/not_exists where",
                               "把该条件移到 exists/not_exists 的 where 中", "move the condition into the where "
                               "of an exists/not_exists"))
            return
        other = self.resolver(subject_kind)(name)
        if other is None:
            self._unknown_field(vptr, name, subject_kind, "subject")
        elif not _comparable(other, info):
            self.add(vptr, fix(f"cannot compare {info.path!r} with subject field {name!r}: different types",
                               "改为与之同类型的主体字段（日期对日期，数值对数值）",
                               "compare with a subject field of the same type (date with date, number with number)"))

    def check_join(self, join: dict, pointer: str, subject_kind: str) -> None:
        kind = join.get("kind")
        if not isinstance(kind, str) or not self.kind_exists(kind):
            self._unknown_kind(f"{pointer}/kind", kind)
            return
        partner = self.resolver(kind)
        subject = self.resolver(subject_kind)
        for their, ours in (join.get("match") or {}).items():
            self._check_match(partner(their), subject(ours), their, ours, f"{pointer}/match/{their}", kind,
                              subject_kind)
        if "where" in join:
            self.check_condition(join["where"], kind, f"{pointer}/where", False, subject_kind, [])

    def _check_match(self, a: FieldInfo | None, b: FieldInfo | None, their: str, ours: Any, mptr: str, kind: str,
                     subject_kind: str) -> None:
        if a is None:
            self._unknown_field(mptr, their, kind)
        if b is None:
            self._unknown_field(mptr, ours, subject_kind, "subject")
        if a is not None and b is not None and a.type != b.type:
            self.add(mptr, fix(f"cannot match {their!r} ({a.type}) with {ours!r} ({b.type})",
                               "改为两个同类型的字段", "match two fields of the same type"))

    def check_template(self, text: str, pointer: str) -> None:
        try:
            names = jinja_meta.find_undeclared_variables(self.env.parse(text))
        except jinja2.TemplateSyntaxError as exc:
            self.add(pointer, fix(f"message template: {exc.message}", "修正模板语法（{{ … }} 与 {% … %} 须成对闭合）",
                                  "correct the template syntax ({{ … }} and {% … %} must be closed)"))
            return
        unknown = sorted(names - TEMPLATE_NAMES)
        if unknown:
            available = ", ".join(sorted(TEMPLATE_NAMES))
            self.add(pointer, fix(f"message template uses unknown name(s) {', '.join(unknown)} (available: {available})",
                                  f"只使用 {available}", f"use only {available}"))


def _subconditions(cond: dict, pointer: str, allow_join: bool) -> list[tuple[Any, str, bool]] | None:
    """The parts of a composite condition (with their pointers and whether a join may stand there),
    or None for a leaf or a join.  Joins may stand inside a top-level ``all`` only."""
    if "all" in cond:
        return [(c, f"{pointer}/all/{i}", allow_join) for i, c in enumerate(cond["all"])]
    if "any" in cond:
        return [(c, f"{pointer}/any/{i}", False) for i, c in enumerate(cond["any"])]
    if "not" in cond:
        return [(cond["not"], f"{pointer}/not", False)]
    return None


_VALUE_CHECKS = {
    "bool": Linter._value_bool,
    "scalar": Linter._value_scalar, "number": Linter._value_scalar, "date": Linter._value_scalar,
    "list": Linter._value_list,
    "date_window": Linter._value_window,
    "item": Linter._value_item,
}


def dependency_problems(pack_id: str, rules: list[Rule]) -> list[Problem]:
    """``depends_on`` names rules of the same pack, never the rule itself, and forms no cycle;
    ``when_none: {status: depends}`` needs a ``depends_on``."""
    by_id = {r.id: r for r in rules}
    out = []
    for r in rules:
        if (r.when_none or {}).get("status") == "depends" and not r.depends_on:
            out.append(Problem(fix("when_none: depends needs depends_on (the rules whose nonconformity this one follows)",
                                   "加入 depends_on: [规则 id]，或改用其他 when_none 状态",
                                   "add depends_on: [<rule id>], or use another when_none status"),
                               r.file, r.line, None, f"{r.pointer}/when_none"))
        for dep in r.depends_on:
            if dep == r.id or dep not in by_id:
                out.append(Problem(fix(f"depends_on names {dep!r}, which is not another rule of {pack_id}",
                                       "改为本规则包中另一条规则的 id（本规则所依据证据的那条规则）",
                                       "give the id of the rule whose evidence this one builds on"),
                                   r.file, r.line, None, f"{r.pointer}/depends_on"))
    out.extend(_cycles(by_id))
    return out


def _cycles(by_id: dict[str, Rule]) -> list[Problem]:
    out: list[Problem] = []
    state: dict[str, int] = {}

    def visit(rid: str, trail: list[str]) -> None:
        if state.get(rid) == 2:
            return
        if state.get(rid) == 1:
            cycle = [*trail[trail.index(rid):], rid]
            r = by_id[rid]
            out.append(Problem(fix(f"depends_on forms a cycle: {' → '.join(cycle)} (a rule cannot wait on itself)",
                                   "从环中某条规则的 depends_on 里删去一个 id", "remove one id from a depends_on in the cycle"),
                               r.file, r.line, None, f"{r.pointer}/depends_on"))
            return
        state[rid] = 1
        for dep in by_id[rid].depends_on:
            if dep in by_id:
                visit(dep, [*trail, rid])
        state[rid] = 2

    for rid in by_id:
        visit(rid, [])
    return out
