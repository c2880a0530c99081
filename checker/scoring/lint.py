"""Lint of a pack's scoring table: a pack that passes cannot fail at scoring time."""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise
from typing import Any

from .numbers import HUNDRED, decimal_text, exact
from .table import SCALES

BASE = "/scoring"
Problems = list[tuple[str, str]]


def lint_scoring(scoring: dict, rule_ids: set[str] | None = None) -> Problems:
    """Problems of a pack's scoring table, as (JSON pointer under the manifest, message).

    A pack that passes cannot fail at scoring time: lead values positive and of the indicator's
    scale, weights summing to the stated total, grade bands contiguous and non-overlapping, every
    scored indicator in exactly one group, 二选一 options in their indicator's group.
    """
    out, ids = _lint_groups(scoring)
    out += _lint_indicators(scoring, ids)
    out += _lint_grades(scoring.get("grades") or [])
    out += _lint_settings(scoring, rule_ids)
    return out


def _lint_groups(scoring: dict) -> tuple[Problems, dict[Any, int]]:
    """Group ids unique, weights in (0, 1] summing to the stated total (the base groups to 100%)."""
    out: Problems = []
    ids: dict[Any, int] = {}
    total_w = Fraction(0)
    base_w = Fraction(0)
    for gi, g in enumerate(scoring.get("groups") or []):
        w = exact(g.get("weight"))
        if g.get("id") in ids:
            out.append((f"{BASE}/groups/{gi}/id", f"group {g.get('id')!r} is declared twice"))
        ids[g.get("id")] = gi
        if w is None or w <= 0 or w > 1:
            out.append((f"{BASE}/groups/{gi}/weight",
                        f"group {g.get('id')!r}: weight must be a number in (0, 1], got {g.get('weight')!r}"))
            continue
        total_w += w
        if not g.get("bonus"):
            base_w += w
    stated = exact(scoring.get("total_max"))
    if stated is None:
        out.append((f"{BASE}", "scoring: total_max (the stated total, e.g. 110) is required"))
    elif total_w * HUNDRED != stated:
        out.append((f"{BASE}/total_max", f"the group weights sum to {decimal_text(total_w * HUNDRED)} points, "
                                          f"not the stated total {scoring.get('total_max')}"))
    if base_w != 1:
        out.append((f"{BASE}/groups", f"the weights of the groups that are not bonus sum to "
                                      f"{decimal_text(base_w * HUNDRED)}%, not 100%"))
    return out, ids


def _lint_indicators(scoring: dict, ids: dict[Any, int]) -> Problems:
    """Every indicator once, in a declared group, of a known scale; every group used."""
    out: Problems = []
    seen: dict[Any, int] = {}
    used_groups: set[str] = set()
    for ii, d in enumerate(scoring.get("indicators") or []):
        ptr = f"{BASE}/indicators/{ii}"
        no = d.get("no")
        if no in seen:
            out.append((f"{ptr}/no", f"indicator {no} is declared twice (it must be in exactly one group)"))
        seen[no] = ii
        if d.get("group") not in ids:
            out.append((f"{ptr}/group", f"indicator {no}: group {d.get('group')!r} is not declared"))
        else:
            used_groups.add(d["group"])
        if d.get("scale") not in SCALES:
            out.append((f"{ptr}/scale",
                        f"indicator {no}: scale must be one of {', '.join(SCALES)}, got {d.get('scale')!r}"))
            continue
        out += _lint_options(ptr, d) if d.get("options") else _lint_lead(ptr, d)
    for g, gi in ids.items():
        if g not in used_groups:
            out.append((f"{BASE}/groups/{gi}", f"group {g!r} has no indicator"))
    return out


def _lint_options(ptr: str, d: dict) -> Problems:
    """二选一: at least two options with distinct keys, each in its partner's group, each lead valid."""
    out: Problems = []
    no = d.get("no")
    keys = [o.get("key") for o in d["options"]]
    if len(keys) < 2 or len(set(keys)) != len(keys) or not all(isinstance(k, str) and k for k in keys):
        out.append((f"{ptr}/options", f"indicator {no}: 二选一 needs at least two options with distinct keys"))
    for oi, o in enumerate(d["options"]):
        if o.get("group") not in (None, d.get("group")):
            out.append((f"{ptr}/options/{oi}/group",
                        f"indicator {no}: option {o.get('key')!r} is in group "
                        f"{o.get('group')!r}, not its partner's group {d.get('group')!r}"))
        scale = o.get("scale") or d["scale"]
        out += [(f"{ptr}/options/{oi}/lead", m) for m in _lead_problems(no, o.get("lead"), scale, d, o.get("key"))]
    return out


def _lint_lead(ptr: str, d: dict) -> Problems:
    no = d.get("no")
    if d.get("lead") is not None:
        return [(f"{ptr}/lead", m) for m in _lead_problems(no, d.get("lead"), d["scale"], d, None)]
    if not d.get("note"):
        return [(f"{ptr}/lead", f"indicator {no}: no lead value and no note saying why it is not scored")]
    return []


