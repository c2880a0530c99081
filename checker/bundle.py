"""Load an evidence bundle (a folder or a .zip) without trusting it and without changing it.

A bundle is a ``bundle.yaml`` manifest plus documents (YAML, JSON, or CSV tables declared in the
manifest), and attachments (anything else, e.g. scans) that documents reference by relative path.
Everything is read into memory once; the source is opened read-only and never written.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import os
import stat
import struct
import zipfile
import zlib
from array import array
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path, PurePosixPath
from typing import Any

from .charset import SUSPICIOUS_NAME, char_name, shown
from .errors import InputError
from .limits import DEFAULT_LIMITS, Limits, option
from .model import EvidenceFile
from .safeio import not_regular, open_regular, read_fd
from .yamlio import Position, Positioned, decode_text, join_pointer, parse_yaml, split_pointer

MANIFEST = "bundle.yaml"
DOCUMENT_SUFFIXES = {".yaml", ".yml", ".json"}
TABLE_SUFFIX = ".csv"
ATTACHMENT_DIR = "attachments"

# Limits against hostile or accidental input (defaults; see checker/limits.py for all of them).
MAX_FILES = DEFAULT_LIMITS.max_files
MAX_FILE_BYTES = DEFAULT_LIMITS.max_file_bytes
MAX_TOTAL_BYTES = DEFAULT_LIMITS.max_bundle_bytes
MAX_COMPRESSION_RATIO = DEFAULT_LIMITS.max_compression_ratio


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
        raise InputError(f"archive member {shown(name)!r} has an absolute path; refusing to read it", archive)
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise InputError(f"archive member {shown(name)!r} points outside the bundle (..); refusing to read it", archive)
    return "/".join(parts)


def _skip(path: str) -> bool:
    parts = path.split("/")
    return any(p.startswith(".") or p == "__MACOSX" for p in parts) or parts[-1] in ("Thumbs.db", "desktop.ini")


def _check_name(rel: str, where: str | None = None) -> None:
    """File names are shown in reports and error lines: refuse control, invisible and non-UTF-8 characters."""
    bad = SUSPICIOUS_NAME.search(rel)
    if bad:
        char = bad.group()
        what = ("a byte that is not UTF-8" if "\udc80" <= char <= "\udcff"
                else f"the invisible or control character {char_name(char)}")
        raise InputError(f"file name contains {what}; rename the file", where or shown(rel))


def _expects_document(rel: str) -> bool:
    """Whether a path names a document (so a folder there is a mistake, not a folder of attachments)."""
    return rel == MANIFEST or (rel.split("/", 1)[0] != ATTACHMENT_DIR
                               and PurePosixPath(rel).suffix.lower() in DOCUMENT_SUFFIXES | {TABLE_SUFFIX})


def _read_zip(path: Path, limits: Limits) -> dict[str, bytes]:
    label = str(path)
    fd = open_regular(os.path.realpath(path), label)  # the bundle named on the command line may be a link
    archive_size = os.fstat(fd).st_size
    fh = os.fdopen(fd, "rb")
    try:
        if not zipfile.is_zipfile(fh):
            raise InputError("not a bundle: give a folder with bundle.yaml, or a .zip of one", label)
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, NotImplementedError,
                RuntimeError, struct.error) as exc:  # a corrupt central directory
            raise InputError(f"not a valid .zip archive ({shown(str(exc))})", label) from None
        with zf:
            return _zip_members(zf, label, archive_size, limits)
    finally:
        fh.close()


def _zip_members(zf: zipfile.ZipFile, label: str, archive_size: int, limits: Limits) -> dict[str, bytes]:
    infos = zf.infolist()
    if len(infos) > limits.max_archive_members:
        raise InputError(f"archive has {len(infos):,} members, more than the limit of {limits.max_archive_members:,} "
                         f"({option('max_archive_members')})", label)
    # Refuse on the declared sizes first (nothing inflated yet); the reads below never trust them.
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_unpacked_bytes:
        raise InputError(f"archive expands to more than the limit of {limits.max_unpacked_bytes:,} bytes "
                         f"({option('max_unpacked_bytes')})", label)
    if declared > 1 << 20 and declared > limits.max_compression_ratio * max(archive_size, 1):
        raise InputError(f"archive expands {declared // max(archive_size, 1):,}-fold, more than the limit of "
                         f"{limits.max_compression_ratio} ({option('max_compression_ratio')}); refusing a likely "
                         "zip bomb", label)
    files: dict[str, bytes] = {}
    total = 0
    for info in infos:
        name = _clean_member_name(info.filename, label)
        if name is None:
            if _clean_member_name(info.filename.rstrip("/\\"), label) == MANIFEST:
                raise InputError(f"{MANIFEST} is a folder in the archive, where a document file is expected", label)
            continue
        if _skip(name):
            continue
        _check_name(name, f"{label}: {shown(name)}")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise InputError(f"archive member {shown(info.filename)!r} is a symbolic link; refusing to follow it", label)
        if stat.S_IFMT(mode) and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            raise InputError(f"archive member {shown(info.filename)!r} is {not_regular(mode)}, not a regular file",
                             label)
        if stat.S_ISDIR(mode):
            continue
        if info.flag_bits & 0x1:
            raise InputError(f"archive member {shown(info.filename)!r} is encrypted", label)
        if name in files:
            raise InputError(f"archive holds {shown(info.filename)!r} twice", label)
        if info.file_size > limits.max_file_bytes:
            raise InputError(f"archive member {shown(info.filename)!r} is larger than the limit of "
                             f"{limits.max_file_bytes:,} bytes ({option('max_file_bytes')})", label)
        if info.compress_size and info.file_size / info.compress_size > limits.max_compression_ratio \
                and info.file_size > 1 << 20:
            raise InputError(f"archive member {shown(info.filename)!r} expands "
                             f"{info.file_size // info.compress_size:,}-fold, more than the limit of "
                             f"{limits.max_compression_ratio} ({option('max_compression_ratio')}); refusing a "
                             "likely zip bomb", label)
        budget = min(limits.max_file_bytes, limits.max_unpacked_bytes - total)
        try:
            with zf.open(info) as fh:
                data = fh.read(budget + 1)  # never trust the header's size
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError,
                ValueError) as exc:
            raise InputError(f"archive member {shown(info.filename)!r} cannot be read: {shown(str(exc))}",
                             label) from None
        if len(data) > budget:
            raise InputError(f"archive expands to more than the limit of {limits.max_unpacked_bytes:,} bytes "
                             f"({option('max_unpacked_bytes')})", label)
        total += len(data)
        files[name] = data
    # A zip of a folder usually has that folder as its only top-level entry: strip it.
    if MANIFEST not in files:
        tops = {p.split("/", 1)[0] for p in files}
        if len(tops) == 1 and all("/" in p for p in files):
            top = tops.pop()
            if f"{top}/{MANIFEST}" in files:
                files = {p.split("/", 1)[1]: b for p, b in files.items()}
    return files


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _read_dir(root: Path, limits: Limits) -> dict[str, bytes]:
    """Read every regular file under ``root``.  Special files are refused before they are opened; a symlink
    is resolved once and must end inside the bundle at a regular file (links to folders are not followed:
    they would only read files twice); an unreadable folder is an error naming it."""
    files: dict[str, bytes] = {}
    total = 0
    real_root = os.path.realpath(root)
    stack = [("", real_root)]
    while stack:
        rel_dir, abs_dir = stack.pop()
        try:
            with os.scandir(abs_dir) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            raise InputError(f"cannot read the folder: {exc.strerror}", shown(rel_dir) if rel_dir else str(root)) \
                from None
        subdirs = []
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if _skip(rel):
                continue
            _check_name(rel)
            path = entry.path
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
                if stat.S_ISLNK(mode):
                    try:
                        target = os.path.realpath(path, strict=True)
                    except OSError as exc:
                        if exc.errno == errno.ELOOP:
                            raise InputError("symbolic link loop; refusing to follow it", rel) from None
                        raise InputError("symbolic link points to nothing", rel) from None
                    if not _inside(target, real_root):
                        raise InputError("symbolic link points outside the bundle; refusing to follow it", rel)
                    mode = os.stat(target).st_mode
                    if stat.S_ISDIR(mode):
                        continue  # a folder of the bundle, read under its own name
                    path = target
            except OSError as exc:
                raise InputError(f"cannot read: {exc.strerror}", shown(rel)) from None
            if stat.S_ISDIR(mode):
                if _expects_document(rel):
                    raise InputError("is a folder, where a document file is expected", shown(rel))
                subdirs.append((rel, path))
                continue
            if not stat.S_ISREG(mode):
                raise InputError(f"is {not_regular(mode)}, not a regular file; refusing to read it", shown(rel))
            if len(files) >= limits.max_files:
                raise InputError(f"bundle has more than {limits.max_files:,} files ({option('max_files')})", str(root))
            data = read_fd(open_regular(path, shown(rel)), shown(rel), limits.max_file_bytes,
                            option("max_file_bytes"))
            total += len(data)
            if total > limits.max_bundle_bytes:
                raise InputError(f"bundle is larger than the limit of {limits.max_bundle_bytes:,} bytes "
                                 f"({option('max_bundle_bytes')})", str(root))
            files[rel] = data
        stack.extend(reversed(subdirs))
    return files


def read_files(source: str | os.PathLike, limits: Limits = DEFAULT_LIMITS) -> tuple[str, dict[str, bytes]]:
    """Read every file of a bundle folder or zip into memory: ``(name, {path: bytes})``."""
    path = Path(source)
    try:
        mode = os.stat(path).st_mode  # the bundle given on the command line may be a link: resolved once
    except FileNotFoundError:
        raise InputError("no such bundle: give a folder or a .zip file", str(source)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", str(source)) from None
    if stat.S_ISDIR(mode):
        return Path(os.path.realpath(path)).name, _read_dir(path, limits)
    if not stat.S_ISREG(mode):
        raise InputError(f"is {not_regular(mode)}, not a regular file; give a folder or a .zip file", str(source))
    return path.stem, _read_zip(path, limits)


class TableContent(Positioned):
    """The rows of a CSV table with their positions stored compactly (a line per row and a column per
    cell in flat integer arrays, not a dictionary entry per cell)."""

    def __init__(self, data: Any, base: str, width: int):
        super().__init__(data)
        self.base = base
        self.width = width
        self.lines = array("l")
        self.columns = array("l")  # per cell, row by row: the column it starts at
        self.header: dict[str, int] = {}

    def position(self, pointer: str) -> Position | None:
        if pointer.startswith(self.base + "/"):
            parts = pointer[len(self.base) + 1:].split("/", 1)
            if parts[0].isdigit() and int(parts[0]) < len(self.lines):
                row = int(parts[0])
                col = self.header.get(split_pointer("/" + parts[1])[0]) if len(parts) > 1 else None
                return (self.lines[row], self.columns[row * self.width + col] if col is not None else 1)
        return (1, 1)


def _parse_table(text: str, name: str, kind: str, records_field: str, limits: Limits = DEFAULT_LIMITS
                 ) -> TableContent:
    """Turn a CSV table into ``{kind, <records_field>: [row...]}``, keeping cell positions.  Rows are read
    one at a time (never the whole table as lists of cells) and counted against the limits as they come."""
    old_limit = csv.field_size_limit(limits.max_csv_cell)
    try:
        if text.count("\n") > limits.max_csv_rows:  # may be over the limit: count before building rows
            _count_rows(text, name, limits)
        return _table_rows(text, name, kind, records_field, limits)
    finally:
        csv.field_size_limit(old_limit)


def _lines(text: str):
    """The lines of ``text`` one by one, ends kept (io.StringIO would copy the whole text into a buffer
    of four bytes a character).  Text with only carriage returns (old Mac exports) goes through StringIO,
    whose universal newlines split it."""
    if "\n" not in text and "\r" in text:
        yield from io.StringIO(text, newline="")
        return
    start, find = 0, text.find
    while True:
        end = find("\n", start)
        if end < 0:
            if start < len(text):
                yield text[start:]
            return
        yield text[start:end + 1]
        start = end + 1


def _count_rows(text: str, name: str, limits: Limits) -> None:
    reader = csv.reader(_lines(text))
    rows = -1  # the header
    try:
        for row in reader:
            if any(c.strip() for c in row):
                rows += 1
                if rows > limits.max_csv_rows:
                    raise InputError(f"the table has more than {limits.max_csv_rows:,} rows "
                                     f"({option('max_csv_rows')})", name, reader.line_num)
    except csv.Error:
        return  # reported with its line when the rows are read


def _table_rows(text: str, name: str, kind: str, records_field: str, limits: Limits) -> TableContent:
    reader = csv.reader(_lines(text))
    try:
        header_row = next(reader, None)
        if header_row is None:
            raise InputError("the table is empty", name)
        header = [h.strip() for h in header_row]
        if len(set(header)) != len(header) or any(not h for h in header):
            raise InputError("the header row has an empty or repeated column name", name, 1)
        records: list[dict] = []
        out = TableContent({"kind": kind, records_field: records}, join_pointer("", records_field), len(header))
        out.header = {h: i for i, h in enumerate(header)}
        width = len(header)
        add_line, add_columns, add_record = out.lines.append, out.columns.extend, records.append
        for row in reader:
            values = [c.strip() for c in row]
            if not any(values):
                continue
            if len(row) != width:
                raise InputError(f"row has {len(row)} cells, the header has {width}", name, reader.line_num)
            if len(records) >= limits.max_csv_rows:
                raise InputError(f"the table has more than {limits.max_csv_rows:,} rows ({option('max_csv_rows')})",
                                 name, reader.line_num)
            add_line(reader.line_num)
            add_columns(accumulate([len(c) + 1 for c in row[:-1]], initial=1))
            add_record({h: v for h, v in zip(header, values) if v})
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise InputError(f"a cell is longer than the limit of {limits.max_csv_cell:,} characters "
                             f"({option('max_csv_cell')})", name, reader.line_num) from None
        raise InputError(f"malformed CSV: {exc}", name, reader.line_num) from None
    return out


def load_bundle(source: str | os.PathLike, table_fields: dict[str, str] | None = None,
                limits: Limits | None = None) -> Bundle:
    """Read and parse a bundle.  Structural problems raise ``InputError``; content is validated later.

    ``table_fields`` maps a kind to the array field its CSV rows fill (from the schemas'
    ``x-csv-records``); CSV files must be declared in the manifest's ``tables``.
    """
    limits = limits or DEFAULT_LIMITS
    name, raw = read_files(source, limits)
    return bundle_from_files(name, str(source), raw, table_fields or {}, limits)


def _text(raw: dict[str, bytes], path: str, limits: Limits) -> str:
    """A document's text, refused before decoding when it is over the document size limit."""
    data = raw[path]
    if len(data) > limits.max_document_bytes:
        raise InputError(f"document is larger than the limit of {limits.max_document_bytes:,} bytes "
                         f"({option('max_document_bytes')})", path)
    return decode_text(data, path)


