"""``report.sarif``: the rule results as SARIF 2.1.0 (OASIS Static Analysis Results Interchange
Format), located at file, line and column of the evidence bundle, for code-scanning style viewers.

* ``tool.driver.rules``: one reporting descriptor per rule that has a result — ``id`` the rule id,
  ``shortDescription`` the requirement it checks (quoted from the standard), ``properties`` the
  standard, its code, the clause and the modal verb (obligation);
* ``results``: one per rule result, in report order.  A nonconformity is ``kind: fail`` with
  ``level: error`` (major) or ``warning`` (minor); an observation ``kind: fail, level: note``; needs
  on-site verification ``kind: review``; not evaluated and rule errors ``kind: open`` (undetermined,
  never a pass); conformity ``pass``; not applicable ``notApplicable`` (SARIF requires ``level:
  none`` for every kind but ``fail``);
* locations: ``artifactLocation`` relative to ``%SRCROOT%``-like base ``BUNDLE`` (the bundle folder;
  its absolute path is not written, so the file is the same on every machine), ``region`` with
  ``startLine`` / ``startColumn`` from the evidence;
* ``partialFingerprints``: ``nonconformityId/v1`` the stable nonconformity id (the NCR number), and
  ``ruleSubject/v1`` the standard, rule and subject key of every result, so a viewer follows a
  finding from one audit to the next;
* ``run.language`` is the report language (zh-CN or en-US); messages are in that language.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..escape import printable
from ..model import Evidence, Grade, Report, Status
from ._json import dumps as json_dumps
from ._machine import (
    Item,
    audit_facts,
    explanation,
    items,
    judgement_text,
    status_text,
    waiver_in_force,
    waiver_text,
    words,
)

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
BASE = "BUNDLE"

_KIND = {Status.CONFORM: "pass", Status.NOT_APPLICABLE: "notApplicable", Status.ONSITE: "review",
         Status.NOT_EVALUATED: "open", Status.ERROR: "open", Status.NONCONFORMITY: "fail",
         Status.OBSERVATION: "fail"}


def _level(item: Item) -> str:
    r = item.result
    if r.status is Status.NONCONFORMITY:
        return "error" if r.grade is Grade.MAJOR else "warning"
    return "note" if r.status is Status.OBSERVATION else "none"


def uri(path: str) -> str:
    """A bundle-relative path as a relative URI reference (non-ASCII and reserved characters encoded)."""
    return quote(path.replace("\\", "/"), safe="/")


def _location(e: Evidence, lang: str) -> dict:
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri(e.file), "uriBaseId": BASE}}
    if e.line:
        physical["region"] = {"startLine": e.line, **({"startColumn": e.column} if e.column else {})}
    out: dict[str, Any] = {"physicalLocation": physical}
    if e.pointer:
        out["logicalLocations"] = [{"fullyQualifiedName": printable(e.pointer), "kind": "element"}]
    if e.note:
        out["message"] = {"text": printable(e.note.get(lang))}
    return out


def _rule_ids(all_items: list[Item]) -> dict[tuple[str, str], str]:
    """The SARIF id of each (standard, rule): the rule id, or ``standard/rule`` where two packs share it."""
    keys = list(dict.fromkeys((i.result.standard, i.result.rule) for i in all_items))
    shared = {rule for _, rule in keys if sum(1 for _, r in keys if r == rule) > 1}
    return {(s, r): f"{s}/{r}" if r in shared else r for s, r in keys}


def _rules(all_items: list[Item], ids: dict[tuple[str, str], str]) -> list[dict]:
    rules: dict[str, dict] = {}
    for item in all_items:
        r = item.result
        rid = ids[(r.standard, r.rule)]
        if rid in rules:
            continue
        rules[rid] = {
            "id": rid,
            "shortDescription": {"text": printable(r.requirement)},
            "fullDescription": {"text": printable(f"{item.classname}: {r.requirement}")},
            "properties": {"standard": r.standard, "standard_code": item.code, "clause": r.clause,
                           "obligation": r.obligation},
        }
    return list(rules.values())


def _message(item: Item, lang: str) -> str:
    r = item.result
    if r.status in (Status.NOT_APPLICABLE, Status.NOT_EVALUATED, Status.ONSITE):
        return explanation(item, lang)
    text = printable(r.message.get(lang))
    return f"{item.nc.id}: {text}" if item.nc is not None else text


def _result(item: Item, index: int, rule_id: str, lang: str) -> dict:
    r = item.result
    out: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": index,
        "kind": _KIND[r.status],
        "level": _level(item),
        "message": {"text": _message(item, lang)},
        "locations": [_location(e, lang) for e in r.evidence],
        "partialFingerprints": {"ruleSubject/v1": f"{r.standard}:{r.rule}:{r.subject or ''}"},
    }
    if item.nc is not None:
        out["partialFingerprints"]["nonconformityId/v1"] = item.nc.id
    props: dict[str, Any] = {"standard": r.standard, "clause": r.clause, "status": r.status.value,
                             "status_label": status_text(r, lang)}
    if r.grade is not None:
        props["grade"] = r.grade.value
    if item.nc is not None:
        props["nonconformity"] = item.nc.id
    if r.subject:
        props["subject"] = printable(r.subject)
    if r.source != "full text":
        props["source"] = r.source
    if r.depends_on:
        props["depends_on"] = list(r.depends_on)
    if r.judgement:
        props["judgement"] = judgement_text(r.judgement, lang)
    if item.nc is not None and item.nc.waiver:
        props["waiver"] = waiver_text(item.nc.waiver, lang)
        if waiver_in_force(item.nc):  # an accepted risk: still a nonconformity, shown as suppressed, not gone
            out["suppressions"] = [{"kind": "external", "status": "accepted",
                                    "justification": printable(item.nc.waiver.get("justification") or "")}]
    if r.remediation is not None:  # a pre-check only: an audit report carries no advice (checker.modes)
        props["remediation"] = printable(r.remediation.get(lang))
    out["properties"] = props
    return out


def to_dict(report: Report, lang: str = "zh") -> dict:
    all_items = list(items(report))
    ids = _rule_ids(all_items)
    rules = _rules(all_items, ids)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    w = words(lang)
    results = [_result(item, index[ids[(item.result.standard, item.result.rule)]],
                       ids[(item.result.standard, item.result.rule)], lang) for item in all_items]
    errors = [item for item in all_items if item.result.status is Status.ERROR]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "parkcheck", "version": report.tool_version,
                            "fullName": f"parkcheck {report.tool_version}",
                            "shortDescription": {"text": w["tool_description"]},
                            "rules": rules}},
        "invocations": [{"executionSuccessful": not errors,
                         **({"endTimeUtc": report.generated_at} if report.generated_at else {}),
                         **({"toolExecutionNotifications": [
                             {"level": "error", "message": {"text": _message(item, lang)},
                              "descriptor": {"id": ids[(item.result.standard, item.result.rule)]},
                              "locations": [_location(e, lang) for e in item.result.evidence]}
                             for item in errors]} if errors else {})}],
        "originalUriBaseIds": {BASE: {"description": {"text": w["bundle_root"]}}},
        "artifacts": [{"location": {"uri": uri(f.path), "uriBaseId": BASE}, "length": f.size,
                       "hashes": {"sha-256": f.sha256}} for f in report.files],
        "language": "zh-CN" if lang == "zh" else "en-US",
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": _run_properties(report),
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _run_properties(report: Report) -> dict:
    out: dict[str, Any] = {"mode": report.mode,
                           "standards": [{"id": p.id, "code": p.code, "edition": p.edition, "pack_version": p.version,
                                          "pack_sha256": p.sha256} for p in report.packs],
                           "nonconformities": [{"id": n.id, "grade": n.grade.value,
                                                "clauses": [{"standard": s, "clause": c} for s, c in n.clauses]}
                                               for n in report.nonconformities]}
    park = (report.bundle.get("park") or {}).get("name")
    if park:
        out["park"] = printable(park)
    if report.bundle.get("audit_date"):
        out["audit_date"] = report.bundle["audit_date"]
    if report.audit:
        out["audit"] = dict(audit_facts(report))
    return out


def render(report: Report, lang: str = "zh") -> bytes:
    return (json_dumps(to_dict(report, lang)) + "\n").encode("utf-8")
