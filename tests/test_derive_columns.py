"""The derive stage computes over whole columns (checker.columns, checker.derivations): these tests state
the per-record semantics of each declared entry as a plain loop over the facts (``_per_record``) and
check that the column path gives exactly the same facts - same fields, same values and types, same
unit-problem texts - on the edge cases a ledger holds: missing inputs, bad units mixed with good ones
in one column, integers and floats, absent or repeated ref partners, overflow."""

from __future__ import annotations

import copy
import math

import pytest

from checker import derivations, derive_units
from checker.aggregation import run_declarations
from checker.columns import getter
from checker.factbase import FactBase, FactSource
from checker.packdecl import read_aggregates, read_derived
from checker.packmodel import UNIT_ERROR
from checker.quantities import UnitProblem, factor, rounded
from checker.schemas import load_schemas

DATES = {"audit_date": "2025-03-20", "period_start": "2022-01-01", "period_end": "2024-12-31"}
GHG, FACTORS, ENERGY = "ghg.records", "factors.factors", "energy.records"


def _base(records: list[tuple[str, dict]]) -> FactBase:
    base = FactBase()
    for i, (kind, data) in enumerate(records):
        fact = {"kind": kind, **{("f_id" if k == "id" else k): v for k, v in data.items()}}
        base.add(fact, FactSource(kind, f"{kind.split('.')[0]}.yaml", f"/records/{i}", data, None, f"{kind}[{i}]"))
    return base


def _declare(derive: list, aggregates: dict | None = None):
    meta = {"derive": derive, "aggregates": aggregates or {}}
    derived = read_derived(meta)
    return derived, read_aggregates(meta, load_schemas(), derived, lambda pointer, message: None)


def _columnar(records: list[tuple[str, dict]], derive: list) -> FactBase:
    base = _base(records)
    derived, aggs = _declare(derive)
    run_declarations(base, None, derived, tuple(aggs.values()), DATES)  # type: ignore[arg-type]
    return base


def _number(v) -> bool:
    return type(v) is float or type(v) is int


def _units_one(fact: dict, d) -> tuple[str, object] | None:
    """convert / product on one fact, as the stage defines it: (field, value) to set, or None."""
    product, units = 1.0, []
    for value_field, unit_field in d.factors:
        value = getter(value_field)(fact)
        if not _number(value):
            return None
        unit = getter(unit_field)(fact) if unit_field else None
        if unit_field and not isinstance(unit, str):
            reason = ("未给出单位", "no unit given") if unit is None else ("单位不是文本", "the unit is not text")
            return d.field + UNIT_ERROR, f"{reason[0]}（{unit_field}）/ {reason[1]} ({unit_field})"
        product *= value
        units.append(unit)
    try:
        result = product * (factor(tuple(units), d.to) if d.to is not None else 1.0)
    except UnitProblem as e:
        return d.field + UNIT_ERROR, str(e)
    if not math.isfinite(result):
        return d.field + UNIT_ERROR, "结果不是有限数 / the result is not a finite number"
    return d.field, rounded(result)


def _per_record(records: list[tuple[str, dict]], derive: list) -> list[dict]:
    """The declared entries applied record by record, in order (the semantics the column path keeps)."""
    base = _base(records)
    facts = copy.deepcopy(base.facts)
    for d in _declare(derive)[0]:
        mine = [f for f in facts if f["kind"] == d.kind]
        if d.op == "ref":
            index: dict = {}
            for other in (f for f in facts if f["kind"] == d.of):
                key = tuple(getter(theirs)(other) for theirs, _ in d.match)
                value = getter(d.take)(other)
                scalars = all(isinstance(v, (str, int, float)) for v in (*key, value))
                if scalars and key not in index:
                    index[key] = value
            for fact in mine:
                hit = index.get(tuple(getter(ours)(fact) for _, ours in d.match))
                if hit is not None:
                    fact[d.field] = hit
            continue
        for fact in mine:
            if d.op in ("convert", "product"):
                found = _units_one(fact, d)
            else:
                value = derivations._DERIVATIONS[d.op]([getter(a)(fact) for a in d.args], dict(d.table))
                ok = value is not derivations._ABSENT and (type(value) is not float or math.isfinite(value))
                found = (d.field, value) if ok else None
            if found:
                fact[found[0]] = found[1]
    return facts


