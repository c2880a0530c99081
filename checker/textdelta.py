"""A changed text shown as what was removed and what was added, the shared start and end shortened.

Used by ``parkcheck rules diff`` so a sentence appended to a clause reads as that sentence, not as
two long texts that look the same when both are cut at the same width.
"""

from __future__ import annotations


def _common(x: str, y: str) -> int:
    """Length of the common start of two texts."""
    n = 0
    for cx, cy in zip(x, y, strict=False):
        if cx != cy:
            break
        n += 1
    return n


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def delta(a: str | None, b: str | None, context: int = 12, width: int = 80) -> str:
    """``…context［−removed］［+added］context…`` for two texts (whitespace runs read as one space)."""
    a, b = " ".join((a or "").split()), " ".join((b or "").split())
    if not a:
        return f"（原无文本 / no text before）［+{_cut(b, width)}］"
    if not b:
        return f"［−{_cut(a, width)}］（现无文本 / no text now）"
    start = _common(a, b)
    end = _common(a[start:][::-1], b[start:][::-1])
    removed, added = a[start: len(a) - end], b[start: len(b) - end]
    before = a[:start]
    before = ("…" + before[-context:]) if len(before) > context else before
    after = a[len(a) - end:] if end else ""
    after = (after[:context] + "…") if len(after) > context else after
    parts = ([f"［−{_cut(removed, width)}］"] if removed else []) + ([f"［+{_cut(added, width)}］"] if added else [])
    return before + "".join(parts) + after
