"""A recomputed figure in a message keeps the digits that tell it apart from the declared one: a small
value is shown to 4 significant digits, not rounded to 4 places (0.00012 and 0.00013 were both 0.0001)."""

from __future__ import annotations

import pytest

from checker.messages import figure, render
from checker.packs import get_pack


@pytest.mark.parametrize(("value", "shown"), [
    (0.00013, "0.00013"), (0.00012, "0.00012"), (12.3456789, "12.3457"), (1234567.891, "1234567.891"),
    (2.0, "2"), (3, "3"), (0, "0"), (-0.000987654, "-0.0009877"), (1e-9, "0.000000001"), (5.3e20, "530000000000000000000"),
])
def test_a_number_keeps_four_places_and_four_significant_digits(value, shown):
    assert figure(value) == shown


@pytest.mark.parametrize("value", ["约 3", None, True, float("nan"), float("inf")])
def test_anything_else_is_shown_as_it_is(value):
    assert figure(value) is value


def test_the_recompute_message_tells_a_tiny_difference_apart():
    rule = next(r for r in get_pack("t-cpqs-zc001-2025").rules if r.id == "zc001-7.3.2-f-recompute")
    subject = {"id": "G-1", "enterprise": "E1", "year": 2024, "month": 3, "source": "制冷剂逸散", "emissions": 0.00012,
               "activity": 0.1, "activity_unit": "kg", "factor": 0.0013, "factor_unit": "t/t", "gwp": 1,
               "expected_emissions": 0.00013}
    text = render(rule.message, {"subject": subject})
    assert "填报排放量 0.00012 tCO2e" in text.zh and "重算为 0.00013 tCO2e" in text.zh
    assert "gives 0.00013 tCO2e" in text.en


@pytest.mark.parametrize("value", [1e24, -1e30, 1.5e300, 1.7976931348623157e308, 5e-324])
def test_a_huge_or_tiny_derived_number_is_shown_not_a_crash(value):
    """A derived value can exceed any evidence number (a deviation over a denominator near zero): every digit of
    the float is shown, in figures and in declared formats (decimal's default 28-digit context raised)."""
    from checker.figures import number

    text = figure(value)
    assert float(text) == pytest.approx(value, rel=1e-15) if abs(value) > 1 else text == "0"
    for spec in ({"decimals": 2}, {"decimals": 1, "percent": True}):
        shown = number(value, spec)
        assert shown.replace(",", "").rstrip("%").replace(".", "").lstrip("-").isdigit()