def _same(records: list[tuple[str, dict]], derive: list) -> FactBase:
    base = _columnar(records, derive)
    expected = _per_record(records, derive)
    assert len(base.facts) == len(expected)
    for got, want in zip(base.facts, expected, strict=True):
        assert list(got.items()) == list(want.items())  # same fields, in the same order, same values
        assert [type(v) for v in got.values()] == [type(v) for v in want.values()]  # 2 stays 2, 2.0 stays 2.0
    return base


PRODUCT = {"kind": GHG, "field": "expected", "op": "product", "to": "tCO2e",
           "args": [["activity", "activity_unit"], ["factor", "factor_unit"], "gwp"]}


def _ghg(activity, activity_unit, factor_value=0.5703, factor_unit="tCO2/MWh", gwp=1, **more) -> tuple[str, dict]:
    record = {"activity": activity, "activity_unit": activity_unit, "factor": factor_value,
              "factor_unit": factor_unit, "gwp": gwp, **more}
    return GHG, {k: v for k, v in record.items() if v is not None}


def test_bad_units_mixed_with_good_ones_in_one_column():
    records = [_ghg(1000, "MWh"), _ghg(10, "m3"), _ghg(3, "furlong"), _ghg(2, "万kWh"), _ghg(5, "MWh"),
               _ghg(7, "__import__('os')"), _ghg(1, 7), _ghg(1, None), _ghg(4, "GJ", 0.11, "tCO2/GJ"),
               _ghg(2.16, "万m3", 2.5, "kgCO2/m3"), _ghg(9, "m3")]
    base = _same(records, [PRODUCT, {"kind": GHG, "field": "mwh", "op": "convert", "args": ["activity", "activity_unit"],
                                     "to": "MWh"}])
    facts = base.facts
    assert facts[0]["expected"] == 570.3 and facts[4]["expected"] == 2.8515
    assert "量纲不符" in facts[1]["expected_unit_error"] and "未知单位" in facts[2]["expected_unit_error"]
    assert "单位不是文本" in facts[6]["expected_unit_error"] and "未给出单位" in facts[7]["expected_unit_error"]
    assert facts[1]["mwh_unit_error"] == facts[10]["mwh_unit_error"]  # the same problem, same text


def test_missing_inputs_leave_the_value_absent_whatever_the_units():
    records = [_ghg(None, "MWh"), _ghg(10, "MWh", gwp=None), _ghg(None, "furlong"), _ghg("12", "MWh"),
               _ghg(True, "MWh"), _ghg(10, "MWh", factor_value=None, factor_unit=None), _ghg(1, "MWh")]
    facts = _same(records, [PRODUCT]).facts
    for fact in facts[:6]:
        assert "expected" not in fact and "expected_unit_error" not in fact, fact
    assert facts[6]["expected"] == 0.5703


def test_integers_and_floats_and_overflow():
    records = [_ghg(10, "MWh", 1, "tCO2/MWh"), _ghg(10.0, "MWh", 1.0, "tCO2/MWh", 1.0), _ghg(1e300, "MWh", 1e300),
               (GHG, {"year": 2024, "factor_year": 2022, "emissions": 0, "declared": 5}),
               (GHG, {"year": 2024.0, "factor_year": 2022, "emissions": 3, "declared": 3.0}),
               (GHG, {"year": 2024, "factor_year": "2022", "emissions": 1e308, "declared": -1e308})]
    derive = [PRODUCT, {"kind": GHG, "field": "age", "op": "sub", "args": ["year", "factor_year"]},
              {"kind": GHG, "field": "dev", "op": "rel_diff", "args": ["declared", "emissions"]},
              {"kind": GHG, "field": "gap", "op": "abs_diff", "args": ["declared", "emissions"]},
              {"kind": GHG, "field": "both", "op": "add", "args": ["declared", "emissions"]}]
    facts = _same(records, derive).facts
    assert facts[0]["expected"] == facts[1]["expected"] == 10.0
    assert "expected" not in facts[2] and "有限" in facts[2]["expected_unit_error"]
    assert facts[3]["age"] == 2 and type(facts[3]["age"]) is int and facts[4]["age"] == 2.0
    assert "dev" not in facts[3] and facts[4]["dev"] == 0.0  # relative to 0: absent
    assert "age" not in facts[5] and "gap" not in facts[5]  # text input; an infinite difference: absent


