"""From engine firings to results, clause verdicts and the nonconformity list.

This module decides nothing about the standards: it reads which compiled branch fired for which
subject and turns that into the result the rule declares.  It also cross-checks the engine: every
subject must be claimed by exactly one of pass / fail / skip, and "no subject" must fire exactly
when there is none.  A rule that fails the cross-check yields an ``error`` result, never a pass.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from .compiler import CompiledPack
from .engine import Evaluation, Firing
from .facts import FactBase, FactSource
from .ids import nonconformity_ids
from .messages import render
from .errors import InputError
from .model import (ClauseVerdict, Evidence, Grade, Nonconformity, Result, Status, Text, severity)
from .packs import Pack, Rule, clause_parent, clause_sort_key
from .vacuous import vacuous_kinds

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
    return {"subject": facts.sources[subject].data if subject else {}, "bundle": facts.sources[facts.bundle_id].data,
            "partners": partners, "rule": {"id": rule.id, "clause": rule.clause}, "count": count}


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
        absent = [k for k in rule.reads if not facts.of_kind(k)]  # documents the rule needs that are not there
        # a breach that rests on an absent document, or on a record list that is empty (a join needing a
        # partner of a kind the bundle has none of), is the same defect whichever rule finds it
        missing = absent[0] if absent else next((k for k in _partner_kinds(rule) if not facts.of_kind(k)), None)
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
                                  evidence=tuple(dict.fromkeys(evidence)), subject=src.key, missing=missing))
        passing = [s for s in applicable if s in rf.passes]
        absent = absent or (vacuous_kinds(rule, pack, facts.of_kind) if passing else [])  # a pass on no records
        if passing and absent:
            # A pass that rests on a document the bundle does not hold is vacuous ("nothing to object
            # to"): it waits on the missing-document nonconformity instead of being 符合.
            zh_doc, en_doc = _kind_names(absent[0])
            bundle_src = facts.sources[facts.bundle_id]
            results.append(Result(**{**base, "remediation": render(rule.remediation, _context(rule, facts, None, [], 0))},
                                  status=Status.NOT_EVALUATED, grade=None,
                                  message=Text(f"证据包中没有{zh_doc}，本条未评价：无据可查不等于符合。",
                                               f"The bundle holds no {en_doc}; not evaluated: nothing to check is not "
                                               "conformity."),
                                  evidence=(Evidence(bundle_src.file, "", 1, 1, f"no {absent[0]} in the bundle"),),
                                  subject=f"none:{absent[0]}", missing=missing, blocked_by=(f"missing:{absent[0]}",)))
            passing = []
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
            results.append(_none_result(rule, base, facts, absent, breach_status, breach_grade))
    return results


def _none_result(rule: Rule, base: dict, facts: FactBase, absent: list[str], breach_status: Status,
                 breach_grade: Grade | None) -> Result:
    """What an empty subject set means, as the rule declares it (``when_none``), failing closed:

    * ``breach`` (the default): the standard requires at least one — a nonconformity naming what is
      missing;
    * ``not_applicable``: the clause applies only when such a subject exists — 不适用, with the reason
      shown; but when a document the rule reads is absent altogether, nothing shows that none exist,
      so the result is "not evaluated", waiting on the missing-document nonconformity;
    * ``depends``: "not evaluated", waiting on the nonconformity of a rule in ``depends_on``;
    * ``onsite``: the auditor verifies it on site.
    """
    mode = (rule.when_none or {}).get("status", "breach")
    ctx = _context(rule, facts, None, [], 0)
    kind = rule.for_each
    bundle_src = facts.sources[facts.bundle_id]
    evidence = (Evidence(bundle_src.file, "", 1, 1, f"no {kind} in the bundle"),)
    declared = render((rule.when_none or {}).get("reason") or (rule.when_none or {}).get("message"), ctx)
    zh_kind, en_kind = _kind_names(kind)
    missing = absent[0] if absent else None
    if mode == "not_applicable" and absent:
        mode, blocked = "depends", (f"missing:{absent[0]}",)
    elif mode == "depends":
        blocked = rule.depends_on
    else:
        blocked = ()
    if mode == "depends":
        zh_doc, en_doc = _kind_names(absent[0]) if absent and blocked[0].startswith("missing:") else (zh_kind, en_kind)
        message = Text(f"证据包中没有{zh_doc}，本条未评价：所依据的证据本身不符合要求。",
                       f"The bundle holds no {en_doc}; not evaluated: the evidence it builds on is itself nonconforming.")
        return Result(**{**base, "remediation": render(rule.remediation, ctx)}, status=Status.NOT_EVALUATED,
                      grade=None, message=message, evidence=evidence, subject=f"none:{kind}", missing=missing,
                      blocked_by=blocked)
    status, grade = {"breach": (breach_status, breach_grade), "not_applicable": (Status.NOT_APPLICABLE, None),
                     "onsite": (Status.ONSITE, None)}[mode]
    message = declared
    if message is None:
        template = NONE_TEXT[mode]
        message = Text(template.zh.format(kind=zh_kind), template.en.format(kind=en_kind))
    if mode == "onsite" and rule.onsite:
        extra = render(rule.onsite, ctx)
        message = Text(f"{message.zh} {extra.zh}", f"{message.en} {extra.en}")
    reason = None
    if mode == "not_applicable":
        reason = declared or Text(f"证据包中没有{zh_kind}（本条仅在存在时适用）。",
                                  f"The bundle holds no {en_kind} (the clause applies only when one exists).")
    return Result(**{**base, "remediation": render(rule.remediation, ctx) if mode == "breach" else None},
                  status=status, grade=grade, message=message, evidence=evidence, subject=f"none:{kind}",
                  reason=reason, missing=missing if mode == "breach" else None)


BREACHES = (Status.NONCONFORMITY,)


def apply_dependencies(pack: Pack, results: list[Result]) -> list[Result]:
    """One defect, one finding.  A rule that builds on evidence which is itself nonconforming is not
    judged a second time: while a rule in its ``depends_on`` has a nonconformity, its breaches are
    "not evaluated" and wait on that nonconformity.  A "not evaluated" result whose root turned out
    to conform is judged after all (fail closed): it becomes the breach the rule declares."""
    rules = {r.id: r for r in pack.rules}
    failing: set[str] = set()
    missing_docs: set[str] = set()
    order = _dependency_order(pack)
    by_rule: dict[str, list[int]] = {}
    for i, r in enumerate(results):
        if r.standard == pack.id:
            by_rule.setdefault(r.rule, []).append(i)
    out = list(results)
    for rid in order:
        rule = rules[rid]
        blockers = tuple(d for d in rule.depends_on if d in failing)
        for i in by_rule.get(rid, []):
            r = out[i]
            if r.status is Status.NOT_EVALUATED:
                waits = [b for b in r.blocked_by if b in failing or (b.startswith("missing:") and b[8:] in missing_docs)]
                waits += [b for b in blockers if b not in waits]
                if waits:
                    out[i] = replace(r, blocked_by=tuple(waits))
                else:
                    status, grade = _grade_status(rule)
                    out[i] = replace(r, status=status, grade=grade, blocked_by=(),
                                     message=Text(r.message.zh.split("，本条未评价")[0] + "。",
                                                  r.message.en.split("; not evaluated")[0] + "."))
            elif r.status in BREACHES and blockers:
                out[i] = replace(r, status=Status.NOT_EVALUATED, grade=None, blocked_by=blockers,
                                 message=Text(f"未评价：{r.message.zh}（依赖的证据本身不符合要求）",
                                              f"Not evaluated: {r.message.en} (the evidence it builds on is itself "
                                              "nonconforming)"))
            r = out[i]
            if r.status in BREACHES:
                failing.add(rid)
            if r.status in (Status.NONCONFORMITY, Status.OBSERVATION) and r.missing:
                missing_docs.add(r.missing)  # the absent document is reported: what needs it waits on that
    return out


def _dependency_order(pack: Pack) -> list[str]:
    """Rule ids with every rule after the rules it depends on (lint has ruled out cycles); a rule
    whose none-result waits on a missing document comes after every rule that may report it."""
    seen: set[str] = set()
    out: list[str] = []
    rules = {r.id: r for r in pack.rules}

    def visit(rid: str) -> None:
        if rid in seen:
            return
        seen.add(rid)
        for d in rules[rid].depends_on:
            if d in rules:
                visit(d)
        out.append(rid)

    plain = [r.id for r in pack.rules if (r.when_none or {}).get("status", "breach") not in ("not_applicable", "depends")]
    for rid in plain + [r.id for r in pack.rules]:
        visit(rid)
    return out


def within_clause(clause: str, scope: str) -> bool:
    """Whether ``clause`` is ``scope`` or one of its sub-clauses / list items."""
    c: str | None = clause
    while c:
        if c == scope:
            return True
        c = clause_parent(c)
    return False


def apply_applicability(results: list[Result], bundle, packs: dict[str, Pack]) -> list[Result]:
    """不适用 comes only from the bundle.  A statement of applicability (kind ``applicability``)
    excludes a clause with a justification, who decided and when.  It is taken only where the bundle
    holds nothing to judge: a breach that rests on absence (no such record, no record in a year or an
    interval, a document missing) becomes 不适用 with the statement shown as its reason; evidence
    that is given is still judged, whatever the statement says."""
    statements = []
    for doc in bundle.by_kind("applicability"):
        for i, st in enumerate(doc.data.get("statements") or []):
            if not isinstance(st, dict) or not isinstance(st.get("clause"), str):
                continue
            pointer = f"/statements/{i}"
            pos = doc.position(pointer)
            std = st.get("standard")
            targets = [std] if std else list(packs)
            if std and std not in packs:
                continue  # a statement about a standard not checked in this run
            if not any(st["clause"] in packs[t].catalogue for t in targets):
                raise InputError(f"the statement of applicability names clause {st['clause']!r}, which is not a clause of "
                                 f"{', '.join(targets)}", doc.path, pos[0] if pos else None,
                                 field=f"{pointer}/clause")
            who = st.get("decided_by") or {}
            reason = Text(f"园区声明不适用：{st.get('justification', '')}（决定人：{who.get('name', '')}，{st.get('date', '')}）",
                          f"Declared not applicable by the park: {st.get('justification', '')} (decided by "
                          f"{who.get('name', '')}, {st.get('date', '')})")
            ev = Evidence(doc.path, pointer, pos[0] if pos else None, pos[1] if pos else None)
            statements.append((std, st["clause"], reason, ev))
    if not statements:
        return results
    bundle_key = f"{bundle.manifest.path}#"
    out = []
    for r in results:
        absence = bool(r.missing) or (r.subject or "").startswith(("none:", "agg:")) or r.subject == bundle_key
        if absence and r.status in (Status.NONCONFORMITY, Status.OBSERVATION, Status.NOT_EVALUATED,
                                    Status.NOT_APPLICABLE):
            hit = next(((reason, ev) for std, clause, reason, ev in statements
                        if (std is None or std == r.standard) and within_clause(r.clause, clause)), None)
            if hit:
                r = replace(r, status=Status.NOT_APPLICABLE, grade=None, reason=hit[0], message=hit[0],
                            evidence=(hit[1],) + r.evidence, missing=None, blocked_by=(), remediation=None)
        out.append(r)
    return out


def link_dependencies(results: list[Result], ncs: list[Nonconformity]) -> list[Result]:
    """Name, on every "not evaluated" result, the nonconformities it waits on."""
    by_rule: dict[tuple[str, str], set[str]] = {}
    by_missing: dict[str, set[str]] = {}
    for nc in ncs:
        for std, rid in nc.members:
            by_rule.setdefault((std, rid), set()).add(nc.id)
        for kind in nc.missing:
            by_missing.setdefault(kind, set()).add(nc.id)
    out = []
    for r in results:
        if r.status is Status.NOT_EVALUATED:
            ids: set[str] = set()
            for b in r.blocked_by:
                ids |= by_missing.get(b[8:], set()) if b.startswith("missing:") else by_rule.get((r.standard, b), set())
            r = replace(r, depends_on=tuple(sorted(ids)))
        out.append(r)
    return out


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


def defect_key(r: Result) -> tuple:
    """Results with the same key are one nonconformity: a missing document (whatever the rules that
    needed it), or one requirement (rule or shared finding) breached in one document — however many
    of its records breach it, as an auditor writes one finding citing every piece of evidence (and an
    aggregate's years: "no audit in 2023 and 2024" is one finding)."""
    missing = _missing_document(r)
    if missing:
        return (r.standard, missing)
    return (r.standard, _document_of(r.subject), r.finding or r.rule)


def _document_of(subject: str | None) -> str | None:
    """The document part of a stable evidence key: ``internal_audit/audits[IA-1]/findings[F-1]`` →
    ``internal_audit``; ``agg:audits_per_year:2023`` → ``agg:audits_per_year``."""
    if not subject:
        return subject
    if subject.startswith("agg:"):
        return subject.rsplit(":", 1)[0]
    return subject.split("/", 1)[0]


def _missing_document(r: Result) -> str | None:
    """The document (or record) kind a breach rests on when the bundle has none of it (whichever rule
    needed it), or the kind a "none found" result is about."""
    if r.missing:
        return f"none:{r.missing}"
    return r.subject if r.subject and r.subject.startswith("none:") else None


def _partner_kinds(rule: Rule) -> list[str]:
    """Kinds an ``exists`` join of the rule needs a partner of."""
    expect = rule.expect if isinstance(rule.expect, dict) else {}
    items = expect.get("all", [expect]) if isinstance(expect.get("all", None), list) else [expect]
    return [c["exists"]["kind"] for c in items if isinstance(c, dict) and isinstance(c.get("exists"), dict)
            and isinstance(c["exists"].get("kind"), str) and not c["exists"]["kind"].startswith("agg.")]


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
    order = {(r.standard, r.clause): i for i, r in reversed(list(enumerate(results)))}
    out = []
    for nc_id, group in zip(nonconformity_ids(keys), groups):
        clauses = tuple(sorted(dict.fromkeys((r.standard, r.clause) for r in group), key=order.__getitem__))
        group = sorted(group, key=lambda r: (severity(r.status, r.grade), not (r.subject or "").startswith("none:")))
        first = group[0]
        grade = min((r.grade for r in group), key=lambda g: 0 if g is Grade.MAJOR else 1)
        finding = first.message
        more = len({r.subject for r in group if r.rule == first.rule}) - 1
        if more > 0:
            finding = Text(f"{finding.zh}（另有 {more} 处同类情况，见证据位置。）",
                           f"{finding.en} (and {more} more instance{'s' if more > 1 else ''} of the same; see the evidence.)")
        out.append(Nonconformity(
            id=nc_id, clauses=clauses, grade=grade,
            requirement=first.requirement, finding=finding,
            evidence=tuple(dict.fromkeys(e for r in group for e in r.evidence)), remediation=first.remediation,
            rules=tuple(dict.fromkeys(r.rule for r in group)),
            members=tuple(dict.fromkeys((r.standard, r.rule) for r in group)),
            missing=tuple(sorted({r.missing for r in group if r.missing}))))
    return out
