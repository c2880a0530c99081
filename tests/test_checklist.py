"""``parkcheck checklist``: the per-clause checklist and the data dictionary, generated from the packs
and schemas, committed under docs/ and kept up to date."""

from __future__ import annotations

import io

import pytest

from checker.checklist import checklist, docs_files
from checker.coverage import NOT_COVERED, coverage
from checker.dictionary import dictionary
from checker.doctable import Document, Section, render, to_html, to_markdown, to_xlsx
from checker.errors import EXIT_INPUT_ERROR, EXIT_OK
from checker.packs import available_packs, get_pack
from checker.readers import ON_SITE, Reading, check_method, enum_labels, walk_schema
from checker.schemas import load_schemas

from .conftest import ROOT

PACKS = available_packs()


def test_committed_checklists_and_data_dictionary_are_up_to_date():
    """docs/checklist/*.md and docs/data-dictionary.md are generated: `parkcheck checklist --docs docs`."""
    expected = docs_files([get_pack(p) for p in PACKS], load_schemas())
    assert set(expected) == {f"checklist/{p}.md" for p in PACKS} | {"data-dictionary.md"}
    for name, data in expected.items():
        page = ROOT / "docs" / name
        assert page.is_file(), f"{page} missing: run parkcheck checklist --docs docs"
        assert page.read_bytes() == data, f"{page} is stale: run parkcheck checklist --docs docs"


def _rows(pack_id: str, lang: str = "zh") -> dict[str, list[str]]:
    doc = checklist([get_pack(pack_id)], load_schemas(), lang)
    (section,) = doc.sections
    return {row[0]: row for row in section.rows}


@pytest.mark.parametrize("pack_id", PACKS)
def test_every_clause_with_rules_or_a_requirement_has_a_row(pack_id):
    pack = get_pack(pack_id)
    rows = _rows(pack_id)
    reading = Reading([pack], load_schemas())
    for cov in coverage(pack):
        if not cov.normative and not cov.rules:
            continue
        entry = pack.catalogue[cov.clause]
        row = rows[f"{cov.clause} {entry.title}".strip()]
        assert (entry.text or entry.title) in row[1]  # the requirement, quoted
        assert row[5].split("\n") == list(cov.rules) if cov.rules else row[5] == ""
        if cov.status == NOT_COVERED:
            assert "未检查" in row[4]
        for rule in (r for r in pack.rules if r.clause == cov.clause):
            # how: every method the clause's rules use; where: every field they read
            assert {"document": "查阅文件", "data": "核对数据", "onsite": "现场核实"}[check_method(rule, pack)] in row[4]
            for kind, path in reading.fields_of_rule(pack, rule):
                assert f"（{kind}.yaml）" in row[3]
                if path:
                    assert f"（{path}）" in row[3], (rule.id, kind, path)
    assert len(rows) == len([c for c in coverage(pack) if c.normative or c.rules])


def test_check_methods_follow_the_rule_declarations():
    pack = get_pack("t-cpqs-zc001-2025")
    methods = {r.id: check_method(r, pack) for r in pack.rules}
    onsite = [r for r in pack.rules if r.on_pass == "onsite" or (r.when_none or {}).get("status") == "onsite"]
    assert onsite and all(methods[r.id] == ON_SITE for r in onsite)
    aggregates = [r for r in pack.rules if r.for_each.startswith("agg.")]
    joins = [r for r in pack.rules if isinstance(r.expect, dict) and "exists" in r.expect and r not in onsite]
    assert all(methods[r.id] == "data" for r in aggregates + joins)
    assert methods["zc001-10.2-interval"] == "data"  # intervals measured from the audit date
    assert methods["zc001-10.2-a"] == "document"  # a conclusion is written in the audit report
    rows = _rows("t-cpqs-zc001-2025")
    assert any("现场核实" in row[4] and "现场：" in row[4] for row in rows.values())


def test_english_alongside():
    rows = _rows("t-cpqs-zc001-2025", "en")
    row = next(v for k, v in rows.items() if k.startswith("10.2 a)"))
    assert "查阅文件 / by document" in row[4]
    assert "Internal audit" in row[3] or "internal audit" in row[3].lower()
    doc = checklist([get_pack("t-cpqs-zc001-2025")], load_schemas(), "en")
    assert "Conformity checklist" in doc.title and "/ Clause" in doc.sections[0].columns[0]


