"""The condition language: every operator compiles to an exact complement pair, and joins and
counts mean what the rule format says they mean."""

from __future__ import annotations

import shutil
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.conditions import OPERATORS, Context, add_months, compile_condition, epoch_days
from checker.engine import Engine
from checker.schemas import FieldInfo

from .conftest import ROOT, edit_text

ENGINE = Engine()

FIELDS = {
    "n": FieldInfo("t", "n", {"type": "number"}),
    "s": FieldInfo("t", "s", {"type": "string", "enum": ["a", "b", "c"]}),
    "d": FieldInfo("t", "d", {"type": "string", "format": "date"}),
    "tags": FieldInfo("t", "tags", {"type": "array", "items": {"type": "string"}}),
    "objs": FieldInfo("t", "objs", {"type": "array", "items": {"type": "object"}}),
    "flag": FieldInfo("t", "flag", {"type": "boolean"}),
}
LEAVES = [
    {"field": "n", "gt": 5}, {"field": "n", "gte": 5}, {"field": "n", "lt": 5}, {"field": "n", "lte": 5},
    {"field": "s", "equals": "a"}, {"field": "s", "not_equals": "a"}, {"field": "s", "in": ["a", "b"]},
    {"field": "s", "not_in": ["a", "b"]}, {"field": "s", "present": True}, {"field": "s", "present": False},
    {"field": "d", "before": "2024-06-01"}, {"field": "d", "on_or_after": "2024-06-01"},
    {"field": "d", "after": "2024-06-01"}, {"field": "d", "on_or_before": "2024-06-01"},
    {"field": "tags", "contains": "x"}, {"field": "tags", "not_contains": "x"},
    {"field": "objs", "contains": {"k": "x"}}, {"field": "objs", "each": {"k": "x"}},
    {"field": "flag", "equals": True},
    {"all": [{"field": "n", "gt": 1}, {"field": "s", "equals": "b"}]},
    {"any": [{"field": "n", "gt": 1}, {"not": {"field": "tags", "contains": "y"}}]},
]


# Operators that compare with another fact are only valid inside a join's where (their fail side
# would need 'or' over a cross-fact predicate, which the engine evaluates wrongly): covered by the
# rule cases of zc001-10.2-interval and by test_anchor_outside_a_join_is_rejected.
JOIN_ONLY = {"within_months_before"}


def test_every_operator_is_in_the_property_test():
    used = set()

    def walk(c):
        for key in ("all", "any"):
            for x in c.get(key, []):
                walk(x)
        if "not" in c:
            walk(c["not"])
        used.update(k for k in c if k in OPERATORS)

    for leaf in LEAVES:
        walk(leaf)
    assert used | JOIN_ONLY == set(OPERATORS)


fact_values = st.fixed_dictionaries({}, optional={
    "n": st.one_of(st.integers(-3, 12), st.floats(-3, 12, allow_nan=False)),
    "s": st.sampled_from(["a", "b", "c"]),
    "d": st.dates(min_value=__import__("datetime").date(2023, 1, 1), max_value=__import__("datetime").date(2025, 12, 31)).map(
        lambda d: epoch_days(d.isoformat())),
    "tags": st.lists(st.sampled_from(["x", "y", "z"]), min_size=1, max_size=3),
    "objs": st.lists(st.fixed_dictionaries({"k": st.sampled_from(["x", "y"])}), min_size=1, max_size=3),
    "flag": st.booleans(),
})


def _ruleset(index: int, leaf: dict):
    from checker.hardening import harden
    holds, fails = compile_condition(leaf, FIELDS.get, Context())
    return (f"ops{index}", {
        f"holds:{index}": {"all": [{"s": harden({"$and": [{"kind": "t"}, holds]})}], "run": f"holds:{index}"},
        f"fails:{index}": {"all": [{"s": harden({"$and": [{"kind": "t"}, fails]})}], "run": f"fails:{index}"},
        "__end__": {"all": [{"e": {"kind": "__end__"}}], "run": "__end__"},
        "__keep__": {"all": [{"k": {"$ex": {"kind": 1}}}, {"n": {"kind": "__never__"}}], "run": "__keep__"},
    }, {"t", "bundle"})


