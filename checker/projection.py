"""Projections of facts onto the field paths a pattern reads (``checker.shaping.projection``), and the
distinct projections that stand for them (shadows, groups): the data side of ``checker.feed``."""

from __future__ import annotations

import heapq
import json
from array import array
from collections.abc import Iterator
from itertools import count, repeat

from .valueclass import CLASS, Classes, class_keys, spec_constants, spec_path

SHADOW = "~"  # prefix of a shadow kind and of a shadow fact's id

MISSING = object()


def _dotted(fact: dict, path: str):
    value = fact
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return MISSING
        value = value[part]
    return value


def _hashable(value):
    """A key equal for equal values of the same type only (1, 1.0, True and "1" stay apart); text and
    whole numbers are their own key (no tuple per value: columns hold one per fact)."""
    kind = type(value)
    if kind is str or kind is int:
        return value
    if value is MISSING:
        return ()
    if kind is dict or kind is list:
        return ("json", json.dumps(value, sort_keys=True, ensure_ascii=False, default=str))
    if kind is bool or kind is float:  # one key object per value (a column of 0.0 or True: no tuple per fact)
        key = _KEYS.get((kind, value))
        if key is None:
            key = (kind.__name__, value)
            if len(_KEYS) < 4096:
                _KEYS[(kind, value)] = key
        return key
    return (kind.__name__, value)


_KEYS: dict[tuple, tuple] = {}  # (type, value) -> its key (``_hashable``): equal keys, shared


_PLAIN = frozenset({str, int, float, bool, type(None), object})  # hashable; ``object``: MISSING
_NUMBERS = frozenset({int, float, bool})  # equal across types (1 == 1.0 == True): at most one in a raw column


def column_codes(facts, spec: str) -> array | None:
    """What each fact holds at one path (``=path`` its value, ``?path`` whether it is given) as a code: the
    position of the first fact holding an equal key (``_hashable``); None when every fact holds the same one.
    Facts share a code exactly when they share a key: a column of values that no value of another type can
    equal is coded by the values themselves (no key object per fact)."""
    if spec[0] == CLASS:
        column = class_keys(list(map(dict.get, facts, repeat(spec_path(spec)), repeat(MISSING))), spec_constants(spec),
                            _hashable)  # (a class path is a top-level field)
        return None if not column or column.count(column[0]) == len(column) else _codes(column)
    parts = tuple(spec[1:].split("."))
    if spec[0] == "=" and len(parts) == 1:
        column = list(map(dict.get, facts, repeat(parts[0]), repeat(MISSING)))
        types = set(map(type, column))
        if not (_PLAIN.issuperset(types) and len(types & _NUMBERS) <= 1):
            column = [v if type(v) is str or type(v) is int or (type(v) is float and not v.is_integer())
                      else _hashable(v) for v in column]  # a fraction equals no other type's value: its own key
    elif spec[0] == "=":
        column = [_hashable(_at(f, parts)) for f in facts]
    elif len(parts) == 1:  # whether a top-level field is given
        column = list(map(dict.__contains__, facts, repeat(parts[0])))
    else:
        column = [_at(f, parts) is not MISSING for f in facts]
    if not column or column.count(column[0]) == len(column):  # one key (most paths of a ledger): a C pass
        return None
    return _codes(column)


_CHUNK = 1024  # facts read per path in turn (``columns_codes``): they stay in the CPU cache meanwhile


def columns_codes(facts: list[dict], specs: list[str]) -> list[array | None]:
    """``column_codes`` of several top-level paths, the facts read a chunk at a time, every path in turn (reading
    a column costs memory access more than Python: a chunk's facts are read once from memory, not once a path).
    A path stays uncoded while every fact so far holds the same key; the one path a value of another type could
    equal (or an unhashable value) is coded again whole by ``column_codes``."""
    states: list = [[None, None, set()] for _ in specs]  # per path: first positions, codes, the values' types
    for start in range(0, len(facts), _CHUNK):
        chunk, positions = facts[start:start + _CHUNK], range(start, start + _CHUNK)
        for spec, state in zip(specs, states, strict=True):
            first, codes, types = state
            if spec[0] == CLASS:  # (each value's class key: any value has one)
                values = class_keys(list(map(dict.get, chunk, repeat(spec_path(spec)), repeat(MISSING))),
                                    spec_constants(spec), _hashable)
            elif spec[0] == "=":
                values = list(map(dict.get, chunk, repeat(spec[1:]), repeat(MISSING)))
                types.update(map(type, values))
                if not _PLAIN.issuperset(types):
                    continue  # coded whole below
            else:
                values = list(map(dict.__contains__, chunk, repeat(spec[1:])))
            if first is None:
                first = state[0] = {values[0]: 0}
            if codes is None:
                if values.count(next(iter(first))) == len(values):  # the one key so far (a C pass)
                    continue
                codes = state[1] = array("I", bytes(4 * start))  # the facts before all hold the first key
            codes.extend(map(first.setdefault, values, positions))
    return [column_codes(facts, spec) if not _codable(spec, types) else codes
            for spec, (_, codes, types) in zip(specs, states, strict=True)]


