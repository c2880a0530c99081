"""``FactBase.narrow`` writing the held derived columns by C loops (issue 15, time): the leading columns that set a
value on every fact set as the facts are made (``checker.factrows._filled``), the others written column by column
(``factbase.written``), and the mappings of a column shown otherwise made one per distinct object shown
(``FactBase._shown_at_once``).  The facts (items in the same order), what their sources show and the reports must be
those of the Python loops they replace, fact by fact."""

from __future__ import annotations

from itertools import repeat

import pytest

from checker import check, factbase, sourcepack
from checker.reporters import write_reports

from .conftest import EVIDENCE

_BUILD = check.build_facts
SKIP = object()


def _one_by_one(targets, name, values, skip) -> None:
    """``factbase.written`` as the loop it replaces."""
    for fact, value in zip(targets, values, strict=False):
        if value is not skip and fact is not None:
            fact[name] = value


def _check(monkeypatch, tmp_path, fast: bool) -> tuple[list, dict[str, bytes], dict[str, int]]:
    """lvgu-park checked with every records kind deferred, packed and made at once; ``fast``: with the C loops (and
    how often each was taken), else with the loops they replace."""
    monkeypatch.setattr(factbase, "DEFER_FROM", 2)
    monkeypatch.setattr(sourcepack, "PACK_FROM", 2)
    monkeypatch.setattr(factbase, "_COMPACT_FROM", 2)
    taken = dict.fromkeys(("leading", "shown", "written"), 0)
    leading, shown_at_once, written = factbase._leading, factbase.FactBase._shown_at_once, factbase.written
    if fast:
        def spy_leading(write, count):
            out = leading(write, count)
            taken["leading"] += bool(out) and len(out) < len(write)  # (some set as made, some written after)
            return out

        def spy_shown(self, *args):
            out = shown_at_once(self, *args)
            taken["shown"] += out is not None
            return out

        def spy_written(targets, name, values, skip):
            taken["written"] += any(v is skip for v in values)  # (some fact left without the value)
            written(targets, name, values, skip)

        monkeypatch.setattr(factbase, "_leading", spy_leading)
        monkeypatch.setattr(factbase.FactBase, "_shown_at_once", spy_shown)
        monkeypatch.setattr(factbase, "written", spy_written)
    else:
        monkeypatch.setattr(factbase, "_leading", lambda write, count: [])
        monkeypatch.setattr(factbase.FactBase, "_shown_at_once", lambda self, *args: None)
        monkeypatch.setattr(factbase, "written", _one_by_one)
    made: list = []

    def spy(*args, **kwargs):
        base = _BUILD(*args, **kwargs)
        made.append([list(f.items()) for f in base.facts])
        made.append({fid: (src.derived, src.shown, src.names) for fid, src in base.sources.items()})
        return base

    monkeypatch.setattr(check, "build_facts", spy)
    bundle, _ = check.load_and_validate(EVIDENCE / "lvgu-park")
    write_reports(check.check_bundle(bundle, ["t-cpqs-zc001-2025"]), tmp_path, ["json", "md"])
    return made, {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}, taken


def test_columns_written_at_once_make_the_facts_and_reports_of_the_loops(monkeypatch, tmp_path):
    made, reports, taken = _check(monkeypatch, tmp_path / "fast", True)
    assert all(taken.values()), taken  # (each C loop taken, on columns that leave some facts without a value)
    slow_made, slow_reports, _ = _check(monkeypatch, tmp_path / "slow", False)
    assert made[0] == slow_made[0]  # the same items, in the same order
    assert made[1] == slow_made[1]
    assert reports == slow_reports


@pytest.mark.parametrize("released", [False, True])
def test_written_sets_the_values_the_loop_sets(released):
    def targets() -> list:
        facts: list = [{"kind": "k", "id": str(i)} for i in range(6)]
        if released:
            facts[1] = facts[4] = None
        return facts

    for values in ([1, 2, 3, 4, 5, 6], [SKIP, 2, SKIP, 4, 5, SKIP], list(repeat(SKIP, 6)), [1, 2, 3]):
        fast, slow = targets(), targets()
        factbase.written(fast, "v", values, SKIP)
        _one_by_one(slow, "v", values, SKIP)
        assert [f if f is None else list(f.items()) for f in fast] == [f if f is None else list(f.items()) for f in slow]


@pytest.mark.parametrize("case", ["text", "one_as_itself", "one_skipped", "befores"])
def test_shown_at_once_is_the_loop(monkeypatch, case):
    """A column shown otherwise: the mappings made at once (one step per distinct object shown) are those the loop
    makes; a value shown as itself, a fact without the value or facts with several mappings before are left to it."""
    from checker.factbase import FactBase, FactSource

    def shown_by(fast: bool) -> list:
        base = FactBase()
        fids = [base.add({"kind": "k"}, FactSource("k", "f.csv", i, {}, None, f"k{i}")) for i in range(5)]
        if case == "befores":
            base.sources[fids[2]].shown = {"other": "x"}
        values = [20000 + i % 2 for i in range(5)]
        texts = ["2024-10-03", "2024-10-04"]
        shown = [texts[i % 2] for i in range(5)]
        if case == "one_as_itself":
            shown[3] = values[3]
        if case == "one_skipped":
            values[1] = SKIP
        if not fast:
            monkeypatch.setattr(FactBase, "_shown_at_once", lambda self, *args: None)
        base._show_column(fids, "day", values, shown, SKIP)
        monkeypatch.undo()
        return [base.sources[fid].shown for fid in fids]

    assert shown_by(True) == shown_by(False)