RULESETS = [_ruleset(i, leaf) for i, leaf in enumerate(LEAVES)]
AUDIT = epoch_days("2025-03-20")
BUNDLE = {"id": "b", "kind": "bundle", "audit_date": AUDIT,
          "audit_date_minus_12m": epoch_days(add_months(__import__("datetime").date(2025, 3, 20), -12).isoformat())}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(fact_values, min_size=1, max_size=4))
def test_holds_and_fails_are_exact_complements(values):
    facts = [BUNDLE] + [{"id": str(i), "kind": "t", **v} for i, v in enumerate(values, 1)]
    result = ENGINE.evaluate(RULESETS, facts)
    # an $or fires once per matching alternative, so count distinct outcomes: for every leaf, each
    # subject is claimed by exactly one of holds / fails
    outcomes: dict[tuple[str, str], set[str]] = {}
    for f in result.firings:
        outcome, index = f.branch.split(":")
        outcomes.setdefault((index, f.fact("s")), set()).add(outcome)
    expected = {(str(i), str(s)) for i in range(len(RULESETS)) for s in range(1, len(values) + 1)}
    assert set(outcomes) == expected
    assert all(len(v) == 1 for v in outcomes.values())


SPOT_FACTS = [BUNDLE, {"id": "1", "kind": "t", "n": 7, "s": "b", "tags": ["x"], "objs": [{"k": "y"}], "flag": True},
              {"id": "2", "kind": "t", "n": 5, "d": epoch_days("2024-07-01")}]
# leaf -> subjects for which it holds, read off the operator table's meaning by hand
SPOT_EXPECTED = [
    ({"field": "n", "gt": 5}, {"1"}), ({"field": "n", "gte": 5}, {"1", "2"}), ({"field": "n", "lt": 5}, set()),
    ({"field": "s", "equals": "a"}, set()), ({"field": "s", "not_equals": "a"}, {"1", "2"}),
    ({"field": "s", "in": ["a", "b"]}, {"1"}), ({"field": "s", "not_in": ["a", "b"]}, {"2"}),
    ({"field": "s", "present": True}, {"1"}), ({"field": "d", "after": "2024-06-01"}, {"2"}),
    ({"field": "d", "before": "2024-06-01"}, set()), ({"field": "tags", "contains": "x"}, {"1"}),
    ({"field": "tags", "not_contains": "x"}, {"2"}), ({"field": "objs", "contains": {"k": "x"}}, set()),
    ({"field": "objs", "each": {"k": "y"}}, {"1"}), ({"field": "flag", "equals": True}, {"1"}),
    ({"any": [{"field": "n", "gt": 6}, {"field": "d", "present": True}]}, {"1", "2"}),
]


@pytest.mark.parametrize(("leaf", "expected"), SPOT_EXPECTED, ids=[str(i) for i in range(len(SPOT_EXPECTED))])
def test_holds_means_what_the_operator_says(leaf, expected):
    index = 1000 + SPOT_EXPECTED.index((leaf, expected))
    result = ENGINE.evaluate([_ruleset(index, leaf)], SPOT_FACTS)
    assert {f.fact("s") for f in result.firings if f.branch.startswith("holds")} == expected
    assert {f.fact("s") for f in result.firings if f.branch.startswith("fails")} == {"1", "2"} - expected


def test_anchor_outside_a_join_is_rejected(rules_copy):
    from checker.packs import load_pack
    edit_text(rules_copy / "t-cpqs-zc001-2025" / "10.2-internal-audit.yaml",
              "    expect:\n      field: conclusions.performance_improved\n      present: true\n",
              "    expect: {field: date, within_months_before: {anchor: audit_date, months: 12}}\n")
    problems = load_pack("t-cpqs-zc001-2025", rules_copy).problems
    assert len(problems) == 1 and "the engine evaluates such patterns wrongly" in problems[0].message
    assert problems[0].file.endswith("10.2-internal-audit.yaml") and problems[0].line


