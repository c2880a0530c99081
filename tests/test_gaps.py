"""A gap is a finding, not a rejected bundle (issue 9 item 3).

Content gaps (a required field left out, an empty list or text, a value out of range or left blank)
no longer stop `check`: the document is checked without the value and the gap is a finding at the
clause that needs it, with file and line.  Errors that make a document unreadable or meaningless
(wrong type, bad date, unknown field, an enum typo, anything in bundle.yaml) still exit 2."""

from __future__ import annotations

import csv
import io
import json
import re
from functools import lru_cache

import pytest

from checker.bundle import bundle_from_files, read_files
from checker.cases import apply_patches
from checker.check import check_bundle, run_check
from checker.errors import EXIT_FINDINGS, EXIT_INPUT_ERROR, EXIT_OK, InputError
from checker.evidence import accept_gaps, split_gaps, validate_bundle
from checker.model import Grade, Status
from checker.packs import available_packs, get_pack
from checker.reporters import json_report
from checker.schemas import load_schemas

from .conftest import CONFORMING, PACK, edit_text, example_report, run_in_process

SEESA = "t-seesa-010-2025"
FINDING = (Status.NONCONFORMITY, Status.OBSERVATION)


@lru_cache(maxsize=1)
def _raw() -> tuple[str, dict[str, bytes]]:
    return read_files(CONFORMING)


def required_field_removals() -> list[tuple[str, str, str, str]]:
    """(kind, file, pointer, format) of one removal per required field of every schema, as the example
    park fills them (the first object of each schema path): derived from the schemas, not listed."""
    schemas = load_schemas()
    name, raw = _raw()
    bundle = bundle_from_files(name, str(CONFORMING), dict(raw), schemas.table_fields())
    out: dict[tuple, tuple] = {}
    for doc in bundle.documents:
        for ptr, value, node in schemas.walk_instance(doc.kind, doc.data):
            if not isinstance(value, dict):
                continue
            for f in node.get("required", []):
                if f in value and not (ptr == "" and f == "kind"):
                    if doc.fmt == "csv" and ptr == "":
                        continue  # a table cannot leave out its rows' array; an empty table is a valid table
                    out.setdefault((doc.kind, re.sub(r"/\d+", "/*", ptr), f), (doc.kind, doc.path, f"{ptr}/{f}", doc.fmt))
    return [out[k] for k in sorted(out)]


REMOVALS = required_field_removals()


def _remove(files: dict[str, bytes], file: str, pointer: str, fmt: str) -> dict[str, bytes]:
    if fmt != "csv":
        return apply_patches(files, ({"op": "remove", "file": file, "path": pointer},))
    rows = list(csv.reader(io.StringIO(files[file].decode("utf-8-sig"), newline="")))
    _, _, index, column = pointer.split("/")
    rows[int(index) + 1][rows[0].index(column)] = ""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return {**files, file: out.getvalue().encode("utf-8")}


def _packs_reading(kind: str) -> list[str]:
    """The packs to check a gap of this document kind with: T/CPQS when it reads the kind, else the
    first pack that does (keeps the sweep quick; the combined audit is tested below)."""
    for pid in [PACK] + [p for p in available_packs() if p != PACK]:
        if any(kind in r.reads for r in get_pack(pid).rules):
            return [pid]
    return [PACK]


def test_the_sweep_covers_every_schema_with_required_fields():
    kinds = {k for k, *_ in REMOVALS}
    schemas = load_schemas()
    example = {d.kind for d in bundle_from_files("x", "x", dict(_raw()[1]), schemas.table_fields()).documents}
    assert kinds >= {k for k in example if set(schemas.by_kind[k].get("required", [])) - {"kind"}} - {"bundle"}
    assert len(REMOVALS) > 100


