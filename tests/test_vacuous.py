"""A rule that only says "no record of kind K is faulty" is no conformity when there is no record of
kind K at all (checker/vacuous.py): nothing was checked."""

from __future__ import annotations

from checker.check import run_check
from checker.model import Status

from .conftest import CONFORMING, example_report


def _results(report, rule_id):
    return [r for r in report.results if r.rule == rule_id]


def test_a_pass_on_an_empty_record_list_is_not_conformity(base_copy):
    # the fixture lists its legal requirements: "reviewed in time" (5.2 (2)c)) conforms
    before = run_check(base_copy)
    assert [r.status for r in _results(before, "zc001-5.2-2c")] == [Status.CONFORM]
    # a context document listing no legal requirement: nothing was reviewed, so nothing conforms at 5.2 (2)c)
    path = base_copy / "context.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("legal_requirements:")
    end = next(i for i in range(start + 1, len(lines)) if lines[i][:1] not in (" ", "-"))
    assert end > start + 1  # the fixture lists some
    path.write_text("\n".join([*lines[:start], "legal_requirements: []", *lines[end:]]) + "\n", encoding="utf-8")
    after = run_check(base_copy)
    (result,) = _results(after, "zc001-5.2-2c")
    assert result.status is not Status.CONFORM
    verdict = next(v for v in after.verdicts if v.standard == "t-cpqs-zc001-2025" and v.clause == "5.2 (2)c)")
    assert verdict.status is not Status.CONFORM
    # it waits on the finding that reports the empty list (5.2 (2)a): no legal requirement identified),
    # or is that finding itself: one defect, not a second nonconformity at another clause
    if result.status is Status.NOT_EVALUATED:
        ids = {nc.id for nc in after.nonconformities}
        reported = {r.missing for r in after.results if r.status in (Status.NONCONFORMITY, Status.OBSERVATION)}
        assert set(result.depends_on or ()) <= ids and (result.depends_on or result.missing in reported)
    assert any(c == "5.2 (2)a)" for nc in after.nonconformities for _, c in nc.clauses)


def test_the_example_park_keeps_its_verdicts():
    report = example_report(CONFORMING)
    assert not report.has_nonconformities
    assert [r.rule for r in report.results if r.status is Status.NOT_EVALUATED] == []
