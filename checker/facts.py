"""Turn validated documents into engine facts, and keep the way back to the evidence.

The engine sees small, typed, flat-ish facts; reports need the original values and where they
were written.  So every fact gets a short sequential id, and ``FactBase.sources`` maps that id to
the file, JSON pointer and original data.  Normalisation (driven by the schemas, the same for all
kinds) is:

* blank values (``null``, whitespace-only text, empty lists and mappings) are dropped, so rules
  test "missing or empty" with one operator;
* dates become whole days since 1970-01-01, so the engine can compare them as numbers;
* arrays marked ``x-records`` become facts of kind ``<kind>.<field>`` of their own, each carrying
  ``_doc`` (the document fact) and ``_parent`` (the enclosing fact), so big tables are evaluated
  record by record instead of inside one oversized fact;
* ``x-`` extension fields are not given to the engine.

Declared derived values and aggregates (counts and sums per calendar year or per combination of
fields) are then computed generically (``checker.aggregation``), because the engine cannot count or
compute; aggregates enter as facts of kind ``agg.<name>``.
"""

from __future__ import annotations

import datetime as _dt
import operator
from collections import Counter
from collections.abc import Callable, Iterable
from itertools import chain, compress, repeat
from typing import Any

from .aggregation import run_declarations, step_reads
from .bundle import Bundle, Document, TableContent
from .columns import engine_path
from .conditions import RESERVED, add_months, anchor_name, epoch_days
from .factbase import FactBase, FactSource
from .gcpause import paused
from .ids import RowKeys, document_keys, item_key_fields, record_keys_own, unique_keys_lazy
from .packedsource import FIELDS, PackedSource
from .packmodel import BUNDLE_KIND, Aggregate, Derived
from .pointers import join_pointer
from .recordfacts import RENAMED, lean_fact, places, stables, whole_fact
from .schemas import SchemaSet
from .sourcepack import PackedSources, pack, views

_BLANK = object()
_EMPTY: dict = {}
_PLAIN: tuple = (_EMPTY, False, frozenset())  # a property the schema does not describe
_RESERVED = frozenset(RESERVED)
_NUMBERS = frozenset({int, float, bool})
_KEPT_TYPES = frozenset({str, int, float, bool})

_TRIM = " \t\r\n\u3000。．.；;，,：:！!"
_WORDS: dict[int, tuple[dict, frozenset[str]]] = {}  # by id of the schema node (kept alive beside it)
_SETS: dict[tuple, frozenset[str]] = {}  # the same placeholder words in many nodes: one set (memory, ~2 MB)


def _placeholder_words(node: dict) -> frozenset[str]:
    """The node's ``x-placeholders``, case-folded, computed once per schema node."""
    hit = _WORDS.get(id(node))
    if hit is None or hit[0] is not node:
        words = tuple(node.get("x-placeholders") or ())
        hit = _WORDS[id(node)] = (node, _SETS.setdefault(words, frozenset(w.casefold() for w in words)))
    return hit[1]


def _placeholder(value: str, node: dict) -> bool:
    """A text that is only a placeholder the schema declares (``x-placeholders``: 待定, 暂无, TBD …)
    says nothing: it is treated as not given, so a rule asking for the content fails."""
    if "x-placeholders" not in node:
        return False
    words = _placeholder_words(node)
    return bool(words) and value.strip(_TRIM).casefold() in words


def _normalised(out: dict, value: dict, same: bool, root: bool) -> Any:
    """A normalised mapping: the original itself when every value was kept as it is (the fact shares the
    evidence's values, which are never changed: memory); nothing when it is left empty, unless it is a
    document."""
    if same and out:
        return value  # (an empty mapping is blank: dropped below)
    return out if out or root else _BLANK


def _child(pointer: str, token: str | int) -> str:
    token = str(token)
    if "~" in token or "/" in token:
        return join_pointer(pointer, token)
    return f"{pointer}/{token}"


