"""Vacuous passes: a rule that only says "no record of kind K is faulty" passes when there is no
record of kind K at all.  Nothing was checked, so that pass is no conformity (fail closed): it is
treated like a pass that rests on an absent document (``checker.verdicts``), "not evaluated" until
the empty list is reported, and the rule's own breach when nothing reports it.

A skeleton bundle from ``parkcheck init`` (every record list empty) is the case that shows it: "the
applicable legal requirements were reviewed in time" (T/CPQS 5.2 (2)c)) held for a park that lists
no legal requirement.

A rule other rules build on (``depends_on``) is left alone: it is their precondition, and they judge
the empty list themselves (e.g. "no record is dated after the audit date" lets "assessed at least every
12 months" report the missing assessments), so the clause is not 符合 either way.
"""

from __future__ import annotations

from typing import Any

from .packs import AGG_PREFIX, Pack, Rule

_ROOTS: dict[tuple[str, str], frozenset[str]] = {}


def _only_not_exists(expect: Any) -> list[str] | None:
    """Kinds of the ``not_exists`` joins when the rule's whole expectation is such joins (at the top,
    or every item of a top-level ``all``); None otherwise."""
    if not isinstance(expect, dict):
        return None
    items = expect["all"] if isinstance(expect.get("all"), list) and len(expect) == 1 else [expect]
    kinds = []
    for c in items:
        if not (isinstance(c, dict) and len(c) == 1 and isinstance(c.get("not_exists"), dict)):
            return None
        kind = c["not_exists"].get("kind")
        if not isinstance(kind, str) or kind.startswith(AGG_PREFIX) or "." not in kind:
            return None  # aggregates are judged on their own facts (a gap from the period start counts)
        kinds.append(kind)
    return kinds or None


def _roots(pack: Pack) -> frozenset[str]:
    """Ids of the rules some rule of the pack depends on."""
    key = (pack.id, pack.sha256)
    if key not in _ROOTS:
        _ROOTS[key] = frozenset(d for r in pack.rules for d in r.depends_on)
    return _ROOTS[key]


def vacuous_kinds(rule: Rule, pack: Pack, has_facts) -> list[str]:
    """The empty record kinds a pass of ``rule`` rests on, when it rests on nothing else and no rule
    builds on it (``has_facts(kind)`` says whether the bundle has records of a kind)."""
    kinds = _only_not_exists(rule.expect)
    if not kinds or rule.id in _roots(pack) or any(has_facts(k) for k in kinds):
        return []
    return kinds
