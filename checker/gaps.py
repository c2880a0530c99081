"""Content gaps as findings (issue 9 item 3).

A content gap is a schema error that leaves a document readable but incomplete (a required field
left out, an empty list or text, a value out of range, a value left blank; ``checker.schemas``).
``check`` judges the document without the value, so the rules that need it usually fail on their
own.  This module makes sure no gap is lost:

1. a gap is *covered* when a breach (nonconformity or observation) of a rule that reads that field
   rests on the object that has the gap (its subject is that object, or its evidence points into
   it, or it is the "none found" result of the record list that is empty, or an aggregate over it);
2. an uncovered gap becomes a result of its own, in each selected pack, at the clauses of the rules
   that read the field (status and grade of those rules);
3. where no rule of a pack reads the field, the gap is a finding at the most general clause of the
   rules that judge that kind of record (else the records that enclose it), preferring 应 rules: a
   *minor* nonconformity — the schema requires the field, so the documented information that clause
   requires lacks one element — or an observation when only 宜/可 rules read that document.  A
   baseline without its base year is thus a minor nonconformity at T/CPQS 7.5 (the clause of the
   rules on baseline records);
4. an optional value left empty (null, "" or []) is simply not given: no finding (``optional``);
5. a gap in a document no rule of the selected packs reads is no finding of those standards; it is
   listed in the report's ``content_gaps`` as not covered, like every other gap with what covers it.

A breach that covers a gap but pointed elsewhere (a "none found" result points at bundle.yaml, an
aggregate at the period) gets the gap's file and line added to its evidence.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .errors import Problem
from .facts import FactBase, FactSource
from .grading import rule_fields
from .model import ContentGap, Evidence, Grade, Result, Status, Text
from .packs import AGG_PREFIX, Pack, Rule, clause_sort_key
from .yamlio import split_pointer

BREACH = (Status.NONCONFORMITY, Status.OBSERVATION)


def _matches(field: str, path: str) -> bool:
    return field == path or field.startswith(path + ".") or path.startswith(field + ".")


def _inputs(pack: Pack, kind: str, fields: set[str]) -> set[str]:
    """The fields, with the fields of the same kind the pack's derived values among them are computed from."""
    out, todo = set(fields), list(fields)
    while todo:
        name = todo.pop()
        for d in pack.derived:
            if d.kind == kind and name in d.sets():
                new = set(d.args) - out
                out |= new
                todo += new
    return out


def _agg_fields(agg: Any) -> set[str]:
    return {f for f in (agg.group_by_year_of, agg.sum, agg.distinct, *(k for k, _ in agg.where),
                        *(k for k, _ in agg.group_by_fields)) if f}


def _reads(rule: Rule, pack: Pack, kind: str, path: str) -> bool:
    """Whether the rule reads field ``path`` of facts of ``kind`` (or the record list ``kind.path``),
    also through a derived value computed from it."""
    if rule.for_each == f"{kind}.{path}":
        return True
    fields = _inputs(pack, rule.for_each, rule_fields(rule)) if pack.derived else rule_fields(rule)
    if rule.for_each == kind:
        if any(":" not in f and _matches(f, path) for f in fields):
            return True
        if rule.evidence_field and _matches(rule.evidence_field, path):
            return True
    if any(f.startswith(kind + ":") and _matches(f[len(kind) + 1:], path) for f in fields):
        return True
    if rule.for_each.startswith(AGG_PREFIX):
        agg = pack.aggregates.get(rule.for_each[len(AGG_PREFIX):])
        if agg and (agg.of == f"{kind}.{path}" or (agg.of == kind and any(
                _matches(f, path) for f in _inputs(pack, kind, _agg_fields(agg))))):
            return True
    return False


def _owner(index: dict[tuple[str, str], FactSource], file: str, pointer: str) -> FactSource | None:
    """The fact (document or record) that holds the value at ``pointer``: the deepest one above it."""
    while pointer:
        pointer = pointer.rsplit("/", 1)[0]
        src = index.get((file, pointer))
        if src is not None:
            return src
    return None


def _field_path(src: FactSource, pointer: str) -> str:
    tokens = split_pointer(pointer[len(src.pointer):])
    return ".".join(t for t in tokens if not t.isdigit())


def _label(schemas, kind: str, path: str) -> tuple[str, str]:
    info = schemas.field(kind, path) if schemas else None
    if info is None and schemas is not None:  # a whole record list: its title is on the document's schema
        info = schemas.field(kind.split(".")[0], path) if "." not in kind else None
    zh = info.node.get("title") if info else None
    en = info.node.get("x-title-en") if info else None
    return (f"“{zh}”（{path}）" if zh else path), (f"\"{en}\" ({path})" if en else path)


