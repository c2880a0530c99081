"""The on-disk cache of linted rule packs: plain JSON data, parsed and validated, never executed.

Loading and linting the T/CPQS pack takes 0.7–1 s on the reference machine (2 cores), served from
this cache about 0.02 s, so the cache stays, but it holds data only:

* an entry is a JSON document of the linted ``Pack`` (its dataclasses written as tagged objects);
  decoding rebuilds only the classes listed in ``_CLASSES``, checks every field against its type
  annotation, and rejects anything else, so a planted or corrupt file cannot run code: at worst
  it is ignored and rebuilt;
* the key hashes the cache format, the package version, the Python version, the source of the
  ``checker`` package itself, the pack's files and the evidence schemas; a file whose embedded
  key differs from its expected key is ignored;
* files are written atomically (a temporary file in the cache folder, renamed) with mode 0600 in
  a folder created with mode 0700; a folder or file that is not the user's own, or that others
  may write, is neither read nor written (and never chmod-ed);
* ``--no-cache`` (``disable()``) or ``PARKCHECK_CACHE_DIR=off`` turn it off: nothing is read from
  or written to the cache folder.  Otherwise the cache is written whenever a pack is linted, also
  when the run writes no report: it is what makes the next run fast, not an output of the run.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import math
import os
import re
import stat
import sys
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import __version__
from .packmodel import Aggregate, Case, CatalogueEntry, Derived, Pack, Rule
from .resources import data_dir
from .safeio import atomic_write

FORMAT = "parkcheck-pack-cache/5"
MAX_ENTRY_BYTES = 64 * 1024 * 1024  # a linted pack is about 1 MiB; anything far larger is not ours

_CLASSES: dict[str, type] = {c.__name__: c for c in (Pack, Rule, Case, CatalogueEntry, Aggregate, Derived)}
# Fields not written, with the value they get on load: the pack's folder (set by the caller to where
# the pack was found) and its lint problems (only packs without problems are cached).
_NOT_STORED: dict[str, dict[str, Callable[[], Any]]] = {"Pack": {"folder": lambda: Path("."), "problems": list}}
_ENTRY_RE = re.compile(r"^(?P<pack>[^/]+)-[0-9a-f]{64}\.(json|pickle)$")

_disabled = False


class CacheInvalid(Exception):
    """A cache entry that is not a valid linted pack of the expected key: ignore it."""


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


# --- encoding: Python values ↔ JSON, tagged so that tuples, dicts and dataclasses round-trip exactly ---

def encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CacheInvalid("non-finite number")
        return value
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, tuple):
        return {"tuple": [encode(v) for v in value]}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise CacheInvalid("a mapping with keys that are not text")
        return {"dict": {k: encode(v) for k, v in value.items()}}
    name = type(value).__name__
    if _CLASSES.get(name) is type(value) and dataclasses.is_dataclass(value):
        skip = _NOT_STORED.get(name, {})
        return {"class": name, "fields": {f.name: encode(getattr(value, f.name))
                                          for f in dataclasses.fields(value) if f.name not in skip}}
    raise CacheInvalid(f"cannot cache a {type(value).__name__}")


def decode(data: Any) -> Any:
    """Rebuild a value written by ``encode``; raise ``CacheInvalid`` on anything else."""
    if data is None or isinstance(data, (bool, int, str)):
        return data
    if isinstance(data, float):
        if not math.isfinite(data):
            raise CacheInvalid("non-finite number")
        return data
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict) or len(data) not in (1, 2):
        raise CacheInvalid("unexpected value")
    rebuild = _TAGGED.get(frozenset(data))
    if rebuild is None:
        raise CacheInvalid("unexpected object")
    return rebuild(data)


def _decode_tuple(data: dict) -> tuple:
    if not isinstance(data["tuple"], list):
        raise CacheInvalid("unexpected object")
    return tuple(decode(v) for v in data["tuple"])


def _decode_dict(data: dict) -> dict:
    if not isinstance(data["dict"], dict):
        raise CacheInvalid("unexpected object")
    return {k: decode(v) for k, v in data["dict"].items()}


def _decode_object(data: dict) -> Any:
    if data["class"] not in _CLASSES or not isinstance(data["fields"], dict):
        raise CacheInvalid("unexpected object")
    cls = _CLASSES[data["class"]]
    names, checks = _layout(cls)
    if data["fields"].keys() != names:
        raise CacheInvalid(f"{cls.__name__}: fields differ")
    values = {}
    for name, raw in data["fields"].items():
        value = decode(raw)
        if not checks[name](value):
            raise CacheInvalid(f"{cls.__name__}.{name}: wrong type")
        values[name] = value
    return cls(**values, **{name: make() for name, make in _NOT_STORED.get(cls.__name__, {}).items()})


_TAGGED: dict[frozenset, Callable[[dict], Any]] = {
    frozenset({"tuple"}): _decode_tuple,
    frozenset({"dict"}): _decode_dict,
    frozenset({"class", "fields"}): _decode_object,
}


@functools.cache
def _layout(cls: type) -> tuple[frozenset, dict[str, Callable[[Any], bool]]]:
    """A cached class's stored field names, and a type check per field built from its annotation."""
    skip = _NOT_STORED.get(cls.__name__, {})
    hints = typing.get_type_hints(cls)
    names = frozenset(f.name for f in dataclasses.fields(cls) if f.name not in skip)
    return names, {name: _checker(hints[name]) for name in names}


