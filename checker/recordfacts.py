"""The facts of records kept as they are (``checker.facts._Normaliser.records``): whole, or with only a lean
kind's fields, and their sources' places and stable keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .conditions import RESERVED
from .ids import RowKeys

_RESERVED = frozenset(RESERVED)
RENAMED = frozenset("f_" + name for name in RESERVED)


def places(indexes: list[int], pointer: str, positions: Callable[[list[int]], list[int]] | None) -> list:
    """Each record's place (by its index in its array): its position in its table (``positions``), else its pointer."""
    return positions(indexes) if positions is not None else [f"{pointer}/{i}" for i in indexes]


def stables(lazy: RowKeys | None, prefix: str, keys: list[str]) -> Any:
    """The records' stable keys: ``lazy`` (shared) when set, else each record's, by position."""
    return lazy or [f"{prefix}[{k}]" for k in keys]


def whole_fact(kind: str, item: dict, doc_id: str, parent_id: str) -> dict:
    """The fact of a record kept as it is, with every field (a reserved one named ``f_<name>``)."""
    named = item if _RESERVED.isdisjoint(item) else {("f_" + k if k in _RESERVED else k): v for k, v in item.items()}
    return {"kind": kind, **named, "_doc": doc_id, "_parent": parent_id}


def lean_fact(kind: str, item: dict, lean: frozenset[str], doc_id: str, parent_id: str) -> dict:
    """The fact of a record kept as it is, with only the fields ``lean`` names (in the record's order)."""
    fact = {"kind": kind}
    if _RESERVED.isdisjoint(item):
        fact.update([(k, v) for k, v in item.items() if k in lean])
    else:
        fact.update([(n, v) for k, v in item.items() if (n := "f_" + k if k in _RESERVED else k) in lean])
    if "_doc" in lean:
        fact["_doc"] = doc_id
    if "_parent" in lean:
        fact["_parent"] = parent_id
    return fact
