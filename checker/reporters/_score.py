"""The working of a score, arranged for people in one language (Markdown, HTML and terminal share it).

Every number shown here is rounded by the pack's stated rule (half up) from the exact value the
scoring computed; nothing is recomputed.
"""

from __future__ import annotations

from fractions import Fraction

from ..scoring import Score, decimal_text, exact, fmt

LABELS = {
    "total": ("总分 S", "Total S"),
    "base": ("基础分", "Base"),
    "bonus": ("加分", "Bonus"),
    "grade": ("级别", "Grade"),
    "bound": ("满足的表 2 区间", "Table 2 band met"),
    "exact": ("精确值", "exact"),
    "not_computed": ("未计算", "not computed"),
    "no_data": ("没有指标数据，得分未计算。", "No indicator data: the score is not computed."),
    "provisional": ("暂定", "Provisional"),
    "provisional_note": ("得分依据有缺陷的数据，为暂定结果：共 {n} 项数据缺陷（见下表）；未计算的指标按 0 计入其一级指标的平均，得分为下限。",
                         "The score rests on defective data and is provisional: {n} data defect(s) (listed below); "
                         "indicators not computed count 0 in their group's mean, so the total is a lower bound."),
    "not_eligible": ("不具备评级资格（基本要求未满足）", "not eligible for grading (basic requirement failed)"),
    "rounding": ("舍入规则", "Rounding"),
    "weights": ("权重说明", "Weights"),
    "group": ("一级指标", "Group"),
    "weight": ("权重 ω", "Weight ω"),
    "counted": ("适用指标数 j", "Applicable j"),
    "mean": ("平均指数", "Mean index"),
    "subtotal": ("得分", "Subtotal"),
    "note": ("说明", "Note"),
    "base_sum": ("基础分合计", "Base total"),
    "bonus_sum": ("加分合计", "Bonus total"),
    "no": ("序号", "No."),
    "indicator": ("指标", "Indicator"),
    "year": ("数据年度", "Data year"),
    "value": ("现状值 F", "Value F"),
    "lead": ("引领值 F_L", "Lead F_L"),
    "index": ("指数 min(F/F_L,1)", "Index min(F/F_L,1)"),
    "ind_weight": ("权重 ω/j", "Weight ω/j"),
    "contribution": ("贡献", "Contribution"),
    "source": ("来源与位置", "Source and location"),
    "option_used": ("二选一，采用", "二选一, used"),
    "option_other": ("另一项", "other"),
    "na": ("不适用", "not applicable"),
    "no_lead": ("无引领值，不计分", "no lead value, not scored"),
    "from_inputs": ("由分子、分母计算", "from numerator/denominator"),
    "defects": ("数据缺陷", "Data defects"),
    "where": ("位置", "Location"),
    "rule": ("规则", "Rule"),
    "finding": ("缺陷", "Defect"),
    "machinery": ("计分程序", "scoring"),
    "whole_file": ("整个文件", "whole file"),
    "next": ("达到上一级别所需的最小变化", "Smallest changes that would lift the grade"),
    "target": ("目标：{grade}（{bound}），总分需再提高 {needed} 分{strict}。",
               "Target: {grade} ({bound}); the total must rise by {needed} points{strict}."),
    "each_alone": ("下表每行单独即可达到（其余指标不变）：", "Each row alone is enough (other indicators unchanged):"),
    "strict": ("以上（须严格超过边界）", " or more (strictly past the bound)"),
    "combined_intro": ("单项指标提高均不足以达到；最少需同时提高以下 {n} 项：", "No single indicator is enough; the fewest to raise together ({n}):"),
    "unreachable": ("即使所有指标达到引领值也达不到。", "Not reachable even with every indicator at its lead value."),
    "top": ("已是最高级别。", "Already the highest grade."),
    "now": ("现状", "Now"),
    "needed": ("需达到", "Needed"),
    "raise": ("提升得分最多的指标", "What would raise the score most"),
    "to_lead": ("达到引领值可加", "gain at the lead value"),
    "yes": ("是", "yes"),
    "no_": ("否", "no"),
    "designation": ("零碳园区称号", "Zero-carbon park designation"),
    "editor_default": ("编辑默认值", "editor default"),
}


