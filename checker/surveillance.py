"""A surveillance audit against the previous one: closed, still open, new and recurring nonconformities.

Two reports are compared by their nonconformities' stable ids (``NC-…``, checker.ids):

* **closed** — a nonconformity of the previous report this check no longer finds (with the status
  the previous report gave it, and the park's corrective-action record when one is given);
* **still open** — found again under the same id, and not verified closed in the previous report;
  also a previous nonconformity, not verified closed, of a standard this check does not cover (it
  cannot be called closed);
* **recurring** — found again although the previous report had it verified closed (status
  ``closed``), or a nonconformity with a new id at a rule (and standard) of one the previous report
  had verified closed: the same requirement is breached again after a closure;
* **new** — every other nonconformity of this check.

Open means not verified closed: a nonconformity of the new report whose record says ``closed``
(verified in this audit's corrective actions) is not counted among those that remain open.

The previous report is never trusted: it is read as a regular file within the document limits
(checker.safeio, checker.yamlio), must be a parkcheck report (``$schema`` and ``report_version``)
and every field used is validated (types, id pattern, grades, dates); any problem is one line naming
the file, line and field (exit 2).  Both reports must be of the same park, the previous one not later.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from .errors import InputError
from .escape import clip
from .i18n import tr
from .ids import ID_PATTERN
from .limits import DEFAULT_LIMITS, option
from .safeio import read_regular_file
from .schemaerrors import describe_error
from .schemas import load_schemas
from .yamlio import decode_text, parse_yaml

__all__ = ["CATEGORIES", "STATUSES", "compare", "open_remaining", "previous_ids", "read_report"]

CATEGORIES = ("closed", "still_open", "recurring", "new")
STATUSES = ("open", "planned", "completed", "closed", "overdue")
_TEXT = {"type": "object", "required": ["zh", "en"],
         "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}}
_NC = {
    "type": "object",
    "required": ["id", "clauses", "grade", "finding", "rules"],
    "properties": {
        "id": {"type": "string", "pattern": ID_PATTERN},
        "clauses": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["standard", "clause"],
            "properties": {"standard": {"type": "string"}, "clause": {"type": "string"}}}},
        "grade": {"enum": ["major", "minor"]},
        "finding": _TEXT,
        "rules": {"type": "array", "items": {"type": "string"}},
        "record": {"type": "object", "properties": {
            "status": {"enum": list(STATUSES)},
            "documents": {"type": "array", "items": {"type": "object", "properties": {
                "file": {"type": ["string", "null"]}, "line": {"type": ["integer", "null"]},
                "number": {"type": ["string", "null"]}, "title": {"type": ["string", "null"]},
                "version": {"type": ["string", "null"]}}}}}},
    },
}


def _schema() -> dict:
    """The fields of a report this comparison reads (other fields are not used, so not judged)."""
    report_id = load_schemas().schema("report.schema.json")["$id"]
    return {
        "type": "object",
        "required": ["$schema", "report_version", "bundle", "packs", "nonconformities"],
        "properties": {
            "$schema": {"const": report_id},
            "report_version": {"const": "1"},
            "tool": {"type": "object", "properties": {"version": {"type": "string"}}},
            "bundle": {"type": "object", "required": ["park", "audit_date"], "properties": {
                "park": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
                "audit_date": {"type": "string", "format": "date"}}},
            "packs": {"type": "array", "items": {"type": "object", "required": ["id"],
                                                 "properties": {"id": {"type": "string"}}}},
            "nonconformities": {"type": "array", "items": _NC},
        },
    }


def read_report(path: Path) -> dict:
    """A parkcheck report.json, read without trusting it; ``_sha256`` and ``_file`` are added."""
    label = str(path)
    raw = read_regular_file(path, label, DEFAULT_LIMITS.max_document_bytes, option("max_document_bytes"))
    text = decode_text(raw, label)
    if not text.lstrip("\ufeff \t\r\n").startswith("{"):
        raise InputError(tr("not a parkcheck report (report.json): expected a JSON object"), label, 1, 1, "/")
    content = parse_yaml(text, label)
    data = content.data
    if not isinstance(data, dict):
        raise InputError(tr("not a parkcheck report (report.json): expected a JSON object"), label, 1, 1, "/")
    schemas = load_schemas()
    errors = sorted(schemas.validator(_schema()).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        pointer, message = describe_error(errors[0])
        line, col = content.position(pointer) or (1, 1)
        raise InputError(tr("not a usable parkcheck report: {reason}", reason=clip(message, 300)), label, line, col,
                         pointer or "/")
    seen: set[str] = set()
    for i, nc in enumerate(data["nonconformities"]):
        if nc["id"] in seen:
            line, col = content.position(f"/nonconformities/{i}/id") or (1, 1)
            raise InputError(tr("nonconformity {nc} is listed twice", nc=nc["id"]), label, line, col,
                             f"/nonconformities/{i}/id")
        seen.add(nc["id"])
    return {**data, "_sha256": hashlib.sha256(raw).hexdigest(), "_file": path.name, "_label": label}


def previous_ids(old: dict) -> dict[str, str]:
    """The previous report's nonconformity ids with their grades."""
    return {nc["id"]: nc["grade"] for nc in old["nonconformities"]}


def _status(nc: dict) -> str | None:
    record = nc.get("record")
    return record.get("status") if isinstance(record, dict) else None