@pytest.mark.parametrize(("kind", "file", "pointer", "fmt"), REMOVALS, ids=[f"{f}#{p}" for _, f, p, _ in REMOVALS])
def test_every_required_field_left_out_is_a_finding_not_exit_2(kind, file, pointer, fmt):
    schemas = load_schemas()
    name, raw = _raw()
    bundle = bundle_from_files(name, str(CONFORMING), _remove(dict(raw), file, pointer, fmt), schemas.table_fields())
    errors, gaps = split_gaps(validate_bundle(bundle, schemas))
    assert errors == []  # would have been exit 2
    # (a YAML alias shares one object between records: the field then goes from each of them)
    assert (file, pointer, "required") in [(g.file, g.field, g.gap) for g in gaps]
    assert {(g.file, g.field.rsplit("/", 1)[1], g.gap) for g in gaps} == {(file, pointer.rsplit("/", 1)[1], "required")}
    assert all(g.line is not None for g in gaps)  # the line of the object that lacks the field
    accept_gaps(bundle, gaps, schemas)
    packs = _packs_reading(kind)
    # the rules that read the kind and what their results depend on (checker.selection: their results
    # are those of a full check; the gap is attributed with the whole pack, then only their findings kept)
    reading = frozenset(r.id for p in packs for r in get_pack(p).rules if kind in r.reads) or None
    report = check_bundle(bundle, packs, gaps=gaps, select=reading)  # no internal error
    assert [r.rule for r in report.results if r.status is Status.ERROR] == []
    assert len(report.content_gaps) == len(gaps)
    [listed] = [g for g in report.content_gaps if g.pointer == pointer]
    if listed.reported_as == "not_covered":  # only when no rule of the selected packs reads that document
        assert not any(kind in r.reads for p in packs for r in get_pack(p).rules)
        return
    findings = [r for r in report.results if r.status in FINDING and any(e.file == file for e in r.evidence)]
    assert findings, f"no finding at {file} for the gap {pointer}"
    if not any(r.status is Status.NONCONFORMITY for r in findings):
        # an observation only when every rule that judged it is a 宜/可 recommendation
        rules = {r.id: r for p in packs for r in get_pack(p).rules}
        assert all(rules[r.rule].grade == "observation" for r in findings), findings
    else:
        assert any(any(e.file == file for e in nc.evidence) for nc in report.nonconformities)


def _baseline_copy(tmp_path, old: str, new: str):
    dest = tmp_path / "park"
    import shutil
    shutil.copytree(CONFORMING, dest)
    line = edit_text(dest / "baseline.yaml", old, new, 1)
    return dest, line


@pytest.mark.parametrize(("old", "new", "keyword"), [
    ("  base_year: 2022\n", "", None),          # left out: no schema gap, the baseline rule of 7.5 judges it
    ("  base_year: 2022\n", "  base_year:\n", "blank"),  # left blank (YAML null), as a harness `set … value: null` writes it
    ("  base_year: 2022\n", "  base_year: 1800\n", "minimum"),  # out of range: treated as not given
], ids=["left-out", "blank", "out-of-range"])
def test_a_baseline_without_a_base_year_is_a_nonconformity_at_7_5(tmp_path, old, new, keyword):
    bundle, _ = _baseline_copy(tmp_path, old, new)
    proc = run_in_process("validate", bundle)
    if keyword is None:
        assert proc.returncode == EXIT_OK  # the schema asks only for the baseline's id; the content is a rule's
    else:
        assert proc.returncode == EXIT_FINDINGS
        [line] = [ln for ln in proc.stdout.splitlines() if "/baselines/0/base_year" in ln]
        assert line.endswith(("[content gap (reported as a finding by check)]",
                              "[optional value left empty: treated as not given]"))
    proc = run_in_process("check", bundle, "-q")
    assert proc.returncode == EXIT_FINDINGS, proc.stderr  # nonconformities, not invalid evidence
    report = run_check(bundle)
    [nc] = report.nonconformities
    assert nc.clauses == ((PACK, "7.5"),) and nc.grade is Grade.MINOR
    # the baseline record BL-2022-INT that lacks the field, or the line of the value not used
    assert nc.evidence[0].file == "baseline.yaml" and nc.evidence[0].line in (4, 6)
    if keyword is None:
        assert "基准年" in nc.finding.zh and report.content_gaps == ()
        return
    [gap] = report.content_gaps  # accounted for: by the 7.5 rule that needs the base year
    assert (gap.file, gap.pointer) == ("baseline.yaml", "/baselines/0/base_year")
    assert gap.keyword in (keyword, "optional") and gap.reported_as in ("rule", "finding", "optional")


def test_the_rest_of_the_report_is_produced(tmp_path):
    bundle, _ = _baseline_copy(tmp_path, "  base_year: 2022\n", "")
    report = run_check(bundle)
    full = example_report(CONFORMING)
    assert {r.rule for r in report.results} == {r.rule for r in full.results}
    assert len([v for v in report.verdicts if v.status is Status.CONFORM]) >= \
        len([v for v in full.verdicts if v.status is Status.CONFORM]) - 3