_Check = Callable[[Any], bool]
# The plain types the pack classes use, and how a value of each is recognised (bool is not an int here).
_SIMPLE: dict[Any, _Check] = {
    Any: lambda v: True,
    type(None): lambda v: v is None,
    bool: lambda v: isinstance(v, bool),
    int: lambda v: isinstance(v, int) and not isinstance(v, bool),
    float: lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}


def _union(args: tuple) -> _Check:
    alternatives = tuple(_checker(a) for a in args)
    return lambda v: any(c(v) for c in alternatives)


def _dict(args: tuple) -> _Check:
    key, val = _checker(args[0]), _checker(args[1])
    return lambda v: isinstance(v, dict) and all(key(k) and val(x) for k, x in v.items())


def _list(args: tuple) -> _Check:
    item = _checker(args[0])
    return lambda v: isinstance(v, list) and all(item(x) for x in v)


def _tuple(args: tuple) -> _Check:
    if len(args) == 2 and args[1] is Ellipsis:
        item = _checker(args[0])
        return lambda v: isinstance(v, tuple) and all(item(x) for x in v)
    items = tuple(_checker(a) for a in args)
    return lambda v: isinstance(v, tuple) and len(v) == len(items) and all(
        c(x) for c, x in zip(items, v, strict=True))


_GENERIC: dict[Any, Callable[[tuple], _Check]] = {
    typing.Union: _union, types.UnionType: _union, dict: _dict, list: _list, tuple: _tuple,
}


@functools.cache
def _checker(hint: Any) -> _Check:
    """A function telling whether a value has the type ``hint`` declares (the subset the pack classes use)."""
    simple = _SIMPLE.get(hint)
    if simple is not None:
        return simple
    origin = typing.get_origin(hint)
    if origin is None:  # str, a bare dict/list/tuple, or a cached dataclass
        return lambda v: isinstance(v, hint)
    build = _GENERIC.get(origin)
    if build is None:
        raise TypeError(f"no type check for {hint!r}")  # a new annotation in a pack class: extend this table
    return build(typing.get_args(hint))


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


def _entry(folder: Path, pack_id: str, key: str) -> Path:
    return folder / f"{pack_id}-{key}.json"


# never follow a link, never block on a FIFO, never leak the descriptor (flags missing on a platform are 0)
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def read_entry(path: Path, pack_id: str, key: str, root: Path) -> Pack:
    """Load one entry; ``CacheInvalid`` (or ``OSError``) when it is missing, foreign, corrupt or stale."""
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
    if not isinstance(doc, dict) or set(doc) != {"format", "key", "pack"}:
        raise CacheInvalid("not a pack cache entry")
    if doc["format"] != FORMAT or doc["key"] != key:
        raise CacheInvalid("another format or key")
    try:
        pack = decode(doc["pack"])
    except RecursionError:
        raise CacheInvalid("nested too deeply") from None
    if not isinstance(pack, Pack) or pack.id != pack_id:
        raise CacheInvalid("another pack")
    pack.folder = root
    return pack


def write_entry(folder: Path, pack: Pack, key: str) -> Path:
    """Write one entry atomically (0600); remove this pack's other entries and any legacy pickle."""
    data = json.dumps({"format": FORMAT, "key": key, "pack": encode(pack)}, ensure_ascii=False,
                      separators=(",", ":"), allow_nan=False).encode("utf-8")
    target = _entry(folder, pack.id, key)
    atomic_write(target, data, private=True)  # 0600
    for old in folder.iterdir():  # stale entries of this pack (older keys) and pickles of older versions
        m = _ENTRY_RE.match(old.name)
        if m and m["pack"] == pack.id and old.name != target.name:
            try:
                old.unlink()
            except OSError:
                pass
    return target


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