def test_months_arithmetic_clamps_to_month_end():
    import datetime as dt
    assert add_months(dt.date(2024, 3, 31), -1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2025, 3, 20), -12) == dt.date(2024, 3, 20)
    assert add_months(dt.date(2024, 1, 15), -13) == dt.date(2022, 12, 15)


# -- joins and counts on a small pack ----------------------------------------------------------

JOIN_PACK = textwrap.dedent("""
    id: join-demo
    code: DEMO
    title: {zh: 演示, en: Demo}
    edition: "1"
    publisher: test
    version: "1"
    aggregates:
      objectives_per_year: {of: objectives.objectives, group_by: {year_of: deadline}, over: period_years}
    catalogue:
      - {clause: "1", title: 目标, text: 目标应有基准。}
""")
JOIN_RULES = textwrap.dedent("""
    rules:
      - id: baseline-exists
        clause: "1"
        requirement: 目标应有基准。
        obligation: 应
        grade: minor
        reads: [objectives, baseline]
        for_each: objectives.objectives
        expect: {exists: {kind: baseline.baselines, match: {id: baseline_ref}}}
        message: {zh: "目标 {{ subject.id }} 的基准 {{ subject.baseline_ref }} 不存在。", en: "x"}
        remediation: {zh: x, en: x}
        cases: [{name: a}, {name: b, breach: true}]
      - id: deadline-after-base-year
        clause: "1"
        requirement: 目标应有基准。
        obligation: 应
        grade: minor
        reads: [objectives]
        for_each: agg.objectives_per_year
        expect: {field: count, gte: 1}
        message: {zh: "{{ subject.key }} 年没有到期目标。", en: "x"}
        remediation: {zh: x, en: x}
        cases: [{name: a}, {name: b, breach: true}]
""")


@pytest.fixture
def join_setup(tmp_path):
    rules = tmp_path / "rules"
    (rules / "join-demo").mkdir(parents=True)
    (rules / "join-demo" / "pack.yaml").write_text(JOIN_PACK, encoding="utf-8")
    (rules / "join-demo" / "r.yaml").write_text(JOIN_RULES, encoding="utf-8")
    bundle = tmp_path / "bundle"
    shutil.copytree(ROOT / "evidence" / "lvgu-park", bundle)
    return rules, bundle


def test_join_objective_baseline_exists(join_setup):
    from checker.check import run_check
    rules, bundle = join_setup
    report = run_check(bundle, ["join-demo"], rules)
    [r] = [r for r in report.results if r.rule == "baseline-exists"]
    assert r.status.value == "conform" and len(r.evidence) == 2
    edit_text(bundle / "objectives.yaml", "baseline_ref: BL-2022-HEAT, deadline: 2025-12-31, owner: 园区",
              "baseline_ref: BL-1999, deadline: 2025-12-31, owner: 园区")
    report = run_check(bundle, ["join-demo"], rules)
    bad = [r for r in report.results if r.rule == "baseline-exists" and r.status.value == "nonconformity"]
    assert [b.evidence[0].pointer for b in bad] == ["/objectives/1"]  # OBJ-1.1 (owner 园区公用事业公司)
    assert bad[0].message.zh == "目标 OBJ-1.1 的基准 BL-1999 不存在。"


def test_count_per_year_over_the_period(join_setup):
    from checker.check import run_check
    rules, bundle = join_setup
    report = run_check(bundle, ["join-demo"], rules)
    bad = sorted(r.message.zh for r in report.results if r.rule == "deadline-after-base-year" and r.status.value == "nonconformity")
    assert bad == ["2023 年没有到期目标。", "2024 年没有到期目标。"]  # both deadlines fall in 2025, outside the period
