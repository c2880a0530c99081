"""Score one bundle: formula (1) of the pack's scoring table over the indicator document.

The steps, each a function below: read the indicator entries, weigh every option of each
indicator (the better applicable option of a 二选一 pair is used), settle each indicator's state
(scored, not applicable, no lead value, not computed), average each group over its applicable
indicators, and sum the groups.  Every indicator that cannot be computed is accounted for by a
defect.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from ..model import Result, Status, Text
from .numbers import HUNDRED, decimal_text, exact, fraction_text
from .plan import improvements, next_grade
from .results import Defect, GroupScore, IndicatorScore, Score
from .table import band_of, band_text, below_text, lead_of, options_of, qualitative_words, reading

FINDINGS = (Status.NONCONFORMITY, Status.OBSERVATION, Status.ERROR)
GATE_BREACHES = (Status.NONCONFORMITY, Status.ERROR)


@dataclass
class _Entry:
    index: int  # position in the indicators list
    data: dict
    pointer: str
    line: int | None


@dataclass
class _Context:
    """What every indicator of one bundle is scored with."""

    evidence: Any  # the indicator document (a bundle Document, or its data)
    file: str
    year: int | None
    words: dict[str, int]
    flagged: set[int]  # indicators a data-check rule already reported
    defects: list[Defect]
    rejected: frozenset = frozenset()  # indicators whose declared value a reject rule refuted: not computed

    def where(self, entry: _Entry | None) -> str | None:
        return f"{self.file}:{entry.line}" if entry is not None and entry.line else None


@dataclass(frozen=True)
class _Candidate:
    """An option of an indicator that can be scored."""

    index: Fraction
    option: dict
    entry: _Entry
    shown: Any
    value_exact: Fraction
    from_inputs: bool


# -- reading the bundle -----------------------------------------------------------------------

def _position(doc: Any, pointer: str) -> int | None:
    pos = doc.position(pointer) if hasattr(doc, "position") else None
    return pos[0] if pos else None


def _entries(doc: Any) -> tuple[list[_Entry], str | None, dict]:
    if doc is None:
        return [], None, {}
    data = doc.data if hasattr(doc, "data") else doc
    path = getattr(doc, "path", None)
    out = []
    for i, e in enumerate(data.get("indicators") or []):
        if not isinstance(e, dict):
            continue
        pointer = f"/indicators/{i}"
        out.append(_Entry(i, e, pointer, _position(doc, pointer)))
    return out, path, data


def _declared_na(e: dict) -> bool:
    reason = e.get("not_applicable_reason")
    return e.get("applicable") is False and isinstance(reason, str) and bool(reason.strip())


def _entry_at(by_pointer: dict[str, _Entry], pointer: str) -> _Entry | None:
    """The entry a finding points at (or into)."""
    p = pointer
    while p:
        entry = by_pointer.get(p)
        if entry is not None:
            return entry
        p = p.rsplit("/", 1)[0]
    return None


def _defect_of(r: Result, file: str | None, by_pointer: dict[str, _Entry]) -> Defect:
    ev = r.evidence[0] if r.evidence else None
    pointer = ev.pointer if ev else ""
    entry = _entry_at(by_pointer, pointer)
    no = entry.data.get("no") if entry else None
    return Defect(r.rule, no if isinstance(no, int) and not isinstance(no, bool) else None,
                  ev.file if ev else (file or ""), ev.line if ev else None, pointer, r.message)


def _defects_from_results(results: list[Result], standard: str, rule_ids: set[str], file: str | None,
                          entries: list[_Entry]) -> list[Defect]:
    """The findings of the pack's data-check rules (a "not evaluated" result waits on the finding
    it depends on, so it is no defect of its own)."""
    by_pointer = {e.pointer: e for e in entries}
    return [_defect_of(r, file, by_pointer) for r in results
            if r.standard == standard and r.rule in rule_ids and r.status in FINDINGS]


def _rounding(scoring: dict) -> dict:
    rounding = scoring.get("rounding") or {}
    rnote = rounding.get("note")
    return {"points": int(rounding.get("points", 2)), "index": int(rounding.get("index", 4)),
            "note": Text(rnote["zh"], rnote["en"]) if isinstance(rnote, dict) else None}


def _failed_gates(standard: str, scoring: dict, results: list[Result]) -> tuple[str, ...]:
    gates = tuple(scoring.get("gates") or ())
    return tuple(sorted({r.clause for r in results if r.standard == standard and r.status in GATE_BREACHES
                         and any(r.clause == p or r.clause.startswith(p + ".") for p in gates)}))


def _weight(g: dict) -> Fraction:
    w = exact(g["weight"])
    if w is None:  # ruled out by the pack's lint
        raise ValueError(f"group {g.get('id')!r}: weight is not a number")
    return w


# -- one indicator ----------------------------------------------------------------------------

def _entry_value(e: _Entry, scale: str | None, words: dict[str, int]) -> tuple[Fraction | None, str | None, Any, bool]:
    """(exact value, why it cannot be used, the value as shown, computed from numerator/denominator)."""
    num, den = exact(e.data.get("numerator")), exact(e.data.get("denominator"))
    if num is not None and den is not None and den > 0:
        value_exact, why = reading(num / den, scale, words)
        return value_exact, why, float(num / den), True
    raw = e.data.get("value")
    if raw is None:
        return None, "missing", None, False
    value_exact, why = reading(raw, scale, words)
    return value_exact, why, raw, False


def _weigh_option(o: dict, mine: list[_Entry], words: dict[str, int]) -> tuple[dict, _Candidate | None, bool]:
    """One option's row in the report, the candidate it offers, and whether its data are unusable."""
    row: dict = {"key": o["key"], "name": o["name"], "value": None, "index": None, "state": "absent"}
    if not mine:
        return row, None, False
    if len(mine) > 1:  # given twice: ambiguous, not used
        row["state"] = "duplicate"
        return row, None, True
    e = mine[0]
    if _declared_na(e.data):
        row["state"] = "not_applicable"
        return row, None, False
    value_exact, why, shown, from_inputs = _entry_value(e, o.get("scale"), words)
    row["value"] = 1 if shown is True else 0 if shown is False else shown
    lead = lead_of(o)
    if why or lead is None or value_exact is None:
        row["state"] = "unusable" if why else "no_lead"
        return row, None, bool(why)
    index = min(value_exact / lead, Fraction(1))
    row["index"] = fraction_text(index)
    row["state"] = "candidate"
    return row, _Candidate(index, o, e, shown, value_exact, from_inputs), False


