"""Step definitions for the Chinese Gherkin specifications in features/.

The features are written for lead auditors: steps say what a park did or failed to do, in Chinese.
Everything technical stays here and in ``tests/steps``: a given-step's phrase is looked up in
``tests/steps/phrases.yaml`` and applied to a copy of the pack's base fixture (the same edit
operations the rule cases use); the check runs the pipeline of ``parkcheck check`` (validation,
content gaps as findings, rule packs); assertions name clause, verdict, grade and the evidence
document by its Chinese name (the schema title) and location in the schema's words.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
from fractions import Fraction
from functools import cache
from pathlib import Path

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from checker.bundle import bundle_from_files, read_files
from checker.check import check_bundle
from checker.evidence import accept_gaps, split_gaps, validate_bundle
from checker.labels_out import GRADE_LABELS, STATUS_LABELS
from checker.model import Status
from checker.reporters._view import status_label
from checker.schemas import load_schemas
from checker.yamlio import parse_yaml

from .conftest import BASE_FIXTURE, EVIDENCE, ROOT
from .steps.vocabulary import (
    PhraseError,
    apply_phrase,
    chinese_date,
    kind_of_title,
    kind_titles,
    location_words,
    pack_of_code,
    rule_of_title,
)

SEESA = "t-seesa-010-2025"
SEESA_FIXTURE = ROOT / "rules" / SEESA / "fixtures" / "base"
NDRC_FIXTURE = ROOT / "rules" / "ndrc-zero-carbon-park-2025" / "fixtures" / "base"

# ``PARKCHECK_TEST_FEATURES=folder[,folder]``: only these folders' scenarios are collected (the test that
# weakens a rule runs the specifications of its own standard in a subprocess)
_ONLY = set(filter(None, os.environ.get("PARKCHECK_TEST_FEATURES", "").split(",")))
for _folder in ("t-cpqs-zc001-2025", "t-seesa-010-2025", "cecc-org-carbon-neutrality", "combined",
                "ndrc-zero-carbon-park-2025"):
    if not _ONLY or _folder in _ONLY:
        scenarios(_folder)


@pytest.fixture
def evidence():
    return {"files": None, "report": None, "grade": None}


def _load(folder: Path) -> dict[str, bytes]:
    return dict(_clean_files(folder))  # a copy: the phrases edit it


@cache
def _clean_files(folder: Path) -> dict[str, bytes]:
    """The bundle's files, read and checked clean once per test process."""
    files = dict(read_files(folder)[1])
    schemas = load_schemas()
    bundle = bundle_from_files("feature", str(folder), files, schemas.table_fields())
    errors, gaps = split_gaps(validate_bundle(bundle, schemas))
    assert not errors and not gaps, f"{folder.name}: the example bundle is not clean: {(errors + gaps)[0]}"
    return files


def _doc(evidence, file: str):
    return parse_yaml(evidence["files"][file].decode("utf-8"), file)


# -- given: the bundle, the audit date, what the park did ----------------------------------------

@given("一个在已编码条款上符合要求的园区证据包")
def conforming_bundle(evidence):
    evidence["files"] = _load(BASE_FIXTURE)


@given("一个零碳园区评价的示例证据包")
def seesa_bundle(evidence):
    evidence["files"] = _load(SEESA_FIXTURE)


@given("一个国家级零碳园区申报的示例证据包")
def ndrc_bundle(evidence):
    evidence["files"] = _load(NDRC_FIXTURE)


@given(parsers.parse('示例园区"{park}"的证据包'))
def example_park(evidence, park):
    """One of the example bundles under evidence/, named by the park's name in its bundle manifest."""
    found = [p.parent for p in sorted(EVIDENCE.glob("*/bundle.yaml"))
             if (parse_yaml(p.read_text(encoding="utf-8"), p.name).data.get("park") or {}).get("name") == park]
    assert len(found) == 1, f"no (single) example bundle of the park {park!r}"
    evidence["files"] = _load(found[0])


