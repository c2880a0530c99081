"""The placeholders of a deferred records kind added at once (``FactBase.add_rows``): their sources placed as the
block ``checker.sourcepack.pack`` would make of them one by one, read back field by field as the same sources, and
the same reports; the sources of a block no key is computed for are not read one by one (``sourcepack.views``); derived
values shown alike, set as a block's column or one source at a time."""

from __future__ import annotations

import csv
import shutil

from checker import check, factbase, facts, sourcepack
from checker.bundle import Document
from checker.heldcolumns import HeldColumns
from checker.ids import LazyKey, RowKeys
from checker.packedsource import FIELDS
from checker.reporters import write_reports
from checker.schemas import load_schemas
from checker.sourcepack import Block, _Column

from .conftest import DEFECTIVE, EVIDENCE

SKIP = object()


def _packed(monkeypatch, place: bool) -> dict:
    """lvgu-park's sources right after the first packing, records deferred from 2 (``place``: placed packed)."""
    monkeypatch.setattr(factbase, "DEFER_FROM", 2)
    monkeypatch.setattr(sourcepack, "PACK_FROM", 2)
    if not place:
        monkeypatch.setattr(factbase, "packs", lambda sources, count: False)
    captured: dict = {}
    pack = facts.pack

    def spy(sources, fact_list, by_kind, fields, make):
        out = pack(sources, fact_list, by_kind, fields, make)
        if "read" not in captured:
            captured["read"] = {fid: tuple(_plain(getattr(src, f)) for f in FIELDS) for fid, src in out.items()}
            captured["keys"] = [src.key for src in out.values() if src.document is not None]
            blocks = {id(b): b for b in out._items if type(b) is Block}.values()
            captured["blocks"] = {(b.first, b.count): {n: (type(v), [_plain(x) for x in v] if type(v) is _Column
                                                           else _plain(v)) for n, v in b.fields.items()}
                                  for b in blocks}
            captured["whole"] = {(int(f[0]) - 1, len(f)) for f in by_kind.values() if int(f[-1]) - int(f[0]) == len(f) - 1}
        return out

    monkeypatch.setattr(facts, "pack", spy)
    bundle, _ = check.load_and_validate(EVIDENCE / "lvgu-park")
    base = facts.build_facts(bundle, load_schemas(), read={})
    captured["deferred"] = sorted(base.lean_keys)
    return captured


def _plain(value):
    """A source's field as something two builds can compare (objects by their type and content)."""
    if type(value) in (RowKeys, LazyKey, HeldColumns, Document):
        return type(value).__name__, getattr(value, "prefix", None), getattr(value, "path", None)
    return value


def test_placed_sources_are_the_block_pack_makes(monkeypatch):
    """The same blocks (a kind's records in several arrays: the first one's placed, not packed after), read back
    field by field as the same sources."""
    placed = _packed(monkeypatch, True)
    monkeypatch.undo()
    one_by_one = _packed(monkeypatch, False)
    assert placed["deferred"] and placed["deferred"] == one_by_one["deferred"]
    assert len(one_by_one["blocks"]) > 10 and placed["read"] == one_by_one["read"]
    assert placed["keys"] == one_by_one["keys"]
    assert {k: v for k, v in placed["blocks"].items() if k in placed["whole"]} == one_by_one["blocks"]


def test_reports_do_not_change_with_placing(monkeypatch, tmp_path):
    """Records deferred and placed packed, deferred and packed after, or neither: the same reports."""
    reports = []
    for defer_from, place in ((2, True), (2, False), (10**9, False)):
        monkeypatch.setattr(factbase, "DEFER_FROM", defer_from)
        monkeypatch.setattr(sourcepack, "PACK_FROM", 2)
        monkeypatch.setattr(factbase, "packs", sourcepack.packs if place else lambda sources, count: False)
        bundle, _ = check.load_and_validate(EVIDENCE / "lvgu-park")
        out = tmp_path / f"{defer_from}-{place}"
        write_reports(check.check_bundle(bundle, ["t-cpqs-zc001-2025"]), out, ["json", "md", "csv"])
        reports.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert reports[0] == reports[1] == reports[2] and "report.json" in reports[0]


