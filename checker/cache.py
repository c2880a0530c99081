"""The on-disk cache of linted rule packs: plain JSON data, parsed and validated, never executed.

Loading and linting the T/CPQS pack takes 0.7–1 s on the reference machine (2 cores), served from
this cache about 0.02 s, so the cache stays, but it holds data only:

* an entry is a JSON document of the linted ``Pack`` (its dataclasses written as tagged objects,
  ``checker.cachecodec``); a second entry beside it holds what the pack compiles to
  (``CompiledPack``: the engine rulesets and their feeds; compiling T/CPQS takes 0.25–0.45 s, reading
  it back about 0.14 s).  Decoding rebuilds only the classes listed in ``_CLASSES``, checks every
  field against its type annotation, and rejects anything else, so a planted or corrupt file cannot
  run code: at worst it is ignored and rebuilt;
* the key hashes the cache format, the package version, the Python version, the source of the
  ``checker`` package itself, the pack's files and the evidence schemas; a file whose embedded
  key differs from its expected key is ignored; a compiled entry's key also hashes the digest of the
  linted pack it was compiled from (a pack whose files changed after it was loaded never shares it);
* files are written atomically (a temporary file in the cache folder, renamed) with mode 0600 in
  a folder created with mode 0700; a folder or file that is not the user's own, or that others
  may write, is neither read nor written (and never chmod-ed);
* ``--no-cache`` (``disable()``) or ``PARKCHECK_CACHE_DIR=off`` turn it off: nothing is read from
  or written to the cache folder.  Otherwise the cache is written whenever a pack is linted, also
  when the run writes no report: it is what makes the next run fast, not an output of the run.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import __version__
from .cachecodec import CacheInvalid, decode, encode
from .compiler import CompiledPack
from .packmodel import Pack
from .resources import data_dir
from .safeio import atomic_write

FORMAT = "parkcheck-pack-cache/6"
MAX_ENTRY_BYTES = 64 * 1024 * 1024  # a linted pack is about 1 MiB; anything far larger is not ours

_ENTRY_RE = re.compile(r"^(?P<pack>[^/]+)-(?P<key>[0-9a-f]{64})\.(compiled\.json|json|pickle)$")

_disabled = False


def disable() -> None:
    """Turn the cache off for this process (``--no-cache``): nothing is read or written."""
    global _disabled  # noqa: PLW0603 - one process-wide switch, set once by the CLI (tests reset it)
    _disabled = True


def cache_dir() -> Path | None:
    """Where linted packs are cached: PARKCHECK_CACHE_DIR, else the user cache folder; None when off."""
    if _disabled:
        return None
    setting = os.environ.get("PARKCHECK_CACHE_DIR")
    if setting == "off":
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "parkcheck"


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """Hash of the ``checker`` package's own source, so a changed linter or loader never reuses old entries."""
    return source_digest(Path(__file__).resolve().parent)


