"""Pre-check and audit (checker.modes): an audit report carries no advice in any output (ISO/IEC
17021-1); a pre-check report says what would close each finding.  Expected texts come from the
packs' own remediation texts, never pinned."""

from __future__ import annotations

import shutil

import pytest

from checker.check import run_check
from checker.modes import AUDIT, PRECHECK, in_mode, report_mode
from checker.reporters import FORMATS

from .conftest import DEFECTIVE, edit_text
from .office_text import shown_text

SCORED = "t-seesa-010-2025"


def _advice(report) -> list[str]:
    """Every remediation text and score-raising plan of a pre-check report, as the outputs print them."""
    texts = {t for x in (*report.results, *report.nonconformities) if x.remediation
             for t in (x.remediation.zh, x.remediation.en)}
    return sorted(t for t in texts if len(t) > 8)


@pytest.fixture(scope="module")
def precheck():
    return run_check(DEFECTIVE, mode=PRECHECK)


def test_the_mode_follows_the_bundle_unless_asked():
    assert report_mode("certification_audit") == AUDIT and report_mode("surveillance_audit") == AUDIT
    assert report_mode("self_check") == report_mode("pre_assessment") == report_mode(None) == PRECHECK
    assert report_mode("certification_audit", PRECHECK) == PRECHECK and report_mode(None, AUDIT) == AUDIT
    assert report_mode("certification_audit", "auto") == AUDIT


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_an_audit_report_holds_no_advice_in_any_format(precheck, fmt):
    advice = _advice(precheck)
    assert advice, "the defective example has remediation texts to look for"
    render = FORMATS[fmt][1]
    audit = in_mode(precheck, AUDIT)
    for lang in ("zh", "en"):
        out = shown_text(render(audit, lang))
        assert [t for t in advice if t in out] == [], f"{fmt}/{lang} shows advice in an audit"
    pre = shown_text(render(precheck, "zh"))
    if fmt != "json":  # the JSON of a pre-check carries it as data; the others print it
        assert any(t in pre for t in advice), f"{fmt} shows no remediation in a pre-check"
    assert all(n.id in shown_text(render(audit, "zh")) for n in precheck.nonconformities)


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
