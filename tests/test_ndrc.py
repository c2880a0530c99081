"""The national zero-carbon park pack (发改环资〔2025〕910号, from secondary sources) and its Hunan
profile: the core indicator computed from the inventory and the energy ledger, its band and veto,
the guiding indicators, the report section in the shape parks submit, and the `source: secondary`
mark in the rule model, lint and every report format.  The expected figures are worked by hand from
the fixture (rules/ndrc-zero-carbon-park-2025/fixtures/base) and from lvgu-park's CSV ledgers."""

from __future__ import annotations

import csv
import json
import shutil
from html import unescape

import pytest

from checker.check import run_check
from checker.model import Grade, Status
from checker.packs import get_pack, load_pack
from checker.schemas import load_schemas

from .conftest import EVIDENCE, ROOT, edit_text

NDRC = "ndrc-zero-carbon-park-2025"
HUNAN = "ndrc-zcp-hunan-staged"
FIXTURE = ROOT / "rules" / NDRC / "fixtures" / "base"
MARK = "来源：二手资料，非官方原文"
CLEAN = {"光伏发电", "风电", "水电", "生物质能", "生物质成型燃料", "地热能", "绿色电力", "天然气"}
ENERGY_CO2 = {"fossil_fuel_combustion", "purchased_electricity", "purchased_heat"}


@pytest.fixture
def bundle(tmp_path):
    dest = tmp_path / "bundle"
    shutil.copytree(FIXTURE, dest)
    return dest


def _rows(path):
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _by_rule(report, rule):
    return [r for r in report.results if r.rule == rule]


def _core_cell(report, label: str) -> dict:
    (section,) = [s for s in report.sections if s["standard"] == NDRC]
    table = next(t for t in section["tables"] if t["title"]["zh"].startswith("核心指标"))
    return table["rows"][0][[c["zh"] for c in table["columns"]].index(label)]


def _core_row(report) -> dict:
    (section,) = [s for s in report.sections if s["standard"] == NDRC]
    table = next(t for t in section["tables"] if t["title"]["zh"].startswith("核心指标"))
    (row,) = table["rows"]
    return {c["zh"]: cell["zh"] for c, cell in zip(table["columns"], row, strict=True)}


# -- the pack: every requirement rests on secondary sources -----------------------------------------

@pytest.mark.parametrize("pack_id", [NDRC, HUNAN])
def test_every_rule_of_the_pack_is_marked_secondary_and_quotes_only_its_own_heading(pack_id):
    pack = get_pack(pack_id)
    assert pack.problems == [] and pack.meta["source_basis"] == "secondary"
    assert pack.rules and all(r.source == "secondary" for r in pack.rules)
    assert all(r.requirement == pack.catalogue[r.clause].title for r in pack.rules)
    assert all(not e.text for e in pack.catalogue.values())  # nothing quoted: the note has no requirement text


def test_lint_demands_the_mark_in_a_secondary_pack_and_refuses_it_elsewhere(rules_copy):
    edit_text(rules_copy / NDRC / "1-eligibility.yaml", "    clause: \"1.4\"\n    source: secondary\n",
              "    clause: \"1.4\"\n")
    problems = [p.message for p in load_pack(NDRC, rules_copy).problems]
    assert any("every rule says so" in m for m in problems), problems
    seesa = rules_copy / "t-seesa-010-2025" / "4.2-basic.yaml"
    text = seesa.read_text(encoding="utf-8")
    first = text.index("    clause: ")
    end = text.index("\n", first) + 1
    seesa.write_text(text[:end] + "    source: secondary\n" + text[end:], encoding="utf-8")
    problems = [p.message for p in load_pack("t-seesa-010-2025", rules_copy).problems]
    assert any("does not declare source_basis: secondary" in m for m in problems), problems


