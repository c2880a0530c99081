"""The nonconformity list: one entry per evidence defect, citing every clause it breaches."""

from __future__ import annotations

import json
from typing import Any

from .ids import nonconformity_ids
from .model import Grade, Nonconformity, Result, Status, Text, severity


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


def _merge_across_packs(groups: list[list[Result]], crosswalk: Any) -> list[list[Result]]:
    """In a combined audit, one defect breaching clauses of several standards is one nonconformity:
    groups of different packs merge when they are the same missing document, or the same subject and
    evidence location under a crosswalk topic they share.  Two groups of one pack never merge."""
    clusters: list[dict] = []
    for group in groups:
        first = group[0]
        standard = first.standard
        topics = (frozenset().union(*(crosswalk.topics_of(r.standard, r.clause) for r in group)) if crosswalk
                  else frozenset())
        location = (first.evidence[0].file, first.evidence[0].pointer) if first.evidence else None
        missing = _missing_document(first)
        for c in clusters:
            if standard in c["standards"]:
                continue
            if (missing and missing == c["missing"]) or (
                    not missing and first.subject == c["subject"] and location == c["location"]
                    and topics & c["topics"]):
                c["groups"].append(group)
                c["standards"].add(standard)
                c["topics"] |= topics
                break
        else:
            clusters.append({"groups": [group], "standards": {standard}, "topics": set(topics), "missing": missing,
                             "subject": first.subject, "location": location})
    return [[r for g in c["groups"] for r in g] for c in clusters]


def nonconformity_groups(results: list[Result], crosswalk: Any = None) -> list[tuple[str, list[Result]]]:
    """Each nonconformity's id and the results it is made of (see ``nonconformities``)."""
    merged: dict[tuple, list[Result]] = {}
    for r in results:
        if r.status is Status.NONCONFORMITY:
            merged.setdefault(defect_key(r), []).append(r)
    groups = list(merged.values())
    if len({r.standard for g in groups for r in g}) > 1:
        groups = _merge_across_packs(groups, crosswalk)
    keys = [min((defect_key(r) for r in group), key=lambda k: json.dumps(k, ensure_ascii=False, default=str))
            for group in groups]
    return list(zip(nonconformity_ids(keys), groups, strict=True))


def nonconformities(results: list[Result], crosswalk: Any = None) -> list[Nonconformity]:
    """One entry per evidence defect, citing every clause it breaches (worst grade wins).

    Ids are derived from the defect key (pack, rule or finding, evidence key; see ``checker.ids``),
    so they do not change when files, records or keys are renamed or reordered; a nonconformity
    merged across packs takes the smallest of its members' keys."""
    order = {(r.standard, r.clause): i for i, r in reversed(list(enumerate(results)))}
    return [_nonconformity(nc_id, group, order) for nc_id, group in nonconformity_groups(results, crosswalk)]


def _worst_grade(group: list[Result]) -> Grade:
    grades = [r.grade for r in group if r.grade is not None]  # every member is a graded nonconformity
    return Grade.MAJOR if Grade.MAJOR in grades else grades[0]


def _finding(first: Result, group: list[Result]) -> Text:
    """The first member's finding, with how many more subjects breach the same rule."""
    finding = first.message
    more = len({r.subject for r in group if r.rule == first.rule}) - 1
    if more <= 0:
        return finding
    return Text(f"{finding.zh}（另有 {more} 处同类情况，见证据位置。）",
                f"{finding.en} (and {more} more instance{'s' if more > 1 else ''} of the same; see the evidence.)")


def _nonconformity(nc_id: str, group: list[Result], order: dict[tuple[str, str], int]) -> Nonconformity:
    clauses = tuple(sorted(dict.fromkeys((r.standard, r.clause) for r in group), key=order.__getitem__))
    group = sorted(group, key=lambda r: (severity(r.status, r.grade), not (r.subject or "").startswith("none:")))
    first = group[0]
    return Nonconformity(
        id=nc_id, clauses=clauses, grade=_worst_grade(group),
        requirement=first.requirement, finding=_finding(first, group),
        evidence=tuple(dict.fromkeys(e for r in group for e in r.evidence)), remediation=first.remediation,
        rules=tuple(dict.fromkeys(r.rule for r in group)),
        members=tuple(dict.fromkeys((r.standard, r.rule) for r in group)),
        missing=tuple(sorted({r.missing for r in group if r.missing})),
        judgement=next((r.judgement for r in group if r.judgement), None))  # the auditor's (checker.onsite)
