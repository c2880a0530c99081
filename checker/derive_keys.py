"""The derived values of checker.derivations that match facts by the values of key fields: ``ref`` (a field of
the first fact of another kind - or of the same kind - whose ``match`` fields equal ours) and ``occurrence``
(the rank of a fact among those of its kind with the same values), over a kind's columns: where every key value
is plain (text, a number, a boolean, or not given) the first fact of each key is found by one pass over the keys
in reverse (the last value a key is given is its first fact's), and each row's result is looked up, not computed."""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Iterable, Sequence
from itertools import compress, repeat
from operator import and_, eq, is_, is_not, itemgetter, not_
from typing import Any

from . import columns as col
from .columns import ABSENT as _ABSENT
from .columns import Columns, ColumnStore, rows, walk
from .conditions import engine_field
from .factbase import UNSET
from .packedsource import evidence, field
from .packmodel import Derived

PLAIN_TYPES, PLAIN_OR_NONE = frozenset({str, int, float, bool}), frozenset({str, int, float, bool, type(None)})


def scalars(values: tuple, none: bool = False) -> bool:
    """Every value is a scalar (``scalar``), or None when ``none``."""
    return (PLAIN_OR_NONE if none else PLAIN_TYPES).issuperset(map(type, values)) or all(
        scalar(v) or (none and v is None) for v in values)


def scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def occurrence(store: ColumnStore, d: Derived) -> None:
    """The rank of each fact among the facts of its kind with the same values of the ``args`` fields, in
    fact order: 1 the first, 2 the first repetition, 3 any later one (a bounded value, so that a table of
    identical rows stays a few distinct facts for the engine's feed).  A missing field is a value of its
    own (an annual figure has no month); a field holding a list or mapping leaves the rank absent."""
    columns = store.kind(d.kind)
    read = [columns.get(arg) for arg in d.args]
    if all(columns.types(column) <= PLAIN_OR_NONE for column in read):  # no row to test
        firsts = first_rows(store, d.kind, read, len(columns))
        if _keys_of(store, firsts) == len(firsts):  # every fact the first of its key
            columns.set(engine_field(d.field), [1] * len(firsts))
            return
        first = list(map(eq, firsts, range(len(firsts))))  # the first fact of each key: 1
        ranks = list(map((3, 1).__getitem__, first))
        rest = list(compress(range(len(firsts)), map(not_, first)))
        seconds: dict[int, int] = {}  # (each key, by its first row: the first of the others)
        deque(map(seconds.setdefault, map(firsts.__getitem__, rest), rest), maxlen=0)
        for position in seconds.values():
            ranks[position] = 2
        columns.set(engine_field(d.field), ranks)
        return
    seen: dict[tuple, int] = {}
    out: list = []
    for key in rows(read, len(columns)):
        if scalars(key, none=True):
            seen[key] = rank = min(seen.get(key, 0) + 1, 3)
            out.append(rank)
        else:
            out.append(_ABSENT)
    columns.set(engine_field(d.field), out)


def first_rows(store: ColumnStore, kind: str, key_columns: list[list], count: int) -> Any:
    """Each row's first row with an equal key (``keyed``; hashable values), by position: found once for the
    neighbouring steps that key a kind's rows by the same columns, in any order (``ColumnStore.firsts``, held while
    they are)."""
    held = store.firsts
    if held is not None and held[0] == kind and sorted(map(id, held[1])) == sorted(map(id, key_columns)):
        return held[2]  # (the same columns in any order: equal rows either way)
    if len(set(map(hash, keyed(key_columns, count)))) == count:  # (every key's hash its own: every row a key's first)
        firsts, keys = array("q", range(count)), count
    else:
        seen: dict = {}
        firsts, keys = array("q", map(seen.setdefault, keyed(key_columns, count), range(count))), len(seen)
    if key_columns:
        store.firsts = (kind, key_columns, firsts)
    store.memo["keys"] = (firsts, keys)  # (``_keys_of``)
    return firsts


def _keys_of(store: ColumnStore, firsts: Any) -> int | None:
    """The number of distinct keys of the rows ``firsts`` (``first_rows``) was found for (None: not known)."""
    held = store.memo.get("keys")
    return held[1] if held is not None and held[0] is firsts else None


