"""``parkcheck checklist``: per clause of the chosen standards, the requirement, the documents and
fields that evidence it, and how it is checked — generated from the packs and schemas.

How a clause is checked comes from its rules (``checker.readers.check_method``): on site when a rule
sends the auditor there (``on_pass: onsite``, ``when_none: onsite``), by data when a rule counts,
joins, derives or compares numbers and dates, else by reading the document.  A normative clause no
rule covers says so ("not checked"); a clause checked through its title only says that too.
"""

from __future__ import annotations

from pathlib import Path

from .coverage import NOT_COVERED, TITLE_ONLY, coverage
from .dictionary import dictionary
from .doctable import Document, Section, bi, to_markdown
from .model import SECONDARY, SECONDARY_MARK
from .packs import Pack
from .readers import METHOD_LABELS, Reading, SchemaField, check_method, walk_schema
from .safeio import atomic_write
from .schemas import SchemaSet

OBLIGATION = {"应": ("应（要求）", "shall"), "宜": ("宜（建议）", "should"), "鼓励": ("鼓励（建议）", "encouraged"),
              "可": ("可（资料性）", "may")}


class FieldNames:
    """Titles of documents and fields, from the schemas."""

    def __init__(self, schemas: SchemaSet):
        self.schemas = schemas
        self._fields: dict[str, dict[str, SchemaField]] = {}

    def fields(self, kind: str) -> dict[str, SchemaField]:
        if kind not in self._fields:
            self._fields[kind] = {f.path: f for f in walk_schema(self.schemas, kind)}
        return self._fields[kind]

    def kind(self, kind: str, lang: str) -> str:
        s = self.schemas.by_kind[kind]
        return bi(str(s.get("title", kind)), str(s.get("x-title-en", kind)), lang) + f"（{kind}.yaml）"

    def field(self, kind: str, path: str, lang: str) -> str:
        f = self.fields(kind).get(path)
        if f is None:
            return path
        return bi(f.title, f.title_en, lang) + f"（{path}）"


def evidence_text(reading: Reading, names: FieldNames, pairs: list[tuple[str, str]], lang: str) -> str:
    """Documents and their fields, one document per line."""
    by_kind: dict[str, list[str]] = {}
    for kind, path in pairs:
        by_kind.setdefault(kind, [])
        if path:
            by_kind[kind].append(path)
    lines = []
    for kind in sorted(by_kind):
        paths = sorted(set(by_kind[kind]))
        fields = "、".join(names.field(kind, p, lang) for p in paths)
        lines.append(names.kind(kind, lang) + (f"：{fields}" if fields else ""))
    return "\n".join(lines)


def _how(pack: Pack, rules: list, status: str, lang: str) -> str:
    """How the clause is checked, from its rules; what the auditor verifies on site."""
    if status == NOT_COVERED:
        return bi("未检查：没有规则覆盖本条", "not checked: no rule covers it", lang)
    methods = sorted({check_method(r, pack) for r in rules}, key=list(METHOD_LABELS).index)
    lines = ["、".join(bi(*METHOD_LABELS[m], lang) for m in methods)]
    if status == TITLE_ONLY:
        lines.append(bi("依据条款标题，通过等同要求检查", "checked from the title through an equivalent requirement",
                        lang))
    for r in rules:
        if check_method(r, pack) == "onsite" and r.onsite:
            lines.append(bi("现场：" + str(r.onsite.get("zh", "")), "on site: " + str(r.onsite.get("en", "")), lang))
    return "\n".join(lines)


def _requirement(entry, lang: str, secondary: bool = False) -> str:
    if secondary:  # nothing is quoted: the pack's own heading, what the sources report, and the mark
        note = f"\n{entry.note}" if entry.note else ""
        return f"{entry.title}{note}\n" + bi(f"（{SECONDARY_MARK[0]}）", f"({SECONDARY_MARK[1]})", lang)
    if entry.text:
        return str(entry.text)
    return f"{entry.title}\n" + bi("（来源仅有条款标题）", "(the source holds the clause title only)", lang)


