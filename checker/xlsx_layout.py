"""How an evidence kind is laid out in an Excel workbook, derived from its schema (shared by the template
writer, ``checker.template_xlsx``, and the reader, ``checker.xlsxio``).

* A document's own fields (scalars, nested objects flattened as ``issued_by.name``, lists of values in
  one cell, one item a line) go on a **key–value sheet** named after the document (``碳排放管理方针``):
  column A the Chinese label, B the value, C what to write, D the field key (hidden).
* Each list of records (an array of objects: registers, ledgers, indicator data, audit records …) goes
  on a **table sheet** with a row per record and a column per field, Chinese headers in row 1
  (``内部审核-审核记录``).  A list inside a record (the findings of an audit) has a sheet of its own,
  whose first columns name the parent record by its key (``所属审核记录·审核编号``).
* A document that is a single list (``documented_information``) is one table sheet named after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .labels import strip_header
from .labels_in import labelled_schema
from .schemas import SchemaSet

SHEET_NAME_MAX = 31
INSTRUCTIONS = "填写说明"
LISTS = "_选项"  # the hidden sheet holding the drop-down lists
SKIPPED = (INSTRUCTIONS, LISTS)  # sheets of the template that hold no evidence
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    """One column of a table sheet, or one row of a key–value sheet."""

    path: tuple[str, ...]  # field path inside the record (or the document)
    label: str  # Chinese header: the titles along the path, joined with ·
    node: dict = field(compare=False, repr=False)  # the field's schema node (refs inlined)
    required: bool = False  # required at every level of its path
    many: bool = False  # a list of values, one item a line in one cell
    parent: int = -1  # for a parent-key column of a child sheet: the ancestor level it names (0 = top)

    @property
    def key(self) -> str:
        return ".".join(self.path)

    @property
    def header_key(self) -> str:
        """The key a park may write as the header instead of the label (``^audits.id`` for a parent key)."""
        return "^" * (self.parent + 1) + self.key if self.parent >= 0 else self.key

    @property
    def types(self) -> set[str]:
        node = self.node.get("items", {}) if self.many else self.node
        t = node.get("type")
        return set(t) if isinstance(t, list) else {t} if isinstance(t, str) else set()

    @property
    def item_node(self) -> dict:
        return self.node.get("items", {}) if self.many else self.node

    @property
    def is_date(self) -> bool:
        return self.item_node.get("format") == "date"


@dataclass(frozen=True)
class Sheet:
    """A sheet of one kind: the key–value sheet (``array == ()``) or a table of records."""

    name: str
    kind: str
    title: str  # what the sheet holds, in Chinese
    array: tuple[tuple[str, ...], ...]  # path of each array level from the document: (("audits",), ("findings",))
    columns: tuple[Column, ...]
    parents: tuple[Column, ...] = ()  # key columns naming the parent record (child sheets)
    required: bool = False  # the document requires this list (or these fields)
    description: str = ""

    @property
    def is_table(self) -> bool:
        return bool(self.array)

    @property
    def all_columns(self) -> tuple[Column, ...]:
        return self.parents + self.columns

    def header_map(self) -> dict[str, Column]:
        """``{header: column}``: each column's Chinese label and its key (a required marker is ignored)."""
        out: dict[str, Column] = {}
        for col in self.all_columns:
            out.setdefault(strip_header(col.label), col)
            out.setdefault(col.header_key, col)
        return out


def _types(node: dict) -> set[str]:
    t = node.get("type")
    return set(t) if isinstance(t, list) else {t} if isinstance(t, str) else set()


def _is_object(node: dict) -> bool:
    return "object" in _types(node) or ("properties" in node and "type" not in node)


def _is_record_array(node: dict) -> bool:
    return "array" in _types(node) and isinstance(node.get("items"), dict) and _is_object(node["items"])