def test_data_dictionary_lists_every_kind_field_label_and_reading_clause():
    schemas = load_schemas()
    packs = [get_pack(p) for p in PACKS]
    doc = dictionary(packs, schemas)
    reading = Reading(packs, schemas)
    sections = {s.heading.split("：")[0]: s for s in doc.sections}
    assert set(sections) == set(schemas.kinds)
    for kind, section in sections.items():
        rows = {row[0]: row for row in section.rows}
        for f in walk_schema(schemas, kind):
            if f.path == "kind":
                continue
            row = rows[f.path]
            assert row[1] == f.title and row[5] == ("必填" if f.required else "选填")
            target = f.node.get("items", f.node) if f.is_array else f.node
            for value, label in enum_labels(target).items():
                assert f"{value}：{label}" in row[4]
            for _pack, rule in reading.rules_of(kind, f.path):
                assert rule.clause in row[6], (kind, f.path, rule.id)
    policy = {row[0]: row for row in sections["policy"].rows}
    assert "6.2 d)" in policy["commitments.type"][6] and "legal_compliance：满足适用法律法规" in policy["commitments.type"][4]
    review = {row[0]: row for row in sections["review_report"].rows}
    assert review["figures.area_km2"][3] == "平方千米"


HOSTILE = ["<script>alert(1)</script>", "a | b", "=HYPERLINK(\"http://x\")", "line1\nline2", "**bold** [x](y)",
           "\x1b[31mred\u202e"]


def _hostile_doc() -> Document:
    return Document("T<i>itle</i>", ["note <b>"], [Section("H & <h>", ["n|ote"], ["c1", "c<2>"], [HOSTILE[:2], HOSTILE[2:4],
                                                                                          HOSTILE[4:]])])


def test_markdown_and_html_escape_the_text():
    md = to_markdown(_hostile_doc())
    assert "<script>" not in md and "&lt;script&gt;" in md and "<i>" not in md
    assert "a \\| b" in md and "line1<br>line2" in md and "\\*\\*bold\\*\\*" in md and "\\[x\\]" in md
    assert "\x1b" not in md and "\u202e" not in md
    html = to_html(_hostile_doc())
    assert "<script>" not in html and "&lt;script&gt;" in html and "T&lt;i&gt;itle" in html
    assert "line1<br>line2" in html and "\x1b" not in html and "\u202e" not in html


def test_xlsx_cells_are_text_never_formulas():
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(to_xlsx(_hostile_doc())))
    ws = wb.worksheets[1]
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert "=HYPERLINK(\"http://x\")" in values
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "=HYPERLINK(\"http://x\")")
    assert cell.data_type == "s"
    assert not any(isinstance(v, str) and "\x1b" in v for v in values)
    # the same packs give the same bytes
    doc = checklist([get_pack("t-seesa-010-2025")], load_schemas())
    assert render(doc, "xlsx") == render(doc, "xlsx")


def test_xlsx_checklist_has_a_sheet_per_standard_with_every_row(tmp_path, cli):
    from openpyxl import load_workbook

    out = tmp_path / "checklist.xlsx"
    result = cli("checklist", "--standard", "t-cpqs-zc001-2025", "--standard", "t-seesa-010-2025", "--format", "xlsx",
                 "--out", out)
    assert result.exit_code == EXIT_OK, result.stderr
    wb = load_workbook(out, read_only=True)
    assert len(wb.sheetnames) == 3
    for name, pack_id in zip(wb.sheetnames[1:], ["t-cpqs-zc001-2025", "t-seesa-010-2025"], strict=True):
        rows = list(wb[name].iter_rows(values_only=True))
        header = next(i for i, r in enumerate(rows) if r[0] == "条款")
        assert [r[0] for r in rows[header + 1:]] == list(_rows(pack_id))
    assert cli("checklist", "--format", "xlsx").exit_code == EXIT_INPUT_ERROR  # xlsx needs --out


def test_cli_prints_markdown_and_html(cli):
    md = cli("checklist", "--standard", "t-seesa-010-2025")
    assert md.exit_code == EXIT_OK and md.stdout.startswith("<!-- ") and "| 条款 |" in md.stdout
    html = cli("checklist", "--standard", "t-seesa-010-2025", "--format", "html", "--lang", "en")
    assert html.exit_code == EXIT_OK and html.stdout.startswith("<!DOCTYPE html>") and "How it is checked" in html.stdout
    dd = cli("checklist", "--dictionary", "--standard", "t-seesa-010-2025")
    assert dd.exit_code == EXIT_OK and "## seesa_indicators" in dd.stdout
    assert cli("checklist", "--standard", "nope").exit_code == EXIT_INPUT_ERROR
