"""The engine's firings read per rule and subject (``checker.verdicts`` turns them into results)."""

from __future__ import annotations

from dataclasses import dataclass

from .compiler import CompiledPack
from .engine import Evaluation, Firing


@dataclass
class RuleFirings:
    """One rule's firings by subject: which outcome claimed each, and how often "no subject" fired."""

    passes: dict[str, tuple[Firing, ...]]
    fails: dict[str, tuple[tuple[Firing, str], ...]]  # a group's firing once, for each member (``Firing.member``)
    skips: set[str]
    nones: int


def collect(compiled: CompiledPack, evaluation: Evaluation) -> dict[str, RuleFirings]:
    """Every rule's firings, by rule id.  A group's firing (``checker.feed``) is kept once and shared by
    its members' entries (memory: most subjects of a large kind are in a few groups)."""
    out = {r.id: RuleFirings({}, {}, set(), 0) for r in compiled.pack.rules}
    for firing in evaluation.firings:
        branch = compiled.branches.get(firing.branch)
        if branch is None:
            continue
        rf = out[branch.rule]
        if branch.outcome == "pass":  # kept once for a group's members (most subjects pass: memory)
            subject = firing.fact("s") or ""  # a firing without its subject is a stray: the cross-check reports it
            _add(rf.passes, subject if isinstance(subject, tuple) else (subject,), firing)
            continue
        group = firing.fact("s")
        if branch.outcome == "fail" and isinstance(group, tuple) and firing.groups() == 1:
            _add(rf.fails, group, (firing, branch.detail))  # not expanded per member (memory; ``Firing.member``)
            continue
        for one in firing.expand():
            _collect_one(rf, one, branch)
    return out


def _add(claims: dict, subjects, entry) -> None:
    one = (entry,)  # shared by the subjects that have no other (memory)
    if claims.keys().isdisjoint(subjects):  # the common case: a group's first claim, in one call
        claims.update(dict.fromkeys(subjects, one))
        return
    for sid in subjects:
        prev = claims.get(sid)
        claims[sid] = one if prev is None else (*prev, entry)


def _collect_one(rf: RuleFirings, firing: Firing, branch) -> None:
    if branch.outcome == "none":
        rf.nones += 1
        return
    subject = firing.fact("s") or ""
    assert isinstance(subject, str)  # an expanded firing names single facts
    if branch.outcome == "fail":
        _add(rf.fails, (subject,), (firing, branch.detail))
    elif branch.outcome == "skip":
        rf.skips.add(subject)
