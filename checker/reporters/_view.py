"""What the Markdown and HTML templates read: the report arranged for people, in one language."""

from __future__ import annotations

from functools import lru_cache

import jinja2
from markupsafe import Markup

from ..escape import markdown, markdown_code, printable
from ..labels_out import REPORT, grade_label, have_label, in_language, source_label, status_label
from ..model import Report, Status
from ..resources import data_dir
from ._score import score_view
from ._waivers import waivers_view

SECTION_TITLES = {lang: in_language(REPORT, lang) for lang in ("zh", "en")}

__all__ = ["SECTION_TITLES", "environment", "status_label", "view"]


def view(report: Report, lang: str) -> dict:
    t = SECTION_TITLES[lang]
    packs = {p.id: p for p in report.packs}
    by_status = lambda s: [r for r in report.results if r.status is s]  # noqa: E731
    t = dict(t, title=t["title_scored"] if report.scores and len(report.scores) == len(report.packs) else t["title"])
    return {
        "labels": t, "lang": lang, "report": report, "packs": packs, "summary": report.summary(),
        "verdicts": report.verdicts, "ncs": report.nonconformities,
        "onsite": by_status(Status.ONSITE), "observations": by_status(Status.OBSERVATION),
        "uncovered_gaps": [g for g in report.content_gaps if g.reported_as == "not_covered"],
        "not_applicable": by_status(Status.NOT_APPLICABLE), "errors": by_status(Status.ERROR),
        "not_evaluated": by_status(Status.NOT_EVALUATED),
        "status_label": lambda s, g=None: status_label(s, g, lang),
        "grade_label": lambda g: grade_label(g, lang),
        "text": lambda x: x.get(lang) if x is not None else "",
        "fmt_value": _fmt_value(lang),
        "source_label": lambda s: source_label(s, lang),
        "scores": [score_view(sc, packs[sc.standard].code, lang, lambda s: source_label(s, lang))
                   for sc in report.scores],
        "waivers_view": waivers_view(report, lang),  # the statement of applicability and the waivers
    }


def _fmt_value(lang: str):
    def fmt(v) -> str:
        if isinstance(v, bool):
            return have_label(v, lang)
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
