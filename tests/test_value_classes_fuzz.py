"""Random engine rules over fields compared with number constants: the shaped feed (class specs, subject groups,
shadows, partitions) against the unshaped reference, at the engine level."""
from __future__ import annotations

import itertools
import random

import pytest

from checker import feed
from checker.compiler import Branch, _Ruleset
from checker.engine import Engine
from checker.hardening import harden

ENGINE = Engine()
_NAMES = itertools.count()
CONSTS = [0, 0.5, 1, -1, 12, 0.01, 2, 3]


def _leaf(rng, field, consts):
    c = rng.choice(consts)
    kind = rng.randrange(9)
    if kind < 4:
        return {rng.choice(["$gt", "$gte", "$lt", "$lte"]): {field: c}}
    if kind == 4:
        return {"$neq": {field: c}}
    if kind == 5:
        return {field: c}
    if kind == 6:
        return {"$nex": {field: 1}}
    if kind == 7:
        return {"$ex": {field: 1}} if rng.random() < 0.7 else {"$and": [{"$ex": {field: 1}}, {"$ex": {"r": 1}},
                                                                       {"$gt": {field: {"$m": "r"}}}]}
    return {"$or": [_leaf(rng, field, consts), _leaf(rng, field, consts)]}


def _cond(rng, fields, depth=0):
    n = rng.randint(1, 3)
    parts = []
    for _ in range(n):
        if depth < 2 and rng.random() < 0.3:
            sub = _cond(rng, fields, depth + 1)
            parts.append({"$or": sub["$and"]} if rng.random() < 0.5 else sub)
        else:
            parts.append(_leaf(rng, rng.choice(fields), CONSTS))
    return {"$and": parts}


def _pattern(kind, *conds):
    items = [{"kind": kind}]
    for c in conds:
        items.extend(c["$and"] if list(c) == ["$and"] else [c])
    return harden({"$and": items})


def _branches(rng):
    """(outcome, patterns) of a few engine rules like the compiler's."""
    out = []
    for _ in range(6):
        shape = rng.randrange(11)
        cs = _cond(rng, ["q", "r"])
        cp = _cond(rng, ["q", "w"])
        if shape == 0:
            out.append(("fail", [{"s": _pattern("t", cs)}]))
        elif shape == 1:
            out.append(("pass", [{"s": _pattern("t", cs)}, {"p0": _pattern("u", cp, {"k": {"s": "k"}})}]))
        elif shape == 2:
            out.append(("fail", [{"s": _pattern("t", cs, {"$ex": {"k": 1}})}, {"e": {"kind": "__end__"}},
                                 {"p0$not": _pattern("u", cp)}]))
        elif shape == 3:
            out.append(("none", [{"e": {"kind": "__end__"}}, {"s$not": _pattern("t", cs)}]))
        elif shape == 4:
            out.append(("fail", [{"s": _pattern("t", cs, {"$ex": {"k": 1}})}, {"p0": _pattern("u", cp, {"k": {"s": "k"}})}]))
        elif shape == 5:  # a partner compares its own field with the subject's q (a field the subject classes)
            op = rng.choice(["$gt", "$lte", "$neq"])
            out.append(("pass", [{"s": _pattern("t", cs, {"$ex": {"q": 1}})},
                                 {"p0": _pattern("u", cp, {op: {"w": {"s": "q"}}})}]))
        elif shape == 6:
            op = rng.choice(["$gt", "$lte", "$neq"])
            out.append(("fail", [{"s": _pattern("t", cs, {"$ex": {"q": 1}})},
                                 {"p0": _pattern("u", cp, {op: {"w": {"s": "q"}}})}]))
        elif shape == 8:  # the subject equated with a field of the bundle: its groups are filtered per session
            out.append(("fail", [{"s": _pattern("t", cs, {"k": {"b": "bk"}})}]) if False else
                       ("fail", [{"b": _pattern("bundle", {"$ex": {"bk": 1}})}, {"s": _pattern("t", cs, {"k": {"b": "bk"}})}]))
        elif shape == 9:  # a self-join, fact by fact
            out.append(("fail", [{"s": _pattern("t", cs, {"$ex": {"k": 1}})},
                                 {"p0": _pattern("t", _cond(rng, ["q", "w"]), {"k": {"s": "k"}})}]))
        elif shape == 10:  # a pass partner of the subject's kind equated by k (not shadowed), and a negated one
            out.append(("pass", [{"s": _pattern("t", cs, {"$ex": {"k": 1}})}, {"e": {"kind": "__end__"}},
                                 {"p0$not": _pattern("u", cp, {"k": {"s": "k"}})}]))
        else:  # two negated partners of one kind, each with its own constants
            out.append(("fail", [{"s": _pattern("t", cs)}, {"e": {"kind": "__end__"}},
                                 {"p0$not": _pattern("u", cp)}, {"p1$not": _pattern("u", _cond(rng, ["q", "w"]))}]))
    return out


def _compiled(branches, shape):
    rs = _Ruleset()
    for i, (outcome, patterns) in enumerate(branches):
        rs.add(Branch(f"b{i}|{outcome}|{i}", f"b{i}", outcome, "x"), {"all": patterns}, shape)
    return rs.close(f"fuzz{next(_NAMES)}")


EXTRA = __import__('os').environ.get('FUZZ_EXTRA', '')
EXTRA = [] if not EXTRA else __import__('json').loads(EXTRA)
POOL = [0, 0.0, -0.0, 0.5, 0.49999999999999994, 0.5000000000000001, 1, 1.0, -1, -1.0, 12, 12.0, 11.999999999999998,
        12.000000000000002, 0.01, 0.009999999999999998, 0.010000000000000002, 2, 3, 2.5, 100, 7, -5, 10 ** 20,
        -(10 ** 20), 2 ** 63, 1e22, 1e-300, 5e-324, True, False, None, *EXTRA]


def _facts(rng, n):
    facts = [{"id": "1", "kind": "bundle", "bk": rng.choice([1, 2, "a"])}]
    for i in range(n):
        kind = rng.choice("tu")
        fact = {"id": str(i + 2), "kind": kind, "k": rng.choice([1, 2, "a"])}
        for f in ("q", "r", "w"):
            if rng.random() < 0.85:
                v = rng.choice(POOL) if rng.random() < 0.5 else rng.choice([rng.uniform(-2, 14), rng.randint(-2, 14)])
                fact[f] = v
        facts.append(fact)
    return facts


def _outcomes(compiled, facts):
    try:
        ev = ENGINE.evaluate([(compiled.name, compiled.definition, compiled.feed)], facts)
    finally:
        if compiled.name in ENGINE._registered:
            ENGINE._unregister(compiled.name)
    return sorted({(f.branch, f.fact("s") or "-") for f in ev.expanded()})


@pytest.mark.parametrize("limit", [None, 3])
@pytest.mark.parametrize("seed", range(40))
def test_random_rules_give_reference(seed, limit, monkeypatch):
    rng = random.Random(seed)
    branches = _branches(rng)
    facts = _facts(rng, rng.randint(5, 30))
    reference = _outcomes(_compiled(branches, False), facts)
    if limit:
        monkeypatch.setattr(feed, "SESSION_FACTS", limit)
    shaped_c = _compiled(branches, True)
    assert any(s[0] == "<" for _, _, f in shaped_c.feed.shadows for s in f) or True
    shaped = _outcomes(shaped_c, facts)
    only_ref = [x for x in reference if x not in shaped]
    only_sh = [x for x in shaped if x not in reference]
    assert shaped == reference, (only_ref[:5], only_sh[:5], branches)
