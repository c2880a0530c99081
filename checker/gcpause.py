"""The cyclic garbage collector paused while large acyclic data is built.

Loading a bundle, building its facts and asserting them into the engine allocate millions of
containers that all survive (trees of dicts and lists: reference counting frees them, they hold no
cycles).  With the collector running, every young generation of them is traversed again and again
as the heap grows, for nothing: at 10k records that was half the load time.  ``paused()`` turns the
collector off for a block and restores its previous state afterwards; nesting is harmless (only the
outermost block turns it back on).  Cyclic garbage made inside the block is collected later, by the
next ordinary collection.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """``with paused(): ...`` - the block runs without the cyclic collector (re-enabled on exit if it
    was enabled on entry, also when the block raises)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
