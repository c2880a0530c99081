"""From engine firings to results and clause verdicts.

This module decides nothing about the standards: it reads which compiled branch fired for which
subject and turns that into the result the rule declares.  It also cross-checks the engine: every
subject must be claimed by exactly one of pass / fail / skip, and "no subject" must fire exactly
when there is none.  A rule that fails the cross-check yields an ``error`` result, never a pass.

What happens next lives beside it: ``checker.dependencies`` (one defect, one finding; statements
of applicability) and ``checker.nonconformities`` (the nonconformity list).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import filterfalse
from typing import Any

from .compiler import CompiledPack
from .engine import Evaluation, Firing
from .facts import FactBase, FactSource
from .figures import declared, shown
from .firings import RuleFirings, by_rule, covered, exact_claims, rule_firings
from .messages import render
from .model import ClauseVerdict, Evidence, Grade, Result, Status, Text, severity
from .packmodel import Aggregate
from .packs import Pack, Rule, clause_parent, clause_sort_key
from .schemas import SchemaSet
from .vacuous import DEPENDENTS, built_on, ref_kinds, vacuous_kinds, vacuous_message

MAX_EVIDENCE_PER_RESULT = 50

NONE_TEXT = {
    "breach": Text("证据包中没有{kind}。", "The bundle holds no {kind}."),
    "not_applicable": Text("证据包中没有{kind}，本条不适用。", "The bundle holds no {kind}; the rule does not apply."),
    "onsite": Text("证据包中没有{kind}，需现场核实。", "The bundle holds no {kind}; verify on site."),
}


def _kind_names(kind: str, schemas: SchemaSet, aggregates: Mapping[str, Aggregate] | None = None) -> tuple[str, str]:
    """A kind's names for a message; an aggregate (``agg.<name>``) by the records it sums up (the pack's
    ``aggregates``), never by its internal name alone."""
    if kind.startswith("agg.") and aggregates and kind[4:] in aggregates:
        zh, en = schemas.kind_label(aggregates[kind[4:]].of)
        return f"{zh}的汇总（{kind[4:]}）", f"summary of {en} ({kind[4:]})"
    if kind.startswith("agg.") or kind == "bundle":
        return kind, kind
    zh, en = schemas.kind_label(kind)
    return f"{zh}（{kind}）", f"{en} ({kind})"


def grade_status(rule: Rule) -> tuple[Status, Grade | None]:
    """The status and grade a breach of the rule has."""
    if rule.grade == "observation":
        return Status.OBSERVATION, None
    return Status.NONCONFORMITY, Grade(rule.grade)


def _evidence(src: FactSource, field: str | None = None, data=None) -> Evidence:
    pointer = src.pointer
    note = None
    if field:
        target = data if data is not None else src.data
        parts = field.split(".")
        present = True
        for part in parts:
            if isinstance(target, dict) and part in target:
                target = target[part]
            else:
                present = False
                break
        if present:
            pointer = src.pointer + "".join("/" + p for p in parts)
        else:
            note = Text(f"未提供 {field}", f"{field} not given")
    line, col = (None, None)
    if src.document is not None:
        pos = src.document.position(pointer)
        line, col = pos if pos else (None, None)
    return Evidence(src.file, pointer, line, col, note)


def _text(template: dict | None, ctx: dict, rule: Rule, what: str) -> Text:
    """A message the rule declares (the pack's lint requires it), rendered."""
    text = render(template, ctx)
    if text is None:
        raise ValueError(f"rule {rule.id}: no {what} text")
    return text


def _context(rule: Rule, facts: FactBase, subject: str | None, firings: list[Firing] | tuple[Firing, ...],
             count: int, display: dict | None = None) -> dict:
    """The names a message template reads; figures the pack declares a display for (checker.figures) print
    rounded, as the reports show them."""
    display = display or {}
    partners = []
    for firing in firings:
        for f in firing.expand():  # a pass firing may name a group of partners
            for alias, fid in f.facts:
                if alias.startswith("p"):
                    src = facts.sources[fid]  # type: ignore[index]
                    partners.append(shown(src.values(), display.get(src.kind)))
    own = facts.sources[subject] if subject else None
    return {"subject": shown(own.values(), display.get(own.kind)) if own is not None else {},
            "bundle": facts.sources[_bundle_id(facts)].data,
            "partners": partners, "rule": {"id": rule.id, "clause": rule.clause}, "count": count}


def _bundle_id(facts: FactBase) -> str:
    if facts.bundle_id is None:  # build_facts always adds the bundle fact
        raise ValueError("the fact base has no bundle fact")
    return facts.bundle_id


def _absent_note(kind: str, schemas: SchemaSet, aggregates: Mapping[str, Aggregate] | None = None) -> Text:
    """The note on the bundle manifest's evidence when a document kind is absent."""
    zh_doc, en_doc = _kind_names(kind, schemas, aggregates)
    return Text(f"证据包中没有{zh_doc}", f"no {en_doc} in the bundle")


def _bundle_evidence(facts: FactBase, note: Text) -> tuple[Evidence, ...]:
    return (Evidence(facts.sources[_bundle_id(facts)].file, "", 1, 1, note),)


@dataclass
class _RuleRun:
    """One rule's firings read against its subjects."""

    rule: Rule
    base: dict[str, Any]  # the fields every result of the rule shares
    firings: RuleFirings
    applicable: list[str]  # subjects not skipped
    absent: list[str]  # document kinds the rule reads that the bundle does not hold
    missing: str | None  # the absent document (or empty partner list) a breach rests on
    ref_missing: bool = False  # ``missing`` is a document a value the rule judges is taken from (checker.vacuous)
    display: dict | None = None  # the pack's display declarations (checker.figures)
    aggregates: Mapping[str, Aggregate] | None = None  # the pack's aggregates (their names in messages)

    def remediation(self, ctx: dict) -> Text | None:
        return render(self.rule.remediation, ctx)


def _cross_check(rf: RuleFirings, facts: FactBase, subjects: list[str], applicable: list[str],
                 covers: dict | None = None) -> list[str]:
    """Every subject claimed by exactly one outcome; "no subject" fired exactly when there is none.  ``covers``:
    whether pass claims (subject groups) name each of the subjects, as found for other rules (``firings.covered``)."""
    problems = []
    fails, skips = rf.fails, rf.skips
    # outcomes disjoint and claiming exactly the subjects (distinct ids): as many claims as subjects and
    # each subject claimed, so each once and none stray (no set of a large kind's ids is built for it)
    # (a subject no outcome claims looked for by C loops: no Python step per subject)
    exact = covered(rf, subjects, covers) if covers is not None and not fails and not skips else \
        exact_claims(rf.passes, fails, skips, subjects)
    passes = rf.passes if not exact else {}
    for sid in () if exact else subjects:
        claimed = (sid in passes) + (sid in fails) + (sid in skips)
        if claimed != 1:
            problems.append(f"subject {facts.sources[sid].key} claimed by {claimed} outcomes")
    stray = () if exact else (set(passes) | set(fails) | skips).difference(subjects)
    if stray:
        problems.append(f"{len(stray)} firings name subjects of another kind")
    if rf.nones != (0 if applicable else 1):
        problems.append(f"'no subject' fired {rf.nones} times with {len(applicable)} applicable subjects")
    return problems


def _error_result(base: dict, facts: FactBase, problems: list[str]) -> Result:
    return Result(**base, status=Status.ERROR, grade=None,
                  message=Text("规则引擎结果不一致：" + "；".join(problems),
                               "Engine results are inconsistent: " + "; ".join(problems)),
                  evidence=(Evidence(facts.sources[_bundle_id(facts)].file, ""),))


def _breaches(run: _RuleRun, facts: FactBase, schemas: SchemaSet) -> list[Result]:
    """A result for every applicable subject a fail branch fired for, citing its partners (and the
    bundle manifest, noting the absent document, when the breach rests on a document a value is taken
    from by a declared ref)."""
    rule, rf = run.rule, run.firings
    status, grade = grade_status(rule)
    note = _absent_note(run.missing, schemas) if run.ref_missing and run.missing else None
    absent_ref = _bundle_evidence(facts, note) if note else ()
    out = []
    for sid in filter(rf.fails.__contains__, run.applicable) if rf.fails else ():
        src = facts.sources[sid]
        fired = [f.member(sid) for f, _ in rf.fails[sid]]
        evidence = [_evidence(src, rule.evidence_field)]
        evidence += [_evidence(facts.sources[fid]) for f in fired for alias, fid in f.facts if alias.startswith("p")]  # type: ignore[index]
        evidence += absent_ref
        ctx = _context(rule, facts, sid, fired, 1, run.display)
        message = _text(rule.message, ctx, rule, "message")
        if note:
            message = Text(f"{note.zh}：{message.zh}", f"{note.en[0].upper()}{note.en[1:]}: {message.en}")
        out.append(Result(**{**run.base, "remediation": run.remediation(ctx)}, status=status, grade=grade,
                          message=message, evidence=tuple(dict.fromkeys(evidence)),
                          subject=src.key, missing=run.missing))
    return out


def _vacuous(run: _RuleRun, facts: FactBase, schemas: SchemaSet, root: bool = False) -> Result:
    """A pass that rests on a document the bundle does not hold is vacuous ("nothing to object
    to"): it waits on the missing-document nonconformity instead of being 符合; that of a rule others
    build on (``root``), on what they report (``checker.vacuous``)."""
    kind = run.absent[0]
    zh_doc, en_doc = _kind_names(kind, schemas)
    return Result(**{**run.base, "remediation": run.remediation(_context(run.rule, facts, None, [], 0, run.display))},
                  status=Status.NOT_EVALUATED, grade=None, message=vacuous_message(zh_doc, en_doc, root),
                  evidence=_bundle_evidence(facts, _absent_note(kind, schemas)),
                  subject=f"none:{kind}", missing=run.missing, blocked_by=(DEPENDENTS if root else f"missing:{kind}",))


def _pass_evidence(rule: Rule, facts: FactBase, passing: list[str]) -> tuple[Evidence, ...]:
    """The passing subjects' evidence, the first ``MAX_EVIDENCE_PER_RESULT`` of them (the last one
    says how many more)."""
    evidence = [_evidence(facts.sources[s], rule.evidence_field) for s in passing[:MAX_EVIDENCE_PER_RESULT]]
    if len(passing) > MAX_EVIDENCE_PER_RESULT:
        last = evidence[-1]
        evidence[-1] = Evidence(last.file, last.pointer, last.line, last.column,
                                Text(f"另有 {len(passing) - MAX_EVIDENCE_PER_RESULT + 1} 处",
                                     f"and {len(passing) - MAX_EVIDENCE_PER_RESULT + 1} more"))
    return tuple(evidence)


_SUBJECT_REF = re.compile(r"\{\{[^}]*\b(subject|partners)\b")


def _names_subject(template: dict | None) -> bool:
    return template is not None and any(_SUBJECT_REF.search(t or "") for t in template.values())


def _pass(run: _RuleRun, facts: FactBase, passing: list[str]) -> Result:
    rule = run.rule
    one = len(passing) == 1
    status = Status.ONSITE if rule.on_pass == "onsite" else Status.CONFORM
    ctx = _context(rule, facts, passing[0] if one else None, run.firings.passes[passing[0]] if one else [],
                   len(passing), run.display)
    if status is Status.ONSITE:
        message = _text(rule.onsite, ctx, rule, "onsite")
    else:
        # a pass message written about one subject (its id, its partner) cannot speak for several:
        # rendered without them it would print "not given" where the evidence is
        template = rule.pass_message if one or not _names_subject(rule.pass_message) else None
        message = render(template, ctx) or Text(
            f"符合：{len(passing)} 项证据满足要求。",
            f"Conform: {len(passing)} item(s) of evidence meet the requirement.")
    return Result(**run.base, status=status, grade=None, message=message,
                  evidence=_pass_evidence(rule, facts, passing), subject=facts.sources[passing[0]].key if one else None)


def _rule_run(rule: Rule, pack: Pack, rf: RuleFirings, facts: FactBase, subjects: list[str]) -> _RuleRun:
    base = {"rule": rule.id, "standard": pack.id, "clause": rule.clause, "obligation": rule.obligation,
            "requirement": rule.requirement, "remediation": None, "source": rule.source,
            "finding": rule.finding or rule.id}
    absent = [k for k in rule.reads if not facts.of_kind(k)]  # documents the rule needs that are not there
    # a breach that rests on an absent document, or on a record list that is empty (a join needing a
    # partner of a kind the bundle has none of), is the same defect whichever rule finds it
    missing = absent[0] if absent else next((k for k in _partner_kinds(rule) if not facts.of_kind(k)), None)
    ref_missing = None
    if missing is None:  # a value taken by a declared ref from a document the bundle lacks
        ref_missing = next((k.split(".")[0] for k in ref_kinds(rule, pack) if not facts.of_kind(k.split(".")[0])),
                           None)
    applicable = list(filterfalse(rf.skips.__contains__, subjects)) if rf.skips else subjects  # (read, not changed)
    return _RuleRun(rule, base, rf, applicable, absent, missing or ref_missing,
                    ref_missing is not None, declared(pack.meta), pack.aggregates)


def _results_of_rule(rule: Rule, pack: Pack, rf: RuleFirings, facts: FactBase, schemas: SchemaSet,
                     covers: dict | None = None) -> list[Result]:
    subjects = facts.of_kind(rule.for_each)
    run = _rule_run(rule, pack, rf, facts, subjects)
    problems = _cross_check(rf, facts, subjects, run.applicable, covers)
    if problems:
        return [_error_result(run.base, facts, problems)]
    results = _breaches(run, facts, schemas)
    # (cross-checked: each applicable subject passed or failed, once)
    passing = list(filter(rf.passes.__contains__, run.applicable)) if rf.fails else run.applicable  # (read only)
    root = False
    if passing and not run.absent:  # a pass over an empty record list rests on nothing (checker.vacuous)
        run.absent = vacuous_kinds(rule, pack, facts.of_kind)
        root = bool(run.absent) and built_on(rule, pack)
    if passing and run.absent:
        results.append(_vacuous(run, facts, schemas, root))
    elif passing:
        results.append(_pass(run, facts, passing))
    if not run.applicable:
        results.append(_none_result(run, facts, schemas))
    return results


def rule_results(compiled: CompiledPack, facts: FactBase, evaluation: Evaluation, schemas: SchemaSet,
                 consume: bool = False) -> list[Result]:
    """Every rule's results on the bundle, from the engine's firings (``schemas`` names the kinds).  With
    ``consume``, the evaluation's list of firings is emptied once they are grouped by rule, so each rule's
    are dropped after its results are made (memory)."""
    grouped = by_rule(compiled, evaluation)  # each rule's claims are built, read and dropped in turn (memory)
    if consume:
        evaluation.firings.clear()
    covers: dict = {}  # (``checker.firings.covered``)
    return [r for rule in compiled.pack.rules
            for r in _results_of_rule(rule, compiled.pack, rule_firings(compiled, grouped.pop(rule.id, ())), facts,
                                      schemas, covers)]


def _none_mode(rule: Rule, absent: list[str]) -> tuple[str, tuple[str, ...]]:
    """The declared ``when_none`` mode, and what a "not evaluated" result waits on."""
    mode = (rule.when_none or {}).get("status", "breach")
    if mode == "not_applicable" and absent:
        return "depends", (f"missing:{absent[0]}",)
    if mode == "depends":
        return mode, rule.depends_on
    return mode, ()


def _none_result(run: _RuleRun, facts: FactBase, schemas: SchemaSet) -> Result:
    """What an empty subject set means, as the rule declares it (``when_none``), failing closed:

    * ``breach`` (the default): the standard requires at least one — a nonconformity naming what is
      missing;
    * ``not_applicable``: the clause applies only when such a subject exists — 不适用, with the reason
      shown; but when a document the rule reads is absent altogether, nothing shows that none exist,
      so the result is "not evaluated", waiting on the missing-document nonconformity;
    * ``depends``: "not evaluated", waiting on the nonconformity of a rule in ``depends_on``;
    * ``onsite``: the auditor verifies it on site.
    """
    rule, absent = run.rule, run.absent
    mode, blocked = _none_mode(rule, absent)
    ctx = _context(rule, facts, None, [], 0, run.display)
    kind = rule.for_each
    evidence = _bundle_evidence(facts, _absent_note(kind, schemas, run.aggregates))
    missing = absent[0] if absent else None
    if mode == "depends":
        kind_shown = absent[0] if absent and blocked[0].startswith("missing:") else kind
        zh_doc, en_doc = _kind_names(kind_shown, schemas, run.aggregates)
        message = Text(f"证据包中没有{zh_doc}，本条未评价：所依据的证据本身不符合要求。",
                       f"The bundle holds no {en_doc}; not evaluated: the evidence it builds on is itself "
                       "nonconforming.")
        return Result(**{**run.base, "remediation": run.remediation(ctx)}, status=Status.NOT_EVALUATED,
                      grade=None, message=message, evidence=evidence, subject=f"none:{kind}", missing=missing,
                      blocked_by=blocked)
    when_none = rule.when_none or {}
    declared = render(when_none.get("reason") or when_none.get("message"), ctx)
    zh_kind, en_kind = _kind_names(kind, schemas, run.aggregates)
    status, grade = {"breach": grade_status(rule), "not_applicable": (Status.NOT_APPLICABLE, None),
                     "onsite": (Status.ONSITE, None)}[mode]
    message = declared or Text(NONE_TEXT[mode].zh.format(kind=zh_kind), NONE_TEXT[mode].en.format(kind=en_kind))
    if mode == "onsite" and rule.onsite:
        extra = _text(rule.onsite, ctx, rule, "onsite")
        message = Text(f"{message.zh} {extra.zh}", f"{message.en} {extra.en}")
    reason = None
    if mode == "not_applicable":
        reason = declared or Text(f"证据包中没有{zh_kind}（本条仅在存在时适用）。",
                                  f"The bundle holds no {en_kind} (the clause applies only when one exists).")
    breach = mode == "breach"
    return Result(**{**run.base, "remediation": run.remediation(ctx) if breach else None},
                  status=status, grade=grade, message=message, evidence=evidence, subject=f"none:{kind}",
                  reason=reason, missing=missing if breach else None)


def sort_results(results: list[Result], pack_order: dict[str, int]) -> list[Result]:
    return sorted(results, key=lambda r: (pack_order.get(r.standard, 99), clause_sort_key(r.clause), r.rule,
                                          severity(r.status, r.grade), r.subject or ""))


def clause_verdicts(pack: Pack, results: list[Result]) -> list[ClauseVerdict]:
    by_clause: dict[str, list[Result]] = {}
    for r in results:
        if r.standard != pack.id:
            continue
        clause: str | None = r.clause
        while clause:
            by_clause.setdefault(clause, []).append(r)
            clause = clause_parent(clause)
    verdicts = []
    for entry in sorted(pack.catalogue.values(), key=lambda e: clause_sort_key(e.clause)):
        rs = by_clause.get(entry.clause, [])
        if not rs:
            verdicts.append(ClauseVerdict(pack.id, entry.clause, entry.title, entry.normative, Status.NOT_CHECKED,
                                          None, ()))
            continue
        worst = min(rs, key=lambda r: (severity(r.status, r.grade), r.clause != entry.clause, r.rule, r.subject or ""))
        counts: dict[str, int] = {}
        for r in rs:
            counts[r.status.value] = counts.get(r.status.value, 0) + 1
        verdicts.append(ClauseVerdict(pack.id, entry.clause, entry.title, entry.normative, worst.status,
                                      worst.grade if worst.status is Status.NONCONFORMITY else None,
                                      tuple(sorted({r.rule for r in rs})), counts,
                                      worst.reason if worst.status is Status.NOT_APPLICABLE else None))
    return verdicts


def _partner_kinds(rule: Rule) -> list[str]:
    """Kinds an ``exists`` join of the rule needs a partner of."""
    expect = rule.expect if isinstance(rule.expect, dict) else {}
    items = expect.get("all", [expect]) if isinstance(expect.get("all", None), list) else [expect]
    return [c["exists"]["kind"] for c in items if isinstance(c, dict) and isinstance(c.get("exists"), dict)
            and isinstance(c["exists"].get("kind"), str) and not c["exists"]["kind"].startswith("agg.")]


