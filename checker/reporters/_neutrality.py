"""The neutrality section as the Markdown, HTML and PDF templates read it (templates/_neutrality.*): per
pack, the claim's year, the verdict, the computed figures and the rejected offsets with their reasons.
The workbook and the annex document (``_xlsx_sheets``, ``docx_annex``) read the same labels."""

from __future__ import annotations

from ..labels_out import Pair, in_language, status_label
from ..model import Report, Status

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
    # the workbook's sheets and the annex document (checker.reporters._xlsx_sheets, docx_annex)
    "standard": ("标准", "Standard"),
    "clause": ("条款", "Clause"),
    "message": ("说明", "Explanation"),
    "file": ("文件", "File"),
    "line": ("行号", "Line"),
    "pointer": ("记录位置", "Record"),
    "rules": ("规则", "Rules"),
    "sheet_verdict": ("碳中和结论", "Neutrality verdict"),
    "sheet_rejected": ("被拒绝的抵消", "Rejected offsets"),
    "rests_on": ("结论所依据的证据有不符合项，关闭前不作结论",
                 "The evidence the verdict rests on has nonconformities: no verdict before they are closed"),
}


def number_text(value) -> str:
    """A figure as people read it: thousands separated, at most three decimals; "—" when absent."""
    if isinstance(value, bool) or value is None:
        return "—"
    if isinstance(value, (int, float)):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
    return str(value)


def rests_on(report: Report, ids: tuple[str, ...], lang: str) -> list[dict]:
    """The nonconformities a verdict waits on: id, clauses and finding (what the verdict rests on)."""
    by_id = {nc.id: nc for nc in report.nonconformities}
    out = []
    for nc_id in ids:
        nc = by_id.get(nc_id)
        if nc is not None:
            clauses = ("、" if lang == "zh" else ", ").join(dict.fromkeys(c for _, c in nc.clauses))
            out.append({"id": nc.id, "clauses": clauses, "finding": nc.finding.get(lang)})
    return out


def neutrality_view(report: Report, lang: str) -> list[dict]:
    t = in_language(LABELS, lang)
    packs = {p.id: p for p in report.packs}
    out = []
    for n in report.neutrality:
        shown = dict(n.shown)
        out.append({
            "t": t, "standard": n.standard, "code": packs[n.standard].code if n.standard in packs else n.standard,
            "rule": n.rule, "clause": n.clause, "year": n.year,
            "claimed": n.status is not None,
            "verdict": status_label(n.status, n.grade, lang) if n.status else "",
            "message": n.message.get(lang) if n.message else "",
            "figures": [(t.get(k, k), shown[k] if k in shown else number_text(v)) for k, v in n.figures],
            "rests_on": rests_on(report, n.depends_on, lang) if n.status is Status.NOT_EVALUATED else [],
            "rejected": [{"serial": o.serial or "—",
                          "where": f"{o.file}:{o.line}" if o.line else f"{o.file}#{o.pointer}",
                          "reasons": [r.get(lang) for r in o.reasons], "rules": list(o.rules)}
                         for o in n.rejected],
        })
    return out
