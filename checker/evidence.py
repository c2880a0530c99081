"""Validate a loaded bundle against the evidence schemas.

Problems are returned, not raised: ``parkcheck validate`` lists them all (exit 1).  ``parkcheck
check`` refuses to judge evidence that is unreadable or meaningless (exit 2), but a *content gap*
(``Problem.gap``: a required field left out, an empty list or text, a value out of range, a value
left blank) does not stop it: ``accept_gaps`` removes the offending values so the facts treat them
as absent, and the gap is reported as a finding at the clause that needs it (``checker.gaps``).
Nothing in ``bundle.yaml`` is ever a gap: the manifest must be complete.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from itertools import repeat
from operator import setitem
from typing import Any

from .bundle import MANIFEST, Bundle, Document
from .errors import InputError, Problem
from .i18n import tr
from .labels_in import hint_booleans, label_problems, normalise_document
from .limits import DEFAULT_LIMITS, Limits
from .schemas import SchemaSet, load_schemas, validate_document
from .xlsxcells import THOUSANDS
from .xlsxio import locate_cells, read_workbooks
from .yamlio import join_pointer, plain_number, split_pointer

_TRUE, _FALSE = {"true", "是", "yes"}, {"false", "否", "no"}


def column_types(schemas: SchemaSet, kind: str) -> dict[str, str]:
    """The columns of a kind's CSV table that the schema types as integer, number or boolean (read once
    per table from the inlined schema, not resolved again for every cell)."""
    field = schemas.by_kind[kind]["x-csv-records"]
    items = schemas.inlined(kind).get("properties", {}).get(field, {}).get("items", {})
    typed = {}
    for column, node in items.get("properties", {}).items():
        t = node.get("type") if isinstance(node, dict) else None
        if isinstance(t, list):
            t = next((x for x in t if x != "null"), None)
        if t in ("integer", "number", "boolean"):
            typed[column] = t
    return typed


def coerce_table(doc: Document, types: dict[str, str], field: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """CSV cells are text: convert the typed columns, one column at a time (``1,240.2`` with thousands
    separators is 1240.2).  A cell that is not a number is left as text for the schema to report, a
    content gap (``type``: ``check`` goes on without the value and reports it at the clause that needs it);
    a number the tool cannot take (out of range, too many digits, not finite) is an input error naming the
    cell."""
    records = doc.data[field]
    base = join_pointer("", field)
    for column, t in types.items():
        cells: list[Any] = list(map(dict.get, records, repeat(column)))
        distinct = dict.fromkeys(cells)
        # cell text -> its value, read once per distinct text: plain numbers by C loops (``_plain_numbers``), the
        # rest one by one in the order they come (so the first cell that cannot be taken is the first such row)
        read: dict[str, object] = _plain_numbers(list(distinct), t, limits)
        for value in distinct if len(read) < len(distinct) else ():
            if isinstance(value, str) and value not in read:
                try:
                    number = _cell(value, t, doc.path, limits)
                except InputError as exc:  # located only when it happens: positions are looked up per cell
                    pointer = join_pointer(join_pointer(base, cells.index(value)), column)
                    line, col = doc.position(pointer) or (None, None)
                    raise InputError(exc.problem.message, doc.path, line, col, field=pointer) from None
                if number is not None:
                    read[value] = number
        if read and len(read) == len(distinct):  # every row's cell read as a value: set in one pass
            deque(map(setitem, records, repeat(column), map(read.__getitem__, cells)), maxlen=0)
        elif read:
            for record, value in zip(records, cells, strict=True):
                if isinstance(value, str) and value in read:
                    record[column] = read[value]



_DIGITS = {"integer": b"0123456789+-\n", "number": b"0123456789+-.eE\n"}  # (``_plain_numbers``)


def _plain_numbers(texts: list[Any], t: str, limits: Limits) -> dict[str, object]:
    """``{text: _cell(text, t, …)}`` for distinct cell texts that are all plain numbers (``t``: integer or number),
    read by C loops; ``{}`` (each then read by ``_cell``) when one of them is not a plain number or could be refused.

    Made only of the characters of ``_DIGITS[t]`` (ASCII digits, signs; for a number also ``.eE``), a text
    ``int`` (or ``float``) takes is exactly one ``plain_number`` reads as that value (no ``_``, blank, ``inf``
    or non-ASCII digit gets through).  A text whose float is 0 is left to ``_cell`` (``-0`` is the integer 0,
    ``0.0``, not ``float("-0")``), and so is the whole column when a text is longer than an integer's digits or
    a value's magnitude is not below ``max_number``: ``_cell`` then refuses what it refuses."""
    if t not in _DIGITS:
        return {}
    if None in texts:  # (a row without the cell: it stays without)
        texts.remove(None)
    try:
        joined = "\n".join(texts)
    except TypeError:  # (a value that is not a text)
        return {}
    if not joined.isascii() or joined.count("\n") != len(texts) - 1 \
            or joined.encode("ascii").translate(None, _DIGITS[t]):
        return {}
    try:
        values: list[Any] = list(map(int if t == "integer" else float, texts))
    except ValueError:  # ("1-2", ".", "e5" …)
        return {}
    bound = limits.max_number
    if not values or max(map(len, texts)) > limits.max_integer_digits or float(bound) != bound:
        return {}
    if t == "integer":
        return dict(zip(texts, values, strict=True)) if max(map(abs, values)) <= bound else {}
    if not max(map(abs, values)) < bound:
        return {}
    if 0.0 in values:
        return {text: value for text, value in zip(texts, values, strict=True) if value}
    return dict(zip(texts, values, strict=True))


