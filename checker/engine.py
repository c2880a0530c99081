"""The only module that imports durable-rules.  It drives the engine synchronously and guards
against every defect of release 2.0.28 measured in ``shared/notes/durable-rules.md``:

1. Background timer threads: the stock ``Host`` re-arms timers that dispatch actions on other
   threads, where findings get lost.  ``_SyncHost`` starts none; actions run on the caller's thread.
2. Floats such as ``1e-07`` (exponent without a fraction, as ``json`` writes them) make the engine
   silently drop that fact and every later one while reporting success.  Facts are serialised here
   with every float written positionally (``0.0000001``); non-finite numbers are refused.
3. Fact identity is a 32-bit FNV-1 hash of the ``id``: colliding ids are merged silently.  Engine
   ids are checked for hash collisions before assertion and re-spelled when two collide.
4. More than 254 properties in one fact (nested object keys count, array items do not) crash the
   process.  Facts over ``MAX_FACT_PROPERTIES`` are refused with an ``EngineError``.
5. ``delete_state`` on a session that never ran an action crashes: every ruleset has an action on
   the end-of-evidence sentinel, and the adapter checks it ran before deleting the session.
6. A batch with a fact no rule handles raises before running actions, losing them; a fact that is
   not handled is not stored.  Every ruleset has a never-firing join whose first pattern accepts
   every fact, and the adapter checks that the engine stored every fact it was given.
7. ``Ruleset()`` mutates the definition it gets (deep copies are passed); a ruleset name cannot be
   registered twice on a host (each compiled ruleset is registered once per process and its name
   carries its content hash); at most 1,024 live sessions per ruleset (each bundle gets a fresh
   session id and its state is deleted after use).
8. A cross-fact reference to a field the referenced fact lacks makes the engine reject the whole
   batch (error 311): the compiler guards such fields with ``$ex``; if it happens anyway it is an
   ``EngineError``, never a silent pass.
9. Cross-fact predicates are evaluated by ``reduceExpressionSequence``, which reads past the end of
   its array when a group's last predicate short-circuits it (a crash that depends on the heap),
   and stops a group after any nested group (later predicates are skipped: a wrong match).
   ``checker.hardening.harden`` reorders every pattern of every registered ruleset so neither can happen, and refuses
   cross-fact predicates under ``$or``, which the engine evaluates regardless of the other branch.

What each session is given - only the kinds and fields its rules read, existence questions as
distinct projections, sessions of bounded size - is planned by ``checker.feed``; the actions of a
session are drained here with the engine's own calls (``_assert``), not through its closures.

After each evaluation the adapter verifies that every fact was taken, the sentinel's action ran
exactly once, and the session was deleted.  Anything else raises ``EngineError``.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import re
import threading
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import durable_rules_engine  # type: ignore[import-not-found]  # a C extension without stubs
from durable import engine as _durable

from .allocator import shifted, trim
from .enginejson import dumps, dumps_all
from .errors import EngineError
from .feed import Feed, Planner, Session
from .hardening import UnsafeShape, harden_ruleset

MAX_FACT_PROPERTIES = 250  # the engine crashes at 255 (sid, id and kind included)
# facts in one evaluation from which each ruleset is deleted once its sessions are done and created again when
# next needed (memory: the engine's rulesets of one pack hold ~30 MB; creating them all takes ~0.1 s)
LEAN_FROM = 20_000
REGISTER_ATTEMPTS = 6  # a ruleset the engine refuses is created again, this many times in all (Engine._register)
END_ACTION = "__end__"
KEEP_ACTION = "__keep__"
END_ID = "end"

_FNV_OFFSET = 0x811C9DC5
_FNV_PRIME = 0x01000193


@functools.lru_cache(maxsize=1 << 14)  # shadow and re-spelled ids (facts' own: ``_engine_ids``)
def engine_id_hash(text: str) -> int:
    """The engine's fact-identity hash, as its C code computes it over the id's bytes.

    The C function is called ``fnv1Hash32`` but xors before it multiplies (FNV-1a order), over
    ``char`` values, which are signed on the platforms we run on: bytes >= 0x80 are sign-extended.
    """
    cut = text.rfind("~") + 1  # a shadow's id is its kind's long name, then the short id of the fact it stands for
    return _fnv(_fnv_prefix(text[:cut]) if cut else _FNV_OFFSET, text[cut:].encode("utf-8"))


@functools.lru_cache(maxsize=1 << 10)
def _fnv_prefix(prefix: str) -> int:
    """The hash state after ``prefix`` (FNV is computed byte after byte: a shared prefix is hashed once)."""
    return _fnv(_FNV_OFFSET, prefix.encode("utf-8"))


def _fnv(h: int, data: bytes) -> int:
    for byte in data:
        h ^= byte if byte < 0x80 else (byte - 0x100) & 0xFFFFFFFF
        h = (h * _FNV_PRIME) & 0xFFFFFFFF
    return h


def count_properties(value: Any) -> int:
    """Properties as the engine counts them: every object key, nested objects included."""
    if not isinstance(value, dict):
        return 0
    n = len(value)
    for v in value.values():  # a call only for a nested object: most facts are flat
        if isinstance(v, dict):
            n += count_properties(v)
    return n


class _SyncHost(_durable.Host):
    """A host that starts no timer threads; actions record what fired into ``sink``."""

    def __init__(self):
        self.sink: list[tuple[str, dict[str, str]]] | None = None
        super().__init__()

    def _run(self):  # the stock host starts self-re-arming dispatch timers here
        return None

    def unregister(self, name: str) -> None:
        """Delete a ruleset no session is using: the engine frees it, the name may be registered again."""
        ruleset = self._ruleset_directory.pop(name)
        self._ruleset_list.remove(ruleset)
        durable_rules_engine.delete_ruleset(ruleset._handle)

    def get_action(self, action_name):
        def record(c):
            if self.sink is None:
                raise RuntimeError("engine action outside an evaluation")
            matched = {alias: fact.get("id") for alias, fact in (c._m or {}).items() if isinstance(fact, dict)}
            self.sink.append((action_name, matched))
        return record


class Firing(NamedTuple):
    """One action of the engine: the engine rule (branch) that fired and the facts it matched.  A fact
    given as the shadow of a subject group (``checker.feed``) is named by the tuple of its members'
    ids: the firing stands for each of them (``expand``), and is kept once, not once per member."""

    branch: str
    facts: tuple[tuple[str, str | tuple[str, ...]], ...]  # (alias, fact id, or the ids of a group)

    def fact(self, alias: str) -> str | tuple[str, ...] | None:
        return next((fid for name, fid in self.facts if name == alias), None)

    def groups(self) -> int:
        return sum(isinstance(fid, tuple) for _, fid in self.facts)

    def member(self, sid: str) -> Firing:
        """The firing as the subject ``sid`` of the group it names would have had it (``expand``)."""
        if not isinstance(self.fact("s"), tuple):
            return self
        return Firing(self.branch, tuple((a, sid if a == "s" else fid) for a, fid in self.facts))

    def expand(self) -> Iterator[Firing]:
        """The firing once per member of its group (itself when it names none)."""
        group = next((i for i, (_, fid) in enumerate(self.facts) if isinstance(fid, tuple)), None)
        if group is None:
            yield self
            return
        facts = list(self.facts)
        alias, members = facts[group]
        for member in members:
            facts[group] = (alias, member)
            yield Firing(self.branch, tuple(facts))


@dataclass
class Evaluation:
    firings: list[Firing] = field(default_factory=list)
    facts_asserted: int = 0
    actions: int = 0
    rulesets: int = 0
    sessions: int = 0

    def expanded(self) -> list[Firing]:
        """Every firing once per member of the group it names (as the engine would have fired them one
        by one had each member been given on its own)."""
        return [one for firing in self.firings for one in firing.expand()]


class Engine:
    """One per process: rulesets are registered once and each evaluation is an isolated session."""

    def __init__(self):
        self._host = _SyncHost()
        self._registered: set[str] = set()
        self._aliases: dict[str, frozenset[str]] = {}  # engine rule -> the aliases its actions carry
        self._sessions = itertools.count(1)
        self._lock = threading.Lock()
        self._hashes = array("I")  # per evaluation (``_evaluate``)

    def _register(self, name: str, definition: dict) -> None:
        if name in self._registered:
            return
        for attempt in range(1, REGISTER_ATTEMPTS + 1):
            try:
                hardened = harden_ruleset(definition)  # a new structure each time: durable pops what it reads
            except UnsafeShape as exc:
                raise EngineError(f"ruleset {name} has an unsafe pattern: {exc}") from None
            # durable-rules 2.0.28 now and then refuses a valid definition ("Could not create ruleset, error
            # code: 102", about one check in ten under load, byte-identical text to the runs that pass; created
            # again in the same process it is mostly accepted, though once in CI three tries in a row failed):
            # a refused create registers nothing, so it is tried again, the C heap shifted a little more each time
            try:
                with shifted(attempt - 1):
                    self._host.register_rulesets({name: hardened})
                break
            except Exception as exc:  # the engine reports creation errors as bare exceptions with a code
                if attempt == REGISTER_ATTEMPTS:
                    raise EngineError(f"the engine refused ruleset {name} {attempt} times: {exc}") from None
        self._registered.add(name)
        for rule_name, rule in definition.items():
            named = frozenset(a for pattern in rule.get("all", ()) for a in pattern if not a.endswith("$not"))
            if self._aliases.setdefault(rule_name, named) != named:
                self._aliases[rule_name] = frozenset({"\0"})  # two rulesets, one name: always parse in full

    def _unregister(self, name: str) -> None:
        self._registered.discard(name)  # (registered again when next needed, whatever happens below)
        try:
            self._host.unregister(name)
        except Exception as exc:  # the engine reports its errors as bare exceptions
            raise EngineError(f"the engine could not delete ruleset {name}: {exc}") from None

    def evaluate(self, rulesets: Iterable[tuple[str, dict, Feed | set[str]]], facts: list[dict]) -> Evaluation:
        """Assert ``facts`` (dicts with ``id`` and ``kind``) into each ruleset and collect firings.

        ``rulesets`` yields ``(name, definition, feed)``: each ruleset is given only what its feed
        says it reads (``checker.feed``: kinds, shadow facts, sessions of bounded size), then the
        end-of-evidence sentinel.  A plain set of kinds is a feed of those kinds.
        """
        with self._lock:
            return self._evaluate(list(rulesets), facts)

    def _evaluate(self, rulesets: list[tuple[str, dict, Feed | set[str]]], facts: list[dict]) -> Evaluation:
        result = Evaluation()
        planner = Planner(facts)
        feeds = [feed if isinstance(feed, Feed) else Feed(kinds=frozenset(feed)) for _, _, feed in rulesets]
        planner.expect(feeds)  # what each ruleset's sessions are given is dropped after the last that reads it
        self._hashes = array("I")  # the hashes of the facts' ids (``_engine_ids``)
        lean = len(facts) >= LEAN_FROM
        for i, (name, definition, _) in enumerate(rulesets):
            self._register(name, definition)
            for session in planner.sessions(feeds[i]):
                result.firings.extend(self._run(name, session, result))
                result.facts_asserted += len(session.facts) + 1
                result.sessions += 1
            result.rulesets += 1
            planner.release(i)
            if lean:  # a large evaluation: one ruleset in the engine at a time
                self._unregister(name)
        if lean:
            trim()
        return result

    def _run(self, name: str, session: Session, result: Evaluation) -> list[Firing]:
        """Assert the session's facts and the sentinel into a fresh session of one ruleset; the firings,
        with the facts' own ids (a shadow fact's: the fact it stands for).  Checks that every fact was
        kept and the sentinel's action ran once."""
        selected = session.facts
        for fact in selected:  # as given to the engine (projected, shadows: far fewer than the facts)
            _check_size(fact)
        sid = f"{os.getpid()}-{next(self._sessions)}"
        engine_ids = _engine_ids([str(f["id"]) for f in selected], self._hashes)
        back: dict[str, str | tuple[str, ...]] = {eid: session.back.get(str(f["id"]), str(f["id"]))
                                                  for eid, f in zip(engine_ids, selected, strict=True)}
        payload = dumps_all([  # the id first: actions read it back from the echoed facts (_matched)
            {"id": eid, "sid": sid, **{k: v for k, v in f.items() if k != "id"}}
            for f, eid in zip(selected, engine_ids, strict=True)])
        sentinel = dumps([{"id": END_ID, "sid": sid, "kind": "__end__"}])
        ruleset = self._host.get_ruleset(name)
        sink, stored = self._session(ruleset, name, sid, payload if selected else None, sentinel)
        ends = sum(1 for action, _ in sink if action == END_ACTION)
        if ends != 1:
            raise EngineError(f"the end-of-evidence action ran {ends} times in {name}; results are incomplete")
        if len(stored) != len(selected) + 1:
            raise EngineError(f"the engine kept {len(stored)} of {len(selected) + 1} facts in {name}")
        try:
            ruleset.delete_state(sid)
        except Exception as exc:
            raise EngineError(f"the engine could not close session {sid}: {exc}") from None
        result.actions += len(sink)
        return _firings(sink, back, session.keep)

    def _session(self, ruleset: Any, name: str, sid: str, payload: str | None, sentinel: str) -> tuple[list, list]:
        """Assert the payload (if any) then the sentinel; what the actions recorded, and the facts stored."""
        sink: list = []
        self._host.sink = sink
        try:
            if payload is not None:
                self._assert(ruleset, payload)
            self._assert(ruleset, sentinel)
            stored = ruleset.get_facts(sid)
        except EngineError:
            raise
        except Exception as exc:
            raise EngineError(f"the engine failed while evaluating {name}: {exc}") from None
        finally:
            self._host.sink = None
        return sink, stored

    def _assert(self, ruleset, payload: str) -> None:
        """Assert a batch, then run the actions it made ready, one by one, on this thread.

        The stock ``do_actions`` wraps each action in a closure with its own copies of the session
        state and the matched facts and timers for leases; our actions only record which facts
        matched, so the loop is driven here with the engine's own calls, in the same order: start
        an action, record it, hand the (unchanged) state back, complete it and start the next."""
        handle = ruleset._handle_result(durable_rules_engine.assert_facts(ruleset._handle, payload), None)
        sink = self._host.sink
        if sink is None:
            raise EngineError("engine action outside an evaluation")
        started = durable_rules_engine.start_action_for_state(ruleset._handle, handle)
        if not started:
            return
        message = started[1]  # started[0] is the session's state: our actions never change it, so it is not
        while message:        # handed back (update_state) after each one
            try:
                sink.append(_matched(message, self._aliases))
                message = durable_rules_engine.complete_and_start_action(ruleset._handle, handle)
            except Exception as exc:
                durable_rules_engine.abandon_action(ruleset._handle, handle)
                raise EngineError(f"an action failed inside the engine: {exc}") from None