def _band(g: dict) -> tuple[Fraction, Fraction | None] | None:
    """A grade's bounds, None when they are not numbers with min ≤ max (an empty band included)."""
    lo, hi = exact(g.get("min")), exact(g.get("max")) if g.get("max") is not None else None
    if lo is None or (g.get("max") is not None and hi is None) or (hi is not None and hi < lo):
        return None
    if hi is not None and hi == lo and not (g.get("min_inclusive", True) and g.get("max_inclusive", True)):
        return None
    return lo, hi


def _lint_grades(grades: list[dict]) -> Problems:
    """Grade bands contiguous and non-overlapping."""
    out: Problems = []
    bands = []
    for gi, g in enumerate(grades):
        bounds = _band(g)
        if bounds is None:
            out.append((f"{BASE}/grades/{gi}", f"grade {g.get('name')!r}: min/max must be numbers with min ≤ max"))
            continue
        bands.append((bounds[0], gi, g, bounds[1]))
    bands.sort(key=lambda b: (b[0], b[1]))
    for (_, _, g1, hi1), (lo2, gi2, g2, _) in pairwise(bands):
        problem = _adjacent(g1, hi1, g2, lo2)
        if problem:
            out.append((f"{BASE}/grades/{gi2}", problem))
    return out


def _adjacent(g1: dict, hi1: Fraction | None, g2: dict, lo2: Fraction) -> str | None:
    """What is wrong where band ``g1`` meets the next band ``g2`` (None: they meet exactly)."""
    n1, n2 = g1.get("name"), g2.get("name")
    if hi1 is None:
        return f"grade {n2!r} overlaps {n1!r}, which has no upper bound"
    if lo2 > hi1:
        return f"grades {n1!r} and {n2!r} leave a gap between {g1['max']} and {g2['min']}"
    if lo2 < hi1:
        return f"grade {n2!r} overlaps {n1!r} ({g2['min']} < {g1['max']})"
    a, b = g1.get("max_inclusive", True), g2.get("min_inclusive", True)
    if a and b:
        return f"grades {n1!r} and {n2!r} both include {g2['min']}"
    if not a and not b:
        return f"grades {n1!r} and {n2!r} both exclude {g2['min']}: it has no grade"
    return None


def _rounding_ok(rounding: Any) -> bool:
    return (isinstance(rounding, dict) and isinstance(rounding.get("points"), int) and 0 <= rounding["points"] <= 6
            and isinstance(rounding.get("index"), int) and 0 <= rounding["index"] <= 8
            and isinstance(rounding.get("note"), dict) and bool(rounding["note"].get("zh"))
            and bool(rounding["note"].get("en")))


def _lint_settings(scoring: dict, rule_ids: set[str] | None) -> Problems:
    """The name below the lowest band, the rounding rule, the defect rules and the qualitative words."""
    out: Problems = []
    if not scoring.get("below"):
        out.append((BASE, "scoring: below (the name for a total under the lowest band) is required"))
    if not _rounding_ok(scoring.get("rounding")):
        out.append((f"{BASE}/rounding",
                    "scoring: rounding {points: 0-6, index: 0-8, note: {zh, en}} states the display rule once"))
    for ri, rid in enumerate(scoring.get("defect_rules") or []):
        if rule_ids is not None and rid not in rule_ids:
            out.append((f"{BASE}/defect_rules/{ri}", f"defect rule {rid!r} is not a rule of this pack"))
    defects = set(scoring.get("defect_rules") or ())
    for ri, rid in enumerate(scoring.get("reject_rules") or []):
        if rid not in defects:
            out.append((f"{BASE}/reject_rules/{ri}", f"reject rule {rid!r} must also be listed in defect_rules"))
    verdict = (scoring.get("designation") or {}).get("verdict_rule")
    if verdict and rule_ids is not None and verdict not in rule_ids:
        out.append((f"{BASE}/designation/verdict_rule", f"verdict rule {verdict!r} is not a rule of this pack"))
    for w, v in (scoring.get("qualitative_words") or {}).items():
        if v not in (0, 1) or isinstance(v, bool):
            out.append((f"{BASE}/qualitative_words", f"qualitative word {w!r} must read as 0 or 1"))
    return out


def _lead_problems(no: Any, lead: Any, scale: str, d: dict, key: Any) -> list[str]:
    what = f"indicator {no}" + (f" option {key!r}" if key else "")
    if scale == "qualitative":
        return [] if lead is True else [f"{what}: a qualitative lead state is written true, got {lead!r}"]
    n = exact(lead)
    if n is None:
        return [f"{what}: lead value must be a number, got {lead!r}"]
    if n <= 0:
        return [f"{what}: lead value must be positive, got {lead!r}"]
    if scale == "ratio" and n > 1:
        return [f"{what}: a ratio's lead value is a fraction in (0, 1] (50% is 0.5), got {lead!r}"]
    if scale == "count" and n.denominator != 1:
        return [f"{what}: a count's lead value is a whole number, got {lead!r}"]
    if scale == "amount" and not d.get("unit"):
        return [f"{what}: an amount needs its unit"]
    return []
