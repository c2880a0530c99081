"""What keeps a large bundle's check in bounded memory (issue 15) must not change what the check says:
the planner forgets what no later ruleset reads, a group's fail firing is read per member, YAML
positions share their shapes, and a fact shares the evidence values normalising leaves alone."""

from __future__ import annotations

import json
from array import array
from pathlib import Path

from checker.check import compiled_pack, load_and_validate
from checker.engine import Firing, _engine_ids, engine_id_hash
from checker.facts import build_facts
from checker.feed import Planner
from checker.schemas import load_schemas
from checker.yamlio import clear_parse_cache, parse_yaml

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "rules" / "t-cpqs-zc001-2025" / "fixtures" / "base"
CACHES = ("_projected", "_shadows", "_index", "_groupings")


def _facts():
    bundle, problems = load_and_validate(BASE)
    assert not [p for p in problems if not p.gap]
    compiled = compiled_pack("t-cpqs-zc001-2025")
    facts = build_facts(bundle, load_schemas(), compiled.anchors, list(compiled.pack.aggregates.values()),
                        compiled.pack.derived)
    return bundle, compiled, facts


def _sessions(planner: Planner, feeds, release: bool) -> list[str]:
    out = []
    if release:
        planner.expect(feeds)
    for i, feed in enumerate(feeds):
        out += [json.dumps([s.facts, s.back, sorted(s.keep or ())], sort_keys=True, default=str)
                for s in planner.sessions(feed)]
        if release:
            planner.release(i)
    return out


def test_the_planner_forgets_what_no_later_ruleset_reads_and_plans_the_same_sessions():
    _, compiled, facts = _facts()
    feeds = [r.feed for r in compiled.rulesets]
    kept, released = Planner(facts.facts, limit=8), Planner(facts.facts, limit=8)  # small sessions: splits too
    assert _sessions(released, feeds, release=True) == _sessions(kept, feeds, release=False)
    assert any(getattr(kept, c) for c in CACHES)
    assert not any(getattr(released, c) for c in CACHES)  # everything read was let go after its last reader
    assert not released._columns or all(k[1] == "#id" for k in released._columns)


def test_a_fail_firing_of_a_group_read_for_one_member_is_that_member_s_expansion():
    group = Firing("r|fail|0", (("p1", "9"), ("s", ("3", "5", "8"))))
    assert [group.member(m) for m in ("3", "5", "8")] == list(group.expand())
    single = Firing("r|fail|0", (("p1", "9"), ("s", "4")))
    assert single.member("4") is single
    assert group.groups() == 1 and single.groups() == 0


def test_yaml_records_share_their_shapes_and_keep_every_position():
    lines = ["kind: register", "items:"]
    for i in range(300):
        lines += [f"  - id: R-{i:04d}", f"    name: 名称 {i}", f"    tags: [a, b{i % 2}]"]
    text = "\n".join(lines) + "\n"
    clear_parse_cache()
    content = parse_yaml(text, "register.yaml")
    assert len(content.shapes) < 6  # the document, the list, one record shape, one tags shape
    assert content.position("/items/123/name") == (3 + 3 * 123 + 1, 5)
    assert content.position("/items/299/tags/1") == (3 + 3 * 299 + 2, 15)  # "    tags: [a, b1]"
    assert content.position("/items/300") == (2, 1) and content.own("/items/300") is None
    positions = content.positions
    assert len(positions) == 1 + 2 + 300 * (1 + 3 + 2)  # root, kind and items, each record and its entries
    memo = parse_yaml(text, "register.yaml")  # a memoised parse: a copy of the data, the same positions
    assert memo.data == content.data and memo.data is not content.data and memo.positions == positions


def test_positions_hold_no_pointer_per_container_and_answer_by_walking_the_pointer():
    text = ("a: &x {p: 1, q: [1, {r: 2}]}\n"  # line 1
            "b: *x\n"  # an alias: its entries keep the anchor's positions only
            "'c/d': {'~e': [10, 20]}\n"
            "f: [[1, [2]], {g: h}]\n")
    clear_parse_cache()
    content = parse_yaml(text, "alias.yaml")
    lines = text.splitlines()
    assert not hasattr(content, "marks") and len(content.codes) == 10  # the root and 9 containers, no alias
    assert content.own("/a/q/1/r") == (1, lines[0].index("r") + 1)
    assert content.own("/c~1d/~0e/1") == (3, lines[2].index("20") + 1)
    assert content.own("/f/0/1/0") == (4, lines[3].index("2") + 1) and content.own("/f/1/g") == (4, 16)
    assert content.own("/b") == (2, 1) and content.own("/b/p") is None and content.position("/b/p") == (2, 1)
    for absent in ("/a/q/01", "/a/q/2", "/c~2d", "/c~1d/~e", "/a/p/0", "/zz", "a", "/f/0/1/0/0"):
        assert content.own(absent) is None, absent
    assert content.position("/a/q/1/r/x") == (1, 22)  # the nearest ancestor that has one
    positions = content.positions
    assert sorted(positions) == sorted(["", "/a", "/a/p", "/a/q", "/a/q/0", "/a/q/1", "/a/q/1/r", "/b", "/c~1d",
                                        "/c~1d/~0e", "/c~1d/~0e/0", "/c~1d/~0e/1", "/f", "/f/0", "/f/0/0", "/f/0/1",
                                        "/f/0/1/0", "/f/1", "/f/1/g"])
    assert all(content.own(p) == at for p, at in positions.items())


