"""Pre-check and audit (checker.modes): an audit report carries no advice in any output (ISO/IEC
17021-1); a pre-check report says what would close each finding.  Expected texts come from the
packs' own remediation texts, never pinned."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess

import pytest

from checker.check import run_check
from checker.messages import render
from checker.model import Text
from checker.modes import AUDIT, PRECHECK, in_mode, report_mode
from checker.packs import available_packs, get_pack
from checker.reporters import FORMATS

from .conftest import DEFECTIVE, ROOT, edit_text, example_report
from .office_text import shown_text

SCORED = "t-seesa-010-2025"


def _advice(report) -> list[str]:
    """Every remediation text and score-raising plan of a pre-check report, as the outputs print them."""
    texts = {t for x in (*report.results, *report.nonconformities) if x.remediation
             for t in (x.remediation.zh, x.remediation.en)}
    return sorted(t for t in texts if len(t) > 8)


@pytest.fixture(scope="module")
def precheck():
    report = example_report(DEFECTIVE)  # the example declares a pre-assessment: the same as mode=PRECHECK
    assert report.mode == PRECHECK
    return report


def test_the_mode_follows_the_bundle_unless_asked():
    assert report_mode("certification_audit") == AUDIT and report_mode("surveillance_audit") == AUDIT
    assert report_mode("self_check") == report_mode("pre_assessment") == report_mode(None) == PRECHECK
    assert report_mode("certification_audit", PRECHECK) == PRECHECK and report_mode(None, AUDIT) == AUDIT
    assert report_mode("certification_audit", "auto") == AUDIT


def _shown(fmt: str, data) -> str:
    """What a reader sees of an output: a PDF's text as pdftotext extracts it, without the line
    breaks and spaces of wrapped lines (so texts are compared without their whitespace)."""
    if fmt != "pdf":
        return shown_text(data)  # text formats decoded; docx/xlsx (a folder of forms too) as their text
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode("utf-8")
    return re.sub(r"\s+", "", text)


def _as_shown(fmt: str, texts: list[str]) -> list[str]:
    return [re.sub(r"\s+", "", t) for t in texts] if fmt == "pdf" else texts


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_an_audit_report_holds_no_advice_in_any_format(precheck, fmt):
    advice = _as_shown(fmt, _advice(precheck))
    assert advice, "the defective example has remediation texts to look for"
    render = FORMATS[fmt][1]
    audit = in_mode(precheck, AUDIT)
    # the mode, not the language, withholds advice: the slow renderers (PDF, DOCX) are read in Chinese only
    langs = ("zh",) if fmt in ("pdf", "docx") else ("zh", "en")
    shown = {lang: _shown(fmt, render(audit, lang)) for lang in langs}
    for lang, out in shown.items():
        assert [t for t in advice if t in out] == [], f"{fmt}/{lang} shows advice in an audit"
    # the control: a pre-check prints its advice; the slow renderers print it from two of the nonconformities
    # (the audit above was rendered whole: advice anywhere in it would be found)
    control = precheck if fmt not in ("pdf", "docx") else dataclasses.replace(
        precheck, nonconformities=tuple(n for n in precheck.nonconformities if n.remediation)[:2])
    pre = _shown(fmt, render(control, "zh"))
    if fmt != "json":  # the JSON of a pre-check carries it as data; the others print it
        assert any(t in pre for t in advice), f"{fmt} shows no remediation in a pre-check"
    assert all(n.id in shown["zh"] for n in precheck.nonconformities)


def test_a_bundle_declared_as_a_certification_audit_gets_an_audit_report(tmp_path):
    bundle = tmp_path / "park"
    shutil.copytree(DEFECTIVE, bundle)
    text = (bundle / "bundle.yaml").read_text(encoding="utf-8")
    assert "check_type: pre_assessment" in text
    edit_text(bundle / "bundle.yaml", "check_type: pre_assessment", "check_type: certification_audit")
    audit = run_check(bundle)
    assert audit.mode == AUDIT
    assert all(r.remediation is None for r in audit.results)
    assert all(n.remediation is None for n in audit.nonconformities)
    assert run_check(bundle, mode=PRECHECK).mode == PRECHECK


def test_an_audit_has_no_plan_to_raise_the_score():
    report = run_check(DEFECTIVE, [SCORED], mode=PRECHECK)
    assert any(s.improvements or s.next_grade for s in report.scores)
    audit = in_mode(report, AUDIT)
    assert all(not s.improvements and s.next_grade is None for s in audit.scores)
    md = FORMATS["md"][1](audit, "zh").decode("utf-8")
    assert all(f"{i['no']} {i['name']}" not in md for s in report.scores for i in s.improvements)


# -- findings worded as facts -----------------------------------------------------------------------
# In an audit a finding states what was found ("未提供…", "…与…不一致"); it never advises.  Words
# quoted from the standard or the evidence (“…”, 《…》, "…") are theirs, not the finding's wording.
_QUOTED = re.compile(r"“[^”]*”|《[^》]*》|\"[^\"]*\"|‘[^’]*’")
ADVICE_ZH = re.compile(r"建议|(?<![申邀])请|应当|应该|应予|务必|尽快|补齐|补全|"
                       r"(?<![对响适供反相感效])[应须需](?:补|增加|提供|注明|填写|齐全|为)")
ADVICE_EN = re.compile(r"\b(?:should|please|recommend\w*|advis\w*|consider(?:ing)?|make sure|be sure to|"
                       r"you (?:must|need)|fill in)\b"  # and an imperative after a colon, semicolon or bracket
                       r"|[:;(]\s*(?:give|add|set|write|state|record|provide|use|include|enter|submit|keep|make|"
                       r"mark|register|attach|ensure|complete|update|define|document)\b", re.IGNORECASE)


def advice_in(text: Text) -> list[str]:
    """The advice words of a rendered message, outside quotations."""
    return (ADVICE_ZH.findall(_QUOTED.sub("", text.zh))
            + [m.group(0) for m in ADVICE_EN.finditer(_QUOTED.sub("", text.en))])


def test_the_advice_detector_finds_advice_and_spares_facts():
    for advice in (Text("建议补充能源计量器具台账。", "We recommend a register."), Text("请注明方向。", "Please state it."),
                   Text("应补充评审记录。", "The park should add the record."), Text("未提供", "Consider a review."),
                   Text("数值应为 0–1。", "Not quantified: give a number."), Text("须注明选项。", "(set direction: up)")):
        assert advice_in(advice), advice
    for fact in (Text("未提供认证申请书。", "No application is given."),
                 Text("评审报告未完整包括“第六章 评审建议”的各节。", 'It lacks "第六章 评审建议".'),
                 Text("方针未包括应对气候变化的承诺。", "The policy lacks the commitment to ensure resources.")):
        assert advice_in(fact) == [], fact


RECONSTRUCTED = ROOT / "rules-reconstructed"  # editions rebuilt from later ones, loadable with --rules


def _messages():
    for rules_dir in (None, RECONSTRUCTED):
        for pack_id in available_packs(rules_dir):
            for rule in get_pack(pack_id, rules_dir).rules:
                for key in ("message", "pass_message"):
                    if getattr(rule, key):
                        yield pack_id, rule.id, key, getattr(rule, key)


def test_every_rule_message_of_every_pack_states_a_fact():
    seen = {pack_id for pack_id, *_ in _messages()}
    assert seen == set(available_packs()) | set(available_packs(RECONSTRUCTED))  # every pack has messages
    advice = [(pack_id, rule_id, key, words) for pack_id, rule_id, key, template in _messages()
              if (words := advice_in(render(template, {})))]  # absent values render as （未提供）
    assert advice == []
