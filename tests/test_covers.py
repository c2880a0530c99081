"""The cross-check of pass claims made of subject groups (``checker.firings.covered``, issue 15): whether the groups
name every subject once is found once per set of groups and kind, and kept for the next rules; the cross-check
must say what the claims one by one say (``tests.test_engine._reference_cross_check``), rule after rule."""

from __future__ import annotations

import random
from types import SimpleNamespace

from checker.firings import RuleFirings
from checker.verdicts import _cross_check

from .test_engine import _reference_cross_check


def test_groups_cover_the_subjects_as_the_claims_one_by_one_say():
    rng = random.Random(7)
    kinds = {k: [f"{k}{i}" for i in range(rng.randint(1, 9))] for k in "abc"}
    groups = {k: [tuple(subjects[i:i + 2]) for i in range(0, len(subjects), 2)] for k, subjects in kinds.items()}
    stray = ("x1",)
    covers: dict = {}
    facts = SimpleNamespace(sources={s: SimpleNamespace(key=s) for s in (*stray, *(s for v in kinds.values() for s in v))})
    checked = 0
    for _ in range(2000):
        kind = rng.choice("abc")
        subjects = kinds[kind]
        pool = groups[rng.choice("abc")] + [stray]  # (another kind's groups: some rules claim astray)
        chosen = [g for g in pool if rng.random() < 0.8] if rng.random() < 0.5 else groups[kind]
        claims = [(g, None) for g in chosen for _ in range(rng.randint(1, 2))]  # (a group claimed twice: still once)
        rf = RuleFirings(None, {}, set(), 0, claims)
        expected = _reference_cross_check(RuleFirings(None, {}, set(), 0, claims), subjects, subjects)
        assert _cross_check(rf, facts, subjects, subjects, covers) == expected
        checked += not expected
    assert checked > 100 and 1 < len(covers) < 2000  # (most rules' groups found covering before)


def test_groups_name_each_subject_as_a_set_of_names_says():
    """``_names_each`` marks each member at its subject's place: the answer of the set of names, with groups that
    overlap, a name that is no subject, a subject not named, and subjects named twice in the list."""
    from checker.firings import _names_each

    subjects = ["a", "b", "c", "d"]
    for groups in ([("a", "b"), ("c", "d")], [("a", "b", "c"), ("c", "d")], [("a", "b"), ("c",)],
                   [("a", "b"), ("c", "d", "x")], [("d", "c", "b", "a")], [], [("a", "a", "b", "c", "d")]):
        for listed in (subjects, [*subjects, "a"]):
            named = {s for g in groups for s in g}
            expected = len(named) == len(listed) and named.issuperset(listed)
            assert _names_each(groups, listed, {}) == expected, (groups, listed)
