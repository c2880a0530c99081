"""One defect of the ledgers, one nonconformity (issue 16, T/CPQS ZC001—2025 7.3.2 e)/f)): a month entered
twice, a record of a period that ends after the audit date, an emission factor whose unit cannot be read,
an activity unit that cannot be read, self-generated power entered again as purchased.  Each mutation of
the conforming park (in memory, as the seeded-defect harness does) gives the finding at its clause with
its grade, naming the file, the row and the column, and none of the findings that are its consequences:
the totals the duplicate inflates, the factor year, month count and power comparison of a record that
should not be there, each record that cites the unreadable factor."""

from __future__ import annotations

import csv
from pathlib import Path

from checker.model import Grade, Status
from tests.harness.run import Entry, _mutated_report, _new_ncs

from .conftest import CONFORMING, PACK

GHG, ENERGY, FACTORS = "ghg_inventory.csv", "energy_consumption.csv", "emission_factors.yaml"


def _row(name: str, record_id: str) -> tuple[int, dict]:
    """(CSV line, row) of a record of the conforming park."""
    with (CONFORMING / name).open(encoding="utf-8") as fh:
        for line, row in enumerate(csv.DictReader(fh), 2):
            if row["id"] == record_id:
                return line, row
    raise AssertionError(f"{name}: no row {record_id}")


def _rows(name: str) -> int:
    with (CONFORMING / name).open(encoding="utf-8") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def _run(*edits: dict):
    entry = Entry("probe", "inline", tuple(edits), (PACK,))
    report = _mutated_report(entry)
    return report, _new_ncs(report, entry.standards)


def _appended(name: str, record_id: str, **changes) -> dict:
    _, row = _row(name, record_id)
    return {"op": "set", "file": name, "path": "/-", "value": {**row, **changes}}


def _nc(report, rule: str):
    [nc] = [n for n in report.nonconformities if rule in n.rules]
    return nc


def _accounting(new: list[str]) -> list[str]:
    return [k for k in new if k.startswith("7.3.2")]


def test_month_entered_twice_in_the_energy_ledger_is_one_finding_naming_both_rows():
    """One result per period entered more than once (200,000 copies of a row are one finding, not
    200,000): located at the period's first repetition, the first row named by its id and its line."""
    report, new = _run(_appended(ENERGY, "LG-E01-202404-NG", id="LG-E01-202404-NG-B"))
    assert new == ["7.3.2 e) minor zc001-7.3.2-e-duplicate-month"]
    nc = _nc(report, "zc001-7.3.2-e-duplicate-month")
    assert (PACK, "7.3.2 e)") in nc.clauses and nc.grade is Grade.MINOR
    added = _rows(ENERGY) + 2  # the appended row's line
    assert [(e.file, e.line, e.pointer) for e in nc.evidence] == [(ENERGY, added, f"/records/{added - 2}/id")]
    first, _ = _row(ENERGY, "LG-E01-202404-NG")  # the first row is named by its id and its line
    assert f"LG-E01 的“天然气”2024 年 4 月已有记录 LG-E01-202404-NG（{ENERGY}:{first}），记录 LG-E01-202404-NG-B 再次填报" \
        in nc.finding.zh, nc.finding.zh
    assert f"as LG-E01-202404-NG ({ENERGY}:{first}), and record LG-E01-202404-NG-B" in nc.finding.en


def test_month_entered_twice_in_the_inventory_is_one_finding_not_the_totals_it_inflates():
    report, new = _run(_appended(GHG, "LG-E01-202404-NG", id="LG-E01-202404-NG-B"))
    assert _accounting(new) == ["7.3.2 f) minor zc001-7.3.2-f-duplicate-month"]
    nc = _nc(report, "zc001-7.3.2-f-duplicate-month")
    assert (PACK, "7.3.2 f)") in nc.clauses and nc.grade is Grade.MINOR
    added = _rows(GHG) + 2
    assert [(e.file, e.line) for e in nc.evidence] == [(GHG, added)]
    first, _ = _row(GHG, "LG-E01-202404-NG")
    assert f"“燃气锅炉”（CO2）2024 年 4 月已有记录 LG-E01-202404-NG（{GHG}:{first}），记录 LG-E01-202404-NG-B" \
        in nc.finding.zh, nc.finding.zh
    # no total becomes a nonconformity of its own: the park total (shared with T/SEESA) counts the period once,
    # as a verifier recomputes it, so it agrees; the enterprise total the duplicate inflates waits on it
    statuses = {r.status for r in report.results if r.rule == "zc001-7.3.2-f-total-park"}
    assert statuses == {Status.CONFORM}, statuses
    statuses = {r.status for r in report.results if r.rule == "zc001-7.3.2-f-total-enterprise"}
    assert Status.NONCONFORMITY not in statuses and Status.NOT_EVALUATED in statuses, statuses


