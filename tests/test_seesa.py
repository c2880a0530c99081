"""T/SEESA 010—2025: scores, grades, gates, and the properties of formula (1)."""

from __future__ import annotations


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.check import run_check
from checker.packs import get_pack
from checker.scoring import compute_score, grade_of
from checker.yamlio import read_yaml_file

from .conftest import EVIDENCE, edit_text

SEESA = "t-seesa-010-2025"

# An independent reading of Table 1 (lead values, groups, weights) and formula (1), written out
# here rather than read from the pack, so the tool's score is checked against a hand calculation.
GROUPS = {"A": 0.30, "B": 0.30, "C": 0.25, "D": 0.15}
TABLE = {1: ("A", 1.0), 2: ("A", 0.5), 3: ("A", 0.8), 4: ("A", 1.0), 5: ("A", True), 6: ("A", True), 7: ("A", 3), 8: ("A", 0.5), 9: ("A", 0.1),
         10: ("B", 0.2), 11: ("B", True), 12: ("B", 0.7), 13: ("B", 0.5), 14: ("B", 0.9), 15: ("B", 0.95), 16: ("B", 0.5), 17: ("B", 0.3),
         18: ("C", True), 21: ("C", True), 22: ("C", 0.3), 23: ("D", 0.05), 24: ("D", 0.1), 25: ("D", 0.04), 26: ("D", 4.2)}
BONUS = (27, 28)


def hand_score(park: str) -> float:
    doc = read_yaml_file(EVIDENCE / park / "seesa_indicators.yaml").data
    best: dict[int, float] = {}
    for e in doc["indicators"]:
        value = e["numerator"] / e["denominator"] if "denominator" in e else e["value"]
        if e["no"] in BONUS:
            best[e["no"]] = 1.0 if value is True else 0.0
            continue
        if e["no"] not in TABLE or e.get("applicable") is False:
            continue
        lead = TABLE[e["no"]][1]
        index = (1.0 if value is True else 0.0) if lead is True else min(value / lead, 1.0)
        best[e["no"]] = max(best.get(e["no"], 0.0), index)  # 二选一: the better option counts
    total = 0.0
    for group, weight in GROUPS.items():
        members = [n for n, (g, _) in TABLE.items() if g == group]
        total += 100 * sum(best.get(n, 0.0) for n in members) / len(members) * weight
    return total + sum(100 * best.get(n, 0.0) * 0.05 for n in BONUS)


PARKS = [("lvgu-park", 109.67, "引领级", True, True), ("binhai-park", 85.14, "创建级", True, False),
         ("donghu-park", 65.41, "基础级", False, False)]


@pytest.mark.parametrize(("park", "total", "grade", "eligible", "designation"), PARKS, ids=[p[0] for p in PARKS])
def test_example_parks_scores_grades_and_hand_calculation(park, total, grade, eligible, designation):
    [score] = run_check(EVIDENCE / park, [SEESA]).scores
    assert score.total == pytest.approx(total, abs=0.01)
    assert score.total == pytest.approx(hand_score(park), abs=0.01)
    assert (score.grade, score.eligible, score.designation) == (grade, eligible, designation)


def test_a_failed_gate_is_reported_and_the_score_still_computed():
    report = run_check(EVIDENCE / "donghu-park", [SEESA])
    [score] = report.scores
    assert score.failed_gates == ("4.2.6",) and score.total > 60
    [nc] = [n for n in report.nonconformities if (SEESA, "4.2.6") in n.clauses]
    assert nc.grade.value == "major" and nc.evidence[0].file == "seesa_basic.yaml"


def test_report_json_lists_scores_per_standard():
    from checker.reporters import json_report
    from checker.schemas import load_schemas
    data = json_report.to_dict(run_check(EVIDENCE / "lvgu-park", [SEESA]))
    [s] = data["scores"]
    assert s["standard"] == SEESA and s["grade"] == "引领级" and s["zero_carbon_park"] is True
    assert [i["no"] for i in s["indicators"]] == list(range(1, 29))
    first = s["indicators"][0]
    assert set(first) >= {"no", "value", "lead", "index", "applicable", "source"}
    assert s["indicators"][4]["value"] == 1 and s["indicators"][4]["qualitative"] is True  # qualitative as 1/0
    assert {g["name"]: g["editor_default"] for g in s["groups"]}["能源与循环利用"] is True
    schemas = load_schemas()
    assert list(schemas.validator(schemas.schema("report.schema.json")).iter_errors(data)) == []


