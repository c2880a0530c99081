"""The reports as a certification auditor reads them: one label table (no raw keys), one language per
report, the same counts in every format, title-only verdicts marked everywhere, and a combined audit
that names each standard once per section and pairs every CSV clause with its standard.

Expectations are derived from the report's own data (results, nonconformities, packs, the bundle and
the evidence schemas), never pinned."""

from __future__ import annotations

import csv
import html as htmlmod
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from checker.check import run_check
from checker.labels_out import REPORT, STATUS, TERMINAL, in_language
from checker.model import TITLE_ONLY, Grade, Status
from checker.modes import AUDIT, in_mode
from checker.reporters import csv_report, html_report, json_report, md_report
from checker.reporters._view import SUMMARY_STATUSES
from checker.reporters.terminal import print_summary
from checker.schemas import load_schemas

from .conftest import DEFECTIVE, PACK, ROOT, example_report

CECC = "cecc-org-carbon-neutrality"
SCHEMAS = ROOT / "schemas"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # Chinese characters and punctuation
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_./-]*[A-Za-z0-9_]|[A-Za-z]")  # a Latin word, code or identifier


@pytest.fixture(scope="module")
def single():
    return example_report(DEFECTIVE)


@pytest.fixture(scope="module")
def combined():
    """A combined audit: T/CPQS ZC001 and the CECC guideline, whose later clauses are known by title only."""
    return in_mode(run_check(DEFECTIVE, standards=[PACK, CECC]), AUDIT)


def terminal(report, lang="zh") -> str:
    buf = io.StringIO()
    print_summary(report, Console(file=buf, width=2000, highlight=False, color_system=None), lang, show_all=True)
    return buf.getvalue()


def csv_rows(report, lang="zh") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(csv_report.render(report, lang).decode("utf-8-sig"))))


def html_text(page: str, keep_code: bool = True) -> str:
    """The text a reader sees: no style block, no tags, entities decoded (``<code>`` kept or dropped)."""
    page = re.sub(r"<style>.*?</style>|<title>.*?</title>", " ", page, flags=re.S)
    if not keep_code:
        page = re.sub(r"<code>.*?</code>", " ", page, flags=re.S)
    return htmlmod.unescape(re.sub(r"<[^>]+>", " ", page))


# -- 3. counts computed once, the same in every format -------------------------------------------------

def expected_counts(report) -> dict[str, int]:
    """Counted from the results and nonconformities themselves, not from Report.summary()."""
    statuses = Counter(r.status for r in report.results)
    out = {"total": len(report.nonconformities),
           "major": sum(1 for n in report.nonconformities if n.grade is Grade.MAJOR),
           "minor": sum(1 for n in report.nonconformities if n.grade is Grade.MINOR)}
    out.update({s.value: statuses[s] for s in SUMMARY_STATUSES if s is not Status.ERROR})
    return out


def md_counts(md: str, lang: str) -> dict[str, int]:
    t = in_language(REPORT, lang)
    head = re.search(rf"^- \*\*{t['sum_ncs']}\*\*\D*(\d+)\D+(\d+)\D+(\d+)", md, re.M)
    assert head, md[:2000]
    total, major, minor = map(int, head.groups())
    line = next(x for x in md.splitlines() if x.startswith(f"- **{t['sum_results']}**"))
    out = {"total": total, "major": major, "minor": minor}
    for status in SUMMARY_STATUSES:
        m = re.search(rf"{re.escape(STATUS[status][0 if lang == 'zh' else 1])} (\d+)", line)
        if m:
            out[status.value] = int(m[1])
    return out


def html_counts(page: str) -> dict[str, int]:
    found = dict(re.findall(r'data-count="(?:nonconformities|results)\.(\w+)"><b>(\d+)</b>', page))
    return {k: int(v) for k, v in found.items()}


def csv_counts(report) -> dict[str, int]:
    rows = csv_rows(report)
    grades = Counter(r["等级"] for r in rows)
    return {"total": len({r["编号"] for r in rows}), "major": grades["严重"], "minor": grades["一般"]}


