"""The engine's firings read per rule and subject (``checker.verdicts`` turns them into results)."""

from __future__ import annotations

from itertools import chain, filterfalse

from .compiler import CompiledPack
from .engine import Evaluation, Firing


class RuleFirings:
    """One rule's firings by subject: which outcome claimed each, and how often "no subject" fired.  ``passes``
    (the firings claiming a subject only when it is the only one) is made from ``claims`` (the pass firings, by
    the subjects they name) when first read: a check that they name each subject once may not need it
    (``checker.verdicts``); ``fails`` holds a group's firing once, for each member (``Firing.member``)."""

    __slots__ = ("_passes", "claims", "fails", "nones", "skips")

    def __init__(self, passes: dict[str, tuple[Firing, ...]] | None, fails: dict[str, tuple[tuple[Firing, str], ...]],
                 skips: set[str], nones: int, claims: list[tuple[tuple[str, ...], Firing]] | None = None):
        self._passes, self.fails, self.skips, self.nones = passes, fails, skips, nones
        self.claims = claims or []

    @property
    def passes(self) -> dict[str, tuple[Firing, ...]]:
        if self._passes is None:
            self._passes = _passes(self.claims)
        return self._passes


def by_rule(compiled: CompiledPack, evaluation: Evaluation) -> dict[str, list[Firing]]:
    """The firings of each rule, in the engine's order; firings of no rule's branch are left out."""
    out: dict[str, list[Firing]] = {}
    branches = compiled.branches
    for firing in evaluation.firings:
        branch = branches.get(firing.branch)
        if branch is not None:
            out.setdefault(branch.rule, []).append(firing)
    return out


def rule_firings(compiled: CompiledPack, firings: list[Firing] | tuple[Firing, ...]) -> RuleFirings:
    """One rule's firings by subject.  A group's firing (``checker.feed``) is kept once and shared by
    its members' entries (memory: most subjects of a large kind are in a few groups).  Built one rule at
    a time (``checker.verdicts``): the claims of a large kind's rules are never all held at once."""
    rf = RuleFirings(None, {}, set(), 0)
    claims = rf.claims  # the pass firings, by the subjects they name
    for firing in firings:
        branch = compiled.branches[firing.branch]
        if branch.outcome == "pass":
            subject = firing.fact("s") or ""  # a firing without its subject is a stray: the cross-check reports it
            claims.append((subject if isinstance(subject, tuple) else (subject,), firing))
            continue
        group = firing.fact("s")
        if branch.outcome == "fail" and isinstance(group, tuple) and firing.groups() == 1:
            _add(rf.fails, group, (firing, branch.detail))  # not expanded per member (memory; ``Firing.member``)
            continue
        if branch.outcome == "skip" and isinstance(group, tuple) and firing.groups() == 1:
            rf.skips.update(group)  # each member skipped, as ``expand`` would give them (no firing per member)
            continue
        if branch.outcome == "none":  # counted once per member of its first group, as ``expand`` gives them
            first = next((fid for _, fid in firing.facts if isinstance(fid, tuple)), None)
            rf.nones += 1 if first is None else len(first)
            continue
        for one in firing.expand():
            _collect_one(rf, one, branch)
    return rf


def _passes(claims: list[tuple[tuple[str, ...], Firing]]) -> dict[str, tuple[Firing, ...]]:
    """Every subject a pass firing names, in order, by one C loop over the groups' members (memory and time:
    most subjects of a large kind pass, in a few groups).  Which firings claimed a subject is read only when
    one subject passes (``checker.verdicts``: a rule's results name it): only then are they kept."""
    passes: dict[str, tuple[Firing, ...]] = dict.fromkeys(chain.from_iterable(s for s, _ in claims), ())
    if len(passes) == 1:
        sid = next(iter(passes))
        passes[sid] = tuple(firing for subjects, firing in claims if sid in subjects)
    return passes


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


def exact_claims(passes: dict, fails: dict, skips: set, subjects: list[str]) -> bool:
    """Whether the outcomes claim the subjects exactly: as many claims as subjects, and each subject claimed (looked
    for in the largest outcome first: most subjects are then found by one look-up)."""
    if len(passes) + len(fails) + len(skips) != len(subjects):
        return False
    first, second, third = sorted((passes, fails, skips), key=len, reverse=True)
    return next(filterfalse(third.__contains__, filterfalse(second.__contains__, filterfalse(first.__contains__,
                                                                                             subjects))), None) is None


_COVERS_UP_TO = 4096  # pass claims (subject groups) whose cover of a kind's subjects is kept for the next rules


def covered(rf: RuleFirings, subjects: list[str], covers: dict) -> bool:
    """Whether the pass claims (no fail, no skip) name every subject and no other (``exact_claims``), found once per
    set of claims (the same subject groups, the same objects) and kind: other rules' claims are mostly the same
    groups (``covers``, kept by ``checker.verdicts.rule_results``)."""
    groups = {id(subject): subject for subject, _ in rf.claims}
    if len(groups) > _COVERS_UP_TO:
        return exact_claims(rf.passes, {}, set(), subjects)
    key = (id(subjects), frozenset(groups))
    if key not in covers:  # (the groups and subjects kept with it: their ids stay theirs)
        named = set(chain.from_iterable(groups.values()))  # (the subjects ``passes`` would hold: no mapping made)
        covers[key] = (subjects, list(groups.values()), len(named) == len(subjects) and named.issuperset(subjects))
    return covers[key][2]
