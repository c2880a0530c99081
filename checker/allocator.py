"""The C allocator told to give large freed blocks back to the system (glibc only).

The engine (durable-rules, C) allocates a session's working arrays with ``malloc`` and frees them
when the session is deleted; reading a bundle and building its facts also allocate and free many
blocks over 128 KiB (texts, lists).  glibc's default mmap threshold is *dynamic*: once such a block
is freed, the threshold rises to its size, so every later block of that size is carved from the
heap, where freed space stays resident between live blocks (the heap cannot shrink below its
highest live block).  Measured at 100k documents (``bench/bench.py``): the heap grew from 57 to
134 MB during the evaluation, 64 MB of it free at the end.  A fixed threshold (which
``mallopt(M_MMAP_THRESHOLD)`` sets, turning the dynamic adjustment off) keeps every block of
512 KiB or more in its own mapping, returned to the system when it is freed.  Small blocks, and
Python's own objects (its arenas are mapped apart), are not affected.

Why 512 KiB, measured at 180k ledger records (360k rows, ``bench/bench.py --only ledger``): every block in its
own mapping is mapped, faulted in page by page and unmapped again, and the column passes of a large table
free and allocate thousands of lists of 100k-1.4 MB.  At glibc's initial 128 KiB: ~580k page faults and
1.4-1.8 s of system time; at 512 KiB: ~490k and 1.0-1.1 s, peak 443-444 MiB (440 before); at 1 MiB: 360-420k,
0.8-0.9 s, but peak 444-454 MiB; at 2 MiB: 0.75 s, peak 475 MiB (the limit is 477 MiB).  The documents series'
peak at 180k is unchanged (413-414 MiB).
"""

from __future__ import annotations

import ctypes
import functools
import platform
from collections.abc import Iterator
from contextlib import contextmanager

M_MMAP_THRESHOLD = -3  # glibc's malloc.h
THRESHOLD = 512 * 1024  # (fixed)


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    if platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


def trim() -> None:
    """Give the free pages inside the C heap back to the system (glibc's ``malloc_trim``): after the engine's
    rulesets of a large evaluation are deleted (``checker.engine``), their ~30 MB would otherwise stay
    resident under the results, which Python allocates apart.  Nothing where the C library is not glibc."""
    libc = _glibc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


@contextmanager
def shifted(step: int) -> Iterator[None]:
    """Hold ``step`` small blocks of the C heap, of sizes that differ from step to step, while the block runs
    (after a ``trim``): the C allocations made inside land elsewhere.  ``checker.engine`` retries a ruleset
    durable-rules refused with it: the engine's parser now and then fails on a valid definition, depending on
    the state of the heap.  Nothing where the C library is not glibc, or for step 0."""
    libc = _glibc()
    if libc is None or step <= 0:
        yield
        return
    trim()
    malloc, free = libc.malloc, libc.free
    malloc.restype, malloc.argtypes = ctypes.c_void_p, (ctypes.c_size_t,)
    free.restype, free.argtypes = None, (ctypes.c_void_p,)
    blocks = [malloc(1024 * (step + i) + 24 * step) for i in range(step)]
    try:
        yield
    finally:
        for block in blocks:
            if block:
                free(block)


@functools.cache
def tune() -> bool:
    """Fix the mmap threshold once per process; False where the C library is not glibc (nothing done)."""
    libc = _glibc()
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None:
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, THRESHOLD))
