"""Reporters: each format is one module with ``render(report, lang) -> bytes``.

``write_reports`` replaces the output folder's report set atomically: every report is rendered (one
at a time: a format's text is dropped once written; report.json is streamed), written and flushed
into a new folder beside the output folder (``.OUT.tmp-PID-XXXX``),
and that folder then takes the output folder's place in one step (Linux ``renameat2`` with
``RENAME_EXCHANGE``; elsewhere two renames, repaired by the next run if killed between them).  So
after a crash or a kill at any point the output folder holds the previous complete set or the new
complete set, never a mix and never a temporary file; temporary folders a killed run left beside
it are removed by the next run.  The whole folder is one set: a format not asked for this time is
gone afterwards, and a folder holding files parkcheck did not write is refused rather than replaced.

A format writes one file (its ``render`` returns bytes) or a folder of files (its ``render`` returns
``{file name: bytes}``, e.g. ``ncr/NC-….docx``, one NCR form per nonconformity): the folder is part
of the set, written and synced inside the new set before the one-step swap, and it counts as
parkcheck's only while it holds nothing but files named as that format names them.
"""

from __future__ import annotations

import ctypes
import errno
import importlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from ..errors import InputError
from ..ids import ID_PATTERN
from ..model import Report
from ..safeio import atomic_write, umask  # noqa: F401 - atomic_write is part of this package's API
from . import csv_report, html_report, json_report, md_report

# format -> (the file or folder it writes, render(report, lang) -> bytes | {file name in the folder: bytes})
Rendered = bytes | dict[str, bytes]
# Formats written as they are rendered (the same bytes as FORMATS gives): never held whole in memory.
STREAMED: dict[str, Callable[[Report, str, Callable[[bytes], object]], None]] = {
    "json": json_report.stream, "md": md_report.stream, "html": html_report.stream}
DOCX_FOLDER = "ncr"  # the NCR forms and their annex are written into this folder of the report set
DOCX_ANNEX = "annex.docx"  # (beside the forms)


def _on_demand(module: str) -> Callable[[Report, str], Rendered]:
    """The ``render`` of a format module imported when first called: the office and PDF formats bring
    openpyxl, python-docx or WeasyPrint (~15 MiB resident), which a check not writing them never loads."""

    def render(report: Report, lang: str) -> Rendered:
        out: Rendered = importlib.import_module(f"{__name__}.{module}").render(report, lang)
        return out
    render.__qualname__ = render.__name__ = f"{module}.render"
    return render


FORMATS: dict[str, tuple[str, Callable[[Report, str], Rendered]]] = {
    "json": ("report.json", json_report.render),
    "md": ("report.md", md_report.render),
    "html": ("report.html", html_report.render),
    "csv": ("nonconformities.csv", csv_report.render),
    "junit": ("junit.xml", _on_demand("junit_report")),
    "sarif": ("report.sarif", _on_demand("sarif_report")),
    "oscal": ("oscal-assessment-results.json", _on_demand("oscal_report")),
    "pdf": ("report.pdf", _on_demand("pdf_report")),  # A4, for filing (WeasyPrint; needs a Chinese font)
    "docx": (DOCX_FOLDER, _on_demand("docx_annex")),  # the NCR forms and ncr/annex.docx
    "xlsx": ("nonconformities.xlsx", _on_demand("xlsx_report")),
}
# The folders of the formats that write several files, and the names of the files each may hold.
_FORM_NAMES = ID_PATTERN.removeprefix("^").removesuffix("$")  # NC-XXXXXXXX
_ANNEX_NAME = re.escape(DOCX_ANNEX.removesuffix(".docx"))
REPORT_FOLDERS = {DOCX_FOLDER: re.compile(rf"(?:{_FORM_NAMES}|{_ANNEX_NAME})\.docx$")}
REPORT_FILES = frozenset(name for name, _ in FORMATS.values() if name not in REPORT_FOLDERS)
# Temporary files of the per-file writes of earlier versions: part of an old set, replaced with it.
_OLD_TEMP_FILE = re.compile(r"^\.(?:report\.(?:json|md|html)|nonconformities\.csv)\..+\.tmp$")


_umask = umask  # kept under its old name for the report-set writer and its tests


def write_reports(report: Report, out_dir: Path, formats: list[str], lang: str = "zh",
                  protect: Path | None = None) -> list[Path]:
    """Render ``formats`` and make them the report set of ``out_dir`` in one atomic step.

    Refuses (``InputError``) an output folder inside ``protect`` (the evidence bundle) or holding
    it, one that holds files parkcheck did not write, and the current working folder."""
    out_dir = Path(out_dir)
    target = out_dir.resolve()  # a symbolic link to a folder: its target is replaced, the link kept
    _refuse_unsafe_target(out_dir, target, protect)
    chosen = list(dict.fromkeys(formats))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder: {exc.strerror}", str(out_dir)) from None
    _remove_stale(target)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=target.parent))
    except OSError as exc:
        raise InputError(f"cannot write beside the output folder: {exc.strerror}", str(out_dir)) from None
    try:
        for f in chosen:  # one format's text in memory at a time (rendered as it is written)
            name = FORMATS[f][0]
            if f in STREAMED:
                _write_new_stream(tmp / name, _streamer(STREAMED[f], report, lang))
                continue
            data = FORMATS[f][1](report, lang)
            if isinstance(data, dict):
                _write_folder(tmp / name, data)
            else:
                _write_new_file(tmp / name, data)
            del data
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            mode = 0o777 & ~_umask()
        os.chmod(tmp, mode)
        _fsync_dir(tmp)
        _replace_folder(tmp, target)
        _fsync_dir(target.parent)
    except OSError as exc:
        raise InputError(f"cannot write the reports: {exc.strerror}", str(out_dir)) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # after a swap it holds the previous set
    return [out_dir / FORMATS[f][0] for f in chosen]


