"""Validate a loaded bundle against the evidence schemas.

Problems are returned, not raised: ``parkcheck validate`` lists them all (exit 1) and
``parkcheck check`` refuses to judge evidence that does not validate (exit 2).
"""

from __future__ import annotations

from .bundle import MANIFEST, Bundle, Document
from .errors import Problem
from .schemas import SchemaSet, validate_document
from .yamlio import join_pointer


def _coerce_table(doc: Document, schemas: SchemaSet) -> None:
    """CSV cells are text: convert the columns the schema types as numbers or booleans."""
    field = schemas.by_kind[doc.kind]["x-csv-records"]
    for pointer, value, node in list(schemas.walk_instance(doc.kind, doc.data)):
        if not isinstance(value, str) or not pointer.startswith(join_pointer("", field) + "/"):
            continue
        t = node.get("type")
        parent_ptr, key = pointer.rsplit("/", 1)
        parent = doc.data[field][int(parent_ptr.rsplit("/", 1)[1])]
        try:
            if t == "integer":
                parent[key] = int(value)
            elif t == "number":
                parent[key] = float(value)
            elif t == "boolean" and value.lower() in ("true", "false", "是", "否", "yes", "no"):
                parent[key] = value.lower() in ("true", "是", "yes")
        except ValueError:
            pass  # left as text: the schema reports the cell with its line and column


def validate_bundle(bundle: Bundle, schemas: SchemaSet) -> list[Problem]:
    problems: list[Problem] = []
    attachments = bundle.attachments
    documents = {d.path for d in bundle.documents} | {MANIFEST}
    m = bundle.manifest
    problems += validate_document(schemas, "bundle", m.data, m.path, m.position, attachments, documents)
    if not problems:
        period = m.data["period"]
        if period["start"] > period["end"]:
            pos = m.position("/period/end")
            problems.append(Problem(f"the period ends ({period['end']}) before it starts ({period['start']})",
                                    m.path, *(pos or (None, None)), field="/period/end"))
    seen: dict[str, str] = {}
    for doc in bundle.documents:
        if not isinstance(doc.data, dict):
            problems.append(Problem("a document must be a mapping with a kind", doc.path, 1, 1, "/"))
            continue
        if "kind" not in doc.data:
            problems.append(Problem(f"missing kind: say which evidence this is (one of: {', '.join(schemas.kinds)})",
                                    doc.path, 1, 1, "/kind"))
            continue
        if doc.kind not in schemas.by_kind or doc.kind == "bundle":
            pos = doc.position("/kind")
            problems.append(Problem(f"unknown kind {doc.data['kind']!r} (known: "
                                    f"{', '.join(k for k in schemas.kinds if k != 'bundle')})",
                                    doc.path, *(pos or (None, None)), field="/kind"))
            continue
        if doc.fmt == "csv":
            _coerce_table(doc, schemas)
        schema = schemas.by_kind[doc.kind]
        if schema.get("x-singleton"):
            if doc.kind in seen:
                pos = doc.position("/kind")
                problems.append(Problem(f"a bundle holds one {doc.kind} document; {seen[doc.kind]} is another",
                                        doc.path, *(pos or (None, None)), field="/kind"))
            seen[doc.kind] = doc.path
        problems += validate_document(schemas, doc.kind, doc.data, doc.path, doc.position, attachments, documents)
    return problems
