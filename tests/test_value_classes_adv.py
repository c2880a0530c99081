"""Adversarial probes of class specs (checker.valueclass): shaped vs unshaped (reference) results."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from checker import feed
from tests.test_feed_adversarial import _load
from tests.test_feed_adversarial import _results as _results_msg

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "zc001": (ROOT / "rules" / "t-cpqs-zc001-2025" / "fixtures" / "base", "t-cpqs-zc001-2025"),
    "seesa": (ROOT / "rules" / "t-seesa-010-2025" / "fixtures" / "base", "t-seesa-010-2025"),
    "ndrc": (ROOT / "rules" / "ndrc-zero-carbon-park-2025" / "fixtures" / "base", "ndrc-zero-carbon-park-2025"),
    "lvgu": (ROOT / "evidence" / "lvgu-park", "t-cpqs-zc001-2025"),
    "lvgu_ndrc": (ROOT / "evidence" / "lvgu-park", "ndrc-zero-carbon-park-2025"),
    "binhai": (ROOT / "evidence" / "binhai-park", "t-seesa-010-2025"),
}


def _numbers(fn):
    """Apply ``fn(value, rng)`` to every top-level int/float field of every evidence fact."""
    def mutate(facts, seed=0):
        rng = random.Random(seed)
        for fact in facts.facts:
            if fact["id"] == facts.bundle_id:
                continue
            for key, value in list(fact.items()):
                if key not in ("id", "kind") and type(value) in (int, float):
                    fact[key] = fn(value, rng)
    return mutate


def _dup(facts):
    """Every record twice, the copy's numbers moved within their class (a distinct value per record)."""
    import copy
    for fact in [f for f in facts.facts if f["id"] != facts.bundle_id]:
        twin = copy.deepcopy(fact)
        twin.pop("id")
        for k, v in list(twin.items()):
            if type(v) in (int, float) and v:
                twin[k] = v * 1.25 if type(v) is float else v * 2
        facts.add(twin, facts.sources[fact["id"]])


MUTATIONS = {
    # a distinct value per fact, same side of 0 and roughly same magnitude
    "jitter": _numbers(lambda v, r: v * r.uniform(0.5, 1.5) if v else v),
    "jitter_int": _numbers(lambda v, r: int(v * r.uniform(0.5, 3)) if abs(v) < 1e12 else v),
    "as_float": _numbers(lambda v, r: float(v) if r.random() < 0.5 else v),
    "negzero": _numbers(lambda v, r: -0.0 if r.random() < 0.3 else v),
    "huge": _numbers(lambda v, r: r.choice([10 ** 20, -(10 ** 20), 2 ** 63, 2 ** 53 + 1, 1e22, -1e22, v, v])),
    "jitter_dup": lambda facts: (_dup(facts), MUTATIONS["jitter"](facts, 3)),
    "tiny": _numbers(lambda v, r: r.choice([1e-300, -1e-300, 5e-324, v, v])),
}


@pytest.mark.parametrize("limit", [None])  # (small sessions: test_value_classes; at 2-4 the known evidence-order difference)
@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_class_mutation_gives_reference(case, mutation, limit, monkeypatch):
    path, pack_id = CASES[case]
    bundle = _load(path)
    reference = _results_msg(bundle, pack_id, False, MUTATIONS[mutation])
    if limit:
        monkeypatch.setattr(feed, "SESSION_FACTS", limit)
    shaped = _results_msg(bundle, pack_id, True, MUTATIONS[mutation])
    def norm(rs):
        return sorted((*r[:5], tuple(sorted(r[5])), *r[6:]) for r in rs)  # evidence order: known (issue 15)
    reference, shaped = norm(reference), norm(shaped)
    only_ref = [r for r in reference if r not in shaped]
    only_shaped = [r for r in shaped if r not in reference]
    assert shaped == reference, (only_ref[:4], only_shaped[:4])


# --- targeted probes -------------------------------------------------------------------------------------------

def _one_rule(field: str):
    from checker.hardening import harden
    return [("fail", [{"s": harden({"$and": [{"kind": "t"}, {"$gt": {field: 0}}]})}])]


def test_field_name_with_at_sign():
    """Found by this probe: a class spec was split at its first '@', misreading a field whose name holds one (no
    shipped schema has one); it is read up to its last '@' now."""
    from tests.test_value_classes_fuzz import _compiled, _outcomes
    facts = [{"id": "1", "kind": "bundle"}, {"id": "2", "kind": "t", "a@b": 5}, {"id": "3", "kind": "t", "a@b": -1},
             {"id": "4", "kind": "t", "a@b": 7}]
    branches = _one_rule("a@b")
    reference = _outcomes(_compiled(branches, False), facts)
    assert _outcomes(_compiled(branches, True), facts) == reference


@pytest.mark.xfail(strict=True, reason="pre-existing durable-rules defect, not class grouping: a text value ('1', '') in a "
                                       "field rules compare with numbers matches depending on the other rules of the "
                                       "ruleset (node sharing); the unshaped reference fires an impossible rule "
                                       "(q <= 3 and q == 12)")
def test_numeric_text_depends_on_the_network():
    from tests.test_value_classes_fuzz import _compiled, _outcomes
    b0 = ("fail", [{"s": {"$and": [{"kind": "t"}, {"$lte": {"q": 3}}, {"q": 12}]}}])
    b1 = ("fail", [{"s": {"$and": [{"kind": "t"}, {"$lte": {"q": 12}}]}}])
    facts = [{"id": "1", "kind": "bundle"}, {"id": "3", "kind": "t", "q": "1"}]
    reference = _outcomes(_compiled([b0, b1], False), facts)
    assert reference == [("b1|fail|1", "3")]  # the reference also says b0 ("1" <= 3 and "1" == 12) fires