def test_a_gap_a_rule_already_finds_is_one_finding_with_the_gap_located(tmp_path):
    """A record list left out: the rule's "none found" result is the finding, and it now also points at
    the document that lacks the list (not only at bundle.yaml)."""
    import shutil
    dest = tmp_path / "park"
    shutil.copytree(CONFORMING, dest)
    text = (dest / "competence.yaml").read_text(encoding="utf-8")
    start = text.index("roles:")
    end = text.index("\n", text.index("\n", start) + 1)
    while text[end + 1:end + 2] in (" ", "-"):
        end = text.index("\n", end + 1)
    (dest / "competence.yaml").write_text(text[:start] + text[end + 1:], encoding="utf-8")
    report = run_check(dest)
    ncs = [nc for nc in report.nonconformities if any(e.file == "competence.yaml" for e in nc.evidence)]
    assert len(ncs) == 1 and (PACK, "8.2") in ncs[0].clauses
    assert [g.reported_as for g in report.content_gaps] == ["rule"]


def test_an_item_of_an_embedded_list_without_its_required_field(tmp_path):
    """A commitment without its type cannot count as any commitment: no engine error, and the clause
    that needs that commitment is breached."""
    import shutil
    dest = tmp_path / "park"
    shutil.copytree(CONFORMING, dest)
    edit_text(dest / "policy.yaml", "{type: legal_compliance, text:", "{text:")
    report = run_check(dest)
    assert not [r for r in report.results if r.status is Status.ERROR]
    [nc] = report.nonconformities
    assert (PACK, "6.2 d)") in nc.clauses and nc.evidence[0].file == "policy.yaml"


def test_a_gap_no_rule_reads_is_listed_not_dropped(tmp_path):
    """A required field left out of a document no rule of the selected standards reads (the SEESA basic
    requirements, checked against T/CPQS only): no finding of T/CPQS, but listed, never dropped."""
    import shutil
    dest = tmp_path / "park"
    shutil.copytree(CONFORMING, dest)
    edit_text(dest / "seesa_basic.yaml", "incidents_3y:", "x-incidents_3y:")
    report = run_check(dest, [PACK])
    assert report.nonconformities == ()
    [gap] = report.content_gaps
    assert gap.file == "seesa_basic.yaml" and gap.reported_as == "not_covered" and gap.standards == ()
    data = json.loads(json_report.render(report))
    schemas = load_schemas()
    assert list(schemas.validator(schemas.schema("report.schema.json")).iter_errors(data)) == []
    assert data["content_gaps"][0]["reported_as"] == "not_covered"
    from checker.reporters import md_report
    md = md_report.render(report).decode("utf-8")
    where = f"seesa_basic.yaml:{gap.line}#{gap.pointer}" if gap.line else f"seesa_basic.yaml#{gap.pointer}"
    assert "## 所选标准的规则未读取的内容缺失" in md and where in md
    proc = run_in_process("check", dest, "--standard", PACK)
    # the schema's complaint in the report's language (zh by default), with English alongside in the JSON
    assert gap.message.en == "required field is missing" and data["content_gaps"][0]["message"]["en"] == gap.message.en
    assert proc.returncode == 0 and f"{where}: {gap.message.zh}" in proc.stdout and "required field" not in proc.stdout
    # checked against the standard that reads it, the same gap is a finding
    assert run_check(dest, ["t-seesa-010-2025"]).nonconformities


def test_a_value_out_of_range_is_not_used(tmp_path):
    """Fail closed: remaining emissions written as a negative number are treated as not given, so the
    零碳园区 designation cannot be shown; the gap is a finding with its line."""
    import shutil
    dest = tmp_path / "park"
    shutil.copytree(CONFORMING, dest)
    line = edit_text(dest / "seesa_basic.yaml", "remaining_tco2: 9800", "remaining_tco2: -5")
    report = run_check(dest, [SEESA])
    [score] = report.scores
    assert score.designation is False
    [nc] = report.nonconformities
    assert nc.evidence[0].file == "seesa_basic.yaml" and nc.evidence[0].line == line
    assert nc.evidence[0].pointer == "/emissions/remaining_tco2"


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("baseline.yaml", "  base_year: 2022\n", "  base_year: 二〇二二\n", "expected integer"),  # wrong type
    ("policy.yaml", "status: effective", "status: effectiv", "is not one of"),  # enum typo
    ("policy.yaml", "issue_date: 2023-02-20", "issue_date: 2023-02-30", "expected a date"),  # unparseable date
    ("policy.yaml", "statement:", "statment:", "unknown field"),  # typo in a field name
    ("bundle.yaml", "  name: 绿谷高新技术产业开发区\n", "", "required field is missing"),  # the manifest must be complete
], ids=["type", "enum", "date", "unknown-field", "manifest"])
def test_unreadable_or_meaningless_values_still_exit_2(tmp_path, file, old, new, message):
    import shutil
    dest = tmp_path / "park"
    shutil.copytree(CONFORMING, dest)
    edit_text(dest / file, old, new, 1)
    proc = run_in_process("check", dest)
    assert proc.returncode == EXIT_INPUT_ERROR
    assert f"invalid evidence: {file}:" in proc.stderr and message in proc.stderr
    assert "content gap" not in proc.stderr


