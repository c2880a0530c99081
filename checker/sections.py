"""Report sections a pack declares (``report_section:`` in pack.yaml): tables in the shape a park
submits its figures, each row one fact of a kind (a document or a record, with the values the pack
derived for it), each column a field of that fact or the outcome of named rules on that fact.

Nothing here judges: the cells show facts and the results the engine gave.  A rules column shows,
for the rules it names, the ones that applied to the row (not 不适用): ``show: title`` their titles
(e.g. the band and its threshold), ``show: status`` the worst of their results.  A figure is shown as
the pack's ``display:`` declares it (checker.figures: rounded, a share as a percentage; the declared unit
in its column's label), keeping the number itself as ``value``.  Under a table, ``notes``: a declared
remark on each row one of whose fields is later than another (a base year after the indicator's year),
or, for a table with no row, what the pack declares it says then (``when_empty``: the text of a matching fact, e.g. the
indicator excluded with the park's reason), and where it declares nothing, that the bundle holds no such record and
the worst result of the table's rules (an empty table never reads as a blank pass).  Both languages are built at
check time; the reporters pick one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .figures import declared, number
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


def _value_cell(value: Any, labels: dict | None, spec: Mapping | None = None) -> dict:
    """A field's value as text in both languages: enum values by their label, booleans as 是/否; a number
    as the pack's display declares it (``spec``), and also as itself (``value``), unrounded."""
    if value is None or value == "":
        return _pair("—")
    if isinstance(value, bool):
        return _pair("是", "yes") if value else _pair("否", "no")
    if isinstance(value, (int, float)):  # the number itself, for typed spreadsheet cells
        return {"zh": number(value, spec, "zh"), "en": number(value, spec, "en"), "value": value}
    if labels and str(value) in labels:
        return _pair(str(labels[str(value)]), str(value))
    return _pair(str(value))


class _Fields(dict):
    """A fact's fields for a note's text ({field}): numbers as displayed, a field not given as —."""

    def __init__(self, fact: dict, display: Mapping, lang: str) -> None:
        super().__init__()
        self.fact, self.display, self.lang = fact, display, lang

    def __missing__(self, key: str) -> str:
        value = _dotted(self.fact, key)
        if value is None or value == "":
            return "—"
        return number(value, self.display.get(key), self.lang) if isinstance(value, (int, float)) else str(value)


def _fill(text: dict, fact: dict, display: Mapping) -> dict:
    return {lang: text[lang].format_map(_Fields(fact, display, lang)) for lang in _LANGS}


def _later(fact: dict, field: str, after: str) -> bool:
    a, b = _dotted(fact, field), _dotted(fact, after)
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b))
    return numbers and a > b


def _notes(table: dict, facts: Any, rows_facts: list[dict], display: dict) -> list[dict]:
    """What is said under the table: the declared remarks on its rows; for no row, the ``when_empty`` text."""
    notes = []
    for remark in table.get("remarks") or ():
        for fact in rows_facts:
            if _later(fact, remark["field"], remark["after"]):
                notes.append(_fill(remark["text"], fact, display.get(table["of"], {})))
    empty = table.get("when_empty")
    if empty and not rows_facts:
        kind = empty.get("of")
        for fid in facts.of_kind(kind) if kind else ():
            fact = facts.sources[fid].values()
            if all(_dotted(fact, k) == v for k, v in (empty.get("match") or {}).items()) and "text" in empty:
                notes.append(_fill(empty["text"], fact, display.get(kind, {})))
                break
        else:
            notes.append(dict(empty["otherwise"]))
    return list({(n["zh"], n["en"]): n for n in notes}.values())  # each once, in the order first said


def _none_note(table: dict, mine: list[Result], schemas: Any) -> dict:
    """Under a table with no row (and no declared ``when_empty``): the bundle holds no record of its kind,
    and the worst result its rules columns name gave (the findings are listed with the others)."""
    zh, en = schemas.kind_label(table["of"])
    kind = table["of"]
    note = _pair(f"本表没有数据：证据包中没有{zh}（{kind}）。", f"No row: the bundle holds no {en} ({kind}).")
    named = {rid for column in table["columns"] for rid in column.get("rules", ())}
    applied = [r for r in mine if r.rule in named and r.status is not Status.NOT_APPLICABLE]
    if applied:
        worst = min(applied, key=lambda r: _RANK.index(r.status))
        zh_status, en_status = (status_label(worst.status, worst.grade, lang) for lang in _LANGS)
        note = {"zh": note["zh"] + f"本表所列规则的结论：{zh_status}。",
                "en": note["en"] + f" The worst result of this table's rules: {en_status}."}
    return note


def _label(column: dict, display: Mapping) -> dict:
    """A column's label, with the unit the pack declares for its field: 二氧化碳排放量（tCO2）."""
    unit = (display.get(column.get("field", "")) or {}).get("unit")
    label = column["label"]
    return {"zh": f"{label['zh']}（{unit}）", "en": f"{label['en']} ({unit})"} if unit else dict(label)


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
    display = declared(pack.meta)
    tables = []
    for table in spec["tables"]:
        rows, row_facts = [], []
        shown = display.get(table["of"], {})
        for fid in facts.of_kind(table["of"]):
            source = facts.sources[fid]
            fact = source.values()  # the evidence's values with the derived ones beside them
            row_facts.append(fact)
            row = []
            for column in table["columns"]:
                if "field" in column:
                    info = schemas.field(table["of"], column["field"])
                    labels = info.node.get("x-enum-labels") if info is not None else None
                    row.append(_value_cell(_dotted(fact, column["field"]), labels, shown.get(column["field"])))
                else:
                    applied = [r for r in mine if r.rule in column["rules"] and r.status is not Status.NOT_APPLICABLE
                               and _on_fact(r, source.file, source.pointer)]
                    row.append(_rules_cell(column, applied, titles))
            rows.append(row)
        entry = {"title": table["title"], "columns": [_label(c, shown) for c in table["columns"]], "rows": rows}
        notes = _notes(table, facts, row_facts, display)
        if not row_facts and not table.get("when_empty"):
            notes.append(_none_note(table, mine, schemas))
        tables.append({**entry, "notes": notes} if notes else entry)
    return {"standard": pack.id, "title": spec["title"], "note": spec.get("note"), "tables": tables}


def lint_section(spec: dict | None, rule_ids: set[str] | None, kind_exists: Any) -> list[tuple[str, str]]:
    """(pointer, message) of each problem of a declared section: a kind no fact has, a rule the pack
    lacks (rule ids are checked only when the rule files linted cleanly: ``rule_ids`` None)."""
    out: list[tuple[str, str]] = []
    for i, table in enumerate((spec or {}).get("tables", ())):
        empty_of = (table.get("when_empty") or {}).get("of")
        if empty_of and not kind_exists(empty_of):
            out.append((f"/report_section/tables/{i}/when_empty/of",
                        f"report_section: unknown kind {empty_of!r} — 修正：写证据类型或记录类型 / fix: name a document"
                        " or record kind"))
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


def lint_display(display: dict | None, kind_exists: Any) -> list[tuple[str, str]]:
    """(pointer, message) of each kind a pack's ``display:`` declares figures for that no fact has."""
    return [(f"/display/{kind}", f"display: unknown kind {kind!r} — 修正：写证据类型或记录类型（如 "
             "ndrc_indicators.indicators） / fix: name a document or record kind")
            for kind in (display or {}) if not kind_exists(kind)]
