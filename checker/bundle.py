"""Load an evidence bundle (a folder or a .zip) without trusting it and without changing it.

A bundle is a ``bundle.yaml`` manifest plus documents (YAML, JSON, or CSV tables declared in the
manifest), and attachments (anything else, e.g. scans) that documents reference by relative path.
Everything is read into memory once; the source is opened read-only and never written.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from .bundlefiles import ATTACHMENT_DIR, DOCUMENT_SUFFIXES, MANIFEST, TABLE_SUFFIX, BundleLimit, read_files, tally
from .charset import SUSPICIOUS_NAME
from .csvtable import TableContent, _parse_table
from .errors import InputError, Problem, ReadProblem
from .i18n import LANGUAGES, tr, using
from .limits import DEFAULT_LIMITS, Limits, option
from .model import EvidenceFile
from .pointers import Positioned
from .yamlio import decode_text, parse_yaml

__all__ = ["ATTACHMENT_DIR", "DOCUMENT_SUFFIXES", "MANIFEST", "TABLE_SUFFIX", "Bundle", "Document", "TableContent",
           "bundle_from_files",
           "load_bundle", "read_files"]


@dataclass
class Document:
    """One parsed document of the bundle."""

    path: str  # POSIX path relative to the bundle root
    kind: str | None
    content: Positioned
    fmt: str  # yaml | json | csv

    @property
    def data(self) -> Any:
        return self.content.data

    def position(self, pointer: str) -> tuple[int, int] | None:
        return self.content.position(pointer)


@dataclass
class Bundle:
    name: str
    source: str
    manifest: Document
    documents: list[Document]
    files: dict[str, EvidenceFile]  # every file, documents and attachments, by path
    attachments: set[str] = field(default_factory=set)
    limits: Limits = DEFAULT_LIMITS
    workbooks: dict[str, bytes] = field(default_factory=dict)  # .xlsx outside attachments/: checker.xlsxio
    # files that could not be read or parsed, one problem each, when the bundle was read collecting them
    # (``collect=True``); None: the first such problem was raised (``InputError``)
    unreadable: list[ReadProblem] | None = None
    # tables the manifest declares that the bundle does not hold: content gaps at bundle.yaml (``gap`` "table",
    # ``kind`` the declared kind); the kind is then absent, and the rules that need it fail at their clause
    absent: list[Problem] = field(default_factory=list)
    values: int = 0  # held by its documents read so far (``--max-bundle-values``: ``bundlefiles.tally``)

    def refuse(self, exc: InputError) -> None:
        """A file of the bundle cannot be read: raise, or note it and go on with the others (a limit of the
        whole bundle, ``BundleLimit``, always stops the read)."""
        if self.unreadable is None or isinstance(exc, BundleLimit):
            raise exc
        self.unreadable.append(ReadProblem.of(exc))

    def by_kind(self, kind: str) -> list[Document]:
        return [d for d in self.documents if d.kind == kind]

    def evidence_files(self) -> tuple[EvidenceFile, ...]:
        return tuple(self.files[p] for p in sorted(self.files))



def load_bundle(source: str | os.PathLike, table_fields: dict[str, str] | None = None,
                limits: Limits | None = None, collect: bool = False) -> Bundle:
    """Read and parse a bundle.  Structural problems raise ``InputError``; content is validated later.
    With ``collect``, a file that cannot be read or parsed is noted in ``Bundle.unreadable`` and the
    other files are still read; what stops the whole read (a limit of the whole bundle or archive, an
    unreadable ``bundle.yaml``) still raises.

    ``table_fields`` maps a kind to the array field its CSV rows fill (from the schemas'
    ``x-csv-records``); CSV files must be declared in the manifest's ``tables``.
    """
    limits = limits or DEFAULT_LIMITS
    skipped: list[ReadProblem] | None = [] if collect else None
    name, raw = read_files(source, limits, skipped)
    return bundle_from_files(name, str(source), raw, table_fields or {}, limits, skipped)


def _text(raw: dict[str, bytes], path: str, limits: Limits) -> str:
    """A document's text, refused before decoding when it is over the document size limit."""
    data = raw[path]
    if len(data) > limits.max_document_bytes:
        raise InputError(tr("document is larger than the limit of {count} bytes ({option})",
                            count=f"{limits.max_document_bytes:,}", option=option("max_document_bytes")), path)
    return decode_text(data, path)


