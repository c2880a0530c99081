"""The rows an aggregate's ``where`` selects and the records of each combination of its ``group_by`` fields
(checker.aggtable), found once for the aggregates of a kind that read the same: a pack often declares several
aggregates with one ``where`` (a sum per month and per year of the same rows), or groups the same rows by the
same fields twice (a count and a distinct count), or by fewer of the fields another one groups by.

``Shared`` holds what an aggregate found while a later one reads it (``plan``: which later one, decided from the
declarations), and hands it over only while the columns it was found from are the kind's columns still (a step
between them that sets one of those fields makes it be found anew)."""

from __future__ import annotations

import operator
from collections import deque
from collections.abc import Iterable
from itertools import compress, islice, repeat
from operator import and_, itemgetter
from typing import Any

from .columns import Columns, Once
from .packmodel import Aggregate


def where_mask(columns: Columns, where: tuple[tuple[str, Any], ...]) -> list[bool]:
    """An aggregate's ``where`` for every fact of a kind, column by column: each field equals its value, or is
    (not) one of the listed values (``("in", values)`` / ``("not_in", values)``; a missing field is in no list).
    A column of texts, whole numbers, booleans and nulls is tested once per distinct value (equal values test
    the same)."""
    mask: list | None = None
    for name, wanted in where:
        column = columns.get(name)
        test = _where_test(wanted)
        if columns.types(column) <= _TESTED_ONCE:  # (each distinct value tested as it is first met)
            found: Any = map(Once(test).__getitem__, column)
        else:
            found = map(test, column)
        mask = list(found) if mask is None else list(map(and_, mask, found))
    return [True] * len(columns) if mask is None else mask


def _where_test(wanted: Any) -> Any:
    """A ``where`` condition on one value: equal to ``wanted``, or (not) one of the values of ``("in" | "not_in",
    values)`` (a missing value is in no list)."""
    if not isinstance(wanted, tuple):
        return lambda value: value == wanted
    op, values = wanted
    inside = op == "in"
    if None in values:
        return lambda value: (value is not None and value in values) == inside
    return lambda value: (value in values) == inside


_TESTED_ONCE = frozenset({str, int, bool, type(None)})


def gathered(value_columns: list[list], positions: Any, mask: list[bool] | None = None) -> dict[tuple, list[int]]:
    """The ``positions`` of the rows of each combination of the columns' values (hashable), in the order first
    met, each combination's key its first row's values; with a ``mask``, of the rows it selects (the columns read
    through it, not copied: ``positions`` are theirs).  Where the first rows are of many combinations, each row's
    list is found (or made) in one pass; of few, each group's list is made as it is first met (one pass); else each
    row's group is found by its first row's place, the rows then gathered into their groups by that place (no list
    made for each row)."""
    def rows() -> Any:
        return zip(*value_columns, strict=True) if mask is None else zip(
            *[compress(column, mask) for column in value_columns], strict=True)

    sample = len(set(islice(rows(), _SAMPLE)))
    if sample * 2 > _SAMPLE:  # (most groups a record or two)
        members: dict[tuple, list[int]] = {}  # (each row's list found as it is made, its group's kept)
        deque(map(list.append, map(members.setdefault, rows(), iter(list, None)), positions), maxlen=0)
        return members
    if sample <= _FEW:  # (few groups: each one's list made as it is first met; of one column, by its values)
        lists = Once(_new_list)  # (an empty list for each key, made as it is first met)
        if len(value_columns) == 1:
            column = value_columns[0] if mask is None else compress(value_columns[0], mask)
            deque(map(list.append, map(lists.__getitem__, column), positions), maxlen=0)
            return dict(zip(zip(lists), lists.values(), strict=True))
        deque(map(list.append, map(lists.__getitem__, rows()), positions), maxlen=0)
        return dict(lists)
    first: dict[tuple, Any] = {}
    places = list(map(first.setdefault, rows(), range(len(positions))))
    if len(first) == len(positions):  # (every group one record: its list made as it is)
        first.update(zip(first, map(list, zip(positions)), strict=True))  # (values set in place: no second dict)
        return first
    heads = list(first.values())
    at: list = [None] * len(positions)
    deque(map(at.__setitem__, heads, iter(list, None)), maxlen=0)  # (an empty list at each group's first place)
    deque(map(list.append, map(at.__getitem__, places), positions), maxlen=0)
    first.update(zip(first, map(at.__getitem__, heads), strict=True))
    return first