def source_digest(pkg: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(pkg.rglob("*.py")):
        digest.update(path.relative_to(pkg).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def pack_key(root: Path) -> str:
    """Hash of everything a linted pack depends on: its files, the schemas, the tool's version and code."""
    digest = hashlib.sha256("\0".join((FORMAT, __version__, f"{sys.version_info[0]}.{sys.version_info[1]}",
                                       code_digest(), root.name)).encode())
    for path in sorted(root.glob("*.yaml")) + sorted(data_dir("schemas").glob("*.schema.json")):
        digest.update(b"\0" + path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# --- the files ---

def _usable_dir(folder: Path, create: bool) -> bool:
    """The cache folder exists (or is created with mode 0700), is a real folder of ours, and only we may write it."""
    try:
        if create:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(folder)
    except OSError:
        return False
    # Never chmod a folder we did not just make (PARKCHECK_CACHE_DIR may name /tmp): one that
    # others may write is simply not used.
    return stat.S_ISDIR(st.st_mode) and _own(st) and not st.st_mode & 0o022


def _own(st: os.stat_result) -> bool:
    getuid = getattr(os, "getuid", None)  # not on Windows, where the folder is per user anyway
    return getuid is None or st.st_uid == getuid()


def _entry(folder: Path, pack_id: str, key: str, compiled: bool = False) -> Path:
    return folder / f"{pack_id}-{key}{'.compiled' if compiled else ''}.json"


# never follow a link, never block on a FIFO, never leak the descriptor (flags missing on a platform are 0)
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _read_value(path: Path, key: str, name: str) -> Any:
    """The value stored under ``name`` in one entry; ``CacheInvalid`` (or ``OSError``) when the entry is
    missing, foreign, corrupt or stale."""
    fd = os.open(path, _READ_FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not _own(st) or st.st_mode & 0o022:
            raise CacheInvalid("not a private regular file of this user")
        if st.st_size > MAX_ENTRY_BYTES:
            raise CacheInvalid("too large")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read(MAX_ENTRY_BYTES + 1)
    finally:
        os.close(fd)
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # also UnicodeDecodeError and over-long integers
        raise CacheInvalid(f"not JSON: {exc}") from None
    if not isinstance(doc, dict) or set(doc) != {"format", "key", name}:
        raise CacheInvalid(f"not a cache entry of a {name}")
    if doc["format"] != FORMAT or doc["key"] != key:
        raise CacheInvalid("another format or key")
    try:
        return decode(doc[name])
    except RecursionError:
        raise CacheInvalid("nested too deeply") from None


def read_entry(path: Path, pack_id: str, key: str, root: Path) -> Pack:
    """Load one linted pack; ``CacheInvalid`` (or ``OSError``) when it is missing, foreign, corrupt or stale."""
    pack = _read_value(path, key, "pack")
    if not isinstance(pack, Pack) or pack.id != pack_id:
        raise CacheInvalid("another pack")
    pack.folder = root
    return pack


def _write_value(folder: Path, pack_id: str, files_key: str, name: str, value: Any, key: str | None = None) -> Path:
    """Write one entry atomically (0600), named by the key of the pack's files and holding ``key`` (by
    default that key); remove this pack's entries of other files and any legacy pickle."""
    data = json.dumps({"format": FORMAT, "key": key or files_key, name: encode(value)}, ensure_ascii=False,
                      separators=(",", ":"), allow_nan=False).encode("utf-8")
    target = _entry(folder, pack_id, files_key, compiled=name == "compiled")
    atomic_write(target, data, private=True)  # 0600
    for old in folder.iterdir():  # stale entries of this pack (older keys) and pickles of older versions
        m = _ENTRY_RE.match(old.name)
        if m and m["pack"] == pack_id and (m["key"] != files_key or old.suffix == ".pickle"):
            try:
                old.unlink()
            except OSError:
                pass
    return target


def write_entry(folder: Path, pack: Pack, key: str) -> Path:
    """Write one linted pack's entry (see ``_write_value``)."""
    return _write_value(folder, pack.id, key, "pack", pack)


def load_or_build(pack_id: str, root: Path, build: Callable[[], Pack]) -> Pack:
    """The linted pack from the cache when an entry for the current key is valid, else ``build()`` it
    (and cache the result when it linted cleanly).  Problems with the cache only cost time."""
    folder = cache_dir()
    if folder is None or not (root / "pack.yaml").is_file():
        return build()
    key = pack_key(root)
    if _usable_dir(folder, create=False):
        try:
            return read_entry(_entry(folder, pack_id, key), pack_id, key, root)
        except (OSError, CacheInvalid):
            pass  # missing, corrupt, foreign or stale: lint again
    pack = build()
    if not pack.problems and _usable_dir(folder, create=True):
        try:
            write_entry(folder, pack, key)
        except (OSError, CacheInvalid):
            pass
    return pack


def load_or_compile(pack: Pack, build: Callable[[], CompiledPack]) -> CompiledPack:
    """What ``pack`` compiles to (its engine rulesets and feeds), from the cache when an entry for the
    pack's files, the schemas, the tool's code and the pack as it was linted is valid, else ``build()``
    (and cached).  The key includes the linted pack's own digest: a pack whose files changed after it
    was loaded never shares an entry with the files as they are now."""
    folder = cache_dir()
    root = pack.folder
    if folder is None or not (root / "pack.yaml").is_file() or pack.problems:
        return build()
    files_key = pack_key(root)
    key = hashlib.sha256(f"{files_key}\0{pack.sha256}".encode()).hexdigest()
    path = _entry(folder, pack.id, files_key, compiled=True)
    if _usable_dir(folder, create=False):
        try:
            compiled = _read_value(path, key, "compiled")
            if not isinstance(compiled, CompiledPack):
                raise CacheInvalid("not a compiled pack")
            compiled.pack = pack
            return compiled
        except (OSError, CacheInvalid):
            pass  # missing, corrupt, foreign or stale: compile again
    compiled = build()
    if _usable_dir(folder, create=True):
        try:
            _write_value(folder, pack.id, files_key, "compiled", compiled, key)
        except (OSError, CacheInvalid):
            pass
    return compiled