def test_a_table_line_wider_than_16_bits_keeps_its_cell_columns():
    from checker.bundle import _parse_table
    from checker.limits import DEFAULT_LIMITS

    table = _parse_table("a,b\nx,y\n" + "z" * 70000 + ",w\np,q\n", "t.csv", "k", "records", DEFAULT_LIMITS)
    assert table.columns.typecode == "i"
    assert [table.position(f"/records/{i}/b") for i in range(3)] == [(2, 3), (3, 70002), (4, 3)]
    narrow = _parse_table("a,b\nx,y\n", "t.csv", "k", "records", DEFAULT_LIMITS)
    assert narrow.columns.typecode == "B" and narrow.position("/records/0/b") == (2, 3)


def test_a_fact_shares_the_evidence_values_normalising_leaves_alone_and_the_evidence_is_unchanged():
    bundle, _, facts = _facts()
    audits = [facts.facts[int(f) - 1] for f in facts.of_kind("internal_audit.audits")]
    source = facts.sources[audits[0]["id"]]
    assert audits[0]["conclusions"] is source.data["conclusions"]  # nothing to normalise in it: shared
    reviews = facts.of_kind("management_review.reviews")
    review, data = facts.facts[int(reviews[0]) - 1], facts.sources[reviews[0]].data
    assert isinstance(review["review_period"]["start"], int)  # dates become days: a new mapping
    assert review["review_period"] is not data["review_period"]
    assert isinstance(data["review_period"]["start"], str)  # the evidence keeps its text
    doc = next(d for d in bundle.documents if d.kind == "management_review")
    assert isinstance(doc.data["reviews"][0]["review_period"]["start"], str)


def test_fact_id_hashes_from_the_flat_table_are_the_engine_s():
    numeric = {engine_id_hash.__wrapped__(str(i)): str(i) for i in range(1, 100_000)}
    pair = None
    for i in range(400_000):  # a fact's own (numeric) id and another id the engine would merge with it
        other = numeric.get(engine_id_hash.__wrapped__(f"k{i}"))
        if other is not None:
            pair = [other, f"k{i}"]
            break
    assert pair is not None
    ids = [*pair, "3", "٣", "0012", "1234567", "~k~=a~3", *map(str, range(1, 2000))]
    table = array("I")
    assert _engine_ids(ids, table) == _engine_ids(ids)
    assert _engine_ids(ids, table) == _engine_ids(ids)  # the table filled: the same again
    assert _engine_ids(pair, table)[1] != pair[1]  # the second of a colliding pair is re-spelled
    assert len(table) < 1_000_000 + 1024


def test_an_empty_mapping_or_list_stays_blank_when_unchanged_values_are_shared():
    from checker.factbase import FactBase
    from checker.facts import _BLANK, _Normaliser

    norm = _Normaliser(load_schemas(), FactBase())
    kept = {"b": 1, "c": [{"d": "x"}]}
    out = norm.mapping({"a": {}, "e": [], "k": kept}, {}, "", [])
    assert out == {"k": kept} and out["k"] is kept  # blank values dropped, the untouched mapping shared
    assert norm.mapping({}, {}, "/x", []) is _BLANK and norm.sequence([], {}, "/y", []) is _BLANK


def test_the_key_sharing_limit_the_readers_assume_holds_on_this_python():
    """Records are made key-sharing dicts (CSV rows, YAML records, compacted facts) only up to 29 keys: on CPython
    3.11 and 3.12 a 30th key turns a sharing dict into one about twice a plain dict's size (issue 15 review)."""
    import tracemalloc

    from checker import factbase, yamlfast

    def size(keys: int, shared: bool) -> float:
        names = [f"f{i}" for i in range(keys)]
        row_type = type("Row", (), {})
        tracemalloc.start()
        try:
            rows = []
            for j in range(2000):
                row = row_type().__dict__ if shared else {}
                row.update([(k, j) for k in names])
                rows.append(row)
            return tracemalloc.get_traced_memory()[0] / len(rows)
        finally:
            tracemalloc.stop()

    assert size(29, True) < 0.6 * size(29, False)
    assert size(30, True) > size(30, False)
    assert yamlfast._SHARED_KEYS == factbase._SHARED_KEYS == 29
