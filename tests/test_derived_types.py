"""The field types of derived values (checker.packmodel.derived_fields): a ``ref`` takes the type of the
one value it copies, through a chain of refs, and resolving a kind whose refs take each other's values
stays linear (two self-referencing refs per ledger kind once made each kind 2^8 walks; pack compile and
lint slowed fourfold)."""

from __future__ import annotations

from checker import packmodel
from checker.packmodel import Derived, derived_fields
from checker.schemas import load_schemas


def _ref(field: str, take: str) -> Derived:
    return Derived(kind="ghg_inventory", field=field, op="ref", args=(), of="ghg_inventory", take=take,
                   match=(("id", "id"),))


def test_a_ref_takes_the_type_of_the_value_it_copies_through_a_chain():
    derived = (Derived(kind="ghg_inventory", field="end", op="period_end", args=("period",)),
               _ref("first_end", "end"), _ref("again", "first_end"),
               Derived(kind="ghg_inventory", field="t", op="convert", args=("a",), to="t", factors=(("a", "u"),)),
               _ref("t_problem", "t" + packmodel.UNIT_ERROR))
    fields = derived_fields(load_schemas(), "ghg_inventory", {}, derived)
    assert fields["first_end"].node == fields["again"].node == fields["end"].node
    assert fields["t_problem"].node == {"type": "string"}
    assert fields["t"].node == {"type": "number"}


def test_refs_that_take_each_other_resolve_in_linear_steps(monkeypatch):
    derived = tuple(_ref(f"r{i}", f"r{i + 1}") for i in range(12)) + tuple(_ref(f"s{i}", "r0") for i in range(12))
    calls = 0
    walk = packmodel._derived_node

    def counted(*args):
        nonlocal calls
        calls += 1
        return walk(*args)

    monkeypatch.setattr(packmodel, "_derived_node", counted)
    fields = derived_fields(load_schemas(), "ghg_inventory", {}, derived)
    assert set(fields) == {f"r{i}" for i in range(12)} | {f"s{i}" for i in range(12)}
    assert calls <= len(derived) * 9  # each value follows at most a chain of 8 refs


def test_a_year_no_calendar_holds_is_no_value_not_a_crash():
    from checker.derivations import _ABSENT, _year_diff
    assert _year_diff([19000, 2020], {}) == 2  # day 19000 is 2022-01-08: its year less 2020
    assert _year_diff([1e20, 2020], {}) is _ABSENT
    assert _year_diff([19000, float("inf")], {}) is _ABSENT
