"""Which bundles a ``parkcheck batch`` checks, in which order, and the folder each one's reports go to.

Discovery (``discover``): every folder under the given folders that holds an entry named
``bundle.yaml`` (whatever that entry is: a ``bundle.yaml`` that is a folder or a link is the
bundle's problem, reported in its row), and every ``.zip`` file outside such folders (``load_bundle``
reads a folder or a .zip).  A bundle folder is not searched further (its sub-folders are its own
content).  Symbolic links are never followed while searching (no loops, no escape from the given
folders); a folder given on the command line may itself be a link, resolved once.  Folders that
cannot be listed are skipped and reported.  The order is deterministic: the given folders in the
order given, each walked depth first with names sorted by their code points.

Output names (``output_names``): a bundle's reports go to ``OUT/reports/NAME``, ``NAME`` being its
path relative to the given folder (prefixed with that folder's own name when several folders are
given), ``/`` written ``__``.  Odd names are made safe: every character that is not a letter, a
digit, ``-``, ``_`` or ``.`` becomes ``_``, a leading ``.`` becomes ``_`` (no hidden or ``..`` names),
and a name is cut to ``NAME_MAX`` characters.  Whenever a name had to be changed, or two names are
equal ignoring case (case-insensitive file systems), ``-`` and the first 8 hex digits of the
SHA-256 of the original relative path are appended, so each name depends only on its own bundle's
path and no two bundles share a folder.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .bundlefiles import MANIFEST
from .errors import InputError
from .i18n import tr

NAME_MAX = 80
REPORTS = "reports"  # OUT/reports/NAME: each bundle's report set
ARCHIVE_SUFFIX = ".zip"


@dataclass(frozen=True)
class Found:
    """One bundle to check: its path, its path relative to the folder given (POSIX), and its output name."""

    path: Path
    relative: str
    name: str = ""


def discover(folders: list[Path]) -> tuple[list[Found], list[str]]:
    """Every bundle under ``folders`` in a deterministic order, and the folders that could not be listed."""
    found: list[Found] = []
    skipped: list[str] = []
    several = len(folders) > 1
    for given in folders:
        root = Path(os.path.realpath(given))
        try:
            mode = os.stat(root).st_mode
        except OSError as exc:
            raise InputError(tr("cannot read: {reason}", reason=exc.strerror), str(given)) from None
        prefix = root.name if several else ""
        if stat.S_ISREG(mode) and root.suffix.lower() == ARCHIVE_SUFFIX:
            found.append(Found(root, root.name))
            continue
        if not stat.S_ISDIR(mode):
            raise InputError(tr("is not a folder; give folders of bundles"), str(given))
        found += _walk(root, root, prefix, skipped)
    return found, skipped


def _relative(path: Path, root: Path, prefix: str) -> str:
    rel = path.relative_to(root).as_posix()
    if rel == ".":
        return prefix or root.name
    return f"{prefix}/{rel}" if prefix else rel


def _walk(folder: Path, root: Path, prefix: str, skipped: list[str]) -> list[Found]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        skipped.append(f"{folder}: {exc.strerror}")
        return []
    if any(e.name == MANIFEST for e in entries):
        return [Found(folder, _relative(folder, root, prefix))]
    found: list[Found] = []
    for entry in entries:
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            found += _walk(path, root, prefix, skipped)
        elif entry.is_file(follow_symlinks=False) and entry.name.lower().endswith(ARCHIVE_SUFFIX):
            found.append(Found(path, _relative(path, root, prefix)))
    return found


def _safe(part: str) -> str:
    text = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in part)
    if text.startswith("."):
        text = "_" + text[1:]
    return text or "_"


def _digest(relative: str) -> str:
    return hashlib.sha256(relative.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def output_names(found: list[Found]) -> list[Found]:
    """The bundles with their output folder names: unique (also ignoring case) and safe."""
    plain = {}
    for f in found:
        safe = "__".join(_safe(p) for p in f.relative.split("/"))
        changed = safe != f.relative.replace("/", "__") or len(safe) > NAME_MAX
        plain[f.relative] = (safe[:NAME_MAX], changed)
    folded: dict[str, int] = {}
    for safe, _ in plain.values():
        folded[safe.casefold()] = folded.get(safe.casefold(), 0) + 1
    named = []
    for f in found:
        safe, changed = plain[f.relative]
        if changed or folded[safe.casefold()] > 1:
            safe = f"{safe}-{_digest(f.relative)}"
        named.append(Found(f.path, f.relative, safe))
    names = [n.name.casefold() for n in named]
    if len(set(names)) != len(names):  # two relative paths with the same digest prefix: never seen, refused
        raise InputError(tr("two bundles would share an output folder; rename one of them"))
    return named


def refuse_out(out: Path, folders: list[Path]) -> None:
    """``--out`` must be outside every given folder, and no given folder inside it (parkcheck never
    writes into the evidence, and a later batch over the same folders must not find its reports)."""
    target = Path(os.path.realpath(out))
    for given in folders:
        root = Path(os.path.realpath(given))
        if target == root or root in target.parents:
            raise InputError(tr("the output folder is inside a folder of bundles; choose another --out "
                                "(parkcheck never writes into the evidence)"), str(out))
        if target in root.parents:
            raise InputError(tr("a folder of bundles is inside the output folder; choose another --out"), str(out))