def test_annual_figure_and_other_gas_of_the_same_month_are_not_duplicates():
    _, new = _run(_appended(GHG, "LG-E01-202404-NG", id="LG-E01-202404-NG-CH4", gas="CH4", factor_id="",
                            factor="0.000389", factor_unit="tCH4/万m3", gwp="28", emissions="0.0878"))
    assert not [k for k in new if "duplicate" in k], new


def test_record_after_the_audit_date_is_one_finding_at_its_year():
    report, new = _run(_appended(GHG, "LG-E01-202406-ELEC", id="LG-E01-202606-ELEC", year="2026"))
    assert _accounting(new) == ["7.3.2 e) minor zc001-7.3.2-e-after-audit-inventory"]
    nc = _nc(report, "zc001-7.3.2-e-after-audit-inventory")
    added = _rows(GHG) + 2
    assert [(e.file, e.line, e.pointer) for e in nc.evidence] == [(GHG, added, f"/records/{added - 2}/year")]
    assert "2026 年 6 月" in nc.finding.zh and "审核日期 2025-04-15" in nc.finding.zh, nc.finding.zh


def test_energy_record_after_the_audit_date_is_one_finding_at_its_year():
    line, _ = _row(ENERGY, "LG-E02-202406-NG")
    report, new = _run({"op": "set", "file": ENERGY, "path": "/[id=LG-E02-202406-NG]/year", "value": "2025"})
    # June 2025 ends after the audit date (2025-04-15); the 2025 'year' of one month is not judged for
    # completeness (it had not ended), and 2024 now lacks June: that month is missing
    assert "7.3.2 e) minor zc001-7.3.2-e-after-audit-energy" in new
    nc = _nc(report, "zc001-7.3.2-e-after-audit-energy")
    assert [(e.file, e.line, e.pointer) for e in nc.evidence] == [(ENERGY, line, f"/records/{line - 2}/year")]


def test_unreadable_factor_unit_is_one_finding_at_the_factor_table():
    text = (CONFORMING / FACTORS).read_text(encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "id: EF-ELEC-2022" in t)
    report, new = _run({"op": "set", "file": FACTORS, "path": "/factors[id=EF-ELEC-2022]/unit", "value": "=1+1"})
    assert new == ["7.3.2 e) minor zc001-7.3.2-e-factor-unit"]
    nc = _nc(report, "zc001-7.3.2-e-factor-unit")
    assert (PACK, "7.3.2 e)") in nc.clauses and nc.grade is Grade.MINOR
    [ev] = nc.evidence
    assert (ev.file, ev.line, ev.pointer) == (FACTORS, line, "/factors/0/unit")


def test_unreadable_activity_unit_is_the_unit_finding_only():
    line, _ = _row(GHG, "LG-E01-202403-ELEC")
    report, new = _run({"op": "set", "file": GHG, "path": "/[id=LG-E01-202403-ELEC]/activity_unit", "value": "兆瓦时h"})
    assert new == ["7.3.2 f) minor zc001-7.3.2-f-units"]
    [ev] = _nc(report, "zc001-7.3.2-f-units").evidence
    assert (ev.file, ev.line, ev.pointer) == (GHG, line, f"/records/{line - 2}/activity_unit")


def test_purchased_power_not_in_energy_units_is_a_unit_finding_not_a_silent_skip():
    """Fail closed: a month whose purchased power cannot be read in MWh is not compared with the ledger,
    so the record itself is the finding (its activity and factor agree with each other)."""
    line, _ = _row(GHG, "LG-E01-202403-ELEC")
    report, new = _run({"op": "set", "file": GHG, "path": "/[id=LG-E01-202403-ELEC]/activity_unit", "value": "t"},
                       {"op": "set", "file": GHG, "path": "/[id=LG-E01-202403-ELEC]/factor_unit", "value": "tCO2/t"})
    assert "7.3.2 f) minor zc001-7.3.2-f-units" in new
    assert not [k for k in new if "double-counting" in k], new
    [ev] = _nc(report, "zc001-7.3.2-f-units").evidence
    assert (ev.file, ev.line) == (GHG, line)


def test_self_generated_power_entered_as_purchased_is_the_double_count_only():
    _report, new = _run(_appended(GHG, "LG-E03-202406-ELEC", id="LG-E03-202406-PVX", source="外购电力（屋顶光伏结算）",
                                 activity="105.735", emissions="60.3007"))
    assert "7.3.2 f) minor zc001-7.3.2-f-double-counting" in new
    assert not [k for k in new if "months" in k], new