def _clause_row(pack: Pack, row, rules: list, reading: Reading, names: FieldNames, lang: str) -> list[str]:
    entry = pack.catalogue[row.clause]
    obligations = sorted({r.obligation for r in rules}, key=list(OBLIGATION).index)
    pairs = sorted({p for r in rules for p in reading.fields_of_rule(pack, r)})
    evidence = ""
    if rules:
        evidence = evidence_text(reading, names, pairs, lang) or bi("（无需文件）", "(no document)", lang)
    secondary = pack.meta.get("source_basis") == SECONDARY
    return [f"{row.clause} {entry.title}".strip(), _requirement(entry, lang, secondary),
            "、".join(bi(*OBLIGATION[o], lang) for o in obligations), evidence,
            _how(pack, rules, row.status, lang), "\n".join(r.id for r in rules)]


def pack_section(pack: Pack, reading: Reading, names: FieldNames, lang: str) -> Section:
    rules_by_clause: dict[str, list] = {}
    for rule in pack.rules:
        rules_by_clause.setdefault(rule.clause, []).append(rule)
    rows = [_clause_row(pack, row, rules_by_clause.get(row.clause, []), reading, names, lang)
            for row in coverage(pack) if row.normative or rules_by_clause.get(row.clause)]
    columns = [bi("条款", "Clause", lang), bi("要求（原文）", "Requirement (quoted)", lang),
               bi("要求类型", "Obligation", lang), bi("证据文件与字段", "Documents and fields", lang),
               bi("检查方式", "How it is checked", lang), bi("规则", "Rules", lang)]
    notes = [f"{pack.code} {pack.title['en']}"] if lang == "en" and pack.title.get("en") else []
    notes += [bi(f"规则包 {pack.id} 版本 {pack.version}，{len(pack.rules)} 条规则。",
                 f"Rule pack {pack.id} version {pack.version}, {len(pack.rules)} rules.", lang)]
    if pack.meta.get("text_status"):
        notes.append(str(pack.meta["text_status"]))
    if pack.meta.get("source_basis") == SECONDARY:
        notes.append(bi(*SECONDARY_MARK, lang))
    return Section(f"{pack.code} {pack.title['zh']}", notes, columns, rows, sheet=pack.code,
                   widths=[22, 60, 12, 60, 24, 28])


def checklist(packs: list[Pack], schemas: SchemaSet, lang: str = "zh") -> Document:
    reading = Reading(packs, schemas)
    names = FieldNames(schemas)
    title = bi("符合性检查清单", "Conformity checklist", lang) + "：" + "、".join(p.code for p in packs)
    notes = [bi("每一条款：标准原文要求、证明它的证据文件和字段、检查方式（查阅文件、核对数据、现场核实）。",
                "Per clause: the requirement as quoted, the documents and fields that evidence it, and how it is "
                "checked (by document, by data, on site).", lang),
             bi("证据文件即证据包中的 YAML/CSV 文件（parkcheck init 生成空白模板）；字段说明见数据字典。",
                "Documents are the bundle's YAML/CSV files (parkcheck init writes blank ones); fields are described "
                "in the data dictionary.", lang)]
    return Document(title, notes, [pack_section(p, reading, names, lang) for p in packs], lang,
                    command="parkcheck checklist --docs docs")


def docs_files(packs: list[Pack], schemas: SchemaSet) -> dict[str, bytes]:
    """The committed generated pages: ``checklist/<pack>.md`` per pack and ``data-dictionary.md``
    (relative to the docs folder)."""
    out = {f"checklist/{p.id}.md": to_markdown(checklist([p], schemas)).encode("utf-8") for p in packs}
    out["data-dictionary.md"] = to_markdown(dictionary(packs, schemas)).encode("utf-8")
    return out


def write_docs(folder: Path, packs: list[Pack], schemas: SchemaSet) -> list[Path]:
    written = []
    for name, data in docs_files(packs, schemas).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
        written.append(path)
    return written