def _codable(spec: str, types: set) -> bool:
    """Whether ``columns_codes`` coded a path as it read it: a presence or class path always; a value path when it
    held only plain values, of at most one numeric type (1, 1.0 and True are one dict key)."""
    return spec[0] != "=" or (_PLAIN.issuperset(types) and len(types & _NUMBERS) <= 1)


def _codes(keys) -> array:
    """Each key's first position (C loops)."""
    first: dict = {}
    return array("I", map(first.setdefault, keys, count()))


def combined(codes: list[array]) -> array | None:
    """The codes of several columns of the same facts as one (facts share it when they share every column's): the
    first position of each fact's codes together (one C pass over the columns zipped)."""
    if not codes:
        return None
    return codes[0] if len(codes) == 1 else _codes(zip(*codes, strict=True))


def _project(facts, fields: tuple[str, ...] | None) -> list[dict]:
    """The facts with only the paths ``fields`` reads (``checker.shaping.projection``): ``=path`` its
    value, ``?path`` whether it is given (as ``true``); id and kind always."""
    if fields is None:
        return list(facts)
    plan = _plan(fields)
    return [project(fact, fields, plan) for fact in facts]


_Plan = tuple[frozenset[str], tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]


def _plan(fields: tuple[str, ...]) -> _Plan:
    """Top-level value fields; deeper value paths; presence paths, deepest first."""
    tops = frozenset(spec_path(f) for f in fields if (f[0] == "=" and "." not in f) or f[0] == CLASS)
    deep = tuple(tuple(f[1:].split(".")) for f in fields if f[0] == "=" and "." in f)
    presence = tuple(sorted((tuple(f[1:].split(".")) for f in fields if f[0] == "?"), key=lambda p: -len(p)))
    return tops, deep, presence


def _at(fact: dict, parts: tuple[str, ...]):
    value = fact
    for part in parts:
        if type(value) is not dict or part not in value:
            return MISSING
        value = value[part]
    return value


def project(fact: dict, fields: tuple[str, ...], plan: _Plan | None = None) -> dict:
    tops, deep, presence = plan or _plan(fields)
    if not deep and not presence and tops.issuperset(k for k in fact if k != "id" and k != "kind"):
        return fact
    out: dict = {"kind": fact["kind"]}
    for name in tops:
        if name in fact:
            out[name] = fact[name]
    for parts in deep:
        value = _at(fact, parts)
        if value is not MISSING:
            _put(out, parts, value)
    for parts in presence:
        if _at(fact, parts) is not MISSING and _at(out, parts) is MISSING:
            _put(out, parts, True)
    out["id"] = fact["id"]
    return out


def _put(out: dict, parts: tuple[str, ...], value) -> None:
    *parents, last = parts
    node = out
    for part in parents:
        nxt = node.get(part)
        if not isinstance(nxt, dict):
            nxt = node[part] = {}
        node = nxt
    node[last] = value


def _distinct(facts, name: str, fields: tuple[str, ...]) -> tuple[list[dict], dict[str, tuple[str, ...]]]:
    """The distinct projections of ``facts`` on ``fields`` as facts of kind ``name``, each with the id
    ``<name>~<id>`` of the first fact that has it (so shadows of one fact never share an id); and per
    shadow id the ids of every fact with that projection (its group)."""
    seen: dict = {}
    out = []
    groups: dict[str, list[str]] = {}
    plan = _plan(fields)
    paths = [(_hashable, tuple(f[1:].split("."))) for f in fields if f[0] == "="] + \
            [(Classes(spec_constants(f), _hashable).__getitem__, (spec_path(f),)) for f in fields if f[0] == CLASS] + \
            [(None, tuple(f[1:].split("."))) for f in fields if f[0] == "?"]
    for fact in facts:
        mark = tuple(v is not MISSING if key is None else _key(key, v) for key, parts in paths
                     for v in (_at(fact, parts),))
        sid = seen.get(mark)
        if sid is None:
            shadow = dict(project(fact, fields, plan))
            del shadow["id"], shadow["kind"]
            sid = seen[mark] = f"{name}{SHADOW}{fact['id']}"
            out.append({"kind": name, **shadow, "id": sid})
            groups[sid] = []
        groups[sid].append(str(fact["id"]))
    return out, {k: tuple(v) for k, v in groups.items()}