@given(parsers.re(r"审核日为 (?P<audit>\S+)，审核期为 (?P<start>\S+?)至(?P<end>\S+)$"))
def audit_date_and_period(evidence, audit, start, end):
    """Set the audit date and period on the bundle manifest and read them back."""
    from checker.cases import apply_patches
    dates = {"/audit_date": chinese_date(audit), "/period/start": chinese_date(start), "/period/end": chinese_date(end)}
    assert dates["/period/start"] <= dates["/period/end"], "审核期的开始晚于结束"
    evidence["files"] = apply_patches(evidence["files"], tuple(
        {"op": "set", "file": "bundle.yaml", "path": path, "value": value} for path, value in dates.items()))
    data = _doc(evidence, "bundle.yaml").data
    got = (data["audit_date"], data["period"]["start"], data["period"]["end"])
    assert tuple(str(d) for d in got) == tuple(d.isoformat() for d in dates.values())


_OWN_GIVENS = r"(?!一个在已编码条款上|一个零碳园区评价的示例证据包$|一个国家级零碳园区申报的示例证据包$|示例园区\"|审核日为 )"


@given(parsers.re(rf"^{_OWN_GIVENS}(?P<phrase>.+)$"))
def park_phrase(evidence, phrase):
    """What the park did or failed to do: the phrase's edits from tests/steps/phrases.yaml."""
    assert evidence["files"] is not None, "场景没有先给出证据包 (no bundle before the phrase)"
    evidence["files"] = apply_phrase(evidence["files"], phrase)


# -- when ----------------------------------------------------------------------------------------

def _check(evidence, standards: list[str]) -> None:
    """The pipeline of ``parkcheck check``: validate, content gaps become findings, evaluate.  Scenarios
    that check the same files against the same packs share one report (a check is deterministic:
    tests/test_examples.py); the steps only read it."""
    key = (hashlib.sha256(b"".join(hashlib.sha256(name.encode() + b"\0" + data).digest()
                                   for name, data in sorted(evidence["files"].items()))).hexdigest(), tuple(standards))
    if key not in _REPORTS:
        _REPORTS[key] = _run(evidence, standards)
    evidence["report"] = _REPORTS[key]


_REPORTS: dict = {}


def _run(evidence, standards: list[str]):
    schemas = load_schemas()
    bundle = bundle_from_files("feature", "feature", evidence["files"], schemas.table_fields())
    errors, gaps = split_gaps(validate_bundle(bundle, schemas))
    assert not errors, f"the edited bundle does not validate: {errors[0]}"
    accept_gaps(bundle, gaps, schemas)
    return check_bundle(bundle, standards, gaps=gaps)


@when(parsers.re(r'按 "(?P<code>[^"]+)" 检查该证据包'))
def run_check(evidence, code):
    _check(evidence, [pack_of_code(code)])


@when(parsers.parse('按 "{a}"、"{b}" 和 "{c}" 结合审核该证据包'))
def combined_check(evidence, a, b, c):
    _check(evidence, [pack_of_code(a), pack_of_code(b), pack_of_code(c)])


@when(parsers.parse('按表 2 对总分 "{total}" 分级'))
def grade_total(evidence, total):
    from checker.packs import get_pack
    from checker.scoring import grade_of
    scoring = get_pack(SEESA).scoring
    evidence["grade"] = grade_of(Fraction(total), scoring["grades"], scoring["below"])


# -- then: verdicts, grades and evidence in words ------------------------------------------------

_STATUS = {zh: s for s, (zh, _) in STATUS_LABELS.items()}
_GRADE = {zh: g for g, (zh, _) in GRADE_LABELS.items()}


def _verdict(evidence, clause: str):
    found = [v for v in evidence["report"].verdicts if v.clause == clause]
    assert len(found) == 1, f"clause {clause!r}: {len(found)} verdicts"
    return found[0]


def _where(evidence, ev) -> tuple[str, str]:
    """An evidence location in words: (document name, location inside it or "")."""
    kind = next((f.kind for f in evidence["report"].files if f.path == ev.file), None)
    assert kind, f"evidence file {ev.file!r} has no kind"
    if not ev.pointer:
        return kind_titles()[kind], ""
    text = evidence["files"][ev.file].decode("utf-8")
    if ev.file.lower().endswith(".csv"):  # a table: its rows under the kind's table field, as the checker reads it
        data = {load_schemas().table_fields()[kind]: list(csv.DictReader(io.StringIO(text)))}
    else:
        data = parse_yaml(text, ev.file).data
    return kind_titles()[kind], location_words(kind, data, ev.pointer)


