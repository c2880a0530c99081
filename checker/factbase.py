"""The fact base: the facts given to the engine, by kind, and the way back from each fact to the
evidence it was built from (file, JSON pointer, original values).  ``checker.facts`` fills it."""

from __future__ import annotations

import operator
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

from .factrows import DEFER_FROM, Deferred, kept_items, remade, remade_at_once, sharing
from .factsource import FactSource
from .heldcolumns import DROP as _DROP
from .heldcolumns import UNSET, HeldColumns, Resolve, ShownSteps, resolved
from .idlist import IdList
from .limits import SHARED_KEYS as _SHARED_KEYS
from .sourcepack import column_of, each_distinct, facts_listed, packs, placed, put_column, sources_of


@dataclass
class FactBase:
    facts: list[dict] = field(default_factory=list)
    sources: IdList = field(default_factory=IdList)  # FactSource by fact id (``checker.idlist``: memory)
    by_kind: dict[str, list[str]] = field(default_factory=dict)
    bundle_id: str | None = None
    _name_steps: dict[tuple, dict[str, str]] = field(default_factory=dict, repr=False)  # (``_names``)
    _name_keep: list[dict[str, str]] = field(default_factory=list, repr=False)
    _shown_after: ShownSteps = field(default_factory=ShownSteps, repr=False)
    holding: bool = False  # derived columns are held, not written (``set_derived_column``), until ``narrow``
    coder: Callable[[Any], Any] | None = field(default=None, repr=False)  # how they are held (``columns.coded``)
    # kinds whose record facts were built with only these fields (``checker.facts``: those the engine and the derive
    # stage read), their others read from the evidence (``checker.columns``) but in rows built whole (``full_rows``)
    lean_keys: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    lean_of: Callable[[str], frozenset[str] | None] | None = field(default=None, repr=False)  # the fields, by kind
    full_rows: dict[str, bytearray] = field(default_factory=dict, repr=False)  # 1 at a row built whole
    # lean kinds whose records have placeholders until ``narrow`` makes their facts (``checker.factrows``);
    # their ``lean_keys`` meanwhile: the fields the placeholders carry as the lean facts would
    deferred: dict[str, Deferred] = field(default_factory=dict, repr=False)
    _held: dict[str, HeldColumns] = field(default_factory=dict, repr=False)  # by kind
    # aggregate kinds made as columns while the derive stage runs (``checker.aggtable``): columns by field, count
    virtual: frozenset[str] = frozenset()
    tables: dict[str, tuple[dict[str, list], int]] = field(default_factory=dict, repr=False)
    _ints: list[int] = field(default_factory=list, repr=False)  # (``position``)

    def position(self, n: int) -> int:
        """The number ``n`` as one shared object (memory: a fact's place in its kind and a row's in its table
        are the same few numbers for every kind, not an object each, ~28 bytes)."""
        ints = self._ints
        if n >= len(ints):
            ints.extend(range(len(ints), n + 1))
        return ints[n]

    def positions(self, numbers: list[int]) -> list[int]:
        """``position`` of each of ``numbers``."""
        if numbers:
            self.position(max(numbers))
        return list(map(self._ints.__getitem__, numbers))

    def add(self, fact: dict, source: FactSource) -> str:
        fid = str(len(self.facts) + 1)
        fact["id"] = fid
        self.facts.append(fact)
        source.fact = fact
        self.sources[fid] = source
        kind = fact["kind"]
        fids = self.by_kind.get(kind)
        if fids is None:
            fids = self.by_kind[kind] = []
            self._held[kind] = HeldColumns()
        source.held, source.row = self._held[kind], self.position(len(fids))
        fids.append(fid)
        return fid

    def add_rows(self, kind: str, facts: list[dict], fields: dict[str, Any], make: Callable[..., Any]) -> None:
        """``add`` of each of ``facts`` (of ``kind``), in order, their sources' fields given by name (a list: by
        position; else shared): a new kind's sources placed as one block (``checker.sourcepack.placed``, ``make``
        their views), which ``pack`` would make of them; else ``FactSource`` objects."""
        first = len(self.facts)
        if kind not in self.by_kind and packs(self.sources, len(facts)):
            ids = self.by_kind[kind] = list(map(str, range(first + 1, first + len(facts) + 1)))
            deque(map(operator.setitem, facts, repeat("id"), ids), maxlen=0)
            self.facts += facts
            held = self._held[kind] = HeldColumns()
            placed(self.sources, self.facts, first, {"kind": kind, **fields, "names": None, "shown": None,
                                                     "held": held}, make)
            return
        names = list(fields)
        columns = [v if type(v) is list else repeat(v) for v in fields.values()]
        for fact, values in zip(facts, zip(*columns, strict=False), strict=False):  # (shared: ``repeat``)
            self.add(fact, FactSource(kind=kind, **dict(zip(names, values, strict=True))))

    def mark_full(self, kind: str, row: int) -> None:
        """Note that the record at ``row`` of a lean kind was built whole (``full_rows``: a byte per row)."""
        flags = self.full_rows.get(kind)
        if flags is None:
            flags = self.full_rows[kind] = bytearray()
        if row >= len(flags):
            flags.extend(bytes(row + 1 - len(flags)))
        flags[row] = 1

    def add_table(self, kind: str, columns: dict[str, list], count: int, first: FactSource) -> None:
        """``count`` facts of ``kind`` held as ``columns`` (``checker.aggtable``): their places in the fact list
        (ids, the number of facts) are taken by one shared stand-in, ``{"kind", "id"}`` of the first, whose
        source is ``first``; the kind has no facts (``of_kind``)."""
        stand_in = {"kind": kind, "id": str(len(self.facts) + 1)}
        first.fact = stand_in
        self.sources[stand_in["id"]] = first
        self.facts.extend([stand_in] * count)
        self.tables[kind] = (columns, count)

    def lean_kind(self, kind: str) -> frozenset[str] | None:
        """The fields the facts of a new kind are made with (``lean_of``, noted in ``lean_keys``; None: all)."""
        if self.lean_of is None or kind in self.by_kind:
            return None
        lean = self.lean_of(kind)
        if lean is not None:
            self.lean_keys[kind] = lean
        return lean

    def defer(self, kind: str, lean: frozenset[str], rows: list[dict], kept: frozenset[str],
              reserved: frozenset[str], shapes: set[tuple] | None = None) -> Deferred | None:
        """The records ``rows`` of a lean kind deferred (``checker.factrows.Deferred``: placeholders in the fact
        list, their facts made by ``narrow``) when each is kept as it is (only ``kept`` fields, no ``f_`` name of
        a ``reserved`` one), there are ``DEFER_FROM`` of them or the kind's records so far were deferred too, and
        none of them was built otherwise; else None (an earlier deferral of the kind undone: ``undefer``).
        ``shapes``: the rows' fields in order, each sequence once (``Deferred.shapes``; default: read from them)."""
        deferred = self.deferred.get(kind)
        renamed = {"f_" + name for name in reserved}
        shapes = set(map(tuple, rows)) if shapes is None else shapes
        if not (() not in shapes and all(map(kept.issuperset, shapes)) and all(map(renamed.isdisjoint, shapes))):
            self.undefer(kind)
            return None
        if deferred is None:
            if kind in self.by_kind or len(rows) < DEFER_FROM:
                return None
            deferred = self.deferred[kind] = Deferred(lean, {})
        deferred.shapes.update(shapes)
        deferred.rename.update((name, "f_" + name) for name in reserved.intersection(kept))
        deferred.evidence.update(deferred.rename.get(k, k) for k in kept)
        self.lean_keys[kind] = deferred.carried()
        return deferred

    def undefer(self, kind: str) -> None:
        """The placeholders of a deferred kind made its lean facts (the kind is then built as others are)."""
        deferred = self.deferred.pop(kind, None)
        if deferred is None:
            return
        self.lean_keys[kind] = deferred.lean
        for fid in self.by_kind[kind]:
            i, src = int(fid) - 1, self.sources[fid]
            src.fact = self.facts[i] = dict(deferred.items(src.data, self.facts[i], None))

    def _writes(self, kind: str, name: str, held: bool) -> None:
        """Note that ``name`` is set on the facts of ``kind`` (``held``: in a held column): on a deferred kind's
        placeholders, a lean field then carried as the lean facts carry it; one the evidence gives too copies the
        evidence's lean fields onto them first (``Deferred.materialize``: read where they are set)."""
        deferred = self.deferred.get(kind)
        if deferred is None or (held and name not in deferred.lean):
            return
        if not held:
            deferred.written.add(name)
        if name in deferred.lean and name in deferred.evidence and not deferred.materialized:
            fids = self.by_kind[kind]
            deferred.materialize([self.facts[int(fid) - 1] for fid in fids], column_of(self.sources, fids, "data"))
        self.lean_keys[kind] = deferred.carried()

    def held_column(self, kind: str, name: str) -> tuple[list, Any] | None:
        """A derived column held for ``kind`` under the engine name ``name``: its values and their ``skip``."""
        held = self._held.get(kind)
        column = held.columns.get(name[2:] if name.startswith("f_") else name) if held is not None else None
        return None if column is None or column[0] != name else (resolved(column[1], column[3], column[4]), column[3])

    def narrow(self, read: dict[str, frozenset[str] | None] | None, whole: Iterable[str] = ()) -> None:
        """Write the held derived columns (``holding``) onto the facts and drop from each fact the fields
        nothing reads (memory): a fact keeps its id and kind, the fields ``read`` names for its kind
        (``checker.projection.fields_read``: what the engine may be given) and the derived values of those
        fields; a kind read whole (None in ``read``, or in ``whole``) keeps every field and gets every derived
        value.  The derived values no rule reads stay in their kind's columns (``FactSource.derived_get``
        reads them there).  ``read`` None: nothing is dropped and every derived value is written.  Messages
        and reports read the evidence (``FactSource.data``), which is untouched."""
        self.holding = False
        intact = None if read is None else set(whole) | {kind for kind, fields in read.items() if fields is None}
        for kind, fids in self.by_kind.items():
            held = self._held[kind].columns
            keep = None if intact is None or kind in intact else (read or {}).get(kind) or frozenset()
            write = [(label, column) for label, column in held.items() if keep is None or column[0] in keep]
            for label, _ in write:
                del held[label]
            deferred = self.deferred.pop(kind, None)
            if deferred is not None:
                self.lean_keys[kind] = deferred.lean
            if keep is not None or write or deferred is not None or len(fids) >= _COMPACT_FROM:
                self._rewrite(fids, None if keep is None else keep | {"id", "kind"}, write, deferred)

    def _rewrite(self, fids: list[str], keep: frozenset[str] | None, write: list[tuple[str, tuple]],
                 deferred: Deferred | None = None) -> None:
        """The facts of one kind narrowed to ``keep`` (None: all fields) with the ``write`` columns set; made
        again as key-sharing dicts from ``_COMPACT_FROM`` facts (``_made``), those of a ``deferred`` kind made."""
        kind_names = {label: column[0] for label, column in write}
        rows = None if facts_listed(self.sources, fids) else sources_of(self.sources, fids)  # (views: only if read)
        if not self._made(fids, rows, keep, write, deferred) and keep is not None:
            self._narrowed(rows or sources_of(self.sources, fids), keep)
        if kind_names and not each_distinct(self.sources, fids, "names",
                                            lambda n: kind_names if n is None else self._merged(n, kind_names)):
            for src in rows or sources_of(self.sources, fids):
                src.names = kind_names if src.names is None else self._merged(src.names, kind_names)
        targets = column_of(self.sources, fids, "fact")
        every = None not in targets  # (a fact for each source: a column with no skipped value is set by C loops)
        for label, (name, values, shown, skip, resolve) in write:
            values = resolved(values, skip, resolve)
            set_column(targets, name, values, skip, every)
            if shown is not None:
                self._show_column(fids, label, values, shown, skip)

    def _made(self, fids: list[str], rows: Sequence[FactSource] | None, keep: frozenset[str] | None,
              write: list[tuple[str, tuple]], deferred: Deferred | None) -> bool:
        """The facts of one kind made again, each narrowed as ``_narrowed`` narrows it: from ``_COMPACT_FROM`` facts
        as dicts sharing the fields kept and those ``write`` sets (CPython's key-sharing dicts: ~290 instead of
        ~500 bytes a fact of 20 fields; ``checker.factrows.remade``), a ``deferred`` kind's from their evidence and
        placeholders (``Deferred.items``).  False: they were not (too few, or more fields than are shared)."""
        if deferred is None and len(fids) < _COMPACT_FROM:
            return False  # (too few: nothing to make)
        facts = self.facts
        names = column_of(self.sources, fids, "names")
        plans: dict[int, frozenset[str] | None] = {}  # id of a fact's derived names -> fields kept
        for n in names:
            if id(n) not in plans:  # (derived names are shared and kept alive: ``_names``)
                plans[id(n)] = None if keep is None else keep | set((n or {}).values())
        kept = list(map(plans.__getitem__, map(id, names)))
        keys = deferred.keys() if deferred is not None else set().union(*(facts[int(fid) - 1] for fid in fids))
        keys |= {name for _, (name, *_) in write}
        if keep is not None:
            keys &= set().union(*plans.values())  # type: ignore[arg-type,operator]
        compact = len(fids) >= _COMPACT_FROM and len(keys) <= _SHARED_KEYS
        row_type = sharing(keys) if compact else None  # (``rows``: the sources, None when the fact list holds them)
        if deferred is not None:
            deferred.made(facts, fids, column_of(self.sources, fids, "data"), kept, row_type, rows)
        elif compact and (row_type is None or not remade_at_once(facts, fids, kept, row_type, rows)):
            remade(facts, fids, kept, lambda k, fields: kept_items(facts[int(fids[k]) - 1], fields), row_type, rows)
        return compact or deferred is not None

    def _narrowed(self, rows: Iterable[FactSource], keep: frozenset[str]) -> None:
        """Each fact of ``rows`` with only the fields ``keep`` names and its derived values, in its order."""
        facts = self.facts
        plans: dict[int, frozenset[str]] = {}  # id of a fact's derived names -> fields kept
        for src in rows:
            fact = src.fact
            if fact is None:
                continue
            kept = plans.get(id(src.names))
            if kept is None:  # (derived names are shared and kept alive: ``_names``)
                kept = plans[id(src.names)] = keep | set((src.names or {}).values())
            if not kept.issuperset(fact):
                src.fact = facts[int(fact["id"]) - 1] = {k: v for k, v in fact.items() if k in kept}

    def _show_column(self, fids: list[str], label: str, values: list, shown: list, skip: Any) -> None:
        """``_show`` of each fact whose value is set; neighbours with the same mapping and shown value share
        the next mapping (a date every row shows as text).  Read and set as a column (``put_column``)."""
        last: tuple = (UNSET, UNSET, None)
        befores = column_of(self.sources, fids, "shown")
        after = list(befores)
        for k, (before, value, show) in enumerate(zip(befores, values, shown, strict=False)):
            if value is skip or (show is value and not (before and label in before)):
                continue
            if before is not last[0] or show is not last[1]:
                last = (before, show, self._shown_after(before, label, _DROP if show is value else show))
            after[k] = last[2]
        put_column(self.sources, fids, "shown", befores, after)

    def _merged(self, names: dict[str, str], more: dict[str, str]) -> dict[str, str]:
        """``names`` followed by ``more`` (shared: one mapping per pair, ``_names``)."""
        for label, name in more.items():
            names = self._names(names, name)[0] if names.get(label) != name else names
        return names

    def of_kind(self, kind: str) -> list[str]:
        return self.by_kind.get(kind, [])

    def _names(self, names: dict[str, str] | None, name: str) -> tuple[dict[str, str], str]:
        """The derived names of a fact that had ``names`` once ``name`` is set on it, and its label: one
        shared mapping per sequence of names set (most facts of a kind share one)."""
        label = name[2:] if name.startswith("f_") else name
        if names is not None and names.get(label) == name:
            return names, label
        step = (id(names), label, name)
        after = self._name_steps.get(step)
        if after is None:
            after = self._name_steps[step] = {**(names or {}), label: name}
            self._name_keep.append(after)  # kept alive: its id is part of the next steps' keys
        return after, label

    def set_derived_column(self, facts: list[dict], name: str, values: list, skip: Any,
                           shown: list | None = None, sources: Sequence[FactSource] | None = None,
                           kind: str | None = None, resolve: Resolve | None = None) -> None:
        """Set a derived value (``name`` is the engine's field name) on each fact whose value (same position in
        ``values``) is not ``skip`` and note it for the fact's messages under the rule-language name; ``shown``:
        the values as the messages show them, by position (default: the values);
        ``sources``: the facts' sources, by position (default: looked up).  While ``holding``, the column
        of the facts of ``kind`` (all of them, in order) is held as it is instead (``narrow`` writes it);
        ``resolve``: how the values are computed from what ``values`` holds, when read (``HeldColumns``)."""
        if not facts or (shown is None and all(map(operator.is_, values, repeat(skip)))):  # (stops at a value)
            return  # nothing to set (a unit problem column where every unit is known)
        if self.holding and kind is not None and "." not in name:
            self._hold(kind, name, values, shown, skip, resolve)
            return
        values = resolved(values, skip, resolve)
        self._writes(facts[0]["kind"], name, False)
        if sources is None:
            sources = [self.sources[fact["id"]] for fact in facts]
        label = name[2:] if name.startswith("f_") else name
        steps: dict[int, dict[str, str]] = {}  # id of a fact's names before -> after (``_names``, once each)
        last: Any = UNSET
        after: dict[str, str] = {}
        for fact, src, value, show in zip(facts, sources, values, values if shown is None else shown, strict=True):
            if value is skip:
                continue
            fact[name] = value
            if src.names is not last:  # most neighbours had the same fields derived
                last = src.names
                if id(last) not in steps:
                    steps[id(last)] = self._names(last, name)[0]
                after = steps[id(last)]
            src.names = after
            if show is not value or (src.shown and label in src.shown):
                self._show(src, label, value, show)

    def _hold(self, kind: str, name: str, values: list, shown: list | None, skip: Any, resolve: Resolve | None) -> None:
        """Hold a derived column of ``kind`` (``set_derived_column``), coded (``coder``) unless the facts will carry
        it (one of the kind's lean fields: ``narrow`` writes it)."""
        self._writes(kind, name, True)
        lean = self.deferred[kind].lean if kind in self.deferred else self.lean_keys.get(kind)
        code = self.coder if self.coder is not None and lean is not None and name not in lean else _as_is
        self._held[kind].columns[name[2:] if name.startswith("f_") else name] = (name, code(values), code(shown),
                                                                               skip, resolve)

    def _show(self, src: FactSource, label: str, value: Any, shown: Any) -> None:
        """Note how a derived value is shown where that is not the fact's own value."""
        src.shown = self._shown_after(src.shown, label, _DROP if shown is value else shown)


def _as_is(values: Any) -> Any:
    return values


_COMPACT_FROM = 256  # facts of a kind, from which they are made key-sharing dicts (``FactBase._made``)


def set_column(targets: Sequence, name: str, values: Sequence, skip: Any, every: bool) -> None:
    """``name`` set to each value on the fact at the same place, but where the value is ``skip`` or there is no fact
    (``every``: there is a fact at each place); by C loops when no value is skipped."""
    if every and not any(map(operator.is_, values, repeat(skip))):
        deque(map(operator.setitem, targets, repeat(name), values), maxlen=0)
        return
    for fact, value in zip(targets, values, strict=False):
        if value is not skip and fact is not None:
            fact[name] = value
