"""Chinese labels accepted wherever a park types a value.

The schemas carry the label map once: ``x-enum-labels`` beside every ``enum`` (``{effective: 有效}``),
``x-boolean-labels`` in ``common.schema.json`` (``{true: 是, false: 否}``) and each field's ``title``,
which is also its Chinese column header.  Every reader (YAML, JSON, CSV, Excel) goes through this
module: a label is turned into the canonical code on reading, before validation, in memory only
(the evidence files are never changed), so positions, ids and verdicts are those of the code.
A value that is neither a code nor a label is left as written: validation reports it, listing the
Chinese labels (``checker.labels.enum_message``).  The helpers that need no schema set are in
``checker.labels`` (the validation messages use them below the schema layer).
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Any

from .errors import InputError
from .i18n import tr, zh
from .labels import header_key, to_code
from .pointers import split_pointer
from .schemaerrors import type_name
from .schemas import SchemaSet, load_schemas

# Accepted besides the schema's boolean labels (Excel and CSV exports write these).
_TRUE_WORDS = ("true", "yes")
_FALSE_WORDS = ("false", "no")


@lru_cache(maxsize=4)
def _boolean_words(schemas: SchemaSet) -> tuple[frozenset[str], frozenset[str]]:
    labels = schemas.extra.get("common.schema.json", {}).get("x-boolean-labels", {})
    true = {str(v) for k, v in labels.items() if k == "true"} | set(_TRUE_WORDS)
    false = {str(v) for k, v in labels.items() if k == "false"} | set(_FALSE_WORDS)
    return frozenset(true), frozenset(false)


def boolean_labels(schemas: SchemaSet | None = None) -> tuple[str, str]:
    """The Chinese labels of true and false (``("是", "否")``)."""
    labels = (schemas or load_schemas()).extra.get("common.schema.json", {}).get("x-boolean-labels", {})
    return labels.get("true", "是"), labels.get("false", "否")


def to_boolean(text: str, schemas: SchemaSet | None = None) -> bool | None:
    """``是``/``否`` (and true/false, yes/no in any case) as a boolean; ``None`` for anything else."""
    true, false = _boolean_words(schemas or load_schemas())
    word = text.strip()
    low = word.lower()
    if word in true or low in true:
        return True
    if word in false or low in false:
        return False
    return None


def hint_booleans(problems: list, schemas: SchemaSet | None = None) -> list:
    """A value where a boolean is expected that is no boolean label: the message names the labels
    (``expected boolean, got string '也许' (write 是 or 否)``)."""
    if not problems:
        return problems  # (the catalogue is read only when a message is written)
    yes, no = boolean_labels(schemas)
    prefix = tr("expected {expected}, got {got} {value}", expected=type_name("boolean"), got=type_name("string"),
               value="")
    out = []
    for p in problems:
        if p.message.startswith(prefix):
            p = dataclasses.replace(p, message=p.message + tr(" (write {yes} or {no})", yes=yes, no=no))
        out.append(p)
    return out


def field_title(schemas: SchemaSet, kind: str, pointer: str) -> str | None:
    """The title of the field a pointer names, in the message language (``发布日期`` or ``Issue date``):
    the schema's ``title``, or ``x-title-en`` in English; ``None`` when the schema gives none."""
    if kind not in schemas.by_kind or not pointer or pointer == "/":
        return None
    node: Any = labelled_schema(schemas, kind)
    for token in split_pointer(pointer):
        if not isinstance(node, dict):
            return None
        props = node.get("properties") or {}
        if token in props:
            node = props[token]
        elif token.isdigit() and isinstance(node.get("items"), dict):
            node = node["items"]
        else:
            return None
    if not isinstance(node, dict):
        return None
    title = node.get("title") if zh() else node.get("x-title-en") or node.get("title")
    return title if isinstance(title, str) and title else None


def label_problems(problems: list, bundle: Any, schemas: SchemaSet) -> list:
    """Each problem of a bundle's documents with the title of its field (the manifest's are of kind bundle)."""
    kinds = {d.path: d.kind for d in bundle.documents if isinstance(d.kind, str)}
    kinds[bundle.manifest.path] = "bundle"
    out = []
    for p in problems:
        kind = kinds.get(p.file or "")
        title = field_title(schemas, kind, p.field) if kind and p.field and not p.label else None
        out.append(dataclasses.replace(p, label=title) if title else p)
    return out


