"""JSON Schemas of the evidence kinds: loading, validation with located errors, field lookup.

Schema conventions (all documented in ``schemas/README.md``):

* ``schemas/<kind>.schema.json`` describes documents whose ``kind`` is ``<kind>``;
  ``$id`` is ``https://parkcheck.invalid/schemas/<kind>.schema.json`` so relative ``$ref`` work offline.
* ``x-records: true`` on an array of objects: each item becomes its own fact (kind
  ``<kind>.<field>``), so large tables are evaluated record by record.
* ``x-csv-records: <field>`` at the top: the kind may be supplied as a CSV table filling that array.
* ``x-attachment: true`` on a string: a relative path that must name a file inside the bundle.
* ``x-singleton: true`` at the top: at most one document of the kind in a bundle.
* ``x-key: <field>`` (or a list of fields) at the top of a kind that may occur several times, or on
  the items of an ``x-records`` array: the field that identifies the document or record (default
  for records: ``id``).  Stable keys and nonconformity ids are built from it (``checker.ids``).
* ``title``/``description`` are Chinese, ``x-title-en``/``x-description-en`` English.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs in the environment
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .attachments import BUNDLE_FILES as _BUNDLE_FILES
from .attachments import DATES, FORMAT_CHECKER
from .attachments import RsAttachment as _RsAttachment
from .attachments import x_attachment as _x_attachment
from .errors import InputError, Problem
from .fastvalid import is_valid as _fast_is_valid
from .i18n import LANGUAGES, current, tr, using
from .pointers import join_pointer
from .resources import data_dir
from .schemaerrors import describe_error

BASE_URI = "https://parkcheck.invalid/schemas/"
_Validator = jsonschema.validators.extend(Draft202012Validator, {"x-attachment": _x_attachment})


@dataclass(frozen=True)
class FieldInfo:
    """What the schema says about one field."""

    kind: str
    path: str
    node: dict

    @property
    def type(self) -> str | None:
        t = self.node.get("type")
        if isinstance(t, list):
            t = next((x for x in t if x != "null"), None)
        if t is None and "enum" in self.node:
            values = self.node["enum"]
            if all(isinstance(v, str) for v in values):
                return "string"
        return t

    @property
    def is_date(self) -> bool:
        return self.type == "string" and self.node.get("format") == "date"

    @property
    def enum(self) -> list | None:
        return self.node.get("enum")


class SchemaSet:
    """All schemas of one folder, with a registry for ``$ref`` between them."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.by_kind: dict[str, dict] = {}
        self.extra: dict[str, dict] = {}
        resources = []
        for path in sorted(folder.glob("*.schema.json")):
            try:
                schema = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise InputError(f"schema cannot be read: {exc}", str(path)) from None
            resources.append((schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012)))
            kind = schema.get("x-kind")
            if kind:
                self.by_kind[kind] = schema
            else:
                self.extra[path.name] = schema
        self.registry = Registry().with_resources(resources)
        self._validators: dict = {}
        self._inlined: dict = {}
        self._fast: dict = {}

    @property
    def kinds(self) -> list[str]:
        return sorted(self.by_kind)

    def schema(self, name: str) -> dict:
        """A schema by kind, or by file name for the non-evidence schemas (report, rule, pack)."""
        if name in self.by_kind:
            return self.by_kind[name]
        return self.extra[name]

    def table_fields(self) -> dict[str, str]:
        return {k: s["x-csv-records"] for k, s in self.by_kind.items() if s.get("x-csv-records")}

    # -- field lookup (used by the rule linter and the fact builder) -------------------------

    def _resolver(self, schema: dict):
        return self.registry.resolver(base_uri=schema["$id"])

    def deref(self, node: dict, resolver: Any) -> tuple[dict, Any]:
        """Follow ``$ref`` from ``node`` (with the resolver of the schema it is in): the target node, its
        sibling keywords kept, and the resolver for the target's own references."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            resolved = resolver.lookup(node["$ref"])
            merged = dict(resolved.contents)
            for k, v in node.items():  # sibling keywords (titles) stay with the referencing node
                if k != "$ref":
                    merged.setdefault(k, v)
            node, resolver = merged, resolved.resolver
            seen += 1
            if seen > 32:
                raise ValueError("$ref cycle")
        return node, resolver

    def kind_label(self, fact_kind: str) -> tuple[str, str]:
        """Human names (zh, en) of a fact kind, from the schema titles: "基准文件中的基准" for baseline.baselines."""
        parts = fact_kind.split(".")
        if parts[0] not in self.by_kind:
            return fact_kind, fact_kind
        schema = self.by_kind[parts[0]]
        zh, en = schema.get("title", parts[0]), schema.get("x-title-en", parts[0])
        node = self.inlined(parts[0])
        for part in parts[1:]:
            node = node.get("properties", {}).get(part, {})
            zh = f"{zh}中的{node.get('title', part)}"
            en = f"{node.get('x-title-en', part)} of the {en[0].lower() + en[1:]}"
            node = node.get("items", {})
        return zh, en

    def inlined(self, kind: str) -> dict:
        """The kind's schema with every $ref replaced by its target (evidence schemas are not recursive)."""
        if kind not in self._inlined:
            schema = self.by_kind[kind]

            def inline(node, resolver, depth=0):
                if depth > 32:
                    raise ValueError(f"schema of {kind} nests too deep")
                if isinstance(node, dict):
                    node, resolver = self.deref(node, resolver)
                    return {k: inline(v, resolver, depth + 1) for k, v in node.items()}
                if isinstance(node, list):
                    return [inline(v, resolver, depth + 1) for v in node]
                return node

            self._inlined[kind] = inline(schema, self._resolver(schema))
        return self._inlined[kind]

    def fact_root(self, fact_kind: str) -> tuple[dict, Any] | None:
        """Schema node (object) of a fact kind: a document kind or ``<kind>.<records path>``."""
        parts = fact_kind.split(".")
        if parts[0] not in self.by_kind:
            return None
        schema = self.by_kind[parts[0]]
        node, resolver = self.deref(schema, self._resolver(schema))
        for part in parts[1:]:
            props = node.get("properties", {})
            if part not in props:
                return None
            arr, resolver = self.deref(props[part], resolver)
            if not arr.get("x-records"):
                return None
            node, resolver = self.deref(arr.get("items", {}), resolver)
        return node, resolver

    def field(self, fact_kind: str, path: str) -> FieldInfo | None:
        """Look up a dotted field path inside a fact kind; ``None`` if the schema has no such field."""
        root = self.fact_root(fact_kind)
        if root is None:
            return None
        node, resolver = root
        for part in path.split("."):
            if node.get("type") == "array":
                node, resolver = self.deref(node.get("items", {}), resolver)
            props = node.get("properties", {})
            if part not in props:
                return None
            node, resolver = self.deref(props[part], resolver)
            if node.get("x-records"):
                return None  # record collections are separate facts, not fields
        return FieldInfo(fact_kind, path, node)

    def items_of(self, array: FieldInfo) -> FieldInfo | None:
        """Schema of the items of an array field (all schemas share one base URI folder)."""
        items = array.node.get("items")
        if not isinstance(items, dict):
            return None
        node, _ = self.deref(items, self.registry.resolver(base_uri=BASE_URI))
        return FieldInfo(array.kind, f"{array.path}[]", node)

    def item_field(self, array: FieldInfo, path: str) -> FieldInfo | None:
        """A field inside the items of an embedded array of objects."""
        root = self.fact_root(array.kind)
        if root is None:
            return None
        _, resolver = root
        node, resolver = self.deref(array.node.get("items", {}), resolver)
        for part in path.split("."):
            props = node.get("properties", {})
            if part not in props:
                return None
            node, resolver = self.deref(props[part], resolver)
        return FieldInfo(array.kind, f"{array.path}[].{path}", node)

    def walk_instance(self, kind: str, data: Any):
        """Yield ``(pointer, value, node)`` over a document, with each value's resolved schema node."""
        schema = self.by_kind[kind]
        node, resolver = self.deref(schema, self._resolver(schema))
        stack = [("", data, node, resolver)]
        while stack:
            pointer, value, node, resolver = stack.pop()
            yield pointer, value, node
            if isinstance(value, dict):
                props = node.get("properties", {})
                for k, v in value.items():
                    if k in props:
                        sub, res = self.deref(props[k], resolver)
                        stack.append((join_pointer(pointer, k), v, sub, res))
            elif isinstance(value, list):
                items = node.get("items")
                if isinstance(items, dict):
                    sub, res = self.deref(items, resolver)
                    for i, v in enumerate(value):
                        stack.append((join_pointer(pointer, i), v, sub, res))

    # -- validation ---------------------------------------------------------------------------

    def fast_validator(self, kind: str):
        """A jsonschema-rs validator of the inlined schema (None without the library): it only answers
        "valid or not"; the messages for an invalid document come from the reference validator."""
        if kind not in self._fast:
            try:
                import jsonschema_rs
                self._fast[kind] = jsonschema_rs.validator_for(self.inlined(kind), validate_formats=True, formats=DATES,
                                                              keywords={"x-attachment": _RsAttachment})
            except Exception:  # missing library or an unsupported construct: use the reference only
                self._fast[kind] = None
        return self._fast[kind]

    def fast_schema_validator(self, name: str):
        """A jsonschema-rs validator of the schema file ``name`` as it is (its own ``$ref``s, recursion
        allowed; None without the library): "valid or not" only, like ``fast_validator``."""
        key = f"file:{name}"
        if key not in self._fast:
            try:
                import jsonschema_rs
                self._fast[key] = jsonschema_rs.validator_for(self.schema(name), validate_formats=True, formats=DATES)
            except Exception:  # missing library or an unsupported construct: use the reference only
                self._fast[key] = None
        return self._fast[key]

    def validator(self, schema: dict):
        """A validator for ``schema``; attachment checks read the files set by ``bundle_files``."""
        key = schema.get("$id", id(schema))
        if key not in self._validators:
            self._validators[key] = _Validator(schema, registry=self.registry, format_checker=FORMAT_CHECKER)
        return self._validators[key]

    def check_schemas(self) -> list[Problem]:
        """Meta-validate every schema (used by the test suite and ``rules lint``)."""
        problems = []
        for path in sorted(self.folder.glob("*.schema.json")):
            schema = json.loads(path.read_text(encoding="utf-8"))
            for err in Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(schema):
                problems.append(Problem(err.message, path.name, field="/" + "/".join(map(str, err.absolute_path))))
        return problems


