"""The facts of a kind read column by column, for the derive stage (checker.derivations,
checker.aggregation): each field path is read once over the kind's facts into a list, kept while the
derived values and aggregates are computed, and dropped when a step sets that field.  Computed columns
are held by the fact base while the stage runs (``FactBase.holding``); once it is over, only those a rule
condition reads are written onto the facts (the engine's dicts), in the pass that narrows them
(``FactBase.narrow``): the others stay columns, which messages and reports read (``FactSource.derived_get``).
A field the kind's lean facts do not carry (``FactBase.lean_keys``) is read from the evidence.

A column holds, per fact in fact order, the value at the path or None when it is not given (as a fact's
``get`` would).  A computed column holds ``ABSENT`` where the value is not given: that fact lacks the field."""

from __future__ import annotations

import functools
import operator
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from itertools import compress, islice, repeat
from typing import Any

from .conditions import RESERVED, engine_field
from .factbase import FactBase, FactSource
from .heldcolumns import Coded as Coded  # (held columns coded: ``FactBase.coder``)
from .heldcolumns import coded
from .locations import LOCATION, LOCATION_COLUMNS, located_column
from .packedsource import evidence
from .sourcepack import sources_of

ABSENT: Any = object()  # a derived value that is not given (an input is missing or not usable)
_RENAMED = frozenset("f_" + name for name in RESERVED)  # a reserved field name of the evidence, on a fact


def _walk(parts: tuple[str, ...]) -> Callable[[Any], Any]:
    def get(fact: Any) -> Any:
        value = fact
        for part in parts:
            if not isinstance(value, dict):
                return None
            value = value.get(part)
        return value
    return get


@functools.lru_cache(maxsize=4096)
def engine_path(path: str) -> str:
    """The engine's name of a rule-language field path (``_id``: the fact's own id)."""
    return "id" if path == "_id" else engine_field(path)


@functools.lru_cache(maxsize=1024)
def getter(path: str) -> Callable[[Any], Any]:
    """A function reading a rule-language field path from a fact, built once per path: ``id`` is the
    evidence's ``id``; ``_id`` is the fact's own id, ``_doc``/``_parent`` its document's and enclosing
    fact's."""
    if path == "_id":
        return operator.itemgetter("id")
    parts = tuple(engine_field(path).split("."))
    if len(parts) == 1:
        name = parts[0]
        return lambda fact: fact.get(name)
    return _walk(parts)


def _get_each(mappings: Sequence, key: str) -> list:
    """``m.get(key)`` of each of the mappings (AttributeError where one is not a mapping)."""
    try:
        return list(map(dict.get, mappings, repeat(key)))
    except TypeError:  # (one is not a dict)
        return [m.get(key) for m in mappings]


def rows(columns: list, count: int) -> Iterable[tuple]:
    """The rows of the columns (``count`` empty rows when there is no column)."""
    return zip(*columns, strict=True) if columns else repeat((), count)


def walk(value: Any, path: str) -> Any:
    """The value at a dotted path of plain data (no engine names)."""
    return _walk(tuple(path.split(".")))(value)


def _facts_of(base: FactBase, fids: list[str]) -> list[dict]:
    """The facts of ``fids`` (ids in fact order), in order: a slice of the fact list where they are its facts from the
    first one's on (a kind's facts added one after another)."""
    first = int(fids[0]) - 1 if fids else 0
    facts = base.facts[first:first + len(fids)]
    if len(facts) == len(fids) and all(map(operator.eq, map(dict.get, facts, repeat("id")), fids)):
        return facts
    return list(map(base.facts.__getitem__, map((1).__rsub__, map(int, fids))))


