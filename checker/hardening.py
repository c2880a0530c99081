"""Rule shapes the engine evaluates correctly: cross-fact predicates reordered, unsafe ones refused.

Cross-fact predicates are evaluated by ``reduceExpressionSequence`` (events.c of durable-rules
2.0.28), which reads past the end of its array when a group's last predicate short-circuits it (a
crash that depends on the heap), and stops a group after any nested group (later predicates are
skipped: a wrong match).  ``harden`` reorders every pattern so neither can happen, and refuses
cross-fact predicates under ``$or``, which the engine evaluates regardless of the other branch.
"""

from __future__ import annotations

import copy
import re

_ALIAS = re.compile(r"^(b|s|e|p[0-9]+)$")
_COMPARISONS = {"$lt", "$lte", "$gt", "$gte", "$neq", "$eq"}


class UnsafeShape(ValueError):
    """A rule would compile to a pattern the engine evaluates wrongly or crashes on."""


def _is_ref(operand) -> bool:
    return isinstance(operand, dict) and len(operand) == 1 and bool(_ALIAS.match(next(iter(operand))))


def _ref_alias(item: dict) -> str | None:
    """The alias a single predicate refers to, if it compares with another fact's field."""
    if not isinstance(item, dict) or len(item) != 1:
        return None
    key, value = next(iter(item.items()))
    if key in _COMPARISONS and isinstance(value, dict) and len(value) == 1:
        operand = next(iter(value.values()))
        return next(iter(operand)) if _is_ref(operand) else None
    if not key.startswith("$") and _is_ref(value):
        return next(iter(value))
    return None


def _is_tautology(item: dict) -> bool:
    value = item.get("$neq") if isinstance(item, dict) else None
    return isinstance(value, dict) and list(value) == ["id"] and _is_ref(value["id"]) and \
        next(iter(value["id"].values())) == "id"


def _contains_ref(expr) -> bool:
    if isinstance(expr, dict):
        if _ref_alias(expr):
            return True
        return any(_contains_ref(v) for v in expr.values())
    if isinstance(expr, list):
        return any(_contains_ref(v) for v in expr)
    return False


def harden(expr: dict) -> dict:
    """Reorder a pattern so the engine evaluates its cross-fact predicates correctly.

    The engine keeps a pattern's cross-fact predicates in one expression sequence per $and/$or.
    Two defects of ``reduceExpressionSequence`` (events.c) decide the shape:

    * when the last predicate of a group short-circuits it (false under $and), the scan for the
      group's end starts past the end marker and reads beyond the array: a crash or garbage;
    * after a nested $and/$or group returns, the enclosing group stops, so predicates written
      after a nested group are never evaluated (a wrong match, silently).

    So the group is written as: the single-fact tests, then the cross-fact predicates closed by an
    always-true one (``id`` differs from the referenced fact's, as two patterns never hold the same
    fact), then the nested groups last.  Cross-fact predicates inside $or or nested groups cannot be
    made safe and are refused.  Idempotent: a hardened pattern is returned in the same shape.
    """
    items = expr["$and"] if isinstance(expr, dict) and list(expr) == ["$and"] else [expr]
    refs, plain, groups = [], [], []
    for item in items:
        alias = _ref_alias(item)
        if alias:
            refs.append((alias, item))
        elif _contains_ref(item):
            raise UnsafeShape("a comparison with another fact ({subject: …} or {anchor: …}) sits under any/not or "
                              "in an operator that needs 'or' (not_equals, in, not_in …); the engine evaluates such "
                              "patterns wrongly: use it directly in the where of exists/not_exists, combined with all")
        elif isinstance(item, dict) and len(item) == 1 and next(iter(item)) in ("$or", "$and", "$iany", "$iall"):
            groups.append(item)
        else:
            plain.append(item)
    if not refs:
        return expr
    if _is_tautology(refs[-1][1]):  # already hardened
        return {"$and": plain + [r for _, r in refs] + groups}
    last_alias = refs[-1][0]
    return {"$and": plain + [r for _, r in refs] + [{"$neq": {"id": {last_alias: "id"}}}] + groups}


def harden_ruleset(definition: dict) -> dict:
    """A copy of a ruleset definition with every pattern hardened (see ``harden``)."""
    out = {}
    for name, rule in definition.items():
        rule = copy.deepcopy(rule)
        for key in ("all", "any"):
            if key in rule:
                rule[key] = [{alias: harden(expr) if isinstance(expr, dict) else expr for alias, expr in p.items()}
                             for p in rule[key]]
        out[name] = rule
    return out