_SAMPLE, _FEW = 1024, 256  # (the rows ``gathered`` tells many groups from few by; the most a sample of few shows)


def _new_list(_key: Any) -> list:
    return []


def coarser(members: dict[tuple, list[int]], fields: tuple[int, ...]) -> dict[tuple, list[int]]:
    """The groups of some of the ``fields`` (by place) of ``members``' combinations: each the records of its
    groups, group by group (its first record first; in record order only where it is one group)."""
    project = itemgetter(*fields) if len(fields) > 1 else (lambda values: (values[fields[0]],))
    out: dict[tuple, Any] = dict.fromkeys(map(project, members))
    if len(out) == len(members):  # (each one group: its list as it is)
        out.update(zip(out, members.values(), strict=True))
        return out
    out.update(zip(out, iter(list, None), strict=False))
    deque(map(list.extend, map(out.__getitem__, map(project, members)), members.values()), maxlen=0)
    return out


class _Found:
    """What an aggregate found (``Shared``) and the columns it found it from: its groups (None: no later one reads
    them as they are) and, by the places of the fields they keep, the coarser groups later ones read."""

    __slots__ = ("coarse", "columns", "mask", "members", "name_columns", "names", "where", "where_columns")

    def __init__(self, columns: Columns, agg: Aggregate, names: list[str], mask: list[bool] | None,
                 members: dict[tuple, list[int]] | None):
        self.columns, self.where, self.names, self.mask, self.members = columns, agg.where, list(names), mask, members
        self.where_columns = [columns.get(name) for name, _ in agg.where]
        self.name_columns = [columns.get(name) for name in names]
        self.coarse: dict[tuple[int, ...], dict[tuple, list[int]]] = {}

    def rows_of(self, columns: Columns, agg: Aggregate) -> bool:
        """Whether it was found from the rows ``agg`` selects, as they are still."""
        return self.columns is columns and self.where == agg.where and all(
            map(operator.is_, self.where_columns, map(columns.get, [name for name, _ in agg.where])))

    def grouped_by(self, fields: tuple[int, ...]) -> dict[tuple, list[int]] | None:
        """The groups of the fields at these places (None: not held)."""
        if fields == tuple(range(len(self.names))):
            return self.members
        if fields in self.coarse:
            return self.coarse[fields]
        return None if self.members is None else coarser(self.members, fields)


