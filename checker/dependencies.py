"""One defect, one finding: results that wait on the nonconformity of the evidence they build on,
and the park's statements of applicability (不适用 comes only from the bundle)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .errors import InputError
from .model import Evidence, Nonconformity, Result, Status, Text
from .packs import Pack, Rule, clause_parent
from .vacuous import DEPENDENTS, dependents, unreported
from .verdicts import grade_status

BREACHES = (Status.NONCONFORMITY,)
FINDINGS = (Status.NONCONFORMITY, Status.OBSERVATION)
MISSING = "missing:"  # a blocker that is a missing document kind, not a rule


def _settle(r: Result, rule: Rule, blockers: tuple[str, ...], failing: set[str], missing_docs: set[str]) -> Result:
    """A result of ``rule`` once the rules it depends on are judged (a vacuous pass of a rule others build on:
    once they are, ``_after_dependents``)."""
    if r.status is Status.NOT_EVALUATED and r.blocked_by != (DEPENDENTS,):
        waits = [b for b in r.blocked_by
                 if b in failing or (b.startswith(MISSING) and b[len(MISSING):] in missing_docs)]
        waits += [b for b in blockers if b not in waits]
        if waits:
            return replace(r, blocked_by=tuple(waits))
        return _own_breach(r, rule)
    if r.status in BREACHES and blockers:
        return replace(r, status=Status.NOT_EVALUATED, grade=None, blocked_by=blockers,
                       message=Text(f"未评价：{r.message.zh}（依赖的证据本身不符合要求）",
                                    f"Not evaluated: {r.message.en} (the evidence it builds on is itself "
                                    "nonconforming)"))
    return r


def _own_breach(r: Result, rule: Rule) -> Result:
    """A "not evaluated" result that nothing it waited on reports: the breach ``rule`` declares (fail closed)."""
    status, grade = grade_status(rule)
    return replace(r, status=status, grade=grade, blocked_by=(),
                   message=Text(r.message.zh.split("，本条未评价")[0] + "。",
                                r.message.en.split("; not evaluated")[0] + "."))


def _after_dependents(r: Result, built_on_it: list[str], results: list[Result], by_rule: dict[str, list[int]]
                      ) -> Result:
    """A vacuous pass of a rule the rules in ``built_on_it`` build on, once they are judged (``checker.vacuous``): it
    stays not evaluated, waiting on what they report - a dependent's nonconformity, or what a dependent that is not
    evaluated waits on; when they report nothing (each conforms, is not applicable or only observed: no record was
    missing), it says so and waits on nothing.  Never 符合 (nothing was checked), never its own breach (the rules
    built on it judged the empty list)."""
    waits: list[str] = []
    for d in built_on_it:
        for i in by_rule.get(d, []):
            if results[i].status in BREACHES:
                waits.append(d)
            elif results[i].status is Status.NOT_EVALUATED:
                waits += [b for b in results[i].blocked_by if b != DEPENDENTS]
    if waits:
        return replace(r, blocked_by=tuple(dict.fromkeys(waits)))
    return replace(r, blocked_by=(), message=unreported(r.message))


def apply_dependencies(pack: Pack, results: list[Result]) -> list[Result]:
    """One defect, one finding.  A rule that builds on evidence which is itself nonconforming is not
    judged a second time: while a rule in its ``depends_on`` has a nonconformity, its breaches are
    "not evaluated" and wait on that nonconformity.  A "not evaluated" result whose root turned out
    to conform is judged after all (fail closed): it becomes the breach the rule declares."""
    rules = {r.id: r for r in pack.rules}
    failing: set[str] = set()
    missing_docs: set[str] = set()
    by_rule: dict[str, list[int]] = {}
    for i, r in enumerate(results):
        if r.standard == pack.id:
            by_rule.setdefault(r.rule, []).append(i)
    out = list(results)
    for rid in _dependency_order(pack):
        rule = rules[rid]
        blockers = tuple(d for d in rule.depends_on if d in failing)
        for i in by_rule.get(rid, []):
            r = out[i] = _settle(out[i], rule, blockers, failing, missing_docs)
            if r.status in BREACHES:
                failing.add(rid)
            if r.status in FINDINGS and r.missing:
                missing_docs.add(r.missing)  # the absent document is reported: what needs it waits on that
    built_on_it = dependents(pack.rules)
    for rid in reversed(_dependency_order(pack)):  # (vacuous passes of rules others build on, the last first)
        for i in by_rule.get(rid, []):
            if out[i].status is Status.NOT_EVALUATED and out[i].blocked_by == (DEPENDENTS,):
                out[i] = _after_dependents(out[i], built_on_it.get(rid, []), out, by_rule)
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

    plain = [r.id for r in pack.rules
             if (r.when_none or {}).get("status", "breach") not in ("not_applicable", "depends")]
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


@dataclass(frozen=True)
class _Statement:
    standard: str | None  # None: every standard checked
    clause: str
    reason: Text
    evidence: Evidence


def _statement(doc: Any, i: int, st: dict, packs: dict[str, Pack]) -> _Statement | None:
    """One statement of applicability; None when it is about a standard not checked in this run."""
    pointer = f"/statements/{i}"
    pos = doc.position(pointer)
    std = st.get("standard")
    targets = [std] if std else list(packs)
    if std and std not in packs:
        return None
    if not any(st["clause"] in packs[t].catalogue for t in targets):
        raise InputError(f"the statement of applicability names clause {st['clause']!r}, which is not a clause of "
                         f"{', '.join(targets)}", doc.path, pos[0] if pos else None, field=f"{pointer}/clause")
    who = st.get("decided_by") or {}
    reason = Text(f"园区声明不适用：{st.get('justification', '')}"
                  f"（决定人：{who.get('name', '')}，{st.get('date', '')}）",
                  f"Declared not applicable by the park: {st.get('justification', '')} (decided by "
                  f"{who.get('name', '')}, {st.get('date', '')})")
    return _Statement(std, st["clause"], reason, Evidence(doc.path, pointer, pos[0] if pos else None,
                                                          pos[1] if pos else None))


def applicability_documents(bundle: Any, given: Any = None) -> list[Any]:
    """The statements of applicability: a file given by option replaces the bundle's."""
    own = bundle.by_kind("applicability")
    return [given] if given is not None and given not in own else own