def test_empty_text_is_a_gap_the_rule_reading_it_reports(tmp_path):
    """`statement: ""` (empty where text is wanted): not exit 2; the rule that needs the statement finds
    it missing, at the policy file; the gap is accounted for by that rule."""
    import shutil
    dest = tmp_path / "park"
    shutil.copytree(CONFORMING, dest)
    text = (dest / "policy.yaml").read_text(encoding="utf-8")
    start = text.index("statement: |")
    end = text.index("\n", text.index("持续改进碳排放管理绩效和管理体系"))
    (dest / "policy.yaml").write_text(text[:start] + 'statement: "  "' + text[end:], encoding="utf-8")
    proc = run_in_process("validate", dest)
    assert proc.returncode == EXIT_FINDINGS and "Full text of the policy (/statement):" in proc.stdout and "[content gap" in proc.stdout
    report = run_check(dest)
    [nc] = [n for n in report.nonconformities if "zc001-6.2-established" in n.rules]
    assert (PACK, "6.2") in nc.clauses and nc.grade is Grade.MAJOR and nc.evidence[0].file == "policy.yaml"
    [gap] = report.content_gaps
    assert (gap.pointer, gap.keyword, gap.reported_as) == ("/statement", "minLength", "rule")


def test_an_optional_value_left_empty_is_simply_not_given(tmp_path):
    """`url:` with nothing after it in the scope's publication (optional, and no rule needs it): no exit 2
    and no finding; `validate` still lists it."""
    import shutil
    bundle = tmp_path / "park"
    shutil.copytree(CONFORMING, bundle)
    line = edit_text(bundle / "scope.yaml", "  url: https://lvgu.example.cn/carbon/scope", "  url:")
    proc = run_in_process("validate", bundle)
    assert proc.returncode == EXIT_FINDINGS
    assert f"scope.yaml:{line}:3: URL (/publication/url): left blank" in proc.stdout
    assert "[optional value left empty: treated as not given]" in proc.stdout
    assert run_in_process("check", bundle, "-q").returncode == 0
    report = run_check(bundle)
    assert report.nonconformities == ()
    assert [(g.pointer, g.keyword, g.reported_as) for g in report.content_gaps] == [
        ("/publication/url", "optional", "optional")]


def test_an_optional_value_a_rule_needs_is_judged_by_that_rule(tmp_path):
    """`period:` left empty (optional in the schema, but 7.5 requires the period considered): the rule
    finds it missing — one nonconformity, at its own clause and grade."""
    bundle, _line = _baseline_copy(tmp_path, "  period: 2022 年全年，考虑工业增加值和采暖度日数\n", "  period: ''\n")
    report = run_check(bundle)
    [nc] = report.nonconformities
    assert nc.clauses[0] == (PACK, "7.5") and nc.rules[0].startswith("zc001-7.5") and nc.evidence[0].file == "baseline.yaml"


def test_a_patch_selector_joins_conditions_to_pick_one_of_two_items():
    """Two register rows share a document number (the obsolete and the effective version): one
    field does not pick one, ``&`` joins a second condition; a selector matching two items is an error."""
    files = {"register.csv": b"number,version,status\nD-1,A/1,effective\nD-1,A/0,obsolete\nD-2,A/0,effective\n"}
    out = apply_patches(files, [{"op": "set", "file": "register.csv", "path": "/[number=D-1&status=obsolete]/version",
                                 "value": "A/9"}])
    assert out["register.csv"].decode("utf-8").splitlines()[1:] == ["D-1,A/1,effective", "D-1,A/9,obsolete",
                                                                    "D-2,A/0,effective"]
    with pytest.raises(InputError, match=r"selector \[number=D-1\] matches 2 items"):
        apply_patches(files, [{"op": "remove", "file": "register.csv", "path": "/[number=D-1]"}])
