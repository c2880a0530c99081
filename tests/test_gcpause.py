"""checker.gcpause: the cyclic collector is off inside the block and back as it was afterwards."""

from __future__ import annotations

import gc

import pytest

from checker.gcpause import paused


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
