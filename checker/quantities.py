"""Units of the quantitative checks: unit text from a bundle (``t``, ``万m3``, ``tCO2/MWh``, ``吨标准煤``)
read into a scale and a dimension, and the factor that converts a product of such units into a target
unit.

One pint ``UnitRegistry`` is built per process, on first use (pint is imported then), without pint's
cache folder (which pickles) and with a vocabulary of its own (``_DEFINITIONS``): metre, gram, tonne,
second, hour, litre, joule, watt, watt-hour, calorie and the SI prefixes; tCO2, tCO2e, kgCO2, kgCO2e,
gCO2, gCO2e (mass of CO2 equivalent, a dimension of its own so that a tonne of coal is never a tonne
of CO2), tce and kgce (standard coal, 1 kgce = 29.3076 MJ, GB/T 2589), Nm3 (normal cubic metre),
money (元, a dimension of its own) and the Chinese spellings (吨, 千克, 立方米, 千瓦时, 吨标准煤 …).
A leading 万 or 亿 multiplies a unit by 10⁴ or 10⁸ (万kWh, 万m3, 万t, 万元, 亿元).

Unit text is evidence, so it is hostile: it is never given to pint's expression parser.  It is at
most ``MAX_TEXT`` characters of a small character set, split here into at most ``MAX_TERMS`` terms
joined by ``/``, ``*`` or ``·``, each a unit name with an optional integer exponent in ±4 (``m3``,
``m^3``, ``m³``); pint only resolves single unit names.  Anything else is a ``UnitProblem`` with a
short reason (zh / en), never an exception out of this module.
"""

from __future__ import annotations

import functools
import math
import re
import sys
from collections import Counter
from collections.abc import Sequence
from itertools import compress, repeat
from operator import not_
from typing import Any

MAX_TEXT = 40
MAX_TERMS = 6
MAX_EXPONENT = 4
SIGNIFICANT = 12  # results are rounded to this many significant digits (byte-identical output)

# Greenhouse gases other than CO2 (GB/T 32150, the Kyoto basket): ``tCH4``/``kgCH4``/``gCH4`` are masses
# of the gas, and the gas's name, as the unit of the GWP a record declares for it (``[gwp, gas]`` in a
# product), is CO2 equivalent per mass of the gas: a mass of CH4 becomes tCO2e only through the GWP the
# record states, never by an assumed one.
GASES = ("CH4", "N2O", "HFCs", "PFCs", "SF6", "NF3")

# The registry's whole vocabulary (pint's definition syntax; no data ever reaches it).  pint's own
# default definitions (about a thousand units) are not loaded: they take a third of a second to
# parse and hold nothing these standards use that is not here.  The prefixes apply to every unit.
_DEFINITIONS = (
    "milli- = 1e-3 = m-", "kilo- = 1e3 = k-", "mega- = 1e6 = M-", "giga- = 1e9 = G-", "tera- = 1e12 = T-",
    "peta- = 1e15 = P-",
    "meter = [length] = m", "gram = [mass] = g", "second = [time] = s",
    "yuan = [money]",  # money is a dimension of its own: 元, 万元, 亿元
    "gCO2e = [co2e_mass]",  # mass of CO2 equivalent: never a mass of fuel
    "gCO2 = gCO2e", "tCO2e = 1e6 * gCO2e", "tCO2 = tCO2e",
    "tonne = 1e6 * gram = t", "minute = 60 * second = min", "hour = 60 * minute = h", "day = 24 * hour = d",
    "year = 365 * day = a",
    "liter = 1e-3 * meter ** 3 = L = l", "Nm3 = meter ** 3",  # a normal cubic metre counts as a cubic metre
    "joule = kilogram * meter ** 2 / second ** 2 = J", "watt = joule / second = W", "watt_hour = watt * hour = Wh",
    "calorie = 4.1868 * joule = cal",
    "kgce = 29.3076 * megajoule", "tce = 1000 * kgce",  # standard coal (GB/T 2589)
    # masses of the other greenhouse gases (a mass: the gas is the record's ``gas``), and the unit of a GWP
    # value for each gas: CO2 equivalent per mass of that gas (CO2's own GWP is a plain number)
    *(line for gas in GASES for line in (f"g{gas} = gram", f"t{gas} = 1e6 * g{gas}", f"{gas} = gCO2e / gram")),
    "CO2 = gCO2e / gCO2",
)

