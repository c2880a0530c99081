"""The auditor's on-site results (kind ``onsite``), merged into the check's results.

The tool judges the documents; some requirements can only be judged on site (status ``onsite``), and
an auditor may see on site that a finding of the tool is worse, lighter or wrong, or find something
the documents did not show.  ``onsite.yaml`` records each of those judgements: what it is about, the
auditor's verdict, who, when and the evidence seen.  ``apply_onsite`` merges them into the results
after applicability, so that clause verdicts, nonconformities and counts follow the auditor:

* an entry names exactly one item: a rule result (``standard`` + ``rule``, plus ``subject`` where the
  rule has several results), a nonconformity of the tool (``nonconformity: NC-…``: every result it
  is made of takes the verdict) or a finding the auditor adds (``standard`` + ``clause`` + ``id``,
  its requirement quoted from the pack's clause catalogue, never written by the auditor);
* every result changed or added carries ``judgement``: auditor, date, evidence seen, the action
  (confirm | downgrade | upgrade | add | resolve), the tool's own status and grade, and where the
  entry is (file, line); the status and grade on the result are the auditor's;
* fail closed: an unknown rule, clause, subject or nonconformity, a date after the audit date the
  check measures from or before the reporting period, a nonconformity where the standard only
  recommends, two entries on one item — any of these stops the check (``ControlError``, exit 2,
  file:line and field).  An on-site item the auditor did not record stays ``onsite``.

Added findings are known by the auditor's own number (``id``): their rule is ``onsite:<id>`` and
their nonconformity id derives from it, so neither depends on the order of the entries.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from typing import Any

from .controldocs import ControlError, Controls
from .errors import Problem
from .i18n import tr
from .labels_audit import ONSITE_LABELS
from .labels_out import index, status_label
from .model import Evidence, Grade, Result, Status, Text, severity
from .nonconformities import nonconformity_groups
from .packs import Pack
from .verdicts import sort_results

__all__ = ["ADDED_RULE_PREFIX", "apply_onsite", "judgement_rows", "judgement_view"]

ADDED_RULE_PREFIX = "onsite:"  # the rule id of a finding the auditor adds: onsite:<its id>
FORMS = ("rule", "nonconformity", "clause")
FORM_FIELDS = {"rule": {"standard", "rule", "subject"}, "nonconformity": {"nonconformity"},
               "clause": {"standard", "clause", "id", "requirement"}}
ITEM_FIELDS = set().union(*FORM_FIELDS.values())
FINDINGS = (Status.NONCONFORMITY, Status.OBSERVATION)
UNDETERMINED = (Status.ONSITE, Status.NOT_EVALUATED)


@dataclasses.dataclass(frozen=True)
class _Entry:
    data: dict
    pointer: str
    file: str
    line: int | None
    column: int | None

    def fail(self, message: str, name: str | None = None) -> ControlError:
        pointer = f"{self.pointer}/{name}" if name else self.pointer
        return ControlError([Problem(message, self.file, self.line, self.column, pointer)])

    @property
    def status(self) -> Status:
        return Status(self.data["verdict"])

    @property
    def grade(self) -> Grade | None:
        return Grade(self.data["grade"]) if self.data.get("grade") else None


def _entries(doc: Any) -> list[_Entry]:
    out = []
    for i, data in enumerate(doc.data.get("entries") or []):
        pointer = f"/entries/{i}"
        pos = doc.position(pointer) or (None, None)
        out.append(_Entry(data, pointer, doc.path, pos[0], pos[1]))
    return out


def _date(value: Any) -> _dt.date:
    return value if isinstance(value, _dt.date) else _dt.date.fromisoformat(str(value)[:10])


def _form(e: _Entry) -> str:
    """Which item the entry names; exactly one of rule, nonconformity, clause, with its own fields only."""
    forms = [f for f in FORMS if f in e.data]
    if len(forms) != 1:
        raise e.fail(tr("an on-site entry names exactly one item: a rule (with its standard), a nonconformity "
                        "(NC-…) or a clause (with its standard and an id) for an added finding"))
    form = forms[0]
    stray = sorted((ITEM_FIELDS - FORM_FIELDS[form]) & set(e.data))
    if stray:
        raise e.fail(tr("{field} does not belong to an entry about a {form}", field=stray[0], form=form), stray[0])
    if form != "nonconformity" and "standard" not in e.data:
        raise e.fail(tr("an entry about a {form} names its standard", form=form), "standard")
    return form


def _check_verdict(e: _Entry) -> None:
    """A grade with a nonconformity only (and always), a reason with 不适用 only (and always)."""
    nc, na = e.status is Status.NONCONFORMITY, e.status is Status.NOT_APPLICABLE
    if nc != ("grade" in e.data):
        raise e.fail(tr("a nonconformity needs a grade (major or minor)") if nc
                     else tr("a grade is given only with a nonconformity"), "grade")
    if na != ("reason" in e.data):
        raise e.fail(tr("not applicable needs a reason") if na else tr("a reason is given only with not applicable"),
                     "reason")


def _check_date(e: _Entry, start: _dt.date, audit: _dt.date) -> None:
    day = _date(e.data["date"])
    if day > audit:
        raise e.fail(tr("the on-site date {date} is after the audit date {audit} the check measures from",
                        date=day.isoformat(), audit=audit.isoformat()), "date")
    if day < start:
        raise e.fail(tr("the on-site date {date} is before the reporting period (from {start})",
                        date=day.isoformat(), start=start.isoformat()), "date")


def _judgement(e: _Entry, action: str, item: str, tool: tuple[Status | None, Grade | None]) -> dict:
    seen = [{"type": s["type"], "reference": s.get("reference"), "description": s["description"]}
            for s in e.data["evidence_seen"]]
    return {"auditor": e.data["auditor"], "date": _date(e.data["date"]).isoformat(), "evidence_seen": seen,
            "action": action, "tool_status": tool[0].value if tool[0] else None,
            "tool_grade": tool[1].value if tool[1] else None, "file": e.file, "line": e.line, "item": item}


def _action(tool: Status, tool_grade: Grade | None, status: Status, grade: Grade | None) -> str:
    if tool in UNDETERMINED:
        return "resolve"
    before, after = severity(tool, tool_grade), severity(status, grade)
    return "confirm" if before == after else ("upgrade" if after < before else "downgrade")


def _message(e: _Entry, r: Result) -> tuple[Text, Text | None]:
    """The result's message under the auditor's verdict, and its reason when not applicable."""
    finding = e.data.get("finding")
    if e.status is Status.NOT_APPLICABLE:
        why = e.data["reason"]
        reason = Text(f"审核员判定不适用：{why}", f"Judged not applicable by the auditor: {why}")
        return (Text(finding, e.data.get("finding_en", finding)) if finding else reason), reason
    if finding:
        return Text(finding, e.data.get("finding_en", finding)), None
    if e.status is Status.CONFORM:
        return Text("审核员现场核实：符合。", "Verified on site by the auditor: conform."), None
    if r.status in FINDINGS:
        return r.message, None  # the tool's statement of the finding stands
    raise e.fail(tr("the auditor's {verdict} needs a statement of what was found (finding)",
                    verdict=e.data["verdict"]), "finding")


def _may_be_nonconformity(e: _Entry, obligation: str) -> None:
    if e.status is Status.NONCONFORMITY and obligation != "应":
        raise e.fail(tr("a nonconformity needs a requirement (应); this one is {obligation}: an observation at most",
                        obligation=obligation), "verdict")


def _judged(e: _Entry, r: Result, judgement: dict) -> Result:
    message, reason = _message(e, r)
    _may_be_nonconformity(e, r.obligation)
    keep = e.status in FINDINGS
    return dataclasses.replace(r, status=e.status, grade=e.grade, message=message, reason=reason,
                               remediation=r.remediation if keep else None, judgement=judgement, blocked_by=())


class _Merge:
    """The state of one merge: the results, what each entry changed, which items were named."""

    def __init__(self, results: list[Result], packs: dict[str, Pack], crosswalk: Any):
        self.results = results
        self.packs = packs
        self.at = {id(r): i for i, r in enumerate(results)}
        self.groups = dict(nonconformity_groups(results, crosswalk))
        self.changed: dict[int, Result] = {}
        self.added: list[Result] = []
        self.named: dict[tuple, _Entry] = {}

    def name(self, e: _Entry, key: tuple) -> None:
        first = self.named.get(key)
        if first is not None:
            raise e.fail(tr("two on-site entries on the same item (the first is at line {line})", line=first.line))
        self.named[key] = e

    def pack(self, e: _Entry) -> Pack:
        std = e.data["standard"]
        if std not in self.packs:
            raise e.fail(tr("{standard} is not a standard of this check ({standards})", standard=std,
                            standards=", ".join(self.packs)), "standard")
        return self.packs[std]

    def rule_entry(self, e: _Entry) -> None:
        pack, rid = self.pack(e), e.data["rule"]
        if not any(rule.id == rid for rule in pack.rules):
            raise e.fail(tr("{rule} is not a rule of {standard}", rule=rid, standard=pack.id), "rule")
        found = [i for i, r in enumerate(self.results) if r.standard == pack.id and r.rule == rid]
        subjects = [self.results[i].subject or "" for i in found]
        if "subject" in e.data:
            found = [i for i in found if self.results[i].subject == e.data["subject"]]
        if len(found) != 1:
            raise e.fail(tr("rule {rule} has {count} results on that subject; name one by its subject ({subjects})",
                            rule=rid, count=len(found), subjects=", ".join(subjects)), "subject")
        i = found[0]
        r = self.results[i]
        in_nc = next((nc for nc, group in self.groups.items() if any(m is r for m in group)), None)
        if in_nc or r.status is Status.ERROR:
            raise e.fail(tr("this result is part of nonconformity {nc}: name the nonconformity", nc=in_nc) if in_nc
                         else tr("the rule did not run cleanly (error): it cannot be judged"), "rule")
        self.name(e, ("result", i))
        item = f"{rid} · {r.subject}" if r.subject else rid
        judgement = _judgement(e, _action(r.status, r.grade, e.status, e.grade), item, (r.status, r.grade))
        self.changed[i] = _judged(e, r, judgement)

    def nc_entry(self, e: _Entry) -> None:
        nc_id = e.data["nonconformity"]
        group = self.groups.get(nc_id)
        if group is None:
            raise e.fail(tr("{nc} is not a nonconformity of this check", nc=nc_id), "nonconformity")
        self.name(e, ("nc", nc_id))
        grade = Grade.MAJOR if any(r.grade is Grade.MAJOR for r in group) else Grade.MINOR
        judgement = _judgement(e, _action(Status.NONCONFORMITY, grade, e.status, e.grade), nc_id,
                               (Status.NONCONFORMITY, grade))
        for r in group:
            self.changed[self.at[id(r)]] = _judged(e, r, judgement)

    def clause_entry(self, e: _Entry) -> None:
        pack, clause = self.pack(e), e.data["clause"]
        entry = pack.catalogue.get(clause)
        if entry is None:
            raise e.fail(tr("{clause} is not a clause of {standard}", clause=clause, standard=pack.id), "clause")
        if "id" not in e.data:
            raise e.fail(tr("an added finding needs the auditor's number (id)"), "id")
        if e.status not in FINDINGS or "finding" not in e.data:
            raise e.fail(tr("an added entry is a finding: a nonconformity or an observation, with what was found "
                            "(finding)"), "finding" if e.status in FINDINGS else "verdict")
        self.name(e, ("added", e.data["id"]))
        requirement, source = _requirement(e, entry)
        obligation = "应" if entry.normative else next((w for w in ("宜", "鼓励") if w in requirement), "可")
        _may_be_nonconformity(e, obligation)
        key = f"{ADDED_RULE_PREFIX}{e.data['id']}"
        self.added.append(Result(
            rule=key, standard=pack.id, clause=clause, status=e.status, grade=e.grade, obligation=obligation,
            requirement=requirement, message=Text(e.data["finding"], e.data.get("finding_en", e.data["finding"])),
            evidence=(Evidence(e.file, e.pointer, e.line, e.column),), subject=f"onsite/{e.data['id']}",
            source=source, finding=key, judgement=_judgement(e, "add", e.data["id"], (None, None))))


def _requirement(e: _Entry, entry: Any) -> tuple[str, str]:
    """The requirement of an added finding: quoted from the clause's catalogue text (all of it by default)."""
    text = entry.text
    if not text:
        if "requirement" in e.data:
            raise e.fail(tr("clause {clause} is known by its title only: no requirement can be quoted from it",
                            clause=entry.clause), "requirement")
        return entry.title, "title only"
    quoted = e.data.get("requirement")
    if quoted is None:
        return text, "full text"
    if quoted not in _sentences(text):
        raise e.fail(tr("the requirement is not a sentence quoted verbatim from the text of clause {clause}",
                        clause=entry.clause), "requirement")
    return quoted, "full text"