def test_a_report_section_naming_an_unknown_rule_is_a_lint_problem(rules_copy):
    edit_text(rules_copy / NDRC / "pack.yaml", "rules: [ndrc-2.4-declared,", "rules: [ndrc-2.4-nonexistent,")
    problems = load_pack(NDRC, rules_copy).problems
    assert any("no rule 'ndrc-2.4-nonexistent'" in p.message and p.file.endswith("pack.yaml") for p in problems)


def test_a_display_for_an_unknown_kind_or_an_unknown_option_is_a_lint_problem(rules_copy):
    pack = rules_copy / NDRC / "pack.yaml"
    edit_text(pack, "  ndrc_indicators.products:\n", "  ndrc_indicators.product:\n")
    problems = load_pack(NDRC, rules_copy).problems
    assert any("display: unknown kind 'ndrc_indicators.product'" in p.message for p in problems)
    edit_text(pack, "    value: {decimals: 3}\n", "    value: {digits: 3}\n")
    assert any("digits" in p.message for p in load_pack(NDRC, rules_copy).problems)


# -- the core indicator, computed ------------------------------------------------------------------

def test_the_core_indicator_is_computed_from_energy_co2_and_standard_coal(bundle):
    report = run_check(bundle, [NDRC])
    co2 = sum(float(r["emissions"]) for r in _rows(bundle / "ghg_inventory.csv")
              if r["gas"] == "CO2" and r["category"] in ENERGY_CO2)
    tce = sum(float(r["quantity"]) * float(r["coefficient"]) for r in _rows(bundle / "energy_consumption.csv"))
    assert (co2, tce) == (33006.0, 211241.0)  # process CO2, CH4 and biomass left out; all energy in tce
    row = _core_row(report)
    # shown as the pack's display declares (rounded, grouped, the unit in the label); report.json keeps the value
    assert row["计算的二氧化碳排放量（tCO2）"] == "33,006" and row["计算的综合能源消费量（tce）"] == "211,241"
    assert row["计算的单位能耗碳排放（tCO2/tce）"] == "0.156" and co2 / tce == pytest.approx(0.15625, abs=1e-5)
    assert _core_cell(report, "计算的单位能耗碳排放（tCO2/tce）")["value"] == round(co2 / tce, 9)  # as derived
    assert row["档位与阈值"] == "年综合能耗 20万–100万吨标准煤：不高于 0.20 吨二氧化碳/吨标准煤" and row["结论"] == "符合"
    assert report.nonconformities == ()
    (band1,) = _by_rule(report, "ndrc-2.2-threshold-band1")
    assert band1.status is Status.CONFORM


def test_the_veto_is_a_major_nonconformity_at_the_declared_core_value(bundle):
    edit_text(bundle / "ghg_inventory.csv", "1,21600,", "1,40000,")
    report = run_check(bundle, [NDRC])
    (nc,) = [n for n in report.nonconformities if ("ndrc-zero-carbon-park-2025", "2.2") in n.clauses]
    assert nc.grade is Grade.MAJOR
    assert [(e.file, e.pointer) for e in nc.evidence] == [("ndrc_indicators.yaml", "/core")]
    assert "不得申请验收" in nc.finding.get("zh") and "0.2" in nc.finding.get("zh")
    assert _core_row(report)["结论"] == "不符合（严重）"


