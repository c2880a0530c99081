"""Stable nonconformity ids (issue 9 item 5): derived from pack, rule and the key of the evidence,
never from file names, list positions or the order of YAML keys."""

from __future__ import annotations

import csv
import io
import random
import re
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from checker.check import run_check
from checker.ids import ID_PATTERN, nonconformity_ids, record_keys
from checker.packs import available_packs

from .conftest import CONFORMING, DEFECTIVE, EVIDENCE, PACK, edit_text, example_report

ALL_PACKS = ["t-cpqs-zc001-2025", "cecc-org-carbon-neutrality", "q-cecc-zcp-cj-01-2025", "t-seesa-010-2025",
             "ndrc-zero-carbon-park-2025", "ndrc-zcp-hunan-staged"]


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.width = 4096
    y.allow_unicode = True
    return y


def _shuffle_node(node, rng: random.Random):
    if isinstance(node, dict):
        keys = list(node)
        rng.shuffle(keys)
        out = CommentedMap()
        for k in keys:
            out[k] = _shuffle_node(node[k], rng)
        return out
    if isinstance(node, list):
        items = [_shuffle_node(v, rng) for v in node]
        rng.shuffle(items)
        return CommentedSeq(items)
    return node


def shuffled_copy(src: Path, dest: Path, seed: int) -> Path:
    """A copy of a bundle with every document renamed (CSV tables re-declared under their new name),
    every list (records, rows) in another order, and every mapping's keys in another order."""
    rng = random.Random(seed)
    shutil.copytree(src, dest)
    y = _yaml()
    manifest_path = dest / "bundle.yaml"
    manifest = y.load(manifest_path.read_text(encoding="utf-8"))
    tables = {t["file"]: t for t in manifest.get("tables") or []}
    documents = sorted(p for p in dest.iterdir() if p.is_file() and p.name != "bundle.yaml")
    names = [f"{rng.randrange(16 ** 8):08x}-{i}" for i in range(len(documents))]
    rng.shuffle(names)
    for path, stem in zip(documents, names, strict=False):
        if path.suffix == ".csv":
            rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
            header, body = rows[0], [r for r in rows[1:] if any(c.strip() for c in r)]
            order = list(range(len(header)))
            rng.shuffle(order)
            rng.shuffle(body)
            out = io.StringIO()
            w = csv.writer(out, lineterminator="\n")
            w.writerow([header[i] for i in order])
            w.writerows([[r[i] for i in order] for r in body])
            new = path.with_name(f"{stem}.csv")
            new.write_text(out.getvalue(), encoding="utf-8")
            tables[path.name]["file"] = new.name
        else:
            data = y.load(path.read_text(encoding="utf-8"))
            new = path.with_name(f"{stem}{path.suffix}")
            with open(new, "w", encoding="utf-8") as fh:
                y.dump(_shuffle_node(data, rng), fh)
        if new != path:
            path.unlink()
    with open(manifest_path, "w", encoding="utf-8") as fh:
        y.dump(_shuffle_node(manifest, rng), fh)
    return dest


def _ncs(report) -> dict[str, tuple]:
    return {nc.id: (sorted(nc.clauses), nc.grade.value, sorted(nc.rules)) for nc in report.nonconformities}


def _seed(tmp_path: Path, name: str, edits: list[tuple[str, str, str]], delete: tuple[str, ...] = ()) -> Path:
    dest = tmp_path / name
    shutil.copytree(CONFORMING, dest)
    for file, old, new in edits:
        edit_text(dest / file, old, new, 1)
    for file in delete:
        (dest / file).unlink()
    return dest


def _seeded(tmp_path: Path) -> list[tuple[Path, list[str]]]:
    """Defect-seeded copies of the conforming park: a record with an id, a record without one (keyed by
    its content), a missing document, and a record keyed by a field other than id."""
    return [
        (_seed(tmp_path, "no-period", [("baseline.yaml", "  period: 2022 年全年", "  x-period: 2022 年全年")]), [PACK]),
        (_seed(tmp_path, "trigger-not-adjusted",
               [("baseline.yaml", "description: 电网排放因子更新, adjusted: true", "description: 电网排放因子更新, adjusted: false")]),
         [PACK]),
        (_seed(tmp_path, "no-risks", [], delete=("risks.yaml",)), [PACK]),
        (_seed(tmp_path, "no-risks-all-packs", [], delete=("risks.yaml",)), ALL_PACKS),
    ]


@pytest.mark.parametrize("example", sorted(p.name for p in EVIDENCE.iterdir() if (p / "bundle.yaml").is_file()))
def test_example_ids_survive_renaming_and_reordering(example, tmp_path):
    src = EVIDENCE / example
    for standards in (None, ALL_PACKS):
        before = _ncs(example_report(src) if standards is None else run_check(src, standards))
        for seed in (1, 2):
            after = _ncs(run_check(shuffled_copy(src, tmp_path / f"{example}-{bool(standards)}-{seed}", seed), standards))
            assert after == before