def _texts(gap, src: FactSource, path: str, schemas) -> tuple[Text, Text]:
    zh_name, en_name = _label(schemas, src.kind, path)
    obj = f"中的 {src.key} " if "/" in src.key else ""
    obj_en = f" ({src.key})" if "/" in src.key else ""
    if gap.gap == "required":
        zh, en = f"缺少必填字段 {zh_name}（模式要求）", f"lacks the required field {en_name} (required by the schema)"
    elif gap.gap in ("minItems", "minLength", "blank"):
        zh, en = f"未填写字段 {zh_name}（模式要求填写：{gap.text('zh')}）", f"leaves {en_name} empty ({gap.text('en')})"
    elif gap.gap == "type":  # a table cell of a number column that is not a number (checker.schemas)
        zh, en = f"字段 {zh_name} 的值不是数值（{gap.text('zh')}），按未提供处理", \
            f"gives {en_name} a value that is not a number ({gap.text('en')}); it is treated as not given"
    else:
        zh, en = f"字段 {zh_name} 的值超出模式允许的范围（{gap.text('zh')}），按未提供处理", \
            f"gives {en_name} a value out of range ({gap.text('en')}); it is treated as not given"
    message = Text(f"《{gap.file}》{obj}{zh}。", f"{gap.file}{obj_en} {en}.")
    remediation = Text(f"在《{gap.file}》{obj}中填写 {zh_name}。", f"Fill in {en_name} in {gap.file}{obj_en}.")
    return message, remediation


def _within_source(e: Evidence, src: FactSource) -> bool:
    return e.file == src.file and (e.pointer == src.pointer or e.pointer.startswith(src.pointer + "/"))


def _covering(gap_src: FactSource, kind: str, path: str, results: list[Result], rules: dict, packs: dict) -> list[int]:
    """Indexes of the breach results that rest on the gap: a rule that reads the field, on the object
    that has the gap (or the empty record list, or an aggregate over it)."""
    out = []
    for i, r in enumerate(results):
        if r.status not in BREACH and r.status.value != "not_evaluated":
            continue
        rule = rules.get((r.standard, r.rule))
        if rule is None or not _reads(rule, packs[r.standard], kind, path):
            continue
        if r.subject in (gap_src.key, f"none:{kind}.{path}") or rule.for_each.startswith(AGG_PREFIX) \
                or any(_within_source(e, gap_src) for e in r.evidence):
            out.append(i)
    return out


def _general(candidates: list[Rule]) -> Rule:
    """The most general clause among the candidates, preferring 应 rules (a 宜/可 rule only when no 应 rule is left)."""
    shall = [r for r in candidates if r.grade != "observation"]
    return min(shall or candidates, key=lambda r: (clause_sort_key(r.clause), r.id))


def _fallback(pack: Pack, kind: str) -> Rule | None:
    """No rule reads the field: the rule of the most general clause that judges this kind of record,
    else its enclosing records.  A rule that only looks something up in the document (a join) does
    not make its other fields a requirement of that clause: such a gap is listed, not a finding."""
    parts = kind.split(".")
    for n in range(len(parts), 0, -1):
        judging = [r for r in pack.rules if r.for_each == ".".join(parts[:n])]
        if judging:
            return _general(judging)
    return None


def _cite(results: list[Result], covering: list[int], gap: Problem, located: Evidence) -> tuple[str, ...]:
    """Add the gap's location to the breaches that rest on it; the standards they belong to."""
    for i in covering:
        r = results[i]
        if not any(e.file == gap.file and e.pointer == located.pointer for e in r.evidence):
            results[i] = dataclasses.replace(r, evidence=(*r.evidence, located))
    return tuple(sorted({results[i].standard for i in covering}))


def _judging(pack: Pack, kind: str, path: str) -> list[tuple[Rule, Status, Grade | None]]:
    """The rules of a pack a gap is a finding of, with status and grade: every rule that reads the
    field, else the most general rule judging the record (a minor nonconformity at most)."""
    reading = [r for r in pack.rules if _reads(r, pack, kind, path)]
    if reading:
        return [(r, *_status(r.grade)) for r in reading]
    rule = _fallback(pack, kind)
    if rule is None:
        return []
    status, grade = _status(rule.grade)
    return [(rule, status, Grade.MINOR if grade else None)]


def _findings(gap: Problem, src: FactSource, path: str, packs: list[Pack], located: Evidence,
              schemas: Any) -> tuple[list[Result], list[str]]:
    """The results a gap no breach covers adds, and the standards they belong to."""
    message, remediation = _texts(gap, src, path, schemas)
    out: list[Result] = []
    standards = []
    for pack in packs:
        chosen = _judging(pack, src.kind, path)
        if not chosen:
            continue
        standards.append(pack.id)
        for rule, status, grade in chosen:
            out.append(Result(rule=rule.id, standard=pack.id, clause=rule.clause, status=status, grade=grade,
                              obligation=rule.obligation, requirement=rule.requirement, message=message,
                              evidence=(located,), remediation=remediation, subject=src.key, source=rule.source,
                              finding=f"gap:{path}"))
    return out, standards


def _listed(gap: Problem, pointer: str, reported_as: str, standards: tuple[str, ...] = (), file: str | None = None
            ) -> ContentGap:
    return ContentGap(file if file is not None else (gap.file or ""), pointer, gap.line, gap.column, gap.gap or "",
                      Text(gap.text("zh"), gap.text("en")), reported_as, standards)


