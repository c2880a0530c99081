"""What a person reads in the report of a national zero-carbon park application and of a neutrality claim
(issue 16, the new-user pass): shares as percentages beside thresholds in percent, quantities rounded as the
pack declares (``display:`` in pack.yaml, checker.figures) while report.json keeps them as computed, an empty
key-products table that says why, the indicator year beside a later base year, a conclusion on the
application conditions (not on certification), and a neutrality verdict that says what it rests on."""

from __future__ import annotations

import json
import shutil
from html import unescape

import pytest

from checker.check import run_check
from checker.figures import Figure, number, shown
from checker.messages import render
from checker.model import Status
from checker.modes import AUDIT
from checker.reporters import FORMATS

from .conftest import EVIDENCE, edit_text
from .test_modes import advice_in

NDRC = "ndrc-zero-carbon-park-2025"
MARK = "来源：二手资料，非官方原文"
LVGU = EVIDENCE / "lvgu-park"
DONGHU = EVIDENCE / "donghu-park"


@pytest.fixture(scope="module")
def lvgu():
    return run_check(LVGU, [NDRC])


def _section_tables(report) -> dict:
    (section,) = [s for s in report.sections if s["standard"] == NDRC]
    return {t["title"]["zh"]: t for t in section["tables"]}


def _cells(table, label: str) -> list[dict]:
    i = [c["zh"] for c in table["columns"]].index(label)
    return [row[i] for row in table["rows"]]


# -- the formatting itself --------------------------------------------------------------------------

def test_a_declared_figure_is_rounded_grouped_and_a_share_is_a_percentage():
    assert number(6718.524297, {"decimals": 2}) == "6,718.52"
    assert number(15524.0372359, {"decimals": 2}, "en") == "15,524.04"
    assert number(8000.0, {"decimals": 2}) == "8,000"  # trailing zeros dropped
    assert number(0.4345, {"percent": True, "decimals": 2}) == "43.45%"
    assert number(0.86, {"percent": True, "decimals": 2}) == "86%"
    assert number(0.00042, {"decimals": 2}) == "0.00042"  # never shown as 0 when it is not
    assert number(2024) == "2024" and number(0.123456789) == "0.123457"  # undeclared: as before
    figure = Figure(3.115894142, "3.116")
    assert str(figure) == "3.116" and figure > 3.1 and figure + 1 == pytest.approx(4.115894142)
    values = {"core": {"value": 3.116}, "energy_tce": 6718.524297, "year": 2024}
    view = shown(values, {"energy_tce": {"decimals": 2}, "core.value": {"decimals": 3}, "absent": {"decimals": 1}})
    assert values["energy_tce"] == 6718.524297 and isinstance(values["energy_tce"], float)  # not changed
    text = render({"zh": "{{ subject.energy_tce }} tce，{{ subject.core.value }}，{{ subject.year }}",
                   "en": "{{ subject.energy_tce }}"}, {"subject": view})
    assert text.zh == "6,718.52 tce，3.116，2024"


# -- the national programme's report section ------------------------------------------------------------

def test_shares_are_percentages_beside_thresholds_in_percent(lvgu):
    guiding = _section_tables(lvgu)["引导性指标"]
    values = _cells(guiding, "指标值（申报）")
    assert [c["zh"] for c in values] == ["43.45%", "—", "86%", "52%", "82%"]
    assert values[0]["value"] == 0.4345  # report.json keeps the number as declared
    assert _cells(guiding, "引导值（据二手资料）")[0]["zh"] == "不低于 90%"
    (clean,) = [r for r in lvgu.results if r.rule == "ndrc-3.1-clean"]
    assert "为 43.45%，低于资料报告的引导值 90%" in clean.message.zh and "0.4345" not in clean.message.zh


def test_quantities_are_rounded_with_their_units_and_json_keeps_them(lvgu, tmp_path):
    core = _section_tables(lvgu)["核心指标：单位能耗碳排放（否决项）"]
    energy = _cells(core, "计算的综合能源消费量（tce）")[0]
    assert energy["zh"] == "6,718.52" and energy["value"] == pytest.approx(6718.524297, abs=1e-6)
    assert _cells(core, "申报的单位能耗碳排放（tCO2/tce）")[0]["zh"] == "3.116"
    (band,) = [r for r in lvgu.results if r.rule == "ndrc-1.3-band-below"]
    assert "6,718.52 tce" in band.message.zh and "3.116 tCO2/tce" in band.message.zh
    for fmt in ("md", "html", "csv"):
        out = FORMATS[fmt][1](lvgu, "zh").decode("utf-8-sig")
        assert "6718.524297" not in out and "3.115894142" not in out and "0.4345" not in out, fmt
    data = json.loads(FORMATS["json"][1](lvgu, "zh"))
    assert energy["value"] in [c.get("value") for t in data["sections"][0]["tables"] for r in t["rows"] for c in r]


