"""The working of a score, arranged for people in one language (Markdown, HTML and terminal share it).

Every number shown here is rounded by the pack's stated rule (half up) from the exact value the
scoring computed; nothing is recomputed.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from ..labels_out import OPTION_STATE, SCORE, have_label, in_language
from ..scoring import GroupScore, IndicatorScore, Score, decimal_text, exact, fmt


def _t(lang: str) -> dict[str, str]:
    return in_language(SCORE, lang)


def _trim(text: str) -> str:
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def value_text(v: Fraction | None, raw: Any, scale: str | None, unit: str | None, places: int, lang: str) -> str:
    """A value for people: ratios as percentages, qualitative states as 有/无 or their number."""
    if v is None:
        if raw is None:
            return "—"
        if isinstance(raw, bool):
            return have_label(raw, lang)
        if exact(raw) is not None:
            return value_text(exact(raw), raw, scale, unit, places, lang)
        return f"“{raw}”" if isinstance(raw, str) else str(raw)
    if scale == "ratio":
        return _trim(fmt(v * 100, places)) + "%"
    if scale == "qualitative":
        if isinstance(raw, bool):
            return have_label(raw, lang)
        if isinstance(raw, str):
            return f"{raw}（{_trim(fmt(v, places))}）" if lang == "zh" else f"{raw} ({_trim(fmt(v, places))})"
        return _trim(fmt(v, places))
    text = _trim(fmt(v, places))
    return f"{text} {unit}" if unit else text


def lead_text(i: IndicatorScore, places: int, lang: str) -> str:
    if i.lead_exact is None:
        return "—"
    if i.qualitative:
        return f"{have_label(True, lang)}（1）" if lang == "zh" else f"{have_label(True, lang)} (1)"
    return value_text(i.lead_exact, i.lead, i.scale, i.unit, places, lang)



def _joined(parts: list[str], lang: str) -> str:
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


def _pair(label: str, text: Any, lang: str) -> str:
    """``label：text`` in Chinese, ``label: text`` in English."""
    return f"{label}：{text}" if lang == "zh" else f"{label}: {text}"


def _head(sc: Score, t: dict[str, str], lang: str) -> dict:
    p = sc.places
    rounding = sc.rounding.get("note")
    out: dict[str, Any] = {"t": t, "computed": sc.computed, "provisional": sc.provisional,
                           "defect_count": len(sc.defects), "rounding": rounding.get(lang) if rounding else "",
                           "weights_note": sc.weights_note.get(lang)}
    if not sc.computed or sc.total is None:
        out.update(total="—", base="—", bonus="—", grade=t["not_computed"], bound="", exact="", groups=[],
                   indicators=[], next=None, improvements=[])
    else:
        out.update(total=fmt(sc.total, p), base=fmt(sc.base, p), bonus=fmt(sc.bonus, p), grade=sc.grade,
                   bound=sc.bound or "", exact=decimal_text(sc.total))
    out["provisional_note"] = t["provisional_note"].format(n=len(sc.defects))
    out["eligible"] = sc.eligible
    out["failed_gates"] = ", ".join(sc.failed_gates)
    out["designation"] = None if sc.designation is None else (t["yes"] if sc.designation else t["no_"])
    return out


def _group_row(g: GroupScore, t: dict[str, str], p: int, ip: int, lang: str) -> dict:
    name = g.name
    if g.editor_default:
        name += f"（{t['editor_default']}）" if lang == "zh" else f" ({t['editor_default']})"
    return {"name": name, "weight": _trim(fmt(g.weight * 100, p)) + "%", "counted": str(g.counted),
            "mean": fmt(g.mean_index, ip), "subtotal": fmt(g.subtotal, p), "bonus": g.bonus,
            "note": g.note.get(lang) if g.note else ""}


def _option_note(i: IndicatorScore, t: dict[str, str], lang: str) -> str:
    """Which option of a 二选一 pair was used, and why the other was not."""
    used = next((o for o in i.options if o["state"] == "used"), None)
    k = 0 if lang == "zh" else 1
    others = _joined([_pair(o["name"], OPTION_STATE.get(o["state"], (o["state"], o["state"]))[k], lang)
                      for o in i.options if o is not used], lang)
    if not used:
        return others
    return _joined([_pair(t["option_used"], used["name"], lang), _pair(t["option_other"], others, lang)], lang)


STATE_NOTE = {"no_lead": "no_lead", "not_computed": "not_computed"}


def _notes(i: IndicatorScore, t: dict[str, str], lang: str) -> str:
    notes = [_option_note(i, t, lang)] if i.options else []
    if i.state == "not_applicable":
        notes.append(_pair(t["na"], i.note, lang))
    elif i.state in STATE_NOTE:
        notes.append(t[STATE_NOTE[i.state]])
    if i.from_inputs:
        notes.append(t["from_inputs"])
    return _joined(notes, lang)


# What a column shows for an indicator that is not scored, by its state (default "—").
UNSCORED_INDEX = {"not_computed": "not_computed"}
UNSCORED_CONTRIBUTION = {"not_computed": "0"}


def _indicator_row(i: IndicatorScore, t: dict[str, str], p: int, ip: int, lang: str,
                   source_label: Callable[[str | None], str]) -> dict:
    scored = i.state == "scored"
    if scored:
        value = value_text(i.value_exact, i.value, i.scale, i.unit, p, lang)
    else:
        value = "—" if i.value is None else value_text(None, i.value, i.scale, i.unit, p, lang)
    return {
        "no": i.no, "name": i.name, "notes": _notes(i, t, lang),
        "year": str(i.year) if i.year else "—", "value": value, "lead": lead_text(i, p, lang),
        "index": fmt(i.index, ip) if scored else t.get(UNSCORED_INDEX.get(i.state, ""), "—"),
        "weight": (_trim(fmt(i.weight * 100, p)) + "%") if i.scored else "—",
        "contribution": fmt(i.contribution, p) if scored else UNSCORED_CONTRIBUTION.get(i.state, "—"),
        "source": " ".join(x for x in (source_label(i.source), i.location or "") if x),
        "state": i.state, "defects": len(i.defects)}


def _change_row(c: dict, t: dict[str, str], lang: str) -> dict:
    # a target shown rounded up is itself enough, so "> x" becomes "≥ x" when rounding raised it
    shown = Fraction(c["to_display"].rstrip("%")) / (100 if c["to_display"].endswith("%") else 1)
    relation = "≥" if shown > Fraction(c["to"]) else c["relation"]
    return {"no": c["no"], "name": c["name"],
            "now": c["from_display"] if c["from_display"] is not None else t["not_computed"],
            "needed": f"{relation} {_needed_text(c, lang)}", "exact": c["to_exact_decimal"]}


def _next_view(nxt: dict | None, t: dict[str, str], lang: str) -> dict:
    """What would lift the grade: each change alone, the fewest together, or nothing."""
    if nxt is None:
        return {"intro": t["top"], "rows": [], "combined": False}
    strict = t["strict"] if nxt["strict"] else ""
    target = t["target"].format(grade=nxt["grade"], bound=nxt["bound"], needed=nxt["needed_display"], strict=strict)
    if nxt["changes"]:
        return {"intro": f"{target} {t['each_alone']}", "rows": [_change_row(c, t, lang) for c in nxt["changes"]],
                "combined": False}
    if nxt["combined"]:
        return {"intro": f"{target} {t['combined_intro'].format(n=len(nxt['combined']))}",
                "rows": [_change_row(c, t, lang) for c in nxt["combined"]], "combined": True}
    return {"intro": f"{target} {t['unreachable']}", "rows": [], "combined": False}


def score_view(sc: Score, code: str, lang: str, source_label: Callable[[str | None], str]) -> dict:
    t = _t(lang)
    p, ip = sc.places, sc.index_places
    out = _head(sc, t, lang)
    out["code"] = code
    out["score"] = sc
    if sc.computed:
        out["groups"] = [_group_row(g, t, p, ip, lang) for g in sc.groups]
        out["indicators"] = [_indicator_row(i, t, p, ip, lang, source_label) for i in sc.indicators]
    out["year_defect"] = any(d.no is None for d in sc.defects)
    out["defects"] = [{"no": str(d.no) if d.no is not None else t["whole_file"], "where": d.location(),
                       "rule": d.rule or t["machinery"], "message": d.message.get(lang)} for d in sc.defects]
    if sc.computed:
        out["next"] = _next_view(sc.next_grade, t, lang)
        out["improvements"] = [{"no": x["no"], "name": x["name"], "gain": fmt(Fraction(x["gain_to_lead_exact"]), p)}
                               for x in sc.improvements]
    return out


def _needed_text(c: dict, lang: str) -> str:
    text = c["to_display"]
    if c["scale"] == "ratio":
        return text.rstrip("%").rstrip("0").rstrip(".") + "%" if "." in text else text
    if c["scale"] == "count" or c["scale"] == "amount":
        return f"{_trim(text)} {c['unit']}" if c.get("unit") else _trim(text)
    return _trim(text)
