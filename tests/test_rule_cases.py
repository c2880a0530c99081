"""Every case written beside every rule, as a test of its own (``pytest -k zc001-6.2-d`` runs one rule)."""

from __future__ import annotations

import pytest

from checker.cases import case_input, run_case, selections
from checker.packs import available_packs, get_pack

CASES = [(pid, rule.id, case.name) for pid in available_packs() for rule in get_pack(pid).rules for case in rule.cases]


# Cases with the same input share one run of the pipeline, which judges the rules of all of them and
# what their results depend on (``checker.selection``; tests/test_selection.py checks that this gives
# the results of a full check).  A case's input is its pack, its fixture bundle and its patches; every
# passing case of a pack runs the unpatched base fixture.  ``run_case`` still judges each case's own
# rule on the (deterministic) report of its exact input.  Reports are only read by the judging.
SHARED = selections([(get_pack(pid), rule, case) for pid in available_packs() for rule in get_pack(pid).rules
                     for case in rule.cases])
RUNS: dict = {}


@pytest.mark.parametrize(("pack_id", "rule_id", "case_name"), CASES,
                         ids=[f"{r}::{c}" for _, r, c in CASES])
def test_rule_case(pack_id, rule_id, case_name):
    pack = get_pack(pack_id)
    rule = next(r for r in pack.rules if r.id == rule_id)
    case = next(c for c in rule.cases if c.name == case_name)
    outcome = run_case(pack, rule, case, SHARED[case_input(pack, case)], RUNS)
    assert outcome.ok, f"{outcome.location()}: {outcome.detail}"


@pytest.mark.parametrize("pack_id", available_packs())
def test_every_rule_has_a_passing_and_a_failing_case(pack_id):
    for rule in get_pack(pack_id).rules:
        assert any(not c.breach for c in rule.cases), f"{rule.id} has no passing case"
        assert any(c.breach for c in rule.cases), f"{rule.id} has no failing case"
        # a failing case names the file and pointer of the evidence, except over an aggregate (no document)
        assert any(c.breach and c.expect_evidence for c in rule.cases) or rule.for_each.startswith("agg."), \
            f"{rule.id}: no failing case names its evidence (expect: {{evidence: {{file, pointer}}}})"


@pytest.mark.parametrize("pack_id", available_packs())
def test_every_rule_has_remediation_and_bilingual_messages(pack_id):
    for rule in get_pack(pack_id).rules:
        assert rule.message["zh"] and rule.message["en"], rule.id
        assert rule.remediation and rule.remediation["zh"] and rule.remediation["en"], rule.id


def test_the_base_fixture_conforms_to_every_rule():
    from checker.check import run_check

    from .conftest import BASE_FIXTURE
    report = run_check(BASE_FIXTURE)
    assert report.nonconformities == ()
    assert {r.status.value for r in report.results} <= {"conform", "onsite", "not_applicable"}