def test_defect_seeded_ids_survive_renaming_and_reordering(tmp_path):
    for bundle, standards in _seeded(tmp_path):
        before = _ncs(run_check(bundle, standards))
        assert before, f"{bundle.name}: the seeded defect must give a nonconformity"
        for seed in (3, 4):
            after = _ncs(run_check(shuffled_copy(bundle, tmp_path / f"{bundle.name}-s{seed}", seed), standards))
            assert after == before, bundle.name


def test_shuffle_really_shuffles(tmp_path):
    """Guard against a shuffle that changes nothing: files are renamed, records and keys reordered."""
    copy = shuffled_copy(DEFECTIVE, tmp_path / "s", 1)
    names = {p.name for p in copy.iterdir()}
    assert "internal_audit.yaml" not in names and "bundle.yaml" in names
    before, after = example_report(DEFECTIVE), run_check(copy)
    where_a = {(r.rule, r.subject): (r.evidence[0].file, r.evidence[0].pointer, r.evidence[0].line)
               for r in before.results if r.subject}
    where_b = {(r.rule, r.subject): (r.evidence[0].file, r.evidence[0].pointer, r.evidence[0].line)
               for r in after.results if r.subject}
    assert where_a.keys() == where_b.keys()
    moved = [k for k in where_a if where_a[k][0] != "bundle.yaml" and where_a[k][0] == where_b[k][0]]
    assert not moved  # every document has another name
    assert any(a[1] != b[1] for a, b in zip(where_a.values(), [where_b[k] for k in where_a], strict=False))  # records moved
    assert any(a[2] != b[2] for a, b in zip(where_a.values(), [where_b[k] for k in where_a], strict=False))  # lines moved