def test_a_declared_core_value_above_its_declared_band_is_the_veto_in_one_nonconformity(tmp_path):
    """lvgu's ledgers put it below 200,000 tce (no threshold in the note); a declaration of 250,000 tce and
    0.25 tCO2/tce is above the 0.20 of the band it declares: the veto on the park's own figures (major,
    2.2), one nonconformity with the declared value differing from the computed one (2.4)."""
    park = tmp_path / "lvgu-park"
    shutil.copytree(EVIDENCE / "lvgu-park", park)
    edit_text(park / "ndrc_indicators.yaml", "  emissions: 20934.21\n  energy: 6718.52\n  value: 3.116\n",
              "  emissions: 62500\n  energy: 250000\n  value: 0.25\n")
    report = run_check(park, [NDRC])
    (declared,) = _by_rule(report, "ndrc-2.2-declared-band1")
    assert (declared.status, declared.grade, declared.clause) == (Status.NONCONFORMITY, Grade.MAJOR, "2.2")
    assert [(e.file, e.pointer) for e in declared.evidence] == [("ndrc_indicators.yaml", "/core/value")]
    assert "0.20" in declared.message.get("zh") and "不得申请验收" in declared.message.get("zh")
    (band,) = _by_rule(report, "ndrc-1.3-band-declared")  # 250,000 tce declared, 6,718.52 in the ledger
    assert (band.status, band.grade, band.clause) == (Status.NONCONFORMITY, Grade.MINOR, "1.3")
    (nc,) = report.nonconformities
    assert nc.grade is Grade.MAJOR
    assert set(nc.rules) == {"ndrc-2.2-declared-band1", "ndrc-2.4-declared", "ndrc-1.3-band-declared"}
    assert {c for _, c in nc.clauses} == {"1.3", "2.2", "2.4"}
    assert {r.status for r in _by_rule(report, "ndrc-2.3-declared-band2")} == {Status.NOT_APPLICABLE}


def test_a_declared_band_the_ledger_does_not_give_is_a_finding_of_its_own(bundle):
    """The fixture's ledger gives 211,241 tce (200,000-1,000,000 tce); declaring 1,500,000 tce puts the park
    in the other band.  The declared core value (0.1562) is within both thresholds and equals the computed
    one: the only finding is the band, at the declared figure's line (1.3, minor), not a threshold check."""
    edit_text(bundle / "ndrc_indicators.yaml", "  energy: 211241\n", "  energy: 1500000\n")
    report = run_check(bundle, [NDRC])
    (band,) = _by_rule(report, "ndrc-1.3-band-declared")
    assert (band.status, band.grade, band.clause) == (Status.NONCONFORMITY, Grade.MINOR, "1.3")
    line = (bundle / "ndrc_indicators.yaml").read_text(encoding="utf-8").splitlines().index("  energy: 1500000") + 1
    assert [(e.file, e.pointer, e.line) for e in band.evidence] == [("ndrc_indicators.yaml", "/core/energy", line)]
    assert "100万 tce 及以上档" in band.message.get("zh") and "20万–100万 tce 档" in band.message.get("zh")
    for rule in ("ndrc-2.2-threshold-band1", "ndrc-2.3-declared-band2", "ndrc-2.4-declared"):
        assert {r.status for r in _by_rule(report, rule)} == {Status.CONFORM}, rule
    (nc,) = report.nonconformities
    assert (nc.rules, nc.grade) == (("ndrc-1.3-band-declared",), Grade.MINOR)
    # declared in the ledger's band: no finding
    edit_text(bundle / "ndrc_indicators.yaml", "  energy: 1500000\n", "  energy: 212000\n")
    assert {r.status for r in _by_rule(run_check(bundle, [NDRC]), "ndrc-1.3-band-declared")} == {Status.CONFORM}


def test_below_200000_tce_the_note_gives_no_threshold_and_the_tool_says_so(bundle):
    edit_text(bundle / "energy_consumption.csv", "光伏发电,1400000,", "光伏发电,100000,")
    report = run_check(bundle, [NDRC])
    (below,) = _by_rule(report, "ndrc-1.3-band-below")
    assert below.status is Status.ONSITE and "未给出本档阈值" in below.message.get("zh")
    assert {r.status for r in _by_rule(report, "ndrc-2.2-threshold-band1") + _by_rule(
        report, "ndrc-2.3-threshold-band2")} == {Status.NOT_APPLICABLE}
    assert _core_row(report)["档位与阈值"] == "年综合能耗低于 20 万吨标准煤：资料未给出阈值"


