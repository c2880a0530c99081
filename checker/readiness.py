"""A pre-check's readiness view: per PDCA area, and the order in which to fix the nonconformities.

Which clause belongs to which area (策划 Plan / 实施 Do / 检查 Check / 改进 Act) is declared in each
pack's ``pack.yaml`` (``pdca``): ``areas`` maps an area to clause numbers, each covering its
sub-clauses and list items (the nearest listed ancestor decides), with the ``basis`` of the
mapping; a pack whose standard is not structured as a PDCA cycle says so with ``omitted`` and its
reason instead, and gets no area view.  Counts are of clause verdicts (as in the clause table:
a clause and each of its list items count once each), normative clauses only.

"Fix first" orders the nonconformities: majors first, then those that most other results wait
on (``Result.depends_on``), then clause order (the order of the nonconformity list).
"""

from __future__ import annotations

from .model import Grade, Report, Status
from .packmodel import Pack, clause_parent

__all__ = ["AREAS", "COUNTED", "area_of", "fix_first", "readiness"]

AREAS: dict[str, dict[str, str]] = {"plan": {"zh": "策划", "en": "Plan"}, "do": {"zh": "实施", "en": "Do"},
                                    "check": {"zh": "检查", "en": "Check"}, "act": {"zh": "改进", "en": "Act"}}
COUNTED = (Status.CONFORM, Status.NONCONFORMITY, Status.NOT_EVALUATED, Status.ONSITE)


def area_of(clause: str, mapping: dict[str, str]) -> str | None:
    """The area of ``clause``: that of the nearest of its ancestors (itself included) the mapping lists."""
    node: str | None = clause
    while node:
        if node in mapping:
            return mapping[node]
        node = clause_parent(node)
    return None


def _pack_view(pack: Pack, report: Report) -> dict:
    pdca = pack.meta.get("pdca") or {}
    if "areas" not in pdca:
        return {"standard": pack.id, "omitted": dict(pdca["omitted"]) if pdca.get("omitted") else
                {"zh": "规则包未声明 PDCA 对应关系", "en": "the rule pack declares no PDCA mapping"}}
    mapping = {str(c): area for area, clauses in pdca["areas"].items() for c in clauses}
    counts = {a: {**{s.value: 0 for s in COUNTED}, "other": 0, "total": 0} for a in AREAS}
    unmapped = 0
    for v in report.verdicts:
        if v.standard != pack.id or not v.normative:
            continue
        area = area_of(v.clause, mapping)
        if area is None:
            unmapped += 1
            continue
        key = v.status.value if v.status in COUNTED else "other"
        counts[area][key] += 1
        counts[area]["total"] += 1
    areas = [{"area": a, "label": dict(AREAS[a]), "clauses": [str(c) for c in pdca["areas"].get(a, ())],
              **counts[a]} for a in AREAS]
    return {"standard": pack.id, "basis": dict(pdca["basis"]), "areas": areas, "unmapped": unmapped}


def fix_first(report: Report) -> list[dict]:
    """The nonconformities in the order to fix them, each with how many results wait on it."""
    waiting: dict[str, int] = {}
    for r in report.results:
        for nc_id in r.depends_on:
            waiting[nc_id] = waiting.get(nc_id, 0) + 1
    ranked = sorted(enumerate(report.nonconformities),
                    key=lambda x: (x[1].grade is not Grade.MAJOR, -waiting.get(x[1].id, 0), x[0]))
    return [{"id": nc.id, "grade": nc.grade.value, "waiting": waiting.get(nc.id, 0),
             "clauses": [{"standard": s, "clause": c} for s, c in nc.clauses]} for _, nc in ranked]


def readiness(report: Report, packs: list[Pack]) -> dict:
    """The pre-check's readiness view: {areas: [one per pack], fix_first: [...]}."""
    return {"areas": [_pack_view(p, report) for p in packs], "fix_first": fix_first(report)}