def _flatten(node: dict, prefix: tuple[str, ...], labels: tuple[str, ...], required: bool,
             columns: list[Column], arrays: list[tuple[tuple[str, ...], tuple[str, ...], dict, bool]]) -> None:
    """Collect the value columns of an object and the record arrays inside it (not entered)."""
    needed = set(node.get("required") or ())
    for key, sub in (node.get("properties") or {}).items():
        if not isinstance(sub, dict) or (not prefix and key == "kind"):
            continue
        path, label = (*prefix, key), (*labels, str(sub.get("title", key)))
        req = required and key in needed
        if _is_record_array(sub):
            arrays.append((path, label, sub, req))
        elif _is_object(sub):
            _flatten(sub, path, label, req, columns, arrays)
        elif "array" in _types(sub):
            columns.append(Column(path, "·".join(label), sub, req, many=True))
        else:
            columns.append(Column(path, "·".join(label), sub, req))


def record_key(items: dict) -> tuple[str, ...]:
    """The fields that identify a record of an array (``x-key``, else ``id``, else the first required
    scalar field)."""
    key = items.get("x-key")
    if isinstance(key, str):
        return (key,)
    if isinstance(key, list) and key:
        return tuple(str(k) for k in key)
    props = items.get("properties") or {}
    if "id" in props:
        return ("id",)
    for name in items.get("required") or ():
        if name in props and not _is_object(props[name]) and "array" not in _types(props[name]):
            return (name,)
    return (next(iter(props)),) if props else ("id",)


def _sheet_name(text: str) -> str:
    return _BAD_SHEET_CHARS.sub("_", text).strip("'")[:SHEET_NAME_MAX]


def _tables(kind: str, doc_title: str, found: list, parents: tuple[Column, ...],
            chain: tuple[tuple[str, ...], ...], out: list[Sheet], only: bool) -> None:
    for path, labels, node, req in found:
        items = node["items"]
        columns: list[Column] = []
        inner: list = []
        _flatten(items, (), (), True, columns, inner)
        title = labels[-1]
        name = _sheet_name(doc_title if only else f"{doc_title}-{'·'.join(labels)}")
        array = (*chain, path)
        out.append(Sheet(name, kind, title, array, tuple(columns), parents, req,
                         str(node.get("description") or items.get("description") or "")))
        if inner:
            level = len(chain)
            keys = record_key(items)
            props = items.get("properties") or {}
            own = tuple(Column((k,), f"所属{title}·{props.get(k, {}).get('title', k)}", props.get(k, {}), True,
                               parent=level) for k in keys)
            _tables(kind, doc_title, inner, parents + own, array, out, False)


@lru_cache(maxsize=256)
def _kind_sheets(schemas: SchemaSet, kind: str) -> tuple[Sheet, ...]:
    root = labelled_schema(schemas, kind)
    title = str(root.get("title", kind))
    columns: list[Column] = []
    arrays: list = []
    _flatten(root, (), (), True, columns, arrays)
    out: list[Sheet] = []
    if columns:
        out.append(Sheet(_sheet_name(title), kind, title, (), tuple(columns), (), True,
                         str(root.get("description") or "")))
    _tables(kind, title, arrays, (), (), out, only=not columns and len(arrays) == 1)
    return tuple(out)


def kind_sheets(schemas: SchemaSet, kind: str) -> tuple[Sheet, ...]:
    """The sheets of one evidence kind, key–value sheet first, parents before their children."""
    return _kind_sheets(schemas, kind)


def workbook_kinds(schemas: SchemaSet) -> list[str]:
    """Every kind that can be given in a workbook (all evidence kinds but the manifest)."""
    return [k for k in schemas.kinds if k != "bundle"]


@lru_cache(maxsize=4)
def sheet_index(schemas: SchemaSet) -> dict[str, Sheet]:
    """``{sheet name: sheet}`` over every kind: the template's name, and ``kind`` / ``kind.array.path``
    as an alternative a park may use.  Names are unique (checked by the tests)."""
    out: dict[str, Sheet] = {}
    for kind in workbook_kinds(schemas):
        sheets = kind_sheets(schemas, kind)
        for sheet in sheets:
            out.setdefault(sheet.name, sheet)
            alias = ".".join([kind] + [".".join(p) for p in sheet.array])
            out.setdefault(_sheet_name(alias), sheet)
        if len(sheets) == 1:  # a document that is one table may be named by its kind alone
            out.setdefault(_sheet_name(kind), sheets[0])
    return out
