"""What a score is made of: data defects, indicator and group scores, the score of one bundle."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..model import Text
from .numbers import HUNDRED, fraction_text, number_json


@dataclass(frozen=True)
class Defect:
    """A data defect the score rests on: a finding of a data-check rule, or data missing."""

    rule: str | None  # the rule that found it; None: found by the scoring machinery (data missing)
    no: int | None  # indicator number, None when it concerns the whole indicator file
    file: str
    line: int | None
    pointer: str
    message: Text

    def location(self) -> str:
        return f"{self.file}:{self.line}#{self.pointer}" if self.line else f"{self.file}#{self.pointer}"

    def to_json(self) -> dict:
        return {"rule": self.rule, "indicator": self.no, "file": self.file, "line": self.line,
                "pointer": self.pointer, "message": self.message.to_json()}


@dataclass(frozen=True)
class IndicatorScore:
    no: int
    name: str  # the name of the option used (the indicator's name when it has no options)
    group: str
    second: str
    option: str | None  # key of the 二选一 option used
    value: Any  # as written (for a ratio given as numerator/denominator: the computed value)
    lead: Any  # as written in the pack (True for a qualitative indicator)
    index: Fraction | None
    applicable: bool
    scored: bool  # counted in its group's mean (in j)
    source: str | None
    weight: Fraction  # share of the total this indicator carries (ω / j), 0 when not counted
    contribution: Fraction
    from_inputs: bool
    note: str | None = None
    unit: str | None = None
    scale: str | None = None
    state: str = "scored"  # scored | not_applicable | no_lead | not_computed
    year: int | None = None
    value_exact: Fraction | None = None
    lead_exact: Fraction | None = None
    options: tuple[dict, ...] = ()  # for 二选一: every option with its value, index and why (not) used
    location: str | None = None  # file:line of the entry used
    defects: tuple[Defect, ...] = ()

    @property
    def qualitative(self) -> bool:
        return self.scale == "qualitative"

    def to_json(self, places: int = 2, index_places: int = 4) -> dict:
        value = self.value
        if isinstance(value, bool):
            value = int(value)
        return {"no": self.no, "name": self.name, "group": self.group, "second": self.second, "option": self.option,
                "options": [dict(o) for o in self.options], "scale": self.scale, "unit": self.unit,
                "value": value, "value_exact": fraction_text(self.value_exact), "from_inputs": self.from_inputs,
                "year": self.year, "lead": 1 if self.lead is True else self.lead,
                "lead_exact": fraction_text(self.lead_exact), "qualitative": self.qualitative, "state": self.state,
                "applicable": self.applicable, "scored": self.scored,
                "index": number_json(self.index, index_places), "index_exact": fraction_text(self.index),
                "weight": number_json(self.weight * HUNDRED, places), "weight_exact": fraction_text(self.weight),
                "contribution": number_json(self.contribution, places),
                "contribution_exact": fraction_text(self.contribution),
                "source": self.source, "location": self.location, "note": self.note,
                "defects": [d.to_json() for d in self.defects]}


@dataclass(frozen=True)
class GroupScore:
    id: str
    name: str
    weight: Fraction
    editor_default: bool
    bonus: bool
    counted: int
    mean_index: Fraction | None
    subtotal: Fraction
    note: Text | None = None  # e.g. what happened to the weight of a group with no applicable indicator
    not_computed: int = 0

    def to_json(self, places: int = 2, index_places: int = 4) -> dict:
        return {"id": self.id, "name": self.name, "weight": number_json(self.weight, 6),
                "weight_exact": fraction_text(self.weight), "editor_default": self.editor_default, "bonus": self.bonus,
                "indicators_counted": self.counted, "indicators_not_computed": self.not_computed,
                "mean_index": number_json(self.mean_index, index_places),
                "mean_index_exact": fraction_text(self.mean_index),
                "subtotal": number_json(self.subtotal, places), "subtotal_exact": fraction_text(self.subtotal),
                "note": self.note.to_json() if self.note else None}


@dataclass(frozen=True)
class Score:
    standard: str
    total: Fraction | None  # None: not computed (no indicator data)
    base: Fraction | None
    bonus: Fraction | None
    grade: str | None
    eligible: bool
    designation: bool | None
    groups: tuple[GroupScore, ...]
    indicators: tuple[IndicatorScore, ...]
    weights_note: Text
    failed_gates: tuple[str, ...] = ()
    improvements: tuple[dict, ...] = field(default=())
    defects: tuple[Defect, ...] = ()
    bound: str | None = None  # the Table 2 band the total met, e.g. "75 < S < 90"
    next_grade: dict | None = None  # what would lift the grade: {grade, bound, needed, changes: [...]}
    rounding: dict = field(default_factory=dict)  # {points, index, note: Text}
    evidence_file: str | None = None
    data_year: int | None = None

    @property
    def computed(self) -> bool:
        return self.total is not None

    @property
    def provisional(self) -> bool:
        return bool(self.defects)

    @property
    def places(self) -> int:
        return int(self.rounding.get("points", 2))

    @property
    def index_places(self) -> int:
        return int(self.rounding.get("index", 4))

    def to_json(self) -> dict:
        p, ip = self.places, self.index_places
        note = self.rounding.get("note")
        return {"standard": self.standard, "computed": self.computed, "provisional": self.provisional,
                "defect_count": len(self.defects), "defects": [d.to_json() for d in self.defects],
                "total": number_json(self.total, p), "total_exact": fraction_text(self.total),
                "base": number_json(self.base, p), "base_exact": fraction_text(self.base),
                "bonus": number_json(self.bonus, p), "bonus_exact": fraction_text(self.bonus),
                "grade": self.grade, "grade_bound": self.bound, "eligible": self.eligible,
                "failed_gates": list(self.failed_gates), "zero_carbon_park": self.designation,
                "data_year": self.data_year, "evidence_file": self.evidence_file,
                "rounding": {"points": p, "index": ip, "mode": "half_up",
                             "note": note.to_json() if isinstance(note, Text) else None},
                "groups": [g.to_json(p, ip) for g in self.groups],
                "indicators": [i.to_json(p, ip) for i in self.indicators],
                "weights_note": self.weights_note.to_json(),
                "next_grade": self.next_grade,
                "improvements": [dict(i) for i in self.improvements]}

