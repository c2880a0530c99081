"""Baseline and trend, offsets and the neutrality verdict (issue 16; T/CPQS ZC001—2025 7.5, 7.3.5 d),
9.2.5 c); T/SEESA 010—2025 indicator 25, 5.8 3), 7.4.1): the conforming park passes every such rule,
each seeded defect of the defective park is found at its clause with grade, file, line and column, the
SEESA score uses only an indicator 25 the inventory confirms, and the reports list the verdict and
every rejected offset with its reason."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
import yaml

from checker.check import run_check
from checker.model import Status
from checker.packs import get_pack

from .conftest import CONFORMING, DEFECTIVE, EVIDENCE, PACK

SEESA = "t-seesa-010-2025"
CPQS_FILE = "7.5-9.2.5-quantities.yaml"
SEESA_FILE = "7.4.1-neutrality.yaml"


def _rules(pack: str, name: str) -> set[str]:
    return {r.id for r in get_pack(pack).rules if Path(r.file).name == name}


def _line(bundle: Path, name: str, needle: str, nth: int = 0) -> int:
    """The line of the nth line holding ``needle`` in a YAML file (flow-style records: one per line)."""
    lines = [i for i, text in enumerate((bundle / name).read_text(encoding="utf-8").splitlines(), 1)
             if needle in text]
    return lines[nth]


def _findings(report, rule: str) -> list:
    return [r for r in report.results if r.rule == rule and r.status in (Status.NONCONFORMITY, Status.OBSERVATION)]


# -- the conforming park -------------------------------------------------------------------------

def test_conforming_park_passes_every_trend_and_offset_rule(conforming):
    rules = _rules(PACK, CPQS_FILE)
    mine = [r for r in conforming.results if r.rule in rules]
    assert {r.rule for r in mine} == rules
    assert [(r.rule, r.status.value) for r in mine if r.status not in (Status.CONFORM, Status.NOT_APPLICABLE)] == []
    conform = {r.rule for r in mine if r.status is Status.CONFORM}
    assert {"zc001-7.5-base-total", "zc001-7.5-base-intensity", "zc001-7.5-b-boundary", "zc001-7.3.5-d-claim",
            "zc001-7.3.5-d-neutral", "zc001-9.2.5-c-retired", "zc001-9.2.5-c-serial", "zc001-9.2.5-c-year",
            "zc001-9.2.5-c-vintage", "zc001-9.2.5-c-unit"} <= conform


def test_conforming_park_neutrality_section(conforming):
    [n] = conforming.neutrality
    assert (n.standard, n.rule, n.year, n.status) == (PACK, "zc001-7.3.5-d-neutral", 2024, Status.CONFORM)
    figures = dict(n.figures)
    assert figures["inventory_emissions"] == pytest.approx(20934.21, abs=0.01)
    assert figures["valid_offsets"] == pytest.approx(15000 + 10500 * 0.5703, abs=0.01)
    assert figures["net_emissions"] < 0
    assert n.rejected == ()


# -- the defective park: each seeded defect at its place -----------------------------------------

# (rule, clause, grade, file, needle on the record's line, nth such line, pointer)
DONGHU = [
    ("zc001-9.2.5-c-retired", "9.2.5 c)", "minor", "offsets.yaml", "serial: CCER-DH-2024-0002", 0,
     "/offsets/1/retired"),
    ("zc001-9.2.5-c-serial", "9.2.5 c)", "minor", "offsets.yaml", "serial: GEC-DH-2024-0001", 0, "/offsets/2/serial"),
    ("zc001-9.2.5-c-serial", "9.2.5 c)", "minor", "offsets.yaml", "serial: GEC-DH-2024-0001", 1, "/offsets/3/serial"),
    ("zc001-9.2.5-c-year", "9.2.5 c)", "minor", "offsets.yaml", "serial: CCER-DH-2023-0009", 0,
     "/offsets/4/claimed_year"),
]


@pytest.mark.parametrize("rule, clause, grade, file, needle, nth, pointer", DONGHU,
                         ids=[f"{d[0]}-{d[6]}" for d in DONGHU])
def test_defective_park_defect_at_clause_grade_file_line_column(defective, rule, clause, grade, file, needle, nth,
                                                                pointer):
    [nc] = [n for n in defective.nonconformities if rule in n.rules]
    assert (PACK, clause) in nc.clauses and nc.grade.value == grade
    [ev] = [e for e in nc.evidence if e.pointer == pointer]
    assert ev.file == file and ev.line == _line(DEFECTIVE, file, needle, nth)


def test_defective_park_verdict_waits_on_the_inventory_defects(defective):
    """One root defect, one nonconformity: while the inventory the claim is judged against is in doubt
    (records that do not recompute, units, double counting), the verdict is not evaluated; the figures
    show what the valid offsets cover."""
    [r] = [x for x in defective.results if x.rule == "zc001-7.3.5-d-neutral"]
    assert r.status is Status.NOT_EVALUATED and r.evidence[0].pointer == "/claim"
    inventory = {"zc001-7.3.2-f-inventory", "zc001-7.3.2-f-units", "zc001-7.3.2-f-recompute", "zc001-7.3.2-f-biomass",
                 "zc001-7.3.2-f-double-counting", "zc001-7.3.2-f-total-park", "zc001-7.3.2-f-total-enterprise"}
    waits = {nc.id for nc in defective.nonconformities if set(nc.rules) & inventory}
    assert set(r.depends_on) and set(r.depends_on) <= waits
    [n] = defective.neutrality
    assert n.status is Status.NOT_EVALUATED
    figures = dict(n.figures)
    assert figures["valid_offsets"] == pytest.approx(8000)  # only CCER-DH-2024-0001 counts
    assert figures["net_emissions"] == pytest.approx(figures["inventory_emissions"] - 8000, abs=0.01)


def test_valid_offsets_not_covering_the_emissions_is_the_verdict_finding(tmp_path):
    park = _copy(tmp_path)
    _edit(park / "offsets.yaml", "quantity: 15000", "quantity: 5000")
    report = run_check(park, [PACK])
    [r] = _findings(report, "zc001-7.3.5-d-neutral")
    assert (r.status, r.grade.value, r.clause) == (Status.NONCONFORMITY, "minor", "7.3.5 d)")
    assert (r.evidence[0].file, r.evidence[0].pointer) == ("offsets.yaml", "/claim")
    assert [nc for nc in report.nonconformities if set(nc.rules) & _rules(PACK, CPQS_FILE)] == [
        nc for nc in report.nonconformities if "zc001-7.3.5-d-neutral" in nc.rules]
    [n] = report.neutrality
    assert n.status is Status.NONCONFORMITY and dict(n.figures)["net_emissions"] > 0 and n.rejected == ()


def test_defective_park_lists_every_rejected_offset_with_its_reasons(defective):
    [n] = defective.neutrality
    got = [(o.serial, o.pointer, o.rules) for o in n.rejected]
    assert got == [("CCER-DH-2024-0002", "/offsets/1", ("zc001-9.2.5-c-retired",)),
                   ("GEC-DH-2024-0001", "/offsets/2", ("zc001-9.2.5-c-serial",)),
                   ("GEC-DH-2024-0001", "/offsets/3", ("zc001-9.2.5-c-serial",)),
                   ("CCER-DH-2023-0009", "/offsets/4", ("zc001-9.2.5-c-year",))]
    assert all(o.line == _line(DEFECTIVE, "offsets.yaml", f"serial: {o.serial}", i)
               for o, i in zip(n.rejected, (0, 0, 1, 0), strict=True))
    assert "未注销" in n.rejected[0].reasons[0].zh and "not retired" in n.rejected[0].reasons[0].en


def test_defective_park_claim_waits_on_the_inventory_defects(defective):
    """The claim states 14000 tCO2e against an inventory total the accounting rules found wrong: the
    comparison waits on those nonconformities (one root defect, one nonconformity)."""
    [r] = [x for x in defective.results if x.rule == "zc001-7.3.5-d-claim"]
    assert r.status is Status.NOT_EVALUATED and r.evidence[0].pointer == "/claim/claimed_emissions"


def test_defective_park_has_no_other_trend_findings(defective):
    expected = {d[0] for d in DONGHU}
    got = {r.rule for r in defective.results if r.rule in _rules(PACK, CPQS_FILE) and r.status is Status.NONCONFORMITY}
    assert got == expected


# -- mutations of the conforming park --------------------------------------------------------------

def _copy(tmp_path: Path, park: Path = CONFORMING) -> Path:
    dest = tmp_path / park.name
    shutil.copytree(park, dest)
    return dest


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_baseline_total_disagreeing_with_inventory_is_found(tmp_path):
    park = _copy(tmp_path)
    _edit(park / "baseline.yaml", "value: 20829.6", "value: 1284000")
    [r] = _findings(run_check(park, [PACK]), "zc001-7.5-base-total")
    assert (r.status, r.grade.value, r.clause) == (Status.NONCONFORMITY, "minor", "7.5")
    assert (r.evidence[0].file, r.evidence[0].pointer) == ("baseline.yaml", "/baselines/1/value")
    assert r.evidence[0].line == _line(park, "baseline.yaml", "value: 1284000")


def test_a_wrong_intensity_baseline_is_one_nonconformity(tmp_path):
    """BL-2022-INT 0.78 against 20829.6 / 24220.47 = 0.86 from the inventory: the baseline (7.5) is the
    root; the monitoring comparison citing 0.86 (10.1.1) and the performance above 0.78 (11.3) wait on it."""
    park = _copy(tmp_path)
    base = {(n.rules[0], tuple(c for _, c in n.clauses)) for n in run_check(CONFORMING, [PACK]).nonconformities}
    _edit(park / "baseline.yaml", "  value: 0.86\n", "  value: 0.78\n")
    report = run_check(park, [PACK])
    new = [n for n in report.nonconformities if (n.rules[0], tuple(c for _, c in n.clauses)) not in base]
    [nc] = new
    assert nc.rules == ("zc001-7.5-base-intensity",) and nc.grade.value == "minor"
    assert [(e.file, e.pointer) for e in nc.evidence] == [("baseline.yaml", "/baselines/0/value")]
    waiting = [r for r in report.results if r.rule in ("zc001-10.1.1-baseline", "zc001-11.3")
               and r.status is Status.NOT_EVALUATED]
    assert {r.rule for r in waiting} == {"zc001-10.1.1-baseline", "zc001-11.3"}
    assert all("zc001-7.5-base-intensity" in r.blocked_by for r in waiting)


def test_the_claim_is_judged_on_the_recomputed_inventory(conforming):
    """inventory_emissions is the 2024 sum of activity × factor × GWP, not of the declared column."""
    rows = [r for r in csv.DictReader((CONFORMING / "ghg_inventory.csv").open(encoding="utf-8", newline=""))
            if r["year"] == "2024" and r["category"] not in ("biomass", "exported_energy")]
    recomputed = sum(float(r["activity"]) * float(r["factor"]) * float(r["gwp"]) for r in rows)
    [n] = conforming.neutrality
    assert dict(n.figures)["inventory_emissions"] == pytest.approx(recomputed, rel=1e-9)


def test_exported_energy_is_deducted_from_the_park_total(tmp_path, conforming):
    """GB/T 32150 (a normative reference of T/CPQS and T/SEESA) counts purchased minus exported electricity
    and heat: an exported row lowers the park total of its year — the claim's figure and the intensity."""
    park = _copy(tmp_path)
    with open(park / "ghg_inventory.csv", "a", encoding="utf-8", newline="") as f:
        f.write("LG-E01-2024-EXPORT,LG-E01,2024,,余电上网,exported_energy,CO2,1000,MWh,EF-ELEC-2022,0.5703,tCO2/MWh,"
                "示例排放因子集（非官方数值）,parkcheck 示例数据,2022,AR5,1,570.3,结算单据,2\n")
    report = run_check(park, [PACK])
    [before], [after] = conforming.neutrality, report.neutrality
    assert dict(after.figures)["inventory_emissions"] == pytest.approx(
        dict(before.figures)["inventory_emissions"] - 570.3, abs=1e-6)
    assert dict(after.figures)["net_emissions"] == pytest.approx(dict(before.figures)["net_emissions"] - 570.3, abs=1e-6)


