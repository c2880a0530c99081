"""Scores of scored standards (T/SEESA 010—2025 formula (1)), computed from the pack's YAML table.

Nothing here knows a particular standard: groups, weights, indicators, lead values, options
("二选一"), bonus groups and grade boundaries all come from ``scoring`` in the pack manifest.

    group subtotal = 100 × mean over applicable scored indicators of min(F / F_L, 1) × weight
    qualitative indicator: index 1 when the lead state is met (value true), else 0
    二选一: the better of the options counts, once
    an indicator declared not applicable leaves the mean; one without a lead value is shown, not scored
    a ratio with numerator and denominator is scored as computed from them (the reported value is
    checked against them by a rule)
    total = sum of subtotals, bonus groups included; the grade is the band of Table 2 the total falls in

Eligibility is read from the engine's results: a nonconformity (or error) on a gate clause makes
the park not eligible for grading; the score is still computed and shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .model import Result, Status, Text


@dataclass(frozen=True)
class IndicatorScore:
    no: int
    name: str
    group: str
    second: str
    option: str | None
    value: Any
    lead: Any
    index: float | None
    applicable: bool
    scored: bool
    source: str | None
    weight: float  # share of the total this indicator carries (group weight / indicators counted)
    contribution: float
    from_inputs: bool
    note: str | None = None
    unit: str | None = None  # None: a ratio (shown as a percentage) or a qualitative indicator

    def to_json(self) -> dict:
        return {"no": self.no, "unit": self.unit, "name": self.name, "group": self.group, "option": self.option,
                "value": (1 if self.value is True else 0 if self.value is False else self.value),
                "lead": (1 if self.lead is True else self.lead), "qualitative": self.lead is True,
                "index": None if self.index is None else round(self.index, 6), "applicable": self.applicable,
                "scored": self.scored, "source": self.source, "weight": round(self.weight, 6),
                "contribution": round(self.contribution, 6), "from_inputs": self.from_inputs, "note": self.note}


@dataclass(frozen=True)
class GroupScore:
    id: str
    name: str
    weight: float
    editor_default: bool
    bonus: bool
    counted: int
    mean_index: float
    subtotal: float

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "weight": self.weight, "editor_default": self.editor_default,
                "bonus": self.bonus, "indicators_counted": self.counted, "mean_index": round(self.mean_index, 6),
                "subtotal": round(self.subtotal, 6)}


@dataclass(frozen=True)
class Score:
    standard: str
    total: float
    base: float
    bonus: float
    grade: str
    eligible: bool
    designation: bool | None
    groups: tuple[GroupScore, ...]
    indicators: tuple[IndicatorScore, ...]
    weights_note: Text
    failed_gates: tuple[str, ...] = ()
    improvements: tuple[dict, ...] = field(default=())

    def to_json(self) -> dict:
        return {"standard": self.standard, "total": round(self.total, 4), "base": round(self.base, 4),
                "bonus": round(self.bonus, 4), "grade": self.grade, "eligible": self.eligible,
                "failed_gates": list(self.failed_gates), "zero_carbon_park": self.designation,
                "groups": [g.to_json() for g in self.groups], "indicators": [i.to_json() for i in self.indicators],
                "weights_note": self.weights_note.to_json(),
                "improvements": [dict(i) for i in self.improvements]}


def _index(value: Any, lead: Any) -> float:
    if lead is True:
        return 1.0 if value is True else 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lead:
        return 0.0
    return max(0.0, min(float(value) / float(lead), 1.0))


def _value(entry: dict | None) -> tuple[Any, bool]:
    if not entry:
        return None, False
    num, den = entry.get("numerator"), entry.get("denominator")
    if isinstance(num, (int, float)) and isinstance(den, (int, float)) and den and not isinstance(num, bool):
        return num / den, True
    return entry.get("value"), False


def grade_of(total: float, grades: list[dict], below: str) -> str:
    for g in grades:
        lo_ok = total > g["min"] or (g.get("min_inclusive", True) and total == g["min"])
        hi = g.get("max")
        hi_ok = hi is None or total < hi or (g.get("max_inclusive", True) and total == hi)
        if lo_ok and hi_ok:
            return g["name"]
    top = max(grades, key=lambda g: g["min"])
    if total > top["min"]:
        return top["name"]
    return below


def compute_score(standard: str, scoring: dict, evidence: dict | None, basic: dict | None,
                  results: list[Result]) -> Score:
    entries: dict[int, list[dict]] = {}
    for e in (evidence or {}).get("indicators") or []:
        if isinstance(e, dict) and e.get("no") is not None:  # an entry without its number (a content gap) scores nothing
            entries.setdefault(e["no"], []).append(e)
    indicators: list[IndicatorScore] = []
    for d in scoring["indicators"]:
        found = entries.get(d["no"], [])
        options = d.get("options") or [{"key": None, "name": d["name"], "lead": d.get("lead")}]
        best = None
        for opt in options:
            entry = next((e for e in found if e.get("option") == opt["key"]), None) if opt["key"] else (found[0] if found else None)
            value, from_inputs = _value(entry)
            applicable = not (entry and entry.get("applicable") is False)
            index = _index(value, opt["lead"]) if opt["lead"] is not None else None
            candidate = (index if index is not None else -1, opt, entry, value, from_inputs, applicable)
            if best is None or candidate[0] > best[0]:
                best = candidate
        index, opt, entry, value, from_inputs, applicable = best
        note = d.get("note")
        if entry is None and opt["lead"] is not None:
            note = "未提供（按 0 计）" if applicable else note
        indicators.append(IndicatorScore(
            no=d["no"], name=opt["name"], group=d["group"], second=d.get("second", ""), option=opt["key"],
            value=value, lead=opt["lead"], index=None if opt["lead"] is None else max(index, 0.0),
            applicable=applicable, scored=opt["lead"] is not None and applicable,
            source=(entry or {}).get("source"), weight=0.0, contribution=0.0, from_inputs=from_inputs, note=note,
            unit=d.get("unit")))
    groups: list[GroupScore] = []
    final: list[IndicatorScore] = []
    for g in scoring["groups"]:
        members = [i for i in indicators if i.group == g["id"]]
        counted = [i for i in members if i.scored]
        mean = sum(i.index for i in counted) / len(counted) if counted else 0.0
        subtotal = 100 * mean * g["weight"]
        groups.append(GroupScore(g["id"], g["name"], g["weight"], bool(g.get("editor_default")), bool(g.get("bonus")),
                                 len(counted), mean, subtotal))
        for i in members:
            w = g["weight"] / len(counted) if i.scored else 0.0
            final.append(replace(i, weight=w, contribution=100 * (i.index or 0) * w if i.scored else 0.0))
    final.sort(key=lambda i: i.no)
    base = sum(g.subtotal for g in groups if not g.bonus)
    bonus = sum(g.subtotal for g in groups if g.bonus)
    total = base + bonus
    gates = tuple(scoring.get("gates") or ())
    failed = tuple(sorted({r.clause for r in results if r.standard == standard and r.status in (Status.NONCONFORMITY, Status.ERROR)
                           and any(r.clause == p or r.clause.startswith(p + ".") for p in gates)}))
    grade = grade_of(total, scoring["grades"], scoring["below"])
    designation = None
    spec = scoring.get("designation")
    if spec and basic and isinstance(basic.get("emissions"), dict):
        em = basic["emissions"]
        offsets, remaining = em.get("offsets_tco2"), em.get("remaining_tco2")
        numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (offsets, remaining))
        # fail closed: without both figures the coverage of the remaining emissions is not shown
        designation = bool(grade == spec["grade"] and not failed and numbers and offsets >= remaining)
    improvements = []
    for i in final:
        if i.scored and i.index < 1:
            per_unit = None if i.lead is True else 100 * i.weight / float(i.lead)
            unit = i.unit
            improvements.append({"no": i.no, "name": i.name, "gain_to_lead": round(100 * i.weight * (1 - i.index), 4),
                                 "gain_per_unit": None if per_unit is None else round(per_unit if unit else per_unit / 100, 4),
                                 "unit": unit or "percentage point", "qualitative": i.lead is True})
    improvements.sort(key=lambda x: (-x["gain_to_lead"], x["no"]))
    note = scoring.get("weights_note") or {"zh": "", "en": ""}
    return Score(standard, total, base, bonus, grade, not failed, designation, tuple(groups), tuple(final),
                 Text(note["zh"], note["en"]), failed, tuple(improvements[:5]))
