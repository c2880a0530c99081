"""checker.gcpause: the cyclic collector is off inside the block and back as it was afterwards."""

from __future__ import annotations

import gc

import pytest

from checker.gcpause import paused, release


def test_the_collector_is_off_inside_and_back_on_after():
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
        with paused():  # nested: the inner block does not turn it back on
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_comes_back_when_the_block_raises():
    with pytest.raises(ValueError), paused():
        raise ValueError("x")
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled():
    gc.disable()
    try:
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_survivors_are_frozen_only_when_asked_until_released():
    gc.unfreeze()
    with paused():
        kept = [{"i": i} for i in range(1000)]
    assert gc.get_freeze_count() == 0
    with paused(freeze=True):
        kept += [{"i": i} for i in range(1000)]
    assert gc.get_freeze_count() >= len(kept)
    release()
    assert gc.get_freeze_count() == 0


def test_cyclic_garbage_frozen_with_the_survivors_is_collected_after_release():
    import weakref

    class Node:
        pass

    with paused(freeze=True):
        a, b = Node(), Node()
        a.other, b.other = b, a
        ref = weakref.ref(a)
        del a, b
    gc.collect()
    assert ref() is not None  # frozen: out of the collector's reach until released
    release()
    gc.collect()
    assert ref() is None
