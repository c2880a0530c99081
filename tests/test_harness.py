"""The seeded-defect harness, held to its targets: every defect found at its clause with its status
and exactly one nonconformity; no conforming variation gives a nonconformity.  (See
``tests/harness/run.py``; ``python -m tests.harness.run`` prints the numbers.)"""

from __future__ import annotations

import pytest

from .harness.run import load_entries, run_defect, run_variation

DEFECTS = load_entries("defects")
VARIATIONS = load_entries("variations")


def _params(entries):
    # an entry marked ``known`` is a gap the catalogue states (with its reason): it must still fail, so
    # that fixing it turns the test red until the mark is removed
    return [pytest.param(e, id=e.id, marks=pytest.mark.xfail(strict=True, reason=e.known)) if e.known else
            pytest.param(e, id=e.id) for e in entries]


@pytest.mark.parametrize("entry", _params(DEFECTS))
def test_seeded_defect_is_found_once_at_its_clause(entry):
    outcome = run_defect(entry)
    assert outcome.verdict == "found", f"{entry.file}:{entry.id}: {outcome.verdict} {outcome.detail} {outcome.new_ncs}"


@pytest.mark.parametrize("entry", _params(VARIATIONS))
def test_conforming_variation_gives_no_nonconformity(entry):
    outcome = run_variation(entry)
    assert outcome.verdict == "clean", f"{entry.file}:{entry.id}: {outcome.verdict} {outcome.detail} {outcome.new_ncs}"


def test_catalogue_is_written_per_clause_group():
    # the catalogues are data written from the standard's text; each entry states what it breaches
    assert all(e.clause and e.status in ("nonconformity", "observation") and e.edits for e in DEFECTS)
    assert len(DEFECTS) >= 100 and len(VARIATIONS) >= 12  # the floor: at least 100 defects, 12 variations
    groups = {e.clause.split(" ")[0].split(".")[0] for e in DEFECTS}
    assert {"5", "6", "7", "8", "9", "10", "11"} <= groups and {"A", "B"} & groups  # every clause group and the annexes
    assert len({e.id for e in DEFECTS + VARIATIONS}) == len(DEFECTS) + len(VARIATIONS)