class Columns:
    """The facts of one kind (in fact order) and the columns read from them so far.  A derived value held
    as a column (``FactBase.holding``) is read from its column, the fact's own value where it is not derived."""

    __slots__ = ("_cache", "_fresh", "_sources", "_types", "base", "facts", "kind")

    def __init__(self, base: FactBase, kind: str):
        self.base = base
        self.kind = kind
        self.facts = _facts_of(base, base.of_kind(kind))
        self._cache: dict[str, list] = {}
        self._fresh: dict[str, list] = {}  # columns a step set and the fact base holds, as set (``set``, ``raw``)
        self._types: dict[int, tuple[list, frozenset[type]]] = {}  # (``types``)
        self._sources: Sequence[FactSource] | None = None

    def sources(self) -> Sequence[FactSource]:
        """The facts' sources (where each came from, what its messages show), by position."""
        if self._sources is None:
            self._sources = sources_of(self.base.sources, [fact["id"] for fact in self.facts])
        return self._sources

    def __len__(self) -> int:
        return len(self.facts)

    def get(self, path: str) -> list:
        """The column of a rule-language field path (``_at``: where each fact's evidence is)."""
        key = engine_path(path)
        column = self._cache.get(key)
        if column is None:
            if key in LOCATION:
                column = LOCATION_COLUMNS[key](self.sources())
            elif "." in key:
                head, _, rest = key.partition(".")
                read = _walk(tuple(rest.split(".")))
                column = [read(v) for v in self.raw(head)]
            else:
                column = self.raw(key)
            self._cache[key] = column
        return column

    def raw(self, key: str) -> list:
        """The column of one engine field (``fact.get(key)`` of each fact, a held derived value first)."""
        column = self._cache.get(key)
        if column is not None:
            return column
        fresh = self._fresh.pop(key, None)  # (set by a step and held: the held column's values as they were set)
        held = (fresh, ABSENT) if fresh is not None else self.base.held_column(self.kind, key)
        if held is None:
            column = self._given(key)
        else:
            values, skip = held
            if len(values) == len(self.facts) and skip not in values:
                column = values
            else:  # not derived for some: the fact's own value there
                column = self._own_where(key, values, skip)
        self._cache[key] = column
        return column

    def _own_where(self, key: str, values: Any, skip: Any) -> list:
        """``values`` with the fact's own value of ``key`` where a value is ``skip`` or missing: None at once where
        no fact there carries the field (a lean kind's facts carry only their lean fields)."""
        column = list(islice(values, len(self.facts))) + [skip] * (len(self.facts) - len(values))
        holes, lean = list(compress(range(len(column)), map(operator.is_, column, repeat(skip)))), \
            self.base.lean_keys.get(self.kind, ())
        if (key not in lean and "." not in key and self.kind in self.base.lean_keys and not self.base.full_rows.get(
                self.kind)) or not any(map(operator.contains, map(self.facts.__getitem__, holes), repeat(key))):
            deque(map(column.__setitem__, holes, repeat(None)), maxlen=0)  # (the column: made here)
            return column
        for i in holes:
            column[i] = self.facts[i].get(key)
        return column

    def _given(self, key: str) -> list:
        """``fact.get(key)`` of each fact; a field the kind's lean facts do not carry (``FactBase.lean_keys``)
        is read from their evidence (the same value: such a record was kept as it is, a reserved name given
        as ``f_<name>``)."""
        lean = self.base.lean_keys.get(self.kind)
        if lean is None or key in lean or key in RESERVED:
            return _get_each(self.facts, key)
        name = key[2:] if key in _RENAMED else key
        full = self.base.full_rows.get(self.kind)
        if not full:
            return _get_each(evidence(self.sources()), name)
        try:
            column = _get_each(evidence(self.sources()), name)
        except AttributeError:  # (evidence that is not a mapping, of a row built whole)
            return [fact.get(key) if i < len(full) and full[i] else src.data.get(name)
                    for i, (fact, src) in enumerate(zip(self.facts, self.sources(), strict=True))]
        for i in compress(range(min(len(full), len(column))), full):  # the rows built whole: the fact's value
            column[i] = self.facts[i].get(key)
        return column

    def keep(self, paths: frozenset[str]) -> None:
        """Let go of the cached columns whose engine path is not in ``paths``."""
        for key in [k for k in self._cache if k not in paths]:
            del self._cache[key]
        for key in [k for k in self._fresh if k not in paths]:
            del self._fresh[key]
        kept = set(map(id, self._cache.values())) | set(map(id, self._fresh.values()))
        self._types = {k: hit for k, hit in self._types.items() if k in kept}

    def types(self, column: list) -> frozenset[type]:
        """The types of the values of a column ``get`` gave (found once while the column is held)."""
        hit = self._types.get(id(column))
        if hit is None or hit[0] is not column:
            hit = self._types[id(column)] = (column, frozenset(map(type, column)))
        return hit[1]

    def set(self, name: str, values: list, shown: list | None = None, located: str | None = None,
            partners: Sequence[FactSource] | None = None, types: frozenset[type] | None = None) -> None:
        """Set the computed ``values`` (``ABSENT``: not set) as the engine field ``name`` of the facts,
        noted for their messages as ``shown`` (default: the values); cached columns of that field go.
        ``located`` (a ``LOCATION`` name): the values are positions in ``partners``, the field is where each
        one's evidence is, computed when read (``located``).  ``types``: the types of the values, where the
        step knows them."""
        self._forget(name)
        if shown is None and all(map(operator.is_, values, repeat(ABSENT))):
            return  # nothing to set or hold (``FactBase.set_derived_column``: a unit problem column where none is)
        resolve = located_column(located, partners or []) if located else None
        held: Any = values
        held_shown, known = shown, None
        if self.base.holding and "." not in name:
            held, held_shown, known = _held(values, shown, resolve is not None, types)
        self.base.set_derived_column(self.facts, name, held, ABSENT, held_shown, None if self.base.holding and "."
                                     not in name else self.sources(), self.kind, resolve)  # (held: no source read)
        if self.base.holding and not resolve and "." not in name and len(values) == len(self.facts):  # (held)
            self._hold_fresh(name, values if held is values or shown is not None else held, known)

    def _forget(self, name: str) -> None:
        """Let go of the cached columns of the engine field ``name`` and of the held one of its label (replaced)."""
        for key in [k for k in self._cache if k == name or k.startswith(name + ".")]:
            del self._cache[key]
        label = name[2:] if name.startswith("f_") else name
        for stale in (label, "f_" + label):
            self._fresh.pop(stale, None)

    def _hold_fresh(self, name: str, values: Any, known: frozenset[type] | None) -> None:
        """A column set and held, as a later step reads it (``raw``): by value, as held (one object per value -
        memory); with the types of its values, when ``_held`` found them."""
        if type(values) is Coded:
            values = list(values)
        self._fresh[name] = values
        if known is not None:  # (as ``types`` finds them, for a step reading the column as set)
            self._types[id(values)] = (values, known)  # (held coded: a later step reading it reads it as set)


