"""``oscal-assessment-results.json``: the check as NIST OSCAL 1.1.3 assessment results.

* ``metadata``: title, ``last-modified`` (the report's generation time with ``--timestamp``, else
  the audit date at 00:00 Asia/Shanghai: a fixed value, so the file is byte-identical), the tool
  version as document version, the park as a party;
* ``import-ap``: parkcheck has no separate assessment plan; ``href`` points to a back-matter
  resource naming the rule packs used (with their SHA-256);
* one ``result`` with ``reviewed-controls`` (the clauses rules cover), one ``observation`` per rule
  result (``relevant-evidence``: the file as a relative URI, line/column/pointer as properties), one
  ``finding`` per clause verdict (``target``: the clause as an objective, ``satisfied`` /
  ``not-satisfied``; undetermined verdicts — on-site, not evaluated, error — are not satisfied:
  absence of evidence is never conformity) and one ``risk`` per nonconformity (the NCR number as a
  property; in a pre-check its remediation as a ``recommendation``; an audit report has none);
* every UUID is a version-5 UUID of a stable key (the nonconformity id, standard/rule/subject, the
  clause), so the same input gives the same file.

Identifiers OSCAL types as tokens (``control-id``, ``target-id``) must be XML NCNames: clause
numbers such as ``5.1 b)`` are written with the characters a token cannot hold as ``_XX`` (hex):
``t-cpqs-zc001-2025_-5.1_20b_29``.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from typing import Any
from urllib.parse import quote

from ..escape import printable
from ..labels_out import status_label
from ..model import ClauseVerdict, Nonconformity, Report, Status
from ._json import dumps as json_dumps
from ._machine import (
    UNDETERMINED,
    Item,
    audit_facts,
    body,
    items,
    judgement_text,
    location,
    status_text,
    waiver_in_force,
    waiver_text,
    words,
)

OSCAL_VERSION = "1.1.3"
NS = "https://parkcheck.invalid/ns/oscal"  # the namespace of parkcheck's own properties
_ROOT = uuid.uuid5(uuid.NAMESPACE_URL, NS)
_TOKEN_CHAR = re.compile(r"[^\w.\-]|_", re.UNICODE)


def uid(*key: str) -> str:
    """A version-5 UUID of a stable key."""
    return str(uuid.uuid5(_ROOT, "\x1f".join(key)))


def _scope(report: Report) -> tuple[str, str]:
    """What makes one assessment: the bundle and the date the check measures from.  Observations and
    findings are of one assessment; a risk is known by its nonconformity id across audits."""
    return (str(report.bundle.get("name") or ""), str(report.bundle.get("audit_date") or ""))


def token(*parts: str) -> str:
    """An OSCAL token (XML NCName) that names ``parts`` one-to-one: letters, digits, ``.`` and ``-``
    kept, anything else (``_`` included) as ``_XX`` (UTF-8 hex), the parts joined by ``_-`` (which no
    escape starts with); a leading ``_`` keeps it from starting with a digit."""
    text = "_-".join(_TOKEN_CHAR.sub(lambda m: "".join(f"_{b:02X}" for b in m[0].encode("utf-8")), p) for p in parts)
    return text if text[:1].isalpha() else "_" + text


def _prop(name: str, value, cls: str | None = None) -> dict:
    out = {"name": name, "ns": NS, "value": _string(value)}
    if cls:
        out["class"] = cls
    return out


def _string(value) -> str:
    """OSCAL strings may not be empty nor start or end with whitespace."""
    text = printable(value).strip()
    return text or "—"


def _timestamp(report: Report) -> str:
    if report.generated_at:
        return report.generated_at.replace("+00:00", "Z") if report.generated_at.endswith("+00:00") \
            else report.generated_at
    date = report.bundle.get("audit_date") or "1970-01-01"
    return f"{date}T00:00:00+08:00"


def _observation(item: Item, lang: str, when: str, tool: str, occurrence: int, scope: tuple[str, ...]) -> dict:
    """One rule result; ``occurrence`` tells apart results with the same rule and subject (none in the
    shipped packs, but the UUID must stay unique and stable whatever a pack does)."""
    r = item.result
    props = [_prop("standard", r.standard), _prop("clause", r.clause), _prop("rule", r.rule),
             _prop("status", r.status.value)]
    if r.grade is not None:
        props.append(_prop("grade", r.grade.value))
    if item.nc is not None:
        props.append(_prop("nonconformity-id", item.nc.id))
    if r.judgement:
        props.append(_prop("auditor-judgement", judgement_text(r.judgement, lang)))
    repeat = (str(occurrence),) if occurrence else ()
    evidence = []
    for e in r.evidence:
        ev_props = [_prop(k, v) for k, v in (("line", e.line), ("column", e.column), ("pointer", e.pointer))
                    if v not in (None, "")]
        evidence.append({"href": quote(e.file.replace("\\", "/"), safe="/"), "description": _string(location(e, lang)),
                         **({"props": ev_props} if ev_props else {})})
    return {
        "uuid": uid("observation", *scope, r.standard, r.rule, r.subject or "", *repeat),
        "title": _string(f"{item.name} — {status_text(r, lang)}"),
        "description": _string(body(item, lang)),
        "props": props,
        "methods": ["EXAMINE"],
        "types": ["finding"] if r.status in (Status.NONCONFORMITY, Status.OBSERVATION) else ["control-objective"],
        "origins": [{"actors": [{"type": "tool", "actor-uuid": tool}]}],
        **({"relevant-evidence": evidence} if evidence else {}),
        "collected": when,
    }


def _state(v: ClauseVerdict) -> tuple[str, str]:
    """``(state, reason)`` of a clause verdict; what is not determined is not satisfied (fail closed)."""
    if v.status is Status.NONCONFORMITY:
        return "not-satisfied", "fail"
    if v.status in UNDETERMINED:
        return "not-satisfied", "other"
    if v.status is Status.NOT_APPLICABLE:
        return "satisfied", "other"
    return "satisfied", "pass"


def _finding(v: ClauseVerdict, code: str, obs: list[str], risks: list[str], lang: str, scope: tuple[str, ...]) -> dict:
    state, reason = _state(v)
    label = status_label(v.status, v.grade, lang)
    target: dict[str, Any] = {
        "type": "objective-id", "target-id": token(v.standard, v.clause),
        "title": _string(f"{code} {v.clause} {v.title}"),
        "status": {"state": state, "reason": reason},
    }
    if v.status is Status.NOT_APPLICABLE:
        target["implementation-status"] = {"state": "not-applicable"}
    if v.reason is not None:
        target["status"]["remarks"] = _string(v.reason.get(lang))
    if v.status in UNDETERMINED:
        target["remarks"] = _string(words(lang)["undetermined"])
    out: dict[str, Any] = {
        "uuid": uid("finding", *scope, v.standard, v.clause),
        "title": _string(f"{code} {v.clause}"),
        "description": _string(f"{v.title} — {label}"),
        "props": [_prop("standard", v.standard), _prop("clause", v.clause), _prop("status", v.status.value),
                  *([_prop("grade", v.grade.value)] if v.grade else [])],
        "target": target,
    }
    if obs:
        out["related-observations"] = [{"observation-uuid": o} for o in obs]
    if risks:
        out["related-risks"] = [{"risk-uuid": r} for r in risks]
    return out


_RISK_STATUS = {"closed": "closed", "completed": "remediating", "planned": "remediating"}


def _risk_status(nc: Nonconformity) -> str:
    """From the 不符合项报告 status (checker.ncr); a waiver in force is an approved deviation
    (checker.waivers): the nonconformity stays in every count."""
    status = _RISK_STATUS.get(str((nc.record or {}).get("status")), "open")
    return "deviation-approved" if status != "closed" and waiver_in_force(nc) else status


def _risk(nc: Nonconformity, codes: dict[str, str], obs: list[str], lang: str, tool: str) -> dict:
    w = words(lang)
    record = nc.record or {}
    clauses = "; ".join(f"{codes.get(s, s)} {c}" for s, c in nc.clauses)
    out: dict[str, Any] = {
        "uuid": uid("risk", nc.id),
        "title": _string(f"{nc.id} {clauses}"),
        "description": _string(nc.finding.get(lang)),
        "statement": _string(f"{w['requirement']}: {nc.requirement}" if lang != "zh"
                             else f"{w['requirement']}：{nc.requirement}"),
        "props": [_prop("nonconformity-id", nc.id), _prop("grade", nc.grade.value),
                  *(_prop("clause", f"{s} {c}") for s, c in nc.clauses),
                  *(_prop("evidence", location(e, lang)) for e in nc.evidence)],
        "status": _risk_status(nc),
        "origins": [{"actors": [{"type": "tool", "actor-uuid": tool}]}],
    }
    if nc.waiver:
        out["props"].append(_prop("waiver", waiver_text(nc.waiver, lang)))
    if record.get("due_date"):
        out["deadline"] = f"{record['due_date']}T23:59:59+08:00"
    if nc.remediation is not None:  # a pre-check only: an audit report carries no advice (checker.modes)
        out["remediations"] = [{"uuid": uid("remediation", nc.id), "lifecycle": "recommendation",
                                "title": _string(w["remediation"]), "description": _string(nc.remediation.get(lang))}]
    if obs:
        out["related-observations"] = [{"observation-uuid": o} for o in obs]
    return out


def _metadata(report: Report, lang: str, when: str) -> dict:
    w = words(lang)
    park = (report.bundle.get("park") or {}).get("name") or report.bundle.get("name") or "—"
    standards = ", ".join(p.code for p in report.packs)
    meta: dict[str, Any] = {
        "title": _string(w["results_title"].format(park=park, standards=standards)),
        "last-modified": when,
        "version": _string(f"parkcheck {report.tool_version}"),
        "oscal-version": OSCAL_VERSION,
        "props": [_prop("mode", report.mode), _prop("language", lang),
                  *(_prop(k.replace("_", "-"), v) for k, v in audit_facts(report))],
        "parties": [{"uuid": uid("party", park), "type": "organization", "name": _string(park)}],
    }
    return meta


def _back_matter(report: Report, lang: str, plan: str) -> dict:
    w = words(lang)
    resources = [{"uuid": plan, "title": _string(w["plan"]), "description": _string(w["plan_note"]),
                  "props": [_prop("standard", f"{p.id} {p.code} {p.version}") for p in report.packs]}]
    resources += [{"uuid": uid("pack", p.id), "title": _string(f"{w['pack']} {p.code} {p.title}"),
                   "props": [_prop("standard", p.id), _prop("edition", p.edition), _prop("pack-version", p.version),
                             _prop("sha256", p.sha256)]} for p in report.packs]
    resources += [{"uuid": uid("file", f.path), "title": _string(f"{w['evidence_file']} {f.path}"),
                   "rlinks": [{"href": quote(f.path.replace("\\", "/"), safe="/"),
                               "hashes": [{"algorithm": "SHA-256", "value": f.sha256}]}]} for f in report.files]
    return {"resources": resources}


def _links(all_items: list[Item], observations: list[dict], ncs: tuple[Nonconformity, ...]):
    """The observation uuids of each clause and of each nonconformity; the risk uuids of each clause."""
    obs_of_clause: dict[tuple[str, str], list[str]] = {}
    obs_of_nc: dict[str, list[str]] = {}
    for item, ob in zip(all_items, observations, strict=True):
        obs_of_clause.setdefault((item.result.standard, item.result.clause), []).append(ob["uuid"])
        if item.nc is not None:
            obs_of_nc.setdefault(item.nc.id, []).append(ob["uuid"])
    risks_of_clause: dict[tuple[str, str], list[str]] = {}
    for nc in ncs:
        for clause in nc.clauses:
            risks_of_clause.setdefault(clause, []).append(uid("risk", nc.id))
    return obs_of_clause, obs_of_nc, risks_of_clause


def _observations(all_items: list[Item], lang: str, when: str, tool: str, scope: tuple[str, ...]) -> list[dict]:
    seen: Counter[tuple[str, str, str]] = Counter()
    out = []
    for i in all_items:
        key = (i.result.standard, i.result.rule, i.result.subject or "")
        out.append(_observation(i, lang, when, tool, seen[key], scope))
        seen[key] += 1
    return out


def _result(report: Report, lang: str, when: str) -> dict:
    w = words(lang)
    tool = uid("tool", "parkcheck")
    codes = {p.id: p.code for p in report.packs}
    all_items = list(items(report))
    scope = _scope(report)
    observations = _observations(all_items, lang, when, tool, scope)
    obs_of_clause, obs_of_nc, risks_of_clause = _links(all_items, observations, report.nonconformities)
    assessed = [v for v in report.verdicts if v.rules]
    park = (report.bundle.get("park") or {}).get("name") or report.bundle.get("name") or "—"
    result: dict[str, Any] = {
        "uuid": uid("result", *scope, *(p.id for p in report.packs)),
        "title": _string(w["evidence_collected"]),
        "description": _string(w["results_description"].format(
            park=park, date=report.bundle.get("audit_date") or "—", n=len(report.results),
            ncs=len(report.nonconformities))),
        "start": when,
        "local-definitions": {"components": [{
            "uuid": tool, "type": "software", "title": f"parkcheck {report.tool_version}",
            "description": _string(w["tool_description"]), "status": {"state": "operational"}}]},
        "reviewed-controls": {"description": _string(w["controls"]), "control-selections": [
            {"include-controls": [{"control-id": token(v.standard, v.clause)} for v in assessed]} if assessed
            else {"include-all": {}}]},
    }
    if observations:
        result["observations"] = observations
    if report.nonconformities:
        result["risks"] = [_risk(nc, codes, obs_of_nc.get(nc.id, []), lang, tool) for nc in report.nonconformities]
    if assessed:
        result["findings"] = [
            _finding(v, codes.get(v.standard, v.standard), obs_of_clause.get((v.standard, v.clause), []),
                     risks_of_clause.get((v.standard, v.clause), []), lang, scope) for v in assessed]
    return result


def to_dict(report: Report, lang: str = "zh") -> dict:
    when = _timestamp(report)
    plan = uid("plan", *(p.id for p in report.packs))
    return {"assessment-results": {
        "uuid": uid("assessment-results", *_scope(report), *(p.id for p in report.packs)),
        "metadata": _metadata(report, lang, when),
        "import-ap": {"href": f"#{plan}", "remarks": _string(words(lang)["plan_note"])},
        "results": [_result(report, lang, when)],
        "back-matter": _back_matter(report, lang, plan),
    }}


def render(report: Report, lang: str = "zh") -> bytes:
    return (json_dumps(to_dict(report, lang)) + "\n").encode("utf-8")
