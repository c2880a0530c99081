"""Load an evidence bundle (a folder or a .zip) without trusting it and without changing it.

A bundle is a ``bundle.yaml`` manifest plus documents (YAML, JSON, or CSV tables declared in the
manifest), and attachments (anything else, e.g. scans) that documents reference by relative path.
Everything is read into memory once; the source is opened read-only and never written.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import InputError
from .model import EvidenceFile
from .yamlio import Positioned, decode_text, join_pointer, parse_yaml

MANIFEST = "bundle.yaml"
DOCUMENT_SUFFIXES = {".yaml", ".yml", ".json"}
TABLE_SUFFIX = ".csv"
ATTACHMENT_DIR = "attachments"

# Limits against hostile or accidental input.  Generous for real parks, small enough that a zip
# bomb or a runaway folder is refused before it costs memory.
MAX_FILES = 20_000
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200


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

    def by_kind(self, kind: str) -> list[Document]:
        return [d for d in self.documents if d.kind == kind]

    def evidence_files(self) -> tuple[EvidenceFile, ...]:
        return tuple(self.files[p] for p in sorted(self.files))


def _clean_member_name(name: str, archive: str) -> str | None:
    """Validate an archive member name; return the normalised POSIX path or None for folders."""
    if "\x00" in name:
        raise InputError("archive member name contains a NUL byte", archive)
    raw = name.replace("\\", "/")
    if raw.endswith("/"):
        return None
    if raw.startswith("/") or (len(raw) > 1 and raw[1] == ":"):
        raise InputError(f"archive member {name!r} has an absolute path; refusing to read it", archive)
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise InputError(f"archive member {name!r} points outside the bundle (..); refusing to read it", archive)
    return "/".join(parts)


def _skip(path: str) -> bool:
    parts = path.split("/")
    return any(p.startswith(".") or p == "__MACOSX" for p in parts) or parts[-1] in ("Thumbs.db", "desktop.ini")


def _read_zip(path: Path) -> dict[str, bytes]:
    label = str(path)
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InputError("not a valid .zip archive", label) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", label) from None
    files: dict[str, bytes] = {}
    total = 0
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_FILES:
            raise InputError(f"archive has {len(infos)} entries, more than the limit of {MAX_FILES}", label)
        for info in infos:
            name = _clean_member_name(info.filename, label)
            if name is None or _skip(name):
                continue
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise InputError(f"archive member {info.filename!r} is a symbolic link; refusing to follow it", label)
            if info.flag_bits & 0x1:
                raise InputError(f"archive member {info.filename!r} is encrypted", label)
            if name in files:
                raise InputError(f"archive holds {info.filename!r} twice", label)
            if info.file_size > MAX_FILE_BYTES:
                raise InputError(f"archive member {info.filename!r} is larger than {MAX_FILE_BYTES >> 20} MiB", label)
            if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO \
                    and info.file_size > 1 << 20:
                raise InputError(f"archive member {info.filename!r} expands {info.file_size // info.compress_size}"
                                 f"-fold: refusing a likely zip bomb", label)
            try:
                with zf.open(info) as fh:
                    data = fh.read(MAX_FILE_BYTES + 1)  # never trust the header's size
            except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as exc:
                raise InputError(f"archive member {info.filename!r} cannot be read: {exc}", label) from None
            if len(data) > MAX_FILE_BYTES:
                raise InputError(f"archive member {info.filename!r} is larger than {MAX_FILE_BYTES >> 20} MiB", label)
            total += len(data)
            if total > MAX_TOTAL_BYTES:
                raise InputError(f"archive expands to more than {MAX_TOTAL_BYTES >> 20} MiB", label)
            files[name] = data
    # A zip of a folder usually has that folder as its only top-level entry: strip it.
    if MANIFEST not in files:
        tops = {p.split("/", 1)[0] for p in files}
        if len(tops) == 1 and all("/" in p for p in files):
            top = tops.pop()
            if f"{top}/{MANIFEST}" in files:
                files = {p.split("/", 1)[1]: b for p, b in files.items()}
    return files


def _read_dir(root: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        rel_dir = Path(dirpath).relative_to(root)
        dirnames[:] = sorted(d for d in dirnames if not _skip(d))
        for d in list(dirnames):
            if (Path(dirpath) / d).is_symlink():
                target = (Path(dirpath) / d).resolve()
                if real_root not in target.parents and target != real_root:
                    raise InputError("symbolic link points outside the bundle; refusing to follow it",
                                     str((rel_dir / d).as_posix()))
                dirnames.remove(d)  # links inside the bundle would only read files twice
        for fname in sorted(filenames):
            rel = (rel_dir / fname).as_posix()
            if _skip(rel):
                continue
            full = Path(dirpath) / fname
            if full.is_symlink():
                target = full.resolve()
                if real_root not in target.parents:
                    raise InputError("symbolic link points outside the bundle; refusing to follow it", rel)
            if len(files) >= MAX_FILES:
                raise InputError(f"bundle has more than {MAX_FILES} files", str(root))
            try:
                size = full.stat().st_size
                if size > MAX_FILE_BYTES:
                    raise InputError(f"file is larger than {MAX_FILE_BYTES >> 20} MiB", rel)
                data = full.read_bytes()
            except OSError as exc:
                raise InputError(f"cannot read: {exc.strerror}", rel) from None
            total += len(data)
            if total > MAX_TOTAL_BYTES:
                raise InputError(f"bundle is larger than {MAX_TOTAL_BYTES >> 20} MiB", str(root))
            files[rel] = data
    return files


def read_files(source: str | os.PathLike) -> tuple[str, dict[str, bytes]]:
    """Read every file of a bundle folder or zip into memory: ``(name, {path: bytes})``."""
    path = Path(source)
    if not path.exists():
        raise InputError("no such bundle: give a folder or a .zip file", str(source))
    if path.is_dir():
        return path.resolve().name, _read_dir(path)
    if zipfile.is_zipfile(path):
        return path.stem, _read_zip(path)
    raise InputError("not a bundle: give a folder with bundle.yaml, or a .zip of one", str(source))


def _parse_table(text: str, name: str, kind: str, records_field: str) -> Positioned:
    """Turn a CSV table into ``{kind, <records_field>: [row...]}``, keeping cell positions."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise InputError("the table is empty", name)
    header = [h.strip() for h in rows[0]]
    if len(set(header)) != len(header) or any(not h for h in header):
        raise InputError("the header row has an empty or repeated column name", name, 1)
    out = Positioned({"kind": kind, records_field: []})
    base = join_pointer("", records_field)
    out.positions[""] = (1, 1)
    out.positions[base] = (1, 1)
    for i, row in enumerate(rows[1:]):
        line = i + 2
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise InputError(f"row has {len(row)} cells, the header has {len(header)}", name, line)
        index = len(out.data[records_field])
        item_ptr = join_pointer(base, index)
        out.positions[item_ptr] = (line, 1)
        record = {}
        col = 1
        for h, cell in zip(header, row):
            value = cell.strip()
            if value != "":
                record[h] = value
                out.positions[join_pointer(item_ptr, h)] = (line, col)
            col += len(cell) + 1
        out.data[records_field].append(record)
    return out