def _assert_nc(evidence, clause: str, grade: str | None, doc: str | None, where: str | None) -> None:
    """Some nonconformity cites ``clause`` with that grade and evidence: ``doc`` alone is any place
    in the document, ``where`` a place in it in the schema's words, ``where == ""`` the whole document."""
    if doc is not None:
        kind_of_title(doc)  # an unknown document name fails here, not as "no match"
    ncs = [n for n in evidence["report"].nonconformities if any(c == clause for _, c in n.clauses)]
    assert ncs, f"no nonconformity cites clause {clause}"
    seen = []
    for nc in ncs:
        for ev in nc.evidence:
            got = (GRADE_LABELS[nc.grade][0], *_where(evidence, ev))
            seen.append(got)
            if grade in (None, got[0]) and doc in (None, got[1]) and where in (None, got[2]):
                evidence["nc"] = nc
                return
    pytest.fail(f"clause {clause}: no nonconformity {grade}/{doc}/{where!r}; found (grade, document, location): {seen}")


def _evidence_words(where: str | None, whole: str | None) -> str | None:
    """The location asked for: a place in the document's words, "" for 全文 (the document as a
    whole), None when only the document is named."""
    return "" if whole else where


_CITED = r'(?:，依据为 "(?P<doc>[^"]+)"(?: 中的 "(?P<where>[^"]+)"|(?P<whole> 全文))?)?$'


@then(parsers.re(r'条款 "(?P<clause>[^"]+)" 的结论为 "(?P<label>[^"]+)"$'))
def clause_verdict(evidence, clause, label):
    v = _verdict(evidence, clause)
    assert label != STATUS_LABELS[Status.NONCONFORMITY][0], "不符合的结论要写明等级（，等级为 \"一般\"）"
    assert status_label(v.status, v.grade, "zh") == label


@then(parsers.re(r'条款 "(?P<clause>[^"]+)" 的结论为 "(?P<label>[^"]+)"，等级为 "(?P<grade>[^"]+)"' + _CITED))
def clause_verdict_graded(evidence, clause, label, grade, doc, where, whole):
    v = _verdict(evidence, clause)
    assert (v.status, v.grade) == (_STATUS[label], _GRADE[grade]), status_label(v.status, v.grade, "zh")
    # the nonconformity citing the clause: one defect breaching several clauses is one nonconformity
    # with the worst grade of them, so only its evidence is matched here
    _assert_nc(evidence, clause, None, doc, _evidence_words(where, whole))


@then(parsers.re(r'不符合项引用条款 "(?P<clause>[^"]+)"(?:，等级为 "(?P<grade>[^"]+)")?' + _CITED))
def nc_cites(evidence, clause, grade, doc, where, whole):
    if grade is not None:
        assert grade in _GRADE, f"等级应为 {'、'.join(_GRADE)}"
    _assert_nc(evidence, clause, grade, doc, _evidence_words(where, whole))


@then("没有不符合项")
def no_nonconformity(evidence):
    assert evidence["report"].nonconformities == ()


@then(parsers.re(r'申报表中核心指标为 "(?P<value>[^"]+)" 吨二氧化碳/吨标准煤，档位与阈值为 "(?P<band>[^"]+)"，结论为 "(?P<label>[^"]+)"$'))
def core_in_section(evidence, value, band, label):
    """The row of the core indicator in the report section in the shape parks submit (checker.sections)."""
    (section,) = [s for s in evidence["report"].sections if s["standard"] == "ndrc-zero-carbon-park-2025"]
    table = next(t for t in section["tables"] if t["title"]["zh"].startswith("核心指标"))
    (row,) = table["rows"]
    cells = {c["zh"]: cell["zh"] for c, cell in zip(table["columns"], row, strict=True)}
    assert (cells["计算的单位能耗碳排放（tCO2/tce）"], cells["档位与阈值"], cells["结论"]) == (value, band, label), cells


def _ndrc_table(evidence, title: str) -> dict:
    (section,) = [s for s in evidence["report"].sections if s["standard"] == "ndrc-zero-carbon-park-2025"]
    return next(t for t in section["tables"] if t["title"]["zh"] == title)