_ACTION = re.compile(r'^\{"((?:[^"\\]|\\.)*)":\{')
_MATCHED = re.compile(r'"(b|s|e|k|n|p[0-9]+)":\{"id":"((?:[^"\\]|\\.)*)"')


def _matched(message: str, aliases: dict[str, frozenset[str]]) -> tuple[str, dict[str, str]]:
    """The action and the ids of the facts it matched, from the engine's message
    ``{"<action>":{"<alias>":{"id":"…",…},…}}``.  The facts were asserted with their id first, so each
    alias is followed by it.  Unless exactly the action's own aliases are found, once each, and no
    character is escaped (a fact's content could then look like an alias), the message is parsed in
    full instead."""
    head = _ACTION.match(message)
    if head is not None and "\\" not in message:
        action = head.group(1)
        expected = aliases.get(action, ())
        found = _MATCHED.findall(message, head.end())
        if len(found) == len(expected):
            ids = dict(found)
            if ids.keys() == expected:
                return action, ids
    action, matched = next(iter(json.loads(message).items()))
    return action, {alias: str(fact.get("id")) for alias, fact in (matched or {}).items() if isinstance(fact, dict)}


def _firings(sink: list, back: dict[str, str | tuple[str, ...]], keep: frozenset[str] | None) -> list[Firing]:
    """The recorded actions as firings, with the facts' own ids (a group's shadow: ``Firing.expand``)."""
    out = []
    for action, matched in sink:
        if action in (END_ACTION, KEEP_ACTION) or (keep is not None and action not in keep):
            continue
        out.append(Firing(action, tuple(sorted((alias, back[eid]) for alias, eid in matched.items() if eid in back))))
    return out