class _Normaliser:
    """Normalises a document's values beside its (inlined) schema.  Pointers are built only for the
    containers (the records arrays need theirs); scalars need none."""

    def __init__(self, schemas: SchemaSet, base: FactBase, shared: frozenset[str] = frozenset(),
                 lean: Callable[[str], frozenset[str] | None] | None = None):
        self.schemas = schemas
        self.base = base
        self.shared = shared  # the document keys several documents share
        self.lean = lean  # the fields the record facts of a kind need (None: all of them), ``_lean``
        self.plans: dict[int, tuple[dict, dict]] = {}  # by id of the schema node (kept alive beside it)
        # the records arrays of documents whose key others share, by key prefix: their lazy keys (``_lazy_keys``)
        self.shared_rows: dict[str, list[RowKeys | None]] = {}

    def value(self, value: Any, node: dict, pointer: str, pending: list) -> Any:
        if "$ref" in node:
            node, _ = self.schemas.deref(node, None)
        if isinstance(value, dict):
            return self.mapping(value, node, pointer, pending)
        if isinstance(value, list):
            if node.get("x-records"):
                pending.append((value, node, pointer))
                return _BLANK
            return self.sequence(value, node.get("items", {}), pointer, pending)
        if value is None:
            return _BLANK
        if isinstance(value, str):
            if not value.strip() or _placeholder(value, node):
                return _BLANK
            if node.get("format") == "date":
                return epoch_days(value)
        return value

    def mapping(self, value: dict, node: dict, pointer: str, pending: list) -> Any:
        plan = self.plan(node)
        out = {}
        root = not pointer
        same = not root  # every value kept as it is, so far (the original can then be shared)
        for k, v in value.items():
            if k.startswith("x-") or (root and k == "kind"):
                same = False
                continue
            t = type(v)
            if t is str:  # the common case, inline: blank, a placeholder, a date, or the text itself
                _, date, words = plan.get(k, _PLAIN)
                if not v.strip() or (words and v.strip(_TRIM).casefold() in words):
                    same = False
                elif date:
                    out[k] = epoch_days(v)
                    same = False
                else:
                    out[k] = v
            elif t in _NUMBERS:
                out[k] = v
            elif v is None:
                same = False
            else:
                nv = self._nested(v, t, plan.get(k, _PLAIN)[0], pointer, k, pending)
                if nv is not _BLANK:
                    out[k] = nv
                same = same and nv is v
        return _normalised(out, value, same, root)

    def _nested(self, value: Any, t: type, node: dict, pointer: str, key: str, pending: list) -> Any:
        return self.value(value, node, _child(pointer, key) if t is dict or t is list else "", pending)

    def plan(self, node: dict) -> dict[str, tuple[dict, bool, frozenset[str]]]:
        """Per property of an object node: its schema node, whether it is a date, its placeholder words
        (computed once per schema node)."""
        hit = self.plans.get(id(node))
        if hit is None or hit[0] is not node:
            plan = {}
            for k, sub in node.get("properties", _EMPTY).items():
                if not isinstance(sub, dict):
                    continue
                if "$ref" in sub:
                    sub, _ = self.schemas.deref(sub, None)
                plan[k] = (sub, sub.get("format") == "date", _placeholder_words(sub))
            hit = (node, plan)
            self.plans[id(node)] = hit
        return hit[1]

    def sequence(self, value: list, items: dict, pointer: str, pending: list) -> Any:
        found = []
        for i, v in enumerate(value):
            nv = self.value(v, items, _child(pointer, i) if isinstance(v, (dict, list)) else "", pending)
            if nv is not _BLANK:
                found.append(nv)
        if found and len(found) == len(value) and all(a is b for a, b in zip(found, value, strict=True)):
            return value
        return found if found else _BLANK

    def emit(self, data: dict, node: dict, pointer: str, doc: Document, kind: str,
             doc_id: str | None, parent_id: str | None, key: str, at: Any = None, stable: Any = None) -> str:
        """The fact of ``data`` (and of its records arrays); ``at``, ``stable``: its source's place and key
        when not ``pointer`` and ``key`` (a CSV row's position, ``RowKeys``)."""
        pending: list = []
        fields = self.value(data, node, pointer, pending)
        if not isinstance(fields, dict):
            fields = {}
        fact = {"kind": kind}
        if _RESERVED.isdisjoint(fields):
            fact.update(fields)
        else:
            fact.update((("f_" + k if k in _RESERVED else k), v) for k, v in fields.items())
        if doc_id:
            fact["_doc"] = doc_id
        if parent_id:
            fact["_parent"] = parent_id
        source = FactSource(kind, doc.path, pointer if at is None else at, data, doc, key if stable is None else stable)
        fid = self.base.add(fact, source)
        if kind in self.base.lean_keys:  # a record of a lean kind built whole (``FactBase.full_rows``)
            self.base.mark_full(kind, source.row)
        for items, arr_node, arr_pointer in pending:
            item_node = arr_node.get("items", _EMPTY)
            if "$ref" in item_node:
                item_node, _ = self.schemas.deref(item_node, None)
            self.records(items, item_node, arr_pointer, doc, f"{kind}.{arr_pointer.rsplit('/', 1)[1]}",
                         (doc_id or fid, fid), key)
        return fid

    def records(self, items: list, node: dict, pointer: str, doc: Document, kind: str, ids: tuple[str, str],
                key: str) -> None:
        """The facts of an ``x-records`` array, in order.  A record whose every value is one that
        normalising keeps as it is (``_kept_columns``, decided column by column) becomes its fact
        directly; any other goes through ``emit``, value by value: the same facts either way."""
        name = pointer.rsplit("/", 1)[1]
        records = [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]
        fields, rows = item_key_fields(node), [item for _, item in records]
        keys, own = record_keys_own(rows, fields)
        shapes = set(map(tuple, rows))  # (the records' fields in order, each sequence once)
        kept = self._kept_columns(rows, node, shapes)
        add, path, (doc_id, parent_id) = self.base.add, doc.path, ids
        indexes = [i for i, _ in records]
        lazy = self._lazy_keys(key, name, fields, keys, own, indexes)
        lean = self._lean_keys(kind)
        deferred = None if lean is None else self.base.defer(kind, lean, rows, kept, _RESERVED, shapes)
        table = type(doc.content) is TableContent and doc.content.base == pointer  # a row's place: its position
        at_of = places(indexes, pointer, self.base.positions if table else None)
        if deferred is not None:  # each record kept (``defer``): their placeholders (facts: ``FactBase.narrow``)
            self.base.add_rows(kind, deferred.made_many(kind, doc_id, parent_id, len(rows)), {
                "file": path, "at": at_of, "data": rows, "document": doc,
                "stable": stables(lazy, f"{key}/{name}", keys)}, PackedSource)
            return
        for (i, item), rkey, at in zip(records, keys, at_of, strict=True):
            if not item or not kept.issuperset(item):
                self.emit(item, node, f"{pointer}/{i}", doc, kind, doc_id, parent_id, f"{key}/{name}[{rkey}]",
                          at if table else None, lazy)
                continue
            source = FactSource(kind, path, at, item, doc, lazy or f"{key}/{name}[{rkey}]")
            if lean is not None and RENAMED.isdisjoint(item):
                add(lean_fact(kind, item, lean, doc_id, parent_id), source)
                continue
            add(whole_fact(kind, item, doc_id, parent_id), source)
            if lean is not None:
                self.base.mark_full(kind, source.row)

    def _lazy_keys(self, key: str, name: str, fields: Any, keys: list[str], own: list, positions: list[int]) -> Any:
        """The records' keys computed when read (``RowKeys``) where they cannot equal any other evidence's key:
        the array of a document whose key has no "/", no record key with a "/" (else None).  When other
        documents share the key, the array's keys are made text after all (``shared_text``) if one of
        them has an array of the same name."""
        lazy = None
        if "/" not in key and not any(map(str.__contains__, keys, repeat("/"))):
            lazy = RowKeys(f"{key}/{name}", fields, keys, own, positions)
        if key in self.shared:
            self.shared_rows.setdefault(f"{key}/{name}", []).append(lazy)
        return lazy

    def shared_text(self) -> None:
        """The keys of records arrays that another document sharing their document's key also has (same key
        prefix) made text: ``unique_keys_lazy`` tells them apart as it did before any key was lazy."""
        clash = {id(lazy) for arrays in self.shared_rows.values() if len(arrays) > 1 for lazy in arrays if lazy}
        if clash:
            for src in self.base.sources.values():
                if id(src.stable) in clash:
                    src.stable = src.stable.resolve(src)

    def _lean_keys(self, kind: str) -> frozenset[str] | None:
        """The fields the kind's kept records are built with (``FactBase.lean_keys``), None: every field (no
        ``lean``, a kind read whole, or one whose facts so far were built whole)."""
        if kind in self.base.deferred:
            return self.base.deferred[kind].lean
        lean = self.lean(kind) if self.lean is not None else None
        if lean is None or (kind in self.base.by_kind and kind not in self.base.lean_keys):
            return None
        return self.base.lean_keys.setdefault(kind, lean)

    def _kept_columns(self, records: list[dict], node: dict, shapes: set[tuple] | None = None) -> frozenset[str]:
        """The fields whose values in every record are kept as they are: numbers, and texts that are
        not blank, not a declared placeholder and not a date (no ``x-`` field, nothing nested).  All
        values are looked at together first; the fields one by one only when that finds one to drop.
        ``shapes``: the records' fields (each sequence once; default: read from them)."""
        plan = self.plan(node)
        columns = {c for c in set(chain.from_iterable(records if shapes is None else shapes)) if not c.startswith("x-")}
        try:  # (the distinct values' types are the values': one pass over the cells, not two)
            distinct: set | None = set(chain.from_iterable(map(dict.values, records)))
        except TypeError:  # a list or mapping among them: not kept as they are
            distinct = None
        if distinct is not None and _KEPT_TYPES.issuperset(set(map(type, distinct))) \
                and not any(map(operator.not_, map(str.strip, _texts(distinct)))):  # none blank: dates, placeholders
            return frozenset(c for c in columns if self._kept(records, c, plan, blank=False))
        return frozenset(c for c in columns if self._kept(records, c, plan, blank=True))

    @staticmethod
    def _kept(records: list[dict], column: str, plan: dict, blank: bool) -> bool:
        """Whether every value of ``column`` is kept as it is (``blank``: blank texts not yet ruled out)."""
        _, date, words = plan.get(column, _PLAIN)
        if not (blank or date or words):
            return True
        values = list(map(dict.get, records, repeat(column), repeat(0)))
        if not _KEPT_TYPES.issuperset(map(type, values)):
            return False
        texts = set(_texts(set(values)))
        return not (texts and (date or any(map(operator.not_, map(str.strip, texts)))
                               or (words and not words.isdisjoint(map(str.casefold, map(str.strip, texts,
                                                                                       repeat(_TRIM)))))))


