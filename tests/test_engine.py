"""Regression tests for the durable-rules adapter (checker/engine.py).

Each guard is pinned twice: a test that reproduces the defect of the stock engine (so we notice if
a future release fixes or changes it) and a test that the adapter is not affected.  Shapes that can
crash the process run in a subprocess, so a segmentation fault fails one test instead of the run.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import textwrap
import threading

import pytest

from checker.engine import MAX_FACT_PROPERTIES, Engine, _engine_ids, count_properties, dumps, engine_id_hash
from checker.errors import EngineError

STOCK = textwrap.dedent("""
    import json, sys
    from durable import engine
    class Recorder(engine.Host):
        def __init__(self):
            self.sink = []
            super().__init__()
        def _run(self):
            pass
        def get_action(self, name):
            def act(c):
                self.sink.append(name)
            return act
""")


def run_stock(body: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", STOCK + textwrap.dedent(body)], capture_output=True, text=True, timeout=60,
                          env=None if env is None else {**os.environ, **env})


def simple_ruleset(name="t"):
    return (name, {
        "r": {"all": [{"m": {"$and": [{"kind": "n"}, {"$gt": {"v": 0}}]}}], "run": "r"},
        "__end__": {"all": [{"e": {"kind": "__end__"}}], "run": "__end__"},
        "__keep__": {"all": [{"k": {"$ex": {"kind": 1}}}, {"n": {"kind": "__never__"}}], "run": "__keep__"},
    }, {"n", "other"})


# -- 1. background timer threads ------------------------------------------------------------

def test_stock_host_starts_timer_threads():
    from durable import engine as durable_engine
    before = threading.active_count()
    durable_engine.Host()
    assert threading.active_count() > before  # dispatch and timer threads that are never stopped


def test_adapter_starts_no_threads():
    before = threading.active_count()
    e = Engine()
    e.evaluate([simple_ruleset("threads")], [{"id": "1", "kind": "n", "v": 1}])
    assert threading.active_count() == before


# -- 2. floats with an exponent --------------------------------------------------------------

def test_stock_engine_silently_drops_facts_after_an_exponent_float():
    proc = run_stock("""
        h = Recorder()
        h.register_rulesets({"t": {"r": {"all": [{"m": {"$gte": {"v": 0}}}], "run": "r"}}})
        h.assert_facts("t", [{"sid": "1", "id": str(i), "v": v} for i, v in enumerate([1.0, 1e-07, 2.0])])
        print(len(h.get_facts("t", "1")))
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "1"  # two of three facts lost, and no error


def test_adapter_serialises_floats_positionally_and_keeps_every_fact():
    assert dumps(1e-07) == "0.0000001" and dumps(1e16) == "10000000000000000.0" and dumps(2.5) == "2.5"
    e = Engine()
    facts = [{"id": str(i), "kind": "n", "v": v} for i, v in enumerate([1.0, 1e-07, 2.0, 1e20, 3e-12], 1)]
    result = e.evaluate([simple_ruleset("floats")], facts)
    assert sorted(f.fact("m") for f in result.firings) == ["1", "2", "3", "4", "5"]


def test_adapter_refuses_non_finite_numbers():
    with pytest.raises(EngineError, match="non-finite"):
        Engine().evaluate([simple_ruleset("nan")], [{"id": "1", "kind": "n", "v": float("nan")}])


# -- 3. 32-bit fact identity -----------------------------------------------------------------

def _colliding_pair(spell=lambda i: f"k{i}") -> tuple[str, str]:
    """The first two ids ``spell(0), spell(1) …`` whose identity hashes collide."""
    seen: dict[int, str] = {}
    i = 0
    while True:
        key = spell(i)
        h = engine_id_hash(key)
        if h in seen:
            return seen[h], key
        seen[h] = key
        i += 1