def _entry(nc: dict, status: str | None, previous: str | None, **extra: Any) -> dict:
    out = {"id": nc["id"], "clauses": [{"standard": c["standard"], "clause": c["clause"]} for c in nc["clauses"]],
           "grade": nc["grade"], "finding": {"zh": nc["finding"]["zh"], "en": nc["finding"]["en"]},
           "rules": list(nc["rules"]), "status": status, "previous_status": previous}
    out.update({k: v for k, v in extra.items() if v is not None})
    return out


def _standards(nc: dict) -> set[str]:
    return {c["standard"] for c in nc["clauses"]}


def _recurring_of(nc: dict, closed: list[dict]) -> list[str]:
    """Ids of the previously closed nonconformities at one of ``nc``'s rules and standards."""
    return sorted(o["id"] for o in closed
                  if set(o["rules"]) & set(nc["rules"]) and _standards(o) & _standards(nc))


def _check_pair(old: dict, new: dict) -> None:
    park_old, park_new = old["bundle"]["park"]["name"], new["bundle"]["park"]["name"]
    if park_old != park_new:
        raise InputError(tr("the previous report is of {old}, not of {new}", old=repr(park_old), new=repr(park_new)),
                         old.get("_label"), None, None, "/bundle/park/name")
    if str(old["bundle"]["audit_date"]) > str(new["bundle"]["audit_date"]):
        raise InputError(tr("the previous report's audit date {old} is after this one's ({new})",
                            old=old["bundle"]["audit_date"], new=new["bundle"]["audit_date"]),
                         old.get("_label"), None, None, "/bundle/audit_date")


NOT_RECHECKED = {"zh": "本次检查未涵盖该标准，不能视为已关闭",
                 "en": "this check does not cover its standard: it cannot be taken as closed"}
AUDITOR_FOUND = {"zh": "该不符合项由审核员现场发现，工具无法复查，未经验证关闭前仍视为未关闭",
                 "en": "the auditor found it on site and the tool cannot check it again: it stays open until its "
                       "closure is verified"}
CLOSED_NOTE = {"zh": "纠正措施记录针对上次审核的不符合项，本次检查已不再发现该不符合项",
               "en": "the corrective-action entry is about a nonconformity of the previous audit that this check "
                     "no longer finds"}


def _gone(old: dict, new: dict, late_records: dict[str, dict], out: dict[str, list]) -> None:
    """The previous nonconformities this check does not find: closed, or still open when not verified
    closed and of a standard this check does not cover."""
    found = {nc["id"] for nc in new["nonconformities"]}
    packs = {p["id"] for p in new["packs"]}
    for nc in old["nonconformities"]:
        if nc["id"] in found:
            continue
        if not _standards(nc) & packs and _status(nc) != "closed":
            out["still_open"].append(_entry(nc, _status(nc), _status(nc), note=NOT_RECHECKED))
            continue
        if _auditor_found(nc) and _status(nc) != "closed":  # absence of the tool's finding proves nothing
            out["still_open"].append(_entry(nc, _status(nc), _status(nc), note=AUDITOR_FOUND))
            continue
        late = late_records.get(nc["id"])
        out["closed"].append(_entry(nc, "closed", _status(nc), record=late, note=CLOSED_NOTE if late else None))


def _auditor_found(nc: dict) -> bool:
    """Whether a nonconformity rests on the auditor's on-site finding alone (checker.onsite: an added
    finding, or an upgrade of what the tool did not call a nonconformity): no rule can find it again."""
    judgement = nc.get("judgement") or {}
    return judgement.get("action") in ("add", "upgrade") or all(str(r).startswith("onsite:") for r in nc["rules"])


def _found(old: dict, new: dict, out: dict[str, list]) -> None:
    """This check's nonconformities: still open, recurring or new."""
    old_ncs = {nc["id"]: nc for nc in old["nonconformities"]}
    closed_before = [nc for nc in old["nonconformities"] if _status(nc) == "closed"]
    for nc in new["nonconformities"]:
        before = old_ncs.get(nc["id"])
        repeats = [nc["id"]] if before is not None else _recurring_of(nc, closed_before)
        if repeats and (before is None or _status(before) == "closed"):
            out["recurring"].append(_entry(nc, _status(nc), _status(before) if before else None,
                                           recurring_of=repeats))
        elif before is not None:
            out["still_open"].append(_entry(nc, _status(nc), _status(before)))
        else:
            out["new"].append(_entry(nc, _status(nc), None))


def compare(old: dict, new: dict, late_records: dict[str, dict] | None = None) -> dict:
    """The comparison of two reports (dicts as report.json holds them; ``new`` needs bundle, packs and
    nonconformities).  ``late_records``: records of corrective-action entries about previous
    nonconformities this check no longer finds, by id."""
    _check_pair(old, new)
    out: dict[str, list] = {c: [] for c in CATEGORIES}
    _gone(old, new, late_records or {}, out)
    _found(old, new, out)
    for category in CATEGORIES:
        out[category].sort(key=lambda e: (e["grade"] != "major", e["id"]))
    result: dict[str, Any] = {
        "previous": {"file": old.get("_file"), "sha256": old.get("_sha256"),
                     "tool_version": (old.get("tool") or {}).get("version"),
                     "park": old["bundle"]["park"]["name"], "audit_date": str(old["bundle"]["audit_date"])},
        "counts": {c: len(out[c]) for c in CATEGORIES},
    }
    result.update(out)
    result["open_remaining"] = open_remaining(result)
    return result


def open_remaining(surveillance: dict) -> int:
    """Nonconformities still open, new or recurring that are not verified closed."""
    return sum(1 for c in ("still_open", "recurring", "new") for e in surveillance[c] if e["status"] != "closed")
