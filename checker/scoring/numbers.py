"""Exact numbers for scoring: values taken as written, rounded only when shown."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

HUNDRED = Fraction(100)


def exact(value: Any) -> Fraction | None:
    """A number as written, exactly; None for anything that is not a finite number (bools excluded)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return Fraction(repr(value))  # the shortest decimal spelling: what was written
    return Fraction(value)


def _scaled_text(n: int, places: int) -> str:
    """The integer ``n`` read as ``n / 10**places``, written out."""
    sign, n = ("-" if n < 0 else ""), abs(n)
    if places == 0:
        return f"{sign}{n}"
    digits = str(n).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def round_half_up(value: Fraction, places: int) -> Decimal:
    """``value`` rounded half up (away from zero on a tie) to ``places`` decimals, in integers: exact."""
    scaled = abs(value) * 10 ** places
    n = math.floor(scaled + Fraction(1, 2))
    return Decimal(_scaled_text(-n if value < 0 else n, places))


def round_up(value: Fraction, places: int) -> Decimal:
    """``value`` rounded towards +∞ to ``places`` decimals (a target shown so that it is enough)."""
    return Decimal(_scaled_text(math.ceil(value * 10 ** places), places))


def fmt(value: Fraction | None, places: int) -> str:
    """Display form: rounded half up to ``places`` decimals; "—" when not computed."""
    if value is None:
        return "—"
    return f"{round_half_up(value, places):f}"


def decimal_text(value: Fraction, digits: int = 10) -> str:
    """The exact value as a decimal: all its digits when it terminates, else ``digits`` decimals and "…"."""
    if value.denominator == 1:
        return str(value.numerator)
    d, k = value.denominator, 0
    while d % 10 == 0 or d % 2 == 0 or d % 5 == 0:
        d //= 10 if d % 10 == 0 else 2 if d % 2 == 0 else 5
        k += 1
    if d == 1:
        k = next(k for k in range(1, 4 * k + 2) if (value * 10 ** k).denominator == 1)
        return _scaled_text(int(value * 10 ** k), k)
    sign = "-" if value < 0 else ""
    v = abs(value)
    return f"{sign}{_scaled_text(math.floor(v * 10 ** digits), digits)}…"


def fraction_text(value: Fraction | None) -> str | None:
    if value is None:
        return None
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def number_json(value: Fraction | None, places: int):
    """A JSON number rounded by the display rule (int when whole)."""
    if value is None:
        return None
    d = round_half_up(value, places)
    return int(d) if d == d.to_integral_value() else float(d)