@lru_cache(maxsize=4)
def load_schemas(folder: str | None = None) -> SchemaSet:
    return SchemaSet(Path(folder) if folder else data_dir("schemas"))


# Errors that leave a document readable and meaningful, only incomplete: a required field left out, an empty list
# or text where the schema wants content, a value out of its range, a value left blank (null).  ``check`` does not
# stop on them: the document is checked without the value and the gap becomes a finding at the clause that needs it
# (``checker.gaps``).  Every other error (wrong type, unparseable date, unknown field, a value not in an enum, an
# attachment not in the bundle …) makes the document unreadable or meaningless and stays an input error.  An
# *optional* value left empty (null, "" or []) is flagged ``optional``: it is simply not given, and no finding.  In
# a table (a CSV file, a workbook's sheets) the tool types every cell itself: a cell of a number column that is not
# a number (``约994.5``, ``12 MWh``) is an unusable value, the gap ``type``, checked without it like a blank cell;
# in a YAML or JSON document the author typed the value, and a wrong type stays an input error.
GAP_KEYWORDS = ("required", "minItems", "minLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def _gap_keyword(err: jsonschema.ValidationError, table: bool = False) -> str | None:
    v, inst = err.validator, err.instance
    if v in GAP_KEYWORDS:
        return v
    if v == "type" and table and isinstance(inst, str) and _numeric(err.validator_value):
        return "type"  # a table cell of a number column that is not a number
    if v == "type" and inst is None:
        return "blank"  # `field:` with nothing after it
    if v == "pattern" and isinstance(inst, str) and not inst.strip():
        return "minLength"  # whitespace-only text where text is wanted
    return None


def _numeric(types: Any) -> bool:
    types = set(types) if isinstance(types, list) else {types}
    return bool(types & {"number", "integer"}) and "string" not in types


def validate_document(schemas: SchemaSet, kind: str, data: Any, file: str, position,
                      attachments: set[str], documents: set[str], limit: int = 50, table: bool = False,
                      empty: frozenset[str] = frozenset()) -> list[Problem]:
    """Validate one document against its kind's schema; problems carry file, line, column, field.

    Content gaps (see ``GAP_KEYWORDS``) carry ``gap`` = the keyword; a missing field is located at
    the line of the object that lacks it.  At most ``limit`` other problems are listed.  ``table``: the
    document is a table (CSV, workbook), whose number cells holding text are gaps too (``type``)."""
    files = (frozenset(attachments), frozenset(documents), frozenset(empty))  # empty: attachments of 0 bytes
    fast = schemas.fast_validator(kind)
    if fast is not None and _fast_is_valid(fast, schemas.inlined(kind), data, files):
        return []
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    errors = _errors(schemas, kind, text, files, current(), table)
    texts = _gap_messages(schemas, kind, text, files, errors, table)
    problems = []
    others = 0
    optional = None
    for (pointer, message, gap), messages in zip(errors, texts, strict=True):
        if gap in ("blank", "minLength", "minItems"):
            if optional is None:
                optional = _optional_pointers(schemas, kind, data)
            if pointer in optional:
                gap = "optional"  # an optional field left empty: simply not given, no finding
        pos = position(pointer)
        if gap and pos is None:  # a missing field: the line of the object that should hold it
            parent = pointer
            while pos is None and parent:
                parent = parent.rsplit("/", 1)[0]
                pos = position(parent)
        if not gap:
            others += 1
            if others > limit:
                continue
        problems.append(Problem(message, file, pos[0] if pos else None, pos[1] if pos else None, pointer or "/",
                                gap=gap, messages=messages))
    if others > limit:
        problems.append(Problem(tr("... and {count} more problems", count=others - limit), file))
    return problems


def _gap_messages(schemas: SchemaSet, kind: str, text: str, files: tuple[frozenset, frozenset, frozenset],
                  errors: list[tuple[str, str, str | None]], table: bool = False) -> list[dict[str, str] | None]:
    """The message of each content gap in every language (``None`` for other errors): gaps become findings
    in reports, which read the same whatever the message language (checker.gaps)."""
    if not any(gap for _, _, gap in errors):
        return [None] * len(errors)
    both = {lang: _errors(schemas, kind, text, files, lang, table) for lang in LANGUAGES}
    return [{lang: found[i][1] for lang, found in both.items()} if gap else None
            for i, (_, _, gap) in enumerate(errors)]


def _optional_pointers(schemas: SchemaSet, kind: str, data: Any) -> set[str]:
    """Pointers of the values of a document that their object does not require (list items included)."""
    out: set[str] = set()
    for pointer, value, node in schemas.walk_instance(kind, data):
        if isinstance(value, dict):
            required = set(node.get("required", []))
            out.update(join_pointer(pointer, k) for k in value if k not in required)
        elif isinstance(value, list):
            out.update(join_pointer(pointer, i) for i in range(len(value)))
    return out


@lru_cache(maxsize=4096)
def _errors(schemas: SchemaSet, kind: str, text: str, files: tuple[frozenset, frozenset, frozenset], lang: str,
            table: bool = False) -> list[tuple[str, str, str | None]]:
    """(pointer, message, gap keyword or None) of every error; memoised on the document's content, the
    bundle's files and the language of the messages (``lang``: checker.i18n's current one)."""
    token = _BUNDLE_FILES.set(files)
    try:
        with using(lang):
            errors = sorted(schemas.validator(schemas.by_kind[kind]).iter_errors(json.loads(text)),
                            key=lambda e: (list(map(str, e.absolute_path)), e.validator))
            return [(*describe_error(err), _gap_keyword(err, table)) for err in errors]
    finally:
        _BUNDLE_FILES.reset(token)
