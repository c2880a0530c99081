"""Read every file of an evidence bundle (a folder or a .zip) into memory without trusting it and
without changing it: names checked, links resolved once and kept inside the bundle, special files
refused, sizes and archive expansion bounded (``checker.limits``).
"""

from __future__ import annotations

import errno
import os
import stat
import struct
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

from .charset import SUSPICIOUS_NAME, char_name, shown
from .errors import InputError, ReadProblem
from .i18n import tr
from .limits import DEFAULT_LIMITS, Limits, archive_excess, option
from .safeio import not_regular, open_regular, read_fd

MANIFEST = "bundle.yaml"
DOCUMENT_SUFFIXES = {".yaml", ".yml", ".json"}
TABLE_SUFFIX = ".csv"
ATTACHMENT_DIR = "attachments"

# Limits against hostile or accidental input (defaults; see checker/limits.py for all of them).
MAX_FILES = DEFAULT_LIMITS.max_files
MAX_FILE_BYTES = DEFAULT_LIMITS.max_file_bytes
MAX_TOTAL_BYTES = DEFAULT_LIMITS.max_bundle_bytes
MAX_COMPRESSION_RATIO = DEFAULT_LIMITS.max_compression_ratio


def _clean_member_name(name: str, archive: str) -> str | None:
    """Validate an archive member name; return the normalised POSIX path or None for folders."""
    if "\x00" in name:
        raise InputError(tr("archive member name contains a NUL byte"), archive)
    raw = name.replace("\\", "/")
    if raw.endswith("/"):
        return None
    if raw.startswith("/") or (len(raw) > 1 and raw[1] == ":"):
        raise InputError(tr("archive member {name} has an absolute path; refusing to read it", name=repr(shown(name))),
                         archive)
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise InputError(tr("archive member {name} points outside the bundle (..); refusing to read it",
                            name=repr(shown(name))), archive)
    return "/".join(parts)


def _skip(path: str) -> bool:
    parts = path.split("/")
    return any(p.startswith(".") or p == "__MACOSX" for p in parts) or parts[-1] in ("Thumbs.db", "desktop.ini")


def _check_name(rel: str, where: str | None = None) -> None:
    """File names are shown in reports and error lines: refuse control, invisible and non-UTF-8 characters."""
    bad = SUSPICIOUS_NAME.search(rel)
    if bad:
        char = bad.group()
        what = (tr("a byte that is not UTF-8") if "\udc80" <= char <= "\udcff"
                else tr("the invisible or control character {char}", char=char_name(char)))
        raise InputError(tr("file name contains {what}; rename the file", what=what), where or shown(rel))


def _expects_document(rel: str) -> bool:
    """Whether a path names a document (so a folder there is a mistake, not a folder of attachments)."""
    return rel == MANIFEST or (rel.split("/", 1)[0] != ATTACHMENT_DIR
                               and PurePosixPath(rel).suffix.lower() in DOCUMENT_SUFFIXES | {TABLE_SUFFIX})


def _read_zip(path: Path, limits: Limits, skipped: list[ReadProblem] | None = None) -> dict[str, bytes]:
    label = str(path)
    fd = open_regular(os.path.realpath(path), label)  # the bundle named on the command line may be a link
    archive_size = os.fstat(fd).st_size
    fh = os.fdopen(fd, "rb")
    try:
        if not zipfile.is_zipfile(fh):
            raise InputError(tr("not a bundle: give a folder with bundle.yaml, or a .zip of one"), label)
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, NotImplementedError,
                RuntimeError, struct.error) as exc:  # a corrupt central directory
            raise InputError(tr("not a valid .zip archive ({reason})", reason=shown(str(exc))), label) from None
        with zf:
            return _zip_members(zf, label, archive_size, limits, skipped)
    finally:
        fh.close()

