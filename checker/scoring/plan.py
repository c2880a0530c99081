"""What would raise a score: the gain of each indicator at its lead value, and the smallest change
that lifts the total into the next grade band, computed exactly."""

from __future__ import annotations

import math
from fractions import Fraction

from .numbers import HUNDRED, decimal_text, fraction_text, round_half_up, round_up
from .results import IndicatorScore
from .table import band_of, band_text, lower_bound


def _room(i: IndicatorScore) -> Fraction:
    """Points the indicator adds when raised to its lead value."""
    return HUNDRED * i.weight * (1 - (i.index or 0))


def improvements(final: list[IndicatorScore]) -> list[dict]:
    out = []
    for i in final:
        if i.scored and (i.index is None or i.index < 1):
            gain = _room(i)
            out.append({"no": i.no, "name": i.name, "gain_to_lead": float(round_half_up(gain, 4)),
                        "gain_to_lead_exact": fraction_text(gain), "qualitative": i.qualitative,
                        "not_computed": i.state == "not_computed"})
    out.sort(key=lambda x: (-Fraction(str(x["gain_to_lead_exact"])), x["no"]))
    return out


def _target(total: Fraction, grades: list[dict]) -> dict | None:
    """The next band above the total's, None at the top."""
    ordered = sorted(grades, key=lower_bound)
    target = next((g for g in ordered
                   if lower_bound(g) > total or (lower_bound(g) == total and not g.get("min_inclusive", True))), None)
    current = band_of(total, grades)
    if target is None or (current is not None and current is target):
        return None
    return target


def _raisable(i: IndicatorScore) -> bool:
    return bool(i.scored and i.weight and i.lead_exact is not None and (i.index is None or i.index < 1))


def _have(i: IndicatorScore) -> Fraction:
    """The value the change starts from (0 for an indicator not computed)."""
    return i.value_exact if (i.state == "scored" and i.value_exact is not None) else Fraction(0)


def _change(i: IndicatorScore, d_index: Fraction, relation: str, places: int) -> dict:
    """The row of one indicator raised by ``d_index`` (a count moves in whole units)."""
    have = _have(i)
    value = have + d_index * (i.lead_exact or 0)
    if i.scale == "count":
        whole = math.floor(value) + 1 if (relation == ">" and value.denominator == 1) else math.ceil(value)
        value, relation = Fraction(whole), "≥"
    return {"no": i.no, "name": i.name, "option": i.option, "scale": i.scale, "unit": i.unit,
            "from": None if i.state != "scored" else fraction_text(have),
            "from_display": None if i.state != "scored" else _value_text(have, i.scale, places),
            "relation": relation, "to": fraction_text(value), "to_exact_decimal": decimal_text(value),
            "to_display": _value_text(value, i.scale, places, up=True)}


def _single(final: list[IndicatorScore], needed: Fraction, strict: bool, places: int) -> list[dict]:
    """Each indicator that alone can close the gap, with the value it needs."""
    changes = []
    for i in final:
        if not _raisable(i):
            continue
        room = _room(i)
        if room < needed or (strict and room == needed):
            continue
        change = _change(i, needed / (HUNDRED * i.weight), ">" if strict else "≥", places)
        change["gain_needed"] = fraction_text(needed)
        changes.append(change)
    changes.sort(key=lambda c: (c["no"],))
    return changes


def next_grade(total: Fraction, final: list[IndicatorScore], grades: list[dict], places: int) -> dict | None:
    """The smallest change to one indicator's value that lifts the total into the next band, exactly.

    The contribution of indicator i is 100 × ω/j × min(F/F_L, 1), so raising F by ΔF (within the
    cap F_L) raises S by 100 × ω/j × ΔF / F_L.  The needed rise is the distance to the next band's
    lower bound (reaching it is enough when the bound is inclusive; otherwise S must pass it).  A
    count indicator moves in whole units.
    """
    target = _target(total, grades)
    if target is None:
        return None
    strict = not target.get("min_inclusive", True)
    needed = lower_bound(target) - total
    changes = _single(final, needed, strict, places)
    plan = [] if changes else _combined(final, needed, strict, places)
    return {"grade": target["name"], "bound": band_text(target), "needed": fraction_text(needed),
            "needed_display": f"{round_half_up(needed, places):f}", "strict": strict, "changes": changes,
            "combined": plan}


def _combined(final: list[IndicatorScore], needed: Fraction, strict: bool, places: int) -> list[dict]:
    """When no single indicator suffices: the fewest indicators that do, each raised to its lead
    value (largest room first), the last one only as far as needed.  Empty when even all are not enough."""
    rooms = sorted(((_room(i), i) for i in final if _raisable(i)), key=lambda r: (-r[0], r[1].no))
    available = sum((r for r, _ in rooms), Fraction(0))
    if available < needed or (strict and available == needed):
        return []
    plan, left = [], needed
    for room, i in rooms:
        last = room > left or (room == left and not strict)
        d_index = left / (HUNDRED * i.weight) if last else 1 - (i.index or Fraction(0))
        plan.append(_change(i, d_index, ">" if (last and strict) else "≥", places))
        if last:
            break
        left -= room
    return plan


def _value_text(v: Fraction, scale: str | None, places: int, up: bool = False) -> str:
    """A value for people: ratios as percentages.  ``up``: a target, rounded up so it is enough."""
    x = v * 100 if scale == "ratio" else v
    if scale == "qualitative":
        places += 2  # a state quantified 0–1 is shown like an index
    d = round_up(x, places) if up else round_half_up(x, places)
    return f"{d:f}%" if scale == "ratio" else f"{d:f}"
