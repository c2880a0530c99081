"""Figures as people read them: the display a pack declares for a quantity (``display:`` in pack.yaml).

    display:
      ndrc_indicators:                       # a kind (a document or a record kind)
        energy_tce: {decimals: 2, unit: tce}  # a field of it, derived ones included (dotted: core.value)
      ndrc_indicators.indicators:
        value: {percent: true, decimals: 2}   # a fraction shown as a percentage: 0.4345 → 43.45%

``decimals`` is the most digits shown after the point (trailing zeros dropped, thousands grouped: 6718.524297
→ 6,718.52); a value that would round to zero keeps two significant digits (0.00042 → 0.00042).  ``unit`` is
written in the label of a report section's column showing the field (计算的二氧化碳排放量（tCO2）); a message
names its unit in its own text, so the number there is written without it.  Only the showing changes:
report.json keeps every number as computed (a section cell keeps it as ``value``), and the rules judge the
unrounded values.

Formatting is babel's number patterns (the locale's grouping and decimal signs), the same for every quantity:
no indicator has code of its own.  ``figure`` (the message filter of checker.messages) shows a computed number
without a declaration: 4 places, or 4 significant digits when it is smaller.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal, localcontext
from functools import lru_cache
from typing import Any

from babel.numbers import format_decimal, format_percent

_LOCALE = {"zh": "zh_CN", "en": "en"}


class Figure(float):
    """A number that prints as its display text in a message template (``{{ subject.energy_tce }}``) and
    stays a number for anything a template computes or compares with it."""

    __slots__ = ("text",)
    text: str

    def __new__(cls, value: float, text: str) -> Figure:
        obj = super().__new__(cls, value)
        obj.text = text
        return obj

    def __str__(self) -> str:
        return self.text

    def __reduce__(self) -> tuple:  # copied or pickled, it is the number
        return (float, (float(self),))


@lru_cache(maxsize=16)
def _pattern(decimals: int, percent: bool) -> str:
    return "#,##0" + ("." + "#" * decimals if decimals > 0 else "") + ("%" if percent else "")


def _significant(value: float, decimals: int, percent: bool) -> int:
    """Decimals enough to show two significant digits of a value the declared decimals would show as 0."""
    scaled = abs(value) * (100 if percent else 1)
    if scaled == 0 or scaled >= 10 ** -decimals:
        return decimals
    digits = decimals
    while scaled < 10 ** (1 - digits) and digits < 12:
        digits += 1
    return digits


def number(value: Any, spec: Mapping | None = None, lang: str = "zh") -> str:
    """``value`` as the declaration ``spec`` shows it (no unit); a value that is not a number, as itself.
    Without a declaration an integer is shown as written (a year: 2024) and a fraction to six significant digits."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    locale = _LOCALE.get(lang, "zh_CN")
    if spec is None:
        return f"{value:.6g}" if isinstance(value, float) else str(value)
    percent = bool(spec.get("percent"))
    decimals = _significant(float(value), int(spec.get("decimals", 2)), percent)
    pattern = _pattern(decimals, percent)
    with localcontext() as context:  # (babel rounds in the current decimal context: room for a float's 309 digits)
        context.prec = _DIGITS
        if percent:
            return format_percent(value, format=pattern, locale=locale)
        return format_decimal(value, format=pattern, locale=locale)


_DIGITS = 400  # decimal precision that holds any float written out positionally


def with_unit(value: Any, spec: Mapping | None = None, lang: str = "zh") -> str:
    """``number`` followed by the declared unit, if any."""
    text = number(value, spec, lang)
    unit = (spec or {}).get("unit")
    return f"{text} {unit}" if unit and isinstance(value, (int, float)) and not isinstance(value, bool) else text


def declared(meta: Mapping | None) -> dict[str, dict[str, dict]]:
    """The pack's display declarations: {kind: {field: spec}} (empty when it declares none)."""
    display = (meta or {}).get("display") or {}
    return {kind: dict(fields) for kind, fields in display.items() if isinstance(fields, Mapping)}


def _set(values: dict, path: list[str], spec: Mapping, lang: str) -> None:
    head = path[0]
    if head not in values:
        return
    if len(path) > 1:
        if isinstance(values[head], Mapping):
            values[head] = dict(values[head])
            _set(values[head], path[1:], spec, lang)
        return
    value = values[head]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        values[head] = Figure(value, number(value, spec, lang))


def shown(values: Mapping, fields: Mapping[str, Mapping] | None, lang: str = "zh") -> Mapping:
    """A message's view of a fact's values: the declared fields as ``Figure`` (the others as they are).
    ``values`` itself is not changed; without declarations it is returned as it is."""
    if not fields:
        return values
    out = dict(values)
    for field, spec in fields.items():
        _set(out, field.split("."), spec, lang)
    return out


def figure(value, decimals: int = 4, digits: int = 4):
    """A computed number as a message shows it: ``decimals`` places, and for a small value as many more
    as give ``digits`` significant digits (``round(4)`` would show 0.00012 and 0.00013 both as 0.0001);
    positional, trailing zeros dropped.  Anything else is shown as it is."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return value
    if value == 0:
        return "0"
    places = max(decimals, digits - 1 - math.floor(math.log10(abs(value))))
    with localcontext() as context:  # (room for every digit a float has: 1e300 rounded to places keeps 300 of them)
        context.prec = _DIGITS
        text = format(round(Decimal(repr(float(value))), min(places, 15)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