def _sentences(text: str) -> set[str]:
    """What may be quoted of a clause's text: all of it, a line of it or one of its sentences (a fragment
    could change what the standard requires)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return {text, *lines, *(m.strip() for line in lines for m in re.findall(r"[^。；;！!？?]+[。；;！!？?]?", line))}


def apply_onsite(results: list[Result], controls: Controls, packs: list[Pack], manifest: dict,
                 audit_date: str | None, crosswalk: Any = None) -> list[Result]:
    """The results under the auditor's on-site judgements (the ``onsite`` document of ``controls``, if
    any); sorted as ``checker.verdicts.sort_results`` sorts them, in the order of ``packs``.  With the
    audit information (``audit``) given too, each auditor must be an auditor of its team and each date
    within its dates."""
    doc = controls.get("onsite")
    if doc is None:
        return results
    merge = _Merge(results, {p.id: p for p in packs}, crosswalk)
    start = _date(manifest["period"]["start"])
    audit = _date(audit_date or manifest["audit_date"])
    team = _Team(controls.get("audit"))
    for e in _entries(doc):
        form = _form(e)
        _check_verdict(e)
        _check_date(e, start, audit)
        team.check(e)
        {"rule": merge.rule_entry, "nonconformity": merge.nc_entry, "clause": merge.clause_entry}[form](e)
    merged = [merge.changed.get(i, r) for i, r in enumerate(results)] + merge.added
    return sort_results(merged, {p.id: i for i, p in enumerate(packs)})


class _Team:
    """The audit team and dates of the audit information, when it is given (checker.audit's record)."""

    ROLES = ("lead_auditor", "auditor")  # who may judge: not technical experts, observers or trainees

    def __init__(self, doc: Any):
        data = doc.data if doc is not None else None
        self.file = doc.path if doc is not None else None
        self.auditors = sorted({m["name"] for m in (data or {}).get("team") or [] if m.get("role") in self.ROLES})
        dates = (data or {}).get("dates") or {}
        self.dates = (_date(dates["start"]), _date(dates["end"])) if data and "start" in dates else None

    def check(self, e: _Entry) -> None:
        if self.file is None:
            return
        if e.data["auditor"] not in self.auditors:
            raise e.fail(tr("{auditor} is not an auditor of the audit team in {file} ({auditors})",
                            auditor=e.data["auditor"], file=self.file, auditors=", ".join(self.auditors)), "auditor")
        day = _date(e.data["date"])
        if self.dates and not self.dates[0] <= day <= self.dates[1]:
            raise e.fail(tr("the on-site date {date} is outside the dates of the audit ({start} to {end})",
                            date=day.isoformat(), start=self.dates[0].isoformat(), end=self.dates[1].isoformat()),
                         "date")


def judgement_view(report: Any, packs: dict, lang: str) -> dict:
    """What templates/_onsite.* read: the rows and their labels in ``lang``."""
    return {"onsite_judgements": judgement_rows(report, packs, lang),
            "onsite_labels": {k: v[index(lang)] for k, v in ONSITE_LABELS.items()}}


def judgement_rows(report: Any, packs: dict, lang: str) -> list[dict]:
    """The auditor's judgements for the reports, one row per entry (in the order of the file): the item,
    its clauses, the tool's verdict → the auditor's, the action, auditor, date and evidence seen, and
    the nonconformity it is now part of."""
    labels = {k: v[index(lang)] for k, v in ONSITE_LABELS.items()}
    rows: dict[tuple, dict] = {}
    for r in report.results:
        j = r.judgement
        if not j:
            continue
        row = rows.setdefault((j["file"], j["line"] or 0), _row(j, labels, lang))
        clauses = row["by_standard"].setdefault(packs[r.standard].code, [])
        if r.clause not in clauses:
            clauses.append(r.clause)
        row["auditor_verdict"] = status_label(r.status, r.grade, lang)
    for nc in report.nonconformities:
        if nc.judgement:
            rows[(nc.judgement["file"], nc.judgement["line"] or 0)]["nc"] = nc.id
    for row in rows.values():
        row["clauses"] = "; ".join(f"{code} {', '.join(cs)}" for code, cs in row.pop("by_standard").items())
    return [rows[k] for k in sorted(rows)]


def _row(j: dict, labels: dict, lang: str) -> dict:
    seen = [f"{labels['seen_' + s['type']]}{' ' + s['reference'] if s.get('reference') else ''}：{s['description']}"
            if lang == "zh" else
            f"{labels['seen_' + s['type']]}{' ' + s['reference'] if s.get('reference') else ''}: {s['description']}"
            for s in j["evidence_seen"]]
    tool = status_label(j["tool_status"], j["tool_grade"], lang) if j["tool_status"] else labels["no_tool_verdict"]
    return {"item": j["item"], "by_standard": {}, "tool_verdict": tool, "auditor_verdict": "",
            "action": labels["action_" + j["action"]], "auditor": j["auditor"], "date": j["date"],
            "evidence_seen": seen, "nc": None, "where": f"{j['file']}:{j['line']}" if j["line"] else j["file"]}