def terminal_counts(text: str, lang: str = "zh") -> dict[str, int]:
    tt = in_language(TERMINAL, lang)
    line = next(x for x in text.splitlines() if x.startswith(f"{tt['ncs']} "))
    m = re.match(rf"{tt['ncs']} (\d+): \S+ (\d+) · \S+ (\d+)", line)
    assert m, line
    out = {"total": int(m[1]), "major": int(m[2]), "minor": int(m[3])}
    rest = line.split(f"{tt['results']}: ", 1)[1]
    for status in SUMMARY_STATUSES:
        mm = re.search(rf"{re.escape(STATUS[status][0 if lang == 'zh' else 1])} (\d+)", rest)
        if mm:
            out[status.value] = int(mm[1])
    return out


@pytest.mark.parametrize("which", ["single", "combined"])
def test_every_format_shows_the_same_counts(which, request):
    report = request.getfixturevalue(which)
    want = expected_counts(report)
    data = json.loads(json_report.render(report))
    s = data["summary"]
    from_json = {**s["nonconformities"], **{k: s["results"].get(k, 0) for k in want if k not in s["nonconformities"]}}
    assert from_json == want
    md = md_report.render(report).decode("utf-8")
    assert md_counts(md, "zh") == want and md_counts(md_report.render(report, "en").decode("utf-8"), "en") == want
    page = html_report.render(report).decode("utf-8")
    assert html_counts(page) == {k: v for k, v in want.items() if k != "total"}
    assert csv_counts(report) == {k: want[k] for k in ("total", "major", "minor")}
    assert terminal_counts(terminal(report)) == want and terminal_counts(terminal(report, "en"), "en") == want
    # every numbered nonconformity is listed once in each format
    listed = next(sec for sec in md.split("\n## ") if sec.startswith(REPORT["ncs"][0]))  # the NC list itself
    assert listed.count("\n### NC-") == page.count('class="nc ') == want["total"] == len(data["nonconformities"])


def test_nonconformities_and_rule_results_are_not_confused(single):
    """Rule results of a defect merge into one numbered nonconformity: the two counts differ for the example
    park, and the reports show the numbered count under its own label and the other results apart."""
    results_nc = sum(1 for r in single.results if r.status is Status.NONCONFORMITY)
    assert results_nc > len(single.nonconformities)  # the example does merge results
    md = md_report.render(single).decode("utf-8")
    summary = next(sec for sec in md.split("\n## ") if sec.startswith(REPORT["summary"][0]))
    assert f" {results_nc} " not in summary and f"{len(single.nonconformities)} 项" in summary
    assert REPORT["sum_ncs_note"][0] in summary and REPORT["sum_results"][0] in summary


# -- 1. labels from one table: no raw keys --------------------------------------------------------------