def _key(key, value):
    """A value's key in a mark of ``_distinct`` (a bool or an unhashable value by itself, not by a class memo)."""
    try:
        return _hashable(value) if type(value) is bool else key(value)
    except TypeError:  # a list or mapping held by a class path: itself (``class_key``)
        return _hashable(value)


def _canonical(value):
    """The group of a value for a split by key: values the engine may find equal share a group
    (numbers and numeric text by number); lists and mappings all share one group."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", float(value))
    if isinstance(value, str):
        try:
            return ("n", float(value))
        except ValueError:
            return ("s", value)
    return ("*",)


def _keys(value) -> set | None:
    """What a value may equal in the engine: numbers and numeric text by number, text by text; None
    for values the filter does not reason about (lists, mappings: always given)."""
    if value is MISSING:
        return set()
    if isinstance(value, bool):
        return {("b", value)}
    if isinstance(value, (int, float)):
        return {("n", float(value))}
    if isinstance(value, str):  # a text is its own key (it never equals the tuples)
        try:
            return {value, ("n", float(value))}
        except ValueError:
            return {value}
    return None


def fields_read(feeds) -> dict[str, frozenset[str] | None]:
    """The top-level fields of each kind's facts that the given feeds (``checker.feed.Feed``) may give the
    engine or plan sessions by: fact by fact (their projections), as shadows, in filters and in split keys;
    None for a kind some feed gives whole (every field of it may be read).  A kind no feed reads is absent."""
    out: dict[str, set[str] | None] = {}

    def add(kind: str, paths) -> None:
        got = out.setdefault(kind, set())
        if got is not None:
            got.update(p.split(".", 1)[0] for p in paths)

    for feed in feeds:
        fields = dict.fromkeys(feed.kinds)
        fields.update(feed.fields)
        shadows = {name: kind for name, kind, _ in feed.shadows}
        for kind, spec in fields.items():
            if spec is None:
                out[kind] = None
            else:
                add(kind, map(spec_path, spec))
        for _, kind, spec in feed.shadows:
            add(kind, map(spec_path, spec))
        for fed, alternatives in feed.filters:
            for path, ref_kind, other in alternatives:
                add(shadows.get(fed, fed), (path,))
                add(shadows.get(ref_kind, ref_kind), (other,))
        for _, kind, keys in feed.keys:
            add(kind, keys)
    return {kind: None if got is None else frozenset(got) for kind, got in out.items()}


def _keyed_chunks(facts: list[dict], key: str, size: int) -> Iterator[list[dict]]:
    """Chunks of at most ``size`` facts (a group larger than that stays whole) in which the facts
    sharing a value of ``key`` are together; facts without the field go with the first chunk."""
    groups: dict = {}
    for fact in facts:
        value = _dotted(fact, key)
        groups.setdefault(None if value is MISSING else _canonical(value), []).append(fact)
    chunk: list[dict] = groups.pop(None, [])
    for members in groups.values():
        if chunk and len(chunk) + len(members) > size:
            yield sorted(chunk, key=_id)
            chunk = []
        chunk.extend(members)
    if chunk:
        yield sorted(chunk, key=_id)


def _id(fact: dict) -> int:
    fid = str(fact["id"]).rsplit(SHADOW, 1)[-1]
    return int(fid) if fid.isdigit() else 0


def _merge(lists: list[list[dict]]) -> Iterator[dict]:
    """The facts of several lists in fact order (each list is in fact order already)."""
    nonempty = [lst for lst in lists if lst]
    return iter(nonempty[0]) if len(nonempty) == 1 else heapq.merge(*nonempty, key=_id)


def _chunks(facts: list[dict], size: int) -> Iterator[list[dict]]:
    return (facts[i:i + size] for i in range(0, len(facts), size))


def _splittable(read: tuple[str, ...], split: set[str]) -> bool:
    """A branch allows the split when it reads at most one fact of the split kinds, not negated."""
    return sum(1 for k in read if k in split) <= 1 and not any(k.startswith("!") and k[1:] in split for k in read)
