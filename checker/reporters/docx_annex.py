"""``--format docx``: the folder ``ncr/`` of 不符合项报告 forms (checker.reporters.docx_report) and, when the
report has any of them, ``ncr/annex.docx`` — the report's parts that are no single nonconformity:

* the neutrality verdict of each standard declaring one (checker.neutrality): the claim's year, the
  verdict and its clause, the explanation, the computed figures (whatever figures the report holds),
  and a table of the rejected offsets — serial, file:line, every reason;
* the report sections packs declare (checker.sections), each table as the pack shapes it, the
  section's note beneath its title;
* for a standard resting on secondary sources, every clause verdict with the mark
  「来源：二手资料，非官方原文」 beside it (an NCR form of such a standard carries it beside the
  standard's name).

A4 landscape (the sections' tables are wide), the audit information at the head, page numbers at the
foot, the same fonts and deterministic bytes as the forms.  Bundle text is made safe for Office XML
(``safe_text``: control characters visible).
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.shared import Mm, Pt

from ..labels_out import REPORT, in_language, status_label
from ..model import SECONDARY_MARK, Report, Status
from ..stablezip import stable_zip
from . import DOCX_ANNEX
from ._documents import LABELS as DOC_LABELS
from ._documents import SOURCE_BASIS, audit_fields, display_width, document_time, safe_text
from ._neutrality import LABELS, number_text, rests_on
from .docx_report import _footer, _heading, _page_and_fonts, _paragraph, _widths
from .docx_report import render as render_forms

ANNEX = DOCX_ANNEX  # beside the forms in docx_report.FOLDER
_PAGE_WIDTH = 257  # mm: A4 landscape (297 mm) less 20 mm margins each side
_ANNEX = ("附件", "Annex")
_PARTS = {"neutrality": ("碳中和结论", "neutrality verdict"), "sections": ("报告专节", "report sections"),
          "secondary": ("依据二手资料的条款", "requirements resting on secondary sources")}
_SECONDARY_TITLE = ("依据二手资料的条款结论", "Clause verdicts resting on secondary sources")
_VERDICT_COLUMNS = (("clause", 18), ("clause_title", 120), ("verdict", 45), ("source", 74))


def render(report: Report, lang: str = "zh") -> dict[str, bytes]:
    """The forms, and the annex when the report has a neutrality verdict, a section or a secondary source."""
    files = render_forms(report, lang)
    if has_annex(report):
        files[ANNEX] = render_annex(report, lang)
    return files


def has_annex(report: Report) -> bool:
    return bool(report.neutrality or report.sections or any(p.secondary for p in report.packs))


def render_annex(report: Report, lang: str = "zh") -> bytes:
    i = 0 if lang == "zh" else 1
    doc = Document()
    _page_and_fonts(doc, lang)
    _landscape(doc)
    title = _title(report, lang)
    _paragraph(doc, title, size=15, bold=True, center=True)
    _heading(doc, DOC_LABELS[lang]["audit_info"])
    _pairs(doc, audit_fields(report, lang))
    for claim in report.neutrality:
        _neutrality(doc, report, claim, lang)
    for section in report.sections:
        _section(doc, report, section, lang)
    for pack in report.packs:
        if pack.secondary:
            _secondary(doc, report, pack, lang)
    _footer(doc, _ANNEX[i], lang)
    when = document_time(report).replace(tzinfo=None)
    props = doc.core_properties
    props.title, props.subject = title, safe_text(report.bundle.get("name") or "")
    props.author = props.last_modified_by = "parkcheck"
    props.comments = props.keywords = props.category = ""
    props.revision = 1
    props.created = props.modified = props.last_printed = when
    buf = io.BytesIO()
    doc.save(buf)
    return stable_zip(buf.getvalue(), document_time(report))


def _title(report: Report, lang: str) -> str:
    """附件：碳中和结论、报告专节 — the parts the annex holds, in their order."""
    i = 0 if lang == "zh" else 1
    present = {"neutrality": report.neutrality, "sections": report.sections,
               "secondary": any(p.secondary for p in report.packs)}
    parts = [_PARTS[key][i] for key, there in present.items() if there]
    return f"{_ANNEX[0]}：{'、'.join(parts)}" if i == 0 else f"{_ANNEX[1]}: {', '.join(parts)}"


def _landscape(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)


def _code(report: Report, standard: str, lang: str) -> str:
    pack = next((p for p in report.packs if p.id == standard), None)
    if pack is None:
        return standard
    mark = f"「{SECONDARY_MARK[0 if lang == 'zh' else 1]}」" if pack.secondary else ""
    return f"{pack.code} {pack.title}{mark}" if pack.code != pack.title else pack.code + mark


def _neutrality(doc, report: Report, claim, lang: str) -> None:
    t = in_language(LABELS, lang)
    _heading(doc, f"{t['title']} · {_code(report, claim.standard, lang)}")
    rows = [(t["claim_year"], "—" if claim.year is None else str(claim.year))]
    if claim.status is None:
        rows.append((t["verdict"], t["no_claim"]))
    else:
        clause = f"（{claim.clause}）" if lang == "zh" else f" ({claim.clause})"
        rows.append((t["verdict"], status_label(claim.status, claim.grade, lang) + (clause if claim.clause else "")))
        rows.append((t["rule"], claim.rule))
        if claim.message:
            rows.append((t["message"], claim.message.get(lang)))
        rests = rests_on(report, claim.depends_on, lang) if claim.status is Status.NOT_EVALUATED else []
        if rests:  # what a verdict not evaluated waits on
            rows.append((t["rests_on"], "\n".join(f"{r['id']}（{r['clauses']}）：{r['finding']}" if lang == "zh"
                                                  else f"{r['id']} ({r['clauses']}): {r['finding']}" for r in rests)))
    shown = dict(claim.shown)
    rows += [(t.get(name, name), shown.get(name) or number_text(value)) for name, value in claim.figures]
    _pairs(doc, rows)
    _subheading(doc, t["rejected"])
    if not claim.rejected:
        _paragraph(doc, t["rejected_none"])
        return
    where = lambda o: f"{o.file}:{o.line}" if o.line else f"{o.file}#{o.pointer}"  # noqa: E731
    _grid(doc, [(t["serial"], 55), (t["where"], 45), (t["reasons"], 120), (t["rules"], 37)],
          [[o.serial or "—", where(o), "\n".join(r.get(lang) for r in o.reasons), "\n".join(o.rules)]
           for o in claim.rejected])


def _section(doc, report: Report, section: dict, lang: str) -> None:
    title = section["title"].get(lang)
    mark = SECONDARY_MARK[0 if lang == "zh" else 1]
    pack = next((p for p in report.packs if p.id == section["standard"]), None)
    if pack is not None and pack.secondary and mark not in title:
        title += f"「{mark}」"
    _heading(doc, title)
    if section.get("note"):
        _paragraph(doc, section["note"].get(lang), size=9)
    for table in section["tables"]:
        _subheading(doc, table["title"].get(lang))
        columns = [c.get(lang) for c in table["columns"]]
        if table["rows"]:
            _grid(doc, [(c, 0) for c in columns], [[cell.get(lang) for cell in row] for row in table["rows"]])
        elif not table.get("notes"):
            _paragraph(doc, REPORT["none"][0 if lang == "zh" else 1], size=9)
        for note in table.get("notes") or ():  # a remark on a row, or why the table has no row (checker.sections)
            _paragraph(doc, note.get(lang), size=9)


def _subheading(doc, text: str) -> None:
    p = _paragraph(doc, text, bold=True)
    p.paragraph_format.space_before = Pt(8)
    p.paragraph_format.keep_with_next = True


def _secondary(doc, report: Report, pack, lang: str) -> None:
    t, i = DOC_LABELS[lang], 0 if lang == "zh" else 1
    _heading(doc, f"{_SECONDARY_TITLE[i]} · {pack.code}")
    labels = {"clause": t["clause"], "clause_title": t["clause_title"], "verdict": t["verdict"],
              "source": SOURCE_BASIS[i]}
    _grid(doc, [(labels[key], width) for key, width in _VERDICT_COLUMNS],
          [[v.clause, v.title, status_label(v.status, v.grade, lang), SECONDARY_MARK[i]]
           for v in report.verdicts if v.standard == pack.id])


def _pairs(doc, rows: list[tuple[str, str]]) -> None:
    """Label and value rows across the page (the label bold)."""
    widths = (Mm(62), Mm(_PAGE_WIDTH - 62))
    table = doc.add_table(rows=0, cols=2)
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    for label, value in rows:
        head, cell = table.add_row().cells
        head.width, cell.width = widths
        head.paragraphs[0].add_run(safe_text(label)).bold = True
        cell.paragraphs[0].add_run(safe_text(value))
    _widths(table, widths)


def _grid(doc, columns: list[tuple[str, int]], rows: list[list[str]]) -> None:
    """A table with a bold header repeated on every page; widths in mm (0: the page's width left over,
    shared by what the columns hold); a row never breaks across pages."""
    spare = max(_PAGE_WIDTH - sum(w for _, w in columns), 0)
    weight = [0 if w else min(max([display_width(label) // 2 + 1] + [display_width(r[c]) for r in rows] + [8]), 40)
              for c, (label, w) in enumerate(columns)]
    widths = [Mm(w) if w else Mm(spare * weight[c] / sum(weight)) for c, (_, w) in enumerate(columns)]
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    for cell, (label, _) in zip(table.rows[0].cells, columns, strict=True):
        run = cell.paragraphs[0].add_run(safe_text(label))
        run.bold, run.font.size = True, Pt(9)
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.paragraphs[0].add_run(safe_text(value)).font.size = Pt(9)
    _widths(table, widths)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeated on every page