def _check_size(fact: dict) -> None:
    n = count_properties(fact) + 2  # sid and id are added by the adapter
    if n > MAX_FACT_PROPERTIES:
        raise EngineError(f"fact {fact.get('id')} of kind {fact.get('kind')} has {n} properties; the engine "
                          f"crashes past 254, so at most {MAX_FACT_PROPERTIES} are allowed "
                          "(mark large arrays of objects as x-records in the schema)")


def _engine_ids(ids: list[str], known: array | None = None) -> list[str]:
    """Engine ids for the given fact ids, re-spelled where two would share an identity hash.  ``known``:
    the hashes of the numeric ids (a fact's own) met so far in one evaluation, by number (0: not yet),
    four bytes each instead of an entry of ``engine_id_hash``'s cache."""
    seen: set[int] = {engine_id_hash(END_ID)}
    out = []
    for fid in ids:
        n = int(fid) if known is not None and fid.isascii() and fid.isdigit() and fid[0] != "0" and len(fid) < 7 else -1
        if n < 0:
            h = engine_id_hash(fid)
        else:
            assert known is not None  # n >= 0 only with a table
            if n >= len(known):
                known.frombytes(bytes(known.itemsize * (n + 1024 - len(known))))
            h = known[n] or engine_id_hash.__wrapped__(fid)
            known[n] = h
        eid = fid
        while h in seen:
            eid += "~"
            h = engine_id_hash(eid)
        seen.add(h)
        out.append(eid)
    return out


@functools.cache
def shared_engine() -> Engine:
    """The process's one engine (rulesets are registered once per process)."""
    return Engine()
