"""Facts keep only what is read once they are built (issue 15, memory): ``FactBase.narrow`` with
``checker.projection.fields_read``.  The engine must be given exactly the same facts (as JSON values)
and fire exactly the same way; derived values and kinds read whole stay; the evidence is untouched."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bench.ledger import write_ledger
from checker import factbase
from checker.check import compiled_pack, load_and_validate
from checker.engine import Engine, dumps
from checker.evidence import accept_gaps, split_gaps
from checker.factrows import DEFER_FROM
from checker.facts import build_facts
from checker.feed import Feed, Planner
from checker.packs import available_packs
from checker.projection import fields_read
from checker.schemas import load_schemas

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.parent for p in ROOT.glob("evidence/*/bundle.yaml"))


def _facts(folder: Path, packs: list):
    bundle, problems = load_and_validate(folder)
    errors, gaps = split_gaps(problems)
    assert not errors
    accept_gaps(bundle, gaps)
    schemas = load_schemas()
    anchors = set().union(*(c.anchors for c in packs))
    aggregates = {a.name: a for c in packs for a in c.pack.aggregates.values()}
    derived = {(d.kind, d.field): d for c in packs for d in c.pack.derived}
    return build_facts(bundle, schemas, anchors, list(aggregates.values()), list(derived.values()))


def _given(packs: list, facts: list[dict]) -> list:
    """Every session every ruleset of the packs is given, as JSON values (key order aside)."""
    out = []
    for c in packs:
        planner = Planner(facts)
        for r in c.rulesets:
            for session in planner.sessions(r.feed):
                out.append((r.name, [json.loads(dumps(f)) for f in session.facts], session.keep))
    return out


def _firings(packs: list, facts: list[dict]) -> list:
    return [sorted(Engine().evaluate([(r.name, r.definition, r.feed) for r in c.rulesets], list(facts)).firings)
            for c in packs]


@pytest.mark.parametrize("folder", EXAMPLES, ids=lambda p: p.name)
def test_narrowed_facts_give_the_engine_the_same_facts_and_the_same_firings(folder):
    packs = [compiled_pack(p) for p in available_packs()]  # every pack at once: the union of what they read
    base = _facts(folder, packs)
    before = [dict(f) for f in base.facts]
    given, fired = _given(packs, base.facts), _firings(packs, base.facts)
    data = {fid: json.dumps(src.data, ensure_ascii=False, sort_keys=True, default=str)
            for fid, src in base.sources.items()}
    derived = {fid: src.derived for fid, src in base.sources.items()}
    base.narrow(fields_read(r.feed for c in packs for r in c.rulesets), whole={"offsets"})
    assert _given(packs, base.facts) == given
    assert _firings(packs, base.facts) == fired
    assert {fid: src.derived for fid, src in base.sources.items()} == derived  # messages and sections read them
    assert {fid: json.dumps(src.data, ensure_ascii=False, sort_keys=True, default=str)
            for fid, src in base.sources.items()} == data  # the evidence is never changed
    assert all(base.sources[f["id"]].fact is f for f in base.facts)
    dropped = sum(len(old) - len(new) for old, new in zip(before, base.facts, strict=True))
    assert dropped > 0  # something is read by nothing (``_doc`` of records no rule joins on, at least)
    for old, new in zip(before, base.facts, strict=True):
        assert new.items() <= old.items()  # only dropped, never changed


def test_a_kind_given_whole_or_named_whole_keeps_every_field():
    facts = [{"kind": "a", "x": 1, "y": 2, "id": "1"}, {"kind": "b", "x": 1, "y": 2, "id": "2"},
             {"kind": "c", "x": 1, "y": 2, "id": "3"}, {"kind": "d", "x": 1, "y": {"z": 1}, "id": "4"}]
    read = fields_read([Feed(kinds=frozenset({"a", "b"}), fields=(("b", ("=x",)),)),
                        Feed(kinds=frozenset({"d"}), fields=(("d", ("?y.z",)),))])
    assert read == {"a": None, "b": frozenset({"x"}), "d": frozenset({"y"})}  # c: read by nothing
    from checker.factbase import FactBase, FactSource

    base = FactBase()
    for f in facts:
        base.add(dict(f), FactSource(f["kind"], "f.yaml", "", f, None, f["kind"]))
    base.narrow(read, whole={"c"})
    assert base.facts == [{"kind": "a", "x": 1, "y": 2, "id": "1"}, {"kind": "b", "x": 1, "id": "2"},
                          {"kind": "c", "x": 1, "y": 2, "id": "3"}, {"kind": "d", "y": {"z": 1}, "id": "4"}]


def test_shadows_filters_and_split_keys_count_as_read():
    feed = Feed(kinds=frozenset({"s"}), fields=(("s", ("=ref",)),),
                shadows=(("~p~=name", "p", ("=name",)),),
                filters=(("q", (("code.value", "s", "ref2"),)),),
                keys=(("branch", "r", ("group",)),))
    read = fields_read([feed])
    assert read["p"] == frozenset({"name"})
    assert read["q"] == frozenset({"code"})
    assert read["s"] == frozenset({"ref", "ref2"})
    assert read["r"] == frozenset({"group"})


def test_rendered_texts_are_shared_while_recent_and_the_table_stays_bounded(monkeypatch):
    from checker import messages

    monkeypatch.setattr(messages, "_RECENT_MAX", 3)
    monkeypatch.setattr(messages, "_RECENT", {})
    template = {"zh": "记录 {{ subject.id }}", "en": "record {{ subject.id }}"}
    first = messages.render(template, {"subject": {"id": "A"}})
    again = messages.render(template, {"subject": {"id": "A"}})
    assert first is not None and again is not None and again.zh is first.zh and again.en is first.en
    for n in range(10):
        text = messages.render(template, {"subject": {"id": f"R{n}"}})
        assert text is not None and (text.zh, text.en) == (f"记录 R{n}", f"record R{n}")
        assert len(messages._RECENT) <= 3


def test_a_large_ledgers_narrowed_facts_hold_each_its_own_derived_values(tmp_path, monkeypatch):
    """A ledger large enough for its facts to be made in ``narrow`` from held columns (``factrows.DEFER_FROM``
    records and more): each narrowed fact holds exactly the values it holds when every derived value is set one by
    one: the derived values written by C loops (``factbase.set_column``) included."""
    folder = tmp_path / "park"
    shutil.copytree(ROOT / "rules" / "t-cpqs-zc001-2025" / "fixtures" / "base", folder)
    counts = write_ledger(folder, 1440)
    assert counts["ghg_rows"] >= DEFER_FROM
    packs = [compiled_pack("t-cpqs-zc001-2025")]
    bundle, problems = load_and_validate(folder)
    errors, gaps = split_gaps(problems)
    assert not errors
    accept_gaps(bundle, gaps)
    schemas, c = load_schemas(), packs[0]
    args = (bundle, schemas, c.anchors, list(c.pack.aggregates.values()), list(c.pack.derived))
    def one_by_one(targets, name, values, skip, every):  # the reference: each value set by a Python step
        for fact, value in zip(targets, values, strict=False):
            if value is not skip and fact is not None:
                fact[name] = value

    read = fields_read(r.feed for r in c.rulesets)
    narrow = build_facts(*args, read=read)
    monkeypatch.setattr(factbase, "set_column", one_by_one)
    full = build_facts(*args, read=read)
    whole = {f["id"]: f for f in full.facts}
    ledger = [f for f in narrow.facts if f["kind"] in ("ghg_inventory.records", "energy_consumption.records")]
    assert len(ledger) >= 2 * DEFER_FROM
    derived_kept = 0
    for fact in ledger:
        assert fact == whole[fact["id"]], fact["id"]
        derived_kept += len(fact.keys() & {"computed_tce", "tce_deviation", "expected_emissions", "period_rank"})
    assert derived_kept >= len(ledger)  # derived values are among what was compared
