"""What each engine session is given: the facts a ruleset reads, and no more.

The engine's cost grows with every fact asserted and every action fired, and faster than linearly
once a session holds more than a few thousand facts (its hash buckets are of fixed size).  These
measures keep it linear in the evidence, all decided by what the compiled rules read
(``checker.shaping``), never by what a rule means:

* **kinds and fields**: a ruleset is given only the facts of the kinds its patterns read, each with
  only the fields they read (the engine parses and copies every field of every fact it matches);
* **shadows**: a pattern that only asks whether some fact exists - a negated pattern (``x$not``),
  or a join partner in a ``pass`` branch, whose identity is not evidence - reads *shadow* facts
  instead: the distinct projections of that kind's facts onto the fields the pattern reads, each
  standing for the first fact (in fact order) with that projection.  "Is there an auditor record?"
  over 500 audits is then one fact, not 500, and a rule with two such joins fires once, not
  500 × 500 times.  A pattern is shadowed only where that cannot change a match (see
  ``checker.shaping``);
* **subject groups**: the subjects of an engine rule whose projections on what it reads are the same
  match the same way, so each group is given once and the engine's firing for it stands for every
  member (``Feed.groups``; the verdict stage still sees one firing per subject);
* **filters**: a kind every pattern of which is joined by equality to a field of a fact given fact
  by fact (``match`` in a join: the register row whose number is the subject's) is given only the
  facts whose field holds one of the values those facts hold in the session; a fact that cannot
  equal any of them can match no pattern (numbers and numeric text are compared loosely, values
  that are not text or numbers are always given: only what certainly cannot match is left out);
* **partitions**: the facts (or subject groups) of large kinds that no branch reads twice are split
  into sessions of at most ``SESSION_FACTS`` facts, every other fact given to each session; a branch
  that reads none of the split kinds fires identically in every session, so only the first
  session's firings of it are kept; so is a filtered kind too large for one session.  A kind a
  branch reads twice (a self-join) is split by the field its patterns equate, so facts that can meet
  stay in one session.

Every verdict still comes out of the engine: this module only decides what each session is given.
"""

from __future__ import annotations

from array import array
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

from .projection import (
    MISSING,
    SHADOW,
    _chunks,
    _distinct,
    _dotted,
    _id,
    _keyed_chunks,
    _keys,
    _merge,
    _plan,
    _project,
    _splittable,
    column_codes,
    columns_codes,
    combined,
    project,
)
from .valueclass import spec_path

END_KIND = "__end__"  # the end-of-evidence sentinel's kind
# Facts of the split kinds per session.  The engine holds ~10 kB a fact while a session runs (mallinfo:
# ~40 MB for 4,000); 2,000 keeps that near 20 MB for ~10% more engine time than 4,000 (bench, issue 15).
SESSION_FACTS = 2000


@dataclass(frozen=True)
class Feed:
    """What a compiled ruleset reads: ``kinds`` fact by fact; ``shadows`` as distinct projections
    (shadow kind name, kind, fields); ``reads`` per engine rule (branch) the kinds (or shadow kinds) its
    patterns read, a negated one marked with a leading ``!``."""

    kinds: frozenset[str] = frozenset()
    shadows: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (shadow kind, kind, fields)
    reads: tuple[tuple[str, tuple[str, ...]], ...] = ()
    filters: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = ()  # fed kind -> (field, kind, field)
    fields: tuple[tuple[str, tuple[str, ...]], ...] = ()  # kind read fact by fact -> the fields read
    keys: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (branch, kind it reads twice, fields to split by)
    groups: frozenset[str] = frozenset()  # shadow kinds of subjects: a firing stands for the whole group


@dataclass
class Session:
    facts: list[dict]
    back: dict[str, str | tuple[str, ...]]  # shadow fact id -> the fact it stands for (a subject's: its group)
    keep: frozenset[str] | None = None  # when set, only these branches' firings count (later partitions)


def shadow_kind(kind: str, fields: tuple[str, ...], group: bool = False) -> str:
    """The kind of the shadow facts of ``kind`` on ``fields`` (a subject's groups apart: only they are split)."""
    return f"{SHADOW}{kind}{SHADOW}{','.join(fields)}" + (f"{SHADOW}subject" if group else "")


