"""``ncr/NC-….docx``: one 不符合项报告 (nonconformity report form) per nonconformity, for the auditor
to print, have signed and file.

Each form is an A4 Word document: the title and the NCR number, the audit information when it is
given (else the park and the date of the check), a table of the form's fields (checker.reporters.
_documents: number, standard and clause, requirement, statement, objective evidence, grade, auditor,
auditee acknowledgement, correction, root cause, corrective action, due date, completion,
verification, status — the park's fields left as blank rows to fill in until checker.ncr fills them),
and signature lines for the auditor, the auditee's representative and the verifier, each with a date;
the foot of each page gives the NCR number and "第 x 页 共 y 页".
In an audit no remediation is shown.  East Asian text uses a Chinese font (``w:eastAsia``).  The
bytes are the same for the same report: the document's times are the report's, not the clock's.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ..model import Nonconformity, Report
from ..stablezip import stable_zip
from . import DOCX_FOLDER
from ._documents import LABELS, PARK_FIELDS, audit_fields, document_time, ncr_fields, safe_text

FOLDER = DOCX_FOLDER  # the forms are written into this folder of the report set
EAST_ASIAN_FONT = "SimSun"  # 宋体, the usual font of Chinese forms (LibreOffice substitutes Noto Serif CJK)
LATIN_FONT = "Times New Roman"
_LABEL_WIDTH, _VALUE_WIDTH = Mm(42), Mm(128)  # A4 (210 mm) less 20 mm margins each side
_TALL = {"acknowledged": 10, **dict.fromkeys(PARK_FIELDS[:3], 15)}  # mm: blank rows the park writes prose in


def render(report: Report, lang: str = "zh") -> dict[str, bytes]:
    """``{"NC-….docx": bytes}``: one form per nonconformity (none when there is none)."""
    return {f"{nc.id}.docx": render_one(report, nc, lang) for nc in report.nonconformities}


def render_one(report: Report, nc: Nonconformity, lang: str = "zh") -> bytes:
    t = LABELS[lang]
    doc = Document()
    _page_and_fonts(doc, lang)
    _paragraph(doc, t["ncr_title"], size=16, bold=True, center=True)
    fields = ncr_fields(report, nc, lang)
    _paragraph(doc, f"{t['number']}：{fields[0].value}" if lang == "zh" else f"{t['number']}: {fields[0].value}",
               size=11, center=True)
    _heading(doc, t["audit_info"])
    _table(doc, [(label, value, 0) for label, value in audit_fields(report, lang)])
    _heading(doc, t["ncr_title"])
    _table(doc, [(f.label, f.value, 0 if f.value else _TALL.get(f.key, 0)) for f in fields])
    _heading(doc, t["signatures"])
    _signatures(doc, lang)
    _footer(doc, fields[0].value, lang)
    _properties(doc, report, nc, lang)
    buf = io.BytesIO()
    doc.save(buf)
    return stable_zip(buf.getvalue(), document_time(report))


def _page_and_fonts(doc, lang: str) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(18)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(10.5)
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "zh-CN" if lang == "zh" else "en-US")
    language.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(language)


def _paragraph(container, text: str, *, size: float | None = None, bold: bool = False, center: bool = False):
    p = container.add_paragraph()
    run = p.add_run(safe_text(text))
    run.bold = bold or None
    if size:
        run.font.size = Pt(size)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return p


def _heading(doc, text: str) -> None:
    p = _paragraph(doc, text, size=12, bold=True)
    p.paragraph_format.space_before = Pt(10)
    p.paragraph_format.keep_with_next = True


def _table(doc, rows: list[tuple[str, str, int]]) -> None:
    """Label and value rows; a row with a height (mm) is at least that tall (room to write in)."""
    table = doc.add_table(rows=0, cols=2)
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    for label, value, height in rows:
        row = table.add_row()
        if height:
            row.height, row.height_rule = Mm(height), WD_ROW_HEIGHT_RULE.AT_LEAST
        head, cell = row.cells
        head.width, cell.width = _LABEL_WIDTH, _VALUE_WIDTH
        head.paragraphs[0].add_run(label).bold = True
        cell.paragraphs[0].add_run(safe_text(value))
    _widths(table, (_LABEL_WIDTH, _VALUE_WIDTH))


def _signatures(doc, lang: str) -> None:
    t = LABELS[lang]
    table = doc.add_table(rows=0, cols=4)
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    widths = (Mm(48), Mm(62), Mm(18), Mm(42))
    for key in ("sign_auditor", "sign_auditee", "sign_verifier"):
        row = table.add_row()
        row.height, row.height_rule = Mm(11), WD_ROW_HEIGHT_RULE.AT_LEAST
        for cell, width, text in zip(row.cells, widths, (t[key], "", t["date"], ""), strict=True):
            cell.width = width
            if text:
                cell.paragraphs[0].add_run(text).bold = True
            if key != "sign_verifier":  # the signature block stays on one page
                cell.paragraphs[0].paragraph_format.keep_with_next = True
    _widths(table, widths)


def _widths(table, widths) -> None:
    """Column widths (the grid: LibreOffice reads these, Word the cells'); a row never breaks across
    pages (a signature or a field stays whole)."""
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        cant = OxmlElement("w:cantSplit")
        tr_pr.append(cant)


def _footer(doc, number: str, lang: str) -> None:
    """``NC-…  第 x 页 共 y 页`` (``Page x of y``) at the foot of every page: Word fields, so a form
    printed on two pages says so."""
    p = doc.sections[0].footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    words = ("第 ", " 页 共 ", " 页") if lang == "zh" else ("Page ", " of ", "")
    p.add_run(f"{number}    {words[0]}")
    _field(p, "PAGE")
    p.add_run(words[1])
    _field(p, "NUMPAGES")
    if words[2]:
        p.add_run(words[2])
    for run in p.runs:
        run.font.size = Pt(9)


def _field(paragraph, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _properties(doc, report: Report, nc: Nonconformity, lang: str) -> None:
    when = document_time(report).replace(tzinfo=None)
    props = doc.core_properties
    props.title = f"{LABELS[lang]['ncr_title']} {nc.id}"
    props.subject = safe_text(report.bundle.get("name") or "")
    props.author = props.last_modified_by = "parkcheck"
    props.comments = props.keywords = props.category = ""
    props.revision = 1
    props.created = props.modified = props.last_printed = when
