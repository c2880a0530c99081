"""The neutrality section as the Markdown and HTML templates read it (templates/_neutrality.*): per pack,
the claim's year, the verdict, the computed figures and the rejected offsets with their reasons."""

from __future__ import annotations

from ..labels_out import Pair, in_language, status_label
from ..model import Report

LABELS: dict[str, Pair] = {
    "title": ("碳中和结论与被拒绝的抵消", "Neutrality verdict and rejected offsets"),
    "claim_year": ("声明年度", "Year claimed"),
    "verdict": ("结论", "Verdict"),
    "rule": ("依据规则", "Rule"),
    "no_claim": ("证据包没有碳中和声明，未作结论。", "The bundle makes no neutrality claim: no verdict."),
    "figures": ("按清单和抵消清单计算", "Computed from the inventory and the offsets"),
    "rejected": ("被拒绝的抵消", "Rejected offsets"),
    "rejected_none": ("没有被拒绝的抵消。", "No offset was rejected."),
    "serial": ("序列号", "Serial"),
    "where": ("位置", "Where"),
    "reasons": ("拒绝原因", "Reasons"),
    "inventory_emissions": ("清单排放（tCO2e）", "Inventory emissions (tCO2e)"),
    "valid_offsets": ("有效抵消（tCO2e）", "Valid offsets (tCO2e)"),
    "net_emissions": ("剩余排放（tCO2e，≤ 0 为已中和）", "Remaining emissions (tCO2e, ≤ 0 is neutral)"),
    "claim_deviation": ("声明排放与清单的相对偏差", "Relative gap between claimed and inventory emissions"),
}


def _number(value) -> str:
    if isinstance(value, bool) or value is None:
        return "—"
    if isinstance(value, (int, float)):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
    return str(value)


def neutrality_view(report: Report, lang: str) -> list[dict]:
    t = in_language(LABELS, lang)
    out = []
    for n in report.neutrality:
        out.append({
            "t": t, "standard": n.standard, "rule": n.rule, "clause": n.clause, "year": n.year,
            "claimed": n.status is not None,
            "verdict": status_label(n.status, n.grade, lang) if n.status else "",
            "message": n.message.get(lang) if n.message else "",
            "figures": [(t.get(k, k), _number(v)) for k, v in n.figures],
            "rejected": [{"serial": o.serial or "—",
                          "where": f"{o.file}:{o.line}" if o.line else f"{o.file}#{o.pointer}",
                          "reasons": [r.get(lang) for r in o.reasons], "rules": list(o.rules)}
                         for o in n.rejected],
        })
    return out
