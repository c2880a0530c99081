"""The pack cache's encoding (``checker.cache``): Python values <-> JSON, tagged so that tuples, sets,
dicts and the listed dataclasses round-trip exactly, and checked on the way back.

Decoding rebuilds only the classes in ``_CLASSES`` and checks every field against its type annotation;
anything else raises ``CacheInvalid``, so a planted or corrupt entry can never run code: at worst it is
ignored and rebuilt.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .compiler import Branch, CompiledPack, CompiledRuleset
from .feed import Feed
from .packmodel import Aggregate, Case, CatalogueEntry, Derived, Pack, Rule

_CLASSES: dict[str, type] = {c.__name__: c for c in (Pack, Rule, Case, CatalogueEntry, Aggregate, Derived,
                                                      CompiledPack, CompiledRuleset, Branch, Feed)}
# Fields not written, with the value they get on load: the pack's folder (set by the caller to where
# the pack was found) and its lint problems (only packs without problems are cached); a compiled pack's
# pack (the linted pack it was compiled from, given by the caller).
_NOT_STORED: dict[str, dict[str, Callable[[], Any]]] = {"Pack": {"folder": lambda: Path("."), "problems": list},
                                                        "CompiledPack": {"pack": lambda: None}}
# A pack's entry (``<pack>-<key>.json``) and what it compiles to (``<pack>-<key>.compiled.json``).

class CacheInvalid(Exception):
    """A cache entry that is not a valid linted pack of the expected key: ignore it."""


def _scalar(value: Any) -> bool:
    """Whether ``value`` is stored as it is (null, a boolean, a number, a text); a non-finite number is refused."""
    if value is None or isinstance(value, (bool, int, str)):
        return True
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CacheInvalid("non-finite number")
        return True
    return False


def encode(value: Any) -> Any:
    if _scalar(value):
        return value
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, (tuple, set, frozenset, dict)):
        return _encode_container(value)
    name = type(value).__name__
    if _CLASSES.get(name) is type(value) and dataclasses.is_dataclass(value):
        skip = _NOT_STORED.get(name, {})
        return {"class": name, "fields": {f.name: encode(getattr(value, f.name))
                                          for f in dataclasses.fields(value) if f.name not in skip}}
    raise CacheInvalid(f"cannot cache a {type(value).__name__}")


def _encode_container(value: tuple | set | frozenset | dict) -> dict:
    """A tuple, set or mapping as a tagged object (see ``decode``)."""
    if isinstance(value, tuple):
        return {"tuple": [encode(v) for v in value]}
    if isinstance(value, (set, frozenset)):  # written in a fixed order: the same pack, the same bytes
        tag = "frozenset" if isinstance(value, frozenset) else "set"
        return {tag: sorted((encode(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))}
    if not all(isinstance(k, str) for k in value):
        raise CacheInvalid("a mapping with keys that are not text")
    if _plain(value):  # JSON text alone gives it back exactly (an engine ruleset's definition)
        return {"json": json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)}
    return {"dict": {k: encode(v) for k, v in value.items()}}


def _plain(value: Any) -> bool:
    """Whether ``value`` is made of JSON's own types only (mappings with text keys, lists, text, finite
    numbers, booleans, null): what ``json.loads`` gives back equal, with no tag."""
    if value is None or type(value) in (bool, int, str):
        return True
    if type(value) is float:
        return math.isfinite(value)
    if type(value) is list:
        return all(_plain(v) for v in value)
    if type(value) is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    return False


def _no_constant(name: str) -> Any:
    raise CacheInvalid(f"non-finite number {name}")


def _decode_plain(data: dict) -> dict:
    """A mapping written with the ``json`` tag, as JSON text: parsed, it is made of JSON's own types
    (NaN and infinities refused), so it is data as it stands; it must be a mapping."""
    text = data["json"]
    if not isinstance(text, str):
        raise CacheInvalid("unexpected object")
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise CacheInvalid("unexpected object") from None
    if not isinstance(value, dict):
        raise CacheInvalid("unexpected object")
    return value


def decode(data: Any) -> Any:
    """Rebuild a value written by ``encode``; raise ``CacheInvalid`` on anything else."""
    if _scalar(data):
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


def _decode_set(data: dict) -> set | frozenset:
    [(tag, items)] = data.items()
    if not isinstance(items, list):
        raise CacheInvalid("unexpected object")
    try:
        values = [decode(v) for v in items]
        return frozenset(values) if tag == "frozenset" else set(values)
    except TypeError:  # an item that cannot be a set's (a list or a dict)
        raise CacheInvalid("unexpected set item") from None


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
    frozenset({"json"}): _decode_plain,
    frozenset({"set"}): _decode_set,
    frozenset({"frozenset"}): _decode_set,
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


def _set(kind: Any) -> Callable[[tuple], _Check]:
    def build(args: tuple) -> _Check:
        item = _checker(args[0])
        return lambda v: isinstance(v, kind) and all(item(x) for x in v)
    return build


def _tuple(args: tuple) -> _Check:
    if len(args) == 2 and args[1] is Ellipsis:
        item = _checker(args[0])
        return lambda v: isinstance(v, tuple) and all(item(x) for x in v)
    items = tuple(_checker(a) for a in args)
    return lambda v: isinstance(v, tuple) and len(v) == len(items) and all(
        c(x) for c, x in zip(items, v, strict=True))


_GENERIC: dict[Any, Callable[[tuple], _Check]] = {
    typing.Union: _union, types.UnionType: _union, dict: _dict, list: _list, tuple: _tuple,
    set: _set(set), frozenset: _set(frozenset),
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
