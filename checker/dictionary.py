"""The data dictionary: every evidence kind and field, generated from the schemas, with the clauses of
the chosen packs that read each field (``checker.readers``)."""

from __future__ import annotations

from .doctable import Document, Section, bi
from .onboard import NEED_TEXT, document_need
from .packs import Pack
from .readers import Reading, document_kinds, enum_labels, node_type, refs_text, unit_of, walk_schema
from .schemas import SchemaSet

TYPE_NAMES = {"string": ("文本", "text"), "number": ("数值", "number"), "integer": ("整数", "integer"),
              "boolean": ("是/否", "boolean"), "array": ("列表", "list"), "object": ("分组", "group"),
              "any": ("值", "value")}


def _type(node: dict, records: bool, lang: str) -> str:
    t = node_type(node)
    if records:
        return bi("记录列表", "list of records", lang)
    if t == "string" and node.get("format") == "date":
        return bi("日期", "date", lang)
    if t == "string" and node.get("x-attachment"):
        return bi("附件路径", "attachment path", lang)
    if t == "array":
        items = node.get("items")
        inner = TYPE_NAMES.get(node_type(items if isinstance(items, dict) else {}), ("值", "value"))
        return bi(f"{inner[0]}列表", f"list of {inner[1]}", lang)
    if isinstance(node.get("type"), list):
        kinds = [TYPE_NAMES.get(x, (x, x)) for x in node["type"] if x != "null"]
        return bi("或".join(k[0] for k in kinds), " or ".join(k[1] for k in kinds), lang)
    name = TYPE_NAMES.get(t, (t, t))
    return bi(*name, lang)


def _values(node: dict, lang: str) -> str:
    items = node.get("items")
    target: dict = items if node.get("type") == "array" and isinstance(items, dict) else node
    if "enum" in target:
        labels = enum_labels(target)
        return "\n".join(f"{v}：{labels[str(v)]}" if str(v) in labels else str(v) for v in target["enum"])
    if "const" in target:
        return str(target["const"])
    bounds = [f"{sym} {target[key]}" for key, sym in (("minimum", "≥"), ("exclusiveMinimum", ">"), ("maximum", "≤"),
                                                      ("exclusiveMaximum", "<")) if key in target]
    if target.get("format") == "date":
        bounds.append("YYYY-MM-DD")
    return "，".join(bounds)


def kind_section(kind: str, schemas: SchemaSet, reading: Reading, lang: str) -> Section:
    schema = schemas.by_kind[kind]
    notes = [bi(str(schema.get("description", "")), str(schema.get("x-description-en", "")), lang)]
    traits = []
    if schema.get("x-singleton") and kind != "bundle":
        traits.append(bi("每个证据包至多一份", "at most one per bundle", lang))
    if schema.get("x-csv-records"):
        traits.append(bi(f"可用 CSV 表格提供（{schema['x-csv-records']}）", f"may be given as a CSV table "
                         f"({schema['x-csv-records']})", lang))
    need, rules = document_need(kind, reading)
    if kind == "bundle":
        traits.append(bi("每个证据包必有（bundle.yaml）；报告期和审核日期是时间类要求的基准", "every bundle has it "
                         "(bundle.yaml); the period and audit date anchor the time-bound requirements", lang))
    elif reading.rules_of(kind, "", below=True):
        zh, en = NEED_TEXT[need]
        traits.append(bi(zh.format(refs=refs_text(rules, "zh")), en.format(refs=refs_text(rules, "en")), lang))
    else:
        traits.append(bi("所选标准的规则不读取本文件", "no rule of the chosen standards reads it", lang))
    notes.append("；".join(traits))
    rows = []
    fields = walk_schema(schemas, kind)
    by_parent: dict[str, dict[str, dict]] = {}
    for f in fields:
        by_parent.setdefault(f.path.rsplit(".", 1)[0] if "." in f.path else "", {})[f.name] = f.node
    for f in fields:
        if f.path == "kind":
            continue
        unit = unit_of(f, by_parent.get(f.path.rsplit(".", 1)[0] if "." in f.path else "", {}))
        description = bi(str(f.node.get("description", "")), str(f.node.get("x-description-en", "")), lang) \
            if f.node.get("description") else ""
        required = bi("必填", "required", lang) if f.required else bi("选填", "optional", lang)
        rows.append([f.path, bi(f.title, f.title_en, lang), _type(f.node, f.records, lang),
                     bi(*unit, lang) if unit[0] else "", _values(f.node, lang), required,
                     refs_text(reading.rules_of(kind, f.path), lang), description])
    columns = [bi("字段", "Field", lang), bi("名称", "Name", lang), bi("类型", "Type", lang), bi("单位", "Unit", lang),
               bi("允许值", "Allowed values", lang), bi("必填", "Required", lang),
               bi("读取它的条款", "Clauses that read it", lang), bi("说明", "Description", lang)]
    title = bi(str(schema.get("title", kind)), str(schema.get("x-title-en", kind)), lang)
    return Section(f"{kind}：{title}", notes, columns, rows, sheet=kind, widths=[28, 22, 12, 10, 30, 10, 36, 48])


def dictionary(packs: list[Pack], schemas: SchemaSet, lang: str = "zh") -> Document:
    reading = Reading(packs, schemas)
    kinds = ["bundle", *document_kinds(schemas)]
    title = bi("证据数据字典", "Evidence data dictionary", lang)
    notes = [bi("每类证据文件的每个字段：类型、单位、允许值（含中文含义）、是否必填、读取它的条款。"
                "字段路径省略列表层级（audits.date 即每条审核记录的 date）。",
                "Every field of every evidence kind: type, unit, allowed values with their Chinese labels, required "
                "or optional, the clauses that read it. Field paths leave out list levels (audits.date is the date "
                "of each audit record).", lang),
             bi("条款取自规则包：", "Clauses from the rule packs: ", lang)
             + "、".join(f"{p.code}（{p.id}）" for p in packs),
             bi("“必填”指在其所属分组或记录中必填：选填分组一旦提供，其中的必填字段也要填写。",
                "\"Required\" is within the group or record that holds the field: an optional group, once given, "
                "needs its required fields.", lang),
             bi("选填字段留空视为未提供；文本只写占位词（如“待定”“无”）也视为未填写。",
                "An optional field left blank counts as not given; text holding only a placeholder (待定, 无 …) "
                "counts as not filled in.", lang)]
    return Document(title, notes, [kind_section(k, schemas, reading, lang) for k in kinds], lang,
                    command="parkcheck checklist --docs docs")
