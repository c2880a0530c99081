"""Checking a selection of a pack's rules: what a rule's cases run (``checker.cases``).

A case judges one rule on the report of its input.  Evaluating every ruleset of the pack for it is
wasted work, as long as the selected rule's results come out as they would in a full check.  They
depend on more than the rule's own rulesets, so the selection is closed over everything that can
change them:

* the rules it ``depends_on`` (a nonconformity there makes its breach "not evaluated");
* the rules whose subject is a kind it reads: a "none found" result that waits on a missing document
  is settled by whether such a rule reported that document missing (``checker.dependencies``);
* the rules that depend on it, when a pass of it can be vacuous (it only says no record of a kind is
  faulty): such a pass waits on what they report (``checker.vacuous``).

Content gaps are attributed with the whole pack (a gap that no selected rule reads may fall back to a
general rule: ``checker.gaps``); the findings of rules outside the selection are then dropped.  The
facts (aggregates, derived values) are built as in a full check.  ``tests/test_selection.py`` checks,
for cases of every pack, that the selected rules' results are those of the full check.
"""

from __future__ import annotations

from dataclasses import replace

from .compiler import CompiledPack
from .feed import SHADOW
from .model import Result
from .vacuous import dependents, may_pass_vacuously


def _owners(c: CompiledPack, definition: dict) -> set[str]:
    return {c.branches[b].rule for b in definition if b in c.branches}


def _read_kind(kind: str) -> str:
    """The kind a fed kind stands for (a shadow kind's own kind)."""
    return kind.split(SHADOW)[1] if kind.startswith(SHADOW) else kind


def needed(c: CompiledPack, wanted: frozenset[str] | set[str]) -> frozenset[str]:
    """The rules of the pack whose results the ``wanted`` rules' results may depend on, them included."""
    rules = {r.id: r for r in c.pack.rules}
    reads: dict[str, set[str]] = {}
    for rs in c.rulesets:
        kinds = {_read_kind(k) for k in rs.feed.kinds} | {s[1] for s in rs.feed.shadows}
        for owner in _owners(c, rs.definition):
            reads.setdefault(owner, set()).update(kinds)
    by_subject: dict[str, list[str]] = {}
    for rid, kind in c.subject_kinds.items():
        by_subject.setdefault(kind, []).append(rid)
    built_on_it = dependents(c.pack.rules)
    need: set[str] = set()
    todo = sorted(w for w in wanted if w in rules)
    while todo:
        rid = todo.pop()
        if rid in need:
            continue
        need.add(rid)
        todo += rules[rid].depends_on
        if may_pass_vacuously(rules[rid]):
            todo += built_on_it.get(rid, ())
        for kind in sorted(reads.get(rid, ())):
            todo += by_subject.get(kind, ())
    return frozenset(need)


def narrowed(c: CompiledPack, wanted: frozenset[str] | set[str]) -> CompiledPack:
    """The compiled pack with only the rules ``needed`` by ``wanted`` and the rulesets that judge them."""
    need = needed(c, wanted)
    rulesets = [rs for rs in c.rulesets if _owners(c, rs.definition) & need]
    pack = replace(c.pack, rules=[r for r in c.pack.rules if r.id in need])
    return replace(c, pack=pack, rulesets=rulesets)


def narrowed_all(packs: list[CompiledPack], select: frozenset[str] | None) -> list[CompiledPack]:
    """Each pack ``narrowed`` to the ``select``ed rules; the packs as they are when nothing is selected."""
    return packs if select is None else [narrowed(c, select) for c in packs]


def kept(results: list[Result], packs: list[CompiledPack], select: frozenset[str] | None) -> list[Result]:
    """The results of the rules the narrowed ``packs`` keep (a gap's finding of another rule is dropped);
    all of them when nothing is selected."""
    if select is None:
        return results
    keep = {(c.pack.id, r.id) for c in packs for r in c.pack.rules}
    return [r for r in results if (r.standard, r.rule) in keep]
