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