def _texts(values: set) -> Iterable[str]:
    """The texts among ``values`` (C loops)."""
    return compress(values, map(operator.is_, map(type, values), repeat(str)))


def _lean(read: dict[str, frozenset[str] | None] | None, whole: Iterable[str],
          internal: dict[str, set[str]]) -> Callable[[str], frozenset[str] | None] | None:
    """The fields a kind's record facts are built with when the engine reads ``read`` (``whole``: kinds
    read whole): those it reads, id and kind, and the document and parent links the declarations read
    (``internal``); the derive stage reads the others from the evidence (``checker.columns``)."""
    if read is None:
        return None
    intact = set(whole)

    def keys(kind: str) -> frozenset[str] | None:
        fields = read.get(kind, frozenset())
        if fields is None or kind in intact:
            return None
        return fields | {"id", "kind"} | internal.get(kind, set())
    return keys


def links_read(derived: tuple[Derived, ...], aggregates: tuple[Aggregate, ...]) -> dict[str, set[str]]:
    """Per kind, the links to a fact's document and enclosing fact (``_doc``, ``_parent``) the declarations read."""
    out: dict[str, set[str]] = {}
    steps: list[Derived | Aggregate] = [*derived, *aggregates]
    for step in steps:
        for kind, path in step_reads(step):
            head = engine_path(path).split(".", 1)[0] if path else ""
            if head in ("_doc", "_parent"):
                out.setdefault(kind, set()).add(head)
    return out