# Names as written in Chinese (and a few common spellings) → pint names.
ALIASES: dict[str, str] = {
    "吨": "t", "千克": "kg", "公斤": "kg", "克": "g",
    "立方米": "m3", "方": "m3", "标准立方米": "Nm3", "标立方米": "Nm3", "标方": "Nm3", "Nm³": "Nm3",
    "千瓦时": "kWh", "度": "kWh", "兆瓦时": "MWh", "吉瓦时": "GWh", "kW·h": "kWh", "kwh": "kWh",
    "焦耳": "J", "千焦": "kJ", "兆焦": "MJ", "吉焦": "GJ", "太焦": "TJ",
    "吨标准煤": "tce", "吨标煤": "tce", "千克标准煤": "kgce", "千克标煤": "kgce", "tec": "tce",
    "吨二氧化碳": "tCO2", "吨二氧化碳当量": "tCO2e", "千克二氧化碳": "kgCO2", "千克二氧化碳当量": "kgCO2e",
    "tCO₂": "tCO2", "tCO₂e": "tCO2e", "kgCO₂": "kgCO2", "kgCO₂e": "kgCO2e",
    "吨甲烷": "tCH4", "千克甲烷": "kgCH4", "吨氧化亚氮": "tN2O", "千克氧化亚氮": "kgN2O",
    "tCH₄": "tCH4", "kgCH₄": "kgCH4", "gCH₄": "gCH4", "CH₄": "CH4", "tN₂O": "tN2O", "kgN₂O": "kgN2O",
    "gN₂O": "gN2O", "N₂O": "N2O", "CO₂": "CO2",
    "t-CO2": "tCO2", "t-CO2e": "tCO2e", "tco2": "tCO2", "tco2e": "tCO2e",
    "元": "yuan", "RMB": "yuan", "CNY": "yuan",
    "升": "L", "千瓦": "kW", "兆瓦": "MW", "小时": "h", "年": "year",
}
_SCALE_PREFIXES = (("万", 1e4), ("亿", 1e8))
_ALLOWED = re.compile(r"^[A-Za-z0-9_²³₂₄·*/^ \-\u4e00-\u9fff]+$")
_NAME = re.compile(r"^[A-Za-z_]+[A-Za-z_0-9]*$")
_TERM = re.compile(r"^(?P<name>.+?)(?:\^(?P<exp>-?[0-9]+)|(?P<sup>[²³]))?$")
_TRAILING_POWER = re.compile(r"^(?P<stem>[A-Za-z]+?)(?P<exp>[23])$")


class UnitProblem(ValueError):
    """Unit text that cannot be read or converted; ``str()`` is the short bilingual reason."""


def _import_pint() -> Any:
    """pint, imported without its Dask support: pint imports Dask whenever it is installed (the batch
    executor's optional extra) to handle Dask arrays of quantities, which parkcheck never makes, and Dask
    costs a check ~5 MiB resident and 80 ms.  Dask stays importable afterwards (``checker.executors``)."""
    if "pint" in sys.modules or "dask" in sys.modules:
        import pint
        return pint
    sys.modules["dask"] = None  # type: ignore[assignment]  # (importlib.util.find_spec: not installed)
    try:
        import pint
    finally:
        if sys.modules.get("dask", 0) is None:  # (not another thread's dask, imported meanwhile)
            del sys.modules["dask"]
    return pint


@functools.cache
def registry() -> Any:
    """The one ``pint.UnitRegistry`` of the process, built on first use (pint takes half a second to
    import, so a check that derives no unit does not pay for it); never with a cache folder."""
    pint = _import_pint()

    ureg: Any = pint.UnitRegistry(None, cache_folder=None, on_redefinition="raise")
    for line in _DEFINITIONS:
        ureg.define(line)
    return ureg


# A unit read from text: its scale to pint's base units and its dimensionality (dimension -> power).
Dimension = tuple[tuple[str, int], ...]


