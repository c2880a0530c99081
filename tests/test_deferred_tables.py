"""Deferred records (checker.factrows) across several tables of one kind (session-19 review): a large table kept as
it is, then a second table of the same kind that is not (an ``x-`` column, so its records are built otherwise),
must give the reports a check without deferral gives; so must a second table kept as it is (both deferred)."""

from __future__ import annotations

import csv
import shutil

import pytest

from checker import check, factbase
from checker.reporters import write_reports

from .conftest import DEFECTIVE


def _bundle(tmp_path, extra: str) -> object:
    """donghu-park with a second energy table (its enterprises renamed) listed after the first one."""
    folder = tmp_path / "bundle"
    shutil.copytree(DEFECTIVE, folder)
    with open(folder / "energy_consumption.csv", encoding="utf-8", newline="") as fh:
        head, *rows = list(csv.reader(fh))
    if extra == "x-column":
        head, rows = [*head, "x-note"], [[*row, "n" if i == len(rows) // 2 else ""] for i, row in enumerate(rows)]
    with open(folder / "zz_more.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([head, *([f"Z-{row[0]}", *row[1:]] for row in rows)])
    manifest = (folder / "bundle.yaml").read_text(encoding="utf-8")
    (folder / "bundle.yaml").write_text(manifest.replace(
        "  - {file: ghg_inventory.csv, kind: ghg_inventory}",
        "  - {file: ghg_inventory.csv, kind: ghg_inventory}\n  - {file: zz_more.csv, kind: energy_consumption}"),
        encoding="utf-8")
    return folder


def _reports(monkeypatch, folder, out, defer_from: int) -> tuple[list, dict[str, bytes]]:
    monkeypatch.setattr(factbase, "DEFER_FROM", defer_from)
    deferrals: list = []
    defer = factbase.FactBase.defer
    monkeypatch.setattr(factbase.FactBase, "defer",
                        lambda self, kind, *a: deferrals.append((kind, defer(self, kind, *a) is not None)) or
                        (self.deferred.get(kind) if deferrals[-1][1] else None))
    bundle, _ = check.load_and_validate(folder)
    write_reports(check.check_bundle(bundle, ["t-cpqs-zc001-2025"]), out, ["json", "md", "csv"])
    return deferrals, {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}


@pytest.mark.parametrize("extra", ["x-column", "kept"])
def test_a_second_table_of_a_deferred_kind_gives_the_same_reports(monkeypatch, tmp_path, extra):
    folder = _bundle(tmp_path, extra)
    deferrals, deferred = _reports(monkeypatch, folder, tmp_path / "deferred", 2)
    energy = [made for kind, made in deferrals if kind == "energy_consumption.records"]
    assert energy == ([True, False] if extra == "x-column" else [True, True])  # (undone by the second table, or not)
    assert _reports(monkeypatch, folder, tmp_path / "lean", 10**9)[1] == deferred
