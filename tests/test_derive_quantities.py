"""Derived values and aggregates on small fact sets (checker.derivations, checker.aggregation), as a
pack declares them (checker.packdecl reads the same YAML mappings a pack.yaml holds)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from checker.aggregation import plan, run_declarations
from checker.cases import run_pack_cases
from checker.check import run_check
from checker.factbase import FactBase, FactSource
from checker.model import Status
from checker.packdecl import read_aggregates, read_derived
from checker.packs import load_pack
from checker.schemas import load_schemas

from .conftest import edit_text

DATES = {"audit_date": "2025-03-20", "period_start": "2022-01-01", "period_end": "2024-12-31"}


def _base(*records: tuple[str, dict]) -> FactBase:
    base = FactBase()
    for i, (kind, data) in enumerate(records):
        fact = {"kind": kind, **{("f_id" if k == "id" else k): v for k, v in data.items()}}
        base.add(fact, FactSource(kind, f"{kind.split('.')[0]}.yaml", f"/records/{i}", data, None, f"{kind}[{i}]"))
    return base


def _run(base: FactBase, derive: list, aggregates: dict | None = None) -> FactBase:
    meta = {"derive": derive, "aggregates": aggregates or {}}
    derived = read_derived(meta)
    aggs = read_aggregates(meta, load_schemas(), derived, lambda pointer, message: None)
    run_declarations(base, None, derived, tuple(aggs.values()), DATES)  # type: ignore[arg-type]
    return base


def _of(base: FactBase, kind: str) -> list[dict]:
    return [base.facts[int(f) - 1] for f in base.of_kind(kind)]


GHG = "ghg.records"


def test_product_recomputes_emissions_in_the_unit_asked():
    base = _base((GHG, {"activity": 1000, "activity_unit": "MWh", "factor": 0.5703, "factor_unit": "tCO2/MWh",
                        "gwp": 1}),
                 (GHG, {"activity": 2.16, "activity_unit": "万m3", "factor": 2.5, "factor_unit": "kgCO2/m3", "gwp": 1}),
                 (GHG, {"activity": 10, "activity_unit": "m3", "factor": 0.5703, "factor_unit": "tCO2/MWh", "gwp": 1}),
                 (GHG, {"activity": 10, "activity_unit": "MWh", "factor": 0.5, "factor_unit": "tCO2/MWh"}))
    _run(base, [{"kind": GHG, "field": "computed", "to": "tCO2e",
                 "product": [["activity", "activity_unit"], ["factor", "factor_unit"], "gwp"]}])
    one, two, mismatch, no_gwp = _of(base, GHG)
    assert one["computed"] == 570.3 and "computed_unit_error" not in one
    assert two["computed"] == 54.0
    assert "computed" not in mismatch and "量纲不符" in mismatch["computed_unit_error"]
    assert "computed" not in no_gwp and "computed_unit_error" not in no_gwp  # an input missing: absent
    assert base.sources[one["id"]].values()["computed"] == 570.3  # what a message template sees
    assert "computed" not in base.sources[one["id"]].data  # the evidence itself is untouched


def test_convert_in_both_written_forms_and_a_hostile_unit():
    records = [("energy.records", {"quantity": 1, "unit": "tce"}), ("energy.records", {"quantity": 2, "unit": "万kWh"}),
               ("energy.records", {"quantity": 3, "unit": "__import__('os')"}), ("energy.records", {"quantity": 4}),
               ("energy.records", {"quantity": 5, "unit": 7})]
    key_form = _run(_base(*records), [{"kind": "energy.records", "field": "gj", "convert": ["quantity", "unit"],
                                       "to": "GJ"}])
    op_form = _run(_base(*records), [{"kind": "energy.records", "field": "gj", "op": "convert",
                                      "args": ["quantity", "unit"], "to": "GJ"}])
    assert key_form.facts == op_form.facts
    tce, kwh, hostile, no_unit, number = _of(key_form, "energy.records")
    assert tce["gj"] == 29.3076 and kwh["gj"] == 72.0  # 2 万kWh = 20 MWh = 72 GJ
    assert "gj" not in hostile and "无法识别的单位" in hostile["gj_unit_error"]
    assert "未给出单位" in no_unit["gj_unit_error"] and "单位不是文本" in number["gj_unit_error"]


def test_number_ops():
    base = _base(("x", {"a": 10.0, "b": 8.0, "c": 1.5}), ("x", {"a": 1.0, "b": 0}), ("x", {"a": 3.0}))
    _run(base, [{"kind": "x", "field": "rel", "rel_diff": ["a", "b"]},
                {"kind": "x", "field": "diff", "sub": ["a", "b", "c"]},
                {"kind": "x", "field": "total", "op": "add", "args": ["a", "b"]},
                {"kind": "x", "field": "share", "ratio": ["b", "a"]}])
    full, zero_b, missing = _of(base, "x")
    assert (full["rel"], full["diff"], full["total"], full["share"]) == (0.25, 0.5, 18.0, 0.8)
    assert "rel" not in zero_b and "diff" not in zero_b and zero_b["total"] == 1.0  # b is 0; c is missing
    assert not {"rel", "diff", "total", "share"} & set(missing)


def test_number_before_reads_the_figure_a_text_states_before_its_marker():
    texts = ["合规性评价 CE-2024 的 38 项要求全部满足", "38 项要求中 2 项未满足", "共 1,200 项要求", "全部满足",
             "2025 年较 2022 年下降 12.5%", None]
    base = _base(*[("t", {"text": t} if t else {}) for t in texts])
    _run(base, [{"kind": "t", "field": "items", "number_before": ["text"], "marker": "项要求"},
                {"kind": "t", "field": "unmet", "op": "number_before", "args": ["text"], "marker": "项未满足"},
                {"kind": "t", "field": "decline", "number_before": ["text"], "marker": "%"}])
    ce, unmet, thousands, none, pct, missing = _of(base, "t")
    assert ce["items"] == 38 and "unmet" not in ce  # the 2024 of CE-2024 is not followed by the marker
    assert unmet["items"] == 38 and unmet["unmet"] == 2
    assert thousands["items"] == 1200
    assert not {"items", "unmet", "decline"} & set(none) and not {"items", "unmet", "decline"} & set(missing)
    assert pct["decline"] == 0.125 and "items" not in pct  # a percentage as a fraction


def test_pick_takes_a_field_of_the_matching_item_of_a_list():
    inputs = [{"topic": "policy_review", "summary": "方针适宜"}, {"topic": "compliance_results", "summary": "38 项要求全部满足"}]
    base = _base(("r", {"inputs": inputs}), ("r", {"inputs": inputs[:1]}), ("r", {}),
                 ("r", {"inputs": [{"topic": "compliance_results", "summary": ["not", "a", "scalar"]}]}))
    _run(base, [{"kind": "r", "field": "text", "op": "pick", "args": ["inputs"], "where": {"topic": "compliance_results"},
                 "take": "summary"},
                {"kind": "r", "field": "count", "number_before": ["text"], "marker": "项要求"}])
    found, other_topic, no_list, not_scalar = _of(base, "r")
    assert found["text"] == "38 项要求全部满足" and found["count"] == 38
    assert not {"text", "count"} & (set(other_topic) | set(no_list) | set(not_scalar))


def test_mentions_says_whether_a_text_or_a_list_of_texts_contains_the_marker():
    base = _base(("a", {"c": ["T/CPQS ZC001—2025 9.2.1", "园区制度"]}), ("a", {"c": ["园区制度"]}), ("a", {"c": "依据 ZC001"}),
                 ("a", {}))
    _run(base, [{"kind": "a", "field": "m", "op": "mentions", "args": ["c"], "marker": "ZC001"}])
    in_list, absent_from_list, in_text, no_text = _of(base, "a")
    assert (in_list["m"], absent_from_list["m"], in_text["m"]) == (1, 0, 1) and "m" not in no_text


def test_lookup_takes_a_column_of_a_reference_table_with_its_defaults():
    base = _base(("l.records", {"t": "电力", "q": 10, "u": "MWh"}), ("l.records", {"t": "天然气", "q": 2, "u": "万m3"}),
                 ("l.records", {"t": "生物质"}), ("l.records", {}))
    meta = {"reference_tables": {"coef": {"title": {"zh": "参考", "en": "ref"}, "source": "GB/T 2589—2020 附录A",
                                          "defaults": {"high": 2},
                                          "rows": {"电力": {"value": 0.1229, "unit": "tce/MWh", "high": 3},
                                                   "天然气": {"value": 12.143, "unit": "tce/万m3"}}}},
            "derive": [{"kind": "l.records", "field": "ref", "op": "lookup", "args": ["t"], "table": "coef", "take": "value"},
                       {"kind": "l.records", "field": "ref_unit", "op": "lookup", "args": ["t"], "table": "coef",
                        "take": "unit"},
                       {"kind": "l.records", "field": "high", "op": "lookup", "args": ["t"], "table": "coef", "take": "high"},
                       {"kind": "l.records", "field": "tce", "op": "product", "args": [["q", "u"], ["ref", "ref_unit"]],
                        "to": "tce"}]}
    derived = read_derived(meta)
    run_declarations(base, None, derived, (), DATES)  # type: ignore[arg-type]
    power, gas, biomass, none = _of(base, "l.records")
    assert (power["ref"], power["ref_unit"], power["high"], power["tce"]) == (0.1229, "tce/MWh", 3, 1.229)
    assert (gas["ref"], gas["high"], gas["tce"]) == (12.143, 2, 24.286)  # the table's default
    assert not {"ref", "ref_unit", "high", "tce"} & (set(biomass) | set(none))  # no row: no reference


def test_ref_copies_a_field_from_the_matching_fact_of_another_kind():
    base = _base(("factors.factors", {"id": "EF-1", "year": 2023, "region": "华东"}),
                 ("factors.factors", {"id": "EF-2", "year": 2021}),
                 ("factors.factors", {"id": "EF-1", "year": 1999}),  # a second EF-1: the first one counts
                 (GHG, {"factor_id": "EF-1"}), (GHG, {"factor_id": "EF-2"}), (GHG, {"factor_id": "EF-9"}), (GHG, {}))
    _run(base, [{"kind": GHG, "field": "factor_year", "op": "ref", "of": "factors.factors",
                 "match": {"id": "factor_id"}, "take": "year"},
                {"kind": GHG, "field": "factor_region", "ref": {"of": "factors.factors", "match": {"id": "factor_id"},
                                                                "take": "region"}}])
    a, b, unknown, none = _of(base, GHG)
    assert (a["factor_year"], a["factor_region"], b["factor_year"]) == (2023, "华东", 2021)
    assert "factor_region" not in b and "factor_year" not in unknown and "factor_year" not in none


def test_aggregates_group_by_fields_with_distinct_sum_and_where_in():
    rows = [("energy.records", {"enterprise": e, "energy_type": t, "year": 2024, "month": m, "tce": v})
            for e, t, m, v in [("E1", "电力", 1, 1.5), ("E1", "电力", 2, 2.0), ("E1", "电力", 2, 0.5),
                               ("E1", "天然气", 1, 3.0), ("E2", "电力", 1, 4.0), ("E2", "柴油", 1, 9.0)]]
    base = _run(_base(*rows), [], {
        "by_type": {"of": "energy.records", "group_by": {"fields": ["enterprise", "energy_type", "year"]},
                    "distinct": "month", "sum": "tce", "where": {"energy_type": {"in": ["电力", "天然气"]}}},
        "not_power": {"of": "energy.records", "group_by": {"fields": ["enterprise"]}, "sum": "tce",
                      "where": {"energy_type": {"not_in": ["电力"]}}}})
    groups = [(f["key"], f["enterprise"], f["year"], f["count"], f["distinct"], f["sum"])
              for f in _of(base, "agg.by_type")]
    assert groups == [("E1/电力/2024", "E1", 2024, 3, 2, 4.0), ("E1/天然气/2024", "E1", 2024, 1, 1, 3.0),
                      ("E2/电力/2024", "E2", 2024, 1, 1, 4.0)]
    assert [(f["key"], f["sum"]) for f in _of(base, "agg.not_power")] == [("E1", 3.0), ("E2", 9.0)]
    first = base.sources[_of(base, "agg.by_type")[0]["id"]]
    assert (first.file, first.pointer) == ("energy.yaml", "/records/0")  # a group points at its first record


def test_aggregates_sum_a_derived_field_and_a_ref_reads_an_aggregate():
    rows = [("energy.records", {"enterprise": e, "year": y, "quantity": q, "unit": u})
            for e, y, q, u in [("E1", 2023, 1, "万kWh"), ("E1", 2023, 5, "MWh"), ("E1", 2024, 1, "tce")]]
    rows.append(("output.records", {"year": 2023, "value": 2, "unit": "亿元"}))
    # declared in an order that does not work top-down: the plan puts each step after what it reads
    derive = [{"kind": "agg.energy_per_year", "field": "output", "ref": {"of": "agg.output_per_year",
                                                                          "match": {"key": "key"}, "take": "sum"}},
              {"kind": "agg.energy_per_year", "field": "intensity", "ratio": ["sum", "output"]},
              {"kind": "energy.records", "field": "mwh", "convert": ["quantity", "unit"], "to": "MWh"},
              {"kind": "output.records", "field": "wan_yuan", "convert": ["value", "unit"], "to": "万元"}]
    aggs = {"energy_per_year": {"of": "energy.records", "group_by": {"fields": ["year"]}, "sum": "mwh"},
            "output_per_year": {"of": "output.records", "group_by": {"fields": ["year"]}, "sum": "wan_yuan"}}
    base = _run(_base(*rows), derive, aggs)
    y2023, y2024 = _of(base, "agg.energy_per_year")
    assert (y2023["sum"], y2023["output"], y2023["intensity"]) == (15.0, 20000.0, 0.00075)
    assert y2024["sum"] == pytest.approx(8.141) and "output" not in y2024 and "intensity" not in y2024


def test_decline_rate_over_three_years():
    """average annual decline = 1 − (last/first)^(1/(years − 1)): 100 → 90 → 81 is 10 % a year."""
    rows = [("ghg.records", {"year": y, "emissions": v, "site": s})
            for y, v, s in [(2022, 100.0, "A"), (2023, 90.0, "A"), (2024, 81.0, "A"),
                            (2022, 50.0, "B"), (2024, 60.0, "B"), (2023, 7.0, "C")]]
    base = _run(_base(*rows), [{"kind": "agg.per_site_year", "field": "decline", "decline_rate": "sum"},
                               {"kind": "agg.per_year", "field": "decline", "op": "decline_rate"}],
                {"per_site_year": {"of": "ghg.records", "group_by": {"fields": ["site", "year"]}, "sum": "emissions"},
                 "per_year": {"of": "ghg.records", "group_by": {"fields": ["year"]}, "sum": "emissions"}})
    by_site = {(f["site"], f["year"]): f.get("decline") for f in _of(base, "agg.per_site_year")}
    assert by_site[("A", 2022)] == by_site[("A", 2024)] == pytest.approx(0.1)
    assert by_site[("B", 2022)] == pytest.approx(1 - (60 / 50) ** 0.5)  # growth: negative, over 2 elapsed years
    assert by_site[("C", 2023)] is None  # one year only
    totals = [(f["year"], f["sum"]) for f in _of(base, "agg.per_year")]
    assert totals == [(2022, 150.0), (2023, 97.0), (2024, 141.0)]
    assert [f["decline"] for f in _of(base, "agg.per_year")] == [pytest.approx(1 - (141 / 150) ** 0.5)] * 3


def test_the_plan_puts_every_step_after_what_it_reads():
    derive = [{"kind": "agg.a", "field": "r", "ratio": ["sum", "count"]},
              {"kind": "x", "field": "t", "convert": ["v", "u"], "to": "t"},
              {"kind": "x", "field": "share", "ref": {"of": "agg.a", "match": {"key": "g"}, "take": "sum"}}]
    derived = read_derived({"derive": derive})
    aggs = read_aggregates({"aggregates": {"a": {"of": "x", "group_by": {"fields": ["g"]}, "sum": "t"}}},
                           load_schemas(), derived, lambda p, m: None)
    order, cycle = plan(derived, tuple(aggs.values()))
    names = [getattr(s, "field", None) or s.name for s in order]
    assert names == ["t", "a", "r", "share"] and not cycle
    looped = read_aggregates({"aggregates": {"a": {"of": "x", "group_by": {"fields": ["g"]}, "sum": "share"}}},
                             load_schemas(), derived, lambda p, m: None)
    assert plan(derived, tuple(looped.values()))[1]  # sum of a field read from the aggregate itself: a cycle


def test_results_are_deterministic():
    def once() -> str:
        rows = [("e.records", {"g": i % 3, "q": 0.1 * i, "u": "万kWh"}) for i in range(50)]
        base = _run(_base(*rows), [{"kind": "e.records", "field": "mwh", "convert": ["q", "u"], "to": "MWh"}],
                    {"s": {"of": "e.records", "group_by": {"fields": ["g"]}, "sum": "mwh"}})
        return json.dumps(base.facts, ensure_ascii=False, sort_keys=True)
    assert once() == once()
    assert '"sum": 408.0' in once()


# --- through the real pipeline: a pack whose rule reads a derived value --------------------------------

PACK_DIR = Path(__file__).parent / "data" / "derive-pack"


@pytest.fixture
def tiny(tmp_path) -> tuple[Path, Path]:
    """A writable copy of the tiny pack (tests/data/derive-pack/zz-units) and of its base fixture."""
    rules = tmp_path / "rules"
    shutil.copytree(PACK_DIR, rules)
    bundle = tmp_path / "bundle"
    shutil.copytree(rules / "zz-units" / "fixtures" / "base", bundle)
    return rules, bundle


def _declare(rules: Path, derive: str = "", aggregates: str = "") -> None:
    """Add derive entries (after the pack's own) and aggregates to the tiny pack's pack.yaml."""
    path = rules / "zz-units" / "pack.yaml"
    text = path.read_text(encoding="utf-8").replace("aggregates:\n", derive + "aggregates:\n", 1)
    path.write_text(text + aggregates, encoding="utf-8")


def _results(rules: Path, bundle: Path, rule: str = "zz-units-1"):
    return [r for r in run_check(bundle, rules_dir=rules).results if r.rule == rule]


def test_a_rule_on_a_derived_value_is_judged_by_the_engine(tiny):
    rules, bundle = tiny
    pack = load_pack("zz-units", rules)
    assert not pack.problems
    assert all(o.ok for o in run_pack_cases(pack)) and len(run_pack_cases(pack)) == sum(
        len(r.cases) for r in pack.rules)
    assert [r.status for r in _results(rules, bundle)] == [Status.CONFORM]  # 0.8 tCO2/万元 = 0.08 kgCO2/元
    edit_text(bundle / "baseline.yaml", "value: 0.8,", "value: 1.5,")
    [result] = _results(rules, bundle)
    assert (result.status, result.grade.value, result.clause) == (Status.NONCONFORMITY, "minor", "1")
    assert (result.evidence[0].file, result.evidence[0].pointer) == ("baseline.yaml", "/baselines/0/value")
    assert "按 kgCO2/元 计：0.15（限值 0.1）" in result.message.zh


def test_a_rule_on_an_aggregate_by_fields_is_judged_by_the_engine(tiny):
    rules, bundle = tiny
    assert [r.status for r in _results(rules, bundle, "zz-units-2")] == [Status.CONFORM]  # one result for all passes
    edit_text(bundle / "baseline.yaml", "metric: 单位供热量天然气消耗", "metric: 单位产值碳排放")
    [result] = [r for r in _results(rules, bundle, "zz-units-2") if r.status is Status.NONCONFORMITY]
    assert (result.grade.value, result.clause) == ("major", "2")
    assert (result.evidence[0].file, result.evidence[0].pointer) == ("baseline.yaml", "/baselines/0")
    assert "单位产值碳排放 在 2022 年有 2 个基准值（2 个不同的值，差 0）" in result.message.zh
    edit_text(bundle / "baseline.yaml", "metric: 单位产值碳排放, base_year: 2022, value: 30.0",
              "metric: 已废止, base_year: 2022, value: 30.0")  # where not_in: no longer counted
    assert [r.status for r in _results(rules, bundle, "zz-units-2")] == [Status.CONFORM]


def test_a_unit_that_does_not_convert_fails_closed_with_its_reason(tiny):
    rules, bundle = tiny
    edit_text(bundle / "baseline.yaml", "unit: tCO2/万元", "unit: tCO2/MWh")
    [result] = _results(rules, bundle)
    assert result.status is Status.NONCONFORMITY and "量纲不符" in result.message.zh
    edit_text(bundle / "baseline.yaml", "unit: tCO2/MWh", "unit: \"__import__('os')\"")
    [result] = _results(rules, bundle)
    assert result.status is Status.NONCONFORMITY and "无法识别的单位" in result.message.zh


@pytest.mark.parametrize(("entry", "words"), [
    ("{kind: baseline.baselines, field: x, convert: [value, unit], to: furlong_per_yak}", "unknown unit"),
    ("{kind: baseline.baselines, field: x, convert: [value, units], to: t}", "has no field 'units'"),
    ("{kind: baseline.baselines, field: x, op: ref, of: nothing.here, match: {id: id}, take: year}",
     "ref of an unknown kind"),
    ("{kind: baseline.baselines, field: x, op: ref, of: baseline.triggers, match: {type: metric}, take: nope}",
     "has no field 'nope'"),
    ("{kind: baseline.baselines, field: x, op: product, args: [[value, unit], base_year]}",
     "needs the unit of the result"),
    ("{kind: baseline.baselines, field: x, decline_rate: value}", "decline_rate needs facts with a year"),
    ("{kind: agg.nothing, field: x, ratio: [sum, count]}", "unknown kind"),
    ("{kind: baseline.baselines, field: x, op: multiply, args: [value, base_year]}", "/derive/2/op: 'multiply'"),
    ("{kind: baseline.baselines, field: x, ratio: [value, base_year], to: t}", "should not be valid under {'required': ['to']}"),
    ("{kind: baseline.baselines, field: x, convert: [value, unit]}", "/derive/2/to:"),
    ("{kind: baseline.baselines, field: x, op: lookup, args: [metric], table: no_such_table, take: value}",
     "lookup of an unknown table or column"),
    ("{kind: baseline.baselines, field: x, ratio: [value, base_year], op: ratio, args: [value, base_year]}",
     "/derive/2"),
])
def test_pack_lint_reports_bad_declarations(tiny, entry, words):
    rules, _ = tiny
    _declare(rules, f"  - {entry}\n")
    problems = [str(p) for p in load_pack("zz-units", rules).problems]
    assert any(words in p and "pack.yaml" in p for p in problems), problems


def test_pack_lint_reports_a_dependency_cycle(tiny):
    rules, _ = tiny
    _declare(rules, "  - {kind: baseline.baselines, field: total, ref: {of: agg.zz_by_metric, match: {key: metric},"
                    " take: sum}}\n",
             "  zz_by_metric: {of: baseline.baselines, group_by: {fields: [metric]}, sum: total}\n")
    problems = [str(p) for p in load_pack("zz-units", rules).problems]
    assert any("cycle" in p for p in problems), problems


def test_decline_rate_skips_years_without_records_and_the_year_aggregate_key():
    """On a per-calendar-year aggregate over the period, a year with no record is not a year present."""
    from checker.packmodel import Aggregate, Derived
    base = _base(*[("agg.per_year", {"key": y, "count": c, "sum": v})
                   for y, c, v in [(2022, 2, 200.0), (2023, 1, 150.0), (2024, 0, 0.0)]])
    derived = (Derived("agg.per_year", "decline", "decline_rate", ("sum",)),)
    agg = Aggregate("per_year", "ghg.records", "date", True, (), "emissions")
    run_declarations(base, None, derived, (), DATES)  # type: ignore[arg-type]
    assert [f.get("decline") for f in _of(base, "agg.per_year")] == [0.25, 0.25, None]
    assert agg.reads() == ("date", "emissions")


def test_new_declarations_survive_the_linted_pack_cache(tiny):
    """The cache stores packs as checked JSON (checker.cache): the new fields round-trip exactly."""
    from checker.cache import decode, encode
    rules, _ = tiny
    _declare(rules, "  - {kind: agg.zz_by_metric, field: share, ratio: [sum, count]}\n"
                    "  - {kind: baseline.baselines, field: first_trigger, op: ref, of: baseline.triggers,"
                    " match: {type: metric}, take: date}\n",
             "  zz_by_metric:\n    of: baseline.baselines\n    group_by: {fields: [metric, base_year]}\n"
             "    distinct: unit\n    sum: kg_per_yuan\n    where: {unit: {not_in: [m3/GJ]}}\n")
    pack = load_pack("zz-units", rules)
    assert not pack.problems, [str(p) for p in pack.problems]
    again = decode(json.loads(json.dumps(encode(pack))))
    assert again.derived == pack.derived and again.aggregates == pack.aggregates
    agg = pack.aggregates["zz_by_metric"]
    assert agg.where == (("unit", ("not_in", ("m3/GJ",))),)
    assert agg.fields()["base_year"] == {"type": "integer"} and agg.fields()["distinct"] == {"type": "integer"}


def test_ref_to_the_enclosing_document_by_fact_id():
    """A record reads a field of its own document: ``match: {_id: _doc}`` (``_id`` is a fact's own id)."""
    base = _base(("offsets", {"claim": {"year": 2024, "statement": "碳中和"}}))
    for i, vintage in enumerate([2023, 2024]):
        data = {"serial": f"S-{i}", "vintage": vintage}
        base.add({"kind": "offsets.offsets", **data, "_doc": "1", "_parent": "1"},
                 FactSource("offsets.offsets", "offsets.yaml", f"/offsets/{i}", data, None, f"o[{i}]"))
    _run(base, [{"kind": "offsets.offsets", "field": "claim_year", "op": "ref", "of": "offsets",
                 "match": {"_id": "_doc"}, "take": "claim.year"},
                {"kind": "offsets.offsets", "field": "years_before_claim", "sub": ["claim_year", "vintage"]}])
    assert [(f["claim_year"], f["years_before_claim"]) for f in _of(base, "offsets.offsets")] == [(2024, 1), (2024, 0)]


def test_overflow_gives_no_value():
    base = _base(("x", {"a": 1e308, "b": 1e-308, "c": 1e308, "g": 1}), ("x", {"a": 1e308, "b": 1.0, "c": 1e308, "g": 1}))
    _run(base, [{"kind": "x", "field": "r", "ratio": ["a", "b"]}, {"kind": "x", "field": "s", "add": ["a", "c"]}],
         {"t": {"of": "x", "group_by": {"fields": ["b"]}, "sum": "a"}, "u": {"of": "x", "group_by": {"fields": ["g"]},
                                                                          "sum": "a"}})
    assert all("r" not in f or f["r"] == 1e308 for f in _of(base, "x")) and all("s" not in f for f in _of(base, "x"))
    assert [f.get("sum") for f in _of(base, "agg.t")] == [1e308, 1e308] and "sum" not in _of(base, "agg.u")[0]


def test_the_shipped_packs_derive_and_aggregate_alike_where_they_share_a_name():
    """Packs checked together share their derived values and aggregates: one declared alike in two packs is
    computed once; declared differently it is an input error naming the pack (checker.check)."""
    from types import SimpleNamespace

    from checker import check
    from checker.errors import InputError
    from checker.packs import available_packs, get_pack
    compiled = [SimpleNamespace(pack=get_pack(p)) for p in available_packs()]
    derived = check._derived(compiled)  # type: ignore[arg-type]
    assert len(derived) == len({(d.kind, d.field) for c in compiled for d in c.pack.derived})
    check._aggregates(compiled)  # type: ignore[arg-type]
    one = SimpleNamespace(pack=SimpleNamespace(id="a", derived=(read_derived({"derive": [
        {"kind": "x", "field": "f", "ratio": ["a", "b"]}]})), aggregates={}))
    other = SimpleNamespace(pack=SimpleNamespace(id="b", derived=(read_derived({"derive": [
        {"kind": "x", "field": "f", "ratio": ["b", "a"]}]})), aggregates={}))
    assert len(check._derived([one, one])) == 1  # type: ignore[list-item]
    with pytest.raises(InputError, match="differently"):
        check._derived([one, other])  # type: ignore[list-item]


def test_decline_rate_uses_the_years_that_have_the_value():
    rows = [("agg.y", {"year": y, "count": 1, "intensity": v}) for y, v in [(2022, 0.5), (2023, 0.45), (2024, None)]]
    base = _base(*[(k, {f: x for f, x in d.items() if x is not None}) for k, d in rows])
    _run(base, [{"kind": "agg.y", "field": "decline", "op": "decline_rate", "args": ["intensity"]}])
    assert [f.get("decline") for f in _of(base, "agg.y")] == [0.1, 0.1, 0.1]  # 2022 → 2023 only


def test_the_rule_reference_says_how_each_value_is_computed(tiny):
    from checker.docs import render_pack
    rules, _ = tiny
    page = render_pack(load_pack("zz-units", rules))
    section = page.split("## 规则使用的计算值")[1]
    assert "- `baseline.baselines` 的 `kg_per_yuan` = `value`（单位 `unit`），换算为 `kgCO2/元`；" \
           "单位未知或量纲不符时不给出该值，`kg_per_yuan_unit_error` 说明原因" in section
    assert "- `agg.zz_per_metric` 的 `spread` = `distinct` − `count`" in section
    assert "- `agg.zz_per_metric`：`baseline.baselines` 按 `metric`、`base_year`分组，每组一项：`count` 条数，" \
           "`sum` 为 `kg_per_yuan` 之和，`distinct` 为 `value` 的不同取值数；只计 `metric` 不为 `已废止` 的记录" in section


def test_period_end_and_dimension_of_and_a_ref_of_the_bundle():
    import datetime as dt
    base = FactBase()
    base.bundle_id = base.add({"kind": "bundle", "audit_date": (dt.date(2025, 3, 20) - dt.date(1970, 1, 1)).days},
                              FactSource("bundle", "bundle.yaml", "", {"audit_date": "2025-03-20"}, None, "bundle"))
    for i, data in enumerate([{"year": 2024, "month": 2, "unit": "tCO2/MWh"}, {"year": 2024, "unit": "=1+1"},
                              {"year": 2026, "month": 13}, {"month": 1}]):
        base.add({"kind": GHG, **data}, FactSource(GHG, "ghg.yaml", f"/records/{i}", data, None, f"{GHG}[{i}]"))
    _run(base, [{"kind": GHG, "field": "ends", "op": "period_end", "args": ["year", "month"]},
                {"kind": GHG, "field": "dim", "dimension_of": "unit"},
                {"kind": GHG, "field": "audit_day", "op": "ref", "of": "bundle", "take": "audit_date"}])
    feb, annual, bad_month, no_year = _of(base, GHG)
    day = (dt.date(2024, 2, 29) - dt.date(1970, 1, 1)).days  # a leap year's February
    assert feb["ends"] == day and annual["ends"] == day + 306  # 2024-12-31
    assert "ends" not in bad_month and "ends" not in no_year
    assert feb["dim"] == "[co2e_mass]·[time]^2/[length]^2·[mass]" and "dim" not in annual
    assert feb["audit_day"] == (dt.date(2025, 3, 20) - dt.date(1970, 1, 1)).days
    assert base.sources[feb["id"]].values()["audit_day"] == "2025-03-20"  # messages show the date as written


def test_occurrence_ranks_records_with_the_same_values():
    rows = [{"e": "E1", "m": 1}, {"e": "E1", "m": 2}, {"e": "E1", "m": 1}, {"e": "E1"}, {"e": "E1"},
            {"e": "E1", "m": 1}, {"e": ["x"], "m": 1}, {"e": "E1", "m": 1}]
    base = _run(_base(*((GHG, r) for r in rows)), [{"kind": GHG, "field": "rank", "occurrence": ["e", "m"]}])
    assert [f.get("rank") for f in _of(base, GHG)] == [1, 1, 2, 1, 2, 3, None, 3]  # no month is a value
    # too; the fourth E1/1 is 'third or later' (3)


def test_window_sum_and_decline_cover_the_n_years_ending_at_each_year():
    """近三年: over years Y-2..Y only.  2020 is outside 2024's window; a year of the window without the
    value leaves that window absent; a year given twice is not a year."""
    years = {2020: (50.0, 1000.0), 2021: (100.0, 1000.0), 2022: (100.0, 1000.0), 2023: (90.0, 1000.0),
             2024: (81.0, 1000.0)}
    base = _base(*(("agg.y", {"year": y, "emissions": e, "output": o}) for y, (e, o) in years.items()),
                 ("agg.z", {"year": 2022, "v": 1.0}), ("agg.z", {"year": 2023, "v": 2.0}),
                 ("agg.z", {"year": 2023, "v": 3.0}), ("agg.z", {"year": 2024, "v": 4.0}))
    _run(base, [{"kind": "agg.y", "field": "intensity", "op": "ratio", "args": ["emissions", "output"]},
                {"kind": "agg.y", "field": "decline_3y", "op": "window_decline", "args": ["intensity"], "years": 3},
                {"kind": "agg.y", "field": "emissions_3y", "op": "window_sum", "args": ["emissions"], "years": 3},
                {"kind": "agg.z", "field": "v_2y", "op": "window_sum", "args": ["v"], "years": 2}])
    by_year = {f["year"]: f for f in _of(base, "agg.y")}
    assert by_year[2024]["decline_3y"] == pytest.approx(0.1)  # 100 → 81 over 2022–2024, not from 2020's 50
    assert by_year[2024]["emissions_3y"] == pytest.approx(271.0)
    assert by_year[2022]["emissions_3y"] == pytest.approx(250.0) and by_year[2022]["decline_3y"] == pytest.approx(-0.414213562, abs=1e-6)
    assert "decline_3y" not in by_year[2021] and "emissions_3y" not in by_year[2020]  # the window starts before the data
    z = {(f["year"], f["v"]): f.get("v_2y") for f in _of(base, "agg.z")}
    assert z == {(2022, 1.0): None, (2023, 2.0): None, (2023, 3.0): None, (2024, 4.0): None}  # 2023 twice: no window


def test_window_ops_need_their_years():
    """The pack schema refuses a window op without ``years`` and ``years`` on any other op."""
    schemas = load_schemas()
    validator = schemas.validator(schemas.schema("pack.schema.json"))

    def errors(entry: dict) -> list:  # only those about the entry (the pack lacks its other keys here)
        return [e for e in validator.iter_errors({"derive": [entry]}) if list(e.absolute_path)[:1] == ["derive"]]

    assert errors({"kind": "agg.y", "field": "s", "op": "window_sum", "args": ["v"]})
    assert errors({"kind": "agg.y", "field": "s", "op": "sub", "args": ["v", "w"], "years": 3})
    assert errors({"kind": "agg.y", "field": "s", "op": "window_decline", "args": ["v"], "years": 3}) == []


def test_first_given_takes_the_first_field_that_is_given():
    base = _base(("agg.y", {"year": 2023, "sum": 10.0, "exported": 2.0}), ("agg.y", {"year": 2024, "sum": 12.0}))
    _run(base, [{"kind": "agg.y", "field": "net", "op": "sub", "args": ["sum", "exported"]},
                {"kind": "agg.y", "field": "total", "op": "first_given", "args": ["net", "sum"]},
                {"kind": "agg.y", "field": "none", "op": "first_given", "args": ["missing", "absent"]}])
    assert [(f.get("net"), f["total"], f.get("none")) for f in _of(base, "agg.y")] == [(8.0, 8.0, None), (None, 12.0, None)]