def labelled_schema(schemas: SchemaSet, kind: str) -> dict:
    """The kind's schema with every ``$ref`` inlined, a field's own ``title`` winning over the title of
    the definition it refers to (``编号`` rather than the ``文本`` of ``common.schema.json#/$defs/text``)."""
    key = (id(schemas), kind)
    if key not in _LABELLED:
        schema = schemas.by_kind[kind]
        _LABELLED[key] = _inline(schema, schemas.registry.resolver(base_uri=schema["$id"]), 0)
    return _LABELLED[key]


_LABELLED: dict[tuple[int, str], dict] = {}


def _inline(node: Any, resolver: Any, depth: int) -> Any:
    if depth > 32:
        raise ValueError("schema nests too deep")
    if isinstance(node, list):
        return [_inline(v, resolver, depth + 1) for v in node]
    if not isinstance(node, dict):
        return node
    hops = 0
    while "$ref" in node and hops < 32:
        resolved = resolver.lookup(node["$ref"])
        merged = dict(resolved.contents)
        merged.update({k: v for k, v in node.items() if k != "$ref"})
        node, resolver, hops = merged, resolved.resolver, hops + 1
    return {k: _inline(v, resolver, depth + 1) for k, v in node.items()}


def _node_type(node: dict) -> set[str]:
    t = node.get("type")
    return set(t) if isinstance(t, list) else {t} if isinstance(t, str) else set()


def scalar_value(value: Any, node: dict, schemas: SchemaSet | None = None) -> Any:
    """A typed-in value turned into the canonical one its schema node expects: an enum label into its
    code, a boolean label into a boolean.  Anything else is returned unchanged."""
    if not isinstance(value, str):
        return value
    if "enum" in node:
        code = to_code(value, node)
        return value if code is None else code
    types = _node_type(node)
    if "boolean" in types:  # also where text is allowed beside a boolean (a qualitative indicator value)
        flag = to_boolean(value, schemas) if "string" not in types else _label_boolean(value, schemas)
        return value if flag is None else flag
    return value


def _label_boolean(text: str, schemas: SchemaSet | None) -> bool | None:
    """Only the schema's own boolean labels (是/否) where free text is also allowed."""
    yes, no = boolean_labels(schemas)
    word = text.strip()
    return True if word == yes else False if word == no else None


def _convertible(node: dict) -> bool:
    """Whether a typed-in value at ``node`` may be a label (an enum, or a boolean)."""
    return "enum" in node or "boolean" in _node_type(node)


_PLANS: dict[int, tuple[dict, dict, dict | None, bool, bool]] = {}  # by id of a cached labelled_schema node


def _plan(node: dict) -> tuple[dict, dict, dict | None, bool, bool]:
    """What to visit under ``node``: ``(scalar properties, properties to enter, items node, items are
    convertible, items are to be entered)``; subtrees without an enum or a boolean are never walked."""
    key = id(node)
    if key not in _PLANS:
        props = node.get("properties") or {}
        scalars = {k: (v, frozenset(x for x in v.get("enum") or () if isinstance(x, str)))
                   for k, v in props.items() if isinstance(v, dict) and _convertible(v)}
        enter = {k: v for k, v in props.items() if isinstance(v, dict) and _has_labels(v)}
        items = node.get("items") if isinstance(node.get("items"), dict) else None
        _PLANS[key] = (scalars, enter, items, bool(items and _convertible(items)), bool(items and _has_labels(items)))
    return _PLANS[key]


def _has_labels(node: dict, depth: int = 0) -> bool:
    """Whether anything below ``node`` (not ``node`` itself) may hold a label."""
    if depth > 32:
        return False
    subs = list((node.get("properties") or {}).values())
    if isinstance(node.get("items"), dict):
        subs.append(node["items"])
    return any(isinstance(v, dict) and (_convertible(v) or _has_labels(v, depth + 1)) for v in subs)


_KEEP = object()  # normalise_data: the text is kept as it is