def manifest_stops() -> str:
    """Said after a manifest problem that stopped the read while other problems were being collected."""
    return tr(" ({manifest} cannot be read, so no other file was checked)", manifest=MANIFEST)


def _manifest(raw: dict[str, bytes], source: str, limits: Limits, skipped: list[ReadProblem] | None) -> Document:
    """The manifest, parsed; every other file depends on it, so a manifest that cannot be read stops the
    whole read (saying so when other problems were being collected)."""
    unread = next((p for p in skipped or () if p.file == MANIFEST or f"{MANIFEST}'" in p.message), None)
    try:
        if unread is not None:
            raise InputError(unread.message, unread.file, unread.line, unread.column, unread.field)
        if MANIFEST not in raw:
            alt = [p for p in raw if PurePosixPath(p).name == MANIFEST]
            hint = tr(" (found {path}; point at its folder)", path=alt[0]) if alt else ""
            raise InputError(tr("no {manifest} manifest at the top of the bundle{hint}", manifest=MANIFEST, hint=hint),
                             source)
        manifest = Document(MANIFEST, "bundle", parse_yaml(_text(raw, MANIFEST, limits), MANIFEST, limits), "yaml")
        if not isinstance(manifest.data, dict):
            raise InputError(tr("the manifest must be a mapping (key: value lines)"), MANIFEST, 1)
    except InputError as exc:
        if skipped is None or (MANIFEST not in raw and unread is None):
            raise
        p = exc.problem
        raise InputError(p.message + manifest_stops(), p.file, p.line, p.column, p.field) from None
    return manifest


def bundle_from_files(name: str, source: str, raw: dict[str, bytes], table_fields: dict[str, str],
                      limits: Limits | None = None, skipped: list[ReadProblem] | None = None) -> Bundle:
    """The bundle of the files read (``read_files``).  ``skipped``: collect the files that cannot be
    read or parsed (``Bundle.unreadable``, starting with those ``read_files`` skipped) instead of
    raising at the first."""
    limits = limits or DEFAULT_LIMITS
    manifest = _manifest(raw, source, limits, skipped)
    files = {p: EvidenceFile(p, None, hashlib.sha256(b).hexdigest(), len(b)) for p, b in raw.items()}
    bundle = Bundle(name=name, source=source, manifest=manifest, documents=[], files=files, limits=limits,
                    unreadable=skipped)
    tables = _declared_tables(bundle, raw, table_fields)
    for path in sorted(raw):
        if path == MANIFEST or tables.get(path) == "":
            continue
        try:
            doc = _document(raw, path, tables, table_fields, limits)
            tally(bundle, doc)
        except InputError as exc:
            bundle.refuse(exc)
            continue
        if doc is None:
            bundle.attachments.add(path)
        else:
            bundle.documents.append(doc)
    for doc in bundle.documents:
        files[doc.path] = EvidenceFile(doc.path, doc.kind, files[doc.path].sha256, files[doc.path].size)
    files[MANIFEST] = EvidenceFile(MANIFEST, "bundle", files[MANIFEST].sha256, files[MANIFEST].size)
    bundle.workbooks = {p: b for p, b in raw.items() if p.lower().endswith(".xlsx") and p in bundle.attachments
                        and p.split("/", 1)[0] != ATTACHMENT_DIR}
    return bundle


