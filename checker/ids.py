"""Stable identities: of the evidence (documents and records) and of nonconformities.

A nonconformity id must let an auditor follow one defect from audit to surveillance, so it may
depend only on *what* the defect is about, never on how the bundle happens to be laid out:

* a document is known by its kind; when a kind may occur several times in a bundle, by its own
  number (the field the schema names in ``x-key``, e.g. ``control.number``) where it gives one;
* a record (an item of an ``x-records`` array) is known by its parent's key, the array's name and
  the record's own key: the field the items' schema names in ``x-key`` (``id`` by default), or a
  canonical hash of the record when it has none — e.g. ``internal_audit/audits[IA-2024-01]/findings[F-02]``;
* an aggregate by its name and key, a missing document by its kind.

Keys that still coincide (two documents of one kind without numbers, a record id used in two such
documents) are told apart by a canonical hash of each one's own content, so records keep their key
when another document of the same kind is edited.

File names, list positions and the order of YAML keys never enter a key.  The canonical hash
sorts mapping keys and list items, so reordering inside a record does not change it either.

A nonconformity id is ``NC-`` and 8 characters (RFC 4648 base32) of the SHA-256 of its defect key
(pack, rule or shared ``finding`` key, evidence key).  A merged nonconformity of a combined audit
takes the smallest of its members' keys.  Colliding ids are resolved in the sorted order of the
full keys, so the result does not depend on the order in which defects were found.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from itertools import repeat
from typing import Any

ID_PREFIX = "NC-"
ID_LENGTH = 8
ID_PATTERN = r"^NC-[A-Z2-7]{8}$"


_AS_IS = frozenset({str, int, bool})


def _canonical(value: Any) -> Any:
    """A JSON-ready form of ``value`` that ignores the order of mapping keys and of list items."""
    if isinstance(value, dict):  # text, integers, booleans and None are their own form (most cells)
        return {str(k): v if type(v) in _AS_IS or v is None else _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False, default=str))
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 1.0 in YAML and 1 in a CSV cell are the same content
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def canonical_text(value: Any) -> str:
    return json.dumps(_canonical(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def content_hash(value: Any, length: int = 12) -> str:
    """A short hex digest of a value's content, independent of key and item order."""
    return hashlib.sha256(canonical_text(value).encode("utf-8")).hexdigest()[:length]


