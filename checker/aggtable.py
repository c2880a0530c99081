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
from collections.abc import Collection, Iterable, Sequence
from itertools import compress, repeat
from operator import and_, attrgetter, is_not, itemgetter, not_, setitem
from typing import Any

from .aggshare import Shared, where_mask
from .columns import Columns
from .conditions import engine_field
from .factbase import FactBase, FactSource
from .keyshare import instance_dicts, sharing_class
from .packedsource import PackedSource, block_of, field
from .packmodel import Aggregate, Derived
from .quantities import rounded, rounded_each


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


def _table(base: FactBase, agg: Aggregate, columns: Columns, grouped: tuple[dict[tuple, list[int]], list[str],
           list[tuple]], texts: bool, engine_names: list[str], wanted: frozenset[str] | None) -> None:
    """The groups of an aggregate made as columns (``virtual_kinds``), by engine field: what its facts would hold
    (``wanted``: only the fields its readers read, None: every one; ``texts`` False: its key is not read);
    ``grouped``: ``_groups``."""
    groups, keys, parts = grouped
    del grouped  # (the groups let go once counted and totalled, before the fields' columns are made)
    table: dict[str, list] = {"count": list(map(len, groups.values()))}
    if texts:
        table = {"key": keys, **table}
    sums, distinct = totalled(columns, agg)
    totals: dict[str, list] = {}
    if sums is not None and (wanted is None or "sum" in wanted):
        totals["sum"] = _sums(sums, groups.values())
    if distinct is not None and (wanted is None or "distinct" in wanted):
        totals["distinct"] = list(_distincts(distinct, groups.values()))
    first = columns.sources()[next(iter(groups.values()))[0]] if groups else None
    del groups  # memory: many groups of a record or two hold about as much as the columns made of them
    for name, part in zip(engine_names, parts, strict=True):
        if wanted is None or name in wanted:
            table[name] = list(part)
    table.update(totals)
    if first is not None:
        base.add_table(agg.kind, table, len(table["count"]), FactSource(agg.kind, first.file, first.pointer, {},
                                                                        first.document, f"agg:{agg.name}:"))


def table_reads(derived: Iterable[Derived], virtual: frozenset[str]) -> dict[str, frozenset[str]]:
    """The engine fields of each aggregate kind made as columns that the ``ref`` entries read (their ``match``
    and ``take``): the only columns it is made with."""
    out: dict[str, set[str]] = {kind: set() for kind in virtual}
    for d in derived:
        if d.of in out and d.take is not None:
            out[d.of] |= {engine_field(theirs) for theirs, _ in d.match} | {engine_field(d.take)}
    return {kind: frozenset(fields) for kind, fields in out.items()}


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


def _sums(sums: list, groups: Collection[list[int]]) -> list[float | None]:
    """``_sum`` of each group (``groups``: read twice at most): a column of floats (and missing values, 0) summed
    group by group straight from the column, the totals rounded by C loops (``rounded_each``)."""
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
    done = rounded_each(list(totals))  # (each one rounded, by C loops)
    return list(done) if all(map(math.isfinite, done)) else [v if math.isfinite(v) else None for v in done]


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


def _groups(columns: Columns, agg: Aggregate, names: list[str], texts: bool = True,
            shared: Shared | None = None) -> tuple[dict[tuple, list[int]], list[str], list[tuple]]:
    """The positions of the records of each combination of the fields' values (in the order first met), each
    group's key text (``texts`` False: none made) and each field's value of each group (its first record's); a
    record missing one of them (or holding a list or mapping) is in no group.  Only the records the ``where``
    selects are read (``aggshare.Shared.groups``: groups an earlier aggregate found, where it did); each
    combination is looked at once (its first record's values)."""
    shared = shared or Shared()
    members = shared.groups(columns, agg, names)  # (not changed where it is held for a later aggregate)
    # each field's values of each group (one field at a time: ``zip(*members)`` would hold an iterator a group)
    parts = [tuple(map(itemgetter(i), members)) for i in range(len(names))]
    types = [_part_types(columns, columns.get(name), part) for name, part in zip(names, parts, strict=True)]
    if not all(kinds <= _PARTED for kinds in types):  # (a value that is no key part: its combination is in no group)
        given = None
        for part in compress(parts, [not kinds <= _PARTED for kinds in types]):
            found = map(isinstance, part, repeat((str, int, float)))
            given = list(found) if given is None else list(map(and_, given, found))
        members = _given(members, given, shared.holds(members))  # type: ignore[arg-type]
        parts = [tuple(compress(part, given)) for part in parts]  # type: ignore[arg-type]
        types = [kinds if kinds <= _PARTED else set(map(type, part)) for kinds, part in zip(types, parts, strict=True)]
    keys = list(map("/".join, zip(*map(_key_parts, parts, types), strict=True))) if texts else []
    return members, keys, parts


def _given(members: dict[tuple, list[int]], given: list[bool], held: bool = True) -> dict[tuple, list[int]]:
    """The groups ``given`` keeps: ``members`` without the others, in place where no one else holds them (``held``
    False), else in a new mapping (a copy without the few it does not keep, or those it keeps, one by one)."""
    dropped = len(given) - sum(given)
    if not dropped:
        return members
    if not held or 4 * dropped <= len(given):  # (no combination hashed but those dropped)
        kept = members if not held else members.copy()  # (memory: a copy of many groups is a few MB)
        for values in compress(list(members), map(not_, given)):
            del kept[values]
        return kept
    return dict(compress(members.items(), given))


def _part_types(columns: Columns, column: list, part: tuple) -> frozenset[type] | set[type]:
    """The types of a field's values of the groups (``part``, values of the ``column``): the column's (known once
    for the kind) where every one is a key part, else the part's own."""
    kinds = columns.types(column)
    return kinds if kinds <= _PARTED else set(map(type, part))


