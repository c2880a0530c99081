"""Fact dicts made many at a time (memory): dicts sharing their keys, and the record facts of a large lean
kind made once, when the derive stage is over.

A kind's facts remade as CPython's key-sharing instance dicts (``sharing``: one class per kind, which learns
the kind's keys all at once) take ~290 instead of ~500 bytes a fact of 20 fields.  The records of a lean kind
(``FactBase.lean_keys``: the facts carry only the fields the engine and the derive stage read) kept as they are
(``checker.facts``) need no fact of their own while the derive stage runs: it reads their fields from the
evidence (``checker.columns``).  Each such record then has a placeholder in the fact list (``Deferred``: its
kind, its links, its id, ~130 bytes instead of ~300 for its lean fact) and ``FactBase.narrow`` makes its fact
once, from the evidence and the placeholder, with the same items in the same order as the lean fact narrowed
(``Deferred.items``): no lean fact, and no second copy of it, is ever made.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from operator import itemgetter, setitem
from typing import Any

from .keyshare import instance_dicts, sharing_class
from .limits import SHARED_KEYS

_NONE: Any = object()
DEFER_FROM = 1024  # records of a kind in one records array, from which their facts are deferred


def sharing(keys: Iterable[str]) -> type | None:
    """A class whose instances' dicts share ``keys`` (``row_type().__dict__``: an empty dict that takes them
    without growing; ``checker.keyshare``); None when they are more than CPython shares."""
    keys = list(dict.fromkeys(keys))
    return None if len(keys) > SHARED_KEYS else sharing_class(keys, "Fact")


class Deferred:
    """The records of one lean kind whose facts are made by ``FactBase.narrow``: ``lean`` the fields their lean
    facts would carry; ``links`` those of ``_doc`` and ``_parent`` (set on the placeholder); ``rename`` the
    records' reserved field names and their engine names (``f_<name>``); ``evidence`` the engine names of the
    records' fields; ``written`` the fields set on the placeholders (``FactBase.set_derived_column``);
    ``materialized``: the lean fields of the evidence were copied onto the placeholders (a derived value of a field
    the evidence gives: the placeholders then carry what the lean facts would)."""

    __slots__ = ("_last", "evidence", "lean", "links", "materialized", "placeholder", "rename", "shapes", "written")

    def __init__(self, lean: frozenset[str], rename: dict[str, str]):
        self.lean, self.rename = lean, rename
        self.links = tuple(link for link in ("_doc", "_parent") if link in lean)
        self.evidence: set[str] = set()
        self.written: set[str] = set()
        self.shapes: set[tuple] = set()  # the records' fields in order, each sequence once (``FactBase.defer``)
        self.materialized = False
        self.placeholder = sharing(("kind", *self.links, "id"))
        self._last: tuple = (None, lean)

    def carried(self) -> frozenset[str]:
        """The fields the placeholders carry as the lean facts would (the derive stage reads the others from the
        evidence): the kind, the id and the links, and the lean fields set on them."""
        if self.materialized:
            return self.lean
        return frozenset({"kind", "id", *self.links}) | (self.written & self.lean)

    def make(self, kind: str, doc_id: str, parent_id: str) -> dict:
        """A record's placeholder (``FactBase.add`` gives it its id)."""
        fact: dict = self.placeholder().__dict__  # type: ignore[misc]
        fact["kind"] = kind
        links = self.links
        if links:
            if links[0] == "_doc":
                fact["_doc"] = doc_id
            if links[-1] == "_parent":
                fact["_parent"] = parent_id
        return fact

    def made_many(self, kind: str, doc_id: str, parent_id: str, count: int) -> list[dict]:
        """``count`` placeholders (``make``), made by C loops."""
        made = instance_dicts(self.placeholder, count)  # type: ignore[arg-type]
        for name, value in (("kind", kind), ("_doc", doc_id), ("_parent", parent_id)):
            if name == "kind" or name in self.links:
                deque(map(setitem, made, repeat(name), repeat(value, count)), maxlen=0)
        return made

    def keys(self) -> set[str]:
        """Every field a made fact may carry (before narrowing)."""
        return {"kind", *self.links, "id", *self.written, *(self.lean & self.evidence)}

    def items(self, data: dict, placeholder: dict, kept: frozenset[str] | None) -> list[tuple[str, Any]]:
        """The items of the lean fact of the record ``data`` (``checker.facts._lean_fact``), with what was set on
        its ``placeholder`` since, in their order; only those in ``kept`` (None: all)."""
        lean, rename = self._fields(kept), self.rename
        out: list[tuple[str, Any]] = [("kind", placeholder["kind"])]
        if not (self.materialized or self.written & self.evidence):  # (the placeholder holds no evidence field)
            if rename:
                out += [(n, v) for k, v in data.items() if (n := rename.get(k, k)) in lean]
            else:
                out += [(k, v) for k, v in data.items() if k in lean]
            given: Any = ()
        else:
            given = {n for k in data if (n := rename.get(k, k)) in self.lean}
            out += [(n, placeholder.get(n, v)) for k, v in data.items() if (n := rename.get(k, k)) in lean]
        if kept is None:
            out += [(k, v) for k, v in placeholder.items() if k != "kind" and k not in given]
        else:
            out += [(k, v) for k, v in placeholder.items() if k in kept and k != "kind" and k not in given]
        return out

    def _fields(self, kept: frozenset[str] | None) -> frozenset[str]:
        """The lean fields in ``kept`` (None: all), computed once per ``kept`` (the last one)."""
        if kept is None:
            return self.lean
        last = self._last
        if last[0] is not kept:
            last = self._last = (kept, self.lean & kept)
        return last[1]

    def made(self, facts: list, fids: list[str], data: Sequence, kept: list[frozenset[str] | None],
             row_type: type | None, sources: Sequence | None) -> None:
        """``remade`` of the kind's facts from their evidence ``data`` and placeholders (``items``): a placeholder
        that carries only its kind, links and id (the most common case) read without a step per field."""
        if self.materialized or self.written:
            remade(facts, fids, kept, lambda k, fields: self.items(data[k], facts[int(fids[k]) - 1], fields),
                   row_type, sources)
            return
        if sources is None and row_type is not None and self._at_once(facts, fids, data, kept, row_type):
            return
        rename, last = self.rename, _NONE
        lean: frozenset[str] = frozenset()
        tail: tuple[str, ...] = ()
        for k, (fid, fields, row) in enumerate(zip(fids, kept, data, strict=True)):
            if fields is not last:
                last, lean = fields, self._fields(fields)
                tail = tuple(key for key in (*self.links, "id") if fields is None or key in fields)
            i = int(fid) - 1
            placeholder = facts[i]
            fact = {} if row_type is None else row_type().__dict__
            fact["kind"] = placeholder["kind"]
            if rename:
                fact.update([(n, v) for key, v in row.items() if (n := rename.get(key, key)) in lean])
            else:
                fact.update([(key, v) for key, v in row.items() if key in lean])
            for key in tail:
                fact[key] = placeholder[key]
            facts[i] = fact
            if sources is not None:
                sources[k].fact = fact

    def _at_once(self, facts: list, fids: list[str], data: Sequence, kept: list[frozenset[str] | None],
                 row_type: type) -> bool:
        """``made`` by C loops, field by field over the facts, when the facts are numbered without a gap, keep the same
        fields and their records have the same fields in the same order (a table's rows): the same facts, items in
        the same order.  False: they are not (nothing made)."""
        n, first = len(fids), _numbered(fids, kept)
        if first < 0:
            return False
        shapes = set(self.shapes or map(tuple, data))  # (the records ``defer`` was given: those of ``data``)
        if len(shapes) != 1:
            return False
        lean, rename = self._fields(kept[0]), self.rename
        pairs = [(key, name) for key in shapes.pop() if (name := rename.get(key, key)) in lean]
        placeholders = facts[first:first + n]
        made = instance_dicts(row_type, n)
        deque(map(setitem, made, repeat("kind"), map(itemgetter("kind"), placeholders)), maxlen=0)
        _filled(made, [key for key, _ in pairs], [name for _, name in pairs], data)
        for key in (*self.links, "id"):
            if kept[0] is None or key in kept[0]:
                deque(map(setitem, made, repeat(key), map(itemgetter(key), placeholders)), maxlen=0)
        facts[first:first + n] = made
        return True

    def materialize(self, placeholders: list[dict], evidence: Sequence[dict]) -> None:
        """Copy the lean fields of each record's evidence onto its placeholder (a value set on it stays)."""
        lean, rename = self.lean, self.rename
        for placeholder, data in zip(placeholders, evidence, strict=True):
            for k, v in data.items():
                n = rename.get(k, k)
                if n in lean and n not in placeholder:
                    placeholder[n] = v
        self.materialized = True