def _t(lang: str) -> dict[str, str]:
    i = 0 if lang == "zh" else 1
    return {k: v[i] for k, v in LABELS.items()}


def _trim(text: str) -> str:
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def value_text(v: Fraction | None, raw, scale: str | None, unit: str | None, places: int, lang: str) -> str:
    """A value for people: ratios as percentages, qualitative states as 有/无 or their number."""
    if v is None:
        if raw is None:
            return "—"
        if isinstance(raw, bool):
            return ("有" if raw else "无") if lang == "zh" else ("yes" if raw else "no")
        if exact(raw) is not None:
            return value_text(exact(raw), raw, scale, unit, places, lang)
        return f"“{raw}”" if isinstance(raw, str) else str(raw)
    if scale == "ratio":
        return _trim(fmt(v * 100, places)) + "%"
    if scale == "qualitative":
        if isinstance(raw, bool):
            return ("有" if raw else "无") if lang == "zh" else ("yes" if raw else "no")
        if isinstance(raw, str):
            return f"{raw}（{_trim(fmt(v, places))}）" if lang == "zh" else f"{raw} ({_trim(fmt(v, places))})"
        return _trim(fmt(v, places))
    text = _trim(fmt(v, places))
    return f"{text} {unit}" if unit else text


def lead_text(i, places: int, lang: str) -> str:
    if i.lead_exact is None:
        return "—"
    if i.qualitative:
        return "有（1）" if lang == "zh" else "yes (1)"
    return value_text(i.lead_exact, i.lead, i.scale, i.unit, places, lang)