def test_views_skip_only_blocks_whose_shared_field_is_not_wanted():
    sources = sourcepack.PackedSources()
    fact_list = [{"kind": "a", "id": str(i + 1)} for i in range(7)]
    sourcepack.placed(sources, fact_list[:3], 0, {"kind": "a", "stable": "x"}, lambda b, k: (b.fields["kind"], k))
    sourcepack.placed(sources, fact_list[:5], 3, {"kind": "b", "stable": ["p", "q"]}, lambda b, k: ("b", k))
    sourcepack.placed(sources, fact_list, 5, {"kind": "c", "stable": 1}, lambda b, k: ("c", k))
    wanted = list(sourcepack.views(sources, "stable", lambda stable: type(stable) is str))
    assert wanted == [("a", 0), ("a", 1), ("a", 2), ("b", 0), ("b", 1)]
    assert list(sourcepack.views(sources, "stable", lambda stable: False)) == [("b", 0), ("b", 1)]
    assert list(sourcepack.views(sources, "kind", lambda kind: True)) == list(sources.values())


def _shown(monkeypatch, defer_from: int, pack_from: int) -> dict:
    """lvgu-park's facts as a check builds them: each source's values and derived values as the messages show them."""
    monkeypatch.setattr(factbase, "DEFER_FROM", defer_from)
    monkeypatch.setattr(sourcepack, "PACK_FROM", pack_from)
    captured: dict = {}
    build = check.build_facts

    def spy(*args, **kwargs):
        base = captured["base"] = build(*args, **kwargs)
        captured["shown"] = {fid: (repr(src.values()), repr(src.shown), repr(src.derived)) for fid, src in base.sources.items()}
        return base

    monkeypatch.setattr(check, "build_facts", spy)
    bundle, _ = check.load_and_validate(EVIDENCE / "lvgu-park")
    check.check_bundle(bundle, ["t-cpqs-zc001-2025"])
    monkeypatch.undo()
    return captured["shown"]


def test_derived_values_shown_alike_packed_or_not(monkeypatch):
    """Derived columns shown otherwise than their values (``FactBase._show_column``), set as a block's column or
    one source at a time: the same values shown."""
    packed = _shown(monkeypatch, 2, 2)
    assert packed == _shown(monkeypatch, 10**9, 10**9) and any(shown != "None" for _, shown, _ in packed.values())


def _facts_made(monkeypatch, folder, defer_from: int) -> list:
    """The facts a check gives the engine (items in order), records deferred from ``defer_from``."""
    monkeypatch.setattr(factbase, "DEFER_FROM", defer_from)
    captured: dict = {}
    build = check.build_facts

    def spy(*args, **kwargs):
        base = build(*args, **kwargs)
        captured["facts"] = [list(f.items()) for f in base.facts]
        captured["deferred"] = {k: len(v) for k, v in base.by_kind.items() if k.endswith(".records")}
        return base

    monkeypatch.setattr(check, "build_facts", spy)
    bundle, _ = check.load_and_validate(folder)
    check.check_bundle(bundle, ["t-cpqs-zc001-2025"])
    monkeypatch.undo()
    return captured["facts"]


def test_two_tables_of_a_kind_in_another_column_order_make_the_same_facts(monkeypatch, tmp_path):
    """A deferred kind's records in two tables whose columns come in another order (two shapes: ``Deferred.shapes``):
    the facts made are those made without deferral, items in the same order."""
    folder = tmp_path / "bundle"
    shutil.copytree(DEFECTIVE, folder)
    with open(folder / "energy_consumption.csv", encoding="utf-8", newline="") as fh:
        head, *rows = list(csv.reader(fh))
    with open(folder / "zz_more.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([head[::-1], *([*row[:0:-1], f"Z-{row[0]}"] for row in rows)])
    manifest = (folder / "bundle.yaml").read_text(encoding="utf-8")
    (folder / "bundle.yaml").write_text(manifest.replace(
        "  - {file: ghg_inventory.csv, kind: ghg_inventory}",
        "  - {file: ghg_inventory.csv, kind: ghg_inventory}\n  - {file: zz_more.csv, kind: energy_consumption}"),
        encoding="utf-8")
    deferred = _facts_made(monkeypatch, folder, 2)
    assert deferred == _facts_made(monkeypatch, folder, 10**9)
