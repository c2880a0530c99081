"""The large example park (issue 16 item 7): `python bench/ledger.py OUT [--enterprises N]` writes the
benchmark's GHG ledger as a bundle whose documents agree with the generated inventory, so that it checks
with no nonconformity against the standard it declares, as evidence/lvgu-park does; and the benchmark's
ledger series writes the same tables and figures through the same generator."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench import ledger
from checker.check import run_check
from checker.model import Status

ROOT = Path(__file__).resolve().parent.parent
# the rules that judge the figures the generator derives from the inventory totals
FIGURES = {"zc001-7.3.2-f-total-park": "ghg_boundary.yaml", "zc001-7.5-base-intensity": "baseline.yaml",
           "zc001-7.3.5-d-claim": "offsets.yaml", "zc001-7.3.5-d-claim-offsets": "offsets.yaml",
           "zc001-7.3.5-d-neutral": "offsets.yaml"}
GENERATED = ("energy_ledger.csv", "ghg_inventory.csv", "emission_factors.yaml", "ghg_boundary.yaml",
             "economic_output.yaml", "baseline.yaml", "offsets.yaml")


@pytest.fixture(scope="module")
def park(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("large") / "park"
    assert ledger.main([str(out), "--enterprises", "2"]) == 0
    return out


def test_generated_park_has_the_requested_size(park):
    with (park / "ghg_inventory.csv").open(encoding="utf-8") as fh:
        rows = sum(1 for _ in fh) - 1
    assert rows == 2 * ledger.PER_ENTERPRISE == 720
    boundary = yaml.safe_load((park / "ghg_boundary.yaml").read_text(encoding="utf-8"))
    assert [b["id"] for b in boundary["boundary"]] == ["E0001", "E0002"]


def test_generated_park_checks_with_no_nonconformity(park):
    manifest = yaml.safe_load((park / "bundle.yaml").read_text(encoding="utf-8"))
    report = run_check(park)  # the standards the bundle declares
    assert [p.id for p in report.packs] == manifest["standards"]
    assert [(n.id, n.rules) for n in report.nonconformities] == []
    assert [r.rule for r in report.results if r.status in (Status.NONCONFORMITY, Status.NOT_EVALUATED)] == []
    judged = {r.rule: r for r in report.results if r.rule in FIGURES}
    assert {rid: r.status for rid, r in judged.items()} == dict.fromkeys(FIGURES, Status.CONFORM)
    for rid, file in FIGURES.items():
        assert judged[rid].evidence[0].file == file
    [neutral] = report.neutrality
    assert (neutral.year, neutral.status, neutral.rejected) == (2024, Status.CONFORM, ())
    assert dict(neutral.figures)["net_emissions"] <= 0


def test_the_claim_and_the_baseline_come_from_the_generated_totals(park):
    totals = {t["year"]: t["emissions"] for t in
              yaml.safe_load((park / "ghg_boundary.yaml").read_text(encoding="utf-8"))["totals"] if t["scope"] == "park"}
    assert sorted(totals) == [2022, 2023, 2024]
    claim = yaml.safe_load((park / "offsets.yaml").read_text(encoding="utf-8"))["claim"]
    assert (claim["year"], claim["claimed_emissions"]) == (2024, totals[2024])
    output = {r["year"]: r["value"] for r in
              yaml.safe_load((park / "economic_output.yaml").read_text(encoding="utf-8"))["records"]}
    [bl] = [b for b in yaml.safe_load((park / "baseline.yaml").read_text(encoding="utf-8"))["baselines"]
            if b["id"] == "BL-1"]
    assert bl["base_year"] == 2022 and bl["value"] == pytest.approx(totals[2022] / output[2022], rel=1e-4)


def test_the_command_refuses_a_folder_that_is_not_empty(park, capsys):
    assert ledger.main([str(park)]) == 2
    assert "not empty" in capsys.readouterr().err


def test_the_benchmark_ledger_series_uses_the_same_generator(park, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "bench"))  # bench.py imports its sibling as `ledger`
    from bench import bench

    dest = tmp_path / "bench"
    counts = bench.SERIES["ledger"](dest, 2 * ledger.PER_ENTERPRISE)
    assert counts["enterprises"] == 2
    for name in GENERATED:
        assert (dest / name).read_bytes() == (park / name).read_bytes(), name


def _changed_ledger(park: Path, tmp_path: Path) -> Path:
    """The park with one month of one enterprise's energy ledger doubled (it no longer matches the
    inventory: the monthly comparisons that read the ledger's aggregates find it)."""
    import csv
    import shutil
    copy = tmp_path / "changed"
    shutil.copytree(park, copy)
    with (copy / "energy_ledger.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    column = rows[0].index("quantity")
    rows[1][column] = str(float(rows[1][column]) * 2)
    with (copy / "energy_ledger.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return copy


def test_aggregates_made_as_columns_give_the_report_of_aggregates_made_as_facts(park, tmp_path, monkeypatch):
    """An aggregate nothing reads as facts is made as columns (checker.aggtable): the report is byte for
    byte the one made with every aggregate a fact, on the clean park and on one the ledger contradicts."""
    from checker import aggregation
    from checker.reporters import json_report

    made: list[frozenset] = []
    virtual = aggregation.virtual_kinds

    def spy(*args, **kwargs):
        made.append(virtual(*args, **kwargs))
        return made[-1]

    for bundle in (park, _changed_ledger(park, tmp_path)):
        monkeypatch.setattr(aggregation, "virtual_kinds", spy)
        as_columns = run_check(bundle)
        monkeypatch.setattr(aggregation, "virtual_kinds", lambda *args, **kwargs: frozenset())
        as_facts = run_check(bundle)
        assert json_report.render(as_columns) == json_report.render(as_facts)
    assert made and all(made)  # some aggregates were made as columns
    assert as_facts.nonconformities  # the changed ledger is found


def test_the_ledgers_quantities_are_nearly_all_distinct(park):
    """As in a park's real ledger, nearly every row's quantity is its own: a benchmark ledger of a few hundred
    repeated quantities measured work done once per distinct value as if it were free (issue 15)."""
    import csv

    for name, column in (("energy_ledger.csv", "quantity"), ("ghg_inventory.csv", "activity")):
        with (park / name).open(encoding="utf-8", newline="") as fh:
            values = [row[column] for row in csv.DictReader(fh)]
        assert len(set(values)) >= 0.9 * len(values), name