def load_bundle(source: str | os.PathLike, table_fields: dict[str, str] | None = None) -> Bundle:
    """Read and parse a bundle.  Structural problems raise ``InputError``; content is validated later.

    ``table_fields`` maps a kind to the array field its CSV rows fill (from the schemas'
    ``x-csv-records``); CSV files must be declared in the manifest's ``tables``.
    """
    name, raw = read_files(source)
    return bundle_from_files(name, str(source), raw, table_fields or {})


def bundle_from_files(name: str, source: str, raw: dict[str, bytes], table_fields: dict[str, str]) -> Bundle:
    if MANIFEST not in raw:
        alt = [p for p in raw if PurePosixPath(p).name == MANIFEST]
        hint = f" (found {alt[0]}; point at its folder)" if alt else ""
        raise InputError(f"no {MANIFEST} manifest at the top of the bundle{hint}", source)
    files = {p: EvidenceFile(p, None, hashlib.sha256(b).hexdigest(), len(b)) for p, b in raw.items()}
    manifest = Document(MANIFEST, "bundle", parse_yaml(decode_text(raw[MANIFEST], MANIFEST), MANIFEST), "yaml")
    if not isinstance(manifest.data, dict):
        raise InputError("the manifest must be a mapping (key: value lines)", MANIFEST, 1)

    tables: dict[str, str] = {}
    declared = manifest.data.get("tables") or []
    if isinstance(declared, list):
        for i, entry in enumerate(declared):
            if isinstance(entry, dict) and isinstance(entry.get("file"), str) and isinstance(entry.get("kind"), str):
                line = manifest.position(f"/tables/{i}")
                rel = entry["file"]
                if rel not in raw:
                    raise InputError(f"declared table {rel!r} is not in the bundle", MANIFEST, line[0] if line else None,
                                     field=f"/tables/{i}/file")
                if entry["kind"] not in table_fields:
                    raise InputError(f"kind {entry['kind']!r} cannot be given as a CSV table "
                                     f"(tables are accepted for: {', '.join(sorted(table_fields)) or 'none'})",
                                     MANIFEST, line[0] if line else None, field=f"/tables/{i}/kind")
                tables[rel] = entry["kind"]

    documents: list[Document] = []
    attachments: set[str] = set()
    for path in sorted(raw):
        if path == MANIFEST:
            continue
        suffix = PurePosixPath(path).suffix.lower()
        in_attachments = path.split("/", 1)[0] == ATTACHMENT_DIR
        if path in tables:
            kind = tables[path]
            content = _parse_table(decode_text(raw[path], path), path, kind, table_fields[kind])
            documents.append(Document(path, kind, content, "csv"))
        elif suffix in DOCUMENT_SUFFIXES and not in_attachments:
            content = parse_yaml(decode_text(raw[path], path), path)
            kind = content.data.get("kind") if isinstance(content.data, dict) else None
            documents.append(Document(path, kind if isinstance(kind, str) else None, content,
                                      "json" if suffix == ".json" else "yaml"))
        elif suffix == TABLE_SUFFIX and not in_attachments:
            raise InputError("CSV table not declared in bundle.yaml (add it under tables: with its kind)", path)
        else:
            attachments.add(path)
    for doc in documents:
        files[doc.path] = EvidenceFile(doc.path, doc.kind, files[doc.path].sha256, files[doc.path].size)
    files[MANIFEST] = EvidenceFile(MANIFEST, "bundle", files[MANIFEST].sha256, files[MANIFEST].size)
    return Bundle(name=name, source=source, manifest=manifest, documents=documents, files=files,
                  attachments=attachments)