def _zip_members(zf: zipfile.ZipFile, label: str, archive_size: int, limits: Limits,
                 skipped: list[ReadProblem] | None = None) -> dict[str, bytes]:
    """The members of the archive; with ``skipped``, a member that cannot be read is noted there and the
    others are still read (the limits of the whole archive stop the read: ``BundleLimit``)."""
    infos = zf.infolist()
    _check_archive(infos, label, archive_size, limits)
    files: dict[str, bytes] = {}
    total = 0
    for info in infos:
        try:
            name = _member_name(info, label)
            if name is None:
                continue
            _check_member(info, name, files, label, limits)
            data = _read_member(zf, info, label, min(limits.max_file_bytes, limits.max_unpacked_bytes - total),
                                limits)
        except InputError as exc:
            _note(exc, skipped)
            continue
        total += len(data)
        files[name] = data
    return _strip_top_folder(files)


def _check_archive(infos: list[zipfile.ZipInfo], label: str, archive_size: int, limits: Limits) -> None:
    """Refuse on the member count and the declared sizes first (nothing inflated yet); the reads never
    trust them."""
    excess = archive_excess([i.file_size for i in infos], archive_size, limits)
    if excess == "members":
        raise InputError(tr("archive has {count} members, more than the limit of {limit} ({option})",
                            count=f"{len(infos):,}", limit=f"{limits.max_archive_members:,}",
                            option=option("max_archive_members")), label)
    if excess == "size":
        raise InputError(tr("archive expands to more than the limit of {count} bytes ({option})",
                            count=f"{limits.max_unpacked_bytes:,}", option=option("max_unpacked_bytes")), label)
    if excess == "ratio":
        declared = sum(i.file_size for i in infos)
        raise InputError(tr("archive expands {ratio}-fold, more than the limit of {limit} ({option}); refusing a "
                            "likely zip bomb", ratio=f"{declared // max(archive_size, 1):,}",
                            limit=limits.max_compression_ratio, option=option("max_compression_ratio")), label)


def _member_name(info: zipfile.ZipInfo, label: str) -> str | None:
    """The bundle path of an archive member, or None for folders and skipped files; refuses links,
    special files and a bundle.yaml that is a folder."""
    name = _clean_member_name(info.filename, label)
    if name is None:
        if _clean_member_name(info.filename.rstrip("/\\"), label) == MANIFEST:
            raise InputError(tr("{name} is a folder in the archive, where a document file is expected", name=MANIFEST),
                             label)
        return None
    if _skip(name):
        return None
    _check_name(name, f"{label}: {shown(name)}")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise InputError(tr("archive member {name} is a symbolic link; refusing to follow it",
                            name=repr(shown(info.filename))), label)
    if stat.S_IFMT(mode) and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        raise InputError(tr("archive member {name} is {what}, not a regular file", name=repr(shown(info.filename)),
                            what=not_regular(mode)), label)
    return None if stat.S_ISDIR(mode) else name


def _check_member(info: zipfile.ZipInfo, name: str, files: dict[str, bytes], label: str, limits: Limits) -> None:
    if info.flag_bits & 0x1:
        raise InputError(tr("archive member {name} is encrypted", name=repr(shown(info.filename))), label)
    if name in files:
        raise InputError(tr("archive holds {name} twice", name=repr(shown(info.filename))), label)
    if info.file_size > limits.max_file_bytes:
        raise InputError(tr("archive member {name} is larger than the limit of {count} bytes ({option})",
                            name=repr(shown(info.filename)), count=f"{limits.max_file_bytes:,}",
                            option=option("max_file_bytes")), label)
    if info.compress_size and info.file_size / info.compress_size > limits.max_compression_ratio \
            and info.file_size > 1 << 20:
        raise InputError(tr("archive member {name} expands {ratio}-fold, more than the limit of {limit} ({option}); "
                            "refusing a likely zip bomb", name=repr(shown(info.filename)),
                            ratio=f"{info.file_size // info.compress_size:,}", limit=limits.max_compression_ratio,
                            option=option("max_compression_ratio")), label)


