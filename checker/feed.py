"""What each engine session is given: the facts a ruleset reads, and no more.

The engine's cost grows with every fact asserted and every action fired, and faster than linearly
once a session holds more than a few thousand facts (its hash buckets are of fixed size).  Three
measures keep it linear in the evidence, all decided by what the compiled rules read, never by
what a rule means:

* **kinds and fields**: a ruleset is given only the facts of the kinds its patterns read, each with
  only the fields they read (the engine parses and copies every field of every fact it matches);
* **shadows**: a pattern that only asks whether some fact exists - a negated pattern (``x$not``),
  or a join partner in a ``pass`` branch, whose identity is not evidence - reads *shadow* facts
  instead: the distinct projections of that kind's facts onto the fields the pattern reads, each
  standing for the first fact (in fact order) with that projection.  "Is there an auditor record?"
  over 500 audits is then one fact, not 500, and a rule with two such joins fires once, not
  500 × 500 times.  The compiler shadows a pattern only where that cannot change a match (see
  ``checker.compiler``);
* **filters**: a kind every pattern of which is joined by equality to a field of a fact given fact
  by fact (``match`` in a join: the register row whose number is the subject's) is given only the
  facts whose field holds one of the values those facts hold in the session; a fact that cannot
  equal any of them can match no pattern (numbers and numeric text are compared loosely, values
  that are not text or numbers are always given: only what certainly cannot match is left out);
* **partitions**: the facts of large kinds that no branch reads twice are split into sessions of
  at most ``SESSION_FACTS`` facts, every other fact given to each session; a branch that reads
  none of the split kinds fires identically in every session, so only the first session's firings
  of it are kept.

Every verdict still comes out of the engine: this module only decides which facts each session
is given.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator
from dataclasses import dataclass

END_KIND = "__end__"  # the end-of-evidence sentinel's kind
SHADOW = "~"  # prefix of a shadow kind and of a shadow fact's id
SESSION_FACTS = 4000  # facts of the split kinds per session (measured: bench/bench.py, issue 15)


@dataclass(frozen=True)
class Feed:
    """What a compiled ruleset reads: ``kinds`` fact by fact; ``shadows`` as distinct projections
    (shadow kind name, kind, fields); ``reads`` per engine rule (branch) the kinds its non-shadow patterns read, a
    negated one marked with a leading ``!``."""

    kinds: frozenset[str] = frozenset()
    shadows: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (shadow kind, kind, fields)
    reads: tuple[tuple[str, tuple[str, ...]], ...] = ()
    filters: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = ()  # fed kind -> (field, kind, field)
    fields: tuple[tuple[str, tuple[str, ...]], ...] = ()  # kind read fact by fact -> the fields read


@dataclass
class Session:
    facts: list[dict]
    back: dict[str, str]  # shadow fact id -> the id of the fact it stands for
    keep: frozenset[str] | None = None  # when set, only these branches' firings count (later partitions)


def shadow_kind(kind: str, fields: tuple[str, ...]) -> str:
    """The kind name of the shadow facts of ``kind`` projected on ``fields``."""
    return f"{SHADOW}{kind}{SHADOW}{','.join(fields)}"


_MISSING = object()


def _dotted(fact: dict, path: str):
    value = fact
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _hashable(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return (type(value).__name__, value)


class Planner:
    """Plans the sessions of every ruleset of one evaluation over one list of facts.  Projections,
    shadows and indexes are computed once per evaluation and shared by the rulesets."""

    def __init__(self, facts: list[dict], limit: int = SESSION_FACTS):
        self.by_kind: dict[str, list[dict]] = {}
        for fact in facts:
            self.by_kind.setdefault(fact["kind"], []).append(fact)
        self.limit = limit
        self._projected: dict[tuple[str, tuple[str, ...]], list[dict]] = {}
        self._shadows: dict[tuple[str, tuple[str, ...]], list[dict]] = {}
        self._index: dict[tuple[str, str], tuple[dict, list[dict]]] = {}

    def projected(self, kind: str, fields: tuple[str, ...] | None) -> list[dict]:
        """The facts of ``kind`` with only ``fields`` (and their id and kind); all of them for None (a
        feed that does not say what it reads)."""
        if fields is None:
            return self.by_kind.get(kind, [])
        key = (kind, fields)
        if key not in self._projected:
            self._projected[key] = _project(self.by_kind.get(kind, ()), fields)
        return self._projected[key]

    def shadows(self, name: str, kind: str, fields: tuple[str, ...]) -> list[dict]:
        """The distinct projections of ``kind`` on ``fields`` (see ``_distinct``)."""
        key = (kind, fields)
        if key not in self._shadows:
            self._shadows[key] = _distinct(self.by_kind.get(kind, ()), name, fields)
        return self._shadows[key]

    def sessions(self, feed: Feed) -> Iterator[Session]:
        fields: dict[str, tuple[str, ...] | None] = dict.fromkeys(feed.kinds)
        fields.update(feed.fields)
        shadows = {name: (kind, f) for name, kind, f in feed.shadows}
        filters = dict(feed.filters)
        kinds = sorted(k for k in feed.kinds if self.by_kind.get(k))
        split = self._split(feed, kinds)
        lists = {k: self.projected(k, fields.get(k)) for k in kinds if k not in split and k not in filters}
        lists.update({name: self.shadows(name, kind, f) for name, (kind, f) in shadows.items() if name not in filters})
        whole = [self.projected(k, fields.get(k)) for k in sorted(split)]
        parts = list(_chunks(list(_merge(whole)), self.limit)) or [[]]
        readers = frozenset(name for name, read in feed.reads if any(k.lstrip("!") in split for k in read))
        for i, part in enumerate(parts):
            given = dict(lists)
            chunk: dict[str, list[dict]] = {}
            for fact in part:
                chunk.setdefault(fact["kind"], []).append(fact)
            refs = {**lists, **chunk}
            for name, alternatives in filters.items():
                if name in shadows:
                    kind, f = shadows[name]
                    given[name] = _distinct(self._filtered(kind, alternatives, refs), name, f)
                elif name in kinds and name not in split:
                    given[name] = _project(self._filtered(name, alternatives, refs), fields.get(name))
            back = {s["id"]: s["id"].rsplit(SHADOW, 1)[1] for name in shadows for s in given.get(name, ())}
            yield Session(list(_merge([*given.values(), part])), back, None if i == 0 else readers)

    def _filtered(self, kind: str, alternatives: tuple[tuple[str, str, str], ...],
                  refs: dict[str, list[dict]]) -> list[dict]:
        """The facts of ``kind`` that can equal, on one alternative's field, a value the referenced facts
        (as given to the session) hold."""
        chosen: dict[int, dict] = {}
        for path, ref_kind, other in alternatives:
            values: set = set()
            for ref in refs.get(ref_kind, ()):
                keys = _keys(_dotted(ref, other))
                if keys is None:
                    return list(self.by_kind.get(kind, ()))
                values |= keys
            index, loose = self._index_of(kind, path)
            for fact in loose:
                chosen[id(fact)] = fact
            for value in values:
                for fact in index.get(value, ()):
                    chosen[id(fact)] = fact
        return sorted(chosen.values(), key=_id)

    def _index_of(self, kind: str, path: str) -> tuple[dict, list[dict]]:
        """The facts of ``kind`` by every value key of their field (``_keys``), and those the index
        cannot place (always given)."""
        key = (kind, path)
        if key not in self._index:
            index: dict = {}
            loose: list[dict] = []
            for fact in self.by_kind.get(kind, ()):
                value = _dotted(fact, path)
                if value is _MISSING:
                    continue  # a field that is not given equals nothing
                keys = _keys(value)
                if keys is None:
                    loose.append(fact)
                    continue
                for k in keys:
                    index.setdefault(k, []).append(fact)
            self._index[key] = (index, loose)
        return self._index[key]

    def _split(self, feed: Feed, kinds: list[str]) -> set[str]:
        """The kinds to partition: large ones no branch reads twice, or negated, or with another split
        kind; a kind given through a filter is filtered instead."""
        filtered = {k for k, _ in feed.filters}
        counts = {k: len(self.by_kind[k]) for k in kinds if k not in filtered}
        if sum(counts.values()) <= self.limit:
            return set()
        split: set[str] = set()
        for kind in sorted(counts, key=lambda k: (-counts[k], k)):
            if counts[kind] <= self.limit // 4:
                break
            if all(_splittable(read, split | {kind}) for _, read in feed.reads):
                split.add(kind)
        return split


def _project(facts, fields: tuple[str, ...] | None) -> list[dict]:
    if fields is None:
        return list(facts)
    wanted = {"id", "kind", *fields}
    return [fact if wanted.issuperset(fact) else {k: v for k, v in fact.items() if k in wanted} for fact in facts]


def _distinct(facts, name: str, fields: tuple[str, ...]) -> list[dict]:
    """The distinct projections of ``facts`` on ``fields`` as facts of kind ``name``, each with the id
    ``~<fields>~<id>`` of the first fact that has it, so shadows of one fact never share an id."""
    seen: set = set()
    out = []
    for fact in facts:
        projection = {f: fact[f] for f in fields if f in fact}
        mark = tuple((f, _hashable(v)) for f, v in projection.items())
        if mark not in seen:
            seen.add(mark)
            out.append({"kind": name, **projection, "id": f"{name}{SHADOW}{fact['id']}"})
    return out


def _keys(value) -> set | None:
    """What a value may equal in the engine: numbers and numeric text by number, text by text; None
    for values the filter does not reason about (lists, mappings: always given)."""
    if value is _MISSING:
        return set()
    if isinstance(value, bool):
        return {("b", value)}
    if isinstance(value, (int, float)):
        return {("n", float(value))}
    if isinstance(value, str):
        try:
            return {("s", value), ("n", float(value))}
        except ValueError:
            return {("s", value)}
    return None


def _splittable(read: tuple[str, ...], split: set[str]) -> bool:
    """A branch allows the split when it reads at most one fact of the split kinds, not negated."""
    return sum(1 for k in read if k in split) <= 1 and not any(k.startswith("!") and k[1:] in split for k in read)


def _id(fact: dict) -> int:
    fid = str(fact["id"]).rsplit(SHADOW, 1)[-1]
    return int(fid) if fid.isdigit() else 0


def _merge(lists: list[list[dict]]) -> Iterator[dict]:
    """The facts of several lists in fact order (each list is in fact order already)."""
    nonempty = [lst for lst in lists if lst]
    if len(nonempty) == 1:
        return iter(nonempty[0])
    return heapq.merge(*nonempty, key=_id)


def _chunks(facts: list[dict], size: int) -> Iterator[list[dict]]:
    for i in range(0, len(facts), size):
        yield facts[i:i + size]