def keyed(columns: list[list], count: int) -> Iterable:
    """Each row's key for looking it up: its value when there is one column (no tuple made), else the tuple of its
    values (``rows``): equal keys either way."""
    return columns[0] if len(columns) == 1 else rows(columns, count)


def _firsts(keys: list[tuple], positions: Any) -> dict[tuple, int]:
    """The position of the first of ``keys`` (at ``positions``) of each distinct key."""
    return dict(zip(reversed(keys), reversed(positions), strict=True))


def _as_written(src: Any, path: str) -> Any:
    """The value at ``path`` of what a message shows of a fact (its evidence with the derived values
    beside it, ``FactSource.values``), without building that mapping."""
    data = src.data
    if not isinstance(data, dict):
        return None
    head, _, rest = path.partition(".")
    value = data.get(head) if (value := src.derived_get(head)) is UNSET else value
    return walk(value, rest) if rest else value


def ref(store: ColumnStore, d: Derived) -> None:
    """Copy ``take`` from the first fact of kind ``of`` (in fact order) whose ``match`` fields equal ours."""
    assert d.of is not None and d.take is not None
    theirs = store.kind(d.of)
    if (d.take in col.LOCATION and _ref_located(store, d)) or (_own_by_same_fields(d) and _ref_own(store, theirs, d)):
        return
    ours = store.kind(d.kind)
    mine = [ours.get(f) for _, f in d.match]
    plain = all(ours.types(c) <= PLAIN_OR_NONE for c in mine)  # every key can be looked up
    if plain and _ref_table(store, ours, mine, theirs, d):
        return
    _ref_index(ours, d, mine, plain, *_index(theirs, d, mine if plain and 2 * len(ours) < len(theirs) else None))


def _ref_table(store: ColumnStore, ours: Columns, mine: list[list], theirs: Columns, d: Derived) -> bool:
    """A ``ref`` of a kind made as columns (``_index``: ``bare``) whose every row gives the value taken, by plain keys
    (ours: ``mine``): each of our rows' partner is the first row of its key, found once for the neighbouring steps
    that match the same columns (``ColumnStore.memo``).  False: not done here."""
    assert d.take is not None
    key_columns, taken = [theirs.get(f) for f, _ in d.match], theirs.get(d.take)
    if type(theirs) is not col.TableColumns or not mine or None in taken or not all(
            theirs.types(c) <= PLAIN_TYPES for c in key_columns):
        return False
    held = store.memo.get("partners")
    if held is not None and held[0] is ours and len(held[1]) == len(mine) and all(map(is_, held[1], mine)) \
            and all(map(is_, held[2], key_columns)):
        partners = held[3]
    else:
        first = _firsts(list(keyed(key_columns, len(theirs))), range(len(theirs)))
        partners = _looked_up(first, mine, len(ours), -1)
        store.memo["partners"] = (ours, mine, key_columns, partners)
    values = list(map([*taken, _ABSENT].__getitem__, partners))  # (no partner, -1: no value)
    ours.set(engine_field(d.field), values, None if any(map(is_not, values, repeat(_ABSENT))) else
             [None] * len(values))  # (as ``_ref_index``)
    return True


def _own_by_same_fields(d: Derived) -> bool:
    """Whether a ``ref`` reads its own kind's facts, matching each field with itself (each row's partner: the first
    row of its key, ``first_rows``)."""
    return d.of == d.kind and all(t == o for t, o in d.match)


def _ref_index(ours: Columns, d: Derived, mine: list[list], plain: bool, index: dict[tuple, Any], bare: bool) -> None:
    """``ref`` by its partners' ``index`` (``_index``): ``mine`` our key columns, ``plain`` every key can be looked
    up."""
    if bare or all(value is shown for value, shown in index.values()):  # every partner's value shown as itself
        found = index if bare else {key: value for key, (value, _) in index.items()}
        values = _looked_up(found, mine, len(ours), _ABSENT) if plain else \
            [_ABSENT if (hit := _hit(found, key[0] if len(key) == 1 else key)) is None else hit
             for key in rows(mine, len(ours))]
        ours.set(engine_field(d.field), values, None if any(map(is_not, values, repeat(_ABSENT))) else
                 [None] * len(values))  # (shown as the values; a column without a value keeps its shown Nones)
        return
    if plain:
        hits = _looked_up(index, mine, len(ours), _MISS)
    else:
        hits = [_hit(index, key[0] if len(key) == 1 else key) or _MISS for key in rows(mine, len(ours))]
    ours.set(engine_field(d.field), list(map(itemgetter(0), hits)), list(map(itemgetter(1), hits)))


