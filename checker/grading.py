"""Consistent grading across packs (``parkcheck rules lint``).

Two rules of different packs that the crosswalk puts under one topic and that test the same
evidence — the same subject kind (``for_each``) and at least one condition field in common — judge
the same defect, so a certification body expects the same grade from both.  Where the standards
really grade differently (one says 应 where the other says 宜, or one clause is a whole process
and the other one element of it), one of the two rules states why in ``grade_reason``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .errors import Problem
from .packs import Pack, Rule


def condition_nodes(cond: Any, prefix: str = "") -> Iterator[tuple[str, dict]]:
    """Every mapping of a condition tree (``all``/``any``/``not`` and the ``where`` of joins), with the
    prefix of the fact it reads: ``""`` the subject, ``"kind:"`` a join partner."""
    if isinstance(cond, list):
        for c in cond:
            yield from condition_nodes(c, prefix)
        return
    if not isinstance(cond, dict):
        return
    yield prefix, cond
    for key in ("all", "any", "not"):
        if key in cond:
            yield from condition_nodes(cond[key], prefix)
    for join in ("exists", "not_exists"):
        spec = cond.get(join)
        if isinstance(spec, dict):
            yield from condition_nodes(spec.get("where"), f"{spec.get('kind', '')}:")


def condition_fields(cond: Any, prefix: str = "") -> set[str]:
    """Field paths a condition reads: the subject's as ``field``, a join partner's as ``kind:field``."""
    out: set[str] = set()
    for pre, node in condition_nodes(cond, prefix):
        for join in ("exists", "not_exists"):
            spec = node.get(join)
            if isinstance(spec, dict):
                kind = spec.get("kind", "")
                for theirs, ours in (spec.get("match") or {}).items():
                    out.add(f"{kind}:{theirs}")
                    if isinstance(ours, str):
                        out.add(pre + ours)
        if isinstance(node.get("field"), str):
            out.add(pre + node["field"])
            for v in node.values():  # a comparison with another field of the same fact: {field: a, lte: {field: b}}
                if isinstance(v, dict) and isinstance(v.get("field"), str):
                    out.add(pre + v["field"])
                if isinstance(v, dict) and isinstance(v.get("subject"), str):
                    out.add(v["subject"])
    return out


def rule_fields(rule: Rule) -> set[str]:
    return condition_fields(rule.where) | condition_fields(rule.expect)


def _where(rule: Rule) -> str:
    return f"{rule.file}:{rule.line}" if rule.line else rule.file


def lint_grading(packs: Iterable[Pack], crosswalk, selected: set[str] | None = None) -> list[Problem]:
    """A problem for each pair of same-topic rules of two packs that test the same evidence with
    different grades and give no ``grade_reason``, located at the rule of the later pack (or at the
    other one when only that one's pack is ``selected``); pairs outside the selected packs are skipped."""
    entries = []
    for pack in packs:
        for rule in pack.rules:
            topics = crosswalk.topics_of(pack.id, rule.clause)
            if topics:
                entries.append((pack.id, rule, topics, rule_fields(rule)))
    problems = []
    for i, (pa, a, ta, fa) in enumerate(entries):
        for pb, b, tb, fb in entries[i + 1:]:
            if pa == pb or a.for_each != b.for_each or a.grade == b.grade:
                continue
            shared_topics, shared_fields = ta & tb, fa & fb
            if not shared_topics or not shared_fields:
                continue
            if getattr(a, "grade_reason", None) or getattr(b, "grade_reason", None):
                continue
            here, other = b, a
            if selected is not None and pb not in selected:
                if pa not in selected:
                    continue
                here, other = a, b
            problems.append(Problem(
                f"rule {here.id} is graded {here.grade} but {other.id} ({_where(other)}) is graded {other.grade}: both "
                f"are under crosswalk topic {', '.join(sorted(shared_topics))} and test {a.for_each} "
                f"({', '.join(sorted(shared_fields))}); give them the same grade or state why in grade_reason",
                here.file, here.line, None, here.pointer + "/grade"))
    return problems