_PIECE = 1 << 20  # bytes of an archive member inflated at a time


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, budget: int, limits: Limits) -> bytes:
    try:
        with zf.open(info) as fh:  # never trust the header's size; read in pieces: one read(n) inflates up to n
            parts, total = [], 0    # bytes at once, whatever the member's declared size (a lie of 1,000 bytes
            while total <= budget:  # held 800 MB at once before the CRC check refused it)
                piece = fh.read(min(_PIECE, budget + 1 - total))
                if not piece:
                    break
                parts.append(piece)
                total += len(piece)
            data = b"".join(parts)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError,
            ValueError) as exc:
        raise InputError(tr("archive member {name} cannot be read: {reason}", name=repr(shown(info.filename)),
                            reason=shown(str(exc))), label) from None
    if len(data) > budget:
        raise BundleLimit(tr("archive expands to more than the limit of {count} bytes ({option})",
                            count=f"{limits.max_unpacked_bytes:,}", option=option("max_unpacked_bytes")), label)
    return data


def _strip_top_folder(files: dict[str, bytes]) -> dict[str, bytes]:
    """A zip of a folder usually has that folder as its only top-level entry: strip it."""
    if MANIFEST not in files:
        tops = {p.split("/", 1)[0] for p in files}
        if len(tops) == 1 and all("/" in p for p in files):
            top = tops.pop()
            if f"{top}/{MANIFEST}" in files:
                files = {p.split("/", 1)[1]: b for p, b in files.items()}
    return files



def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class BundleLimit(InputError):
    """A limit of the whole bundle or archive (file count, total size, expansion): it stops the whole
    read, even when the problems of single files are being collected."""


def tally(bundle: Any, doc: Any) -> None:
    """Add what a document holds to its bundle's count of values (``Bundle.values``; a document just read, None:
    an attachment) and stop the read past ``--max-bundle-values``: the limits of one document leave many of
    them free to add up (eight YAML documents just under ``--max-values``, 30 MB, took 72 s and 403 MB)."""
    if doc is None:
        return
    bundle.values += doc.content.values()
    limit = bundle.limits.max_bundle_values
    if bundle.values > limit:
        raise BundleLimit(tr("the bundle's documents hold more than {count} values in all, counted up to this "
                             "one ({option})", count=f"{limit:,}", option=option("max_bundle_values")), doc.path)


def _note(exc: InputError, skipped: list[ReadProblem] | None) -> None:
    """A single file cannot be read: raise (``skipped`` None), or note it and go on with the others."""
    if skipped is None or isinstance(exc, BundleLimit):
        raise exc
    skipped.append(ReadProblem.of(exc))


def _entry_mode(path: str, rel: str, real_root: str, mode: int) -> tuple[str, int] | None:
    """The path to read and the mode of a folder entry; a symlink is resolved once and must stay inside
    the bundle (None: a link to a folder of the bundle, read under its own name)."""
    try:
        if stat.S_ISLNK(mode):
            try:
                target = os.path.realpath(path, strict=True)
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise InputError(tr("symbolic link loop; refusing to follow it"), rel) from None
                raise InputError(tr("symbolic link points to nothing"), rel) from None
            if not _inside(target, real_root):
                raise InputError(tr("symbolic link points outside the bundle; refusing to follow it"), rel)
            mode = os.stat(target).st_mode
            if stat.S_ISDIR(mode):
                return None
            path = target
    except OSError as exc:
        raise InputError(tr("cannot read: {reason}", reason=exc.strerror), shown(rel)) from None
    return path, mode


