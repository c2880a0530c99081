"""Scores of scored standards (T/SEESA 010—2025 formula (1)), computed exactly from the pack's YAML table.

Nothing here knows a particular standard: groups, weights, indicators, lead values, scales, options
("二选一"), bonus groups, grade boundaries and the display rounding all come from ``scoring`` in the
pack manifest.

Arithmetic is exact (``fractions.Fraction``) from the values as written: a number read from YAML is
taken by its shortest decimal spelling (``0.1`` is 1/10, not the binary float), numerators and
denominators are divided exactly, and the total is compared with the grade bounds exactly.  Numbers
are rounded only when shown, by the pack's stated rule.

    index of an indicator   = min(F / F_L, 1)                      (note 1 to 6.2)
    subtotal of a group     = 100 × (sum of indices / j) × ω       (j: applicable indicators of the group)
    total S                 = sum of subtotals, bonus groups included

* A qualitative indicator's lead state counts 1 and the park's state is quantified against it: a
  value in [0, 1] (true/false and the pack's words such as 是/否 read as 1/0) is its index.
* "二选一": the pair counts once, with the better of its applicable options, whatever their order;
  if every option is declared not applicable the pair leaves the mean.
* An indicator declared not applicable *with a reason* leaves the mean; without a reason the
  declaration is not accepted (fail closed).  A group with no applicable indicator has an empty
  sum in formula (1): it contributes 0 and its weight is not redistributed (the report says so).
* An indicator whose data are missing or unusable is *not computed*: it stays in j and adds 0
  (the total is then a lower bound) and the score is marked provisional.  Every such indicator is
  accounted for by a finding: the data-check rules the pack names (``defect_rules``), evaluated by
  the engine, or, for an indicator with no data at all, a finding made here.

Eligibility is read from the engine's results: a nonconformity (or error) on a gate clause makes
the park not eligible for grading; the score is still computed and shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .model import Result, Status, Text

SCALES = ("ratio", "count", "amount", "qualitative")
PAIR = "pair"  # the scale a 二选一 indicator's bare slot (no option given) is looked up as
HUNDRED = Fraction(100)


# -- exact numbers ----------------------------------------------------------------------------

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
    return None if value is None else (str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}")


def number_json(value: Fraction | None, places: int):
    """A JSON number rounded by the display rule (int when whole)."""
    if value is None:
        return None
    d = round_half_up(value, places)
    return int(d) if d == d.to_integral_value() else float(d)


# -- the pack's table ---------------------------------------------------------------------------

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


# -- results ----------------------------------------------------------------------------------

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
                "year": self.year, "lead": 1 if self.lead is True else self.lead, "lead_exact": fraction_text(self.lead_exact),
                "qualitative": self.qualitative, "state": self.state, "applicable": self.applicable, "scored": self.scored,
                "index": number_json(self.index, index_places), "index_exact": fraction_text(self.index),
                "weight": number_json(self.weight * HUNDRED, places), "weight_exact": fraction_text(self.weight),
                "contribution": number_json(self.contribution, places), "contribution_exact": fraction_text(self.contribution),
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
                "mean_index": number_json(self.mean_index, index_places), "mean_index_exact": fraction_text(self.mean_index),
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


# -- grades -----------------------------------------------------------------------------------

def _bound(g: dict) -> tuple[Fraction, Fraction | None]:
    lo = exact(g["min"])
    hi = exact(g["max"]) if g.get("max") is not None else None
    return lo, hi


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


# -- the score ----------------------------------------------------------------------------------

@dataclass
class _Entry:
    index: int  # position in the indicators list
    data: dict
    pointer: str
    line: int | None


def _entries(doc) -> tuple[list[_Entry], str | None, dict]:
    if doc is None:
        return [], None, {}
    data = doc.data if hasattr(doc, "data") else doc
    path = getattr(doc, "path", None)
    out = []
    for i, e in enumerate(data.get("indicators") or []):
        if not isinstance(e, dict):
            continue
        pointer = f"/indicators/{i}"
        pos = doc.position(pointer) if hasattr(doc, "position") else None
        out.append(_Entry(i, e, pointer, pos[0] if pos else None))
    return out, path, data


def _declared_na(e: dict) -> bool:
    reason = e.get("not_applicable_reason")
    return e.get("applicable") is False and isinstance(reason, str) and bool(reason.strip())


def _defects_from_results(results: list[Result], standard: str, rule_ids: set[str], file: str | None,
                          entries: list[_Entry]) -> list[Defect]:
    by_pointer = {e.pointer: e for e in entries}
    out = []
    for r in results:
        if r.standard != standard or r.rule not in rule_ids or r.status not in (
                Status.NONCONFORMITY, Status.OBSERVATION, Status.ERROR):
            continue  # a finding (a "not evaluated" result waits on the finding it depends on)
        ev = r.evidence[0] if r.evidence else None
        pointer = ev.pointer if ev else ""
        entry = None
        p = pointer
        while p and entry is None:  # the entry the finding points at (or into)
            entry = by_pointer.get(p)
            p = p.rsplit("/", 1)[0]
        no = entry.data.get("no") if entry else None
        out.append(Defect(r.rule, no if isinstance(no, int) and not isinstance(no, bool) else None,
                          ev.file if ev else (file or ""), ev.line if ev else None, pointer, r.message))
    return out


def compute_score(standard: str, scoring: dict, evidence, basic: dict | None, results: list[Result]) -> Score:
    """Score one bundle.  ``evidence`` is the indicator document (a bundle Document, or its data)."""
    rounding = scoring.get("rounding") or {}
    rnote = rounding.get("note")
    rounding = {"points": int(rounding.get("points", 2)), "index": int(rounding.get("index", 4)),
                "note": Text(rnote["zh"], rnote["en"]) if isinstance(rnote, dict) else None}
    note = scoring.get("weights_note") or {"zh": "", "en": ""}
    weights_note = Text(note["zh"], note["en"])
    gates = tuple(scoring.get("gates") or ())
    failed = tuple(sorted({r.clause for r in results if r.standard == standard
                           and r.status in (Status.NONCONFORMITY, Status.ERROR)
                           and any(r.clause == p or r.clause.startswith(p + ".") for p in gates)}))
    entries, file, data = _entries(evidence)
    file = file or f"{scoring['evidence']}.yaml"
    year = data.get("year") if isinstance(data.get("year"), int) else None
    defects = _defects_from_results(results, standard, set(scoring.get("defect_rules") or ()), file, entries)
    words = qualitative_words(scoring)

    if evidence is None:
        # No indicator data at all: the score is not computed (never 0).
        missing = Defect(None, None, file, None, "", Text(
            f"证据包中没有指标数据文件（kind: {scoring['evidence']}），得分未计算。",
            f"The bundle has no indicator data (kind: {scoring['evidence']}); the score is not computed."))
        groups = tuple(GroupScore(g["id"], g["name"], exact(g["weight"]), bool(g.get("editor_default")),
                                  bool(g.get("bonus")), 0, None, Fraction(0)) for g in scoring["groups"])
        found = tuple(defects) if defects else (missing,)  # a data-check rule usually reports it already
        return Score(standard, None, None, None, None, not failed, None, groups, (), weights_note, failed, (),
                     found, None, None, rounding, None, None)

    by_no: dict[int, list[_Entry]] = {}
    for e in entries:
        by_no.setdefault(e.data.get("no"), []).append(e)
    flagged = {d.no for d in defects if d.no is not None}
    indicators: list[IndicatorScore] = []
    for d in scoring["indicators"]:
        found = by_no.get(d["no"], [])
        opts = options_of(d)
        has_options = bool(d.get("options"))
        option_rows: list[dict] = []
        best = None  # (index, option, entry, value, exact value, from_inputs)
        unusable = False
        for o in opts:
            mine = [e for e in found if e.data.get("option") == o["key"]
                    or (not has_options and e.data.get("option") in (None, ""))]
            lead = lead_of(o)
            row = {"key": o["key"], "name": o["name"], "value": None, "index": None, "state": "absent"}
            option_rows.append(row)
            if not mine:
                continue
            if len(mine) > 1:  # given twice: ambiguous, not used
                row["state"] = "duplicate"
                unusable = True
                continue
            e = mine[0]
            if _declared_na(e.data):
                row["state"] = "not_applicable"
                continue
            num, den = exact(e.data.get("numerator")), exact(e.data.get("denominator"))
            from_inputs = num is not None and den is not None and den > 0
            raw = e.data.get("value")
            if from_inputs:
                value_exact, why = reading(num / den, o.get("scale"), words)
                shown = float(num / den)
            elif raw is None:
                value_exact, why, shown = None, "missing", None
            else:
                value_exact, why = reading(raw, o.get("scale"), words)
                shown = raw
            row["value"] = 1 if shown is True else 0 if shown is False else shown
            if why or lead is None:
                row["state"] = "unusable" if why else "no_lead"
                unusable = unusable or bool(why)
                continue
            index = min(value_exact / lead, Fraction(1))
            row["index"] = fraction_text(index)
            row["state"] = "candidate"
            if best is None or index > best[0]:  # ties: the first in the pack's order
                best = (index, o, e, shown, value_exact, from_inputs)
        # a bare entry of a 二选一 indicator can only declare the whole pair not applicable
        pair_na = has_options and any(_declared_na(e.data) and e.data.get("option") in (None, "") for e in found)
        states = [r["state"] for r in option_rows]
        all_na = bool(found) and best is None and all(s in ("not_applicable", "absent") for s in states) and (
            pair_na or all(s == "not_applicable" for s in states))
        if best is not None:
            for r in option_rows:
                if r["key"] == best[1]["key"]:
                    r["state"] = "used"
        no_lead = all(lead_of(o) is None for o in opts)
        nd = d.get("note")
        base = dict(no=d["no"], group=d["group"], second=d.get("second", ""), weight=Fraction(0),
                    contribution=Fraction(0), unit=d.get("unit"), scale=d.get("scale"), year=year,
                    options=tuple(option_rows) if has_options else ())
        if no_lead:
            e0 = found[0] if found else None
            indicators.append(IndicatorScore(
                name=d.get("name") or opts[0]["name"], option=None, value=(e0.data.get("value") if e0 else None),
                lead=None, index=None, applicable=True, scored=False, source=(e0.data.get("source") if e0 else None),
                from_inputs=False, note=nd, state="no_lead",
                location=f"{file}:{e0.line}" if e0 and e0.line else None, **base))
            continue
        if best is None and all_na:
            e0 = found[0]
            indicators.append(IndicatorScore(
                name=d.get("name") or " / ".join(o["name"] for o in opts), option=None, value=None,
                lead=opts[0].get("lead"), index=None, applicable=False, scored=False, source=e0.data.get("source"),
                from_inputs=False, note=e0.data.get("not_applicable_reason"), state="not_applicable",
                location=f"{file}:{e0.line}" if e0.line else None, lead_exact=lead_of(opts[0]), **base))
            continue
        if best is None:
            # not computed: counted in j with nothing added (a lower bound), and accounted for by a finding
            e0 = found[0] if found else None
            if not found:
                reason = Text(f"指标 {d['no']} 未提供数据，得分未计算（按 0 计入，得分为下限）。",
                              f"Indicator {d['no']} has no data; its score is not computed (counts 0: the total is a lower bound).")
                defects.append(Defect(None, d["no"], file, _array_line(evidence), "/indicators", reason))
            elif d["no"] not in flagged:
                reason = Text(f"指标 {d['no']} 没有可用于计分的数据，得分未计算。",
                              f"Indicator {d['no']} has no value that can be scored; its score is not computed.")
                defects.append(Defect(None, d["no"], file, e0.line, e0.pointer, reason))
            indicators.append(IndicatorScore(
                name=d.get("name") or " / ".join(o["name"] for o in opts), option=None,
                value=(e0.data.get("value") if e0 else None), lead=opts[0].get("lead"), index=None, applicable=True,
                scored=True, source=(e0.data.get("source") if e0 else None), from_inputs=False,
                note=None, state="not_computed", location=f"{file}:{e0.line}" if e0 and e0.line else None,
                lead_exact=lead_of(opts[0]), **base))
            continue
        index, o, e, shown, value_exact, from_inputs = best
        if unusable and d["no"] not in flagged:
            defects.append(Defect(None, d["no"], file, e.line, e.pointer, Text(
                f"指标 {d['no']} 的另一项数据无法使用，按可用选项计分。",
                f"Indicator {d['no']}: another entry cannot be used; the usable option is scored.")))
        indicators.append(IndicatorScore(
            name=o["name"], option=o["key"], value=shown, lead=o.get("lead"), index=index, applicable=True,
            scored=True, source=e.data.get("source"), from_inputs=from_inputs, note=nd, state="scored",
            location=f"{file}:{e.line}" if e.line else None, value_exact=value_exact, lead_exact=lead_of(o), **base))

    by_ind: dict[int, list[Defect]] = {}
    for df in defects:
        if df.no is not None:
            by_ind.setdefault(df.no, []).append(df)
    groups: list[GroupScore] = []
    final: list[IndicatorScore] = []
    for g in scoring["groups"]:
        weight = exact(g["weight"])
        members = [i for i in indicators if i.group == g["id"]]
        counted = [i for i in members if i.scored]
        j = len(counted)
        mean = sum((i.index or Fraction(0) for i in counted), Fraction(0)) / j if j else None
        subtotal = HUNDRED * mean * weight if j else Fraction(0)
        gnote = None
        if not j:
            gnote = Text(f"本组无适用的三级指标：式 (1) 中该组求和项为空，计 0 分；其权重 {decimal_text(weight * HUNDRED)}% 未重新分配（标准未规定动态变权的方法）。",
                         f"No applicable indicator in this group: its sum in formula (1) is empty and counts 0; its weight "
                         f"{decimal_text(weight * HUNDRED)}% is not redistributed (the standard gives no method for it).")
        groups.append(GroupScore(g["id"], g["name"], weight, bool(g.get("editor_default")), bool(g.get("bonus")),
                                 j, mean, subtotal, gnote, sum(1 for i in counted if i.state == "not_computed")))
        for i in members:
            w = weight / j if i.scored else Fraction(0)
            final.append(replace(i, weight=w, contribution=HUNDRED * (i.index or Fraction(0)) * w,
                                 defects=tuple(by_ind.get(i.no, ()))))
    final.sort(key=lambda i: i.no)
    base = sum((g.subtotal for g in groups if not g.bonus), Fraction(0))
    bonus = sum((g.subtotal for g in groups if g.bonus), Fraction(0))
    total = base + bonus
    band = band_of(total, scoring["grades"])
    grade = band["name"] if band else scoring["below"]
    designation = None
    spec = scoring.get("designation")
    if spec:  # fail closed: without both figures the offsets cannot be shown to cover the remaining emissions
        em = basic.get("emissions") if isinstance(basic, dict) else None
        em = em if isinstance(em, dict) else {}
        offsets, remaining = exact(em.get("offsets_tco2")), exact(em.get("remaining_tco2"))
        designation = bool(grade == spec["grade"] and not failed and offsets is not None and remaining is not None
                           and offsets >= remaining)
    defects.sort(key=lambda x: (x.no if x.no is not None else -1, x.line or 0, x.rule or ""))
    final = [replace(i, defects=tuple(x for x in defects if x.no == i.no)) for i in final]
    improvements = _improvements(final)
    return Score(standard, total, base, bonus, grade, not failed, designation, tuple(groups), tuple(final),
                 weights_note, failed, tuple(improvements[:5]), tuple(defects),
                 band_text(band) if band else _below_text(scoring["grades"]),
                 next_grade(total, final, groups, scoring["grades"], scoring["below"], rounding["points"]),
                 rounding, file, year)


def _array_line(doc) -> int | None:
    pos = doc.position("/indicators") if hasattr(doc, "position") else None
    return pos[0] if pos else None


def _below_text(grades: list[dict]) -> str:
    low = min(grades, key=lambda g: exact(g["min"]))
    return f"S {'<' if low.get('min_inclusive', True) else '≤'} {low['min']}"


def _improvements(final: list[IndicatorScore]) -> list[dict]:
    out = []
    for i in final:
        if i.scored and (i.index is None or i.index < 1):
            gain = HUNDRED * i.weight * (1 - (i.index or 0))
            out.append({"no": i.no, "name": i.name, "gain_to_lead": float(round_half_up(gain, 4)),
                        "gain_to_lead_exact": fraction_text(gain), "qualitative": i.qualitative,
                        "not_computed": i.state == "not_computed"})
    out.sort(key=lambda x: (-Fraction(x["gain_to_lead_exact"]), x["no"]))
    return out


def next_grade(total: Fraction, final: list[IndicatorScore], groups: list[GroupScore], grades: list[dict],
               below: str, places: int) -> dict | None:
    """The smallest change to one indicator's value that lifts the total into the next band, exactly.

    The contribution of indicator i is 100 × ω/j × min(F/F_L, 1), so raising F by ΔF (within the
    cap F_L) raises S by 100 × ω/j × ΔF / F_L.  The needed rise is the distance to the next band's
    lower bound (reaching it is enough when the bound is inclusive; otherwise S must pass it).  A
    count indicator moves in whole units.
    """
    ordered = sorted(grades, key=lambda g: exact(g["min"]))
    target = next((g for g in ordered if exact(g["min"]) > total or (exact(g["min"]) == total and not g.get("min_inclusive", True))), None)
    current = band_of(total, grades)
    if target is None or (current is not None and current is target):
        return None
    lo = exact(target["min"])
    strict = not target.get("min_inclusive", True)
    needed = lo - total
    changes = []
    for i in final:
        if not i.scored or i.weight == 0 or i.lead_exact is None or (i.index is not None and i.index >= 1):
            continue
        per_index = HUNDRED * i.weight  # points per unit of index
        have = i.index or Fraction(0)
        room = per_index * (1 - have)
        if room < needed or (strict and room == needed):
            continue
        d_index = needed / per_index  # index rise that reaches the bound exactly
        current_value = i.value_exact if i.value_exact is not None else Fraction(0)
        value = current_value + d_index * i.lead_exact if i.state == "scored" else d_index * i.lead_exact
        relation = ">" if strict else "≥"
        if i.scale == "count":
            whole = math.floor(value) + 1 if (strict and value.denominator == 1) else math.ceil(value)
            value, relation = Fraction(whole), "≥"
        changes.append({"no": i.no, "name": i.name, "option": i.option, "scale": i.scale, "unit": i.unit,
                        "from": None if i.state != "scored" else fraction_text(current_value),
                        "from_display": None if i.state != "scored" else _value_text(current_value, i.scale, places),
                        "relation": relation, "to": fraction_text(value), "to_exact_decimal": decimal_text(value),
                        "to_display": _value_text(value, i.scale, places, up=True),
                        "gain_needed": fraction_text(needed)})
    changes.sort(key=lambda c: (c["no"],))
    plan = [] if changes else _combined(final, needed, strict, places)
    return {"grade": target["name"], "bound": band_text(target), "needed": fraction_text(needed),
            "needed_display": f"{round_half_up(needed, places):f}", "strict": strict, "changes": changes,
            "combined": plan}


def _combined(final: list[IndicatorScore], needed: Fraction, strict: bool, places: int) -> list[dict]:
    """When no single indicator suffices: the fewest indicators that do, each raised to its lead
    value (largest room first), the last one only as far as needed.  Empty when even all are not enough."""
    rooms = []
    for i in final:
        if i.scored and i.weight and i.lead_exact is not None and (i.index is None or i.index < 1):
            rooms.append((HUNDRED * i.weight * (1 - (i.index or 0)), i))
    rooms.sort(key=lambda r: (-r[0], r[1].no))
    if sum((r for r, _ in rooms), Fraction(0)) < needed or (strict and sum((r for r, _ in rooms), Fraction(0)) == needed):
        return []
    plan, left = [], needed
    for room, i in rooms:
        have = i.value_exact if (i.state == "scored" and i.value_exact is not None) else Fraction(0)
        last = room > left or (room == left and not strict)
        d_index = left / (HUNDRED * i.weight) if last else 1 - (i.index or 0)
        value = have + d_index * i.lead_exact
        relation = ">" if (last and strict) else "≥"
        if i.scale == "count":
            whole = math.floor(value) + 1 if (relation == ">" and value.denominator == 1) else math.ceil(value)
            value, relation = Fraction(whole), "≥"
        plan.append({"no": i.no, "name": i.name, "option": i.option, "scale": i.scale, "unit": i.unit,
                     "from": None if i.state != "scored" else fraction_text(have),
                     "from_display": None if i.state != "scored" else _value_text(have, i.scale, places),
                     "relation": relation, "to": fraction_text(value), "to_exact_decimal": decimal_text(value),
                     "to_display": _value_text(value, i.scale, places, up=True)})
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


# -- lint -------------------------------------------------------------------------------------

def lint_scoring(scoring: dict, rule_ids: set[str] | None = None) -> list[tuple[str, str]]:
    """Problems of a pack's scoring table, as (JSON pointer under the manifest, message).

    A pack that passes cannot fail at scoring time: lead values positive and of the indicator's
    scale, weights summing to the stated total, grade bands contiguous and non-overlapping, every
    scored indicator in exactly one group, 二选一 options in their indicator's group.
    """
    out: list[tuple[str, str]] = []
    base_ptr = "/scoring"
    groups = scoring.get("groups") or []
    ids: dict[str, int] = {}
    total_w = Fraction(0)
    base_w = Fraction(0)
    for gi, g in enumerate(groups):
        w = exact(g.get("weight"))
        if g.get("id") in ids:
            out.append((f"{base_ptr}/groups/{gi}/id", f"group {g.get('id')!r} is declared twice"))
        ids[g.get("id")] = gi
        if w is None or w <= 0 or w > 1:
            out.append((f"{base_ptr}/groups/{gi}/weight", f"group {g.get('id')!r}: weight must be a number in (0, 1], got {g.get('weight')!r}"))
            continue
        total_w += w
        if not g.get("bonus"):
            base_w += w
    stated = exact(scoring.get("total_max"))
    if stated is None:
        out.append((f"{base_ptr}", "scoring: total_max (the stated total, e.g. 110) is required"))
    elif total_w * HUNDRED != stated:
        out.append((f"{base_ptr}/total_max", f"the group weights sum to {decimal_text(total_w * HUNDRED)} points, "
                                             f"not the stated total {scoring.get('total_max')}"))
    if base_w != 1:
        out.append((f"{base_ptr}/groups", f"the weights of the groups that are not bonus sum to {decimal_text(base_w * HUNDRED)}%, not 100%"))
    seen: dict[Any, int] = {}
    used_groups: set[str] = set()
    for ii, d in enumerate(scoring.get("indicators") or []):
        ptr = f"{base_ptr}/indicators/{ii}"
        no = d.get("no")
        if no in seen:
            out.append((f"{ptr}/no", f"indicator {no} is declared twice (it must be in exactly one group)"))
        seen[no] = ii
        if d.get("group") not in ids:
            out.append((f"{ptr}/group", f"indicator {no}: group {d.get('group')!r} is not declared"))
        else:
            used_groups.add(d["group"])
        if d.get("scale") not in SCALES:
            out.append((f"{ptr}/scale", f"indicator {no}: scale must be one of {', '.join(SCALES)}, got {d.get('scale')!r}"))
            continue
        if d.get("options"):
            keys = [o.get("key") for o in d["options"]]
            if len(keys) < 2 or len(set(keys)) != len(keys) or not all(isinstance(k, str) and k for k in keys):
                out.append((f"{ptr}/options", f"indicator {no}: 二选一 needs at least two options with distinct keys"))
            for oi, o in enumerate(d["options"]):
                if o.get("group") not in (None, d.get("group")):
                    out.append((f"{ptr}/options/{oi}/group", f"indicator {no}: option {o.get('key')!r} is in group "
                                                              f"{o.get('group')!r}, not its partner's group {d.get('group')!r}"))
                scale = o.get("scale") or d["scale"]
                out += [(f"{ptr}/options/{oi}/lead", m) for m in _lead_problems(no, o.get("lead"), scale, d, o.get("key"))]
        else:
            if d.get("lead") is None:
                if not d.get("note"):
                    out.append((f"{ptr}/lead", f"indicator {no}: no lead value and no note saying why it is not scored"))
            else:
                out += [(f"{ptr}/lead", m) for m in _lead_problems(no, d.get("lead"), d["scale"], d, None)]
    for g, gi in ids.items():
        if g not in used_groups:
            out.append((f"{base_ptr}/groups/{gi}", f"group {g!r} has no indicator"))
    grades = scoring.get("grades") or []
    bands = []
    for gi, g in enumerate(grades):
        lo, hi = exact(g.get("min")), exact(g.get("max")) if g.get("max") is not None else None
        if lo is None or (g.get("max") is not None and hi is None) or (hi is not None and hi < lo) or (
                hi is not None and hi == lo and not (g.get("min_inclusive", True) and g.get("max_inclusive", True))):
            out.append((f"{base_ptr}/grades/{gi}", f"grade {g.get('name')!r}: min/max must be numbers with min ≤ max"))
            continue
        bands.append((lo, gi, g, hi))
    bands.sort(key=lambda b: (b[0], b[1]))
    for (lo1, gi1, g1, hi1), (lo2, gi2, g2, hi2) in zip(bands, bands[1:]):
        ptr = f"{base_ptr}/grades/{gi2}"
        if hi1 is None:
            out.append((ptr, f"grade {g2.get('name')!r} overlaps {g1.get('name')!r}, which has no upper bound"))
        elif lo2 > hi1:
            out.append((ptr, f"grades {g1.get('name')!r} and {g2.get('name')!r} leave a gap between {g1['max']} and {g2['min']}"))
        elif lo2 < hi1:
            out.append((ptr, f"grade {g2.get('name')!r} overlaps {g1.get('name')!r} ({g2['min']} < {g1['max']})"))
        else:
            a, b = g1.get("max_inclusive", True), g2.get("min_inclusive", True)
            if a and b:
                out.append((ptr, f"grades {g1.get('name')!r} and {g2.get('name')!r} both include {g2['min']}"))
            elif not a and not b:
                out.append((ptr, f"grades {g1.get('name')!r} and {g2.get('name')!r} both exclude {g2['min']}: it has no grade"))
    if not scoring.get("below"):
        out.append((base_ptr, "scoring: below (the name for a total under the lowest band) is required"))
    rounding = scoring.get("rounding")
    if not (isinstance(rounding, dict) and isinstance(rounding.get("points"), int) and 0 <= rounding["points"] <= 6
            and isinstance(rounding.get("index"), int) and 0 <= rounding["index"] <= 8
            and isinstance(rounding.get("note"), dict) and rounding["note"].get("zh") and rounding["note"].get("en")):
        out.append((f"{base_ptr}/rounding", "scoring: rounding {points: 0-6, index: 0-8, note: {zh, en}} states the display rule once"))
    for ri, rid in enumerate(scoring.get("defect_rules") or []):
        if rule_ids is not None and rid not in rule_ids:
            out.append((f"{base_ptr}/defect_rules/{ri}", f"defect rule {rid!r} is not a rule of this pack"))
    for w, v in (scoring.get("qualitative_words") or {}).items():
        if v not in (0, 1) or isinstance(v, bool):
            out.append((f"{base_ptr}/qualitative_words", f"qualitative word {w!r} must read as 0 or 1"))
    return out


def _lead_problems(no, lead, scale: str, d: dict, key) -> list[str]:
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
