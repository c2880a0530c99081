"""Aggregates grouped by a combination of fields (``group_by: {fields: [...]}``, checker.aggregation), and the
columns every aggregate totals.

Most of a large ledger's aggregate groups are one or two records, so their facts cost about what the
records do.  An aggregate kind nothing reads as facts - no rule (``read``: the fields the engine may be
given, by kind), no report section, no derived value set on it, no aggregate of it - and that only
``ref`` entries read, by its own fields (key, count, sum, distinct, the grouped fields), is made as
columns instead (``virtual_kinds``, ``FactBase.add_table``): the ``ref`` reads the same values from
them, and its facts' places in the fact list are kept (ids, counts) without facts.  A group fact's
stable key (``agg:NAME:KEY``) is made only when read (``AggKey``)."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Collection, Iterable
from itertools import compress, repeat
from operator import and_, attrgetter, itemgetter
from typing import Any

from .columns import Columns
from .conditions import engine_field
from .factbase import FactBase, FactSource
from .packmodel import Aggregate, Derived
from .quantities import rounded


class AggKey:
    """A group fact's stable key, made from its data's key when read (``FactSource.key``)."""

    __slots__ = ("prefix",)

    def __init__(self, prefix: str):
        self.prefix = prefix

    def resolve(self, src: FactSource) -> str:
        return self.prefix + src.data["key"]


def virtual_kinds(derived: Iterable[Derived], aggregates: Iterable[Aggregate],
                  read: dict[str, frozenset[str] | None] | None, kept: Iterable[str]) -> frozenset[str]:
    """The aggregate kinds made as columns (see the module docstring): none without ``read``; ``kept``:
    kinds read as facts after the engine (read whole, report sections)."""
    if read is None:
        return frozenset()
    derived, aggregates, kept = tuple(derived), tuple(aggregates), set(kept)
    busy = {a.of for a in aggregates} | {d.kind for d in derived} | kept | set(read)
    out = set()
    for agg in aggregates:
        if not agg.group_by_fields or agg.intervals or agg.kind in busy:
            continue
        fields = set(agg.fields())
        if all(d.op == "ref" and d.take in fields and all(theirs in fields for theirs, _ in d.match)
               for d in derived if d.of == agg.kind):
            out.add(agg.kind)
    return frozenset(out)


def report_kinds(packs: Iterable[Any]) -> set[str]:
    """The kinds the packs' report sections read as facts (``checker.sections``: tables and their
    ``when_empty``), after the engine."""
    out = set()
    for pack in packs:
        for table in (pack.meta.get("report_section") or {}).get("tables") or ():
            out |= {table.get("of"), (table.get("when_empty") or {}).get("of")}
    return {k for k in out if isinstance(k, str)}


def _table(base: FactBase, agg: Aggregate, columns: Columns, groups: dict[tuple, list[int]],
           keys: dict[tuple, str] | None, engine_names: list[str], wanted: frozenset[str] | None) -> None:
    """The groups of an aggregate made as columns (``virtual_kinds``), by engine field: what its facts would hold
    (``wanted``: only the fields its readers read, None: every one; ``keys`` None: its key is not read)."""
    members = list(groups.values())
    table: dict[str, list] = {"count": list(map(len, members))}
    if keys is not None:
        table = {"key": list(keys.values()), **table}
    for i, name in enumerate(engine_names):
        if wanted is None or name in wanted:
            table[name] = [values[i] for values in groups]
    sums, distinct = totalled(columns, agg)
    if sums is not None and (wanted is None or "sum" in wanted):
        table["sum"] = list(_sums(sums, members))
    if distinct is not None and (wanted is None or "distinct" in wanted):
        table["distinct"] = [_distinct(distinct, group) for group in members]
    if members:
        first = columns.sources()[members[0][0]]
        base.add_table(agg.kind, table, len(members), FactSource(agg.kind, first.file, first.pointer, {},
                                                                 first.document, f"agg:{agg.name}:"))


def table_reads(derived: Iterable[Derived], virtual: frozenset[str]) -> dict[str, frozenset[str]]:
    """The engine fields of each aggregate kind made as columns that the ``ref`` entries read (their ``match``
    and ``take``): the only columns it is made with."""
    out: dict[str, set[str]] = {kind: set() for kind in virtual}
    for d in derived:
        if d.of in out and d.take is not None:
            out[d.of] |= {engine_field(theirs) for theirs, _ in d.match} | {engine_field(d.take)}
    return {kind: frozenset(fields) for kind, fields in out.items()}


def where_mask(columns: Columns, where: tuple[tuple[str, Any], ...]) -> list[bool]:
    """An aggregate's ``where`` for every fact of a kind, column by column: each field equals its value, or is
    (not) one of the listed values (``("in", values)`` / ``("not_in", values)``; a missing field is in no list).
    A column of texts, whole numbers, booleans and nulls is tested once per distinct value (equal values test
    the same)."""
    mask: list | None = None
    for name, wanted in where:
        column = columns.get(name)
        test = _where_test(wanted)
        if columns.types(column) <= _TESTED_ONCE:
            distinct = dict.fromkeys(column)
            found: Any = map(dict(zip(distinct, map(test, distinct), strict=True)).__getitem__, column)
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


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def totalled(columns: Columns, agg: Aggregate) -> tuple[list | None, list | None]:
    """The columns an aggregate's ``sum`` and ``distinct`` read (None: not declared), read once for all groups."""
    return (columns.get(agg.sum) if agg.sum else None), (columns.get(agg.distinct) if agg.distinct else None)


