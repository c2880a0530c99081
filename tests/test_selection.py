"""A check of a selection of rules (``checker.selection``, what the rule cases run) gives the selected
rules the results of a full check.  Cases are taken from every pack, spread over its rules, failing and
passing, and run both ways."""

from __future__ import annotations

import pytest

import checker.cases as cases
from checker.check import compiled_pack
from checker.packs import available_packs, get_pack
from checker.selection import narrowed, needed

STEP = 40  # every 40th case of a pack: ~40 of ~1,500, from every pack


def _sample() -> list[tuple[str, str, str]]:
    out = []
    for pid in available_packs():
        pairs = [(rule, case) for rule in get_pack(pid).rules for case in rule.cases]
        out += [(pid, rule.id, case.name) for rule, case in pairs[::STEP]]
    return out


def _view(report, rule_id: str):
    if isinstance(report, str):
        return report
    return [r.to_json() for r in report.results if r.rule == rule_id]


@pytest.mark.parametrize(("pack_id", "rule_id", "case_name"), _sample(), ids=str)
def test_the_selected_rule_gets_the_results_of_the_full_check(pack_id, rule_id, case_name):
    pack = get_pack(pack_id)
    rule = next(r for r in pack.rules if r.id == rule_id)
    case = next(c for c in rule.cases if c.name == case_name)
    folder = cases._fixture_folder(pack, case)
    full = cases._run(pack, case, folder)
    alone = cases._run(pack, case, folder, frozenset({rule.id}))
    assert _view(alone, rule.id) == _view(full, rule.id)
    assert not isinstance(alone, str)
    assert {r.rule for r in alone.results} <= needed(compiled_pack(pack_id), {rule.id})


def test_the_selection_is_closed_over_depends_on_and_the_rules_of_the_kinds_read():
    for pid in available_packs():
        pack = get_pack(pid)
        compiled = compiled_pack(pid)
        for rule in pack.rules:
            need = needed(compiled, {rule.id})
            assert rule.id in need
            assert set(rule.depends_on) <= need, rule.id


def test_a_selection_evaluates_fewer_rulesets():
    pack = get_pack(available_packs()[0])
    compiled = compiled_pack(pack.id)
    rule = pack.rules[-1]
    small = narrowed(compiled, {rule.id})
    assert 0 < len(small.rulesets) < len(compiled.rulesets)
    assert [r.id for r in small.pack.rules] == [r.id for r in pack.rules if r.id in needed(compiled, {rule.id})]
