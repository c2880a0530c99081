"""What the Markdown and HTML templates read: the report arranged for people, in one language."""

from __future__ import annotations

from functools import lru_cache

import jinja2
from markupsafe import Markup

from ..escape import markdown, markdown_code, printable
from ..model import GRADE_LABELS, STATUS_LABELS, Grade, Report, Status
from ..resources import data_dir
from ._score import score_view

# Every label once, in both languages: (zh, en).
LABELS = {
    "title": ("碳排放管理体系符合性报告", "Carbon emission management system conformity report"),
    "title_scored": ("零碳园区评价报告", "Zero-carbon park evaluation report"),
    "summary": ("概要", "Summary"),
    "verdicts": ("条款结论", "Verdicts by clause"),
    "ncs": ("不符合项清单", "Nonconformities"),
    "onsite": ("需现场核实的事项", "Items for on-site verification"),
    "gaps": ("所选标准的规则未读取的内容缺失", "Content gaps no rule of the selected standards reads"),
    "gaps_note": ("以下必填内容缺失或无效，但所选标准没有规则读取这些文件，因此不构成所选标准下的发现；仍请补全。",
                  "These required contents are missing or invalid, but no rule of the selected standards reads these "
                  "documents, so they are no finding under those standards; complete them all the same."),
    "obs": ("观察项", "Observations"),
    "na": ("不适用", "Not applicable"),
    "not_evaluated": ("未评价（依赖的不符合项关闭后再评价）", "Not evaluated (judged once the nonconformity it depends on is closed)"),
    "depends": ("依赖于", "depends on"),
    "files": ("证据文件", "Evidence files"),
    "packs": ("规则包", "Rule packs"),
    "park": ("园区", "Park"),
    "period": ("报告期", "Reporting period"),
    "audit_date": ("审核/自查日期", "Audit / self-check date"),
    "standards": ("标准", "Standards"),
    "edition": ("版次", "edition"),
    "pack_version": ("规则包版本", "pack version"),
    "clause": ("条款", "Clause"),
    "clause_title": ("标题", "Title"),
    "verdict": ("结论", "Verdict"),
    "rules": ("规则", "Rules"),
    "no": ("编号", "No."),
    "requirement": ("要求", "Requirement"),
    "finding": ("不符合事实", "Finding"),
    "grade": ("等级", "Grade"),
    "evidence": ("证据位置", "Evidence"),
    "remediation": ("整改建议", "Remediation"),
    "none": ("无", "None"),
    "generated": ("生成时间", "Generated"),
    "tool": ("工具", "Tool"),
    "not_checked_note": ("“未检查”表示所选规则包尚无规则覆盖该条款，不代表符合。", "\"Not checked\" means no rule of the selected packs covers the clause yet; it is not a pass."),
    "item": ("事项", "Item"),
    "what": ("核实内容", "What to verify"),
    "reason": ("理由", "Reason"),
    "path": ("文件", "File"),
    "kind": ("类型", "Kind"),
    "score": ("评分", "Score"),
    "total": ("总分", "Total"),
    "base": ("基础分", "Base"),
    "bonus": ("加分", "Bonus"),
    "score_grade": ("级别", "Grade"),
    "not_eligible": ("不具备评级资格（基本要求未满足）", "not eligible for grading (basic requirement failed)"),
    "designation": ("零碳园区称号", "Zero-carbon park designation"),
    "yes": ("是", "Yes"),
    "no_": ("否", "No"),
    "weights": ("权重说明", "Weights"),
    "group": ("一级指标", "Group"),
    "weight": ("权重", "Weight"),
    "counted": ("计分指标数", "Indicators counted"),
    "subtotal": ("得分", "Subtotal"),
    "indicator": ("指标", "Indicator"),
    "value": ("现状值", "Value"),
    "lead": ("引领值", "Lead value"),
    "index": ("指数", "Index"),
    "contribution": ("贡献", "Contribution"),
    "source": ("数据来源", "Source"),
    "na_mark": ("（不适用）", "(not applicable)"),
    "editor_default": ("编辑默认值", "editor default"),
    "from_inputs": ("* 按附录 B 定义由分子、分母计算的值。", "* computed from numerator and denominator as Annex B defines it."),
    "raise": ("提升得分最多的指标", "What would raise the score most"),
}
SECTION_TITLES = {lang: {k: pair[i] for k, pair in LABELS.items()} for i, lang in enumerate(("zh", "en"))}


