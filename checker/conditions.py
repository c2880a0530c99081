"""The condition language: one table maps each YAML operator to durable-rules expressions.

Every operator compiles to a *pair* of expressions, ``(holds, fails)``, that are exact complements
on a normalised fact (blank values are removed from facts, so "missing" and "empty" are the same
thing and are tested with ``$ex``/``$nex``).  Rules therefore compile to a pass branch and fail
branches that the engine evaluates independently; after evaluation every subject must have been
claimed by exactly one of them, which catches lost or duplicated engine firings.

A leaf condition is ``{field: <dotted path>, <operator>: <value>}``.  Composites are ``all``,
``any`` and ``not``; ``exists`` / ``not_exists`` (joins to other facts) are handled by the compiler.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .schemas import FieldInfo

EPOCH = _dt.date(1970, 1, 1).toordinal()

# The engine owns these property names on every fact; evidence fields of the same name are stored
# as ``f_<name>`` and rule field paths are translated the same way.
RESERVED = ("id", "sid", "kind")


def engine_field(path: str) -> str:
    head, dot, rest = path.partition(".")
    return ("f_" + head if head in RESERVED else head) + dot + rest


@lru_cache(maxsize=1 << 12)
def epoch_days(iso: str) -> int:
    """Whole days since 1970-01-01 (cached: the dates of a large table repeat, and each distinct one is then
    one number object, not one per cell)."""
    return _dt.date.fromisoformat(iso).toordinal() - EPOCH


def add_months(day: _dt.date, months: int) -> _dt.date:
    month0 = day.month - 1 + months
    year = day.year + month0 // 12
    month = month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return _dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError("unreachable")


def anchor_name(anchor: str, months_before: int) -> str:
    return anchor if not months_before else f"{anchor}_minus_{months_before}m"


# -- durable-rules expression builders -------------------------------------------------------

def ex(f: str) -> dict:
    return {"$ex": {f: 1}}


def nex(f: str) -> dict:
    return {"$nex": {f: 1}}


def eq(f: str, v: Any) -> dict:
    return {f: v}


def op(name: str, f: str, v: Any) -> dict:
    return {name: {f: v}}


def AND(*xs: dict) -> dict:
    flat: list = []
    for x in xs:
        flat.extend(x["$and"] if isinstance(x, dict) and list(x) == ["$and"] else [x])
    return {"$and": flat}


def OR(*xs: dict) -> dict:
    flat: list = []
    for x in xs:
        flat.extend(x["$or"] if isinstance(x, dict) and list(x) == ["$or"] else [x])
    return flat[0] if len(flat) == 1 else {"$or": flat}


INVERSE = {"$lt": "$gte", "$lte": "$gt", "$gt": "$lte", "$gte": "$lt"}


@dataclass
class Context:
    """What a leaf may refer to while compiling: the bundle's anchors and, in a join, the subject."""

    anchors: set = field(default_factory=set)  # (anchor, months_before) pairs needed on the bundle fact
    subject_refs: set = field(default_factory=set)  # subject fields (engine names) referenced from a join
    anchor_alias: str = "b"  # "s" when the subject is the bundle fact itself

    def operand(self, value: Any, info: FieldInfo | None) -> Any:
        """Turn a YAML value into an engine operand (literal or cross-fact reference)."""
        if isinstance(value, dict) and "anchor" in value:
            months = int(value.get("months_before", 0))
            self.anchors.add((value["anchor"], months))
            return {self.anchor_alias: anchor_name(value["anchor"], months)}
        if isinstance(value, dict) and "field" in value:
            return {"$m": engine_field(value["field"])}
        if isinstance(value, dict) and "subject" in value:
            ref = engine_field(value["subject"])
            self.subject_refs.add(ref)
            return {"s": ref}
        if info is not None and info.is_date and isinstance(value, str):
            return epoch_days(value)
        return value


# -- the operator table ---------------------------------------------------------------------

@dataclass(frozen=True)
class Operator:
    name: str
    types: tuple[str, ...]  # field types it applies to ("any" for all)
    value: str  # bool | scalar | list | number | date | date_window | item
    compile: Callable[[str, Any, FieldInfo | None, Context], tuple[dict, dict]]
    zh: str
    en: str


def _present(f, v, info, ctx):
    return (ex(f), nex(f)) if v else (nex(f), ex(f))


def _same_fact_ref(v) -> str | None:
    """The engine name of ``{field: other}`` (a field of the same fact), else None."""
    return engine_field(v["field"]) if isinstance(v, dict) and "field" in v else None


def _equals(f, v, info, ctx):
    o = ctx.operand(v, info)
    ref = _same_fact_ref(v)
    if ref:  # both fields must be given; a missing one is "not equal"
        return AND(ex(f), ex(ref), eq(f, o)), OR(nex(f), nex(ref), AND(ex(ref), op("$neq", f, o)))
    return eq(f, o), OR(nex(f), op("$neq", f, o))


def _not_equals(f, v, info, ctx):
    holds, fails = _equals(f, v, info, ctx)
    return fails, holds


def _in(f, vs, info, ctx):
    ops = [ctx.operand(v, info) for v in vs]
    return OR(*[eq(f, o) for o in ops]), OR(nex(f), AND(*[op("$neq", f, o) for o in ops]))


def _not_in(f, vs, info, ctx):
    holds, fails = _in(f, vs, info, ctx)
    return fails, holds


