"""Quantitative checks of the GHG inventory, energy ledger and emission factors (issue 16; T/CPQS
ZC001—2025 7.3.2 d)–f), rules/t-cpqs-zc001-2025/7.3.2-accounting.yaml): the conforming park passes
every one, each seeded defect of the defective park is found at its clause with its grade and the
file, row and column of the record, and the benchmark ledger generator writes valid tables."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from bench.ledger import write_ledger
from checker.check import run_check
from checker.model import Status
from checker.packs import get_pack

from .conftest import BASE_FIXTURE, DEFECTIVE, PACK

RULE_FILE = "7.3.2-accounting.yaml"


def _accounting_rules() -> set[str]:
    return {r.id for r in get_pack(PACK).rules if Path(r.file).name == RULE_FILE}


def _csv_line(bundle: Path, name: str, record_id: str) -> int:
    """The line of the CSV row whose id is ``record_id`` (the header is line 1)."""
    with (bundle / name).open(encoding="utf-8") as fh:
        for line, row in enumerate(csv.DictReader(fh), 2):
            if row["id"] == record_id:
                return line
    raise AssertionError(f"{name}: no row {record_id}")


def _row_index(bundle: Path, name: str, record_id: str) -> int:
    return _csv_line(bundle, name, record_id) - 2


# (rule, clause, grade, file, record id, column): the defects documented in donghu-park/bundle.yaml.  A
# finding about a group of records (a year of one energy type, a month of purchased electricity) cites
# the group's first record, as a row without a column.
DONGHU_DEFECTS = [
    ("zc001-7.3.2-f-recompute", "7.3.2 f)", "minor", "ghg_inventory.csv", "DH-E01-202306-NG", "emissions"),
    ("zc001-7.3.2-f-units", "7.3.2 f)", "minor", "ghg_inventory.csv", "DH-E02-202403-HEAT", "activity_unit"),
    ("zc001-7.3.2-e-factor-year", "7.3.2 e)", "minor", "ghg_inventory.csv", "DH-E02-202401-ELEC", "factor_year"),
    ("zc001-7.3.2-e-months", "7.3.2 e)", "minor", "energy_consumption.csv", "DH-E02-202301-DSL", None),
    ("zc001-7.3.2-f-double-counting", "7.3.2 f)", "minor", "ghg_inventory.csv", "DH-E01-202407-ELEC", None),
]


def test_the_accounting_rules_exist():
    assert len(_accounting_rules()) >= 15


def test_conforming_park_passes_every_accounting_rule(conforming):
    rules = _accounting_rules()
    mine = [r for r in conforming.results if r.rule in rules]
    assert {r.rule for r in mine} == rules
    bad = [(r.rule, r.status.value) for r in mine if r.status not in (Status.CONFORM, Status.NOT_APPLICABLE)]
    assert bad == []
    # the checks that carry the weight really ran on the park's records and passed
    assert {r.rule for r in mine if r.status is Status.CONFORM} >= {
        "zc001-7.3.2-f-recompute", "zc001-7.3.2-e-tce", "zc001-7.3.2-e-months", "zc001-7.3.2-f-months",
        "zc001-7.3.2-e-factor-year", "zc001-7.3.2-e-factor-region", "zc001-7.3.2-f-biomass",
        "zc001-7.3.2-f-total-park", "zc001-7.3.2-f-total-enterprise", "zc001-7.3.2-f-total-category",
        "zc001-7.3.2-d-boundary", "zc001-7.3.2-f-double-counting"}


@pytest.mark.parametrize("rule, clause, grade, file, record, column", DONGHU_DEFECTS,
                         ids=[d[0] for d in DONGHU_DEFECTS])
def test_defective_park_record_defect_named_by_file_row_and_column(defective, rule, clause, grade, file, record,
                                                                   column):
    [nc] = [n for n in defective.nonconformities if rule in n.rules]
    assert (PACK, clause) in nc.clauses and nc.grade.value == grade
    ev = nc.evidence[0]
    assert ev.file == file
    assert ev.line == _csv_line(DEFECTIVE, file, record)
    row = f"/records/{_row_index(DEFECTIVE, file, record)}"
    assert ev.pointer == (f"{row}/{column}" if column else row)


def _result(report, rule: str, status: Status = Status.NONCONFORMITY):
    found = [r for r in report.results if r.rule == rule and r.status is status]
    assert found, f"no {status.value} of {rule}"
    return found


def test_arithmetic_defect_gives_expected_and_declared_with_units(defective):
    [r] = _result(defective, "zc001-7.3.2-f-recompute")
    # 6.12 万m3 x 21.622 tCO2/万m3 x 1 = 132.3266 tCO2e recomputed; 1323.266 tCO2e declared
    assert "DH-E01-202306-NG" in r.message.zh and "填报排放量 1323.266 tCO2e" in r.message.zh
    assert "重算为 132.3266 tCO2e" in r.message.zh
    assert "tCO2e" in r.message.zh and "万m3" in r.message.zh and "tCO2/万m3" in r.message.zh
    assert "tCO2e" in r.message.en and "x factor" in r.message.en


def test_missing_month_names_enterprise_energy_type_and_year(defective):
    [r] = _result(defective, "zc001-7.3.2-e-months")
    assert r.grade.value == "minor" and r.clause == "7.3.2 e)"
    assert "DH-E02" in r.message.zh and "柴油" in r.message.zh and "2023" in r.message.zh and "11 个月" in r.message.zh


def test_pv_counted_again_as_purchased_power_is_flagged(defective):
    [r] = _result(defective, "zc001-7.3.2-f-double-counting")
    assert r.grade.value == "minor" and r.clause == "7.3.2 f)"
    assert "DH-E01" in r.message.zh and "2024 年 7 月" in r.message.zh and "自产电力" in r.message.zh


def test_defective_park_has_no_other_accounting_findings(defective):
    expected = {d[0] for d in DONGHU_DEFECTS}
    got = {r.rule for r in defective.results if r.rule in _accounting_rules() and r.status is Status.NONCONFORMITY}
    assert got == expected


def test_write_ledger_writes_valid_complete_tables(tmp_path):
    dest = tmp_path / "bench"
    shutil.copytree(BASE_FIXTURE, dest)
    counts = write_ledger(dest, 720)
    assert counts == {"enterprises": 2, "years": 3, "energy_rows": 720, "ghg_rows": 720, "factors": 10}
    with (dest / "ghg_inventory.csv").open(encoding="utf-8") as fh:
        assert sum(1 for _ in fh) == 721
    report = run_check(dest, [PACK])
    rules = _accounting_rules()
    assert [(r.rule, r.status.value) for r in report.results
            if r.rule in rules and r.status not in (Status.CONFORM, Status.NOT_APPLICABLE)] == []


def test_write_ledger_scales_to_the_benchmark_size():
    from bench.ledger import MONTHS, SOURCES
    per_enterprise = 3 * len(MONTHS) * len(SOURCES)
    assert 180000 // per_enterprise == 500
