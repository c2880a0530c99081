"""Report sections a pack declares (``report_section:`` in pack.yaml): tables in the shape a park
submits its figures, each row one fact of a kind (a document or a record, with the values the pack
derived for it), each column a field of that fact or the outcome of named rules on that fact.

Nothing here judges: the cells show facts and the results the engine gave.  A rules column shows,
for the rules it names, the ones that applied to the row (not 不适用): ``show: title`` their titles
(e.g. the band and its threshold), ``show: status`` the worst of their results.  Both languages are
built at check time; the reporters pick one.
"""

from __future__ import annotations

from typing import Any

from .labels_out import status_label
from .model import Result, Status

_LANGS = ("zh", "en")
# the order a rules column reports the worst result in
_RANK = (Status.ERROR, Status.NONCONFORMITY, Status.NOT_EVALUATED, Status.ONSITE, Status.OBSERVATION,
         Status.CONFORM, Status.NOT_APPLICABLE)


def _pair(zh: str, en: str | None = None) -> dict:
    return {"zh": zh, "en": en if en is not None else zh}


def _dotted(fact: dict, path: str) -> Any:
    value: Any = fact
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _number(value: float) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _value_cell(value: Any, labels: dict | None) -> dict:
    """A field's value as text in both languages: enum values by their label, booleans as 是/否; a number
    also as itself (``value``), unrounded."""
    if value is None or value == "":
        return _pair("—")
    if isinstance(value, bool):
        return _pair("是", "yes") if value else _pair("否", "no")
    if isinstance(value, (int, float)):
        return {**_pair(_number(value)), "value": value}  # the number itself, for typed spreadsheet cells
    if labels and str(value) in labels:
        return _pair(str(labels[str(value)]), str(value))
    return _pair(str(value))


def _on_fact(result: Result, file: str, pointer: str) -> bool:
    """Whether the result's evidence lies in this fact (its document, its record or a field of it)."""
    for e in result.evidence:
        if e.file == file and (not pointer or e.pointer == pointer or e.pointer.startswith(pointer + "/")):
            return True
    return False


def _rules_cell(column: dict, applied: list[Result], titles: dict[str, dict]) -> dict:
    if not applied:
        return _pair("不适用", "not applicable") if column.get("show") == "status" else _pair("—")
    if column.get("show") == "title":
        return {lang: "；".join(dict.fromkeys(titles[r.rule][lang] for r in applied)) for lang in _LANGS}
    worst = min(applied, key=lambda r: _RANK.index(r.status))
    return {lang: status_label(worst.status, worst.grade, lang) for lang in _LANGS}


def build_section(pack: Any, facts: Any, results: list[Result], schemas: Any) -> dict | None:
    """The pack's declared section, filled from the facts and the pack's results (None: none declared)."""
    spec = pack.meta.get("report_section")
    if not spec:
        return None
    mine = [r for r in results if r.standard == pack.id]
    titles = {r.id: r.title or _pair(pack.catalogue[r.clause].title) for r in pack.rules}
    tables = []
    for table in spec["tables"]:
        rows = []
        for fid in facts.of_kind(table["of"]):
            source = facts.sources[fid]
            fact = source.values()  # the evidence's values with the derived ones beside them
            row = []
            for column in table["columns"]:
                if "field" in column:
                    info = schemas.field(table["of"], column["field"])
                    labels = info.node.get("x-enum-labels") if info is not None else None
                    row.append(_value_cell(_dotted(fact, column["field"]), labels))
                else:
                    applied = [r for r in mine if r.rule in column["rules"] and r.status is not Status.NOT_APPLICABLE
                               and _on_fact(r, source.file, source.pointer)]
                    row.append(_rules_cell(column, applied, titles))
            rows.append(row)
        tables.append({"title": table["title"], "columns": [c["label"] for c in table["columns"]], "rows": rows})
    return {"standard": pack.id, "title": spec["title"], "note": spec.get("note"), "tables": tables}


def lint_section(spec: dict | None, rule_ids: set[str] | None, kind_exists: Any) -> list[tuple[str, str]]:
    """(pointer, message) of each problem of a declared section: a kind no fact has, a rule the pack
    lacks (rule ids are checked only when the rule files linted cleanly: ``rule_ids`` None)."""
    out: list[tuple[str, str]] = []
    for i, table in enumerate((spec or {}).get("tables", ())):
        if not kind_exists(table["of"]):
            out.append((f"/report_section/tables/{i}/of",
                        f"report_section: unknown kind {table['of']!r} — 修正：写证据类型或记录类型"
                        "（如 ndrc_indicators.indicators） / fix: name a document or record kind"))
        for j, column in enumerate(table["columns"]):
            for rid in column.get("rules", ()):
                if rule_ids is not None and rid not in rule_ids:
                    out.append((f"/report_section/tables/{i}/columns/{j}/rules",
                                f"report_section: no rule {rid!r} in the pack — 修正：写本规则包中的规则 id"
                                " / fix: name a rule of this pack"))
    return out
