"""The text facts are given to the engine in: the fast encoder (the standard one, with placeholders for
the floats it would write with an exponent) gives exactly the reference encoder's text."""

from __future__ import annotations

import json
import math
import random
import re

import pytest

from checker.enginejson import _dumps, dumps, dumps_all
from checker.errors import EngineError

EDGES = [0.0, -0.0, 1e-4, 9.99e-5, 1e16, 9.999999999999998e15, 0.1, 1 / 3, 123456.789, -2.5, 1e-300, 5e-324,
         1.7976931348623157e308, 1e-7, 2.87617491673e-07]


def _values():
    rng = random.Random(7)
    return EDGES + [rng.uniform(-1, 1) * 10 ** rng.randint(-12, 20) for _ in range(3000)]


def test_fast_text_is_the_reference_text():
    for v in _values():
        for fact in (v, [v, 1, "x"], {"a": v, "b": [v, {"c": v, "e": 1e-9}], "s": "文本", "n": None, "k": True,
                                      "t": (v, 2)}):
            text = dumps(fact)
            assert text == _dumps(fact)
            assert not re.search(r"[0-9.]e[-+0-9]", text.lower())  # never an exponent the engine misreads
            assert json.loads(text) == json.loads(_dumps(fact))


@pytest.mark.parametrize("evidence", ["\ue0000\ue001", "\ue0001\ue001", '"\ue0000\ue001"', "\ue000x\ue001"])
def test_evidence_that_looks_like_a_placeholder_is_written_as_itself(evidence):
    fact = {"x": evidence, "y": 1e-9, "z": [2e-8]}
    assert dumps(fact) == _dumps(fact)
    assert json.loads(dumps(fact))["x"] == evidence


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_a_non_finite_number_is_refused(bad):
    with pytest.raises(EngineError, match="non-finite"):
        dumps({"x": [1e-9, bad]})
    with pytest.raises(EngineError, match="non-finite"):
        dumps({"x": bad})


def test_a_payload_of_facts_is_the_reference_text_fact_by_fact():
    # one call of the encoder for a session's facts: the same text as writing each fact by the reference
    rng = random.Random(11)
    values = _values()
    facts = [{"id": str(i), "kind": "k", "v": rng.choice(values), "w": [rng.choice(values), "x"],
              "t": "\ue000" if i == 40 else "文本"} for i in range(80)]
    for chunk in (facts[:10], facts[30:50], facts, []):
        assert dumps_all(chunk) == "[" + ",".join(_dumps(f) for f in chunk) + "]"


def test_subclasses_of_containers_floats_and_texts_are_written_as_the_reference_writes_them():
    # the fast path looks into a mapping, list, float or text of any class, as the reference writer does
    class Rows(list):
        pass

    class Record(dict):
        pass

    class Figure(float):
        pass

    class Note(str):
        pass

    fact = {"a": Rows([1e-9, 2.5]), "b": Record(x=3e-12, y="t"), "c": Figure(4e-10), "d": Note("\ue0000\ue001"),
            "e": (Figure(0.5), 7e20)}
    for value in (fact, {k: v for k, v in fact.items() if k != "d"}, Rows([Record(z=1e-30)])):
        assert dumps(value) == _dumps(value)
        assert dumps_all([value, {"k": 1}]) == "[" + _dumps(value) + ',{"k":1}]'