def normalise_data(data: Any, node: dict, schemas: SchemaSet | None = None) -> Any:
    """Walk ``data`` beside its (inlined) schema node and replace labels in place; returns the root
    (replaced itself when the root is a scalar)."""
    stack: list[tuple[Any, dict]] = [(data, node)]
    done: dict[tuple[int, str], Any] = {}  # (id of the schema node, text) -> its value: once per distinct text
    while stack:
        value, schema = stack.pop()
        scalars, enter, items, convert_items, enter_items = _plan(schema)
        if isinstance(value, dict):
            _scalars([value], scalars, done, schemas)
            stack.extend((value[key], sub) for key, sub in enter.items()
                         if key in value and isinstance(value[key], (dict, list)))
        elif isinstance(value, list) and items is not None:
            if convert_items:
                for i, item in enumerate(value):
                    if isinstance(item, str):
                        value[i] = scalar_value(item, items, schemas)
            if enter_items:
                item_scalars, item_enter = _plan(items)[:2]
                if item_enter:
                    stack.extend((item, items) for item in value if isinstance(item, (dict, list)))
                else:  # records with nothing to enter (a table's rows): by column
                    _scalars([item for item in value if isinstance(item, dict)], item_scalars, done, schemas)
                    stack.extend((item, items) for item in value if isinstance(item, list))
    return scalar_value(data, node, schemas)


def _scalars(records: list[dict], scalars: dict, done: dict[tuple[int, str], Any], schemas: SchemaSet | None) -> None:
    """The labels of ``records`` replaced, column by column: each distinct text of a column is looked up once
    (``done``), and only the records holding a text that changes are visited again (time: a 180k-row table)."""
    for key, (sub, codes) in scalars.items():
        column = [record.get(key) for record in records]
        replace: dict[str, Any] = {}
        for typed in {v for v in column if isinstance(v, str)}.difference(codes):
            seen = (id(sub), typed)
            if seen not in done:
                found = scalar_value(typed, sub, schemas)
                done[seen] = _KEEP if found is typed else found
            if done[seen] is not _KEEP:
                replace[typed] = done[seen]
        if replace:
            for record, cell in zip(records, column, strict=True):
                if isinstance(cell, str) and cell in replace:
                    record[key] = replace[cell]


def _rename_columns(doc: Any, items: dict) -> None:
    """Chinese column headers of a CSV table renamed to the field keys (positions kept by column)."""
    props = items.get("properties") or {}
    header: dict[str, int] = getattr(doc.content, "header", {})
    renames: dict[str, str] = {}
    for name, col in header.items():
        if name in props or name.startswith("x-"):
            continue
        key = header_key(name, props)
        if key is None and items.get("additionalProperties") is False:  # one line at the header, not one a row
            labels = "、".join(sub["title"] if isinstance(sub, dict) and isinstance(sub.get("title"), str) else k
                              for k, sub in props.items())
            raise InputError(tr("unknown column {name} (columns of this table: {labels}; columns of your own start "
                                "with x-)", name=repr(name), labels=labels), doc.path, 1, col + 1, name)
        if key is not None and (key in header or key in renames.values()):  # a key and its title, both
            raise InputError(tr("column {name} is given twice", name=repr(name)), doc.path, 1, col + 1, name)
        if key is not None:
            renames[name] = key
    if not renames:
        return
    doc.content.header = {renames.get(h, h): i for h, i in header.items()}
    field = doc.content.base.lstrip("/")
    for record in doc.data.get(field) or []:
        for old, new in renames.items():
            if old in record:
                record[new] = record.pop(old)


def normalise_document(doc: Any, schemas: SchemaSet) -> None:
    """Hook for the evidence reader: a parsed document's Chinese labels (and a CSV table's Chinese
    headers) turned into the canonical codes and keys, before validation.  Documents of an unknown
    kind are left for validation to report."""
    if not isinstance(doc.data, dict) or doc.kind not in schemas.by_kind:
        return
    node = labelled_schema(schemas, doc.kind)
    if doc.fmt == "csv":
        field = schemas.by_kind[doc.kind].get("x-csv-records")
        items = ((node.get("properties") or {}).get(field) or {}).get("items")
        if isinstance(items, dict) and hasattr(doc.content, "header"):
            _rename_columns(doc, items)
    normalise_data(doc.data, node, schemas)
