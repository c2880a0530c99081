"""The engine's feed (checker.feed, checker.shaping): giving each session only what its rules read
must never change a result.

The reference is the same pack compiled without shaping (every pattern reads every fact whole, one
session per ruleset).  The shaped feed - kinds and fields read, shadow facts for existence questions,
filters by join equality, sessions of bounded size - must give the same results on every example
park and on the fixtures, also when the session limit is so small that every large kind is split.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checker import feed
from checker.check import load_and_validate
from checker.compiler import compile_pack
from checker.engine import Engine, _matched
from checker.evidence import accept_gaps, split_gaps
from checker.facts import build_facts
from checker.feed import Feed, Planner, _keyed_chunks
from checker.packs import get_pack
from checker.schemas import load_schemas
from checker.verdicts import rule_results

ROOT = Path(__file__).resolve().parent.parent
BUNDLES = sorted(p.parent for p in [*ROOT.glob("evidence/*/bundle.yaml"), *ROOT.glob("rules/*/fixtures/*/bundle.yaml")])


def _results(bundle, pack_id: str, shape: bool):
    schemas = load_schemas()
    compiled = compile_pack(get_pack(pack_id), schemas, shape=shape)
    facts = build_facts(bundle, schemas, compiled.anchors, list(compiled.pack.aggregates.values()),
                        compiled.pack.derived)
    evaluation = Engine().evaluate([(r.name, r.definition, r.feed) for r in compiled.rulesets], facts.facts)
    results = rule_results(compiled, facts, evaluation, schemas)
    # what a result is: verdict, grade, the subject and every piece of evidence it rests on (the wording
    # of a pass message may name another example partner: a shadow stands for the first one listed)
    return sorted((r.rule, r.status.value, r.grade.value if r.grade else None, r.subject or "", r.missing or "",
                   tuple((e.file, e.pointer, e.line) for e in r.evidence),
                   r.message.zh if r.status.value != "conform" else "") for r in results), evaluation


@pytest.fixture(scope="module", params=BUNDLES, ids=lambda p: str(p.relative_to(ROOT)))
def bundle(request):
    loaded, problems = load_and_validate(request.param)
    errors, gaps = split_gaps(problems)
    assert not errors
    accept_gaps(loaded, gaps)
    return loaded


def test_shaped_feed_gives_the_reference_results(bundle, monkeypatch):
    for pack_id in bundle.manifest.data["standards"]:
        reference, plain = _results(bundle, pack_id, shape=False)
        shaped, fed = _results(bundle, pack_id, shape=True)
        assert shaped == reference, pack_id
        assert len(fed.firings) <= len(plain.firings)  # an existence question fires once, not per partner
        monkeypatch.setattr(feed, "SESSION_FACTS", 8)  # every kind of more than 2 facts is split
        split, small = _results(bundle, pack_id, shape=True)
        assert split == reference, pack_id
        assert small.sessions > fed.sessions
        monkeypatch.undo()


def test_shadows_are_the_distinct_projections_each_standing_for_its_first_fact():
    facts = [{"id": "1", "kind": "k", "a": 1, "b": "x"}, {"id": "2", "kind": "k", "a": 1, "b": "y"},
             {"id": "3", "kind": "k", "a": 2, "b": "x"}, {"id": "4", "kind": "k", "b": "z"}]
    shadows = Planner(facts).shadows("~k~=a", "k", ("=a",))
    assert [s["id"].rsplit("~", 1)[1] for s in shadows] == ["1", "3", "4"]
    assert [s.get("a") for s in shadows] == [1, 2, None]
    presence = Planner(facts).shadows("~k~?a", "k", ("?a",))
    assert [(s["id"].rsplit("~", 1)[1], s.get("a")) for s in presence] == [("1", True), ("4", None)]


def test_a_filter_keeps_every_fact_that_could_equal_a_referenced_value():
    facts = [{"id": "1", "kind": "s", "ref": "A-1"}, {"id": "2", "kind": "s", "ref": "7"},
             {"id": "3", "kind": "p", "number": "A-1"}, {"id": "4", "kind": "p", "number": "B-2"},
             {"id": "5", "kind": "p", "number": 7}, {"id": "6", "kind": "p"}, {"id": "7", "kind": "p", "number": ["A-1"]}]
    planner = Planner(facts)
    kept = planner._filtered("p", (("number", "s", "ref"),), {"s": facts[:2]})
    # B-2 cannot equal A-1 or "7"; a fact without the field equals nothing; a list is always given
    assert [f["id"] for f in kept] == ["3", "5", "7"]


def test_a_kind_read_twice_is_split_only_by_a_field_both_patterns_equate():
    facts = [{"id": str(i), "kind": "d", "number": f"N{i % 3}"} for i in range(1, 10)] + [{"id": "10", "kind": "d"}]
    chunks = list(_keyed_chunks(facts, "number", 4))
    for chunk in chunks:
        numbers = {f.get("number") for f in chunk}
        for other in chunks:
            if other is not chunk:
                assert not numbers & {f.get("number") for f in other} - {None}
    assert sorted(f["id"] for c in chunks for f in c) == sorted(f["id"] for f in facts)
    reads = (("r|pass|0", ("d", "!d")),)
    assert feed._split_key(Feed(frozenset({"d"}), reads=reads, keys=(("r|pass|0", "d", ("number",)),)), "d") == "number"
    assert feed._split_key(Feed(frozenset({"d"}), reads=reads, keys=(("r|pass|0", "d", ()),)), "d") is None


def test_an_action_message_is_read_in_full_when_a_fact_could_pass_for_an_alias():
    aliases = {"r|pass|0": frozenset({"s", "b"})}
    plain = '{"r|pass|0":{"s":{"id":"12","sid":"1","kind":"k","x":1},"b":{"id":"1","sid":"1","kind":"bundle"}}}'
    assert _matched(plain, aliases) == ("r|pass|0", {"s": "12", "b": "1"})
    # a fact whose content looks like another alias with an id: the message is parsed, not scanned
    forged = ('{"r|pass|0":{"s":{"id":"12","sid":"1","kind":"k","x":{"p0":{"id":"99"}}},'
              '"b":{"id":"1","sid":"1","kind":"bundle"}}}')
    assert _matched(forged, aliases) == ("r|pass|0", {"s": "12", "b": "1"})
    escaped = '{"r|pass|0":{"s":{"id":"12","sid":"1","kind":"k","t":"a\\"s\\":{\\"id\\":\\"5"},"b":{"id":"1"}}}'
    assert _matched(escaped, aliases) == ("r|pass|0", {"s": "12", "b": "1"})


def test_the_engine_echoes_each_fact_with_its_id_first(monkeypatch):
    """The scan of action messages rests on the engine echoing facts as they were asserted (id first):
    on every action of an example park the scan gives exactly what a full parse gives."""
    import json

    from checker import engine as engine_module
    from checker.check import compiled_pack

    seen = []
    scan = engine_module._matched

    def compare(message, aliases):
        got = scan(message, aliases)
        action, matched = next(iter(json.loads(message).items()))
        assert got == (action, {a: str(f["id"]) for a, f in matched.items() if isinstance(f, dict)})
        seen.append(action)
        return got

    monkeypatch.setattr(engine_module, "_matched", compare)
    loaded, problems = load_and_validate(ROOT / "evidence" / "donghu-park")
    accept_gaps(loaded, split_gaps(problems)[1])
    compiled = compiled_pack("t-cpqs-zc001-2025")
    schemas = load_schemas()
    facts = build_facts(loaded, schemas, compiled.anchors, list(compiled.pack.aggregates.values()),
                        compiled.pack.derived)
    Engine().evaluate([(r.name, r.definition, r.feed) for r in compiled.rulesets], facts.facts)
    assert len(seen) > 100


def test_a_subject_whose_engine_id_is_compared_is_not_grouped():
    from checker.shaping import shape_branch
    compared = {"all": [{"s": {"$and": [{"kind": "k"}, {"a": 1}]}},
                        {"p0": {"$and": [{"kind": "q"}, {"_parent": {"s": "id"}}, {"$neq": {"id": {"s": "id"}}}]}}]}
    assert shape_branch("fail", compared).groups == set()
    by_field = {"all": [{"s": {"$and": [{"kind": "k"}, {"a": 1}]}},
                        {"p0": {"$and": [{"kind": "q"}, {"b": {"s": "a"}}, {"$neq": {"id": {"s": "id"}}}]}}]}
    assert shape_branch("fail", by_field).groups == {"~k~=a~subject"}


def test_a_filtered_kind_too_large_for_one_session_is_given_in_chunks():
    """Many facts sharing the value a filter matches (the generated auditors share one name) are given in
    sessions of at most the limit; only the branches reading that kind count after the first chunk, and
    its projection of every fact is never made (it is projected per session, as given)."""
    facts = [{"id": "1", "kind": "s", "name": "A", "x": 1}, *({"id": str(i), "kind": "p", "name": "A", "y": i}
                                                            for i in range(2, 12))]
    fed = Feed(frozenset({"s", "p"}), reads=(("r|fail|0", ("s", "p")), ("r|pass|0", ("s",))),
               filters=(("p", (("name", "s", "name"),)),), fields=(("p", ("=name",)), ("s", ("=name",))))
    planner = Planner(facts, limit=4)
    planner.expect([fed])
    sessions = list(planner.sessions(fed))
    given = [[f["id"] for f in s.facts if f["kind"] == "p"] for s in sessions]
    assert given == [["2", "3", "4", "5"], ["6", "7", "8", "9"], ["10", "11"]]
    assert [s.keep for s in sessions] == [None, frozenset({"r|fail|0"}), frozenset({"r|fail|0"})]
    assert all(any(f["kind"] == "s" for f in s.facts) for s in sessions)
    assert ("p", ("=name",)) not in planner._projected
    negated = Feed(fed.kinds, reads=(("r|pass|0", ("s", "!p")),), filters=fed.filters, fields=fed.fields)
    assert len(list(planner.sessions(negated))) == 1  # a negated read sees every partner at once


def test_a_kind_only_unsplit_branches_read_is_given_to_the_first_session_only():
    """A split feed: a kind that only branches reading no split kind read ("d": a document's existence question)
    is needed once, so only the first session is given it, and that session's part of the split kind is smaller
    by as much (memory: the engine holds ~10 kB a fact).  Kinds a split branch reads ("s") go to every session."""
    facts = [{"id": "1", "kind": "s", "x": 1}, {"id": "2", "kind": "d", "y": 1}, {"id": "3", "kind": "d", "y": 2},
             *({"id": str(i), "kind": "r", "z": i} for i in range(4, 14))]
    fed = Feed(frozenset({"s", "d", "r"}), reads=(("a|fail|0", ("r", "s")), ("b|fail|0", ("d",))))
    planner = Planner(facts, limit=8)
    planner.expect([fed])
    sessions = list(planner.sessions(fed))
    kinds = [[f["kind"] for f in s.facts] for s in sessions]
    records = [[f["id"] for f in s.facts if f["kind"] == "r"] for s in sessions]
    assert [k.count("d") for k in kinds] == [2] + [0] * (len(sessions) - 1)
    assert all(k.count("s") == 1 for k in kinds)
    assert [len(r) for r in records] == [6, 4]  # 8 less the two "d" facts, then the rest
    assert sorted((r for rs in records for r in rs), key=int) == [str(i) for i in range(4, 14)]  # every record once
    assert [s.keep for s in sessions][1:] == [frozenset({"a|fail|0"})] * (len(sessions) - 1)