def _key_parts(values: tuple, types: set[type] | frozenset[type]) -> Any:
    """``_key_part`` of each of a field's ``values`` (``types``: theirs), one at a time: texts straight, whole numbers
    once per distinct value, the others one by one."""
    if types <= _TEXTS:
        return values
    if types <= _TEXTS_INTEGERS:  # (each distinct value written once: no two equal of another type)
        return map({value: str(value) for value in dict.fromkeys(values)}.__getitem__, values)
    return map(_key_part, values)


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


def aggregate_by_fields(base: FactBase, agg: Aggregate, columns: Columns, wanted: frozenset[str] | None = None,
                        shared: Shared | None = None) -> None:
    """One fact per distinct combination of the ``group_by`` fields (records missing one are in no
    group): ``key`` the values joined with "/", each field with its value, ``count``, ``sum`` and
    ``distinct`` as declared.  Groups come in the order of their first record; each fact points at
    its group's first record.  ``wanted``: of a kind made as columns, the fields read (``table_reads``);
    ``shared``: what the aggregates of the run share (``aggshare``)."""
    names = [name for name, _ in agg.group_by_fields]
    fields = [(name, engine_field(name)) for name in names]
    kind = agg.kind
    # the fields as given, each once (the first of a name given twice: the same column), after key and count
    engine_names = [e for _, e in fields]
    plain = not {"key", "count"} & set(names) and not {"key", "count", "kind", "id"} & set(engine_names) \
        and len(set(engine_names)) == len(set(names))
    if plain and kind in base.virtual:
        texts = wanted is None or "key" in wanted
        _table(base, agg, columns, _groups(columns, agg, names, texts, shared), texts, engine_names, wanted)
        return
    _group_facts(base, agg, columns, _groups(columns, agg, names, True, shared), fields, plain)


def _group_facts(base: FactBase, agg: Aggregate, columns: Columns, grouped: tuple[dict[tuple, list[int]], list[str],
                 list[tuple]], fields: list[tuple[str, str]], plain: bool) -> None:
    """``aggregate_by_fields``' facts, one a group (``grouped``: ``_groups``), each pointing at its first record's
    place."""
    groups, keys, parts = grouped
    del grouped  # (the groups let go once read: see below)
    names, kind = [name for name, _ in fields], agg.kind
    sources, stable = columns.sources(), AggKey(f"agg:{agg.name}:")
    lean = base.lean_kind(kind) if plain else None  # the fact made from its data, with only these fields
    picks = [(k, e) for k, e in {"key": "key", "count": "count", **dict(fields), "sum": "sum", "distinct": "distinct"}
             .items() if lean is not None and e in lean]
    totalled_names = [name for name in ("sum", "distinct") if getattr(agg, name)]
    # the groups' data share their keys (only those given: each data's values take a slot for every key)
    shared = sharing_class(("key", "count", *names, *totalled_names), "AggData")
    sums, distinct = totalled(columns, agg)
    group_sums = _sums(sums, groups.values()) if sums is not None else None
    group_distinct = list(_distincts(distinct, groups.values())) if distinct is not None else None
    places = _places(sources, list(map(itemgetter(0), groups.values())))
    counts = list(map(len, groups.values()))
    del groups  # memory: of many groups of a record or two, as much as their facts (none else holds them: aggshare)
    if lean is not None:  # (plain) the facts made from the data, field by field
        given = {"key": keys, "count": counts, **dict(zip(names, parts, strict=True)),
                 "sum": group_sums, "distinct": group_distinct}
        datas = _filled(shared, len(counts), given.items())
        facts = _filled(sharing_class(("kind", *(e for _, e in picks), "id"), "AggFact"), len(counts),
                        [("kind", repeat(kind)), *((e, given[k]) for k, e in picks)])
        base.add_rows(kind, facts, {"file": places[0], "at": places[1], "data": datas, "document": places[2],
                                    "stable": stable}, PackedSource)  # (many: their sources placed as one block)
        return
    for values, size, key, total, count, file, at, document in zip(
            zip(*parts, strict=True) if parts else repeat((), len(counts)), counts, keys, group_sums or repeat(None),
            group_distinct or repeat(None), *places, strict=False):
        data: dict = shared().__dict__
        data["key"], data["count"] = key, size
        counted: dict = {"kind": kind, "key": key, "count": size}
        _group_fields(counted, data, fields, values, plain)
        _totals_set(counted, data, total, count)
        base.add(counted, FactSource(kind, file, at, data, document, stable))  # (the first's place)


def _places(sources: Sequence, rows: list[int]) -> list[list]:
    """The file, the place in it (``FactSource.at``) and the document of the sources at ``rows``: of a packed kind
    read from its block's columns."""
    if block_of(sources) is None:
        return list(map(list, zip(*map(attrgetter("file", "at", "document"), map(sources.__getitem__, rows)),
                                  strict=True))) or [[], [], []]
    return [list(map(field(sources, name).__getitem__, rows)) for name in ("file", "at", "document")]


def _filled(cls: Any, count: int, columns: Iterable[tuple[str, Any]]) -> list[dict]:
    """``count`` mappings sharing their keys (``checker.keyshare``), set column by column in the order given (a
    column of None: not declared, not set; a value None in a column: not set on that one)."""
    out = instance_dicts(cls, count)
    for name, values in columns:
        if values is None:
            continue
        if type(values) is list and None in values:
            mask = list(map(is_not, values, repeat(None)))
            deque(map(setitem, compress(out, mask), repeat(name), compress(values, mask)), maxlen=0)
        else:
            deque(map(setitem, out, repeat(name), values), maxlen=0)
    return out


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


