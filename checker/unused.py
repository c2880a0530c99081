"""Files of a bundle that nothing reads: listed in the report as not used, never silently ignored.

A file is used when it is the manifest, a document (YAML, JSON, a declared CSV table, a workbook sheet
mapped to a kind) or an attachment some document refers to.  Everything else — a scan no document
names, a workbook sheet that maps to no kind, a file of an unknown type — is not used."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from .schemas import SchemaSet, load_schemas


def _attachment_tree(node: Any) -> Any:
    """The part of an inlined schema node that leads to ``x-attachment`` fields: True for such a
    field, a dict of the properties / items that lead to one, or None when none is below."""
    if not isinstance(node, dict):
        return None
    if node.get("x-attachment"):
        return True
    props = {k: t for k, v in (node.get("properties") or {}).items() if (t := _attachment_tree(v)) is not None}
    items = _attachment_tree(node.get("items"))
    if not props and items is None:
        return None
    return {"properties": props, "items": items}


def _attachments(value: Any, tree: Any, out: set[str]) -> None:
    if tree is True:
        if isinstance(value, str):
            out.add(str(PurePosixPath(value.replace("\\", "/"))))
        return
    if isinstance(value, dict):
        for k, sub in tree["properties"].items():
            if k in value:
                _attachments(value[k], sub, out)
    elif isinstance(value, list) and tree["items"] is not None:
        for v in value:
            _attachments(v, tree["items"], out)


def referenced_attachments(bundle: Any, schemas: SchemaSet | None = None) -> set[str]:
    """Paths the documents of ``bundle`` name in their attachment fields (``x-attachment``).  Only the
    branches of each schema that lead to an attachment field are walked."""
    schemas = schemas or load_schemas()
    out: set[str] = set()
    trees: dict[str, Any] = {}
    for doc in [bundle.manifest, *bundle.documents]:
        if doc.kind not in schemas.by_kind or not isinstance(doc.data, dict):
            continue
        if doc.kind not in trees:
            trees[doc.kind] = _attachment_tree(schemas.inlined(doc.kind))
        if trees[doc.kind] is not None:
            _attachments(doc.data, trees[doc.kind], out)
    return out


def unused_files(bundle: Any, schemas: SchemaSet | None = None) -> tuple[str, ...]:
    """The files (and workbook sheets, ``台账.xlsx!备注``) of ``bundle`` that nothing reads, sorted."""
    used = referenced_attachments(bundle, schemas)
    return tuple(sorted(path for path, f in bundle.files.items() if f.kind is None and path not in used))
