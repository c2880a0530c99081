"""The pack's scoring table read as data: slots, options, lead values, scales and the grade bands."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .numbers import exact

SCALES = ("ratio", "count", "amount", "qualitative")
PAIR = "pair"  # the scale a 二选一 indicator's bare slot (no option given) is looked up as


def slot_of(no: Any, option: Any) -> str:
    return f"{no}/{option}" if option not in (None, "") else f"{no}"


def options_of(d: dict) -> list[dict]:
    """The options of an indicator: its 二选一 options, or the indicator itself as one option."""
    if d.get("options"):
        return [{"scale": d.get("scale"), "unit": d.get("unit"), **o} for o in d["options"]]
    return [{"key": None, "name": d["name"], "lead": d.get("lead"), "scale": d.get("scale"), "unit": d.get("unit")}]


def slot_table(scoring: dict) -> dict[str, str]:
    """Every slot an indicator entry may fill ("7", "1/charging"), with its scale.  The bare slot of
    a 二选一 indicator ("1") has the scale ``pair``: it may only declare the pair not applicable."""
    table: dict[str, str] = {}
    for d in scoring.get("indicators") or ():
        if d.get("options"):
            table[slot_of(d["no"], None)] = PAIR
        for o in options_of(d):
            table[slot_of(d["no"], o["key"])] = o.get("scale") or ""
    return table


def qualitative_words(scoring: dict) -> dict[str, int]:
    return {str(k): int(v) for k, v in (scoring.get("qualitative_words") or {}).items()}


def lead_of(option: dict) -> Fraction | None:
    lead = option.get("lead")
    if option.get("scale") == "qualitative":
        return Fraction(1) if lead is True or lead == 1 else None
    return exact(lead)


def reading(value: Any, scale: str | None, words: dict[str, int]) -> tuple[Fraction | None, str | None]:
    """The number a value stands for on its indicator's scale, or why it cannot be used."""
    if scale == "qualitative":
        if isinstance(value, bool):
            return Fraction(int(value)), None
        if isinstance(value, str):
            if value.strip() in words:
                return Fraction(words[value.strip()]), None
            return None, "text"
        n = exact(value)
        if n is None:
            return None, "type"
        if not 0 <= n <= 1:
            return None, "range"
        return n, None
    n = exact(value)
    if n is None:
        return None, "type"
    if n < 0:
        return None, "negative"
    if scale == "ratio" and n > 1:
        return None, "range"
    if scale == "count" and n.denominator != 1:
        return None, "type"
    return n, None



# -- grades -----------------------------------------------------------------------------------

def lower_bound(g: dict) -> Fraction:
    lo = exact(g["min"])
    if lo is None:  # ruled out by the pack's lint
        raise ValueError(f"grade {g.get('name')!r}: min is not a number")
    return lo


def _bound(g: dict) -> tuple[Fraction, Fraction | None]:
    hi = exact(g["max"]) if g.get("max") is not None else None
    return lower_bound(g), hi


def band_text(g: dict) -> str:
    lo, hi = g["min"], g.get("max")
    left = f"{lo} {'≤' if g.get('min_inclusive', True) else '<'} S"
    if hi is None:
        return left
    return f"{left} {'≤' if g.get('max_inclusive', True) else '<'} {hi}"


def band_of(total: Any, grades: list[dict]) -> dict | None:
    """The band of Table 2 the total falls in, compared exactly; None below the lowest band."""
    s = total if isinstance(total, Fraction) else exact(total)
    if s is None:
        return None
    for g in grades:
        lo, hi = _bound(g)
        lo_ok = s > lo or (g.get("min_inclusive", True) and s == lo)
        hi_ok = hi is None or s < hi or (g.get("max_inclusive", True) and s == hi)
        if lo_ok and hi_ok:
            return g
    return None


def grade_of(total: Any, grades: list[dict], below: str) -> str:
    band = band_of(total, grades)
    return band["name"] if band else below



def below_text(grades: list[dict]) -> str:
    low = min(grades, key=lower_bound)
    return f"S {'<' if low.get('min_inclusive', True) else '≤'} {low['min']}"

