"""Files of a bundle that nothing reads: listed in the report as not used, never silently ignored.

A file is used when it is the manifest, a document (YAML, JSON, a declared CSV table, a workbook sheet
mapped to a kind) or an attachment some document refers to.  Everything else — a scan no document
names, a workbook sheet that maps to no kind, a file of an unknown type — is not used."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from .schemas import SchemaSet, load_schemas


def referenced_attachments(bundle: Any, schemas: SchemaSet | None = None) -> set[str]:
    """Paths the documents of ``bundle`` name in their attachment fields (``x-attachment``)."""
    schemas = schemas or load_schemas()
    out: set[str] = set()
    for doc in [bundle.manifest, *bundle.documents]:
        if doc.kind not in schemas.by_kind or not isinstance(doc.data, dict):
            continue
        for _, value, node in schemas.walk_instance(doc.kind, doc.data):
            if node.get("x-attachment") and isinstance(value, str):
                out.add(str(PurePosixPath(value.replace("\\", "/"))))
    return out


def unused_files(bundle: Any, schemas: SchemaSet | None = None) -> tuple[str, ...]:
    """The files (and workbook sheets, ``台账.xlsx!备注``) of ``bundle`` that nothing reads, sorted."""
    used = referenced_attachments(bundle, schemas)
    return tuple(sorted(path for path, f in bundle.files.items() if f.kind is None and path not in used))
