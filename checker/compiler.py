"""Compile a rule pack into durable-rules rulesets.

Each YAML rule becomes several engine rules ("branches"), all evaluated by the engine:

* ``pass``  – the subject satisfies ``where`` and ``expect``;
* ``fail``  – one branch per way ``expect`` can fail: the single-fact part fails, a field a join
  refers to is missing, or a join's partner is absent (``exists``) / present (``not_exists``);
* ``skip``  – the subject does not satisfy ``where`` (the rule does not apply to it);
* ``none``  – there is no subject at all (anchored on the end-of-evidence sentinel).

Shapes are kept to those pinned by the engine tests: every pattern is an ``$and`` whose first
test is the fact kind, every cross-fact reference is to an earlier alias whose referenced field
is guarded with ``$ex`` (a reference to a missing field makes the engine reject the batch), and
every negated pattern is anchored on the sentinel, which is asserted last.

Aliases: ``b`` bundle fact, ``s`` subject, ``e`` sentinel, ``p0``, ``p1`` … join partners.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from .conditions import AND, OR, Context, anchor_name, compile_condition, engine_field, ex, nex
from .engine import harden
from .feed import END_KIND, Feed
from .packmodel import BUNDLE_KIND, Pack, Resolver, Rule, kind_resolver
from .schemas import SchemaSet
from .shaping import shape_branch

MAX_ENGINE_RULES_PER_RULESET = 120  # creation slows sharply past a few hundred rules per ruleset

END_ACTION = "__end__"
KEEP_ACTION = "__keep__"
NEVER_KIND = "__never__"


@dataclass(frozen=True)
class Branch:
    name: str
    rule: str
    outcome: str  # pass | fail | skip | none
    detail: str  # which part of the rule: "expect", "join 0: missing reference", "join 0: no partner" …


@dataclass
class CompiledRuleset:
    name: str
    definition: dict
    feed: Feed  # what the ruleset reads (checker.feed)


@dataclass
class CompiledPack:
    pack: Pack
    rulesets: list[CompiledRuleset]
    branches: dict[str, Branch]
    anchors: set[tuple[str, int]]
    digest: str
    subject_kinds: dict[str, str] = field(default_factory=dict)  # rule id -> subject kind


def _resolver(schemas: SchemaSet, pack: Pack, kind: str) -> Resolver:
    return kind_resolver(schemas, kind, pack.aggregates, pack.derived)


def _split_expect(expect: dict) -> tuple[list[dict], list[tuple[str, dict]]]:
    """Top-level single-fact conditions and joins of ``expect``."""
    items = expect.get("all", [expect])
    leaves, joins = [], []
    for c in items:
        j = next((k for k in ("exists", "not_exists") if k in c), None)
        if j:
            joins.append((j, c[j]))
        else:
            leaves.append(c)
    return leaves, joins


class _Branches:
    """The engine rules of one YAML rule, as they are added: every pattern list starts with the bundle
    pattern when anchors are read from the bundle fact."""

    def __init__(self, rule_id: str, kind: str, ctx: Context):
        anchor_fields = sorted({anchor_name(a, m) for a, m in ctx.anchors})
        uses_bundle = bool(ctx.anchors) and ctx.anchor_alias == "b"
        self.rule_id = rule_id
        self.kind = kind
        self.head = [{"b": AND({"kind": BUNDLE_KIND}, *[ex(f) for f in anchor_fields])}] if uses_bundle else []
        self.guards = [ex(f) for f in anchor_fields] if ctx.anchor_alias == "s" else []
        self.sentinel = {"e": {"kind": END_KIND}}
        self.out: list[tuple[Branch, dict]] = []

    def subject(self, *extra: dict | None) -> dict:
        return {"s": AND({"kind": self.kind}, *self.guards, *[x for x in extra if x is not None])}

    def add(self, outcome: str, detail: str, patterns: list) -> None:
        name = f"{self.rule_id}|{outcome}|{len(self.out)}"
        safe = [{alias: harden(expr)} for pattern in [*self.head, *patterns] for alias, expr in pattern.items()]
        self.out.append((Branch(name, self.rule_id, outcome, detail), {"all": safe}))


# A compiled join: (index, exists | not_exists, partner pattern, subject fields it refers to).
_Join = tuple[int, str, dict, list[str]]


def _compile_join(i: int, jtype: str, join: dict, schemas: SchemaSet, pack: Pack, ctx: Context) -> _Join:
    jctx = Context(anchor_alias=ctx.anchor_alias)
    pkind = join["kind"]
    parts = [{"kind": pkind}]
    for their, ours in (join.get("match") or {}).items():
        parts.append({engine_field(their): {"s": engine_field(ours)}})
        jctx.subject_refs.add(engine_field(ours))
    if join.get("where"):
        holds, _ = compile_condition(join["where"], _resolver(schemas, pack, pkind), jctx)
        parts.append(holds)
    ctx.anchors |= jctx.anchors
    return i, jtype, AND(*parts), sorted(jctx.subject_refs)


def _add_pass(b: _Branches, w_holds: dict | None, e_holds: dict | None, joins: list[_Join]) -> None:
    """pass: subject ∧ where ∧ expect-leaves ∧ every join holds."""
    all_refs = sorted({r for _, _, _, refs in joins for r in refs})
    patterns = [b.subject(w_holds, e_holds, *[ex(r) for r in all_refs])]
    if any(jtype == "not_exists" for _, jtype, _, _ in joins):
        patterns.append(b.sentinel)
    for i, jtype, partner, _ in joins:
        patterns.append({f"p{i}" if jtype == "exists" else f"p{i}$not": partner})
    b.add("pass", "expect", patterns)


def _add_fails(b: _Branches, w_holds: dict | None, e_fails: dict | None, joins: list[_Join]) -> None:
    """One fail branch per way expect can fail."""
    if e_fails is not None:
        b.add("fail", "expect", [b.subject(w_holds, e_fails)])
    for i, jtype, partner, refs in joins:
        if refs:
            b.add("fail", f"join {i}: missing reference", [b.subject(w_holds, OR(*[nex(r) for r in refs]))])
        guarded = b.subject(w_holds, *[ex(r) for r in refs])
        if jtype == "exists":
            b.add("fail", f"join {i}: no partner", [guarded, b.sentinel, {f"p{i}$not": partner}])
        else:
            b.add("fail", f"join {i}: partner present", [guarded, {f"p{i}": partner}])


def compile_rule(rule: Rule, schemas: SchemaSet, pack: Pack) -> tuple[list[tuple[Branch, dict]], set]:
    kind = rule.for_each
    # A fact cannot fill two patterns of one engine rule: when the subject is the bundle fact,
    # anchors are read from the subject itself instead of a separate bundle pattern.
    ctx = Context(anchor_alias="s" if kind == BUNDLE_KIND else "b")
    resolve = _resolver(schemas, pack, kind)
    w_holds, w_fails = compile_condition(rule.where, resolve, ctx) if rule.where else (None, None)
    leaves, joins = _split_expect(rule.expect)
    e_holds, e_fails = compile_condition({"all": leaves}, resolve, ctx) if leaves else (None, None)
    compiled_joins = [_compile_join(i, jtype, join, schemas, pack, ctx) for i, (jtype, join) in enumerate(joins)]

    b = _Branches(rule.id, kind, ctx)
    _add_pass(b, w_holds, e_holds, compiled_joins)
    _add_fails(b, w_holds, e_fails, compiled_joins)
    if w_fails is not None:
        b.add("skip", "where", [b.subject(w_fails)])
    none_match = AND({"kind": kind}, *([w_holds] if w_holds is not None else []))
    b.add("none", "no subject", [b.sentinel, {"s$not": none_match}])
    return b.out, ctx.anchors


def compile_pack(pack: Pack, schemas: SchemaSet) -> CompiledPack:
    branches: dict[str, Branch] = {}
    anchors: set = set()
    groups: list[tuple[str, list[tuple[Branch, dict]]]] = []
    subject_kinds = {}
    for rule in pack.rules:
        compiled, rule_anchors = compile_rule(rule, schemas, pack)
        anchors |= rule_anchors
        groups.append((rule.for_each, compiled))
        subject_kinds[rule.id] = rule.for_each
    rulesets: list[CompiledRuleset] = []
    current: dict = {}
    shadows: dict[str, tuple[str, tuple[str, ...]]] = {}
    reads: list[tuple[str, tuple[str, ...]]] = []
    filters: dict[str, list] = {}
    fields: dict[str, set[str]] = {}

    def close():
        if not current:
            return
        index = len(rulesets)
        definition = dict(current)
        definition[END_ACTION] = {"all": [{"e": {"kind": END_KIND}}], "run": END_ACTION}
        definition[KEEP_ACTION] = {"all": [{"k": {"$ex": {"kind": 1}}}, {"n": {"kind": NEVER_KIND}}],
                                   "run": KEEP_ACTION}
        kinds = frozenset(k.lstrip("!") for _, read in reads for k in read) | {BUNDLE_KIND}
        feed = Feed(kinds, tuple((name, *shadows[name]) for name in sorted(shadows)), tuple(reads),
                    tuple((k, tuple(sorted(set(alts)))) for k, alts in sorted(filters.items()) if None not in alts),
                    tuple((k, tuple(sorted(f))) for k, f in sorted(fields.items())))
        rulesets.append(CompiledRuleset(f"{pack.id}#{index}", definition, feed))
        current.clear()
        shadows.clear()
        reads.clear()
        filters.clear()
        fields.clear()

    # Rules on the same subject kind share rulesets, so a large kind is given to few rulesets.
    for _, compiled in sorted(groups, key=lambda g: g[0]):
        if current and len(current) + len(compiled) > MAX_ENGINE_RULES_PER_RULESET:
            close()
        for branch, definition in compiled:
            branches[branch.name] = branch
            shaped = shape_branch(branch.outcome, definition)
            definition = shaped.definition
            shadows.update(shaped.shadows)
            for kind, alternatives in shaped.filters.items():
                filters.setdefault(kind, []).extend(alternatives)
            for kind, read in shaped.fields.items():
                fields.setdefault(kind, set()).update(read)
            reads.append((branch.name, shaped.reads))
            current[branch.name] = {**definition, "run": branch.name}
    close()
    blob = json.dumps([[r.name, r.definition] for r in rulesets], sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(blob.encode()).hexdigest()
    for r in rulesets:  # the name carries the content hash: a changed pack is a new ruleset
        r.name = f"{r.name}@{digest[:12]}"
    return CompiledPack(pack, rulesets, branches, anchors, digest, subject_kinds)
