"""Lint of the condition language: the ``where``/``expect`` of a rule, checked against the schema
fields of the kinds they read (operators that fit the field's type, values that fit the field,
references to anchors, same-record fields and the subject of a join).

Every problem names file, line and field, says what is wrong and how to fix it:
``<what is wrong> — 修正：<how, in Chinese> / fix: <how, in English>``.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from .conditions import COMPOSITES, GIVEN, JOINS, OPERATORS, Operator, leaf_operator
from .errors import Problem
from .packmodel import AGG_PREFIX, ANCHORS, BUNDLE_KIND, Aggregate, Derived, Resolver, aggregate_of, kind_resolver
from .pointers import Positioned
from .schemas import FieldInfo, SchemaSet

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


class ConditionLinter:
    """Checks of conditions against the fields of the kinds they read; problems accumulate on
    ``problems``, located in the document being checked (``doc``, ``file``)."""

    def __init__(self, schemas: SchemaSet, aggregates: dict[str, Aggregate], derived: tuple[Derived, ...] = ()):
        self.schemas = schemas
        self.aggregates = aggregates
        self.derived = derived
        self.problems: list[Problem] = []
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
        kinds = sorted({BUNDLE_KIND, *self.schemas.kinds}) + [AGG_PREFIX + a for a in sorted(self.aggregates)]
        self.add(pointer, fix(f"unknown evidence kind {kind!r} (known: {', '.join(kinds)})",
                              "改为上列证据类型之一（记录表写作 <类型>.<记录字段>）",
                              "use one of the kinds listed (record tables as <kind>.<records field>)"))

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
                                            f"改为 {info.path} 列表项中的字段",
                                            f"use a field of the items of {info.path}"))
            elif v != GIVEN:  # {present: true}: the item gives the field
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
    "bool": ConditionLinter._value_bool,
    "scalar": ConditionLinter._value_scalar,
    "number": ConditionLinter._value_scalar,
    "date": ConditionLinter._value_scalar,
    "list": ConditionLinter._value_list,
    "date_window": ConditionLinter._value_window,
    "item": ConditionLinter._value_item,
}