_MISS = (_ABSENT, None)  # (no partner: no value)


def _looked_up(index: dict, mine: list[list], count: int, missing: Any) -> list:
    """Each of ``count`` rows' entry of ``index`` by its plain key (``keyed``; ``missing`` where none): looked up
    once when there is no key column (every key ``()``) or nothing to find."""
    if not mine or not index:
        return [index.get((), missing)] * count
    return list(map(index.get, keyed(mine, count), repeat(missing)))


def _ref_located(store: ColumnStore, d: Derived) -> bool:
    """A ``ref`` of where the partner's evidence is (``take: _at``), when every key is plain: the partner's position
    is held, its place computed only when read (``Columns.set`` ``located``).  False: not done here (a key that is
    not plain, or evidence holding a field of that name)."""
    assert d.of is not None and d.take is not None
    theirs, ours = store.kind(d.of), store.kind(d.kind)
    key_columns, mine = [theirs.get(f) for f, _ in d.match], [ours.get(f) for _, f in d.match]
    sources = theirs.sources()
    if not (all(theirs.types(c) <= PLAIN_TYPES for c in key_columns) and all(ours.types(c) <= PLAIN_OR_NONE
                                                                             for c in mine)) \
            or _holds_held(store, evidence(sources), d.take):
        return False
    if _own_by_same_fields(d):  # each row's first
        values = list(map(_positions(store, len(sources)).__getitem__, first_rows(store, d.kind, mine, len(ours))))
    else:
        first = _firsts(list(keyed(key_columns, len(theirs))), range(len(theirs)))
        first = dict(zip(first, map(theirs.base.position, first.values()), strict=True))
        values = list(map(first.get, keyed(mine, len(ours)), repeat(_ABSENT)))
    ours.set(engine_field(d.field), values, located=d.take, partners=sources)
    return True


def _positions(store: ColumnStore, count: int) -> list[int]:
    """The positions up to ``count``, one shared int object each (``FactBase.position``; memory), made once for the
    stage's steps (``ColumnStore.memo``)."""
    held = store.memo.get("positions")
    if held is None or len(held) < count:
        held = store.memo["positions"] = list(map(store.base.position, range(count)))
    return held


def _ref_own(store: ColumnStore, columns: Columns, d: Derived) -> bool:
    """A ``ref`` of a kind's own facts by the same fields, every key plain and every value given: each fact's partner
    is the first fact of its key (``first_rows``).  False: not done here."""
    assert d.take is not None
    keys, taken = [columns.get(f) for f, _ in d.match], columns.get(d.take)
    if type(columns) is col.TableColumns or not len(columns) or None in taken or not (
            all(columns.types(c) <= PLAIN_TYPES for c in keys) and columns.types(taken) <= PLAIN_OR_NONE):
        return False
    firsts = first_rows(store, d.kind, keys, len(columns))
    partners = list(dict.fromkeys(firsts))
    found = dict(zip(partners, _partners(columns.sources(), partners, taken, d.take), strict=True))
    shown = None if all(value is written for value, written in found.values()) else \
        list(map(itemgetter(1), map(found.__getitem__, firsts)))
    columns.set(engine_field(d.field), list(map(taken.__getitem__, firsts)), shown)
    return True


def _holds_held(store: ColumnStore, datas: Sequence, name: str) -> bool:
    """``_holds``, found once for the neighbouring steps that ask it of the same evidence (``ColumnStore.memo``)."""
    held = store.memo.get("holds")
    if held is None or held[0] is not datas or held[1] != name:
        held = store.memo["holds"] = (datas, name, _holds(datas, name))
    return held[2]