def test_changing_a_weight_in_the_pack_yaml_changes_the_score_and_the_report(rules_copy):
    from checker.reporters import md_report
    rules = rules_copy
    pack = rules / SEESA / "pack.yaml"
    edit_text(pack, "{id: energy, name: 能源与循环利用, weight: 0.30, editor_default: true}",
              "{id: energy, name: 能源与循环利用, weight: 0.35}")
    edit_text(pack, "{id: management, name: 低碳管理与技术, weight: 0.25, editor_default: true}",
              "{id: management, name: 低碳管理与技术, weight: 0.20}")
    edit_text(pack, "{no: 10, group: energy, second: 能源系统, name: 可再生能源占比, lead: 0.2}",
              "{no: 10, group: energy, second: 能源系统, name: 可再生能源占比, lead: 0.3}")
    before = run_check(EVIDENCE / "binhai-park", [SEESA]).scores[0]
    report = run_check(EVIDENCE / "binhai-park", [SEESA], rules)
    after = report.scores[0]
    assert after.total != pytest.approx(before.total, abs=0.001)
    md = md_report.render(report).decode("utf-8")
    assert "| 能源与循环利用 | 35% |" in md and "| 低碳管理与技术 | 20% |" in md
    assert next(i for i in after.indicators if i.no == 10).lead == 0.3


def test_indicators_without_a_lead_value_are_shown_not_scored():
    [score] = run_check(EVIDENCE / "binhai-park", [SEESA]).scores
    for no in (19, 20):
        ind = next(i for i in score.indicators if i.no == no)
        assert ind.scored is False and ind.lead is None and "无引领值" in ind.note


def test_what_would_raise_the_score_most():
    [score] = run_check(EVIDENCE / "binhai-park", [SEESA]).scores
    gains = [i["gain_to_lead"] for i in score.improvements]
    assert gains == sorted(gains, reverse=True) and score.improvements[0]["no"] in (27, 28)


# -- properties of formula (1) and Table 2 ------------------------------------------------------

SCORING = get_pack(SEESA).scoring
NUMERIC = [d for d in SCORING["indicators"] if not d.get("options") and d.get("lead") not in (None, True)]
QUALITATIVE = [d for d in SCORING["indicators"] if not d.get("options") and d.get("lead") is True]


def evidence_from(values: dict[int, float], flags: dict[int, bool]) -> dict:
    entries = [{"no": n, "value": v} for n, v in values.items()] + [{"no": n, "value": f} for n, f in flags.items()]
    entries += [{"no": 1, "option": "public_transport", "value": values.get(2, 0.0)}, {"no": 6, "option": "green_products", "value": True},
                {"no": 21, "option": "ccus", "value": False}]
    return {"indicators": entries}


values_st = st.fixed_dictionaries({d["no"]: st.floats(0, 10, allow_nan=False) for d in NUMERIC})
flags_st = st.fixed_dictionaries({d["no"]: st.booleans() for d in QUALITATIVE})


@settings(max_examples=150, deadline=None)
@given(values_st, flags_st)
def test_score_never_exceeds_110(values, flags):
    score = compute_score(SEESA, SCORING, evidence_from(values, flags), None, [])
    assert 0 <= score.total <= 110 + 1e-9


@settings(max_examples=150, deadline=None)
@given(values_st, flags_st, st.sampled_from([d["no"] for d in NUMERIC]), st.floats(0, 5, allow_nan=False))
def test_improving_an_indicator_never_lowers_the_score(values, flags, no, delta):
    before = compute_score(SEESA, SCORING, evidence_from(values, flags), None, []).total
    better = {**values, no: values[no] + delta}
    after = compute_score(SEESA, SCORING, evidence_from(better, flags), None, []).total
    assert after >= before - 1e-9


@settings(max_examples=300, deadline=None)
@given(st.floats(0, 110, allow_nan=False))
def test_grades_follow_table_2(total):
    grade = grade_of(total, SCORING["grades"], SCORING["below"])
    expected = "未达到" if total < 60 else "基础级" if total <= 75 else "创建级" if total < 90 else "引领级"
    assert grade == expected