RAW_KEYS = {s.value for s in Status} | {f"nonconformity_{g.value}" for g in Grade}
# in English "major", "minor", "error" and "nonconformity" are words of the labels themselves
RAW_KEYS_EN = {k for k in RAW_KEYS if "_" in k} | {"conform", "onsite"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_raw_keys_in_the_reports(single, combined, lang):
    raw = RAW_KEYS | {"major", "minor", "Errors"} if lang == "zh" else RAW_KEYS_EN
    for report in (single, combined):
        md = re.sub(r"`[^`]*`", " ", md_report.render(report, lang).decode("utf-8"))
        seen = html_text(html_report.render(report, lang).decode("utf-8"), keep_code=False)
        for text in (md, seen, terminal(report, lang)):
            assert set(WORD.findall(text)) & raw == set()


# -- 2. one language per report -------------------------------------------------------------------------

LOCATION = re.compile(r"^(?P<file>[^:#\s]+\.(?:ya?ml|json|csv|xlsx))(?::\d+)?(?:#(?P<ptr>/\S*))?$")


def _schema_words() -> set[str]:
    """Field names, kinds and enum values of the evidence schemas: what a message may cite as a field."""
    words: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            words.update(k for k in node.get("properties", {}) if isinstance(node.get("properties"), dict))
            words.update(str(v) for v in node.get("enum", []) if isinstance(v, str))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in SCHEMAS.glob("*.schema.json"):
        words.add(path.name.split(".")[0])
        walk(json.loads(path.read_text(encoding="utf-8")))
    return words


def _bundle_words(bundle: Path) -> set[str]:
    """Every word of every string value of the bundle (document numbers, units, states the park wrote)."""
    words: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            words.update(WORD.findall(node))

    for path in bundle.rglob("*.yaml"):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return words


def _zh_source_words(report) -> set[str]:
    """Words of the Chinese text the report quotes or renders from its sources: the packs' zh messages,
    requirements and clause titles (standard text), standard codes, rule and nonconformity ids."""
    texts = [p.code for p in report.packs] + [p.title for p in report.packs]
    for r in report.results:
        texts += [r.rule, r.requirement, r.message.zh, r.remediation.zh if r.remediation else "",
                  r.reason.zh if r.reason else ""]
    for n in report.nonconformities:
        texts += [n.id, n.requirement, n.finding.zh, n.remediation.zh if n.remediation else ""]
    texts += [v.title for v in report.verdicts] + [v.clause for v in report.verdicts]
    return {w for text in texts for w in WORD.findall(text)}


def latin_words(text: str) -> set[str]:
    return set(WORD.findall(text))


def check_code_spans(spans: list[str], report) -> None:
    """What a report shows as code is a location in the bundle, a file, a kind or a checksum."""
    files = {f.path for f in report.files}
    kinds = {f.kind for f in report.files if f.kind}
    sums = {f.sha256 for f in report.files}
    for span in spans:
        m = LOCATION.match(span)
        assert (m and m["file"] in files) or span in kinds or span in sums or span in files, span


@pytest.mark.parametrize("which", ["single", "combined"])
def test_a_chinese_report_has_no_english_words(which, request):
    """Every Latin word of the zh Markdown and HTML is a code the reader needs: a file name, location or
    checksum (code spans, checked), a field name, kind or value of the evidence schemas, a word of the
    park's own data, a standard code, clause, rule id or nonconformity id, or words of the packs' Chinese
    texts; besides these only the tool's name and the checksum's name (SHA-256) appear."""
    report = request.getfixturevalue(which)
    allowed = _schema_words() | _bundle_words(DEFECTIVE) | _zh_source_words(report) | {"parkcheck", "SHA-256"}
    # the park's file names (the NCR forms cite them beside the document numbers) and PDCA, the name the
    # management-system standards themselves use for the cycle of the readiness view
    allowed |= {f.path for f in report.files} | {"PDCA"}
    md = md_report.render(report).decode("utf-8")
    spans = re.findall(r"`([^`]*)`", md)
    check_code_spans(spans, report)
    prose = htmlmod.unescape(re.sub(r"`[^`]*`|<br>", " ", md))
    assert latin_words(prose) - allowed == set()
    page = html_report.render(report).decode("utf-8")
    check_code_spans([htmlmod.unescape(s) for s in re.findall(r"<code>(.*?)</code>", page)], report)
    assert latin_words(html_text(page, keep_code=False)) - allowed == set()
    text = terminal(report)
    for location in sorted({e.location() for r in report.results for e in r.evidence}
                           | {e.location() for n in report.nonconformities for e in n.evidence}, key=len, reverse=True):
        text = text.replace(location, " ")  # the terminal shows locations as plain text
    assert latin_words(text) - allowed - {f.path for f in report.files} == set()


def test_evidence_notes_are_in_the_report_language(single):
    nc = next(n for n in single.nonconformities if any(e.note for e in n.evidence))
    note = next(e.note for e in nc.evidence if e.note)
    zh, en = md_report.render(single).decode("utf-8"), md_report.render(single, "en").decode("utf-8")
    assert note.zh in zh and note.en not in zh and note.en in en and note.zh not in en
    data = json.loads(json_report.render(single))
    notes = [e["note"] for n in data["nonconformities"] for e in n["evidence"] if "note" in e]
    assert notes and all(set(x) == {"zh", "en"} for x in notes)  # JSON keeps both languages


def test_an_english_report_has_chinese_only_in_quoted_text(combined):
    """Chinese in an --lang en report comes only from the bundle (the park's data), the standards (codes,
    titles, clause titles, quoted requirements) — never from the tool's own words."""
    md = re.sub(r"`[^`]*`", " ", md_report.render(combined, "en").decode("utf-8"))
    page = html_text(html_report.render(combined, "en").decode("utf-8"), keep_code=False)
    quoted = {*(p.code for p in combined.packs), *(p.title for p in combined.packs),
              *(v.title for v in combined.verdicts), *(r.requirement for r in combined.results)}

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            quoted.add(node)

    for path in DEFECTIVE.rglob("*.yaml"):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    for path in DEFECTIVE.rglob("*.csv"):  # the park's tables (energy ledger, GHG inventory) are its data too
        with path.open(encoding="utf-8", newline="") as fh:
            walk(list(csv.reader(fh)))
    for rest in (md, page, terminal(combined, "en")):
        for text in sorted((q for q in quoted if CJK.search(q)), key=len, reverse=True):  # longest first
            rest = rest.replace(text, " ")
        assert [line for line in rest.splitlines() if CJK.search(line)] == []


# -- 4. title-only verdicts marked in every format ------------------------------------------------------

def test_title_only_verdicts_are_marked_in_every_format(combined, single):
    on_title = {(r.standard, r.rule) for r in combined.results if r.source == TITLE_ONLY}
    assert on_title and all(std == CECC for std, _ in on_title)
    nc = next(n for n in combined.nonconformities if on_title & set(n.members))
    clause = next(c for s, c in nc.clauses if s == CECC)
    code = next(p.code for p in combined.packs if p.id == CECC)
    mark_zh, mark_en = REPORT["title_only"]
    md = md_report.render(combined).decode("utf-8")
    head = next(line for line in md.splitlines() if line.startswith(f"### {nc.id} "))
    assert f"{code} {clause}（{mark_zh}）" in head
    assert md.count(REPORT["title_only_note"][0]) == 1  # explained once
    assert f"{code} {clause} ({mark_en})" in md_report.render(combined, "en").decode("utf-8")
    page = html_report.render(combined).decode("utf-8")
    block = page[page.index(f"<strong>{nc.id}</strong>"):]
    block = block[:block.index("</div>")]
    assert f'<span class="tag title-only">{mark_zh}</span>' in block
    assert page.count(htmlmod.escape(REPORT["title_only_note"][0], quote=False)) == 1
    row = next(r for r in csv_rows(combined) if r["编号"] == nc.id)
    assert row["仅依据标题的条款"] == f"{code} {clause}"
    data = json.loads(json_report.render(combined))
    schemas = load_schemas()  # the marks are part of the documented report format
    assert list(schemas.validator(schemas.schema("report.schema.json")).iter_errors(data)) == []
    item = next(c for n in data["nonconformities"] if n["id"] == nc.id for c in n["clauses"] if c["standard"] == CECC)
    assert item == {"standard": CECC, "clause": clause, "title_only": True}
    assert data["summary"]["title_only"]["results"] == sum(1 for r in combined.results if r.source == TITLE_ONLY)
    assert sum(1 for v in data["verdicts"] if v.get("title_only")) == data["summary"]["title_only"]["clauses"] > 0
    assert all(not v.get("title_only") for v in data["verdicts"] if v["standard"] != CECC)
    text = terminal(combined)
    assert f"{code} {clause}（{mark_zh}）" in text and text.count(REPORT["title_only_note"][0]) == 1
    # a report with no title-only rule shows neither marks nor the note
    plain = md_report.render(single).decode("utf-8")
    assert mark_zh not in plain and REPORT["title_only_note"][0] not in plain


# -- 5. combined audit: each standard named once per section; CSV clauses paired ----------------------

def test_combined_sections_name_each_standard_once(combined):
    md = md_report.render(combined).decode("utf-8")
    codes = [p.code for p in combined.packs]
    rows = [line for line in md.splitlines() if line.startswith("| ") or line.startswith("- ")]
    assert not [r for r in rows if any(r.startswith(f"| {c} ") or r.startswith(f"- {c} ") for c in codes)]
    for section in ("onsite", "verdicts"):
        body = md.split(f"\n## {REPORT[section][0]}\n", 1)[1].split("\n## ", 1)[0]
        heads = [line[4:] for line in body.splitlines() if line.startswith("### ")]
        assert len(heads) == len(set(heads)) and heads
    cecc = next(p for p in combined.packs if p.id == CECC)
    assert cecc.code == cecc.title and f"{cecc.code} {cecc.title}" not in md  # not named twice over


def test_csv_pairs_every_clause_with_its_standard(combined):
    packs = {p.id: p for p in combined.packs}
    rows = csv_rows(combined)
    assert [r["编号"] for r in rows] == [n.id for n in combined.nonconformities]  # one row per nonconformity
    for nc, row in zip(combined.nonconformities, rows, strict=True):
        for standard, clause in nc.clauses:
            assert re.search(rf"(^|; ){re.escape(packs[standard].code)} ([^;]*、)?{re.escape(clause)}(、|;|$)",
                             row["标准条款"]), (row["标准条款"], clause)
        assert not {p.id for p in combined.packs} & set(re.split(r"; ", row["标准"]))  # never a pack id
        assert row["标准条款"] == row["标准条款"].strip() and not row["标准条款"].startswith(("=", "'", "\t"))
    assert "整改建议" not in rows[0]  # an audit report carries no advice column
    assert "整改建议" in csv_rows(in_mode(combined, "precheck"))[0]


def test_csv_clause_cells_stay_text_in_a_spreadsheet(single, tmp_path):
    """LibreOffice opens the CSV the way a spreadsheet does: a bare clause number turns into a number (the
    control), a clause paired with its standard's code stays text, exactly as written."""
    import shutil
    import subprocess

    openpyxl = pytest.importorskip("openpyxl")
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    (tmp_path / "nonconformities.csv").write_bytes(csv_report.render(single))
    (tmp_path / "control.csv").write_bytes(b"\xef\xbb\xbfclause\r\n5.1\r\n10.2\r\n")
    proc = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                           "--convert-to", "xlsx", "--infilter=CSV:44,34,76,1", "--outdir", str(tmp_path),
                           str(tmp_path / "nonconformities.csv"), str(tmp_path / "control.csv")],
                          capture_output=True, timeout=180)
    if not (tmp_path / "control.xlsx").exists():  # soffice without Calc (libreoffice-calc-nogui) cannot load a CSV
        pytest.skip(f"LibreOffice Calc cannot open CSV here: {proc.stdout.decode(errors='replace').strip()}")
    control = openpyxl.load_workbook(tmp_path / "control.xlsx").active
    assert [c.value for c in control["A"][1:]] == [5.1, 10.2]  # what a bare clause number becomes
    sheet = openpyxl.load_workbook(tmp_path / "nonconformities.xlsx").active
    cells = [c.value for c in sheet["B"][1:]]
    assert cells == [r["标准条款"] for r in csv_rows(single)] and all(isinstance(v, str) for v in cells)


def test_csv_keeps_formula_escaping(tmp_path):
    from checker.escape import csv_cell

    assert csv_cell("=1+1").startswith("'") and csv_cell("@SUM(A1)").startswith("'")
    assert csv_cell("T/CPQS ZC001—2025 5.1") == "T/CPQS ZC001—2025 5.1"