def totals(totalled: tuple[list | None, list | None], members: list[int], fact: dict | None, data: dict,
           known: dict[float, float] | None = None) -> None:
    """``sum`` (numbers only; a missing value counts 0) and ``distinct`` of a group (``members``: the
    positions of its records in the kind; ``totalled``: the columns, ``totalled``), on the fact (None: made
    from the data later) and its data; ``known``: the totals rounded so far (``_sum``)."""
    sums, distinct = totalled
    _totals_set(fact, data, None if sums is None else _sum(sums, members, {} if known is None else known),
                None if distinct is None else _distinct(distinct, members))


def _sum(sums: list, members: list[int], known: dict[float, float]) -> float | None:
    """The ``sum`` of a group (numbers only; a missing value counts 0), None when it overflows; rounded once per
    distinct total (``known``, by value: one float object each; a zero by itself, which keeps its sign)."""
    return _rounded_total(sum([v if type(v) is float else _number(v) for v in map(sums.__getitem__, members)]), known)


def _rounded_total(total: float, known: dict[float, float]) -> float | None:
    """A group's total rounded (``_sum``), None when it overflows."""
    done = known.get(total) if total else None
    if done is None:
        done = rounded(total)
        if total and math.isfinite(done):
            known[total] = done
    return done if math.isfinite(done) else None


def _sums(sums: list, groups: Collection[list[int]]) -> Iterable[float | None]:
    """``_sum`` of each group, one at a time (``groups``: read twice at most): a column of floats (and missing values,
    0) summed group by group straight from the column, each distinct total rounded once."""
    types = set(map(type, sums))
    totals: Iterable[float]
    if types <= _FLOAT:
        totals = map(sum, map(map, repeat(sums.__getitem__), groups))  # (as ``_sum``: 0 + each, in order)
    elif types <= _FLOAT_OR_NONE:  # (a missing value counts 0.0)
        totals = map(sum, map(map, repeat(_NONE_ZERO.get), map(map, repeat(sums.__getitem__), groups),
                              map(map, repeat(sums.__getitem__), groups)))
    else:
        totals = (sum([v if type(v) is float else _number(v) for v in map(sums.__getitem__, members)])
                  for members in groups)
    return map(_rounded_total, totals, repeat({}))


_FLOAT, _FLOAT_OR_NONE, _NONE_ZERO = frozenset({float}), frozenset({float, type(None)}), {None: 0.0}


def _distincts(column: list, groups: Iterable[list[int]]) -> Any:
    """``_distinct`` of each group: of a column of texts and numbers, the size of each group's set of values."""
    if set(map(type, column)) <= _COUNTED:
        return map(len, map(set, map(map, repeat(column.__getitem__), groups)))
    return map(_distinct, repeat(column), groups)


