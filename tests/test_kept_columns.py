"""The columns of a records array kept as they are (``checker.facts._Normaliser._kept_columns``), looked at by C
loops: the same columns as the value-by-value reading (blank texts, declared placeholders, dates, other types)."""

from __future__ import annotations

import random
from itertools import chain

import pytest

from checker.facts import _KEPT_TYPES, _PLAIN, _TRIM, FactBase, _Normaliser
from checker.schemas import load_schemas


def _reference(norm: _Normaliser, records: list[dict], node: dict) -> frozenset[str]:
    """The columns every value of which is kept, value by value (as first written)."""
    plan = norm.plan(node)
    out = set()
    for c in {c for c in set(chain.from_iterable(records)) if not c.startswith("x-")}:
        _, date, words = plan.get(c, _PLAIN)
        values = [r.get(c, 0) for r in records]
        texts = {v for v in values if type(v) is str}
        if all(type(v) in _KEPT_TYPES for v in values) and not (
                texts and (date or not all(v.strip() for v in texts)
                           or (words and any(v.strip(_TRIM).casefold() in words for v in texts)))):
            out.add(c)
    return frozenset(out)


@pytest.mark.parametrize("seed", range(40))
def test_kept_columns_are_those_read_value_by_value(seed):
    rng = random.Random(seed)
    node = {"type": "object", "properties": {
        "day": {"type": "string", "format": "date"}, "note": {"type": "string", "x-placeholders": ["TBD", "待定"]},
        "name": {"type": "string"}, "n": {"type": "number"}}}
    pool = {"day": ["2024-01-02", 5], "note": ["ok", " tbd。", "待定", "fine", 1.5],
            "name": ["a", "b", " ", "\u3000", "", "x y"], "n": [1, 2.5, True, None, [1]], "x-c": ["", None]}
    records = [{k: rng.choice(v) for k, v in pool.items() if rng.random() < 0.8} for _ in range(rng.randint(1, 6))]
    norm = _Normaliser(load_schemas(), FactBase())
    assert norm._kept_columns(records, node) == _reference(norm, records, node)