@then(parsers.re(r'申报表中引导性指标"(?P<name>[^"]+)"的指标值为 "(?P<value>[^"]+)"$'))
def guiding_in_section(evidence, name, value):
    """A guiding indicator's value as the report section shows it (a share as a percentage)."""
    table = _ndrc_table(evidence, "引导性指标")
    rows = [{c["zh"]: cell["zh"] for c, cell in zip(table["columns"], row, strict=True)} for row in table["rows"]]
    (row,) = [r for r in rows if r["指标"] == name]
    assert row["指标值（申报）"] == value, row


@then(parsers.re(r'申报表"(?P<title>[^"]+)"没有数据行，注明 "(?P<text>[^"]+)"$'))
def section_note(evidence, title, text):
    """A table of the report section with no row says why (checker.sections, when_empty)."""
    table = _ndrc_table(evidence, title)
    assert table["rows"] == [] and [n["zh"] for n in table.get("notes", ())] == [text], table


@then(parsers.parse('不符合项的要求原文为 "{text}"'))
def nc_requirement(evidence, text):
    assert evidence["nc"].requirement == text.strip()


def test_statuses_have_chinese_labels():
    assert status_label(Status.ONSITE, None, "zh") == "需现场核实"


def test_a_broken_rule_makes_its_scenarios_fail(rules_copy):
    """The Gherkin specifications bite: weaken rule 6.2 d) in a copy and its scenario fails."""
    import subprocess
    import sys

    from .conftest import edit_text
    rules = rules_copy
    edit_text(rules / "t-cpqs-zc001-2025" / "6.2-policy.yaml",
              "      contains:\n        type: legal_compliance\n",
              "      contains:\n        type: continual_improvement\n", 1)
    env = {**os.environ, "PARKCHECK_RULES": str(rules), "PYTHONPATH": str(ROOT),
           "PARKCHECK_TEST_FEATURES": "t-cpqs-zc001-2025"}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(ROOT / "tests" / "test_features.py"),
                           "-k", "方针缺少_62_要求的一项承诺"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert proc.returncode == 1, proc.stdout[-2000:]
    # the legal-compliance example no longer finds its nonconformity, and the weakened rule now also
    # fires (wrongly) in the continual-improvement example: both scenarios fail, the other three pass
    assert "2 failed, 3 passed" in proc.stdout
    assert "FAILED" in proc.stdout and "满足适用的法律法规及其他要求-6.2 d)" in proc.stdout


def test_a_phrase_that_misses_fails_loudly():
    """A given step cannot pass vacuously: an unknown phrase, a record that does not exist and an
    edit that changes nothing all raise."""
    files = dict(read_files(BASE_FIXTURE)[1])
    with pytest.raises(PhraseError, match="短语表中没有"):
        apply_phrase(files, "园区做了一件短语表里没有的事")
    with pytest.raises(PhraseError, match="无法应用"):
        apply_phrase(files, '内部审核"IA-1999-99"于 2024年11月12日进行')
    with pytest.raises(PhraseError, match="没有改变"):
        apply_phrase(files, '内部审核"IA-2024-01"于 2024年11月12日进行')
    with pytest.raises(PhraseError, match="不是词表"):
        apply_phrase(files, '方针中没有"不存在的承诺"的承诺')
    assert apply_phrase(files, '方针中没有"确保获得信息和必要资源"的承诺') != files


# -- T/SEESA 010—2025 scoring ---------------------------------------------------------------------

def _shown(value: Fraction) -> str:
    """A score as the report shows it: two decimals, rounded half up from the exact fraction."""
    cents = math.floor(value * 100 + Fraction(1, 2))
    return f"{cents // 100}.{cents % 100:02d}"


def _score(evidence):
    [score] = [s for s in evidence["report"].scores if s.standard == SEESA]
    return score


@then(parsers.parse('级别为 "{grade}"'))
def grade_is(evidence, grade):
    got = evidence["grade"] if evidence["report"] is None else _score(evidence).grade
    assert got == grade


@then(parsers.re(r'总分为 "(?P<total>[\d.]+)"（精确值 (?P<exact>[\d/]+)），级别为 "(?P<grade>[^"]+)"$'))
def total_and_grade(evidence, total, exact, grade):
    score = _score(evidence)
    assert score.total == Fraction(exact), f"exact total {score.total}"
    assert _shown(score.total) == total and score.grade == grade