def _choose(d: dict, opts: list[dict], found: list[_Entry],
            words: dict[str, int]) -> tuple[list[dict], _Candidate | None, bool]:
    """Every option weighed; the best one used (ties: the first in the pack's order)."""
    has_options = bool(d.get("options"))
    rows: list[dict] = []
    best: _Candidate | None = None
    unusable = False
    for o in opts:
        mine = [e for e in found if e.data.get("option") == o["key"]
                or (not has_options and e.data.get("option") in (None, ""))]
        row, candidate, bad = _weigh_option(o, mine, words)
        rows.append(row)
        unusable = unusable or bad
        if candidate is not None and (best is None or candidate.index > best.index):
            best = candidate
    if best is not None:
        for r in rows:
            if r["key"] == best.option["key"]:
                r["state"] = "used"
    return rows, best, unusable


def _all_not_applicable(found: list[_Entry], rows: list[dict], has_options: bool) -> bool:
    """Every option declared not applicable (a bare entry of a 二选一 indicator can only declare the
    whole pair not applicable)."""
    pair_na = has_options and any(_declared_na(e.data) and e.data.get("option") in (None, "") for e in found)
    states = [r["state"] for r in rows]
    return bool(found) and all(s in ("not_applicable", "absent") for s in states) and (
        pair_na or all(s == "not_applicable" for s in states))


def _either_name(d: dict, opts: list[dict]) -> str:
    return d.get("name") or " / ".join(o["name"] for o in opts)


def _no_lead(d: dict, opts: list[dict], found: list[_Entry], ctx: _Context, base: dict) -> IndicatorScore:
    e0 = found[0] if found else None
    return IndicatorScore(
        name=d.get("name") or opts[0]["name"], option=None, value=(e0.data.get("value") if e0 else None),
        lead=None, index=None, applicable=True, scored=False, source=(e0.data.get("source") if e0 else None),
        from_inputs=False, note=d.get("note"), state="no_lead", location=ctx.where(e0), **base)


def _not_applicable(d: dict, opts: list[dict], found: list[_Entry], ctx: _Context, base: dict) -> IndicatorScore:
    e0 = found[0]
    return IndicatorScore(
        name=_either_name(d, opts), option=None, value=None, lead=opts[0].get("lead"), index=None, applicable=False,
        scored=False, source=e0.data.get("source"), from_inputs=False, note=e0.data.get("not_applicable_reason"),
        state="not_applicable", location=ctx.where(e0), lead_exact=lead_of(opts[0]), **base)