def _show(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def _name_unit(name: str) -> tuple[float, dict[str, float]]:
    """A single unit name (no operator): scale to base units and dimensionality."""
    name = ALIASES.get(name, name)
    for prefix, factor in _SCALE_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            scale, dims = _name_unit(name[len(prefix):])
            return scale * factor, dims
    if not _NAME.match(name):
        raise UnitProblem(f"未知单位 {name!r} / unknown unit {name!r}")
    ureg = registry()
    try:
        q = ureg.Quantity(1.0, ureg.Unit(name)).to_base_units()
        return float(q.magnitude), dict(q.dimensionality)
    except Exception:
        stem = _TRAILING_POWER.match(name)
        if stem:  # m3, km2, Nm3 written without an operator
            scale, dims = _name_unit(stem["stem"])
            power = int(stem["exp"])
            return scale ** power, {k: v * power for k, v in dims.items()}
        raise UnitProblem(f"未知单位 {name!r} / unknown unit {name!r}") from None


def _term(text: str) -> tuple[float, dict[str, float]]:
    m = _TERM.match(text)
    if not m:
        raise UnitProblem(f"无法识别的单位 {_show(text)!r} / unreadable unit {_show(text)!r}")
    exp = int(m["exp"]) if m["exp"] else (2 if m["sup"] == "²" else 3 if m["sup"] else 1)
    if not exp or abs(exp) > MAX_EXPONENT:
        raise UnitProblem(f"单位指数超出范围 {_show(text)!r} / exponent out of range {_show(text)!r}")
    scale, dims = _name_unit(m["name"].strip())
    return scale ** exp, {k: v * exp for k, v in dims.items()}


@functools.lru_cache(maxsize=4096)
def parse(text: str) -> tuple[float, Dimension]:
    """Unit text → (scale to base units, dimension).  Raises ``UnitProblem`` on anything not a unit."""
    if not isinstance(text, str) or not text.strip():
        raise UnitProblem("未给出单位 / no unit given")
    raw = text.strip().replace("／", "/").replace("•", "·").replace("．", "·")
    if len(raw) > MAX_TEXT or not _ALLOWED.match(raw) or raw.count("/") > 1:
        raise UnitProblem(f"无法识别的单位 {_show(text)!r} / unreadable unit {_show(text)!r}")
    scale = 1.0
    dims: dict[str, float] = {}
    for side, part in enumerate(raw.split("/")):
        terms = re.split(r"[*·]", part)
        if len(terms) > MAX_TERMS or any(not t.strip() for t in terms):
            raise UnitProblem(f"无法识别的单位 {_show(text)!r} / unreadable unit {_show(text)!r}")
        for t in terms:
            s, d = _term(t.strip())
            sign = -1 if side else 1
            scale *= s ** sign
            for k, v in d.items():
                dims[k] = dims.get(k, 0) + v * sign
    if not math.isfinite(scale) or scale == 0:
        raise UnitProblem(f"无法识别的单位 {_show(text)!r} / unreadable unit {_show(text)!r}")
    return scale, tuple(sorted((k, int(v)) for k, v in dims.items() if v))


def _describe(units: Sequence[str | None]) -> str:
    return " × ".join(_show(u) for u in units if u is not None) or "1"


@functools.lru_cache(maxsize=4096)
def factor(units: tuple[str | None, ...], to: str) -> float:
    """The number a product of values in ``units`` (None: a plain number) is multiplied by to be in ``to``.
    Raises ``UnitProblem`` when a unit is unknown or the dimensions differ."""
    scale = 1.0
    dims: dict[str, int] = {}
    for u in units:
        if u is None:
            continue
        s, d = parse(u)
        scale *= s
        for k, v in d:
            dims[k] = dims.get(k, 0) + v
    target_scale, target_dims = parse(to)
    mine = tuple(sorted((k, v) for k, v in dims.items() if v))
    if mine != target_dims:
        raise UnitProblem(f"量纲不符：{_describe(units)} 不能换算为 {_show(to)} / "
                          f"dimension mismatch: {_describe(units)} is not convertible to {_show(to)}")
    return scale / target_scale


def rounded(x: float) -> float:
    """A float rounded to ``SIGNIFICANT`` significant digits (so that output does not depend on the order
    of floating-point noise)."""
    return float(format(x, _ROUNDING))


_ROUNDING = f".{SIGNIFICANT}g"


def rounded_each(values: Sequence[float]) -> list[float]:
    """``rounded`` of each of the floats, in order, by C loops: where the values repeat (``repeating``, then counted),
    once per distinct value - memory: one float object per distinct value, the zeros one if they are all of one sign
    (0.0 == -0.0: of both signs, each one itself, as rounding keeps its sign); else each one (quicker)."""
    if repeating(values):
        known = dict.fromkeys(values)
        if len(known) < REPEATING * len(values) and _FLOATS.issuperset(map(type, known)):
            if 0.0 in known and not zeros_one_signed(values):
                del known[0.0]  # (zeros of both signs: each one itself)
            distinct = list(known)
            known.update(zip(distinct, map(float, map(format, distinct, repeat(_ROUNDING))), strict=True))
            return list(map(known.get, values, values))  # type: ignore[arg-type]  # (every value a key, or a zero)
    return list(map(float, map(format, values, repeat(_ROUNDING))))


def zeros_one_signed(values: Sequence[Any]) -> bool:
    """Whether the float zeros among the values (of any types) are all of one sign (0.0 == -0.0: then each may stand
    for the others)."""
    falsy = list(compress(values, map(not_, values)))  # (zeros, empty texts, None)
    return len(set(map(math.copysign, repeat(1.0), compress(falsy, map(isinstance, falsy, repeat(float)))))) <= 1


REPEATING = 3 / 4  # (of the rows, the share of distinct values below which a memo is made: memory, one object a value)
_FLOATS = frozenset({float})  # (a whole number zero rounds to a float: never held, it would be itself)
_SAMPLE, _COMMON = 2048, 3


def repeating(values: Sequence[Any]) -> bool:
    """Whether fewer than ``REPEATING`` of the values (hashable) seem distinct (``distinct_share``)."""
    return distinct_share(values) < REPEATING


def distinct_share(values: Sequence[Any]) -> float:
    """About what share of the values (hashable) are distinct, told from a sample of about ``_SAMPLE`` spread over
    them (the whole where it is that short): each value drawn ``_COMMON`` times or more is one, and the others are
    taken as equally common - ``m`` rows of ``d`` values, each ``f = m / d`` times: about ``s * s * (f - 1) / (2 * m)``
    pairs of the ``s`` drawn from them are equal."""
    count = len(values)
    step = count // _SAMPLE
    if step < 2:
        return len(set(values)) / count if count else 1.0
    sample = values[::step]
    drawn = Counter(sample)
    common = [times for times in drawn.values() if times >= _COMMON]
    rest = len(sample) - sum(common)
    pairs = sum(times * (times - 1) // 2 for times in drawn.values() if times < _COMMON)
    rows = count * rest / len(sample)  # (the rows of the values not common)
    rare = rows / (1 + 2 * rows * pairs / (rest * rest)) if rest else 0.0
    return min(1.0, (len(common) + rare) / count)


def convert(values: Sequence[float], units: Sequence[str | None], to: str) -> float:
    """The product of ``values`` (each in its unit, None: a plain number) expressed in ``to``, rounded.
    Raises ``UnitProblem`` on an unknown unit, a dimension mismatch or a result that is not finite."""
    f = factor(tuple(units), to)
    product = f
    for v in values:
        product *= v
    if not math.isfinite(product):
        raise UnitProblem("结果不是有限数 / the result is not a finite number")
    return rounded(product)


def dimension_text(text: str) -> str:
    """The dimension a unit text reads as, e.g. ``[co2e_mass]/[length]^3`` for ``tCO2/万m3`` (``1`` for a
    plain number).  Raises ``UnitProblem`` on text that is not a unit."""
    _, dims = parse(text)
    top = "·".join(k + (f"^{v}" if v != 1 else "") for k, v in dims if v > 0) or "1"
    bottom = "·".join(k + (f"^{-v}" if v != -1 else "") for k, v in dims if v < 0)
    return f"{top}/{bottom}" if bottom else top


def known_unit(text: str) -> str | None:
    """None when ``text`` is a unit this module reads, else the reason it is not (for pack lint)."""
    try:
        parse(text)
    except UnitProblem as e:
        return str(e)
    return None
