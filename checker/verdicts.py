"""From engine firings to results, clause verdicts and the nonconformity list.

This module decides nothing about the standards: it reads which compiled branch fired for which
subject and turns that into the result the rule declares.  It also cross-checks the engine: every
subject must be claimed by exactly one of pass / fail / skip, and "no subject" must fire exactly
when there is none.  A rule that fails the cross-check yields an ``error`` result, never a pass.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .compiler import CompiledPack
from .engine import Evaluation, Firing
from .facts import FactBase, FactSource
from .ids import nonconformity_ids
from .messages import render
from .model import (ClauseVerdict, Evidence, Grade, Nonconformity, Result, Status, Text, severity)
from .packs import Pack, Rule, clause_parent, clause_sort_key

MAX_EVIDENCE_PER_RESULT = 50

NONE_TEXT = {
    "breach": Text("证据包中没有{kind}。", "The bundle holds no {kind}."),
    "not_applicable": Text("证据包中没有{kind}，本条不适用。", "The bundle holds no {kind}; the rule does not apply."),
    "onsite": Text("证据包中没有{kind}，需现场核实。", "The bundle holds no {kind}; verify on site."),
}


def _kind_names(kind: str) -> tuple[str, str]:
    from .schemas import load_schemas
    if kind.startswith("agg.") or kind == "bundle":
        return kind, kind
    zh, en = load_schemas().kind_label(kind)
    return f"{zh}（{kind}）", f"{en} ({kind})"


def _grade_status(rule: Rule) -> tuple[Status, Grade | None]:
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
            note = f"{field} not given"
    line, col = (None, None)
    if src.document is not None:
        pos = src.document.position(pointer)
        line, col = pos if pos else (None, None)
    return Evidence(src.file, pointer, line, col, note)


@dataclass
class _RuleFirings:
    passes: dict[str, list[Firing]]
    fails: dict[str, list[tuple[Firing, str]]]
    skips: set[str]
    nones: int


def _collect(compiled: CompiledPack, evaluation: Evaluation) -> dict[str, _RuleFirings]:
    out = {r.id: _RuleFirings({}, {}, set(), 0) for r in compiled.pack.rules}
    for firing in evaluation.firings:
        branch = compiled.branches.get(firing.branch)
        if branch is None:
            continue
        rf = out[branch.rule]
        subject = firing.fact("s")
        if branch.outcome == "pass":
            rf.passes.setdefault(subject, []).append(firing)
        elif branch.outcome == "fail":
            rf.fails.setdefault(subject, []).append((firing, branch.detail))
        elif branch.outcome == "skip":
            rf.skips.add(subject)
        elif branch.outcome == "none":
            rf.nones += 1
    return out


def _context(rule: Rule, facts: FactBase, subject: str | None, firings: list[Firing], count: int) -> dict:
    partners = []
    for f in firings:
        for alias, fid in f.facts:
            if alias.startswith("p"):
                partners.append(facts.sources[fid].data)
    return {"s": facts.sources[subject].data if subject else {}, "b": facts.sources[facts.bundle_id].data,
            "p": partners, "rule": {"id": rule.id, "clause": rule.clause}, "count": count}


def rule_results(compiled: CompiledPack, facts: FactBase, evaluation: Evaluation) -> list[Result]:
    pack = compiled.pack
    collected = _collect(compiled, evaluation)
    results: list[Result] = []
    for rule in pack.rules:
        rf = collected[rule.id]
        subjects = facts.of_kind(rule.for_each)
        problems = []
        for sid in subjects:
            claimed = (sid in rf.passes) + (sid in rf.fails) + (sid in rf.skips)
            if claimed != 1:
                problems.append(f"subject {facts.sources[sid].key} claimed by {claimed} outcomes")
        stray = (set(rf.passes) | set(rf.fails) | rf.skips) - set(subjects)
        if stray:
            problems.append(f"{len(stray)} firings name subjects of another kind")
        applicable = [s for s in subjects if s not in rf.skips]
        if rf.nones != (0 if applicable else 1):
            problems.append(f"'no subject' fired {rf.nones} times with {len(applicable)} applicable subjects")
        base = dict(rule=rule.id, standard=pack.id, clause=rule.clause, obligation=rule.obligation,
                    requirement=rule.requirement, remediation=None, source=rule.source, finding=rule.finding or rule.id)
        if problems:
            results.append(Result(**base, status=Status.ERROR, grade=None,
                                  message=Text("规则引擎结果不一致：" + "；".join(problems),
                                               "Engine results are inconsistent: " + "; ".join(problems)),
                                  evidence=(Evidence(facts.sources[facts.bundle_id].file, ""),)))
            continue
        breach_status, breach_grade = _grade_status(rule)
        for sid in applicable:
            if sid not in rf.fails:
                continue
            src = facts.sources[sid]
            fired = [f for f, _ in rf.fails[sid]]
            evidence = [_evidence(src, rule.evidence_field)]
            for f in fired:
                for alias, fid in f.facts:
                    if alias.startswith("p"):
                        evidence.append(_evidence(facts.sources[fid]))
            ctx = _context(rule, facts, sid, fired, 1)
            results.append(Result(**{**base, "remediation": render(rule.remediation, ctx)}, status=breach_status,
                                  grade=breach_grade, message=render(rule.message, ctx),
                                  evidence=tuple(dict.fromkeys(evidence)), subject=src.key))
        passing = [s for s in applicable if s in rf.passes]
        if passing:
            status = Status.ONSITE if rule.on_pass == "onsite" else Status.CONFORM
            evidence = [_evidence(facts.sources[s], rule.evidence_field) for s in passing[:MAX_EVIDENCE_PER_RESULT]]
            if len(passing) > MAX_EVIDENCE_PER_RESULT:
                last = evidence[-1]
                evidence[-1] = Evidence(last.file, last.pointer, last.line, last.column,
                                        f"and {len(passing) - MAX_EVIDENCE_PER_RESULT + 1} more")
            ctx = _context(rule, facts, passing[0] if len(passing) == 1 else None,
                           rf.passes[passing[0]] if len(passing) == 1 else [], len(passing))
            if status is Status.ONSITE:
                message = render(rule.onsite, ctx)
            else:
                message = render(rule.pass_message, ctx) or Text(
                    f"符合：{len(passing)} 项证据满足要求。", f"Conform: {len(passing)} item(s) of evidence meet the requirement.")
            results.append(Result(**base, status=status, grade=None, message=message, evidence=tuple(evidence),
                                  subject=facts.sources[passing[0]].key if len(passing) == 1 else None))
        if not applicable:
            mode = (rule.when_none or {}).get("status", "breach")
            status, grade = {"breach": (breach_status, breach_grade), "not_applicable": (Status.NOT_APPLICABLE, None),
                             "onsite": (Status.ONSITE, None)}[mode]
            ctx = _context(rule, facts, None, [], 0)
            kind = rule.for_each
            message = render((rule.when_none or {}).get("message"), ctx)
            if message is None:
                template = NONE_TEXT[mode]
                zh_kind, en_kind = _kind_names(kind)
                message = Text(template.zh.format(kind=zh_kind), template.en.format(kind=en_kind))
            if mode == "onsite" and rule.onsite:
                extra = render(rule.onsite, ctx)
                message = Text(f"{message.zh} {extra.zh}", f"{message.en} {extra.en}")
            bundle_src = facts.sources[facts.bundle_id]
            results.append(Result(**{**base, "remediation": render(rule.remediation, ctx) if mode == "breach" else None},
                                  status=status, grade=grade, message=message,
                                  evidence=(Evidence(bundle_src.file, "", 1, 1, f"no {kind} in the bundle"),),
                                  subject=f"none:{kind}"))
    return results


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
        worst = min(rs, key=lambda r: severity(r.status, r.grade))
        counts: dict[str, int] = {}
        for r in rs:
            counts[r.status.value] = counts.get(r.status.value, 0) + 1
        verdicts.append(ClauseVerdict(pack.id, entry.clause, entry.title, entry.normative, worst.status,
                                      worst.grade if worst.status is Status.NONCONFORMITY else None,
                                      tuple(sorted({r.rule for r in rs})), counts))
    return verdicts


def defect_key(r: Result) -> tuple:
    """Results with the same key come from one evidence defect: a missing document (whatever the
    rules that needed it), or the same finding on the same subject."""
    missing = _missing_document(r)
    if missing:
        return (r.standard, missing)
    return (r.standard, r.subject, r.finding or r.rule)


def _missing_document(r: Result) -> str | None:
    """The document kind a "none found" result is about, whichever of its parts a rule needed."""
    return r.subject.split(".")[0] if r.subject and r.subject.startswith("none:") else None


def _merge_across_packs(groups: list[list[Result]], crosswalk) -> list[list[Result]]:
    """In a combined audit, one defect breaching clauses of several standards is one nonconformity:
    groups of different packs merge when they are the same missing document, or the same subject and
    evidence location under a crosswalk topic they share.  Two groups of one pack never merge."""
    clusters: list[dict] = []
    for group in groups:
        first = group[0]
        standard = first.standard
        topics = frozenset().union(*(crosswalk.topics_of(r.standard, r.clause) for r in group)) if crosswalk else frozenset()
        location = (first.evidence[0].file, first.evidence[0].pointer) if first.evidence else None
        missing = _missing_document(first)
        for c in clusters:
            if standard in c["standards"]:
                continue
            if (missing and missing == c["missing"]) or (
                    not missing and first.subject == c["subject"] and location == c["location"] and topics & c["topics"]):
                c["groups"].append(group)
                c["standards"].add(standard)
                c["topics"] |= topics
                break
        else:
            clusters.append({"groups": [group], "standards": {standard}, "topics": set(topics), "missing": missing,
                             "subject": first.subject, "location": location})
    return [[r for g in c["groups"] for r in g] for c in clusters]


def nonconformities(results: list[Result], crosswalk=None) -> list[Nonconformity]:
    """One entry per evidence defect, citing every clause it breaches (worst grade wins).

    Ids are derived from the defect key (pack, rule or finding, evidence key; see ``checker.ids``),
    so they do not change when files, records or keys are renamed or reordered; a nonconformity
    merged across packs takes the smallest of its members' keys."""
    merged: dict[tuple, list[Result]] = {}
    for r in results:
        if r.status is Status.NONCONFORMITY:
            merged.setdefault(defect_key(r), []).append(r)
    groups = list(merged.values())
    if len({r.standard for g in groups for r in g}) > 1:
        groups = _merge_across_packs(groups, crosswalk)
    keys = [min((defect_key(r) for r in group), key=lambda k: json.dumps(k, ensure_ascii=False, default=str))
            for group in groups]
    out = []
    for nc_id, group in zip(nonconformity_ids(keys), groups):
        first = min(group, key=lambda r: severity(r.status, r.grade))
        grade = min((r.grade for r in group), key=lambda g: 0 if g is Grade.MAJOR else 1)
        out.append(Nonconformity(
            id=nc_id, clauses=tuple(dict.fromkeys((r.standard, r.clause) for r in group)), grade=grade,
            requirement=first.requirement, finding=first.message,
            evidence=tuple(dict.fromkeys(e for r in group for e in r.evidence)), remediation=first.remediation,
            rules=tuple(dict.fromkeys(r.rule for r in group))))
    return out
