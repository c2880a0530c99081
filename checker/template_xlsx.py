"""``parkcheck template``: an Excel workbook for a park to fill, generated from the schemas.

One sheet per table-like part of a document (registers, ledgers, indicator data, audit records: a row
per record), one key–value sheet per document's own fields, laid out by ``checker.xlsx_layout`` so
that ``checker.xlsxio`` reads back exactly what the template asks for.  Headers are the Chinese field
titles (required ones marked ``*`` and in red), each with a comment giving the field key and what to
write; enumerations and 是/否 fields get drop-down lists of their Chinese labels, dates a date format
and check, numbers a number check.  The first sheet (``填写说明``) explains how to fill it.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from .labels_in import boolean_labels
from .schemas import SchemaSet, load_schemas
from .stablezip import FIXED, stable_zip
from .xlsx_layout import INSTRUCTIONS, LISTS, Column, Sheet, kind_sheets, workbook_kinds

DATA_ROWS = 2000  # rows the drop-downs and formats are applied to
REQUIRED_MARK = "*"
_KV_HEADER = ("项目", "填写内容", "说明", "字段")


def template_kinds(standards: list[str], rules_dir: Path | None = None, schemas: SchemaSet | None = None
                   ) -> list[str]:
    """The evidence kinds the rules of the given packs read (the manifest excepted), in schema order."""
    from .packs import get_pack

    schemas = schemas or load_schemas()
    wanted: set[str] = set()
    for sid in standards:
        pack = get_pack(sid, rules_dir)
        for rule in pack.rules:
            wanted.update(k.split(".")[0] for k in rule.reads)
        scoring = getattr(pack, "scoring", None) or {}
        if scoring.get("evidence"):
            wanted.add(scoring["evidence"])
        offsets = (scoring.get("designation") or {}).get("offsets")
        if offsets:
            wanted.add(offsets)
    return [k for k in workbook_kinds(schemas) if k in wanted]


def _hint(col: Column, labels: dict[str, str] | None, yes_no: tuple[str, str]) -> str:
    node = col.item_node
    t = node.get("type")
    types = set(t) if isinstance(t, list) else {t}
    parts = []
    if col.required:
        parts.append("必填")
    if labels:
        parts.append(("可多选，每行一项：" if col.many else "从下拉列表选择：") + "、".join(labels.values()))
    elif col.is_date:
        parts.append("日期，写作 YYYY-MM-DD" + ("；多个日期每行一个" if col.many else ""))
    elif "boolean" in types and "string" not in types:
        parts.append(f"填 {yes_no[0]} 或 {yes_no[1]}")
    elif "integer" in types and "string" not in types:
        parts.append("整数")
    elif "number" in types and "string" not in types:
        parts.append("数字（比例写小数，如 50% 写 0.5）")
    elif col.many:
        parts.append("可填多项，每行一项（单元格内按 Alt+Enter 换行）")
    desc = node.get("description") or col.node.get("description")
    if desc and not str(desc).startswith(("非空文本", "公历日期")):
        parts.append(str(desc))
    if col.parent >= 0:
        parts.append("填写上级记录的编号，使本行归入该记录")
    return "；".join(parts)


class _Writer:
    def __init__(self, schemas: SchemaSet):
        from openpyxl import Workbook

        self.schemas = schemas
        self.wb = Workbook()
        self.yes_no = boolean_labels(schemas)
        self.lists: Any = None
        self.list_ranges: dict[tuple[str, ...], str] = {}

    def list_range(self, values: tuple[str, ...]) -> str:
        """A range of the hidden options sheet holding ``values`` (one column per distinct list)."""
        from openpyxl.utils import get_column_letter, quote_sheetname

        if values not in self.list_ranges:
            if self.lists is None:
                self.lists = self.wb.create_sheet(LISTS)
                self.lists.sheet_state = "hidden"
            col = len(self.list_ranges) + 1
            for i, v in enumerate(values, start=1):
                self.lists.cell(row=i, column=col, value=v)
            letter = get_column_letter(col)
            self.list_ranges[values] = f"{quote_sheetname(LISTS)}!${letter}$1:${letter}${len(values)}"
        return self.list_ranges[values]

    def validation(self, ws, col: Column, ref: str) -> None:
        from openpyxl.worksheet.datavalidation import DataValidation

        node = col.item_node
        t = node.get("type")
        types = set(t) if isinstance(t, list) else {t}
        dv = None
        labels = node.get("x-enum-labels")
        if labels and not col.many:
            values = tuple(str(labels.get(v, v)) for v in node.get("enum", []))
            dv = DataValidation(type="list", formula1=self.list_range(values), allow_blank=True,
                                error="请从下拉列表中选择。", errorTitle="取值无效", showErrorMessage=True)
        elif "boolean" in types and "string" not in types and not col.many:
            dv = DataValidation(type="list", formula1=self.list_range(self.yes_no), allow_blank=True,
                                error=f"请填写 {self.yes_no[0]} 或 {self.yes_no[1]}。", showErrorMessage=True)
        elif col.is_date and not col.many:
            dv = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True,
                                error="请填写日期，如 2024-03-15。", errorTitle="日期无效", showErrorMessage=True)
        elif types <= {"integer", "null"} and "integer" in types and not col.many:
            dv = DataValidation(type="whole", operator="between", formula1="-1000000000000000",
                                formula2="1000000000000000", allow_blank=True, error="请填写整数。",
                                showErrorMessage=True)
        elif types <= {"number", "null"} and "number" in types and not col.many:
            dv = DataValidation(type="decimal", operator="between", formula1="-1000000000000000",
                                formula2="1000000000000000", allow_blank=True, error="请填写数字。",
                                showErrorMessage=True)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(ref)

    def number_format(self, col: Column) -> str | None:
        if col.is_date and not col.many:
            return "yyyy-mm-dd"
        if col.many or "enum" in col.item_node:
            return "@"
        t = col.item_node.get("type")
        types = set(t) if isinstance(t, list) else {t}
        if "string" in types or not types - {None}:
            return "@"  # text: document numbers such as 001 keep their zeros
        return None

    def instructions(self, kinds: list[str], standards: list[str]) -> None:
        from openpyxl.styles import Alignment, Font

        ws = self.wb.active
        ws.title = INSTRUCTIONS
        rows = [
            ("园区证据填报模板（parkcheck 生成）",),
            (f"适用标准：{'、'.join(standards)}",),
            ("",),
            ("填写方法",),
            ("1. 每个工作表对应一类证据文件：表格型工作表每行一条记录（台账、清单、指标数据、审核记录等），"
             "“项目/填写内容”型工作表逐项填写该文件本身的信息。",),
            (f"2. 列名或项目名前带 {REQUIRED_MARK} 且为红色的是必填项；未填写的必填项在检查时作为缺失证据报告。",),
            ("3. 带下拉列表的单元格请从列表中选择中文选项；是/否字段填“是”或“否”。",),
            ("4. 日期写作 YYYY-MM-DD（如 2024-03-15），也可直接输入 Excel 日期；"
             "数字直接填写，比例写小数（50% 写 0.5）。",),
            ("5. 一个单元格内需填多项时，每项占一行（单元格内按 Alt+Enter 换行）。",),
            ("6. 名称以“所属”开头的列填写上级记录的编号（如审核发现所属的审核编号），使该行归入该记录。",),
            ("7. 请勿修改工作表名称和列名（鼠标停在列名上可看到字段说明）；需要增加自己的列时，列名以 x- 开头。",),
            ("8. 不需要的工作表可以留空：留空的文件在检查时按“缺少该文件”处理，不会被当作符合。",),
            ("9. 将本工作簿与 bundle.yaml 放在同一证据包文件夹中，运行 parkcheck check 文件夹。",),
            ("",),
            ("工作表", "内容", "证据类型（kind）", "说明"),
        ]
        for row in rows:
            ws.append(list(row))
        ws["A1"].font = Font(bold=True, size=14)
        ws["A4"].font = Font(bold=True)
        header_row = len(rows)
        for cell in ws[header_row]:
            cell.font = Font(bold=True)
        for kind in kinds:
            for sheet in kind_sheets(self.schemas, kind):
                what = ("表格：每行一条" + sheet.title) if sheet.is_table else "逐项填写"
                ws.append([sheet.name, what, kind, sheet.description])
        ws.column_dimensions["A"].width = 36
        ws.column_dimensions["B"].width = 28
        ws.column_dimensions["C"].width = 26
        ws.column_dimensions["D"].width = 80
        for row in ws.iter_rows(min_row=5, max_row=13):
            for cell in row:
                cell.alignment = Alignment(wrap_text=False)

    def kv_sheet(self, sheet: Sheet) -> None:
        from openpyxl.styles import Alignment, Font

        ws = self.wb.create_sheet(sheet.name)
        ws.append(list(_KV_HEADER))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for i, col in enumerate(sheet.columns, start=2):
            labels = col.item_node.get("x-enum-labels")
            label = (REQUIRED_MARK if col.required else "") + col.label
            ws.append([label, None, _hint(col, labels, self.yes_no), col.key])
            if col.required:
                ws.cell(row=i, column=1).font = Font(color="C00000", bold=True)
            fmt = self.number_format(col)
            if fmt:
                ws.cell(row=i, column=2).number_format = fmt
            ws.cell(row=i, column=2).alignment = Alignment(wrap_text=True, vertical="top")
            self.validation(ws, col, f"B{i}")
        ws.column_dimensions["A"].width = 40
        ws.column_dimensions["B"].width = 50
        ws.column_dimensions["C"].width = 60
        ws.column_dimensions["D"].hidden = True
        ws.freeze_panes = "B2"

    def table_sheet(self, sheet: Sheet) -> None:
        from openpyxl.comments import Comment
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        ws = self.wb.create_sheet(sheet.name)
        fill = PatternFill("solid", fgColor="DDEBF7")
        for i, col in enumerate(sheet.all_columns, start=1):
            label = (REQUIRED_MARK if col.required else "") + col.label
            cell = ws.cell(row=1, column=i, value=label)
            cell.font = Font(bold=True, color="C00000" if col.required else None)
            cell.fill = fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            labels = col.item_node.get("x-enum-labels")
            note = f"字段：{col.header_key}\n{_hint(col, labels, self.yes_no)}"
            cell.comment = Comment(note, "parkcheck", width=320, height=140)
            letter = get_column_letter(i)
            fmt = self.number_format(col)
            if fmt:
                ws.column_dimensions[letter].number_format = fmt
            self.validation(ws, col, f"{letter}2:{letter}{DATA_ROWS + 1}")
            ws.column_dimensions[letter].width = max(12, min(40, 2 * len(col.label) + 4))
        ws.freeze_panes = "A2"

    def save(self) -> bytes:
        self.wb.properties.creator = "parkcheck"
        self.wb.properties.created = self.wb.properties.modified = FIXED
        buf = io.BytesIO()
        self.wb.save(buf)
        return stable_zip(buf.getvalue(), FIXED)




def build_template(kinds: list[str], standards: list[str], schemas: SchemaSet | None = None) -> bytes:
    """The workbook (as bytes) for the given evidence kinds."""
    schemas = schemas or load_schemas()
    writer = _Writer(schemas)
    writer.instructions(kinds, standards)
    for kind in kinds:
        for sheet in kind_sheets(schemas, kind):
            (writer.table_sheet if sheet.is_table else writer.kv_sheet)(sheet)
    if writer.lists is not None:  # the options sheet last
        writer.wb.move_sheet(writer.lists, offset=len(writer.wb.sheetnames))
    return writer.save()


def write_template(out: Path, standards: list[str], rules_dir: Path | None = None, replace: bool = False) -> list[str]:
    """Write the template for ``standards`` to ``out`` atomically; returns the kinds it holds.  An existing
    ``out`` is replaced only with ``replace`` (``FileExistsError`` otherwise)."""
    from .safeio import atomic_write

    kinds = template_kinds(standards, rules_dir)
    atomic_write(out, build_template(kinds, standards), replace=replace)
    return kinds