def test_self_declared_trigger_does_not_outrank_a_boundary_change(tmp_path):
    """An enterprise missing from the base year: the triggers say the baseline was adjusted, the data
    say it was not recalculated for one boundary."""
    park = _copy(tmp_path)
    rows = (park / "ghg_inventory.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [row for row in rows if ",LG-E03,2022," not in row]
    assert len(kept) < len(rows)
    (park / "ghg_inventory.csv").write_text("".join(kept), encoding="utf-8")
    found = _findings(run_check(park, [PACK]), "zc001-7.5-b-boundary")
    assert [(r.status, r.grade.value, r.clause) for r in found] == [(Status.NONCONFORMITY, "minor", "7.5 b)")]
    assert "LG-E03" in found[0].message.zh


def test_offsets_retired_after_the_audit_date_break_the_verdict(tmp_path):
    """The certificate retired after the audit date is rejected at 9.2.5 c); without it the offsets no
    longer cover 2024, so the claim fails at 7.3.5 d) — one nonconformity citing both clauses, not two."""
    park = _copy(tmp_path)
    _edit(park / "offsets.yaml", "retirement_date: 2025-03-05", "retirement_date: 2025-05-05")
    report = run_check(park, [PACK])
    [r] = _findings(report, "zc001-9.2.5-c-retired-by-audit")
    assert (r.evidence[0].pointer, r.grade.value) == ("/offsets/1/retirement_date", "minor")
    [v] = _findings(report, "zc001-7.3.5-d-neutral")
    assert (v.status, v.grade.value, v.clause, v.evidence[0].pointer) == (
        Status.NONCONFORMITY, "minor", "7.3.5 d)", "/claim")
    [nc] = [n for n in report.nonconformities if "zc001-7.3.5-d-neutral" in n.rules]
    assert set(nc.rules) == {"zc001-7.3.5-d-neutral", "zc001-9.2.5-c-retired-by-audit"}
    assert set(nc.clauses) == {(PACK, "7.3.5 d)"), (PACK, "9.2.5 c)")}
    assert [n for n in report.nonconformities if set(n.rules) & _rules(PACK, CPQS_FILE)] == [nc]
    [n] = report.neutrality
    assert n.status is Status.NONCONFORMITY and [o.serial for o in n.rejected] == ["GEC-LG-2024-0042"]
    # the figure agrees with the verdict: the rejected certificate is not counted
    assert dict(n.figures)["valid_offsets"] == pytest.approx(15000)
    assert "有效抵消 15,000 tCO2e" in v.message.zh


# -- T/SEESA: indicator 25 and the designation --------------------------------------------------

def test_binhai_indicator_25_agrees_with_the_computed_decline():
    report = run_check(EVIDENCE / "binhai-park", [SEESA])
    [r] = [x for x in report.results if x.rule == "zseesa-6.2-computed"]
    assert r.status is Status.CONFORM
    [score] = report.scores
    assert not score.provisional
    [ind] = [i for i in score.indicators if i.no == 25]
    assert ind.state == "scored"


def test_a_declared_decline_the_inventory_refutes_is_not_scored(tmp_path):
    park = _copy(tmp_path, EVIDENCE / "binhai-park")
    before = run_check(park, [SEESA]).scores[0]
    _edit(park / "seesa_indicators.yaml", "- {no: 25, value: 0.05,", "- {no: 25, value: 0.09,")
    report = run_check(park, [SEESA])
    [r] = _findings(report, "zseesa-6.2-computed")
    assert (r.status, r.clause, r.evidence[0].pointer) == (Status.OBSERVATION, "6.2", "/indicators/24/value")
    [score] = report.scores
    [ind] = [i for i in score.indicators if i.no == 25]
    assert ind.state == "not_computed" and score.provisional
    assert score.total < before.total  # the points of indicator 25 are removed, not taken as declared
    assert any(d.rule == "zseesa-6.2-computed" and d.no == 25 for d in score.defects)


def _park_year_totals(park: Path) -> tuple[dict[int, float], dict[int, float]]:
    """By hand from the park's files: inventory emissions per year (biomass and exported energy apart)
    and the constant-price industrial value added per year in 万元."""
    inv = yaml.safe_load((park / "ghg_inventory.yaml").read_text(encoding="utf-8")).get("records") or []
    if (park / "ghg_inventory.csv").exists():
        with open(park / "ghg_inventory.csv", encoding="utf-8", newline="") as f:
            inv += list(csv.DictReader(f))
    emissions: dict[int, float] = {}
    for r in inv:
        if r["category"] not in ("biomass", "exported_energy"):
            emissions[int(r["year"])] = emissions.get(int(r["year"]), 0) + float(r["emissions"])
    out = yaml.safe_load((park / "economic_output.yaml").read_text(encoding="utf-8"))["records"]
    output = {r["year"]: r["value"] * (10000 if r["unit"] == "亿元" else 1) for r in out
              if r["indicator"] == "工业增加值" and r["price_basis"] == "constant"}
    return emissions, output


def test_indicator_26_is_computed_over_the_last_three_years_and_checked(tmp_path):
    """Annex B 26: 近三年园区可比产值与二氧化碳排放总量之比 — output of 2022–2024 over emissions of 2022–2024."""
    park = _copy(tmp_path, EVIDENCE / "binhai-park")
    emissions, output = _park_year_totals(park)
    expected = sum(output[y] for y in (2022, 2023, 2024)) / sum(emissions[y] for y in (2022, 2023, 2024))
    [ok] = [x for x in run_check(park, [SEESA]).results if x.rule == "zseesa-6.2-contribution"]
    assert ok.status is Status.CONFORM
    _edit(park / "seesa_indicators.yaml", "- {no: 26, value: 2.1,", "- {no: 26, value: 4.5,")
    report = run_check(park, [SEESA])
    [r] = _findings(report, "zseesa-6.2-contribution")
    assert (r.status, r.grade, r.clause) == (Status.OBSERVATION, None, "6.2")
    assert (r.evidence[0].file, r.evidence[0].pointer) == ("seesa_indicators.yaml", "/indicators/25/value")
    assert f"{expected:.6f}"[:6] in r.message.zh and "4.5" in r.message.zh
    [ind] = [i for i in report.scores[0].indicators if i.no == 26]
    assert ind.state == "not_computed"  # a value the data refute is not scored


def test_lvgu_declares_indicator_26_as_its_data_give():
    emissions, output = _park_year_totals(CONFORMING)
    expected = sum(output[y] for y in (2022, 2023, 2024)) / sum(emissions[y] for y in (2022, 2023, 2024))
    declared = {i.get("no", i.get(False)): i.get("value") for i in yaml.safe_load(  # YAML 1.1: no -> False
        (CONFORMING / "seesa_indicators.yaml").read_text(encoding="utf-8"))["indicators"]}[26]
    assert abs(declared - expected) / expected <= 0.01 and round(expected, 2) == 1.21
    [r] = [x for x in run_check(CONFORMING, [SEESA]).results if x.rule == "zseesa-6.2-contribution"]
    assert r.status is Status.CONFORM


def test_the_decline_uses_only_the_last_three_years(tmp_path):
    """Annex B 25: 近三年 — a 2020 year added to the inventory and the output changes the decline over all
    the years present, not the one over 2022–2024 that indicator 25 is checked against."""
    park = _copy(tmp_path, EVIDENCE / "binhai-park")
    emissions, output = _park_year_totals(park)
    rate3 = 1 - ((emissions[2024] / output[2024]) / (emissions[2022] / output[2022])) ** 0.5
    _edit(park / "economic_output.yaml", "records:\n", "records:\n  - {year: 2020, indicator: 工业增加值, value: 5000, "
          "unit: 万元, price_basis: constant, constant_base_year: 2020, source: 市统计局统计年鉴}\n")
    _edit(park / "ghg_inventory.yaml", "records:\n", "records:\n  - {id: BH-E01-2020, enterprise: BH-E01, year: 2020, "
          "source: 外购电力, category: purchased_electricity, gas: CO2, activity: 24000, activity_unit: MWh, factor: 0.5, "
          "factor_unit: tCO2/MWh, factor_source: 示例排放因子（非官方数值）, factor_publisher: parkcheck 示例数据, "
          "factor_year: 2022, gwp_set: AR5, gwp: 1, emissions: 12000, data_source: 结算单据, quality_tier: 2}\n")
    declared = {i.get("no", i.get(False)): i.get("value") for i in yaml.safe_load(  # YAML 1.1: no -> False
        (park / "seesa_indicators.yaml").read_text(encoding="utf-8"))["indicators"]}[25]
    assert abs(declared - rate3) <= 0.005  # the declared 25 is the 2022–2024 decline
    report = run_check(park, [SEESA])
    [r] = [x for x in report.results if x.rule == "zseesa-6.2-computed"]
    assert r.status is Status.CONFORM  # over 2020–2024 the decline would be far larger
    _edit(park / "seesa_indicators.yaml", "- {no: 25, value: 0.05,", f"- {{no: 25, value: {round(rate3 + 0.02, 4)},")
    [bad] = _findings(run_check(park, [SEESA]), "zseesa-6.2-computed")
    assert f"{rate3:.4f}"[:6] in bad.message.zh and bad.evidence[0].pointer == "/indicators/24/value"


def test_designation_rests_on_the_computed_verdict(tmp_path):
    assert run_check(CONFORMING, [SEESA]).scores[0].designation is True
    park = _copy(tmp_path)
    _edit(park / "offsets.yaml", "quantity: 15000", "quantity: 5000")  # seesa_basic still declares coverage
    [score] = run_check(park, [SEESA]).scores
    assert score.grade == "引领级" and score.designation is False


# -- the reports ------------------------------------------------------------------------------------

def test_reports_show_verdict_and_rejected_offsets_escaped(tmp_path):
    from checker.reporters import html_report, json_report, md_report
    park = _copy(tmp_path, DEFECTIVE)
    _edit(park / "offsets.yaml", "serial: CCER-DH-2024-0002", "serial: '<b>CCER|DH*0002</b>'")
    report = run_check(park, [PACK])
    data = json_report.to_dict(report)
    [n] = data["neutrality"]
    assert n["status"] == "not_evaluated" and n["year"] == 2024
    assert n["rejected"][0]["serial"] == "<b>CCER|DH*0002</b>"
    md = md_report.render(report, "zh").decode("utf-8")
    assert "碳中和结论与被拒绝的抵消" in md and "GEC-DH-2024-0001" in md and "CCER-DH-2023-0009" in md
    assert "<b>CCER" not in md and "&lt;b&gt;" in md
    html = html_report.render(report, "zh").decode("utf-8")
    assert "rejected-offsets" in html and "<b>CCER" not in html and "&lt;b&gt;CCER|DH*0002&lt;/b&gt;" in html
    from checker.schemas import load_schemas
    schemas = load_schemas()
    assert list(schemas.validator(schemas.schema("report.schema.json")).iter_errors(json.loads(
        json.dumps(data, ensure_ascii=False)))) == []


def test_pack_neutrality_declarations_name_rules_of_the_pack():
    for pack_id in (PACK, SEESA):
        pack = get_pack(pack_id)
        spec = pack.meta["neutrality"]
        ids = {r.id for r in pack.rules}
        assert spec["verdict_rule"] in ids and set(spec["offset_rules"]) <= ids
    seesa = get_pack(SEESA).meta["scoring"]
    assert set(seesa["reject_rules"]) <= set(seesa["defect_rules"])
    assert yaml.safe_load((EVIDENCE / "donghu-park" / "offsets.yaml").read_text(encoding="utf-8"))["claim"]["year"] == 2024