def _declared_tables(bundle: Bundle, raw: dict[str, bytes], table_fields: dict[str, str]) -> dict[str, str]:
    """The CSV tables the manifest declares: ``{path: kind}``.  A declaration of a kind that cannot be given
    as a table, or naming no plain path inside the bundle, is an input error (noted, ``Bundle.refuse``; the
    kind is then "").  A table declared but not in the bundle is a content gap (``Bundle.absent``): the
    kind is absent, so the rules that need it fail closed at their clause, with the declaration's line as
    evidence.  A declared file that is there but cannot be read (a link, a folder, over a limit, not
    UTF-8) was refused when it was read."""
    manifest = bundle.manifest
    tables: dict[str, str] = {}
    declared = manifest.data.get("tables") or []
    if not isinstance(declared, list):
        return tables
    for i, entry in enumerate(declared):
        if not (isinstance(entry, dict) and isinstance(entry.get("file"), str) and isinstance(entry.get("kind"), str)):
            continue
        pos = manifest.position(f"/tables/{i}")
        line, col = pos if pos else (None, None)
        rel, kind = entry["file"], entry["kind"]
        if kind not in table_fields:
            bundle.refuse(InputError(
                tr("kind {kind} cannot be given as a CSV table (tables are accepted for: {kinds})",
                   kind=repr(kind), kinds=", ".join(sorted(table_fields)) or tr("none")),
                MANIFEST, line, field=f"/tables/{i}/kind"))
            tables[rel] = ""  # reported at the manifest: not read as a table, nor refused as undeclared
        elif rel in raw:
            tables[rel] = kind
        elif any(p.file == rel for p in bundle.unreadable or ()):
            continue  # there but unreadable: already reported
        elif not _plain_path(rel):
            bundle.refuse(InputError(tr("declared table {path} is not in the bundle", path=repr(rel)), MANIFEST,
                                     line, field=f"/tables/{i}/file"))
        else:
            bundle.absent.append(_absent_table(rel, kind, i, line, col))
    return tables


def _absent_table(rel: str, kind: str, index: int, line: int | None, col: int | None) -> Problem:
    """The content gap of a declared table the bundle lacks, its message in every language (it reaches reports)."""
    messages = {}
    for lang in LANGUAGES:
        with using(lang):
            messages[lang] = tr("declared table {path} is not in the bundle", path=repr(rel))
    return Problem(tr("declared table {path} is not in the bundle", path=repr(rel)), MANIFEST, line, col,
                   f"/tables/{index}/file", gap="table", messages=messages, kind=kind)


def _plain_path(rel: str) -> bool:
    """Whether ``rel`` names a file inside the bundle as read: relative, POSIX, no ``.`` or ``..`` parts, not
    hidden (a path out of the bundle is refused, never taken as a table simply missing)."""
    parts = rel.split("/")
    if not rel or SUSPICIOUS_NAME.search(rel) or "\\" in rel or ":" in parts[0]:
        return False
    return all(p and p not in (".", "..") and not p.startswith(".") for p in parts)


def _document(raw: dict[str, bytes], path: str, tables: dict[str, str], table_fields: dict[str, str],
              limits: Limits) -> Document | None:
    """The document at ``path``, or None when the file is an attachment."""
    suffix = PurePosixPath(path).suffix.lower()
    in_attachments = path.split("/", 1)[0] == ATTACHMENT_DIR
    if path in tables:
        kind = tables[path]
        table = _parse_table(_text(raw, path, limits), path, kind, table_fields[kind], limits)
        return Document(path, kind, table, "csv")
    if suffix in DOCUMENT_SUFFIXES and not in_attachments:
        content = parse_yaml(_text(raw, path, limits), path, limits)
        stated = content.data.get("kind") if isinstance(content.data, dict) else None
        return Document(path, stated if isinstance(stated, str) else None, content,
                        "json" if suffix == ".json" else "yaml")
    if suffix == TABLE_SUFFIX and not in_attachments:
        raise InputError(tr("CSV table not declared in bundle.yaml (add it under tables: with its kind)"), path)
    return None
