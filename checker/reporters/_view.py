"""What the Markdown and HTML templates read: the report arranged for people, in one language."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

import jinja2
from markupsafe import Markup

from ..escape import markdown, markdown_code, printable
from ..labels_out import REPORT, grade_label, have_label, in_language, index, source_label, status_label
from ..model import SECONDARY_MARK, TITLE_ONLY, PackInfo, Report, Result, Status
from ..onsite import judgement_view
from ..resources import data_dir
from ..schemas import load_schemas
from ._ncr import ncr_view
from ._neutrality import neutrality_view
from ._score import score_view
from ._waivers import waivers_view

SECTION_TITLES = {lang: in_language(REPORT, lang) for lang in ("zh", "en")}

__all__ = ["SECTION_TITLES", "SUMMARY_STATUSES", "clause_groups", "environment", "standard_name", "status_label",
           "summary_view", "view"]


# The rule results the summary counts beside the numbered nonconformities, in this order (every format).
SUMMARY_STATUSES = (Status.ERROR, Status.NOT_EVALUATED, Status.ONSITE, Status.OBSERVATION, Status.CONFORM,
                    Status.NOT_APPLICABLE)


def view(report: Report, lang: str) -> dict:
    t = SECTION_TITLES[lang]
    packs = {p.id: p for p in report.packs}
    by_status = lambda s: [r for r in report.results if r.status is s]  # noqa: E731
    t = dict(t, title=t["title_scored"] if report.scores and len(report.scores) == len(report.packs) else t["title"])
    summary = report.summary()  # the counts, computed once; every section reads them from here
    return {
        "labels": t, "lang": lang, "report": report, "packs": packs, "summary": summary,
        "counts": summary_view(summary, lang),
        "verdicts": report.verdicts, "ncs": report.nonconformities,
        "onsite": by_status(Status.ONSITE), "observations": by_status(Status.OBSERVATION),
        "uncovered_gaps": [g for g in report.content_gaps if g.reported_as == "not_covered"],
        "not_applicable": by_status(Status.NOT_APPLICABLE), "errors": by_status(Status.ERROR),
        "not_evaluated": by_status(Status.NOT_EVALUATED),
        "by_pack": lambda results: by_pack(results, report.packs),
        "standard_name": lambda pack: standard_name(pack, lang),
        # whether a result or a clause verdict comes from a pack resting on secondary sources (marked everywhere)
        "secondary": lambda x: packs[x.standard].secondary,
        "kind_name": lambda kind: kind_name(kind, lang),
        "nc_clauses": lambda nc: clause_groups(nc.clauses, packs, report.on_title(nc)),
        # whether a result, or a clause verdict, rests on a clause title only (marked, explained once in the summary)
        "on_title": lambda x: x.source == TITLE_ONLY if isinstance(x, Result) else report.verdict_on_title(x),
        "paren": _paren(lang),
        "colon": "：" if lang == "zh" else ": ",
        "status_label": lambda s, g=None: status_label(s, g, lang),
        "grade_label": lambda g: grade_label(g, lang),
        "text": lambda x: x.get(lang) if x is not None else "",
        "fmt_value": _fmt_value(lang),
        "source_label": lambda s: source_label(s, lang),
        "scores": [score_view(sc, packs[sc.standard].code, lang, lambda s: source_label(s, lang))
                   for sc in report.scores],
        "neutrality": neutrality_view(report, lang),  # templates/_neutrality.*
        "waivers_view": waivers_view(report, lang),  # the statement of applicability and the waivers
        "ncr": ncr_view(report, lang),  # ncr work package: templates/_ncr.*
        **judgement_view(report, packs, lang),  # the auditor's on-site judgements (templates/_onsite.*)
    }


def standard_name(pack: PackInfo, lang: str = "zh") -> str:
    """A standard's code and title, the title left out where the code is the title (a guideline without a number);
    a pack resting on secondary sources says so beside its name."""
    name = pack.code if pack.code == pack.title else f"{pack.code} {pack.title}"
    if getattr(pack, "secondary", False):
        name += f"「{SECONDARY_MARK[index(lang)]}」"
    return name


def kind_name(kind: str | None, lang: str) -> str:
    """The human name of a document kind (its schema's title) in the report's language; "" when the schema
    gives none (the kind itself is shown beside it as code)."""
    if not kind:
        return ""
    name = load_schemas().kind_label(kind)[index(lang)]
    return "" if name == kind else name


def by_pack(results, packs) -> list[tuple[PackInfo, list]]:
    """Results (or anything with ``.standard``) grouped under their standard, in the report's pack order:
    a section names its standard once instead of on every row."""
    return [(p, group) for p in packs if (group := [r for r in results if r.standard == p.id])]


def clause_groups(clauses, packs: dict[str, PackInfo], on_title=frozenset()) -> list[dict]:
    """A nonconformity's clauses grouped by standard: each standard's code once, then its clauses, each
    with whether a title-only rule judged it."""
    groups: dict[str, dict] = {}
    for standard, clause in clauses:
        group = groups.setdefault(standard, {"pack": packs[standard], "code": packs[standard].code, "clauses": [],
                                             "secondary": packs[standard].secondary})
        group["clauses"].append({"clause": clause, "title_only": (standard, clause) in on_title})
    return list(groups.values())


def summary_view(summary: dict, lang: str) -> dict:
    """The summary's counts as labelled lines: the numbered nonconformities, the other rule results (a
    different count: several results may make one nonconformity) and what rests on clause titles only."""
    t = SECTION_TITLES[lang]
    nc, results, on_title = summary["nonconformities"], summary["results"], summary["title_only"]
    shown = [s for s in SUMMARY_STATUSES if s is not Status.ERROR or results.get(s.value)]
    return {
        "ncs": t["sum_ncs_value"].format(**nc),
        "results": [(status_label(s, None, lang), results.get(s.value, 0), s.value) for s in shown],
        "title_only": t["sum_title_only_value"].format(results=on_title["results"], ncs=on_title["nonconformities"],
                                                       clauses=on_title["clauses"]) if on_title["results"] else None,
        "secondary": t["sum_title_only_value"].format(results=summary["secondary"]["results"],
                                                      ncs=summary["secondary"]["nonconformities"],
                                                      clauses=summary["secondary"]["clauses"])
        if "secondary" in summary else None,
    }


def _paren(lang: str):
    """``（x）`` in Chinese, `` (x)`` in English; markup a filter made (a code span) stays markup."""
    left, right = ("（", "）") if lang == "zh" else (" (", ")")
    return lambda x: Markup(left) + x + Markup(right) if isinstance(x, Markup) else f"{left}{x}{right}"


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



STREAM_CHUNK = 1 << 20  # characters handed to the file at a time (``Chunks``)


class Chunks:
    """A writer of text pieces as they are made (a template's output, the JSON writer's): handed on to
    ``write`` as UTF-8 in chunks of at least ``size`` characters, so a large report is never held whole;
    the same bytes as the joined text.  ``close`` hands on the rest."""

    def __init__(self, write: Callable[[bytes], object], size: int | None = None):
        self.write, self.size = write, size or STREAM_CHUNK
        self.parts: list[str] = []
        self.held = 0

    def __call__(self, text: str) -> None:
        self.parts.append(text)
        self.held += len(text)
        if self.held >= self.size:
            self.close()

    def close(self) -> None:
        if self.parts:
            self.write("".join(self.parts).encode("utf-8"))
            self.parts.clear()
            self.held = 0


def chunked(pieces: Iterable[str], write: Callable[[bytes], object], size: int | None = None) -> None:
    """``pieces`` written through ``Chunks``."""
    out = Chunks(write, size)
    for text in pieces:
        out(text)
    out.close()