def _statements(bundle: Any, packs: dict[str, Pack], given: Any = None) -> list[_Statement]:
    out = []
    for doc in applicability_documents(bundle, given):
        for i, st in enumerate(doc.data.get("statements") or []):
            if not isinstance(st, dict) or not isinstance(st.get("clause"), str):
                continue
            statement = _statement(doc, i, st, packs)
            if statement is not None:
                out.append(statement)
    return out


RESTS_ON_ABSENCE = (Status.NONCONFORMITY, Status.OBSERVATION, Status.NOT_EVALUATED, Status.NOT_APPLICABLE)


def _rests_on_absence(r: Result, bundle_key: str) -> bool:
    """No such record, no record in a year or an interval, a document missing."""
    absence = bool(r.missing) or (r.subject or "").startswith(("none:", "agg:")) or r.subject == bundle_key
    return absence and r.status in RESTS_ON_ABSENCE


def apply_applicability(results: list[Result], bundle: Any, packs: dict[str, Pack], given: Any = None) -> list[Result]:
    """不适用 comes only from the bundle.  A statement of applicability (kind ``applicability``, an
    audit record: checker.controldocs) excludes a clause with a justification, who decided and when.
    It is taken only where the bundle holds nothing to judge: a breach that rests on absence (no such
    record, no record in a year or an interval, a document missing) becomes 不适用 with the statement
    shown as its reason; evidence that is given is still judged, whatever the statement says.
    ``given``: a statement given by option (``--applicability``), in place of the bundle's."""
    statements = _statements(bundle, packs, given)
    if not statements:
        return results
    bundle_key = f"{bundle.manifest.path}#"
    out = []
    for r in results:
        if _rests_on_absence(r, bundle_key):
            hit = next((s for s in statements if (s.standard is None or s.standard == r.standard)
                        and within_clause(r.clause, s.clause)), None)
            if hit:
                r = replace(r, status=Status.NOT_APPLICABLE, grade=None, reason=hit.reason, message=hit.reason,
                            evidence=(hit.evidence, *r.evidence), missing=None, blocked_by=(), remediation=None)
        out.append(r)
    return out


def _outcome(taken: int, judged: int, outside: bool) -> str:
    if outside:
        return "outside"
    if taken:
        return "partly_taken" if judged else "taken"
    return "not_taken" if judged else "no_results"


def _row(doc: Any, i: int, st: dict, packs: dict[str, Pack], results: list[Result], cited: set) -> dict:
    """One line of the statement-of-applicability table: the statement and what became of it."""
    pointer = f"/statements/{i}"
    pos = doc.position(pointer)
    std = st.get("standard")
    outside = bool(std) and std not in packs
    scope = [r for r in results
             if not outside and (not std or r.standard == std) and within_clause(r.clause, st["clause"])]
    mine = [r for r in scope if r.evidence and (r.evidence[0].file, r.evidence[0].pointer) == (doc.path, pointer)]
    judged = [r for r in scope if not (r.evidence and (r.evidence[0].file, r.evidence[0].pointer) in cited)]
    statuses: dict[str, int] = {}
    for r in judged:
        statuses[r.status.value] = statuses.get(r.status.value, 0) + 1
    return {"standard": std, "clause": st["clause"], "justification": st.get("justification"),
            "decided_by": st.get("decided_by"), "date": st.get("date"),
            "outcome": _outcome(len(mine), len(judged), outside), "results_taken": len(mine),
            "results_judged": len(judged), "judged": dict(sorted(statuses.items())),
            "file": doc.path, "line": pos[0] if pos else None, "pointer": pointer}


def applicability_table(results: list[Result], bundle: Any, packs: dict[str, Pack], given: Any = None) -> list[dict]:
    """Every statement of applicability as a row (standard, clause, justification, decided by, date)
    with what became of it: ``taken`` (the clause's results that rested on absence became 不适用),
    ``partly_taken`` (some did; the evidence given for the others was judged), ``not_taken`` (the
    evidence given was judged), ``no_results`` (no rule result of the checked packs in that clause) or
    ``outside`` (about a standard not checked in this run).  ``results``: after applicability."""
    docs = applicability_documents(bundle, given)
    rows = [(doc, i, st) for doc in docs for i, st in enumerate(doc.data.get("statements") or [])
            if isinstance(st, dict) and isinstance(st.get("clause"), str)]
    cited = {(doc.path, f"/statements/{i}") for doc, i, _ in rows}
    return [_row(doc, i, st, packs, results, cited) for doc, i, st in rows]


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
                ids |= (by_missing.get(b[len(MISSING):], set()) if b.startswith(MISSING)
                        else by_rule.get((r.standard, b), set()))
            r = replace(r, depends_on=tuple(sorted(ids)))
        out.append(r)
    return out