def kept_items(fact: dict, kept: frozenset[str] | None) -> Any:
    """The items of ``fact`` in ``kept`` (None: all), in order."""
    return fact.items() if kept is None or kept.issuperset(fact) else [(k, v) for k, v in fact.items() if k in kept]


def remade_at_once(facts: list, fids: list[str], kept: list[frozenset[str] | None], row_type: type,
                   sources: Sequence | None = None) -> bool:
    """``remade`` of facts ``kept_items`` narrows by C loops, field by field over the facts, when they are numbered
    without a gap, keep the same fields and have the same fields in the same order: the same facts, items in the
    same order (each the ``fact`` of its source in ``sources``, when given).  False: they are not (nothing made)."""
    first = _numbered(fids, kept)
    if first < 0:
        return False
    n = len(fids)
    shapes = set(map(tuple, facts[first:first + n]))
    if len(shapes) != 1:
        return False
    names = [key for key in shapes.pop() if kept[0] is None or key in kept[0]]
    made = instance_dicts(row_type, n)
    _filled(made, names, names, facts[first:first + n])
    facts[first:first + n] = made
    if sources is not None:
        deque(map(setattr, sources, repeat("fact"), made), maxlen=0)
    return True


def _filled(made: list[dict], keys: list[str], names: list[str], rows: Iterable) -> None:
    """Each of ``made`` given the values of ``keys`` in its row of ``rows`` under ``names``, in order (C loops)."""
    if keys:
        values = map(itemgetter(*keys), rows)
        deque(map(dict.update, made, map(zip, repeat(names), values if len(keys) > 1 else zip(values))), maxlen=0)


def _numbered(fids: list[str], kept: list) -> int:
    """The place of the first of ``fids`` in the fact list when they are numbered without a gap and ``kept`` holds
    one object (the fields every fact keeps); else -1."""
    n = len(fids)
    first = int(fids[0]) - 1 if n else -1
    if not n or kept.count(kept[0]) != n or list(map(int, fids)) != list(range(first + 1, first + n + 1)):
        return -1
    return first


def remade(facts: list, fids: list[str], kept: list[frozenset[str] | None],
           items: Callable[[int, frozenset[str] | None], Any], row_type: type | None, sources: Sequence | None) -> None:
    """Each fact of ``fids`` made again from ``items(k, kept[k])`` (its position, the fields it keeps), an instance
    dict of ``row_type`` (``sharing``; None: a dict), in place of the one it was made from in ``facts`` (which then
    goes, one by one: no second copy of the kind), and as the ``fact`` of ``sources`` (None: read from ``facts``)."""
    for k, (fid, fields) in enumerate(zip(fids, kept, strict=True)):
        i = int(fid) - 1
        fact = {} if row_type is None else row_type().__dict__
        fact.update(items(k, fields))
        facts[i] = fact
        if sources is not None:
            sources[k].fact = fact