def _cell(value: str, t: str, path: str, limits: Limits) -> bool | int | float | None:
    """The value a CSV cell of a column typed ``t`` holds (None: left as text for the schema to report)."""
    if t == "boolean":
        low = value.lower()
        return (low in _TRUE) if low in _TRUE or low in _FALSE else None
    if "," in value and THOUSANDS.match(value):  # 1,240.2: thousands separators (checker.xlsxcells)
        value = value.replace(",", "")
    number = plain_number(value, path, None, None, "", limits, integer=t == "integer")
    if number is None:
        return None
    return float(number) if t == "number" and not isinstance(number, float) else number


def _coerce_table(doc: Document, kind: str, schemas: SchemaSet, limits: Limits = DEFAULT_LIMITS) -> None:
    field = schemas.by_kind[kind]["x-csv-records"]
    types = column_types(schemas, kind)
    if types:
        coerce_table(doc, types, field, limits)


def validate_bundle(bundle: Bundle, schemas: SchemaSet) -> list[Problem]:
    """Every problem of the bundle's documents.  When the bundle was read collecting the files that
    cannot be read (``Bundle.unreadable``), a workbook or a table cell that cannot be taken is noted
    there too, and those problems come first in the list; the other documents are still validated."""
    read_workbooks(bundle)  # Excel workbooks -> documents (checker.xlsxio), before anything reads them
    problems: list[Problem] = []
    unread = {p.file for p in bundle.unreadable or () if p.file}
    attachments = bundle.attachments | unread  # an unreadable file is reported once, not again where cited
    documents = {d.path for d in bundle.documents} | {MANIFEST}
    empty = frozenset(p for p in bundle.attachments if p in bundle.files and bundle.files[p].size == 0)
    m = bundle.manifest
    normalise_document(m, schemas)
    problems += [dataclasses.replace(p, gap=None)
                 for p in validate_document(schemas, "bundle", m.data, m.path, m.position, attachments, documents,
                                            empty=empty)]
    if not problems:
        period = m.data["period"]
        if period["start"] > period["end"]:
            line, col = m.position("/period/end") or (None, None)
            problems.append(Problem(tr("the period ends ({end}) before it starts ({start})", end=period["end"],
                                      start=period["start"]),
                                    m.path, line, col, field="/period/end"))
    problems += bundle.absent  # declared tables the bundle lacks: content gaps at bundle.yaml
    seen: dict[str, str] = {}
    for doc in list(bundle.documents):
        problems += _document_problems(bundle, doc, schemas, seen, (attachments, documents), empty)
    problems = label_problems(hint_booleans(problems, schemas), bundle, schemas)  # field titles (labels_in)
    problems = locate_cells(bundle.documents, problems)  # workbook cells (xlsxio)
    return [*(bundle.unreadable or ()), *problems]