def gap_results(gaps: list[Problem], packs: list[Pack], facts: FactBase, results: list[Result], schemas: Any = None
                ) -> tuple[list[Result], list[ContentGap]]:
    """The results with every content gap accounted for, and the report's list of the gaps.

    A breach that rests on a gap gets the gap's location added to its evidence when it pointed
    elsewhere (a "none found" result points at bundle.yaml); a gap no breach covers adds results of
    its own (see the module docstring)."""
    rules = {(p.id, r.id): r for p in packs for r in p.rules}
    by_id = {p.id: p for p in packs}
    results = list(results)
    index = {(src.file, src.pointer): src for src in facts.sources.values()
             if src.document is not None and not src.kind.startswith(AGG_PREFIX)} \
        if any(gap.gap != "optional" for gap in gaps) else {}  # (looked up only for such a gap)
    extra: list[Result] = []
    listed: list[ContentGap] = []
    for gap in gaps:
        pointer = gap.field or ""
        src = None if gap.gap in ("optional", "table") else _owner(index, gap.file or "", pointer)
        if gap.gap == "table":  # a declared table the bundle lacks (checker.bundle)
            found, entry = _absent_table(gap, packs, results)
        elif src is None:  # an optional value left empty (not given, no finding), or a value of no record
            found, entry = [], _listed(gap, pointer, "optional" if gap.gap == "optional" else "not_covered",
                                       file=gap.file or "")
        else:
            found, entry = _field_gap(gap, src, packs, results, (rules, by_id), schemas)
        extra += found
        listed.append(entry)
    return results + extra, listed


def _field_gap(gap: Problem, src: FactSource, packs: list[Pack], results: list[Result], index: tuple[dict, dict],
               schemas: Any) -> tuple[list[Result], ContentGap]:
    """A gap in a value of a document or record: cited by the breaches that rest on it, else findings of its own."""
    pointer = gap.field or ""
    path = _field_path(src, pointer)
    evidence_ptr = pointer.rsplit("/", 1)[0] if gap.gap == "required" else pointer
    located = Evidence(gap.file or "", evidence_ptr, gap.line, gap.column,
                       Text(f"内容缺失：{gap.text('zh')}", f"content gap: {gap.text('en')}"))
    covering = _covering(src, src.kind, path, results, *index)
    if covering:
        return [], _listed(gap, pointer, "rule", _cite(results, covering, gap, located))
    found, standards = _findings(gap, src, path, packs, located, schemas)
    return found, _listed(gap, pointer, "finding" if standards else "not_covered", tuple(standards))


def _absent_table(gap: Problem, packs: list[Pack], results: list[Result]) -> tuple[list[Result], ContentGap]:
    """A table ``bundle.yaml`` declares and the bundle lacks: the breaches that rest on its kind being absent
    get the declaration (file, line) as evidence.  When none does (another document of the kind is there, or
    no rule breaches on its absence), the gap is a finding of its own at the most general clause of the rules
    that judge that kind (a minor nonconformity, or an observation when only 宜/可 rules judge it): what the
    table held was not checked, and absence of evidence is never conformity."""
    kind, pointer = gap.kind or "", gap.field or ""
    located = Evidence(gap.file or "", pointer, gap.line, gap.column,
                       Text(f"内容缺失：{gap.text('zh')}", f"content gap: {gap.text('en')}"))
    covering = [i for i, r in enumerate(results) if r.status in BREACH and _rests_on(r, kind)]
    if covering:
        return [], _listed(gap, pointer, "rule", _cite(results, covering, gap, located))
    message = Text(f"《{gap.file}》{gap.text('zh')}（{kind}），其记录未能核查。",
                   f"{gap.file}: {gap.text('en')} ({kind}); its records could not be checked.")
    remediation = Text(f"将该表格放入证据包，或从《{gap.file}》的 tables 中删去该声明。",
                       f"Put the table in the bundle, or remove its declaration from tables in {gap.file}.")
    found = []
    for pack in packs:
        judging = [r for r in pack.rules if r.for_each == kind or r.for_each.startswith(kind + ".")]
        if not judging:
            continue
        rule = _general(judging)
        status, grade = _status(rule.grade)
        found.append(Result(rule=rule.id, standard=pack.id, clause=rule.clause, status=status,
                            grade=Grade.MINOR if grade else None, obligation=rule.obligation,
                            requirement=rule.requirement, message=message, evidence=(located,),
                            remediation=remediation, subject=f"none:{kind}", source=rule.source,
                            finding=f"gap:{pointer}"))
    standards = tuple(sorted({r.standard for r in found}))
    return found, _listed(gap, pointer, "finding" if found else "not_covered", standards)


def _rests_on(r: Result, kind: str) -> bool:
    """Whether a result rests on ``kind`` (or a record list of it) being absent or empty."""
    def of_kind(x: str) -> bool:
        return x == kind or x.startswith(kind + ".")
    subject = r.subject or ""
    return bool(r.missing and of_kind(r.missing)) or (subject.startswith("none:") and of_kind(subject[5:]))


def _status(grade: str) -> tuple[Status, Grade | None]:
    if grade == "observation":
        return Status.OBSERVATION, None
    return Status.NONCONFORMITY, Grade(grade)