@then(parsers.parse('指标 "{no:d}" 采用 "{name}" 且指数为 "{index}"'))
def indicator_option(evidence, no, name, index):
    ind = next(i for i in _score(evidence).indicators if i.no == no)
    assert (ind.name, ind.index) == (name, Fraction(index))


@then(parsers.parse('一级指标 "{name}" 计入 "{count:d}" 项指标'))
def group_counted(evidence, name, count):
    assert next(g for g in _score(evidence).groups if g.name == name).counted == count


@then(parsers.parse('一级指标 "{name}" 得分为 "{subtotal}"'))
def group_subtotal(evidence, name, subtotal):
    group = next(g for g in _score(evidence).groups if g.name == name)
    assert _shown(group.subtotal) == subtotal, group.subtotal


@then("得分已计算但不具备评级资格")
def not_eligible(evidence):
    score = _score(evidence)
    assert score.total > 0 and score.eligible is False and score.failed_gates


@then("获得零碳园区称号")
def designated(evidence):
    assert _score(evidence).designation is True


@then("未获得零碳园区称号")
def not_designated(evidence):
    assert _score(evidence).designation is False


@then(parsers.parse('指标 "{no:d}" 所在行有数据缺陷"{title}"'))
def defect_at_indicator(evidence, no, title):
    rule = rule_of_title(SEESA, title)
    doc = _doc(evidence, "seesa_indicators.yaml")
    [i] = [i for i, e in enumerate(doc.data["indicators"]) if e["no"] == no]
    line = doc.position(f"/indicators/{i}")[0]
    defects = [(d.rule, d.no, d.file, d.line) for d in _score(evidence).defects]
    assert (rule, no, "seesa_indicators.yaml", line) in defects, defects


@then(parsers.parse('指标 "{no:d}" 的得分未计算'))
def indicator_not_computed(evidence, no):
    ind = next(i for i in _score(evidence).indicators if i.no == no)
    assert (ind.state, ind.index) == ("not_computed", None)


@then("得分为暂定")
def score_provisional(evidence):
    assert _score(evidence).provisional


@then(parsers.parse('"{code}" 的全部结果均标明依据为“仅有标题”'))
def all_title_only(evidence, code):
    standard = pack_of_code(code)
    mine = [r for r in evidence["report"].results if r.standard == standard]
    assert mine and all(r.source == "title only" for r in mine)


@then(parsers.parse('只有 {n:d} 项不符合项引用 "{code}" 的条款 "{clause}"'))
def only_n(evidence, n, code, clause):
    found = [nc for nc in evidence["report"].nonconformities if (pack_of_code(code), clause) in nc.clauses]
    assert len(found) == n
    evidence["nc"] = found[0]


@then(parsers.parse('该不符合项同时引用 "{s1}" 的条款 "{c1}" 和 "{s2}" 的条款 "{c2}"'))
def also_cites(evidence, s1, c1, s2, c2):
    assert (pack_of_code(s1), c1) in evidence["nc"].clauses and (pack_of_code(s2), c2) in evidence["nc"].clauses


def test_every_vocabulary_code_exists():
    """Each code a Chinese word of the phrase table stands for is something the evidence can hold:
    a schema enum value or property name, or a 二选一 option key of a pack (an unused word with a
    misspelt code would otherwise go unnoticed until a feature uses it)."""
    import json

    from checker.packs import available_packs, get_pack

    from .steps.vocabulary import vocabularies
    known: set = {True, False}

    def walk(node):
        if isinstance(node, dict):
            known.update(node.get("enum", ()))
            known.update(node.get("properties", {}))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    for path in (ROOT / "schemas").glob("*.schema.json"):
        walk(json.loads(path.read_text(encoding="utf-8")))
    for pack in available_packs():
        for ind in (get_pack(pack).scoring or {}).get("indicators", ()):
            known.update(o["key"] for o in ind.get("options", ()))
    unknown = {f"{name}.{word}": code for name, words in vocabularies().items()
               for word, code in words.items() if code not in known}
    assert not unknown, unknown