def _refuse_unsafe_target(out_dir: Path, target: Path, protect: Path | None) -> None:
    if protect is not None and protect.exists():
        bundle_root = protect.resolve()
        if target == bundle_root or bundle_root in target.parents:
            raise InputError("the output folder is inside the evidence bundle; choose another --out "
                             "(parkcheck never writes into the evidence)", str(out_dir))
        if target in bundle_root.parents:
            raise InputError("the evidence bundle is inside the output folder; choose another --out "
                             "(the output folder is replaced as a whole)", str(out_dir))
    if target == Path.cwd().resolve():
        raise InputError("the output folder is the current folder; choose a folder of its own "
                         "(the output folder is replaced as a whole)", str(out_dir))
    try:
        if not stat.S_ISDIR(os.stat(target).st_mode):
            raise InputError("the output path exists and is not a folder", str(out_dir))
    except (FileNotFoundError, NotADirectoryError):
        return  # a new folder (a parent that is not a folder is reported when creating it)
    try:
        entries = list(os.scandir(target))
    except OSError as exc:
        raise InputError(f"cannot read the output folder: {exc.strerror}", str(out_dir)) from None
    foreign = sorted(name for e in entries for name in _foreign(e))
    if foreign:
        more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
        raise InputError(f"the output folder holds {foreign[0]!r}{more}, which parkcheck did not write; choose an "
                         "empty or new folder (the report set replaces the whole folder)", str(out_dir))


def _foreign(entry: os.DirEntry) -> list[str]:
    """The names in an output-folder entry that parkcheck did not write (none: the entry is ours)."""
    pattern = REPORT_FOLDERS.get(entry.name)
    if pattern is None:
        ours = (entry.name in REPORT_FILES or _OLD_TEMP_FILE.match(entry.name)) and entry.is_file(follow_symlinks=False)
        return [] if ours else [entry.name]
    if not entry.is_dir(follow_symlinks=False):
        return [entry.name]
    try:
        inner = list(os.scandir(entry.path))
    except OSError:
        return [entry.name]
    return [f"{entry.name}/{e.name}" for e in inner if not (pattern.match(e.name) and e.is_file(follow_symlinks=False))]


def _write_folder(folder: Path, files: dict[str, bytes]) -> None:
    """A format's folder of files inside the new set, each file and the folder synced."""
    pattern = REPORT_FOLDERS[folder.name]
    bad = [name for name in files if not pattern.match(name)]
    if bad:  # a name the next run would not recognise as parkcheck's: a bug, never written
        raise ValueError(f"{folder.name}: unexpected file name {bad[0]!r}")
    os.mkdir(folder, 0o777)
    for name in sorted(files):
        _write_new_file(folder / name, files[name])
    _fsync_dir(folder)


def _streamer(stream: Callable[[Report, str, Callable[[bytes], object]], None], report: Report,
              lang: str) -> Callable[[Callable[[bytes], None]], None]:
    return lambda write: stream(report, lang, write)


def _write_new_file(path: Path, data: bytes) -> None:
    _write_new_stream(path, lambda write: write(data))


def _write_new_stream(path: Path, produce: Callable[[Callable[[bytes], None]], object]) -> None:
    """A new file (never an existing one, never through a link) holding what ``produce`` writes."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, 0o666)

    def write(data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]

    try:
        produce(write)
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # not every file system syncs folders; the renames are still atomic
    finally:
        os.close(fd)


def _replace_folder(new: Path, target: Path) -> None:
    """Put the folder ``new`` in the place of ``target``; afterwards ``new`` holds the previous set."""
    if not target.exists():
        os.rename(new, target)  # on Linux this also replaces a folder made empty meanwhile
        return
    if _exchange(new, target):
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-{os.getpid()}-", dir=target.parent))
    # replaces the empty ``old``; a kill from here to the next rename is repaired by _remove_stale
    os.rename(target, old)
    os.rename(new, target)
    os.rename(old, new)  # so the caller removes the previous set with the temporary folder


@lru_cache(maxsize=1)
def _renameat2():
    try:  # the C library the interpreter is linked with (glibc has renameat2 since 2.28)
        return getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    except (OSError, TypeError):
        return None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    fn = _renameat2()
    if fn is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _remove_stale(target: Path) -> None:
    """Remove the temporary folders that killed runs left beside ``target`` (their process is gone);
    if a run was killed between the two renames of the fallback, put the previous set back first."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(tmp|old)-(\d+)-[^/]+$")
    stale = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        m = pattern.match(entry.name)
        if m and entry.is_dir(follow_symlinks=False) and int(m[2]) != os.getpid() and not _pid_alive(int(m[2])):
            stale.append((m[1], Path(entry.path)))
    for kind, folder in stale:
        if kind == "old" and not target.exists() and any(folder.iterdir()):
            try:
                os.rename(folder, target)
                continue
            except OSError:
                pass
        shutil.rmtree(folder, ignore_errors=True)