def status_label(status, grade, lang: str) -> str:
    status, grade = Status(status), (Grade(grade) if grade else None)
    i = 0 if lang == "zh" else 1
    label = STATUS_LABELS[status][i]
    if status is Status.NONCONFORMITY and grade is not None:
        label = f"{label}（{GRADE_LABELS[grade][i]}）" if lang == "zh" else f"{label} ({GRADE_LABELS[grade][i]})"
    return label


def view(report: Report, lang: str) -> dict:
    t = SECTION_TITLES[lang]
    packs = {p.id: p for p in report.packs}
    by_status = lambda s: [r for r in report.results if r.status is s]  # noqa: E731
    t = dict(t, title=t["title_scored"] if report.scores and len(report.scores) == len(report.packs) else t["title"])
    return {
        "t": t, "lang": lang, "report": report, "packs": packs, "summary": report.summary(),
        "verdicts": report.verdicts, "ncs": report.nonconformities,
        "onsite": by_status(Status.ONSITE), "observations": by_status(Status.OBSERVATION),
        "uncovered_gaps": [g for g in report.content_gaps if g.reported_as == "not_covered"],
        "not_applicable": by_status(Status.NOT_APPLICABLE), "errors": by_status(Status.ERROR),
        "not_evaluated": by_status(Status.NOT_EVALUATED),
        "status_label": lambda s, g=None: status_label(s, g, lang),
        "grade_label": lambda g: GRADE_LABELS[Grade(g)][0 if lang == "zh" else 1],
        "text": lambda x: x.get(lang) if x is not None else "",
        "fmt_value": _fmt_value(lang),
        "source_label": lambda s: _source_label(s, lang),
        "scores": [score_view(sc, packs[sc.standard].code, lang, lambda s: _source_label(s, lang)) for sc in report.scores],
    }


def _source_label(s, lang: str) -> str:
    return SOURCES.get(s, ("", ""))[0 if lang == "zh" else 1] if s else ""


SOURCES = {"statistics": ("统计记录", "statistics"), "commissioned_report": ("委托核算报告", "commissioned report"),
           "site_survey": ("现场调研", "site survey")}


def _fmt_value(lang: str):
    def fmt(v) -> str:
        if v is True:
            return "有" if lang == "zh" else "yes"
        if v is False:
            return "无" if lang == "zh" else "no"
        if v is None:
            return "—"
        if isinstance(v, float):
            return f"{v:.4g}"
        return str(v)
    return fmt


def _html_value(value):
    """Every ``{{ }}`` of the HTML template: control and bidirectional characters made visible
    (newlines kept); autoescaping then turns HTML characters into entities."""
    return value if isinstance(value, Markup) or value is None else printable(value)


def _md_value(value):
    """Every ``{{ }}`` of the Markdown template: HTML and Markdown syntax escaped, one table cell
    or line at most (newlines become ``<br>``).  Filters that already produced Markdown return Markup."""
    return value if isinstance(value, Markup) else Markup(markdown("None" if value is None else value))


@lru_cache(maxsize=4)
def environment(autoescape: bool) -> jinja2.Environment:
    """``True``: the HTML environment (autoescaped); ``False``: the Markdown one (escaped by ``markdown``)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(data_dir("templates"))),
                             autoescape=autoescape, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             finalize=_html_value if autoescape else _md_value)
    env.filters["cell"] = (lambda s: s) if autoescape else (lambda s: Markup(markdown(s)))
    env.filters["code"] = (lambda s: s) if autoescape else (lambda s: Markup(markdown_code(s)))
    return env