def bundle_from_files(name: str, source: str, raw: dict[str, bytes], table_fields: dict[str, str],
                      limits: Limits | None = None) -> Bundle:
    limits = limits or DEFAULT_LIMITS
    if MANIFEST not in raw:
        alt = [p for p in raw if PurePosixPath(p).name == MANIFEST]
        hint = f" (found {alt[0]}; point at its folder)" if alt else ""
        raise InputError(f"no {MANIFEST} manifest at the top of the bundle{hint}", source)
    files = {p: EvidenceFile(p, None, hashlib.sha256(b).hexdigest(), len(b)) for p, b in raw.items()}
    manifest = Document(MANIFEST, "bundle", parse_yaml(_text(raw, MANIFEST, limits), MANIFEST, limits), "yaml")
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
            content = _parse_table(_text(raw, path, limits), path, kind, table_fields[kind], limits)
            documents.append(Document(path, kind, content, "csv"))
        elif suffix in DOCUMENT_SUFFIXES and not in_attachments:
            content = parse_yaml(_text(raw, path, limits), path, limits)
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
                  attachments=attachments, limits=limits,
                  workbooks={p: b for p, b in raw.items() if p.lower().endswith(".xlsx") and p in attachments
                             and p.split("/", 1)[0] != ATTACHMENT_DIR})