def _not_computed(d: dict, opts: list[dict], found: list[_Entry], ctx: _Context, base: dict) -> IndicatorScore:
    """Counted in j with nothing added (a lower bound), and accounted for by a finding."""
    e0 = found[0] if found else None
    if e0 is None:
        ctx.defects.append(Defect(None, d["no"], ctx.file, _position(ctx.evidence, "/indicators"), "/indicators", Text(
            f"指标 {d['no']} 未提供数据，得分未计算（按 0 计入，得分为下限）。",
            f"Indicator {d['no']} has no data; its score is not computed (counts 0: the total is a lower bound).")))
    elif d["no"] not in ctx.flagged:
        ctx.defects.append(Defect(None, d["no"], ctx.file, e0.line, e0.pointer, Text(
            f"指标 {d['no']} 没有可用于计分的数据，得分未计算。",
            f"Indicator {d['no']} has no value that can be scored; its score is not computed.")))
    return IndicatorScore(
        name=_either_name(d, opts), option=None, value=(e0.data.get("value") if e0 else None),
        lead=opts[0].get("lead"), index=None, applicable=True, scored=True,
        source=(e0.data.get("source") if e0 else None), from_inputs=False, note=None, state="not_computed",
        location=ctx.where(e0), lead_exact=lead_of(opts[0]), **base)


def _scored(d: dict, best: _Candidate, unusable: bool, ctx: _Context, base: dict) -> IndicatorScore:
    e, o = best.entry, best.option
    if unusable and d["no"] not in ctx.flagged:
        ctx.defects.append(Defect(None, d["no"], ctx.file, e.line, e.pointer, Text(
            f"指标 {d['no']} 的另一项数据无法使用，按可用选项计分。",
            f"Indicator {d['no']}: another entry cannot be used; the usable option is scored.")))
    return IndicatorScore(
        name=o["name"], option=o["key"], value=best.shown, lead=o.get("lead"), index=best.index, applicable=True,
        scored=True, source=e.data.get("source"), from_inputs=best.from_inputs, note=d.get("note"), state="scored",
        location=ctx.where(e), value_exact=best.value_exact, lead_exact=lead_of(o), **base)


def _indicator(d: dict, found: list[_Entry], ctx: _Context) -> IndicatorScore:
    opts = options_of(d)
    has_options = bool(d.get("options"))
    rows, best, unusable = _choose(d, opts, found, ctx.words)
    base = {"no": d["no"], "group": d["group"], "second": d.get("second", ""), "weight": Fraction(0),
            "contribution": Fraction(0), "unit": d.get("unit"), "scale": d.get("scale"), "year": ctx.year,
            "options": tuple(rows) if has_options else ()}
    if all(lead_of(o) is None for o in opts):
        return _no_lead(d, opts, found, ctx, base)
    if best is None and _all_not_applicable(found, rows, has_options):
        return _not_applicable(d, opts, found, ctx, base)
    if best is None or d["no"] in ctx.rejected:
        return _not_computed(d, opts, found, ctx, base)
    return _scored(d, best, unusable, ctx, base)


def _indicators(scoring: dict, entries: list[_Entry], ctx: _Context) -> list[IndicatorScore]:
    by_no: dict[Any, list[_Entry]] = {}
    for e in entries:
        by_no.setdefault(e.data.get("no"), []).append(e)
    return [_indicator(d, by_no.get(d["no"], []), ctx) for d in scoring["indicators"]]


# -- groups and the total ---------------------------------------------------------------------

def _empty_group_note(weight: Fraction) -> Text:
    share = decimal_text(weight * HUNDRED)
    return Text(f"本组无适用的三级指标：式 (1) 中该组求和项为空，计 0 分；"
                f"其权重 {share}% 未重新分配（标准未规定动态变权的方法）。",
                f"No applicable indicator in this group: its sum in formula (1) is empty and counts 0; its weight "
                f"{share}% is not redistributed (the standard gives no method for it).")


def _group(g: dict, indicators: list[IndicatorScore]) -> tuple[GroupScore, list[IndicatorScore]]:
    """A group's subtotal, 100 × (sum of indices / j) × ω, and its members with their weights ω / j."""
    weight = _weight(g)
    members = [i for i in indicators if i.group == g["id"]]
    counted = [i for i in members if i.scored]
    j = len(counted)
    mean = sum((i.index or Fraction(0) for i in counted), Fraction(0)) / j if j else None
    subtotal = HUNDRED * mean * weight if mean is not None else Fraction(0)
    group = GroupScore(g["id"], g["name"], weight, bool(g.get("editor_default")), bool(g.get("bonus")), j, mean,
                       subtotal, None if j else _empty_group_note(weight),
                       sum(1 for i in counted if i.state == "not_computed"))
    weighted = []
    for i in members:
        w = weight / j if i.scored else Fraction(0)
        weighted.append(replace(i, weight=w, contribution=HUNDRED * (i.index or Fraction(0)) * w))
    return group, weighted