class Planner:
    """Plans the sessions of every ruleset of one evaluation over one list of facts (caches shared by them)."""

    def __init__(self, facts: list[dict], limit: int | None = None):
        self.by_kind: dict[str, list[dict]] = {}
        for kind, run in groupby(facts, key=itemgetter("kind")):  # (a kind's facts mostly one run: C loops)
            self.by_kind.setdefault(kind, []).extend(run)
        self.limit = limit or SESSION_FACTS
        self._projected: dict[tuple[str, tuple[str, ...]], list[dict]] = {}
        self._shadows: dict[tuple[str, tuple[str, ...]], tuple[list[dict], dict[str, tuple[str, ...]]]] = {}
        self._index: dict[tuple[str, str], tuple[dict, list[dict]]] = {}  # value key -> a fact, or a list
        self._groupings: dict[tuple[str, tuple[str, ...]], list[tuple[dict, tuple[str, ...]]]] = {}
        self._columns: dict[tuple[str, str], Any] = {}  # codes per (kind, path); ids per kind
        self._interned: dict[str, dict[tuple, tuple]] = {}  # per kind: the groups' members, shared (``_grouping``)
        self._partitions: dict[str, dict[bytes | None, list]] = {}  # per kind, by the codes: the groups (``_grouping``)
        # the last feed that reads a (cache, key) -> those keys (``expect``, ``release``)
        self._by_last: dict[int, list[tuple[str, tuple]]] = {}
        self._planned = 0  # the feeds planned so far (``sessions``)

    def expect(self, feeds: list[Feed]) -> None:
        """Say which feeds will be planned, in order: ``release(i)`` then drops what no later feed reads."""
        last = {use: i for i, feed in enumerate(feeds) for use in _uses(feed)}
        self._by_last, self._planned = {}, 0
        for use, i in last.items():
            self._by_last.setdefault(i, []).append(use)

    def release(self, done: int) -> None:
        """Forget the projections, shadows, groupings, columns and indexes no feed after ``done`` reads."""
        for i in [i for i in self._by_last if i <= done]:
            for cache, key in self._by_last.pop(i):
                getattr(self, cache).pop(key, None)
        grouped = {kind for kind, _ in self._groupings}
        self._interned = {kind: tuples for kind, tuples in self._interned.items() if kind in grouped}
        live = {id(groups) for groups in self._groupings.values()}  # (a partition no grouping holds: let go)
        self._partitions = {kind: {k: g for k, g in made.items() if id(g) in live} for kind, made in
                            self._partitions.items()}

    def _settle(self, done: int) -> None:
        """Forget the columns no feed after ``done`` reads once its groupings are made (only they read columns)."""
        for key in [k for i, uses in self._by_last.items() if i <= done for c, k in uses if c == "_columns"]:
            self._columns.pop(key, None)

    def projected(self, kind: str, fields: tuple[str, ...] | None) -> list[dict]:
        """The facts of ``kind`` with only ``fields`` (and id, kind); all of them for None (the feed says not)."""
        if fields is None:
            return self.by_kind.get(kind, [])
        key = (kind, fields)
        if key not in self._projected:
            self._projected[key] = _project(self.by_kind.get(kind, ()), fields)
        return self._projected[key]

    def shadows(self, name: str, kind: str, fields: tuple[str, ...]) -> list[dict]:
        """The distinct projections of ``kind`` on ``fields`` (see ``_distinct``)."""
        return self._groups(name, kind, fields)[0]

    def _groups(self, name: str, kind: str, fields: tuple[str, ...]) -> tuple[list[dict], dict]:
        """The shadow facts named ``name`` and the members of each (see ``_distinct``), grouped once per kind."""
        key = (name, fields)  # the name carries the kind, and whether it is a subject's groups
        if key not in self._shadows:
            plan = _plan(fields)
            shadows, members = [], {}
            for first, group in self._grouping(kind, fields):
                shadow = dict(project(first, fields, plan))
                del shadow["id"], shadow["kind"]
                sid = f"{name}{SHADOW}{first['id']}"
                shadows.append({"kind": name, **shadow, "id": sid})
                members[sid] = group
            self._shadows[key] = (shadows, members)
        return self._shadows[key]

    def _grouping(self, kind: str, fields: tuple[str, ...]) -> list[tuple[dict, tuple[str, ...]]]:
        """The facts of ``kind`` grouped by their projection on ``fields``: (first fact, the members' ids), in
        the order groups first appear.  Made from each path's codes (``column_codes``: no tuple per fact); a
        group with the same members as one made before for this kind shares its tuple (``_interned``)."""
        key = (kind, fields)
        if key not in self._groupings:
            code = combined([c for c in (self._column(kind, spec) for spec in fields) if c is not None])
            partitions, same = self._partitions.setdefault(kind, {}), None if code is None else code.tobytes()
            if same not in partitions:  # (the same codes: the same groups, made once)
                partitions[same] = self._grouped(kind, code)
            self._groupings[key] = partitions[same]
        return self._groupings[key]

    def _grouped(self, kind: str, code: array | None) -> list[tuple[dict, tuple[str, ...]]]:
        """The facts of ``kind`` grouped by ``code`` (None: one group), as ``_grouping`` gives them."""
        facts, ids = self.by_kind.get(kind, []), self._ids(kind)
        groups: dict = {0: ids} if facts and code is None else defaultdict(list)
        if code is not None:  # the members by id, gathered by C loops (no Python step per fact)
            deque(map(list.append, map(groups.__getitem__, code), ids), maxlen=0)
        interned = self._interned.setdefault(kind, {})
        return [(facts[i], interned.setdefault(t, t)) for i, t in ((i, tuple(m)) for i, m in groups.items())]

    def _ids(self, kind: str) -> list[str]:
        """The ids of the facts of ``kind`` as text, in order (computed once per kind)."""
        key = (kind, "#id")
        if key not in self._columns:
            self._columns[key] = list(map(str, map(itemgetter("id"), self.by_kind.get(kind, ()))))
        return self._columns[key]

    def _column(self, kind: str, spec: str) -> array | None:
        """Each fact of ``kind`` coded by what it holds at one path (``column_codes``); None when all hold the same."""
        key = (kind, spec)
        if key not in self._columns:
            self._columns[key] = column_codes(self.by_kind.get(kind, ()), spec)
        return self._columns[key]

    def sessions(self, feed: Feed) -> Iterator[Session]:
        """The sessions of one ruleset: each is given the facts the feed names (see the module)."""
        fields: dict[str, tuple[str, ...] | None] = dict.fromkeys(feed.kinds)
        fields.update(feed.fields)
        shadows = {name: (kind, f) for name, kind, f in feed.shadows}
        filtered = dict(feed.filters)
        whole = self._whole(feed, fields, shadows, filtered)
        self._planned += 1
        self._settle(self._planned - 1)  # memory: the columns are let go while the sessions run
        split, key = self._split(feed, {k: len(v) for k, v in whole.items()
                                        if k not in filtered and (k in feed.groups or k not in shadows)})
        lists = {k: v for k, v in whole.items() if k not in split and k not in filtered}
        filtered = {k: alts for k, alts in filtered.items() if k in shadows or k in whole}
        readers = _readers(feed, split)
        later, room = _first_only(feed, lists, split, readers, self.limit)
        members = {n: self._groups(n, *shadows[n])[1] for n in feed.groups if n in whole}
        for i, part in enumerate(self._parts([whole[k] for k in sorted(split)], key, room)):
            given, groups = self._given(part, lists, filtered, shadows, fields)
            back = _back(shadows, feed.groups, {**members, **groups}, {**lists, **given})
            for piece, only in self._pieces(feed, given, shadows):
                keep = _keep(None if i == 0 else readers, only)
                yield Session(list(_merge([*(lists.values() if i == 0 else later), *piece.values(), part])), back, keep)

    def _pieces(self, feed: Feed, given: dict[str, list[dict]], shadows: dict
                ) -> list[tuple[dict[str, list[dict]], frozenset[str] | None]]:
        """A filtered kind too large for a session that every branch reads at most once, not negated, in
        chunks, each with the branches that count in it (after the first: the readers of the kind)."""
        large = [k for k, v in given.items() if k not in shadows and len(v) > self.limit
                 and all(_splittable(read, {k}) for _, read in feed.reads)]
        if not large:
            return [(given, None)]
        kind = max(large, key=lambda k: (len(given[k]), k))
        readers = _readers(feed, {kind})
        return [({**given, kind: chunk}, None if j == 0 else readers)
                for j, chunk in enumerate(_chunks(given[kind], self.limit))]

    def _whole(self, feed: Feed, fields: dict, shadows: dict, filtered: dict) -> dict[str, list[dict]]:
        """Every kind and shadow the ruleset reads before any split (a filtered kind: projected per session)."""
        whole = {k: self.by_kind[k] if k in filtered else self.projected(k, fields.get(k)) for k in sorted(feed.kinds)
                 if self.by_kind.get(k)}
        for kind in sorted({kind for n, (kind, _) in shadows.items() if n not in filtered}):  # columns read at once
            specs = sorted({s for n, (k, f) in shadows.items() if k == kind and n not in filtered for s in f
                            if "." not in spec_path(s) and (kind, s) not in self._columns})
            if len(specs) > 1 and len(self.by_kind.get(kind, ())) > self.limit:
                self._columns.update(zip([(kind, s) for s in specs], columns_codes(self.by_kind[kind], specs),
                                         strict=True))
        whole.update({n: self.shadows(n, kind, f) for n, (kind, f) in shadows.items() if n not in filtered})
        return whole

    def _parts(self, lists: list[list[dict]], key: str | None, room: int) -> list[list[dict]]:
        """The split kinds' facts in as few chunks of at most ``limit`` as they need, of even sizes (memory: the
        engine holds ~10 kB a fact), the first of at most ``room``; one empty part when none is split."""
        whole = list(_merge(lists))
        if key:
            return list(_keyed_chunks(whole, key, self.limit)) or [[]]
        head: list[list[dict]] = []
        if room < min(self.limit, len(whole)):  # the first part leaves room for what only it is given
            head, whole = [whole[:max(0, room)]], whole[max(0, room):]
        return head + list(_chunks(whole, -(-len(whole) // -(-len(whole) // self.limit)) if whole else 1)) or [[]]

    def _given(self, part: list[dict], lists: dict[str, list[dict]], filters: dict, shadows: dict,
               fields: dict) -> tuple[dict[str, list[dict]], dict[str, dict]]:
        """The filtered kinds (shadow or not) as a session is given them by its part; their shadows' groups."""
        chunk: dict[str, list[dict]] = {}
        for fact in part:
            chunk.setdefault(fact["kind"], []).append(fact)
        refs, out, groups = {**lists, **chunk}, {}, {}
        for name, alternatives in filters.items():
            if name in shadows:
                kind, f = shadows[name]
                out[name], groups[name] = _distinct(self._filtered(kind, alternatives, refs), name, f)
            else:
                out[name] = _project(self._filtered(name, alternatives, refs), fields.get(name))
        return out, groups

    def _filtered(self, kind: str, alternatives: tuple[tuple[str, str, str], ...],
                  refs: dict[str, list[dict]]) -> list[dict]:
        """The facts of ``kind`` that can equal, on an alternative's field, a value the session's references hold."""
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
                hit = index.get(value)
                for fact in hit if type(hit) is list else (hit,) if hit is not None else ():
                    chosen[id(fact)] = fact
        return sorted(chosen.values(), key=_id)

    def _index_of(self, kind: str, path: str) -> tuple[dict, list[dict]]:
        """The facts of ``kind`` by every value key of their field (``_keys``); those it cannot place (given)."""
        key = (kind, path)
        if key not in self._index:
            index: dict = {}
            loose: list[dict] = []
            for fact in self.by_kind.get(kind, ()):
                value = _dotted(fact, path)
                if value is MISSING:
                    continue  # a field that is not given equals nothing
                keys = _keys(value)
                if keys is None:
                    loose.append(fact)
                    continue
                for k in keys:  # one fact as itself, several as a list (most values are one fact's)
                    hit = index.setdefault(k, fact)
                    if hit is not fact:
                        if type(hit) is list:
                            hit.append(fact)
                        else:
                            index[k] = [hit, fact]
            self._index[key] = (index, loose)
        return self._index[key]

    def _split(self, feed: Feed, counts: dict[str, int]) -> tuple[set[str], str | None]:
        """The kinds (or subject groups) to partition: large ones no branch reads twice, or negated, or
        with another split kind; a kind given through a filter is filtered instead.  When the largest
        kind is read twice by some branch, it is split alone by a field every such branch equates
        (``Feed.keys``): the facts sharing a value stay in one session.  Returns the kinds and that
        field (or None)."""
        if sum(counts.values()) <= self.limit:
            return set(), None
        split: set[str] = set()
        for kind in sorted(counts, key=lambda k: (-counts[k], k)):
            if counts[kind] <= self.limit // 4:
                break
            if all(_splittable(read, split | {kind}) for _, read in feed.reads):
                split.add(kind)
            elif not split and kind not in feed.groups:
                key = _split_key(feed, kind)
                if key:
                    return {kind}, key
        return split, None


def _uses(feed: Feed) -> set[tuple[str, tuple]]:
    """The cache entries of a ``Planner`` that planning ``feed`` may read (as ``Planner.sessions`` does)."""
    fields, filters = dict(feed.fields), dict(feed.filters)
    shadows = {name: (kind, f) for name, kind, f in feed.shadows}
    uses: set[tuple[str, tuple]] = {("_projected", (k, fields[k])) for k in feed.kinds
                                    if fields.get(k) is not None and k not in filters}
    for name, (kind, f) in shadows.items():
        if name not in filters:
            uses |= {("_shadows", (name, f)), ("_groupings", (kind, f))}
            uses |= {("_columns", (kind, c)) for c in (*f, "#id")}
    for name, alternatives in filters.items():
        uses |= {("_index", (shadows[name][0] if name in shadows else name, path)) for path, _, _ in alternatives}
    return uses


def _back(shadows: dict, groups: frozenset[str], members: dict[str, dict], given: dict[str, list[dict]]
          ) -> dict[str, str | tuple[str, ...]]:
    """What a session's shadow facts stand for: a subject group's, every member; another's, its first fact."""
    back: dict[str, str | tuple[str, ...]] = {}
    for name in shadows:
        if name in groups:
            back.update(members.get(name) or {})
        else:
            back.update((s["id"], s["id"].rsplit(SHADOW, 1)[1]) for s in given.get(name, ()))
    return back


def _first_only(feed: Feed, lists: dict[str, list[dict]], split: set[str], readers: frozenset[str], limit: int
                ) -> tuple[list[list[dict]], int]:
    """The kinds given to every part, and the room left in the first: a kind only branches reading no split kind
    read counts in the first part only, so only it is given it, with as many fewer split facts (memory)."""
    once = {k for k in lists if split and not readers & _readers(feed, {k})}
    return [v for k, v in lists.items() if k not in once], limit - sum(len(lists[k]) for k in once)


def _readers(feed: Feed, kinds: set[str]) -> frozenset[str]:
    return frozenset(name for name, read in feed.reads if any(k.lstrip("!") in kinds for k in read))


def _keep(parts: frozenset[str] | None, pieces: frozenset[str] | None) -> frozenset[str] | None:
    """The branches whose firings count in a session: its part's and its piece's (None: all)."""
    return pieces if parts is None else parts if pieces is None else parts & pieces


def _split_key(feed: Feed, kind: str) -> str | None:
    """A field ``kind`` can be split by: one that every branch reading it twice equates with the
    subject's, when no branch reads it together with another kind's facts twice."""
    twice = {name for name, read in feed.reads if sum(1 for k in read if k.lstrip("!") == kind) > 1}
    common: set[str] | None = None
    for name, k, fields in feed.keys:
        if k == kind and name in twice:
            common = set(fields) if common is None else common & set(fields)
            twice.discard(name)
    if twice or not common:
        return None
    return min(common)