def _held(values: list, shown: list | None, located: bool, types: frozenset[type] | None = None) \
        -> tuple[Any, Any, frozenset[type] | None]:
    """A column as the fact base holds it while the stage runs, and as messages show it: coded (memory: the stage's
    peak); positions (``located``): a tuple, never coded (all differ).  And the types of its values, when found
    (``types``: as the step knew them)."""
    if located:
        return _fixed(values), _fixed(shown), None
    if shown is not None:
        types = None
    elif types is None:  # (known for ``Columns.types``)
        types = frozenset(map(type, values))
    return coded(values, shown is None, types), coded(shown), types  # (shown: told apart from the values by identity)


class TableColumns(Columns):
    """The columns of an aggregate kind made as columns (``FactBase.tables``, ``checker.aggtable``): read, never
    set; no facts, and no sources (None each: its values are as written)."""

    __slots__ = ("_count", "_table")

    def __init__(self, base: FactBase, kind: str):
        self.base, self.kind, self.facts, self._cache, self._fresh, self._types = base, kind, [], {}, {}, {}
        self._table, self._count = base.tables[kind]
        self._sources = [None] * self._count  # type: ignore[list-item]

    def __len__(self) -> int:
        return self._count

    def get(self, path: str) -> list:
        return self.raw(engine_path(path))

    def raw(self, key: str) -> list:
        column = self._table.get(key)
        return [None] * self._count if column is None else column

    def set(self, name: str, values: list, shown: list | None = None, located: str | None = None,
            partners: Sequence[FactSource] | None = None, types: frozenset[type] | None = None) -> None:
        raise TypeError(f"{self.kind} is made as columns: nothing is set on it")


class ColumnStore:
    """The columns of every kind a derive run has read, by kind.  A kind whose facts changed in number
    (an aggregate adds its facts) is read again."""

    def __init__(self, base: FactBase):
        self.base = base
        self._kinds: dict[str, Columns] = {}
        self.firsts: tuple[str, list[list], Any] | None = None  # (kind, key columns, each row's first row: derive_keys)
        self.memo: dict[str, Any] = {}  # (what derive_keys finds once for several steps: each row's partner, ...)

    def keep(self, kinds: frozenset[str], paths: dict[str, frozenset[str]]) -> None:
        """Keep only what is read of ``kinds`` and of each only the columns of the engine ``paths`` given for it."""
        for kind in list(self._kinds):
            if kind not in kinds:
                del self._kinds[kind]
                continue
            self._kinds[kind].keep(paths.get(kind, frozenset()))
        if self.firsts is not None:  # (held while its key columns are)
            kept = list(self._kinds[self.firsts[0]]._cache.values()) if self.firsts[0] in self._kinds else []
            if not all(any(map(operator.is_, kept, repeat(column))) for column in self.firsts[1]):
                self.firsts = None

    def kind(self, kind: str) -> Columns:
        if kind in self.base.tables:
            return TableColumns(self.base, kind)
        columns = self._kinds.get(kind)
        if columns is None or len(columns) != len(self.base.of_kind(kind)):
            columns = self._kinds[kind] = Columns(self.base, kind)
        return columns


class Once(dict):
    """A function's value of each distinct key, computed when the key is first looked up."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[Any], Any]):
        super().__init__()
        self.fn = fn

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.fn(key)
        return value


def _fixed(values: Any) -> Any:
    return values if values is None else tuple(values)