def build_facts(bundle: Bundle, schemas: SchemaSet, anchors: Iterable[tuple[str, int]] = (),
                aggregates: Iterable[Aggregate] = (), derived: Iterable[Derived] = (),
                read: dict[str, frozenset[str] | None] | None = None, whole: Iterable[str] = (),
                kept: Iterable[str] = ()) -> FactBase:
    """Build the fact base of a validated bundle.  ``read``: the fields the engine may read, by kind
    (``checker.projection.fields_read``; ``whole``: kinds read whole): each fact then keeps only those and
    the derived values of those (``FactBase.narrow``); without it, every field and every derived value.
    ``kept``: kinds read as facts after the engine (report sections), an aggregate kind nothing else reads
    being made as columns only (``checker.aggtable``)."""
    with paused():  # facts are acyclic trees: the cyclic collector would only rescan them (checker.gcpause)
        return _build_facts(bundle, schemas, anchors, aggregates, derived, read, whole, kept)


def _build_facts(bundle: Bundle, schemas: SchemaSet, anchors: Iterable[tuple[str, int]],
                 aggregates: Iterable[Aggregate], derived: Iterable[Derived],
                 read: dict[str, frozenset[str] | None] | None, whole: Iterable[str], kept: Iterable[str]) -> FactBase:
    base = FactBase(sources=PackedSources())  # (a large deferred kind's sources placed packed: ``add_rows``)
    m = bundle.manifest.data
    dates = {"audit_date": m["audit_date"], "period_start": m["period"]["start"], "period_end": m["period"]["end"]}
    bundle_fact: dict = {"kind": BUNDLE_KIND, "park": m["park"]["name"]}
    for name, iso in dates.items():
        bundle_fact[name] = epoch_days(iso)
    for anchor, months in sorted(set(anchors)):
        day = _dt.date.fromisoformat(dates[anchor])
        bundle_fact[anchor_name(anchor, months)] = epoch_days(add_months(day, -months).isoformat())
    base.bundle_id = base.add(bundle_fact, FactSource(BUNDLE_KIND, bundle.manifest.path, "", m, bundle.manifest,
                                                      BUNDLE_KIND))
    doc_keys = document_keys(bundle.documents, schemas)
    counts = Counter(doc_keys.values())
    derived, aggregates = tuple(derived), tuple(aggregates)
    base.lean_of = _lean(read, whole, links_read(derived, aggregates))
    norm = _Normaliser(schemas, base, frozenset(k for k, n in counts.items() if n > 1), base.lean_of)
    for doc in bundle.documents:
        kind = doc.kind
        assert kind is not None, "build_facts needs a validated bundle"  # validate_bundle refuses a document without
        schema = schemas.inlined(kind)  # no $ref left: normalising needs no resolver
        norm.emit(doc.data, schema, "", doc, kind, None, None, doc_keys[doc.path])
    norm.shared_text()
    evidence = [src for src in views(base.sources, "stable", lambda stable: type(stable) is str)
                if src.document is not None and src.kind != BUNDLE_KIND and type(src.stable) is str]
    for src, key in zip(evidence, unique_keys_lazy([(src.stable, src.data) for src in evidence]), strict=True):
        src.stable = key  # a key several share is hashed only if read (checker.ids)
    del evidence
    base.sources = pack(base.sources, base.facts, base.by_kind, FIELDS, PackedSource)  # the rows (memory)
    run_declarations(base, bundle, derived, aggregates, dates, read, whole, kept)
    base.sources = pack(base.sources, base.facts, base.by_kind, FIELDS, PackedSource)  # and the aggregates
    return base