def test_the_indicator_year_is_named_and_a_later_base_year_remarked(lvgu, tmp_path):
    core = _section_tables(lvgu)["核心指标：单位能耗碳排放（否决项）"]
    assert [c["zh"] for c in core["columns"]][:2] == ["指标年度", "基准年"]
    assert [n["zh"] for n in core["notes"]] == [
        "本表数值均为 2024 年（指标年度）的数据；基准年 2025 年晚于指标年度，表中没有基准年的数值。"]
    park = tmp_path / "park"
    shutil.copytree(LVGU, park)
    edit_text(park / "ndrc_indicators.yaml", "base_year: 2025", "base_year: 2024")
    assert "notes" not in _section_tables(run_check(park, [NDRC]))["核心指标：单位能耗碳排放（否决项）"]


def test_an_excluded_indicator_shows_its_reason_instead_of_an_empty_table(lvgu, tmp_path):
    products = _section_tables(lvgu)["企业产品单位能耗（重点产品）"]
    assert products["rows"] == []
    (note,) = products["notes"]
    assert note["zh"].startswith("企业产品单位能耗（2024 年）标为不适用，未列出重点产品。园区说明的理由：三家重点企业")
    md = FORMATS["md"][1](lvgu, "zh").decode("utf-8")
    part = md.split("### 企业产品单位能耗（重点产品）")[1].split("##")[0]
    assert "| 企业 |" not in part and "园区说明的理由：三家重点企业" in part
    # bundle text in the note is escaped for each medium
    park = tmp_path / "park"
    shutil.copytree(LVGU, park)
    edit_text(park / "ndrc_indicators.yaml", "exclusion_reason: 三家重点企业",
              "exclusion_reason: <b>x</b> | =1+1 三家重点企业")
    report = run_check(park, [NDRC])
    md = FORMATS["md"][1](report, "zh").decode("utf-8")
    html = FORMATS["html"][1](report, "zh").decode("utf-8")
    assert "<b>x</b>" not in md and "&lt;b&gt;x&lt;/b&gt; \\| =1+1" in md
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_the_conclusion_of_an_application_speaks_of_its_conditions_with_the_secondary_mark(lvgu):
    audit = run_check(LVGU, [NDRC], mode=AUDIT)
    c = audit.conclusion
    assert c["about"] == "application" and c["code"] == "not_recommend"  # one item awaits on-site verification
    assert c["text"]["zh"] == f"尚不能判定是否满足所据资料报告的申报条件（{MARK}；申报不是认证，本结论不涉及认证）"
    assert "认证注册" not in c["text"]["zh"] and advice_in(type(lvgu.results[0].message)(**c["text"])) == []
    md = FORMATS["md"][1](audit, "zh").decode("utf-8")
    assert "不推荐认证注册" not in md and "申报条件" in md
    # with a certification standard beside it, the conclusion stays one on certification
    both = run_check(LVGU, ["t-cpqs-zc001-2025", NDRC], mode=AUDIT)
    assert both.conclusion["about"] == "certification" and "认证注册" in both.conclusion["text"]["zh"]


def test_same_bundle_same_report_json(lvgu):
    again = run_check(LVGU, [NDRC])
    assert FORMATS["json"][1](again, "zh") == FORMATS["json"][1](lvgu, "zh")


# -- the neutrality verdict (donghu) ---------------------------------------------------------------------

def test_the_neutrality_verdict_says_what_it_rests_on_not_where_it_is():
    report = run_check(DONGHU)
    (claim,) = report.neutrality
    assert claim.status is Status.NOT_EVALUATED and claim.depends_on
    assert "碳中和结论一节" not in claim.message.zh and "neutrality section" not in claim.message.en
    assert "15,524.04 tCO2e" in claim.message.zh and "15524.0372359" not in claim.message.zh
    assert dict(claim.figures)["inventory_emissions"] == pytest.approx(15524.0372359)  # report.json: unrounded
    md = FORMATS["md"][1](report, "zh").decode("utf-8")
    part = md.split("## 碳中和结论与被拒绝的抵消")[1].split("\n## ")[0]
    assert "结论所依据的证据有不符合项，关闭前不作结论" in part
    for nc_id in claim.depends_on:
        assert f"{nc_id}（7.3.2 f)）" in part
    assert "| 清单排放（tCO2e） | 15,524.04 |" in part
    html = unescape(FORMATS["html"][1](report, "zh").decode("utf-8"))
    assert all(nc_id in html for nc_id in claim.depends_on) and "15524.0372359" not in html