def dotted(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _scalar_key(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def own_key(data: Any, key_fields: str | list | None) -> str | None:
    """The record's (or document's) own key from the fields the schema names, or None."""
    return _own_keys([data], key_fields)[0]


def _own_keys(items: list, key_fields: str | list | None) -> list[str | None]:
    """``own_key`` of each item, the fields' paths split once."""
    if not key_fields:
        return [None] * len(items)
    paths = [f.split(".") for f in ([key_fields] if isinstance(key_fields, str) else key_fields)]
    if all(len(path) == 1 for path in paths):
        flat = _flat_keys(items, [path[0] for path in paths])
        if flat is not None:
            return flat
    out: list[str | None] = []
    for item in items:
        parts = []
        for path in paths:
            value = item
            for name in path:
                value = value.get(name) if isinstance(value, dict) else None
            part = value.strip() or None if type(value) is str else _scalar_key(value)
            if part is None:
                break
            parts.append(part)
        out.append("|".join(parts) if len(parts) == len(paths) and isinstance(item, dict) else None)
    return out


def _flat_keys(items: list, names: list[str]) -> list[str | None] | None:
    """``_own_keys`` column by column when every item is a mapping and every key field a top-level one
    holding text that is not blank (stripped) or a whole number (not a boolean) in every item (a table's
    rows); None when some value is anything else (the items are then read one by one)."""
    if not all(type(item) is dict for item in items):
        return None
    columns = []
    for name in names:
        column: list[Any] = list(map(dict.get, items, repeat(name)))
        types = set(map(type, column))
        if types == {str}:
            column = list(map(str.strip, column))
            if not all(column):
                return None
        elif types == {int}:  # (a few distinct numbers, a year or a month: each made text once)
            column = list(map({n: str(n) for n in set(column)}.__getitem__, column))
        elif types:
            return None
        columns.append(column)
    if len(columns) == 1:
        return columns[0]
    return list(map("|".join, zip(*columns, strict=True)))


def item_key_fields(items_node: dict) -> str | list | None:
    """Which field(s) identify an item of a record array: ``x-key``, else ``id`` if the items have one."""
    if "x-key" in items_node:
        return items_node["x-key"]
    return "id" if "id" in (items_node.get("properties") or {}) else None


def record_keys(items: list, key_fields: str | list | None) -> list[str]:
    """One key per item (``[own key]`` or ``[#hash]``), unique among the siblings, independent of their order.

    Siblings sharing an own key are told apart by their content hash; identical siblings (same
    content) are interchangeable, so numbering them in order changes nothing a report shows about them.
    """
    return _record_keys(items, _own_keys(items, key_fields))


def _record_keys(items: list, own: list[str | None]) -> list[str]:
    """``record_keys`` from the items' own keys."""
    raw = [key or "#" + content_hash(item) for key, item in zip(own, items, strict=True)]
    if len(set(raw)) == len(raw):
        return raw  # no key repeated (most tables): nothing to tell apart or number
    counts: dict[str, int] = {}
    for k in raw:
        counts[k] = counts.get(k, 0) + 1
    keys = [k if counts[k] == 1 or k.startswith("#") else f"{k}#{content_hash(item)}"
            for k, item in zip(raw, items, strict=True)]
    return _numbered(keys)


def record_keys_own(items: list, key_fields: str | list | None) -> tuple[list[str], list[str | None]]:
    """``record_keys`` and the items' own keys (``own_key``), by position."""
    own = _own_keys(items, key_fields)
    return _record_keys(items, own), own


class RowKeys:
    """The stable keys of the records of one array (``prefix[record key]``), each computed when it is
    first read (``FactSource.key``; memory: no text per row kept): from the record's own key, or the key
    noted for it where that is not its own (none, or one its siblings share).  The position of a record is
    the last token of its fact's pointer."""

    __slots__ = ("fields", "others", "prefix")

    def __init__(self, prefix: str, fields: str | list | None, keys: list[str], own: list[str | None],
                 positions: list[int]):
        self.prefix = prefix
        self.fields = fields
        self.others = {i: k for i, k, o in zip(positions, keys, own, strict=True) if k != o}

    def resolve(self, src: Any) -> str:
        position = int(src.pointer.rsplit("/", 1)[1])
        key = self.others.get(position)
        return f"{self.prefix}[{_own_keys([src.data], self.fields)[0] if key is None else key}]"


def _numbered(keys: list[str]) -> list[str]:
    """Keys still repeated after hashing belong to items equal in content: number them in order."""
    seen: dict[str, int] = {}
    out = []
    for k in keys:
        n = seen.get(k, 0)
        seen[k] = n + 1
        out.append(k if n == 0 else f"{k}~{n + 1}")
    return out


def document_keys(documents: Iterable, schemas) -> dict[str, str]:
    """Stable key of each document (by path): its kind, or ``kind[number]`` when the kind may occur
    several times and the schema names the document's own number (``x-key``).  Two documents with
    the same key are told apart afterwards by ``unique_keys_lazy``, by content."""
    out = {}
    for d in documents:
        schema = schemas.by_kind.get(d.kind, {})
        own = None if schema.get("x-singleton") else own_key(d.data, schema.get("x-key"))
        out[d.path] = d.kind if own is None else f"{d.kind}[{own}]"
    return out


class _Shared:
    """Items sharing one key: each one's ``key@hash`` (``unique_keys_lazy``), hashed when the first is asked for
    (a whole document's content hash is costly, and most documents' keys are never read)."""

    __slots__ = ("contents", "key", "keys")

    def __init__(self, key: str, contents: list):
        self.key = key
        self.contents = contents
        self.keys: list[str] | None = None

    def key_of(self, index: int) -> str:
        if self.keys is None:
            self.keys = _numbered([f"{self.key}@{content_hash(content)}" for content in self.contents])
            self.contents = []
        return self.keys[index]


class LazyKey:
    """A key ``unique_keys_lazy`` leaves to be computed on first read (``FactSource.key``)."""

    __slots__ = ("index", "shared")

    def __init__(self, shared: _Shared, index: int):
        self.shared = shared
        self.index = index

    def resolve(self, src: Any = None) -> str:
        return self.shared.key_of(self.index)


def unique_keys_lazy(keyed: list[tuple[str, Any]]) -> list[str | LazyKey]:
    """Make ``(key, content)`` keys unique whatever their order: a key shared by several items gets each
    item's content hash (``key@hash``), computed only when first read (``LazyKey``); items equal in content
    too are numbered in order within their key's group, which changes nothing a report shows about them
    since they are interchangeable (a hashed key ``k@h`` never equals another item's key)."""
    if len({k for k, _ in keyed}) == len(keyed):
        return [k for k, _ in keyed]  # every key its own (most bundles): nothing to hash
    groups: dict[str, list] = {}
    for k, content in keyed:
        groups.setdefault(k, []).append(content)
    shared = {k: _Shared(k, contents) for k, contents in groups.items() if len(contents) > 1}
    seen: dict[str, int] = {}
    out: list[str | LazyKey] = []
    for k, _ in keyed:
        group = shared.get(k)
        if group is None:
            out.append(k)
            continue
        n = seen.get(k, 0)
        seen[k] = n + 1
        out.append(LazyKey(group, n))
    return out


def _digest(text: str) -> str:
    return base64.b32encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")[:ID_LENGTH]


def nonconformity_ids(keys: list[tuple]) -> list[str]:
    """An id per defect key (in the given order), unique, independent of that order."""
    texts = [json.dumps(list(k), ensure_ascii=False, default=str) for k in keys]
    assigned: dict[str, str] = {}
    used: set[str] = set()
    for text in sorted(set(texts)):
        n = 0
        while True:
            candidate = ID_PREFIX + _digest(text if n == 0 else f"{text}\x00{n}")
            if candidate not in used:
                break
            n += 1
        used.add(candidate)
        assigned[text] = candidate
    return [assigned[t] for t in texts]