def test_ref_partners_absent_repeated_and_of_another_type():
    records = [(FACTORS, {"id": "EF-1", "value": 0.5703, "year": 2023}),
               (FACTORS, {"id": "EF-1", "value": 9.9, "year": 1999}),  # a repetition: the first one counts
               (FACTORS, {"id": 7, "value": 1.5, "year": 2020}),
               (FACTORS, {"id": "EF-3", "year": 2021}),  # no value to take
               (GHG, {"factor_id": "EF-1"}), (GHG, {"factor_id": "EF-2"}), (GHG, {}), (GHG, {"factor_id": 7.0}),
               (GHG, {"factor_id": "EF-3"}), (GHG, {"factor_id": ["EF-1"]})]
    derive = [{"kind": GHG, "field": "cited", "op": "ref", "of": FACTORS, "match": {"id": "factor_id"}, "take": "value"},
              {"kind": GHG, "field": "cited_year", "op": "ref", "of": FACTORS, "match": {"id": "factor_id"},
               "take": "year"}]
    base = _same(records[:-1], derive)
    ghg = base.facts[4:]
    assert ghg[0]["cited"] == 0.5703 and "cited" not in ghg[1] and "cited" not in ghg[2]
    assert ghg[3]["cited"] == 1.5  # 7 and 7.0 are the same key
    assert "cited" not in ghg[4] and ghg[4]["cited_year"] == 2021
    with_list = _columnar(records, derive)
    assert "cited" not in with_list.facts[-1]  # a list where a key should be: no partner, no crash


def test_a_value_derived_earlier_is_read_fresh_by_later_entries_and_aggregates():
    records = [_ghg(1000, "MWh", emissions=570.3, year=2023), _ghg(10, "m3", emissions=1.0, year=2023),
               _ghg(2, "MWh", emissions=2.0, year=2024), _ghg(1, "MWh", gwp=None, emissions=1.0, year=2024.0)]
    derive = [PRODUCT, {"kind": GHG, "field": "deviation", "op": "rel_diff", "args": ["emissions", "expected"]}]
    base = _same(records, derive)
    assert base.facts[0]["deviation"] == 0.0 and "deviation" not in base.facts[1]
    assert base.sources[base.facts[0]["id"]].values()["deviation"] == 0.0
    derived, aggs = _declare(derive, {"per_year": {"of": GHG, "group_by": {"fields": ["year"]}, "sum": "expected",
                                                   "where": {"activity_unit": {"in": ["MWh", "m3"]}}}})
    summed = _base(records)
    run_declarations(summed, None, derived, tuple(aggs.values()), DATES)  # type: ignore[arg-type]
    groups = [f for f in summed.facts if f["kind"] == "agg.per_year"]
    assert [(g["key"], g["count"], g["sum"]) for g in groups] == [("2023", 2, 570.3), ("2024", 2, 1.1406)]


def test_unit_factors_are_computed_once_per_distinct_combination(monkeypatch):
    seen: list = []
    real = derive_units._scale

    def counting(units, to):
        seen.append(units)
        return real(units, to)

    monkeypatch.setattr(derive_units, "_scale", counting)
    records = [_ghg(i, unit, 0.5, factor_unit) for i in range(1, 200)
               for unit, factor_unit in (("MWh", "tCO2/MWh"), ("furlong", "tCO2/MWh"), ("t", "tCO2/t"))]
    facts = _columnar(records, [PRODUCT]).facts
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 3
    assert sum("expected" in f for f in facts) == 2 * 199 and sum("expected_unit_error" in f for f in facts) == 199


@pytest.mark.parametrize("op", ["join", "type_of", "number_of", "ratio", "abs_diff", "rel_diff", "sub", "add"])
def test_every_row_op_gives_per_record_values_on_mixed_inputs(op):
    values = [1, 2.5, 0, -3, 2.0, None, "7", True, 1e308, "TBD", 2024]
    records = [(ENERGY, {"a": a, "b": b}) for a in values for b in values]
    _same(records, [{"kind": ENERGY, "field": "out", "op": op, "args": ["a", "b"]}])