def _holds(datas: Sequence, name: str) -> bool:
    """Whether evidence that is a mapping (a dict) holds a field ``name``."""
    if set(map(type, datas)) <= {dict}:
        return any(map(dict.__contains__, datas, repeat(name)))
    return any(type(data) is dict and name in data for data in datas)


def _index(theirs: Columns, d: Derived, mine: list[list] | None = None) -> tuple[dict[tuple, Any], bool]:
    """``ref``'s partners: per key, the value and the value as written of the first partner that gives it; of a
    kind made as columns (True: ``bare``), the value alone (each is written as it is).  ``mine``: our key columns
    (plain values), when we are much fewer: only keys some of ours may have are indexed (``_wanted``)."""
    assert d.take is not None
    index: dict[tuple, Any] = {}
    bare = type(theirs) is col.TableColumns
    key_columns, taken = [theirs.get(f) for f, _ in d.match], theirs.get(d.take)
    sources = theirs.sources()
    # plain keys, and values plain or not given: a row is indexed when its value is given (no row to test)
    if all(theirs.types(c) <= PLAIN_TYPES for c in key_columns) and theirs.types(taken) <= PLAIN_OR_NONE:
        given: Any = range(len(theirs))
        mask = _wanted(key_columns, mine) if mine else None
        if None in taken:
            mask = list(map(is_not, taken, repeat(None))) if mask is None else \
                list(map(and_, mask, map(is_not, taken, repeat(None))))
        if mask is not None:
            given, key_columns = list(compress(given, mask)), [list(compress(c, mask)) for c in key_columns]
        firsts = _firsts(list(keyed(key_columns, len(given))), given)
        if bare:
            return dict(zip(firsts, map(taken.__getitem__, firsts.values()), strict=True)), bare
        return dict(zip(firsts, _partners(sources, list(firsts.values()), taken, d.take), strict=True)), bare
    for src, key, value in zip(sources, rows(key_columns, len(theirs)), taken, strict=True):
        if scalars(key) and scalar(value) and (key := key[0] if len(key) == 1 else key) not in index:
            index[key] = value if bare else _partner(src, value, d.take)
    return index, bare


def _wanted(key_columns: list[list], mine: list[list]) -> list[bool] | None:
    """Which of their rows (plain keys) may be some of ours' partners (plain keys, ``mine``): each key value is one
    of ours, tested once per distinct value, and only for the fields where we have fewer distinct values than they
    have (None: no field like that, every row may be)."""
    mask = None
    for column, own in zip(key_columns, mine, strict=True):
        ours, distinct = set(own), dict.fromkeys(column)
        if len(ours) >= len(distinct):
            continue
        found = map(dict(zip(distinct, map(ours.__contains__, distinct), strict=True)).__getitem__, column)
        mask = list(found) if mask is None else list(map(and_, mask, found))
    return mask


def _partners(sources: Sequence, positions: list[int], taken: list, take: str) -> list[tuple[Any, Any]]:
    """``_partner`` of the sources at ``positions``: where none of them has a derived value of that name (none
    written on its fact, none held for its kind), the value as written is the evidence's, read at once."""
    head, _, rest = take.partition(".")
    if rest or not sources or sources[0] is None:
        return [_partner(sources[position], taken[position], take) for position in positions]
    names, helds = field(sources, "names"), set(map(field(sources, "held").__getitem__, positions))
    if any(map(is_not, map(names.__getitem__, positions), repeat(None))) \
            or any(held is not None and head in held.columns for held in helds):
        return [_partner(sources[position], taken[position], take) for position in positions]
    values = list(map(taken.__getitem__, positions))
    shown = [data.get(head) if isinstance(data, dict) else None for data in map(evidence(sources).__getitem__,
                                                                                 positions)]  # (``_as_written``)
    return [(value, written if type(written) in PLAIN_TYPES or scalar(written) else value)
            for value, written in zip(values, shown, strict=True)]


def _partner(src: Any, value: Any, take: str) -> tuple[Any, Any]:
    """A partner's value and its value as written (a date as text; none: a table made as columns)."""
    shown = value if src is None else _as_written(src, take)
    return value, shown if scalar(shown) else value


def _hit(index: dict, key: tuple) -> Any:
    try:
        return index.get(key)
    except TypeError:  # a list or mapping where a key value should be: no partner
        return None