class Shared:
    """What the aggregates of a run hand on to later ones (``plan``: by the name of the aggregate that finds it,
    the later ones that may read it): the rows its ``where`` selected and its groups."""

    __slots__ = ("_grouping", "_held", "_readers")

    def __init__(self, readers: dict[str, set[str]] | None = None, aggregates: Iterable[Aggregate] = ()):
        self._readers = {name: set(names) for name, names in (readers or {}).items()}
        self._held: dict[str, _Found] = {}
        # (the later aggregates' fields and sums, known: an aggregate's groups are held only as its readers read
        # them, each one's coarser groups made as they are found; not known: held whole)
        self._grouping = {a.name: ([name for name, _ in a.group_by_fields], bool(a.sum)) for a in aggregates}

    def selected(self, columns: Columns, agg: Aggregate) -> list[bool]:
        """``where_mask`` of ``agg``, as an earlier aggregate found it where one did."""
        for found in self._held.values():  # (few: only what a later one reads)
            if found.mask is not None and found.rows_of(columns, agg):
                return found.mask
        return where_mask(columns, agg.where)

    def groups(self, columns: Columns, agg: Aggregate, names: list[str]) -> dict[tuple, list[int]]:
        """The records of each combination of the ``names``' values among those the ``where`` selects (``gathered``):
        an earlier aggregate's groups, or groups of more fields, where they are of the same rows.  Not to be
        changed: another aggregate may read them."""
        for found in self._held.values():
            if not (set(names) <= set(found.names) and found.rows_of(columns, agg)):
                continue
            fields = tuple(map(found.names.index, names))  # (only these fields' columns need be as they were)
            if not all(map(operator.is_, map(found.name_columns.__getitem__, fields), map(columns.get, names))):
                continue
            same = fields == tuple(range(len(found.names)))
            if not same and agg.sum and set(names) != set(found.names):
                continue  # (a sum adds its records in record order: of fewer fields, found anew)
            members = found.grouped_by(fields)
            if members is None:  # (not held as this one reads them)
                continue
            self._done(agg.name)
            return members
        whole = [columns.get(name) for name in names]
        if not all(columns.types(column) <= _HASHED for column in whole):
            return self._unhashed(columns, agg, whole)
        if not agg.where:
            return self._offer(_Found(columns, agg, names, None, gathered(whole, range(len(columns)))), agg.name)
        mask = self.selected(columns, agg)
        positions = list(compress(range(len(columns)), mask))
        members = gathered(whole, positions, mask)  # (the selected rows read through the mask, not copied)
        return self._offer(_Found(columns, agg, names, mask, members), agg.name)

    def _unhashed(self, columns: Columns, agg: Aggregate, whole: list[list]) -> dict[tuple, list[int]]:
        """``groups`` where a field holds a value of another type than text, number, boolean or null: a record
        whose values cannot be a key (a list, a mapping) is in no group, and the groups are not handed on (a later
        aggregate grouping by fewer fields would count that record)."""
        self._done(agg.name)
        keyed = list(map(_hashable, zip(*whole, strict=True)))
        mask = keyed if not agg.where else list(map(and_, self.selected(columns, agg), keyed))
        return gathered(whole, list(compress(range(len(columns)), mask)), mask)

    def holds(self, members: dict[tuple, list[int]]) -> bool:
        """Whether ``members`` (``groups`` gave them) are held for a later aggregate: not to be changed."""
        return any(found.members is members or any(map(operator.is_, found.coarse.values(), repeat(members)))
                   for found in self._held.values())

    def _offer(self, found: _Found, name: str) -> dict[tuple, list[int]]:
        """Hold what the aggregate ``name`` found while a later aggregate may read it."""
        self._done(name)
        members = found.members
        if self._readers.get(name):
            self._held[name] = self._as_read(found, self._readers[name])
        return members  # type: ignore[return-value]

    def _as_read(self, found: _Found, readers: set[str]) -> _Found:
        """``found`` holding only what its ``readers`` read where all of them are known: its groups if one reads
        them as they are, the coarser groups each other one reads (made now, while they are at hand), none for one
        that only reads its rows (memory: a kind's groups of a record or two each are let go with their facts)."""
        if not all(reader in self._grouping for reader in readers):
            return found
        members, whole = found.members, False
        for reader in sorted(readers):
            names, summed = self._grouping[reader]
            if not set(names) <= set(found.names):
                continue
            fields = tuple(map(found.names.index, names))
            if fields == tuple(range(len(found.names))):
                whole = True
            elif not (summed and set(names) != set(found.names)) and fields not in found.coarse:
                found.coarse[fields] = coarser(members, fields)  # type: ignore[arg-type]
        if not whole:
            found.members = None
        return found

    def _done(self, reader: str) -> None:
        """The aggregate ``reader`` has its groups: what no later one may read is let go."""
        for name in list(self._held):
            readers = self._readers[name]
            readers.discard(reader)
            if not readers:
                del self._held[name]


def _hashable(values: tuple) -> bool:
    try:
        hash(values)
    except TypeError:
        return False
    return True


_HASHED = frozenset({str, int, float, bool, type(None)})  # (types whose every value is hashable)


def plan(aggregates: Iterable[Aggregate]) -> dict[str, set[str]]:
    """For each aggregate by fields (in the order they run), the later ones that may read what it finds: of the
    same kind with the same ``where``, grouping by the same fields or some of them, or only reading its rows."""
    order = [a for a in aggregates if a.group_by_fields and not a.intervals]
    out: dict[str, set[str]] = {}
    for i, agg in enumerate(order):
        names = {name for name, _ in agg.group_by_fields}
        later = {b.name for b in order[i + 1:] if b.of == agg.of and b.where == agg.where
                 and (b.where or {name for name, _ in b.group_by_fields} <= names)}
        if later:
            out[agg.name] = later
    return out