class _DirReader:
    """Reads the files under a folder, noting (or raising) the problem of each file that cannot be read."""

    def __init__(self, root: Path, limits: Limits, skipped: list[ReadProblem] | None):
        self.root, self.limits, self.skipped = root, limits, skipped
        self.real_root = os.path.realpath(root)
        self.files: dict[str, bytes] = {}
        self.total = 0

    def folder(self, rel_dir: str, abs_dir: str) -> list[tuple[str, str]]:
        """Read the files of one folder; its subfolders, to read next."""
        try:
            with os.scandir(abs_dir) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            where = shown(rel_dir) if rel_dir else str(self.root)
            _note(InputError(tr("cannot read the folder: {reason}", reason=exc.strerror), where), self.skipped)
            return []
        subdirs: list[tuple[str, str]] = []
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if _skip(rel):
                continue
            try:
                sub = self.entry(entry, rel)
            except InputError as exc:
                _note(exc, self.skipped)
                continue
            if sub is not None:
                subdirs.append(sub)
        return subdirs

    def entry(self, entry: os.DirEntry, rel: str) -> tuple[str, str] | None:
        _check_name(rel)
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError as exc:
            raise InputError(tr("cannot read: {reason}", reason=exc.strerror), shown(rel)) from None
        resolved = _entry_mode(entry.path, rel, self.real_root, mode)
        if resolved is None:
            return None
        path, mode = resolved
        if stat.S_ISDIR(mode):
            if _expects_document(rel):
                raise InputError(tr("is a folder, where a document file is expected"), shown(rel))
            return rel, path
        if not stat.S_ISREG(mode):
            raise InputError(tr("is {what}, not a regular file; refusing to read it", what=not_regular(mode)),
                             shown(rel))
        limits = self.limits
        if len(self.files) >= limits.max_files:
            raise BundleLimit(tr("bundle has more than {count} files ({option})", count=f"{limits.max_files:,}",
                                 option=option("max_files")), str(self.root))
        data = read_fd(open_regular(path, shown(rel)), shown(rel), limits.max_file_bytes, option("max_file_bytes"))
        self.total += len(data)
        if self.total > limits.max_bundle_bytes:
            raise BundleLimit(tr("bundle is larger than the limit of {count} bytes ({option})",
                                 count=f"{limits.max_bundle_bytes:,}", option=option("max_bundle_bytes")),
                              str(self.root))
        self.files[rel] = data
        return None


def _read_dir(root: Path, limits: Limits, skipped: list[ReadProblem] | None = None) -> dict[str, bytes]:
    """Read every regular file under ``root``.  Special files are refused before they are opened; a symlink
    is resolved once and must end inside the bundle at a regular file (links to folders are not followed:
    they would only read files twice); an unreadable folder is an error naming it.  With ``skipped``, a
    file that cannot be read is noted there and the others are still read; the limits of the whole
    bundle (file count, total size) stop the read (``BundleLimit``)."""
    reader = _DirReader(root, limits, skipped)
    stack = [("", reader.real_root)]
    while stack:
        rel_dir, abs_dir = stack.pop()
        stack.extend(reversed(reader.folder(rel_dir, abs_dir)))
    return reader.files


def read_files(source: str | os.PathLike, limits: Limits = DEFAULT_LIMITS, skipped: list[ReadProblem] | None = None
               ) -> tuple[str, dict[str, bytes]]:
    """Read every file of a bundle folder or zip into memory: ``(name, {path: bytes})``.  With ``skipped``,
    a file that cannot be read is noted there (one problem a file) and left out; the others are read."""
    path = Path(source)
    try:
        mode = os.stat(path).st_mode  # the bundle given on the command line may be a link: resolved once
    except FileNotFoundError:
        raise InputError(tr("no such bundle: give a folder or a .zip file"), str(source)) from None
    except OSError as exc:
        raise InputError(tr("cannot read: {reason}", reason=exc.strerror), str(source)) from None
    if stat.S_ISDIR(mode):
        return Path(os.path.realpath(path)).name, _read_dir(path, limits, skipped)
    if not stat.S_ISREG(mode):
        raise InputError(tr("is {what}, not a regular file; give a folder or a .zip file", what=not_regular(mode)),
                         str(source))
    return path.stem, _read_zip(path, limits, skipped)