def test_factor_unit_rule_and_period_rules_are_in_the_pack():
    from checker.packs import get_pack
    ids = {r.id: r for r in get_pack(PACK).rules}
    for rule, clause in [("zc001-7.3.2-e-duplicate-month", "7.3.2 e)"), ("zc001-7.3.2-f-duplicate-month", "7.3.2 f)"),
                         ("zc001-7.3.2-e-after-audit-inventory", "7.3.2 e)"),
                         ("zc001-7.3.2-e-after-audit-energy", "7.3.2 e)"), ("zc001-7.3.2-e-factor-unit", "7.3.2 e)"),
                         ("zc001-7.3.2-f-months-purchased", "7.3.2 f)")]:
        assert ids[rule].clause == clause and ids[rule].grade == "minor"
        assert any(c.breach for c in ids[rule].cases) and any(not c.breach for c in ids[rule].cases)
    assert Path(ids["zc001-7.3.2-e-factor-unit"].file).name == "7.3.2-accounting.yaml"


def test_a_period_entered_three_times_is_one_finding_at_its_first_repetition():
    report, new = _run(_appended(ENERGY, "LG-E01-202404-NG", id="LG-E01-202404-NG-B"),
                       _appended(ENERGY, "LG-E01-202404-NG", id="LG-E01-202404-NG-C"))
    assert new == ["7.3.2 e) minor zc001-7.3.2-e-duplicate-month"]
    [ev] = _nc(report, "zc001-7.3.2-e-duplicate-month").evidence
    assert (ev.file, ev.line) == (ENERGY, _rows(ENERGY) + 2)



def test_a_duplicated_row_without_ids_names_the_first_row_by_its_line(tmp_path):
    """The benchmark's tables have no id column: the first row is named by file and line alone."""
    from bench import ledger
    from checker.check import run_check

    park = tmp_path / "park"
    ledger.write_park(park, enterprises=1)
    with (park / "ghg_inventory.csv").open(encoding="utf-8") as fh:
        lines = fh.readlines()
    (park / "ghg_inventory.csv").write_text("".join([*lines, lines[4]]), encoding="utf-8")  # line 5 again
    report = run_check(park)
    nc = _nc(report, "zc001-7.3.2-f-duplicate-month")
    assert [(e.file, e.line) for e in nc.evidence] == [("ghg_inventory.csv", len(lines) + 1)]
    assert "已有记录（ghg_inventory.csv:5），另一条记录再次填报同一期间" in nc.finding.zh, nc.finding.zh
    assert "(ghg_inventory.csv:5), and another record enters" in nc.finding.en, nc.finding.en
    assert [n.rules for n in report.nonconformities] == [nc.rules]


def _split_by_year(also_2022: dict | None = None) -> tuple[dict, ...]:
    """The energy ledger written as two files (2022; 2023–2024), both declared in bundle.yaml."""
    text = (CONFORMING / ENERGY).read_text(encoding="utf-8")
    header, *lines = text.splitlines()
    first = [ln for ln in lines if ",2022," in ln]
    later = [ln for ln in lines if ",2022," not in ln]
    if also_2022:
        later.append(",".join(str(also_2022[h]) for h in header.split(",")))
    return ({"op": "delete_file", "file": ENERGY},
            {"op": "add_file", "file": "energy_2022.csv", "content": "\n".join([header, *first]) + "\n"},
            {"op": "add_file", "file": "energy_2023-2024.csv", "content": "\n".join([header, *later]) + "\n"},
            {"op": "replace_text", "file": "bundle.yaml", "old": f"  - {{file: {ENERGY}, kind: energy_consumption}}\n",
             "new": "  - {file: energy_2022.csv, kind: energy_consumption}\n"
                    "  - {file: energy_2023-2024.csv, kind: energy_consumption}\n"})


def test_a_ledger_kept_in_one_file_per_year_is_judged_as_one_ledger():
    """Parks keep a ledger per year: two files of the kind are one ledger (no refusal, no finding), and a
    month entered in both is the one duplicate it is, named in the file that repeats it."""
    report, new = _run(*_split_by_year())
    assert new == [] and not isinstance(report, str)
    _, row = _row(ENERGY, "LG-E01-202204-NG")
    report, new = _run(*_split_by_year({**row, "id": "LG-E01-202204-NG-B"}))
    assert new == ["7.3.2 e) minor zc001-7.3.2-e-duplicate-month"]
    nc = _nc(report, "zc001-7.3.2-e-duplicate-month")
    assert [e.file for e in nc.evidence] == ["energy_2023-2024.csv"]
    assert "LG-E01-202204-NG（energy_2022.csv:" in nc.finding.zh, nc.finding.zh