def test_id_format_and_uniqueness_on_the_defective_park():
    report = example_report(DEFECTIVE)
    ids = [nc.id for nc in report.nonconformities]
    assert ids and all(re.match(ID_PATTERN, i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert ids == [nc.id for nc in run_check(DEFECTIVE).nonconformities]  # a re-run gives the same ids


def test_subject_keys_name_the_record_not_its_position():
    report = example_report(DEFECTIVE)
    subjects = {(r.rule, r.subject) for r in report.results if r.status.value == "nonconformity"}
    # a record by its id along its path (the objectives document by its number), a record keyed by
    # another field the schema marks (x-key), a nested record, an aggregate, a missing document
    assert ("zc001-7.1", "objectives[DH-TX-05]/objectives[DH-OBJ-1]") in subjects
    assert ("zc001-5.3-f-outsourced", "scope/outsourced_processes[集中供汽]") in subjects
    assert ("zc001-10.2-2e", "internal_audit/audits[DH-IA-2024]/findings[DH-F1]") in subjects
    assert ("zc001-10.2-interval", "internal_audit") in subjects  # a document by its kind
    assert ("zc001-7.5", "none:baseline") in subjects  # a missing document by its kind
    assert not any(s and (".yaml" in s or "#/" in s) for _, s in subjects)  # never file#pointer ([#hash] is content)


def test_single_pack_ids_reappear_in_the_combined_audit(tmp_path):
    """An NC of a single-pack audit keeps its id in the combined audit, unless it merged with another
    pack's NC, in which case the merged NC takes one of its members' single-pack ids."""
    bundle = _seed(tmp_path, "combined", [("baseline.yaml", "  period: 2022 年全年", "  x-period: 2022 年全年")],
                   delete=("risks.yaml",))
    single = {}
    for pack in ALL_PACKS:
        for nc in run_check(bundle, [pack]).nonconformities:
            single[nc.id] = nc
    combined = run_check(bundle, ALL_PACKS)
    assert combined.nonconformities
    for nc in combined.nonconformities:
        assert nc.id in single, nc
        assert set(single[nc.id].clauses) <= set(nc.clauses)
    assert {nc.id for nc in run_check(bundle, ALL_PACKS).nonconformities} == {nc.id for nc in combined.nonconformities}


def test_record_keys_are_order_independent_and_unique():
    items = [{"id": "A", "x": 1}, {"x": 2, "y": [1, 2]}, {"id": "A", "x": 3}, {"y": [2, 1], "x": 2}]
    keys = record_keys(items, "id")
    assert len(set(keys)) == 4
    rev = record_keys(list(reversed(items)), "id")
    # the two records with id A are told apart by content, the same way in either order
    assert {k for k in keys if k.startswith("A")} == {k for k in rev if k.startswith("A")}
    assert keys[0].startswith("A#") and keys[1].startswith("#")


def test_colliding_ids_are_resolved_whatever_the_order(monkeypatch):
    import checker.ids as ids

    def digest(text: str) -> str:  # every key collides on its first try; the n-th retry gives a new letter
        return "AAAAAAA" + ("A" if "\x00" not in text else "BCDEFG"[int(text.rsplit("\x00", 1)[1]) - 1])

    monkeypatch.setattr(ids, "_digest", digest)
    keys = [("p", "s1", "r"), ("p", "s2", "r"), ("p", "s3", "r")]
    a = dict(zip(keys, nonconformity_ids(keys), strict=False))
    b = dict(zip(list(reversed(keys)), nonconformity_ids(list(reversed(keys))), strict=False))
    assert a == b and len(set(a.values())) == 3


def test_all_packs_are_covered():
    assert sorted(ALL_PACKS) == available_packs()


def test_records_keep_their_ids_when_their_document_changes_elsewhere(tmp_path):
    """Audits split over two internal_audit documents (neither has a number of its own): a record is
    keyed by its id, not by its document's content, so editing another part of that document (or the
    other document) changes none of the record's nonconformity ids."""
    dest = tmp_path / "park"
    shutil.copytree(DEFECTIVE, dest)
    text = (dest / "internal_audit.yaml").read_text(encoding="utf-8")
    second = text.replace("DH-IA-2024", "DH-IA-2099").replace("DH-F1", "DH-F9")
    (dest / "internal_audit_2099.yaml").write_text(second, encoding="utf-8")
    before = run_check(dest)
    keyed = {r.subject for r in before.results if r.subject and "DH-IA-2024" in r.subject}
    assert keyed and all(s.startswith("internal_audit/audits[DH-IA-2024]") for s in keyed)

    from checker.packs import get_pack
    record_rules = {r.id for r in get_pack("t-cpqs-zc001-2025").rules if "." in r.for_each}

    def record_ids(report):  # nonconformities of record rules on the audit records of the first document
        return {nc.id for nc in report.nonconformities if set(nc.rules) <= record_rules
                and any(e.file == "internal_audit.yaml" and e.pointer.startswith("/audits/") for e in nc.evidence)}

    ids = record_ids(before)
    assert len(ids) >= 2
    edit_text(dest / "internal_audit.yaml", "methods: 文件审查和现场检查", "methods: 文件审查、访谈和现场检查")
    edit_text(dest / "internal_audit_2099.yaml", "未建立碳排放管理基准。", "未建立基准。")
    assert record_ids(run_check(dest)) == ids


def test_the_same_bundle_checked_twice_in_one_process_gives_the_same_report(tmp_path):
    """Parses are memoised; the check normalises and trims documents in place (Chinese labels, content
    gaps): the second check must not see the first one's edits."""
    import shutil

    from checker.check import run_check
    from checker.reporters import json_report

    from .conftest import CONFORMING, edit_text

    dest = tmp_path / "park"
    shutil.copytree(CONFORMING, dest)
    edit_text(dest / "scope.yaml", "  url: https://lvgu.example.cn/carbon/scope", "  url:")  # a content gap
    first, second = (json_report.render(run_check(dest)) for _ in range(2))
    assert first == second


def test_row_keys_computed_when_read_equal_the_record_keys():
    """A table's record keys are computed when read (``RowKeys``, memory); each equals the key
    ``record_keys`` gives it: its own key, or the hashed or numbered one where siblings share it or it
    has none."""
    from types import SimpleNamespace

    from checker.ids import RowKeys, record_keys_own

    items = [{"id": "A"}, {"id": "B", "n": 1}, {"id": "A", "x": 1}, {"x": 2}, {"id": " C "}, {"id": 7},
             {"id": "B", "n": 1}]
    keys, own = record_keys_own(items, "id")
    assert keys == record_keys(items, "id")
    lazy = RowKeys("kind/records", "id", keys, own, list(range(len(items))))
    assert len(lazy.others) == 5  # the two A, the two B and the record with no id
    read = [lazy.resolve(SimpleNamespace(pointer=f"/records/{i}", data=item)) for i, item in enumerate(items)]
    assert read == [f"kind/records[{k}]" for k in keys]
    assert read[4] == "kind/records[C]" and read[5] == "kind/records[7]"
    composite = [{"e": "E1", "y": 2024}, {"e": "E1", "y": 2025}, {"e": "E2", "y": 2024}]
    keys, own = record_keys_own(composite, ["e", "y"])
    assert keys == own == ["E1|2024", "E1|2025", "E2|2024"]


def test_flat_keys_are_the_keys_read_item_by_item(monkeypatch):
    """The own keys of a table's rows read column by column (``_flat_keys``: text stripped, whole numbers made text
    once per distinct number) are those read item by item."""
    from checker import ids

    items = [{"e": f" E{i % 3} ", "y": 2020 + i % 4, "m": i, "n": "x"} for i in range(12)]
    fast = ids._own_keys(items, ["e", "y", "m"])
    monkeypatch.setattr(ids, "_flat_keys", lambda items, names: None)
    assert fast == ids._own_keys(items, ["e", "y", "m"]) and fast[5] == "E2|2021|5"