def test_without_the_energy_ledger_the_core_indicator_cannot_be_shown_met(bundle):
    (bundle / "energy_consumption.csv").unlink()
    edit_text(bundle / "bundle.yaml", "  - {file: energy_consumption.csv, kind: energy_consumption}\n", "")
    report = run_check(bundle, [NDRC])
    assert any(("ndrc-zero-carbon-park-2025", "2.1") in n.clauses and n.grade is Grade.MAJOR
               for n in report.nonconformities)
    blocked = _by_rule(report, "ndrc-2.2-threshold-band1") + _by_rule(report, "ndrc-2.3-threshold-band2")
    assert {r.status for r in blocked} == {Status.NOT_EVALUATED}  # waiting on 2.1, not "not applicable"


# -- guiding indicators -------------------------------------------------------------------------------

def test_the_clean_energy_share_is_recomputed_from_the_ledger_with_the_packs_table(bundle):
    rows = _rows(bundle / "energy_consumption.csv")
    clean = sum(float(r["quantity"]) * float(r["coefficient"]) for r in rows if r["energy_type"] in CLEAN)
    total = sum(float(r["quantity"]) * float(r["coefficient"]) for r in rows)
    assert abs(clean / total - 0.9884) < 0.0001
    pack = get_pack(NDRC)
    op, types = dict(pack.aggregates["ndrc_clean_energy"].where)["energy_type"]
    assert op == "in" and set(types) == CLEAN
    edit_text(bundle / "energy_consumption.csv", "E2-2025-WIND,E2,2025,1,风电,", "E2-2025-WIND,E2,2025,1,热力,")  # not clean, and no second row of a period
    report = run_check(bundle, [NDRC])
    (ledger,) = _by_rule(report, "ndrc-3.1-clean-ledger")
    assert (ledger.status, ledger.grade) == (Status.NONCONFORMITY, Grade.MINOR)
    assert [(e.file, e.pointer) for e in ledger.evidence] == [("ndrc_indicators.yaml", "/indicators/0/value")]


def test_a_missed_guiding_value_is_an_observation_and_does_not_block(bundle):
    edit_text(bundle / "ndrc_indicators.yaml", "value: 0.9, unit: 比例, source: 用水计量台账",
              "value: 0.5, unit: 比例, source: 用水计量台账")
    edit_text(bundle / "ndrc_indicators.yaml", "numerator: 900000", "numerator: 500000")
    report = run_check(bundle, [NDRC])
    (water,) = _by_rule(report, "ndrc-3.5-water")
    assert water.status is Status.OBSERVATION
    assert [(e.file, e.pointer) for e in water.evidence] == [("ndrc_indicators.yaml", "/indicators/4/value")]
    assert report.nonconformities == ()


# -- example parks ------------------------------------------------------------------------------------

def test_lvgu_passes_with_the_core_computed_from_its_ledgers():
    report = run_check(EVIDENCE / "lvgu-park", [NDRC])
    assert report.nonconformities == ()
    co2 = sum(float(r["emissions"]) for r in _rows(EVIDENCE / "lvgu-park" / "ghg_inventory.csv")
              if r["year"] == "2024" and r["gas"] == "CO2" and r["category"] in ENERGY_CO2)
    ledger = [r for r in _rows(EVIDENCE / "lvgu-park" / "energy_consumption.csv") if r["year"] == "2024"]
    tce = sum(float(r["quantity"]) * float(r["coefficient"]) for r in ledger)
    row = _core_row(report)
    assert row["计算的单位能耗碳排放（tCO2/tce）"] == f"{co2 / tce:.3f}" == "3.116"
    assert tce < 200000 and row["结论"] == "需现场核实"  # no threshold for this band in the sources
    (clean,) = _by_rule(report, "ndrc-3.1-clean")
    assert clean.status is Status.OBSERVATION  # about 43% clean energy: below the guiding 90%


# -- the mark in every format --------------------------------------------------------------------------

