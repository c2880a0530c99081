"""``checker.idlist.IdList`` answers as the dict of fact sources it replaces (issue 15, memory)."""
from __future__ import annotations

import random

import pytest

from checker.idlist import IdList


def test_an_id_list_answers_as_a_dict_keyed_by_fact_ids():
    rng = random.Random(15)
    ids = [str(n) for n in rng.sample(range(1, 500), 120)]
    ref = {fid: object() for fid in ids}
    got = IdList(ref.items())
    assert len(got) == len(ref) and set(got) == set(ref) and set(got.keys()) == set(ref)
    assert list(got) == sorted(ref, key=int)  # in the order of the numbers
    assert dict(got.items()) == ref and list(got.values()) == [ref[k] for k in sorted(ref, key=int)]
    for fid in ids:
        assert got[fid] is ref[fid] and fid in got and got.get(fid) is ref[fid]
    replaced = object()
    got[ids[0]] = replaced
    assert got[ids[0]] is replaced and len(got) == len(ref)


@pytest.mark.parametrize("key", ["0", "00", "-1", "007", "", " 5", "5 ", "1e3", "٣", "x", None, 3, "999"])
def test_anything_not_a_held_fact_id_is_absent(key):
    got = IdList([("3", "c"), ("5", "e")])
    assert key not in got and got.get(key, "none") == "none"
    with pytest.raises(KeyError):
        got[key]


@pytest.mark.parametrize("key", ["0", "-1", "007", "", "٣", None])
def test_only_fact_ids_can_be_set(key):
    with pytest.raises(KeyError):
        IdList()[key] = "x"
