"""checker.sourcepack: the sources of a large kind packed as columns once the facts are built (issue 15,
memory) read back as the sources they were, and a check's reports do not change with packing."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker import check, sourcepack
from checker.factbase import FactSource
from checker.idlist import IdList
from checker.packedsource import FIELDS, PackedSource, block_of, field
from checker.reporters import write_reports
from checker.sourcepack import RELEASED, Block, only_kinds, pack, release

from .conftest import EVIDENCE


def _facts(park: str, monkeypatch, pack_from: int):
    monkeypatch.setattr(sourcepack, "PACK_FROM", pack_from)
    bundle, _ = check.load_and_validate(EVIDENCE / park)
    return bundle


def _reports(park: str, standards: list[str], monkeypatch, pack_from: int, out: Path) -> dict[str, bytes]:
    bundle = _facts(park, monkeypatch, pack_from)
    write_reports(check.check_bundle(bundle, standards), out, ["json", "md", "csv"])
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


@pytest.mark.parametrize("park, standards", [("lvgu-park", ["t-cpqs-zc001-2025", "ndrc-zero-carbon-park-2025"]),
                                             ("donghu-park", ["t-cpqs-zc001-2025", "t-seesa-010-2025"])])
def test_reports_do_not_change_with_packing(park, standards, monkeypatch, tmp_path):
    """Every kind packed (from one fact) against none packed: the same reports, findings, evidence and all."""
    packed = _reports(park, standards, monkeypatch, 1, tmp_path / "packed")
    unpacked = _reports(park, standards, monkeypatch, 10**9, tmp_path / "unpacked")
    assert packed.keys() == unpacked.keys() and "report.json" in packed
    assert packed == unpacked


def _spy_pack(monkeypatch, pack_from: int) -> dict:
    """Capture the sources as built (each one's fields) and as packed, packing from ``pack_from`` facts."""
    captured: dict = {}

    def spy(sources, facts, by_kind, fields, make):
        captured["before"] = {fid: tuple(getattr(src, f) for f in FIELDS) for fid, src in sources.items()}
        monkeypatch.setattr(sourcepack, "PACK_FROM", pack_from)
        captured["after"] = pack(sources, facts, by_kind, fields, make)
        captured["read"] = {fid: tuple(getattr(captured["after"][fid], f) for f in FIELDS) for fid in captured["before"]}
        return captured["after"]

    monkeypatch.setattr("checker.facts.pack", spy)
    return captured


def test_packed_sources_read_back_field_by_field(monkeypatch):
    """Each source read back, right after packing, equals the one packed, field by field."""
    bundle = _facts("lvgu-park", monkeypatch, 10**9)
    captured = _spy_pack(monkeypatch, 2)
    check.check_bundle(bundle, ["t-cpqs-zc001-2025"])
    assert any(type(v) is Block for v in captured["after"]._items), "some kinds must have been packed"
    assert captured["read"] == captured["before"]


def test_a_gap_in_the_numbering_is_not_packed(monkeypatch):
    monkeypatch.setattr(sourcepack, "PACK_FROM", 1)
    facts = [{"kind": "a", "id": "1"}, {"kind": "b", "id": "2"}, {"kind": "a", "id": "3"}]
    sources = IdList((f["id"], FactSource(f["kind"], "x.yaml", f"/{i}", {}, None, f"k{i}", fact=f, row=i // 2))
                     for i, f in enumerate(facts))
    out = pack(sources, facts, {"a": ["1", "3"], "b": ["2"]}, FIELDS, PackedSource)
    assert type(out._items[0]) is FactSource and type(out._items[1]) is Block
    assert tuple(getattr(out["3"], f) for f in FIELDS) == tuple(getattr(sources["3"], f) for f in FIELDS)


def test_release_and_only_kinds_on_packed_sources(monkeypatch):
    monkeypatch.setattr(sourcepack, "PACK_FROM", 2)
    facts = [{"kind": "a", "id": str(i + 1), "v": i} for i in range(4)] + [{"kind": "c", "id": "5"}]
    names = [None, {"x": "f_x"}, None, {"x": "f_x"}]
    sources = IdList((f["id"], FactSource(f["kind"], "t.csv", i, {"v": i}, None, "k", fact=f,
                                          names=names[i] if i < 4 else None, row=i if i < 4 else 0))
                     for i, f in enumerate(facts))
    packed = pack(sources, facts, {"a": ["1", "2", "3", "4"], "c": ["5"]}, FIELDS, PackedSource)
    assert type(packed._items[0]) is Block and packed["2"].names == {"x": "f_x"} and packed["3"].at == 2
    release(packed, facts, {"c"})
    assert facts[0] is RELEASED and facts[2] is RELEASED and facts[1]["v"] == 1 and facts[4]["kind"] == "c"
    assert packed["1"].fact is None and packed["2"].fact is facts[1]
    kept = only_kinds(packed, {"a": ["1", "2", "3", "4"]})
    assert "5" not in kept and len(kept) == 4 and kept["4"].data == {"v": 3}
    assert [fid for fid, _ in kept.items()] == ["1", "2", "3", "4"]
    assert kept.get("9") is None and kept.get("2").row == 1


def _three_packed(monkeypatch):
    """Three facts of one kind, their sources packed (``PACK_FROM`` 2): the facts, the packed list, its block."""
    monkeypatch.setattr(sourcepack, "PACK_FROM", 2)
    facts = [{"kind": "a", "id": str(i + 1)} for i in range(3)]
    sources = IdList((f["id"], FactSource("a", "t.csv", i, {"v": i}, None, "k", fact=f, row=i))
                     for i, f in enumerate(facts))
    packed = pack(sources, facts, {"a": ["1", "2", "3"]}, FIELDS, PackedSource)
    block = packed._items[0]
    return facts, packed, block


def test_a_view_writes_its_field_into_its_block(monkeypatch):
    """A field set on a source read back is read back as set; a shared field becomes a column only then."""
    facts, packed, block = _three_packed(monkeypatch)
    assert block.fields["names"] is None and "fact" not in block.fields and "row" not in block.fields
    view = packed["2"]
    view.names = {"x": "f_x"}
    view.stable = "a/records[r2]"
    assert packed["2"].names == {"x": "f_x"} and packed["1"].names is None and packed["3"].names is None
    assert packed["2"].key == "a/records[r2]" and packed["1"].stable == "k"
    fact = {"kind": "a", "id": "2", "x": 1}
    view.fact = fact
    assert facts[1] is fact and packed["2"].fact is fact
    view.fact = None
    assert facts[1] is RELEASED and packed["2"].fact is None
    view.row = 7
    assert packed["2"].row == 7 and packed["3"].row == 2
    assert packed["3"].data == {"v": 2} and packed["3"].values() == {"v": 2}


def test_a_field_set_alike_on_every_source_settles_to_one_value(monkeypatch):
    """A field the derive stage set on every source, the same object on each, is held once when the kind is packed
    again (its places stay a column: a position read back would be a new int each time, not the shared one)."""
    facts, packed, block = _three_packed(monkeypatch)
    shown = {"x": "1 t"}
    packed["1"].shown = {"x": "other"}
    for fid in "123":
        packed[fid].shown = shown
    assert type(block.fields["shown"]) is sourcepack._Column
    assert pack(packed, facts, {"a": ["1", "2", "3"]}, FIELDS, PackedSource)._items[0] is block
    assert block.fields["shown"] is shown and [packed[fid].shown for fid in "123"] == [shown] * 3
    assert type(block.fields["at"]) is sourcepack._Column and [packed[fid].at for fid in "123"] == [0, 1, 2]


def test_a_large_ledger_kind_is_packed(tmp_path, monkeypatch):
    """The ledger rows of a generated park (more than PACK_FROM) are packed and read back as built; the ref to
    where a period's first row is (first_at, held as positions) reads as a file:line."""
    import bench.ledger  # (the repository's bench folder first: with it on the path, ``bench`` alone
    # would be bench/bench.py, and ``from bench import bench`` fail unless another test imported the folder first)
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "bench"))  # (bench.py imports ledger)
    from bench import bench

    bench.SERIES["ledger"](tmp_path / "b", 1200)
    bundle, problems = check.load_and_validate(tmp_path / "b")
    assert not [p for p in problems if not p.gap]
    captured = _spy_pack(monkeypatch, sourcepack.PACK_FROM)
    check.check_bundle(bundle, ["t-cpqs-zc001-2025"])
    blocks = {id(v): v for v in captured["after"]._items if type(v) is Block}
    kinds = {block.fields["kind"] for block in blocks.values()}
    assert {"ghg_inventory.records", "energy_consumption.records"} <= kinds
    assert captured["read"] == captured["before"]
    inventory = next(b for b in blocks.values() if b.fields["kind"] == "ghg_inventory.records")
    first = inventory.unpack(inventory.first + 5)
    assert first.derived_get("first_at") == f"{first.file}:{first.document.content.lines[first.at]}"


@pytest.mark.parametrize("names", ["none", "some", "all"])
@pytest.mark.parametrize("whole", [set(), {"a"}])
def test_a_packed_kind_is_released_as_its_sources_one_by_one(monkeypatch, names, whole):
    """``release`` of a packed kind's facts at once (``_release_block``): the facts the unpacked sources release."""
    derived = {"none": [None] * 4, "some": [None, {"x": "f_x"}, None, None], "all": [{"x": "f_x"}] * 4}[names]
    out = []
    for pack_from in (2, 10**9):
        monkeypatch.setattr(sourcepack, "PACK_FROM", pack_from)
        facts = [{"kind": "b", "id": "1"}, *({"kind": "a", "id": str(i + 2)} for i in range(4)), {"kind": "c", "id": "6"}]
        sources = IdList((f["id"], FactSource(f["kind"], "t.csv", i, {}, None, "k", fact=f,
                                              names=derived[i - 1] if f["kind"] == "a" else None, row=i))
                         for i, f in enumerate(facts))
        packed = pack(sources, facts, {"b": ["1"], "a": ["2", "3", "4", "5"], "c": ["6"]}, FIELDS, PackedSource)
        assert (type(packed._items[1]) is Block) is (pack_from == 2)
        release(packed, facts, whole)
        out.append([f is RELEASED for f in facts])
    assert out[0] == out[1] and out[0][0] and out[0][5]


def test_a_whole_block_s_sources_are_read_as_views_made_one_at_a_time(monkeypatch):
    """``sources_of`` a whole block: a sequence of its sources that makes each view as it is read and holds none
    (memory, issue 15) - the same sources as those read by id, by index (negative too), slice and iteration; a field
    of every source read from the block without making one (``packedsource.field``)."""
    _, packed, block = _three_packed(monkeypatch)
    seq = sourcepack.sources_of(packed, ["1", "2", "3"])
    assert type(seq) is sourcepack.BlockSources and len(seq) == 3 and block_of(seq) is block
    by_id = [packed[fid] for fid in "123"]
    assert list(seq) == by_id and [seq[i] for i in range(3)] == by_id and seq[-1] == by_id[2] and seq[1:] == by_id[1:]
    with pytest.raises(IndexError):
        seq[3]
    with pytest.raises(IndexError):
        seq[-4]
    made = []
    monkeypatch.setattr(block, "make", lambda b, k: made.append(k) or PackedSource(b, k))
    assert list(field(seq, "data")) == [{"v": 0}, {"v": 1}, {"v": 2}] and made == []
    assert seq[1].data == {"v": 1} and made == [1]
    assert sourcepack.sources_of(packed, ["1", "2"]) == by_id[:2]  # (not the whole block: the views, by id)