def _stock_engine_merges(a: str, b: str) -> None:
    """The stock engine takes the second of two facts whose ids collide for the first ("already observed")
    and keeps one."""
    proc = run_stock(f"""
        h = Recorder()
        h.register_rulesets({{"t": {{"r": {{"all": [{{"m": {{"$ex": {{"v": 1}}}}}}], "run": "r"}}}}}})
        try:
            h.assert_facts("t", [{{"sid": "1", "id": "{a}", "v": 1}}, {{"sid": "1", "id": "{b}", "v": 2}}])
        except Exception as exc:
            print(type(exc).__name__)
        print(len(h.get_facts("t", "1")))
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["MessageObservedException", "1"]


def test_identity_hash_matches_the_engine_and_stock_engine_merges_colliding_ids():
    _stock_engine_merges(*_colliding_pair())


def test_identity_hash_of_shadow_ids_matches_the_engine():
    """Shadow ids (``~kind~fields~id``) are hashed from their prefix's state: two the hash says collide
    collide in the engine too (not a text of the ASCII-only kind the test above uses)."""
    a, b = _colliding_pair(lambda i: f"~能源台账~=数量,?单位~{i}")
    assert engine_id_hash.__wrapped__(a) == engine_id_hash.__wrapped__(b)
    _stock_engine_merges(a, b)


def test_adapter_respells_colliding_ids():
    a, b = _colliding_pair()
    ids = _engine_ids([a, b])
    assert ids[0] == a and ids[1] != b and engine_id_hash(ids[0]) != engine_id_hash(ids[1])
    result = Engine().evaluate([simple_ruleset("collide")],
                               [{"id": a, "kind": "n", "v": 1}, {"id": b, "kind": "n", "v": 2}])
    assert sorted(f.fact("m") for f in result.firings) == sorted([a, b])


# -- 4. property limit -----------------------------------------------------------------------

@pytest.mark.parametrize(("n", "crashes"), [(251, False), (252, True)])
def test_stock_engine_crashes_past_254_properties(n, crashes):
    proc = run_stock(f"""
        h = Recorder()
        h.register_rulesets({{"t": {{"r": {{"all": [{{"m": {{"$ex": {{"kind": 1}}}}}}], "run": "r"}}}}}})
        f = {{"sid": "1", "id": "1", "kind": "p", **{{f"k{{i}}": i for i in range({n})}}}}
        h.assert_facts("t", [f]); print("ok")
    """)
    assert (proc.returncode < 0) is crashes, (proc.returncode, proc.stderr[-300:])


def test_adapter_refuses_oversized_facts():
    big = {"id": "1", "kind": "n", "v": 1, "o": {f"k{i}": i for i in range(MAX_FACT_PROPERTIES)}}
    assert count_properties({"a": {"b": 1, "c": [1, 2, {"d": 1}]}}) == 3  # array items do not count
    with pytest.raises(EngineError, match="properties"):
        Engine().evaluate([simple_ruleset("big")], [big])


# -- 5. delete_state of a session that never ran an action -----------------------------------

@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="MALLOC_PERTURB_ is glibc's")
def test_stock_engine_crashes_deleting_a_session_without_actions():
    """The stock engine reads memory it never set when it deletes such a session: whether that crashes depends on
    what the heap held before (it survived on some runs and crashed on others).  With glibc filling every block it
    hands out and every block freed (``MALLOC_PERTURB_``), it crashes every time."""
    proc = run_stock("""
        h = Recorder()
        h.register_rulesets({"t": {"r": {"all": [{"m": {"v": 99}}], "run": "r"}}})
        try:
            h.assert_facts("t", [{"sid": "1", "id": "1", "v": 1}])
        except Exception:
            pass
        h.delete_state("t", "1"); print("survived")
    """, env={"MALLOC_PERTURB_": "165"})
    assert proc.returncode < 0 and "survived" not in proc.stdout


def test_adapter_always_runs_the_end_action_and_deletes_the_session():
    e = Engine()
    name, definition, kinds = simple_ruleset("sessions")
    for _ in range(3):
        e.evaluate([(name, definition, kinds)], [{"id": "1", "kind": "n", "v": -1}])  # nothing fires but __end__
    ruleset = e._host.get_ruleset(name)
    with pytest.raises(Exception):
        ruleset.get_state(f"{__import__('os').getpid()}-1")  # deleted


# -- 6. unhandled facts ----------------------------------------------------------------------

def test_stock_engine_rejects_a_batch_with_an_unhandled_fact_and_loses_its_actions():
    proc = run_stock("""
        h = Recorder()
        h.register_rulesets({"t": {"r": {"all": [{"m": {"kind": "a"}}], "run": "r"}}})
        try:
            h.assert_facts("t", [{"sid": "1", "id": "1", "kind": "a"}, {"sid": "1", "id": "2", "kind": "zz"}])
        except Exception as exc:
            print(type(exc).__name__)
        print(len(h.sink))
    """)
    assert proc.stdout.split() == ["MessageNotHandledException", "0"]


def test_adapter_accepts_facts_no_rule_reads():
    result = Engine().evaluate([simple_ruleset("keep")], [{"id": "1", "kind": "other"}, {"id": "2", "kind": "n", "v": 1}])
    assert [f.fact("m") for f in result.firings] == ["2"]
    assert result.facts_asserted == 3  # both facts and the sentinel were stored


# -- 7. cross-fact reference to a missing field (error 311) ------------------------------------

def test_stock_engine_rejects_a_batch_when_a_referenced_field_is_missing():
    proc = run_stock("""
        h = Recorder()
        h.register_rulesets({"t": {"r": {"all": [{"a": {"kind": "a"}}, {"b": {"$and": [{"kind": "b"}, {"$gt": {"d": {"a": "d"}}}]}}], "run": "r"}}})
        try:
            h.assert_facts("t", [{"sid": "1", "id": "1", "kind": "a"}, {"sid": "1", "id": "2", "kind": "b", "d": 3}])
            print("ok")
        except Exception as exc:
            print("error", "311" in str(exc))
    """)
    assert proc.stdout.split() == ["error", "True"]


def test_compiled_joins_guard_referenced_fields():
    import pathlib
    import shutil
    import tempfile

    from checker.check import run_check

    from .conftest import BASE_FIXTURE, edit_text
    with tempfile.TemporaryDirectory() as tmp:
        dest = pathlib.Path(tmp) / "b"
        shutil.copytree(BASE_FIXTURE, dest)
        mr = dest / "management_review.yaml"
        edit_text(mr, "    date: 2024-12-18\n", "")
        assert "date: 2024-12-18" not in mr.read_text(encoding="utf-8")
        # a review without a date: schema error, so check a join on another subject field instead
        # (the review period whose start the cited audit is compared with)
        edit_text(mr, "  - id: MR-2024\n", "  - id: MR-2024\n    date: 2024-12-18\n")
        edit_text(mr, "    review_period: {start: 2024-01-01, end: 2024-11-30}\n", "")
        report = run_check(dest)
    [r] = [r for r in report.results if r.rule == "zc001-10.3-audit-current"]
    assert r.status.value == "nonconformity"  # judged, not an engine error


# -- 8. the shapes the compiler emits, in a subprocess ---------------------------------------

SHAPES_SCRIPT = textwrap.dedent("""
    import json, sys
    from checker.engine import Engine
    from checker.check import compiled_pack
    from checker.facts import build_facts
    from checker.bundle import load_bundle
    from checker.schemas import load_schemas
    compiled = compiled_pack("t-cpqs-zc001-2025")
    schemas = load_schemas()
    bundle = load_bundle(sys.argv[1], schemas.table_fields())
    facts = build_facts(bundle, schemas, compiled.anchors, compiled.pack.aggregates.values())
    base = facts.facts
    e = Engine()
    e.evaluate([(r.name, r.definition, r.feed) for r in compiled.rulesets], base)
    runs = 0
    # drop each field of each kind in turn (from the first fact of the kind that has it): every
    # compiled branch sees each of its properties missing
    seen = set()
    for i, fact in enumerate(base):
        for key in [k for k in fact if k not in ("id", "kind", "_doc", "_parent")]:
            if (fact["kind"], key) in seen:
                continue
            seen.add((fact["kind"], key))
            variant = [dict(f) for f in base]
            del variant[i][key]
            # only the rulesets given facts of this kind can see the field missing
            readers = [(r.name, r.definition, r.feed) for r in compiled.rulesets
                       if fact["kind"] in r.feed.kinds or any(s[1] == fact["kind"] for s in r.feed.shadows)]
            e.evaluate(readers, variant)
            runs += 1
    print("runs", runs)
""")


def test_compiled_shapes_survive_every_missing_field():
    from .conftest import BASE_FIXTURE, ROOT
    proc = subprocess.run([sys.executable, "-c", SHAPES_SCRIPT, str(BASE_FIXTURE)], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    assert int(proc.stdout.split()[1]) > 50


# -- isolation and cross-checks ----------------------------------------------------------------

def test_bundles_checked_in_sequence_do_not_leak_into_each_other():
    from checker.check import run_check
    from checker.reporters import json_report

    from .conftest import CONFORMING, DEFECTIVE
    alone_d = json_report.render(run_check(DEFECTIVE))
    alone_c = json_report.render(run_check(CONFORMING))
    for _ in range(3):
        assert json_report.render(run_check(CONFORMING)) == alone_c
        assert json_report.render(run_check(DEFECTIVE)) == alone_d


def test_a_lost_firing_becomes_an_error_result_not_a_pass():
    from checker.bundle import load_bundle
    from checker.check import compiled_pack
    from checker.engine import shared_engine
    from checker.evidence import validate_bundle
    from checker.facts import build_facts
    from checker.schemas import load_schemas
    from checker.verdicts import rule_results

    from .conftest import DEFECTIVE
    compiled = compiled_pack("t-cpqs-zc001-2025")
    schemas = load_schemas()
    bundle = load_bundle(DEFECTIVE, schemas.table_fields())
    assert validate_bundle(bundle, schemas) == []
    facts = build_facts(bundle, schemas, compiled.anchors, compiled.pack.aggregates.values())
    evaluation = shared_engine().evaluate([(r.name, r.definition, r.feed) for r in compiled.rulesets], facts.facts)
    # simulate the stock engine's lost findings: drop every firing of one rule
    evaluation.firings = [f for f in evaluation.firings if not f.branch.startswith("zc001-6.2-d|")]
    [r] = [r for r in rule_results(compiled, facts, evaluation, schemas) if r.rule == "zc001-6.2-d"]
    assert r.status.value == "error" and "claimed by 0 outcomes" in r.message.en


# -- 9. cross-fact predicates: the expression-sequence defects, and the compiler's hardening ---

SEQUENCE_SCRIPT = textwrap.dedent("""
    import json, sys
    expr, d, hardened = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
    definition = {"r": {"all": [{"b": {"kind": "bundle"}}, {"s": expr}], "run": "r"},
                  "__end__": {"all": [{"e": {"kind": "__end__"}}], "run": "__end__"},
                  "__keep__": {"all": [{"k": {"$ex": {"kind": 1}}}, {"n": {"kind": "__never__"}}], "run": "__keep__"}}
    facts = [{"id": "b", "kind": "bundle", "x": 100}, {"id": "1", "kind": "t", "d": d, "z": 1}]
    if hardened:  # through the adapter, which hardens what it registers
        from checker.engine import Engine
        fired = Engine().evaluate([("seq", definition, {"t", "bundle"})], facts).firings
    else:  # the stock engine, given the pattern as written
        from durable import engine
        class Host(engine.Host):
            def _run(self):
                pass
            def get_action(self, name):
                return lambda c: sink.append(name)
        sink = []
        h = Host()
        h.register_rulesets({"seq": definition})
        h.assert_facts("seq", [dict(f, sid="1") for f in facts])
        fired = [n for n in sink if n == "r"]
    print("fired" if fired else "no")
""")


def run_sequence(expr: dict, d: int, hardened: bool) -> str:
    from .conftest import ROOT
    proc = subprocess.run([sys.executable, "-c", SEQUENCE_SCRIPT, json.dumps(expr), str(d), "1" if hardened else "0"],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    return "crash" if proc.returncode < 0 else proc.stdout.strip() or proc.stderr[-200:]


REF_FALSE_LAST = {"$and": [{"kind": "t"}, {"$lt": {"d": {"b": "x"}}}]}
REF_AFTER_GROUP = {"$and": [{"kind": "t"}, {"$or": [{"z": 1}, {"z": 2}]}, {"$lt": {"d": {"b": "x"}}}]}


def _registered_patterns(definitions: dict):
    for definition in definitions.values():
        for rule in definition.values():
            for key in ("all", "any"):
                for pattern in rule.get(key, []):
                    yield from (expr for expr in pattern.values() if isinstance(expr, dict))


def test_no_registered_group_ends_with_a_cross_fact_predicate_that_can_be_false(monkeypatch):
    """When a group's last cross-fact predicate is false the stock engine reads past the end of its
    expression array (d=150 is not < x=100 in REF_FALSE_LAST).  What that read does depends on the heap:
    on this machine the stock engine usually answers "no" instead of crashing, so running it proves
    nothing.  The defect is guarded by shape instead: whatever the adapter registers, from this
    pattern and from every shipped pack, closes the cross-fact predicates of each group with the
    always-true id test."""
    from checker.check import compiled_pack
    from checker.hardening import _is_tautology, _ref_alias
    from checker.packs import available_packs
    engine, registered = Engine(), {}
    monkeypatch.setattr(engine._host, "register_rulesets", registered.update)
    engine._register("seq", {"r": {"all": [{"b": {"kind": "bundle"}}, {"s": REF_FALSE_LAST}], "run": "r"}})
    assert registered["seq"]["r"]["all"][1]["s"] == {
        "$and": [{"kind": "t"}, {"$lt": {"d": {"b": "x"}}}, {"$neq": {"id": {"b": "id"}}}]}
    for pack_id in available_packs():
        for ruleset in compiled_pack(pack_id).rulesets:
            engine._register(ruleset.name, ruleset.definition)
    checked = 0
    for expr in _registered_patterns(registered):
        items = expr["$and"] if list(expr) == ["$and"] else [expr]
        refs = [i for i, item in enumerate(items) if _ref_alias(item)]
        if refs:
            checked += 1
            assert _is_tautology(items[refs[-1]]), expr
    assert checked > 1  # the packs have join rules: the loop above judged real patterns


def test_stock_shape_skips_a_predicate_written_after_a_nested_group():
    assert run_sequence(REF_AFTER_GROUP, 150, hardened=False) == "fired"  # wrong: 150 < 100 is false


@pytest.mark.parametrize("expr", [REF_FALSE_LAST, REF_AFTER_GROUP], ids=["false-last", "after-group"])
@pytest.mark.parametrize(("d", "expected"), [(50, "fired"), (150, "no")])
def test_hardened_shapes_evaluate_correctly(expr, d, expected):
    assert run_sequence(expr, d, hardened=True) == expected


def test_harden_refuses_cross_fact_predicates_under_or():
    from checker.hardening import UnsafeShape, harden
    with pytest.raises(UnsafeShape):
        harden({"$and": [{"kind": "t"}, {"$or": [{"$nex": {"d": 1}}, {"$lt": {"d": {"b": "x"}}}]}]})
    same = {"$and": [{"kind": "t"}, {"$ex": {"d": 1}}]}
    assert harden(same) is same


def _reference_cross_check(rf, subjects, applicable):
    """The cross-check as first written (sets of every claim): the fast one must say the same."""
    claims = set(rf.passes) | set(rf.fails) | rf.skips
    exact = len(claims) == len(rf.passes) + len(rf.fails) + len(rf.skips) and claims == set(subjects)
    problems = [f"subject {sid} claimed by {n} outcomes" for sid in (() if exact else subjects)
                if (n := (sid in rf.passes) + (sid in rf.fails) + (sid in rf.skips)) != 1]
    stray = () if exact else claims.difference(subjects)
    if stray:
        problems.append(f"{len(stray)} firings name subjects of another kind")
    if rf.nones != (0 if applicable else 1):
        problems.append(f"'no subject' fired {rf.nones} times with {len(applicable)} applicable subjects")
    return problems


def test_the_cross_check_finds_every_subject_claimed_twice_never_or_astray():
    import random
    from types import SimpleNamespace

    from checker.firings import RuleFirings
    from checker.verdicts import _cross_check
    rng = random.Random(5)
    for _ in range(3000):
        n = rng.randint(0, 6)
        subjects = [f"s{i}" for i in range(n)]
        pool = [*subjects, "x1", "x2"]  # x: a subject of another kind
        a, b, c = ({s for s in pool if rng.random() < 0.4} for _ in range(3))
        rf = RuleFirings(dict.fromkeys(a, ()), dict.fromkeys(b, ()), c, rng.randint(0, 1))
        if rng.random() < 0.5:  # the common shapes: every subject claimed once
            order = rng.sample(subjects, n)
            cut = sorted(rng.randint(0, n) for _ in range(2))
            rf = RuleFirings(dict.fromkeys(order[:cut[0]], ()), dict.fromkeys(order[cut[0]:cut[1]], ()),
                             set(order[cut[1]:]), 0 if n else 1)
        facts = SimpleNamespace(sources={s: SimpleNamespace(key=s) for s in pool})
        assert _cross_check(rf, facts, subjects, subjects) == _reference_cross_check(rf, subjects, subjects)


def test_a_large_evaluation_deletes_each_ruleset_after_use_with_the_same_results(monkeypatch):
    """From ``LEAN_FROM`` facts, each ruleset is deleted from the engine once its sessions are done and
    created again when next needed (issue 15: the rulesets of one pack hold ~30 MB at the peak): the report is
    the same as with rulesets kept, run after run in one process."""
    from checker import engine
    from checker.check import compiled_pack, run_check
    from checker.reporters.json_report import render

    from .conftest import EVIDENCE

    def report() -> bytes:
        return render(run_check(EVIDENCE / "lvgu-park"))

    first = run_check(EVIDENCE / "lvgu-park")
    kept = render(first)
    names = {r.name for p in first.packs for r in compiled_pack(p.id).rulesets}
    shared = engine.shared_engine()
    assert names <= shared._registered and names <= set(shared._host._ruleset_directory)
    monkeypatch.setattr(engine, "LEAN_FROM", 1)
    lean = [report(), report()]  # the second registers again what the first deleted
    assert names.isdisjoint(shared._registered) and names.isdisjoint(shared._host._ruleset_directory)
    assert lean == [kept, kept]


def test_a_ruleset_the_engine_cannot_delete_is_an_engine_error(monkeypatch):
    """Deleting a ruleset after a large evaluation (``LEAN_FROM``) that the engine refuses stops the check with
    an ``EngineError`` naming the ruleset, never a bare exception."""
    from checker import engine
    from checker.check import run_check

    from .conftest import EVIDENCE

    def refuse(handle):
        raise RuntimeError("error code: 7")

    monkeypatch.setattr(engine, "LEAN_FROM", 1)
    monkeypatch.setattr(engine.durable_rules_engine, "delete_ruleset", refuse)
    with pytest.raises(EngineError, match=r"could not delete ruleset .*error code: 7"):
        run_check(EVIDENCE / "lvgu-park")