_COUNTED = frozenset({str, int, float, bool})  # (every value one ``_distinct`` counts: a bool is an int)


def _distinct(column: list, members: list[int]) -> int:
    return len({v for v in set(map(column.__getitem__, members)) if isinstance(v, (str, int, float))})


def selected(columns: Columns, agg: Aggregate, values: list) -> Any:
    """(position, value) of the records the aggregate's ``where`` selects, ``values`` a column."""
    if not agg.where:
        return enumerate(values)
    mask = where_mask(columns, agg.where)
    return zip(compress(range(len(values)), mask), compress(values, mask), strict=True)


def _key_part(value: Any) -> str | None:
    """A group value as text in a composite key (None: the record is in no group)."""
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _groups(columns: Columns, agg: Aggregate, names: list[str],
            texts: bool = True) -> tuple[dict[tuple, list[int]], dict[tuple, str]]:
    """The positions of the records of each combination of the fields' values (in the order first met) and
    each group's key text (``texts`` False: none made); a record missing one of them (or holding a list or
    mapping) is in no group.  Only the records the ``where`` selects are read; each combination is looked at
    once (its first record's values), the records gathered into their groups in one pass over the rows."""
    whole = value_columns = [columns.get(name) for name in names]
    positions: Any = range(len(columns))
    if agg.where:
        mask = where_mask(columns, agg.where)
        positions = list(compress(positions, mask))
        value_columns = [list(compress(column, mask)) for column in value_columns]
    members: dict[tuple, list[int]] = dict.fromkeys(zip(*value_columns, strict=True))  # type: ignore[assignment]
    if len(members) == len(positions):  # (every group one record: its list made as it is)
        members.update(zip(members, map(list, zip(positions)), strict=True))  # (values set in place: no second dict)
    else:
        for values in members:
            members[values] = []
        deque(map(list.append, map(members.__getitem__, zip(*value_columns, strict=True)), positions), maxlen=0)
    types = [set(map(type, map(column.__getitem__, _firsts(members)))) for column in whole]
    if not all(kinds <= _PARTED for kinds in types):  # (a value that is no key part: its combination is in no group)
        given = [True] * len(members)
        for column in whole:
            given = list(map(and_, given, map(isinstance, map(column.__getitem__, _firsts(members)),
                                              repeat((str, int, float)))))
        for values in [values for values, kept in zip(members, given, strict=True) if not kept]:
            del members[values]  # (in place: no second mapping)
    keys = dict(zip(members, map("/".join, zip(*(_key_parts(column, _firsts(members), kinds) for column, kinds in zip(
        whole, types, strict=True)), strict=True)), strict=True)) if texts else {}
    return members, keys


def _firsts(members: dict[tuple, list[int]]) -> Any:
    """Each group's first record."""
    return map(itemgetter(0), members.values())


def _key_parts(column: list, rows: Any, types: set[type]) -> Any:
    """``_key_part`` of the column's value at each of the ``rows`` (``types``: theirs), one at a time: texts and
    whole numbers straight, the others one by one."""
    values = map(column.__getitem__, rows)
    return values if types <= _TEXTS else map(str, values) if types <= _TEXTS_INTEGERS else map(_key_part, values)


_TEXTS, _TEXTS_INTEGERS, _PARTED = frozenset({str}), frozenset({str, int}), frozenset({str, int, float, bool})


def _group_fields(counted: dict, data: dict, fields: list[tuple[str, str]], values: tuple, plain: bool) -> None:
    """A group's fields with its values, on its fact (by engine name) and its data (the first of a name given
    twice)."""
    if plain:
        counted.update(zip([e for _, e in fields], values, strict=True))
        data.update(zip([n for n, _ in fields], values, strict=True))
        return
    for (name, engine_name), value in zip(fields, values, strict=True):
        counted.setdefault(engine_name, value)
        data.setdefault(name, value)