def _document_problems(bundle: Bundle, doc: Document, schemas: SchemaSet, seen: dict[str, str],
                       files: tuple[set[str], set[str]], empty: frozenset[str] = frozenset()) -> list[Problem]:
    """The problems of one document (``seen``: the singleton kinds met so far, by path)."""
    if not isinstance(doc.data, dict):
        return [Problem(tr("a document must be a mapping with a kind"), doc.path, 1, 1, "/")]
    if "kind" not in doc.data:
        return [Problem(tr("missing kind: say which evidence this is (one of: {kinds})",
                           kinds=", ".join(schemas.kinds)), doc.path, 1, 1, "/kind")]
    kind = doc.kind
    if kind is None or kind not in schemas.by_kind or kind == "bundle":
        line, col = doc.position("/kind") or (None, None)
        return [Problem(tr("unknown kind {kind} (known: {kinds})", kind=repr(doc.data["kind"]),
                           kinds=", ".join(k for k in schemas.kinds if k != "bundle")),
                        doc.path, line, col, field="/kind")]
    try:
        normalise_document(doc, schemas)  # Chinese labels and headers -> codes and keys (checker.labels_in)
        if doc.fmt == "csv":
            _coerce_table(doc, kind, schemas, bundle.limits)
    except InputError as exc:  # a column or cell the tool cannot take: the table is not validated further
        bundle.refuse(exc)
        bundle.documents.remove(doc)
        return []
    problems: list[Problem] = []
    if schemas.by_kind[kind].get("x-singleton"):
        if kind in seen:
            line, col = doc.position("/kind") or (None, None)
            problems.append(Problem(tr("a bundle holds one {kind} document; {other} is another", kind=kind,
                                       other=seen[kind]), doc.path, line, col, field="/kind"))
        seen[kind] = doc.path
    return problems + validate_document(schemas, kind, doc.data, doc.path, doc.position, *files,
                                        table=doc.fmt in ("csv", "xlsx"), empty=empty)


def split_gaps(problems: list[Problem]) -> tuple[list[Problem], list[Problem]]:
    """``(errors, gaps)``: problems that stop a check, and content gaps that become findings."""
    return [p for p in problems if not p.gap], [p for p in problems if p.gap]


def _record_arrays(doc: Document, schemas: SchemaSet) -> set[str]:
    """Pointers of the ``x-records`` arrays of a document (their items are facts of their own)."""
    if doc.kind is None:
        return set()
    return {ptr for ptr, value, node in schemas.walk_instance(doc.kind, doc.data)
            if isinstance(value, list) and node.get("x-records")}


def accept_gaps(bundle: Bundle, gaps: list[Problem], schemas: SchemaSet | None = None) -> None:
    """Check the documents without the values their gaps name: an out-of-range number, an empty list
    or text, a blank value is removed (in memory only; the evidence files are never changed), so the
    facts see the field as absent, exactly as a field left out.

    An item of an embedded list (not an ``x-records`` array) that lacks a required field is left out
    as a whole: list conditions (``contains``, ``each``) judge complete items only, and the gap still
    becomes a finding (``checker.gaps``)."""
    schemas = schemas or load_schemas()
    docs = {d.path: d for d in bundle.documents}
    records: dict[str, set[str]] = {}
    for gap in gaps:
        doc = docs.get(gap.file or "")
        if doc is None or not gap.field or gap.field == "/":
            continue
        pointer = gap.field
        if gap.gap == "required":
            item = pointer.rsplit("/", 1)[0]
            container, _, index = item.rpartition("/")
            if not index.isdigit():
                continue
            if doc.path not in records:
                records[doc.path] = _record_arrays(doc, schemas)
            if container in records[doc.path]:
                continue  # a record is a fact of its own: the missing field is simply absent
            pointer = item
        tokens = split_pointer(pointer)
        parent = doc.data
        try:
            for t in tokens[:-1]:
                parent = parent[int(t)] if isinstance(parent, list) else parent[t]
            last = tokens[-1]
            if isinstance(parent, dict):
                parent.pop(last, None)
            elif isinstance(parent, list):
                parent[int(last)] = None
        except (KeyError, IndexError, ValueError, TypeError):
            continue  # already removed with an enclosing value