def test_every_report_format_marks_the_secondary_source(bundle, tmp_path, cli):
    edit_text(bundle / "ghg_inventory.csv", "1,21600,", "1,40000,")  # one nonconformity, for the CSV
    out = tmp_path / "out"
    result = cli("check", bundle, "--standard", NDRC, "-o", out, "-f", "json", "-f", "md", "-f", "html", "-f", "csv")
    assert result.exit_code == 1
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    schemas = load_schemas()
    assert list(schemas.validator(schemas.schema("report.schema.json")).iter_errors(data)) == []
    (pack,) = data["packs"]
    assert pack["source_basis"] == "secondary" and pack["source_note"]["zh"] == MARK
    assert {r["source"] for r in data["results"]} == {"secondary"}
    # the veto (2.2, major) and the declared value that no longer matches the computed one (2.4, minor)
    assert sorted((n["grade"], n["clauses"][0]["clause"]) for n in data["nonconformities"]) == [
        ("major", "2.2"), ("minor", "2.4")]
    assert data["summary"]["secondary"]["nonconformities"] == 2
    assert data["sections"][0]["tables"][1]["rows"][0][7]["zh"] == "不符合（严重）"
    md = (out / "report.md").read_text(encoding="utf-8")
    html = unescape((out / "report.html").read_text(encoding="utf-8"))
    for text in (md, html):
        assert MARK in text and "核心指标：单位能耗碳排放（否决项）" in text and "年综合能耗 20万–100万吨标准煤：不高于 0.20 吨二氧化碳/吨标准煤" in text
    nc_csv = (out / "nonconformities.csv").read_text(encoding="utf-8-sig")
    assert MARK in nc_csv
    assert MARK in result.stdout


def test_the_checklist_and_the_rule_reference_mark_the_secondary_source(tmp_path, cli):
    assert cli("checklist", "--docs", tmp_path, "--standard", NDRC).exit_code == 0
    page = next(p for p in tmp_path.rglob("*") if p.is_file() and NDRC in p.name and p.suffix == ".md")
    assert MARK in page.read_text(encoding="utf-8")
    docs = (ROOT / "docs" / "rules" / f"{NDRC}.md").read_text(encoding="utf-8")
    assert MARK in docs and "`agg.ndrc_clean_energy`" in docs


# -- the Hunan profile ------------------------------------------------------------------------------

def test_the_hunan_profile_judges_the_stage_of_the_indicator_year(bundle):
    report = run_check(bundle, [NDRC, HUNAN])
    staged = [r for r in report.results if r.standard == HUNAN]
    applied = {r.rule for r in staged if r.status is not Status.NOT_APPLICABLE}
    assert applied == {"hunan-2027-core", "hunan-2027-core-band", "hunan-2027-clean", "hunan-2027-solid-waste",
                       "hunan-2027-water"}  # 2025 data: the 2027 stage; waste heat is excluded in the fixture
    assert all(r.status is Status.CONFORM for r in staged if r.rule in applied)
    assert report.nonconformities == ()


def test_a_section_table_with_no_record_says_so_and_gives_its_rules_result(bundle):
    # a park without its application profile and indicators: the tables are not left as bare headings
    # (which read like nothing to report) but say which record is missing and what its rules found
    for name in ("ndrc_profile.yaml", "ndrc_indicators.yaml"):
        (bundle / name).unlink()  # YAML documents are found by their kind: none is listed in bundle.yaml
    report = run_check(bundle, [NDRC])
    (section,) = [s for s in report.sections if s["standard"] == NDRC]
    notes = {t["title"]["zh"]: [n["zh"] for n in t.get("notes", ())] for t in section["tables"] if not t["rows"]}
    assert notes["申报资格"] == ["本表没有数据：证据包中没有国家级零碳园区申报基本情况（ndrc_profile）。"
                              "本表所列规则的结论：不符合（严重）。"]
    assert notes["核心指标：单位能耗碳排放（否决项）"][0].startswith("本表没有数据：证据包中没有国家级零碳园区“1+5”指标（ndrc_indicators）。")
    assert notes["企业产品单位能耗（重点产品）"] == ["未列出重点产品。"]  # the pack's own when_empty text
    ncs = {c for nc in report.nonconformities for _, c in nc.clauses}
    assert {"1.1", "2.1"} <= ncs  # the findings the notes point to are in the list
