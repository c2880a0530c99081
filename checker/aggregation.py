"""Declared aggregates (``aggregates:`` in a pack) and the order in which they and the derived values
(``derive:``, checker.derivations) are computed on the facts.

Aggregates count (and sum) the records of a kind per calendar year, per value of a field, per
combination of fields, or measure the gaps between dated records; each group or gap becomes a fact of
kind ``agg.<name>``.

Order.  Each derived entry and each aggregate reads fields of some kinds and sets fields of one kind;
they are computed in a dependency order, so that whatever a step reads is computed before it:

* a derived entry comes after the earlier-declared entries that set a field it reads on its own kind
  (a later entry never feeds an earlier one of the same kind), after every entry that sets a field it
  takes from another kind (``ref``), and after the aggregate whose facts it reads or sets
  (``kind: agg.NAME`` or ``of: agg.NAME``);
* an aggregate comes after every derived entry that sets a field it groups, sums, counts distinct or
  filters on (and after the aggregate it is ``of``, for an aggregate of an aggregate).

Among the steps ready at any point, the one declared first runs first (derived entries in their
declared order, then aggregates in theirs), so a pack without such dependencies runs as written.  A
cycle (which pack lint reports) runs the rest in that declared order.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

from .aggshare import Shared
from .aggshare import plan as _share_plan
from .aggtable import aggregate_by_fields as _aggregate_by_fields
from .aggtable import selected as _selected
from .aggtable import table_reads, virtual_kinds
from .aggtable import totalled as _totalled
from .aggtable import totals as _totals
from .bundle import Bundle
from .columns import Columns, ColumnStore, coded, engine_path
from .conditions import add_months, epoch_days
from .derivations import derive_one, year_of
from .factbase import FactBase, FactSource
from .packmodel import Aggregate, Derived

Step = Derived | Aggregate


def step_reads(step: Step) -> set[tuple[str, str]]:
    """(kind, field) pairs a step reads; field "" means "the facts of the kind"."""
    if isinstance(step, Aggregate):
        return {(step.of, ""), *((step.of, f) for f in step.reads())}
    fields = {f for pair in step.factors for f in pair if f} | set(step.args)
    if step.op == "decline_rate" and not step.args:
        fields.add("sum")
    out = {(step.kind, ""), *((step.kind, f) for f in fields)}
    if step.op == "ref" and step.of:
        out |= {(step.of, ""), *((step.of, theirs) for theirs, _ in step.match)}
        if step.take:
            out.add((step.of, step.take))
    return out


def _sets(step: Step) -> set[tuple[str, str]]:
    if isinstance(step, Aggregate):
        return {(step.kind, "")}
    return {(step.kind, f) for f in step.sets()}


def dependencies(steps: list[Step]) -> list[set[int]]:
    """For each step, the indexes of the steps it must come after (see the module docstring)."""
    sets = [_sets(s) for s in steps]
    deps: list[set[int]] = []
    for i, step in enumerate(steps):
        mine: set[int] = set()
        for kind, name in step_reads(step):
            for j, other in enumerate(steps):
                if j == i or (kind, name) not in sets[j]:
                    continue
                same_kind_later = isinstance(step, Derived) and isinstance(other, Derived) and j > i \
                    and other.kind == step.kind == kind
                if not same_kind_later:
                    mine.add(j)
        deps.append(mine)
    return deps


_PLANS: dict[tuple, tuple] = {}  # (ids of the steps) -> (the steps, kept alive, and their plan)


def plan(derived: tuple[Derived, ...], aggregates: tuple[Aggregate, ...]) -> tuple[list[Step], list[Step]]:
    """The steps in the order they run, and the steps caught in a dependency cycle (run last); planned once
    per process for the same declarations (the compiled packs' own objects)."""
    key = (tuple(map(id, derived)), tuple(map(id, aggregates)))
    hit = _PLANS.get(key)
    if hit is None:
        hit = _PLANS[key] = ((derived, aggregates), _plan(derived, aggregates))
        if len(_PLANS) > 64:
            del _PLANS[next(iter(_PLANS))]
    order, cycle = hit[1]
    return list(order), list(cycle)


def _plan(derived: tuple[Derived, ...], aggregates: tuple[Aggregate, ...]) -> tuple[list[Step], list[Step]]:
    steps: list[Step] = [*derived, *aggregates]
    deps = dependencies(steps)
    done: set[int] = set()
    order: list[Step] = []
    while True:
        ready = next((i for i in range(len(steps)) if i not in done and deps[i] <= done), None)
        if ready is None:
            break
        done.add(ready)
        order.append(steps[ready])
    cycle = [s for i, s in enumerate(steps) if i not in done]
    return order + cycle, cycle


def run_declarations(base: FactBase, bundle: Bundle, derived: tuple[Derived, ...],
                     aggregates: tuple[Aggregate, ...], dates: dict[str, str],
                     read: dict[str, frozenset[str] | None] | None = None, whole: Iterable[str] = (),
                     kept: Iterable[str] = ()) -> None:
    """Compute the derived values and the aggregates on the facts, in dependency order.  The derived values
    are held as columns while they are computed, then written onto the facts (``FactBase.narrow``): with
    ``read`` (the fields the engine may read, by kind; ``whole``: kinds read whole) only those, the facts
    narrowed to them, the rest left in their columns for messages; without it every one.  The aggregates
    nothing reads as facts (``kept``: kinds read after the engine) are columns while the stage runs
    (``checker.aggtable``)."""
    whole = tuple(whole)
    by_name = {a.name: a for a in aggregates}
    period_years = range(int(dates["period_start"][:4]), int(dates["period_end"][:4]) + 1)
    store = ColumnStore(base)  # each field of a kind is read once for the whole run (checker.columns)
    steps, later = _planned(derived, aggregates)
    base.holding, base.coder = True, coded  # memory: a held column is a small code a row (checker.columns.Coded)
    base.virtual = virtual_kinds(derived, aggregates, read, (*whole, *kept))
    wanted = table_reads(derived, base.virtual)  # (the columns of those made as columns that are read)
    in_order = [s for s in steps if isinstance(s, Aggregate)]
    shared = Shared(_share_plan(in_order), in_order)  # (what aggregates hand on)
    for step, (kinds, paths) in zip(steps, later, strict=True):
        _run_step(base, bundle, step, by_name, store, dates, period_years, wanted, shared)
        store.keep(kinds, paths)  # columns no later step reads are let go
    del store, shared
    base.tables.clear()  # (read by the derive stage only)
    base.narrow(read, whole)


_LATER: dict[tuple, tuple] = {}  # (ids of the steps) -> (the steps, kept alive, and what is read after each)


def _planned(derived: tuple[Derived, ...], aggregates: tuple[Aggregate, ...]) -> tuple[list[Step], list[tuple]]:
    """The steps in the order they run and, after each, the kinds and the engine paths of each kind the
    steps after it read (``ColumnStore.keep``): planned once per process for the same declarations."""
    key = (tuple(map(id, derived)), tuple(map(id, aggregates)))
    hit = _LATER.get(key)
    if hit is None:
        steps = plan(derived, aggregates)[0]
        later = []
        same: dict[frozenset, frozenset] = {}  # (memory: the steps after neighbouring steps read much the same)
        for needed in _read_later(steps):
            paths: dict[str, set[str]] = {}
            for kind, path in needed:
                if path:
                    paths.setdefault(kind, set()).add(engine_path(path))
            kinds = frozenset(k for k, path in needed if not path)
            later.append((same.setdefault(kinds, kinds), {k: same.setdefault(v, v) for k, v in
                                                          ((k, frozenset(v)) for k, v in paths.items())}))
        hit = _LATER[key] = ((derived, aggregates), steps, later)
        if len(_LATER) > 64:
            del _LATER[next(iter(_LATER))]
    return hit[1], hit[2]


def _read_later(steps: list[Step]) -> list[set[tuple[str, str]]]:
    """For each step, the (kind, field path) pairs the steps after it read (path "": the kind's facts)."""
    out: list[set[tuple[str, str]]] = []
    needed: set[tuple[str, str]] = set()
    for step in reversed(steps):
        out.append(set(needed))
        needed |= step_reads(step)
    return out[::-1]


def _run_step(base: FactBase, bundle: Bundle, step: Step, by_name: dict[str, Aggregate], store: ColumnStore,
              dates: dict[str, str], period_years: range, wanted: dict[str, frozenset[str]],
              shared: Shared | None = None) -> None:
    if isinstance(step, Derived):
        derive_one(base, step, by_name, store)
    elif step.intervals:
        _intervals(base, bundle, step, dates, store.kind(step.of))
    elif step.group_by_fields:
        _aggregate_by_fields(base, step, store.kind(step.of), wanted.get(step.kind), shared)
    elif step.group_by_field:
        _aggregate_by_field(base, step, store.kind(step.of))
    else:
        _aggregate(base, bundle, step, period_years, store.kind(step.of))


def months_between(start: _dt.date, end: _dt.date) -> int:
    """Whole months from ``start`` to ``end``, counting a part month as one: 2023-11-12 → 2024-11-12
    is 12, → 2024-11-13 is 13."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) < end:
        months += 1
    while months > 0 and add_months(start, months - 1) >= end:
        months -= 1
    return max(months, 0)


def _iso(days: int) -> str:
    return (_dt.date(1970, 1, 1) + _dt.timedelta(days=days)).isoformat()


def _intervals(base: FactBase, bundle: Bundle, agg: Aggregate, dates: dict[str, str], columns: Columns) -> None:
    """Gaps between consecutive dated records, measured from the period start (or the last record
    before it) to the first record in the period, between records, and from the last record to the
    audit date: one fact per gap.  Records dated after the closing anchor do not shorten a gap."""
    assert agg.intervals is not None
    date_field, start_anchor, end_anchor = agg.intervals
    start, end = epoch_days(dates[start_anchor]), epoch_days(dates[end_anchor])
    dated: list[tuple[int, str]] = []
    for i, day in _selected(columns, agg, columns.raw(date_field)):
        if isinstance(day, int) and day <= end:
            dated.append((day, columns.facts[i]["id"]))
    dated.sort()
    before = [d for d in dated if d[0] <= start]
    inside = [d for d in dated if start < d[0]]
    points: list[tuple[int, str | None]] = [before[-1] if before else (start, None), *inside]
    manifest = bundle.manifest
    for i in range(len(points)):
        frm, from_fid = points[i]
        to, to_fid = points[i + 1] if i + 1 < len(points) else (end, None)
        last = i + 1 == len(points)
        fact = {"kind": agg.kind, "from": frm, "to": to, "days": to - frm,
                "months": months_between(_dt.date.fromisoformat(_iso(frm)), _dt.date.fromisoformat(_iso(to))),
                "first": i == 0, "last": last}
        data = {"from": _iso(frm), "to": _iso(to), "days": fact["days"], "months": fact["months"],
                "first": fact["first"], "last": last}
        anchor_fid = to_fid or from_fid
        if anchor_fid is not None:
            src = base.sources[anchor_fid]
            source = FactSource(agg.kind, src.file, src.pointer, data, src.document,
                                f"agg:{agg.name}:{data['from']}:{data['to']}")
        else:
            source = FactSource(agg.kind, manifest.path, "/period", data, manifest,
                                f"agg:{agg.name}:{data['from']}:{data['to']}")
        base.add(fact, source)


def _raw(columns: Columns, name: str | None) -> list:
    """The column of an engine field (none: nothing given)."""
    return columns.raw(name) if name else [None] * len(columns)


def _source(columns: Columns, position: int) -> FactSource:
    return columns.sources()[position]


def _aggregate(base: FactBase, bundle: Bundle, agg: Aggregate, period_years: range, columns: Columns) -> None:
    if getattr(agg, "group_by_field", None):
        _aggregate_by_field(base, agg, columns)
        return
    groups: dict[int, list[int]] = {}
    years: dict[int, int] = {}  # the year of each day, once per distinct day
    for i, day in _selected(columns, agg, _raw(columns, agg.group_by_year_of)):
        if isinstance(day, int):
            year = years.get(day)
            if year is None:
                year = years[day] = year_of(day)
            groups.setdefault(year, []).append(i)
    keys = set(groups)
    totalled = _totalled(columns, agg)
    if agg.over_period:
        keys = set(period_years) | {k for k in keys if k in period_years}
        keys = {k for k in keys if k in period_years}
    for key in sorted(keys):
        members = groups.get(key, [])
        counted: dict = {"kind": agg.kind, "key": key, "count": len(members)}
        data: dict = {"key": key, "count": len(members)}
        _totals(totalled, members, counted, data)
        if members:
            first = _source(columns, members[0])
            pointer = first.pointer.rsplit("/", 1)[0]
            source = FactSource(agg.kind, first.file, pointer, data, first.document, f"agg:{agg.name}:{key}")
        else:
            source = FactSource(agg.kind, bundle.manifest.path, "/period", data, bundle.manifest,
                                f"agg:{agg.name}:{key}")
        base.add(counted, source)


def _aggregate_by_field(base: FactBase, agg: Aggregate, columns: Columns) -> None:
    """Count records per value of a field.  The fact points at the last record of its group, so a
    value given twice is located at its repetition."""
    groups: dict = {}
    for i, key in _selected(columns, agg, _raw(columns, agg.group_by_field)):
        if isinstance(key, (str, int)) and not isinstance(key, bool):
            groups.setdefault(key, []).append(i)
    totalled = _totalled(columns, agg)
    for key in sorted(groups, key=lambda k: (str(type(k)), k)):
        members = groups[key]
        counted: dict = {"kind": agg.kind, "key": key, "count": len(members)}
        data: dict = {"key": key, "count": len(members)}
        _totals(totalled, members, counted, data)
        last = _source(columns, members[-1])
        base.add(counted, FactSource(agg.kind, last.file, last.pointer, data, last.document, f"agg:{agg.name}:{key}"))
