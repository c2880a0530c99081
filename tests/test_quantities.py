"""Units (checker.quantities): known conversions, the units these standards use, and unit text from a
bundle that is not a unit (unknown, incompatible, hostile) giving a reason, never an exception."""

from __future__ import annotations

import pytest

from checker import quantities as q


@pytest.mark.parametrize(("values", "units", "to", "expected"), [
    ([1], ["tce"], "GJ", 29.3076),                        # GB/T 2589: 1 kgce = 29.3076 MJ
    ([1], ["kgce"], "MJ", 29.3076),
    ([1], ["万kWh"], "MWh", 10.0),
    ([1000, 0.5703], ["MWh", "tCO2/MWh"], "tCO2", 570.3),  # activity × factor
    ([1000, 0.5703], ["MWh", "tCO2/MWh"], "tCO2e", 570.3),
    ([2.5, 2.16], ["kgCO2/m3", "万m3"], "tCO2", 54.0),      # 2.5 kg/m3 × 21 600 m3
    ([1500, 2.1622], ["Nm3", "kgCO2/m3"], "kgCO2e", 3243.3),
    ([2], ["万t"], "t", 20000.0),
    ([3], ["亿元"], "万元", 30000.0),
    ([5], ["吨"], "千克", 5000.0),
    ([7], ["立方米"], "m3", 7.0),
    ([1], ["万千瓦时"], "千瓦时", 10000.0),
    ([1], ["吨标准煤"], "kgce", 1000.0),
    ([120, 0.1229], ["MWh", "kgce/kWh"], "tce", 14.748),     # 当量值 of electricity
    ([3, 0.7143], ["t", "tce/t"], "tce", 2.1429),
    ([1, 25], ["tCH4", None], "tCO2e", None),             # a mass of CH4 is CO2e only through a GWP
    ([8.28, 0.000389, 28], ["万m3", "tCH4/万m3", "CH4"], "tCO2e", 0.09018576),  # × the GWP, in tCO2e per tCH4
    ([8.28, 0.389, 28], ["万m3", "kgCH4/万m3", "CH4"], "tCO2e", 0.09018576),
    ([8.28, 0.000389, 28], ["万m3", "t/万m3", "CH4"], "tCO2e", 0.09018576),      # t: a mass of the record's gas
    ([2, 0.1, 265], ["t", "kgN2O/t", "N2O"], "kgCO2e", 53.0),
    ([1000, 0.5703, 1], ["MWh", "tCO2/MWh", "CO2"], "tCO2e", 570.3),  # CO2's GWP is a plain number
    ([1, 0.5703, 1], ["MWh", "tCO2/MWh", "CH4"], "tCO2e", None),      # a CO2 factor through a CH4 GWP: no
    ([1, 0.000389, 28], ["万m3", "tCH4/万m3", "CO2"], "tCO2e", None),  # a CH4 mass with CO2's GWP: no
    ([1, 0.000389], ["万m3", "tCH4/万m3"], "tCO2e", None),             # no GWP: never assumed
    ([3], ["吨甲烷"], "kgCH4", 3000.0),
])
def test_known_conversions(values, units, to, expected):
    if expected is None:
        with pytest.raises(q.UnitProblem):
            q.convert(values, units, to)
        return
    assert q.convert(values, units, to) == pytest.approx(expected, rel=1e-12)


def test_a_plain_number_factor_has_no_unit():
    assert q.convert([1000, 0.5703, 1], ["MWh", "tCO2/MWh", None], "tCO2e") == 570.3


@pytest.mark.parametrize(("units", "to", "words"), [
    (["m3", "tCO2/MWh"], "tCO2e", "量纲不符"),          # activity in m3 against a factor per MWh
    (["t"], "tCO2", "量纲不符"),                        # a tonne of coal is not a tonne of CO2
    (["万元"], "t", "量纲不符"),                         # money is its own dimension
    (["furlongs_per_yak"], "t", "未知单位"),
    (["MWh"], "bananas", "未知单位"),
])
def test_unknown_or_incompatible_units_give_a_reason(units, to, words):
    with pytest.raises(q.UnitProblem) as caught:
        q.convert([1.0] * len(units), units, to)
    assert words in str(caught.value) and " / " in str(caught.value)


@pytest.mark.parametrize("text", [
    "__import__('os').system('true')", "m**1000000000", "m^99999999999", "1e999999", "kg/m/s",
    "(m)", "t" * 200, "m^5", "", "   ", "tCO2;rm", "{{ 7*7 }}", "m^-9", "a*b*c*d*e*f*g*h", "m^0",
])
def test_hostile_unit_text_is_refused_quickly(text):
    with pytest.raises(q.UnitProblem):
        q.parse(text)
    assert q.known_unit(text) is not None


def test_parse_reads_operators_exponents_and_chinese():
    assert q.parse("m²") == q.parse("m^2") == q.parse("m2")
    assert q.parse("tCO2/MWh") == q.parse("吨二氧化碳/兆瓦时")
    assert q.parse("kW·h") == q.parse("kWh")
    scale, dims = q.parse("tce/万kWh")
    assert dims == () and scale == pytest.approx(29307.6e6 / 3.6e10)


def test_non_finite_results_are_a_problem():
    with pytest.raises(q.UnitProblem):
        q.convert([1e308, 1e308], ["t", "tCO2/t"], "kgCO2")


def test_rounding_is_deterministic():
    assert q.rounded(0.1 + 0.2) == 0.3
    assert q.rounded(2 / 3) == 0.666666666667
    assert q.convert([0.1, 3], ["t", "tCO2/t"], "tCO2") == 0.3


def test_the_registry_is_built_once_without_a_cache_folder():
    assert q.registry() is q.registry()
    assert getattr(q.registry(), "cache_folder", None) in (None, "")


@pytest.mark.parametrize(("text", "dimension"), [
    ("tCO2/万m3", "[co2e_mass]/[length]^3"), ("t", "[mass]"), ("CH4", "[co2e_mass]/[mass]"), ("CO2", "1"),
    ("tCH₄/万m3", "[mass]/[length]^3"),
])
def test_dimension_text(text, dimension):
    assert q.dimension_text(text) == dimension


def test_dimension_text_of_text_that_is_no_unit_is_a_problem():
    with pytest.raises(q.UnitProblem):
        q.dimension_text("=1+1")

