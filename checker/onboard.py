"""``parkcheck init``: a skeleton evidence bundle for the chosen standards, generated from the schemas
and the packs.

The skeleton holds ``bundle.yaml`` (filled: the park name, period and audit date given, the standards
chosen) and one YAML file per document kind a rule of the chosen packs reads.  Every field of the
kind's schema is present with a comment above it: its Chinese title, required or optional, what to
write (type, format, allowed values with their Chinese labels, the schema's description), the
clauses whose rules read it, and an example taken from the packs' own fixtures.  Each document says
whether it is needed (a rule breaches when it is absent), recommended or optional.

Untouched, the skeleton is readable by ``parkcheck check`` and conforms nowhere: values are left
blank (a blank required value is a content gap, a finding at the clauses that need it), record lists
are empty (the rules' ``when_none`` decides), and fields a blank cannot stand for (allowed-value
lists) are written commented out, to be uncommented when filled.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .escape import one_line
from .packs import Pack, Rule
from .readers import Reading, SchemaField, enum_labels, node_type, refs_text, unit_of, walk_schema
from .resources import data_dir
from .schemas import SchemaSet
from .yamlio import read_yaml_file

EXAMPLE_CHARS = 40
_BLANK_TYPES = ("string", "number", "integer", "boolean")
TYPE_TEXT = {"string": ("文本", "text"), "number": ("数值", "number"), "integer": ("整数", "integer"),
             "boolean": ("是/否，写 true 或 false", "yes/no: true or false"), "array": ("列表", "list"),
             "object": ("分组", "group"), "any": ("值", "value")}


_SPECIAL = {  # (zh, en) for a string field of a special form
    "date": ("日期，写作 YYYY-MM-DD", "date, written YYYY-MM-DD"),
    "attachment": ("附件在证据包内的相对路径", "path of an attachment inside the bundle"),
    "records": ("记录列表", "list of records"),
}
_BOUNDS = (("minimum", "≥"), ("exclusiveMinimum", ">"), ("maximum", "≤"), ("exclusiveMaximum", "<"))


def _enum_text(node: dict, lang: str) -> str:
    labels = enum_labels(node)
    values = [f"{v}（{labels[str(v)]}）" if str(v) in labels else str(v) for v in node["enum"]]
    return ("取值之一：" if lang == "zh" else "one of: ") + ("、" if lang == "zh" else ", ").join(values)


def _special(node: dict) -> str | None:
    t = node_type(node)
    if t == "string" and node.get("format") == "date":
        return "date"
    if t == "string" and node.get("x-attachment"):
        return "attachment"
    items = node.get("items")
    if t == "array" and isinstance(items, dict) and "properties" in items:
        return "records"
    return None


def type_text(node: dict, lang: str = "zh") -> str:
    """What to write for a field, in words: text, date, number, list of …, one of the allowed values."""
    zh_en = 0 if lang == "zh" else 1
    t = node_type(node)
    special = _special(node)
    if "enum" in node:
        return _enum_text(node, lang)
    if special:
        return _SPECIAL[special][zh_en]
    if t == "array":
        items = node.get("items") if isinstance(node.get("items"), dict) else {}
        return ("列表，每项为" if lang == "zh" else "list, each item ") + type_text(items or {}, lang)
    if isinstance(node.get("type"), list):
        names = [TYPE_TEXT.get(x, (x, x))[zh_en] for x in node["type"] if x != "null"]
        return ("、" if lang == "zh" else " or ").join(names)
    bounds = [f"{sym} {node[key]}" for key, sym in _BOUNDS if key in node]
    return TYPE_TEXT.get(t, (t, t))[zh_en] + (f"（{'，'.join(bounds)}）" if bounds else "")


def blank_safe(node: dict) -> bool:
    """Whether a blank value (null) in this field is a content gap rather than an invalid value."""
    if any(k in node for k in ("enum", "const", "oneOf", "anyOf", "allOf", "not")):
        return False
    t = node.get("type")
    types = t if isinstance(t, list) else [t]
    return bool(types) and all(x in _BLANK_TYPES or x == "null" for x in types)


# -- examples from the packs' fixtures ---------------------------------------------------------------

def _collect(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _collect(v, f"{path}.{k}" if path else str(k), out)
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, (dict, list)):
                _collect(v, path, out)
            elif path not in out:
                out[path] = value  # a list of scalars: the list is the example
                break
    elif value is not None and path not in out:
        out[path] = value


def fixture_examples(rules_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """Per kind, the first value of each field in the packs' fixture bundles (``fixtures/*/``), in
    the order of the pack ids: examples a pack author wrote for a conforming park."""
    root = rules_dir or data_dir("rules")
    out: dict[str, dict[str, Any]] = {}
    for fixture in sorted(root.glob("*/fixtures/*/*.yaml")):
        try:
            data = read_yaml_file(fixture).data
        except InputError:
            continue
        if isinstance(data, dict) and isinstance(data.get("kind"), str):
            _collect({k: v for k, v in data.items() if k != "kind"}, "", out.setdefault(data["kind"], {}))
    return out


def example_text(value: Any) -> str:
    if isinstance(value, list):
        text = "[" + ", ".join(example_text(v) for v in value) + "]"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= EXAMPLE_CHARS else text[:EXAMPLE_CHARS] + "…"


# -- whether a document is needed ------------------------------------------------------------------

NEEDED, SCORED, RECOMMENDED, OPTIONAL = "needed", "scored", "recommended", "optional"


def document_need(kind: str, reading: Reading) -> tuple[str, list[tuple[Pack, Rule]]]:
    """Whether the chosen packs need a document of ``kind``: ``needed`` when a 应 rule over it (or its
    records) breaches when there is none (``when_none`` absent or ``breach``), ``recommended`` when
    only 宜/鼓励/可 rules do, else ``optional``; ``scored`` when a pack's score is computed from it
    (``scoring.evidence``) and no 应 rule needs it; with the rules that breach."""
    breaching = [(p, r) for p, r in reading.rules_of(kind, "", below=True)
                 if r.for_each.split(".")[0] == kind and (r.when_none or {}).get("status", "breach") == "breach"]
    if any(r.obligation == "应" and r.grade != "observation" for _, r in breaching):
        return NEEDED, [(p, r) for p, r in breaching if r.obligation == "应"]
    if any((p.scoring or {}).get("evidence") == kind for p in reading.packs):
        return SCORED, breaching
    if breaching:
        return RECOMMENDED, breaching
    return OPTIONAL, []


NEED_TEXT = {
    NEEDED: ("必备文件：没有本文件即为不符合（{refs}）", "Needed: without it there is a nonconformity ({refs})"),
    SCORED: ("评分所需：没有本文件不计算得分，也无法评级（{refs}）",
             "Needed for the score: without it no score or grade is computed ({refs})"),
    RECOMMENDED: ("建议提供：没有本文件为观察项（{refs}）", "Recommended: without it there is an observation ({refs})"),
    OPTIONAL: ("可选文件：园区有相关情况时填写；没有时可删除本文件",
               "Optional: fill it in where it applies to the park; otherwise delete this file"),
}


# -- writing the skeleton --------------------------------------------------------------------------

@dataclass
class _Writer:
    reading: Reading
    examples: dict[str, Any]
    lang: str
    lines: list[str]
    children: dict[str, list[SchemaField]] = field(default_factory=dict)

    def comment(self, indent: str, zh: str, en: str | None = None) -> None:
        for text in (zh, en if self.lang == "en" else None):
            if text:
                for part in text.splitlines():
                    self.lines.append(f"{indent}# {part}".rstrip())

    def field_comment(self, f: SchemaField, siblings: dict, indent: str) -> None:
        req = ("必填", "required") if f.required else ("选填", "optional")
        zh = [f"{f.title}（{req[0]}）：{type_text(f.node, 'zh')}"]
        en = [f"{f.title_en} ({req[1]}): {type_text(f.node, 'en')}"]
        unit = unit_of(f, siblings)
        if unit[0] and unit[0] not in f.title:
            zh.append(f"单位：{unit[0]}")
            en.append(f"unit: {unit[1]}")
        if f.node.get("description"):
            zh.append(str(f.node["description"]))
        if f.node.get("x-description-en"):
            en.append(str(f.node["x-description-en"]))
        rules = self.reading.rules_of(f.kind, f.path)
        if rules:
            zh.append("检查条款：" + refs_text(rules, "zh"))
            en.append("clauses: " + refs_text(rules, "en"))
        example = self.examples.get(f.path)
        if example is not None and "enum" not in f.node and not f.records and not f.is_object:
            zh.append("示例：" + example_text(example))
            en.append("example: " + example_text(example))
        self.comment(indent, "。".join(s.rstrip("。") for s in zh) + "。", "; ".join(en) + ".")

    def fields(self, node: dict, fields: list[SchemaField], indent: str, commented: bool) -> None:
        """Write the fields directly under ``node`` (``fields`` are that level's SchemaFields)."""
        siblings = node.get("properties", {})
        lead = "# " if commented else ""
        for f in fields:
            self.field_comment(f, siblings, indent if not commented else "# " + indent)
            children = list(self.level(f))
            if f.is_object:
                self.lines.append(f"{lead}{indent}{f.name}:")
                self.fields(f.node, children, indent + "  ", commented)
            elif f.records:
                self.records(f, children, indent, commented)
            elif f.is_array:
                self.lines.append(f"{lead}{indent}{f.name}: []")
            elif commented or blank_safe(f.node):
                self.lines.append(f"{lead}{indent}{f.name}:")
            else:
                hint = "取消注释并填写上列取值之一" if self.lang == "zh" else \
                    "uncomment and write one of the values above"
                self.lines.append(f"# {indent}{f.name}:    # {hint}")

    def records(self, f: SchemaField, children: list[SchemaField], indent: str, commented: bool) -> None:
        lead = "# " if commented else ""
        self.lines.append(f"{lead}{indent}{f.name}:" + ("" if commented else " []"))
        if not commented:
            self.comment(indent, "每条记录的写法（删除上一行的 []，去掉下列各行开头的“# ”，每条记录重复一次）：",
                         "How to write each record (remove the [] above, uncomment the lines below, "
                         "repeat per record):")
            self.lines.append(f"# {indent}{f.name}:")
        item_indent = indent + "    "
        first = len(self.lines)
        items = f.node.get("items", {})
        self.fields(items, children, item_indent, True)
        # the first key of the record starts the list item: "  - key:"
        for i in range(first, len(self.lines)):
            line = self.lines[i]
            if line.startswith(f"# {item_indent}") and not line[len(item_indent) + 2:].startswith("#"):
                self.lines[i] = f"# {indent}  - " + line[len(item_indent) + 2:]
                break

    def level(self, parent: SchemaField) -> list[SchemaField]:
        return self.children.get(parent.path, [])


def render_document(kind: str, schemas: SchemaSet, reading: Reading, examples: dict[str, Any], lang: str = "zh") -> str:
    """The skeleton YAML text of one document kind."""
    schema = schemas.inlined(kind)
    all_fields = [f for f in walk_schema(schemas, kind) if f.path != "kind"]
    children: dict[str, list[SchemaField]] = {}
    for f in all_fields:
        parent = f.path.rsplit(".", 1)[0] if "." in f.path else ""
        children.setdefault(parent, []).append(f)
    w = _Writer(reading, examples, lang, [], children)
    need, rules = document_need(kind, reading)
    zh_need, en_need = NEED_TEXT[need]
    w.comment("", f"{schema.get('title', kind)}（{kind}.yaml）", f"{schema.get('x-title-en', kind)} ({kind}.yaml)")
    w.comment("", schema.get("description", ""), schema.get("x-description-en", ""))
    w.comment("", zh_need.format(refs=refs_text(rules, "zh")), en_need.format(refs=refs_text(rules, "en")))
    every = reading.rules_of(kind, "", below=True)
    if every:
        w.comment("", "读取本文件的条款：" + refs_text(every, "zh"), "Clauses that read it: " + refs_text(every, "en"))
    w.comment("", "留空的字段视为未提供：必填字段留空是不符合项（在需要它的条款处报告）。"
              "选填字段没有内容时可以留空或删除。",
              "A field left blank counts as not given: a required one is a finding at the clauses that need it. "
              "Optional fields may stay blank or be deleted.")
    w.lines.append(f"kind: {kind}")
    w.lines.append("")
    w.fields(schema, children.get("", []), "", False)
    return "\n".join(w.lines) + "\n"


def render_manifest(schemas: SchemaSet, packs: list[Pack], kinds: list[str], reading: Reading, park: str,
                    audit_date: dt.date, lang: str = "zh", workbook: str | None = None) -> str:
    """``bundle.yaml``: filled with what ``init`` was given, each field explained from the schema."""
    schema = schemas.inlined("bundle")
    year = audit_date.year - 1
    w = _Writer(reading, {}, lang, [])
    w.comment("", f"{schema.get('title')}（bundle.yaml）", f"{schema.get('x-title-en')} (bundle.yaml)")
    w.comment("", schema.get("description", ""), schema.get("x-description-en", ""))
    w.comment("", "由 parkcheck init 生成。请核对园区名称、报告期和自查日期，然后逐个填写下列文件，"
              "填写后运行：parkcheck check 本目录",
              "Generated by parkcheck init. Check the park name, period and date, fill in the files listed below, "
              "then run: parkcheck check THIS-FOLDER")
    if workbook:
        w.comment("", f"证据填在工作簿 {workbook} 中：每份文件一张工作表（见其“填写说明”）。",
                  f"The evidence goes into the workbook {workbook}: one sheet per document (see its instructions).")
    for k in kinds:
        need, _ = document_need(k, reading)
        label = {NEEDED: "必备", SCORED: "评分所需", RECOMMENDED: "建议", OPTIONAL: "可选"}[need]
        where = f"{workbook} 工作表" if workbook else f"{k}.yaml "
        w.comment("", f"  {where} {schemas.by_kind[k].get('title', k)}（{label}）")
    app = schemas.by_kind.get("applicability")
    if app:
        w.comment("", f"某条款确实不适用时，另建 applicability.yaml（{app.get('title')}）"
                  "写明条款、理由、决定人和日期。",
                  f"Where a clause does not apply, add applicability.yaml ({app.get('x-title-en')}) with clause, "
                  "justification, who decided and when.")
    w.lines.append("kind: bundle")
    filled = {"schema_version": json.dumps("1"), "park.name": json.dumps(park, ensure_ascii=False),
              "period.start": f"{year}-01-01", "period.end": f"{year}-12-31", "audit_date": audit_date.isoformat(),
              "check_type": "self_check", "standards": "[" + ", ".join(p.id for p in packs) + "]"}
    for f in walk_schema(schemas, "bundle"):
        if f.path == "kind" or f.in_list:
            continue
        indent = "  " * f.depth
        mark = len(w.lines)
        w.field_comment(f, {}, indent)
        if f.is_object and any(k.startswith(f.path + ".") for k in filled):
            w.lines.append(f"{indent}{f.name}:")
        elif f.path in filled:
            w.lines.append(f"{indent}{f.name}: {filled[f.path]}")
        elif f.depth == 0 or any(k.startswith(f.path.rsplit(".", 1)[0] + ".") for k in filled):
            w.lines.append(f"# {indent}{f.name}:")
        else:
            del w.lines[mark:]  # a field inside a group left commented out: the group's comment says enough
    return "\n".join(w.lines) + "\n"


def skeleton_files(packs: list[Pack], schemas: SchemaSet, park: str, audit_date: dt.date, lang: str = "zh",
                   rules_dir: Path | None = None, workbook: str | None = None) -> dict[str, str]:
    """File name → text of the skeleton bundle for ``packs``: ``bundle.yaml`` and one YAML file per
    document kind; with ``workbook``, ``bundle.yaml`` alone (the documents go into that workbook, written
    by the caller from ``checker.template_xlsx``)."""
    if not park.strip() or one_line(park) != park:
        raise InputError("园区名称不能为空，也不能含控制字符或不可见字符 / the park name must be non-empty text "
                         f"without control or invisible characters: {one_line(park)!r}")
    reading = Reading(packs, schemas)
    kinds = reading.kinds
    examples = fixture_examples(rules_dir)
    files = {"bundle.yaml": render_manifest(schemas, packs, kinds, reading, park, audit_date, lang, workbook)}
    if workbook:
        return files
    for kind in kinds:
        files[f"{kind}.yaml"] = render_document(kind, schemas, reading, examples.get(kind, {}), lang)
    return files


def write_skeleton(folder: Path, files: dict[str, str | bytes]) -> list[Path]:
    """Write the skeleton into ``folder`` (created); an existing folder must be empty."""
    if folder.exists() or folder.is_symlink():
        if not folder.is_dir():
            raise InputError("已存在且不是目录，parkcheck init 不覆盖它 / exists and is not a folder: "
                             "parkcheck init does not overwrite it", str(folder))
        if any(folder.iterdir()):
            raise InputError("目录已存在且不为空，parkcheck init 不覆盖已有文件；请指定新目录 / "
                             "the folder exists and is not empty: parkcheck init overwrites nothing; give a new folder",
                             str(folder))
    written: list[Path] = []
    path = folder
    try:  # a parent that is a file, a read-only or full disk: one line naming the path, not an internal error
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            path = folder / name
            if isinstance(content, bytes):
                with open(path, "xb") as fb:  # "x": never replace a file
                    fb.write(content)
            else:
                with open(path, "x", encoding="utf-8", newline="\n") as fh:
                    fh.write(content)
            written.append(path)
    except OSError as exc:
        raise InputError(f"无法写入 / cannot write it: {exc.strerror or type(exc).__name__}"
                         f"（已写入 {len(written)} 个文件 / {len(written)} files written）", str(path)) from None
    return written
