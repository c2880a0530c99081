"""Vacuous passes: a rule that only says "no record of kind K is faulty" passes when there is no
record of kind K at all.  Nothing was checked, so that pass is no conformity (fail closed): it is
treated like a pass that rests on an absent document (``checker.verdicts``), "not evaluated" until
the empty list is reported, and the rule's own breach when nothing reports it.

A skeleton bundle from ``parkcheck init`` (every record list empty) is the case that shows it: "the
applicable legal requirements were reviewed in time" (T/CPQS 5.2 (2)c)) held for a park that lists
no legal requirement.

A rule other rules build on (``depends_on``) is their precondition, and they judge the empty list
themselves (e.g. "no record is dated after the audit date" lets "assessed at least every 12 months"
report the missing assessments).  Its vacuous pass is "not evaluated" too, but it blocks none of them
while they are judged (``DEPENDENTS``): then it waits on what they report, or, when they report
nothing (no record was due), says so (``checker.dependencies``).  A selection of rules that includes
it includes them (``checker.selection``).
"""

from __future__ import annotations

from typing import Any

from .grading import condition_fields
from .model import Text
from .packs import AGG_PREFIX, Pack, Rule

DEPENDENTS = "dependents:"  # the blocker of a vacuous pass of a rule others build on: what they report
_REFS: dict[tuple[str, str, str], tuple[str, ...]] = {}


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


def vacuous_kinds(rule: Rule, pack: Pack, has_facts) -> list[str]:
    """The empty record kinds a pass of ``rule`` rests on, when it rests on nothing else (``has_facts(kind)``
    says whether the bundle has records of a kind)."""
    kinds = may_pass_vacuously(rule)
    if not kinds or any(has_facts(k) for k in kinds):
        return []
    return kinds


def may_pass_vacuously(rule: Rule) -> list[str] | None:
    """The record kinds whose empty lists would make a pass of ``rule`` vacuous (None: none would)."""
    return _only_not_exists(rule.expect)


_ZH, _EN = "，本条未评价：无据可查不等于符合", "; not evaluated: nothing to check is not conformity"


def vacuous_message(zh_doc: str, en_doc: str, root: bool) -> Text:
    """What a vacuous pass says (``root``: of a rule others build on); up to "，本条未评价" / "; not evaluated", the
    breach a rule that is no root becomes when nothing reports the empty list (``checker.dependencies``)."""
    return Text(f"证据包中没有{zh_doc}{_ZH}" + ("；记录是否缺失由以本条为前提的规则判定。" if root else "。"),
                f"The bundle holds no {en_doc}{_EN}"
                + ("; the rules that build on this one judge whether records are missing." if root else "."))


def unreported(message: Text) -> Text:
    """A root's ``vacuous_message`` once the rules built on it have reported nothing (no record was missing)."""
    return Text(message.zh.split("，本条未评价")[0] + _ZH + "；以本条为前提的规则均未发现记录缺失。",
                message.en.split("; not evaluated")[0] + _EN
                + "; the rules that build on this one find no record missing.")


def dependents(rules: list[Rule]) -> dict[str, list[str]]:
    """For each rule some of ``rules`` depend on, the ids of those rules, in order."""
    out: dict[str, list[str]] = {}
    for r in rules:
        for d in r.depends_on:
            out.setdefault(d, []).append(r.id)
    return out


def built_on(rule: Rule, pack: Pack) -> bool:
    """Whether some rule of the pack depends on ``rule`` (read from the pack as given: a narrowed pack has
    fewer rules under the same digest, so nothing is cached by it)."""
    return any(rule.id in r.depends_on for r in pack.rules)


def ref_kinds(rule: Rule, pack: Pack) -> tuple[str, ...]:
    """The kinds a value the rule judges is taken from by a declared ``ref`` (``derive:`` in pack.yaml),
    followed through the derived values it is computed from: "the factor a record cites is in the
    factor table" reads the factor table although the rule is written over the records.  A breach of
    such a rule while that kind is absent rests on the absent document (``checker.verdicts``)."""
    key = (pack.id, pack.sha256, rule.id)
    if key in _REFS:
        return _REFS[key]
    derived = {(d.kind, name): d for d in pack.derived for name in d.sets()}
    out: list[str] = []
    seen: set[tuple[str, str]] = set()
    todo = [(rule.for_each, f) for f in sorted(condition_fields(rule.where) | condition_fields(rule.expect))
            if ":" not in f]
    while todo:
        kind, name = todo.pop()
        d = derived.get((kind, name))
        if d is None or (kind, name) in seen:
            continue
        seen.add((kind, name))
        if d.op == "ref" and d.of and not d.of.startswith(AGG_PREFIX) and d.of not in out:
            out.append(d.of)
        todo += [(kind, arg) for arg in d.args] + [(kind, ours) for _, ours in d.match]
    _REFS[key] = tuple(out)
    return _REFS[key]