def score_view(sc: Score, code: str, lang: str, source_label) -> dict:
    t = _t(lang)
    p, ip = sc.places, sc.index_places
    rounding = sc.rounding.get("note")
    out = {"t": t, "code": code, "score": sc, "computed": sc.computed, "provisional": sc.provisional,
           "defect_count": len(sc.defects), "rounding": rounding.get(lang) if rounding else "",
           "weights_note": sc.weights_note.get(lang)}
    if not sc.computed:
        out.update(total="—", base="—", bonus="—", grade=t["not_computed"], bound="", exact="", groups=[],
                   indicators=[], next=None, improvements=[])
    else:
        out.update(total=fmt(sc.total, p), base=fmt(sc.base, p), bonus=fmt(sc.bonus, p), grade=sc.grade,
                   bound=sc.bound or "", exact=decimal_text(sc.total))
    out["provisional_note"] = t["provisional_note"].format(n=len(sc.defects))
    out["eligible"] = sc.eligible
    out["failed_gates"] = ", ".join(sc.failed_gates)
    out["designation"] = None if sc.designation is None else (t["yes"] if sc.designation else t["no_"])
    groups = []
    for g in sc.groups:
        groups.append({"name": g.name + (f"（{t['editor_default']}）" if g.editor_default and lang == "zh"
                                         else f" ({t['editor_default']})" if g.editor_default else ""),
                       "weight": _trim(fmt(g.weight * 100, p)) + "%", "counted": str(g.counted),
                       "mean": fmt(g.mean_index, ip), "subtotal": fmt(g.subtotal, p), "bonus": g.bonus,
                       "note": g.note.get(lang) if g.note else ""})
    if sc.computed:
        out["groups"] = groups
    rows = []
    for i in sc.indicators:
        name = i.name
        notes = []
        if i.options:
            used = next((o for o in i.options if o["state"] == "used"), None)
            others = [o for o in i.options if o is not used]
            state_words = {"absent": ("未提供", "not given"), "not_applicable": ("不适用", "not applicable"),
                           "candidate": ("指数较低", "lower index"), "duplicate": ("重复填写", "given twice"),
                           "unusable": ("数据不可用", "unusable"), "no_lead": ("无引领值", "no lead value")}
            k = 0 if lang == "zh" else 1
            other_text = "；".join(f"{o['name']}：{state_words.get(o['state'], (o['state'], o['state']))[k]}" for o in others) \
                if lang == "zh" else "; ".join(f"{o['name']}: {state_words.get(o['state'], (o['state'], o['state']))[k]}" for o in others)
            if used:
                notes.append(f"{t['option_used']}：{used['name']}；{t['option_other']}：{other_text}" if lang == "zh"
                             else f"{t['option_used']}: {used['name']}; {t['option_other']}: {other_text}")
            else:
                notes.append(other_text)
        if i.state == "not_applicable":
            notes.append(f"{t['na']}：{i.note}" if lang == "zh" else f"{t['na']}: {i.note}")
        elif i.state == "no_lead":
            notes.append(t["no_lead"])
        elif i.state == "not_computed":
            notes.append(t["not_computed"])
        if i.from_inputs:
            notes.append(t["from_inputs"])
        value = value_text(i.value_exact, i.value, i.scale, i.unit, p, lang) if i.state == "scored" else (
            "—" if i.value is None else value_text(None, i.value, i.scale, i.unit, p, lang))
        rows.append({
            "no": i.no, "name": name, "notes": "；".join(notes) if lang == "zh" else "; ".join(notes),
            "year": str(i.year) if i.year else "—", "value": value, "lead": lead_text(i, p, lang),
            "index": fmt(i.index, ip) if i.state == "scored" else (t["not_computed"] if i.state == "not_computed" else "—"),
            "weight": (_trim(fmt(i.weight * 100, p)) + "%") if i.scored else "—",
            "contribution": fmt(i.contribution, p) if i.state == "scored" else ("0" if i.state == "not_computed" else "—"),
            "source": " ".join(x for x in (source_label(i.source), i.location or "") if x),
            "state": i.state, "defects": len(i.defects)})
    if sc.computed:
        out["indicators"] = rows
    out["year_defect"] = any(d.no is None for d in sc.defects)
    out["defects"] = [{"no": str(d.no) if d.no is not None else t["whole_file"], "where": d.location(),
                       "rule": d.rule or t["machinery"], "message": d.message.get(lang)} for d in sc.defects]
    if sc.computed:
        nxt = sc.next_grade
        if nxt is None:
            out["next"] = {"intro": t["top"], "rows": [], "combined": False}
        else:
            strict = t["strict"] if nxt["strict"] else ""
            def row(c):
                # a target shown rounded up is itself enough, so "> x" becomes "≥ x" when rounding raised it
                shown = Fraction(c["to_display"].rstrip("%")) / (100 if c["to_display"].endswith("%") else 1)
                relation = "≥" if shown > Fraction(c["to"]) else c["relation"]
                return {"no": c["no"], "name": c["name"], "now": c["from_display"] if c["from_display"] is not None else t["not_computed"],
                        "needed": f"{relation} {_needed_text(c, lang)}", "exact": c["to_exact_decimal"]}
            target = t["target"].format(grade=nxt["grade"], bound=nxt["bound"], needed=nxt["needed_display"], strict=strict)
            if nxt["changes"]:
                out["next"] = {"intro": f"{target} {t['each_alone']}", "rows": [row(c) for c in nxt["changes"]], "combined": False}
            elif nxt["combined"]:
                out["next"] = {"intro": f"{target} {t['combined_intro'].format(n=len(nxt['combined']))}",
                               "rows": [row(c) for c in nxt["combined"]], "combined": True}
            else:
                out["next"] = {"intro": f"{target} {t['unreachable']}", "rows": [], "combined": False}
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