def _compare(name):
    def build(f, v, info, ctx):
        o = ctx.operand(v, info)
        ref = _same_fact_ref(v)
        if ref:  # compared with another field of the same fact: fails when either is missing
            return (AND(ex(f), ex(ref), op(name, f, o)),
                    OR(nex(f), nex(ref), AND(ex(ref), op(INVERSE[name], f, o))))
        return op(name, f, o), OR(nex(f), op(INVERSE[name], f, o))
    return build


def _within_months_before(f, v, info, ctx):
    start = ctx.operand({"anchor": v["anchor"], "months_before": int(v["months"])}, info)
    end = ctx.operand({"anchor": v["anchor"]}, info)
    return AND(op("$gte", f, start), op("$lte", f, end)), OR(nex(f), op("$lt", f, start), op("$gt", f, end))


GIVEN = {"present": True}  # an item field's value that asks only that the item gives the field


def _item_match(v) -> tuple[dict, dict]:
    """Expressions over ``$i`` (an array item): the item matches / does not match ``v``.  An item field
    whose value is ``{present: true}`` matches when the item gives it (blank and placeholder texts are
    not on the facts: checker.facts)."""
    if isinstance(v, dict):
        return (AND(*[{"$ex": {f"$i.{k}": 1}} if x == GIVEN else {f"$i.{k}": x} for k, x in v.items()]),
                OR(*[{"$nex": {f"$i.{k}": 1}} if x == GIVEN else {"$neq": {f"$i.{k}": x}} for k, x in v.items()]))
    return {"$i": v}, {"$neq": {"$i": v}}


def _contains(f, v, info, ctx):
    match, mismatch = _item_match(v)
    return {"$iany": {f: match}}, OR(nex(f), {"$iall": {f: mismatch}})


def _not_contains(f, v, info, ctx):
    holds, fails = _contains(f, v, info, ctx)
    return fails, holds


def _each(f, v, info, ctx):
    match, mismatch = _item_match(v)
    return AND(ex(f), {"$iall": {f: match}}), OR(nex(f), {"$iany": {f: mismatch}})


_SCALARS = ("string", "integer", "number", "boolean")
OPERATORS: dict[str, Operator] = {o.name: o for o in [
    Operator("present", ("any",), "bool", _present, "已填写（非空）", "is given (not empty)"),
    Operator("equals", _SCALARS, "scalar", _equals, "等于", "equals"),
    Operator("not_equals", _SCALARS, "scalar", _not_equals, "不等于（或未填写）", "does not equal (or is not given)"),
    Operator("in", _SCALARS, "list", _in, "属于", "is one of"),
    Operator("not_in", _SCALARS, "list", _not_in, "不属于（或未填写）", "is none of (or is not given)"),
    Operator("gt", ("integer", "number"), "number", _compare("$gt"), "大于", "is greater than"),
    Operator("gte", ("integer", "number"), "number", _compare("$gte"), "不小于", "is at least"),
    Operator("lt", ("integer", "number"), "number", _compare("$lt"), "小于", "is less than"),
    Operator("lte", ("integer", "number"), "number", _compare("$lte"), "不大于", "is at most"),
    Operator("before", ("date",), "date", _compare("$lt"), "早于", "is before"),
    Operator("on_or_before", ("date",), "date", _compare("$lte"), "不晚于", "is on or before"),
    Operator("after", ("date",), "date", _compare("$gt"), "晚于", "is after"),
    Operator("on_or_after", ("date",), "date", _compare("$gte"), "不早于", "is on or after"),
    Operator("within_months_before", ("date",), "date_window", _within_months_before,
             "在锚定日期前 N 个月内（含）", "is within N months before the anchor date (inclusive)"),
    Operator("contains", ("array",), "item", _contains, "列表中包含", "the list contains"),
    Operator("not_contains", ("array",), "item", _not_contains, "列表中不包含（或列表为空）",
             "the list does not contain (or is empty)"),
    Operator("each", ("array",), "item", _each, "列表非空且每一项都满足",
             "the list is not empty and every item matches"),
]}

COMPOSITES = ("all", "any", "not")
JOINS = ("exists", "not_exists")


def leaf_operator(cond: dict) -> str | None:
    ops = [k for k in cond if k != "field"]
    return ops[0] if len(ops) == 1 else None


def compile_condition(cond: dict, resolve: Callable[[str], FieldInfo | None], ctx: Context) -> tuple[dict, dict]:
    """Compile a single-fact condition (no joins) into ``(holds, fails)`` expressions."""
    if "all" in cond:
        parts = [compile_condition(c, resolve, ctx) for c in cond["all"]]
        return AND(*[p[0] for p in parts]), OR(*[p[1] for p in parts])
    if "any" in cond:
        parts = [compile_condition(c, resolve, ctx) for c in cond["any"]]
        return OR(*[p[0] for p in parts]), AND(*[p[1] for p in parts])
    if "not" in cond:
        holds, fails = compile_condition(cond["not"], resolve, ctx)
        return fails, holds
    name = leaf_operator(cond)
    if name is None:
        raise ValueError(f"not a condition: {cond!r}")  # the linter refuses such a rule before it is compiled
    operator = OPERATORS[name]
    return operator.compile(engine_field(cond["field"]), cond[name], resolve(cond["field"]), ctx)