def _groups(scoring: dict, indicators: list[IndicatorScore]) -> tuple[list[GroupScore], list[IndicatorScore]]:
    groups: list[GroupScore] = []
    final: list[IndicatorScore] = []
    for g in scoring["groups"]:
        group, members = _group(g, indicators)
        groups.append(group)
        final += members
    final.sort(key=lambda i: i.no)
    return groups, final


def _verdict_holds(standard: str, rule: str, results: list[Result]) -> bool:
    """The neutrality verdict rule conforms (every result of it, and at least one)."""
    mine = [r.status for r in results if r.standard == standard and r.rule == rule]
    return bool(mine) and all(s == Status.CONFORM for s in mine)


def _designation(spec: dict | None, grade: str, failed: tuple[str, ...], basic: dict | None,
                 verdict: bool | None = None) -> bool | None:
    """Fail closed: without both figures the offsets cannot be shown to cover the remaining emissions.
    A pack naming a ``verdict_rule`` judges coverage by that rule (computed from the inventory and the
    offsets; ``verdict``: whether it conforms), not by the declared figures."""
    if not spec:
        return None
    if spec.get("verdict_rule"):
        return bool(grade == spec["grade"] and not failed and verdict)
    em = basic.get("emissions") if isinstance(basic, dict) else None
    em = em if isinstance(em, dict) else {}
    offsets, remaining = exact(em.get("offsets_tco2")), exact(em.get("remaining_tco2"))
    return bool(grade == spec["grade"] and not failed and offsets is not None and remaining is not None
                and offsets >= remaining)


def _not_computed_score(standard: str, scoring: dict, file: str, defects: list[Defect], failed: tuple[str, ...],
                        weights_note: Text, rounding: dict) -> Score:
    """No indicator data at all: the score is not computed (never 0)."""
    missing = Defect(None, None, file, None, "", Text(
        f"证据包中没有指标数据文件（kind: {scoring['evidence']}），得分未计算。",
        f"The bundle has no indicator data (kind: {scoring['evidence']}); the score is not computed."))
    groups = tuple(GroupScore(g["id"], g["name"], _weight(g), bool(g.get("editor_default")),
                              bool(g.get("bonus")), 0, None, Fraction(0)) for g in scoring["groups"])
    found = tuple(defects) if defects else (missing,)  # a data-check rule usually reports it already
    return Score(standard, None, None, None, None, not failed, None, groups, (), weights_note, failed, (),
                 found, None, None, rounding, None, None)


def _context(scoring: dict, evidence: Any, file: str, year: int | None, defects: list[Defect]) -> _Context:
    """What each indicator is scored with; a finding of a ``reject_rules`` rule refutes the value."""
    reject = set(scoring.get("reject_rules") or ())
    return _Context(evidence, file, year, qualitative_words(scoring), {d.no for d in defects if d.no is not None},
                    defects, frozenset(d.no for d in defects if d.no is not None and d.rule in reject))


def compute_score(standard: str, scoring: dict, evidence: Any, basic: dict | None, results: list[Result]) -> Score:
    """Score one bundle.  ``evidence`` is the indicator document (a bundle Document, or its data)."""
    rounding = _rounding(scoring)
    note = scoring.get("weights_note") or {"zh": "", "en": ""}
    weights_note = Text(note["zh"], note["en"])
    failed = _failed_gates(standard, scoring, results)
    entries, path, data = _entries(evidence)
    file = path or f"{scoring['evidence']}.yaml"
    defects = _defects_from_results(results, standard, set(scoring.get("defect_rules") or ()), file, entries)
    if evidence is None:
        return _not_computed_score(standard, scoring, file, defects, failed, weights_note, rounding)

    year = data.get("year") if isinstance(data.get("year"), int) else None
    indicators = _indicators(scoring, entries, _context(scoring, evidence, file, year, defects))

    groups, final = _groups(scoring, indicators)
    spec = scoring.get("designation")
    verdict = _verdict_holds(standard, spec.get("verdict_rule", ""), results) if spec else None
    base = sum((g.subtotal for g in groups if not g.bonus), Fraction(0))
    bonus = sum((g.subtotal for g in groups if g.bonus), Fraction(0))
    total = base + bonus
    band = band_of(total, scoring["grades"])
    grade = band["name"] if band else scoring["below"]
    defects.sort(key=lambda x: (x.no if x.no is not None else -1, x.line or 0, x.rule or ""))
    final = [replace(i, defects=tuple(x for x in defects if x.no == i.no)) for i in final]
    return Score(standard, total, base, bonus, grade, not failed,
                 _designation(spec, grade, failed, basic, verdict), tuple(groups), tuple(final),
                 weights_note, failed, tuple(improvements(final)[:5]), tuple(defects),
                 band_text(band) if band else below_text(scoring["grades"]),
                 next_grade(total, final, scoring["grades"], rounding["points"]),
                 rounding, file, year)