def aggregate_by_fields(base: FactBase, agg: Aggregate, columns: Columns, wanted: frozenset[str] | None = None) -> None:
    """One fact per distinct combination of the ``group_by`` fields (records missing one are in no
    group): ``key`` the values joined with "/", each field with its value, ``count``, ``sum`` and
    ``distinct`` as declared.  Groups come in the order of their first record; each fact points at
    its group's first record.  ``wanted``: of a kind made as columns, the fields read (``table_reads``)."""
    names = [name for name, _ in agg.group_by_fields]
    fields = [(name, engine_field(name)) for name in names]
    kind = agg.kind
    # the fields as given, each once (the first of a name given twice: the same column), after key and count
    engine_names = [e for _, e in fields]
    plain = not {"key", "count"} & set(names) and not {"key", "count", "kind", "id"} & set(engine_names) \
        and len(set(engine_names)) == len(set(names))
    if plain and kind in base.virtual:
        texts = wanted is None or "key" in wanted
        groups, keys = _groups(columns, agg, names, texts)
        _table(base, agg, columns, groups, keys if texts else None, engine_names, wanted)
        return
    groups, keys = _groups(columns, agg, names)
    _group_facts(base, agg, columns, groups, keys, fields, plain)


def _group_facts(base: FactBase, agg: Aggregate, columns: Columns, groups: dict[tuple, list[int]],
                 keys: dict[tuple, str], fields: list[tuple[str, str]], plain: bool) -> None:
    """``aggregate_by_fields``' facts, one a group."""
    names, kind = [name for name, _ in fields], agg.kind
    totals_of = totalled(columns, agg)
    sources, stable = columns.sources(), AggKey(f"agg:{agg.name}:")
    lean = base.lean_kind(kind) if plain else None  # the fact made from its data, with only these fields
    picks = [(k, e) for k, e in {"key": "key", "count": "count", **dict(fields), "sum": "sum", "distinct": "distinct"}
             .items() if lean is not None and e in lean]
    totalled_names = [name for name in ("sum", "distinct") if getattr(agg, name)]
    shared = _sharing(("key", "count", *names, *totalled_names))  # the groups' data share their keys (only those
    # given: each data's values take a slot for every key)
    fact_of = _sharing(("kind", *(e for _, e in picks), "id")) if lean is not None else dict  # (so do the facts)
    sums, distinct = totals_of
    group_sums = _sums(sums, groups.values()) if sums is not None else repeat(None)
    group_distinct = _distincts(distinct, groups.values()) if distinct is not None else repeat(None)
    places = map(attrgetter("file", "at", "document"), map(sources.__getitem__, map(itemgetter(0), groups.values())))
    for (values, members), key, total, count, (file, at, document) in zip(
            groups.items(), map(keys.__getitem__, groups), group_sums, group_distinct, places, strict=False):
        data: dict = shared().__dict__
        data["key"], data["count"] = key, len(members)
        counted: dict = fact_of().__dict__ if lean is not None else {}
        counted["kind"] = kind
        if lean is not None:  # (plain) the fact made from the data
            data.update(zip(names, values, strict=True))
            _totals_set(None, data, total, count)
            counted.update([(e, data[k]) for k, e in picks if k in data])
        else:
            counted["key"], counted["count"] = key, len(members)
            _group_fields(counted, data, fields, values, plain)
            _totals_set(counted, data, total, count)
        base.add(counted, FactSource(kind, file, at, data, document, stable))  # (the first's place)


def _totals_set(fact: dict | None, data: dict, total: float | None, count: int | None) -> None:
    """A group's ``sum`` (None: not declared, or it overflows) and ``distinct`` (None: not declared) on its data
    and its fact (None: made from the data later), as ``totals`` sets them."""
    if total is not None:
        data["sum"] = total
        if fact is not None:
            fact["sum"] = total
    if count is not None:
        data["distinct"] = count
        if fact is not None:
            fact["distinct"] = count


def _sharing(keys: Iterable[str]) -> Any:
    """A class whose instances' dicts share the ``keys`` (``checker.bundle._row_type``): a mapping of them is
    ``cls().__dict__``, set in that order (memory: ~70 bytes less a mapping of a few keys)."""
    cls = type("AggData", (), {})
    cls().__dict__.update([(k, None) for k in keys])  # (learns the keys, in order, at once)
    return cls
