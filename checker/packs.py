"""Rule packs: the public entry point.

``get_pack`` loads a pack once per process through the on-disk cache of linted packs
(``checker.cache``) and refuses a pack that does not lint cleanly; ``load_pack`` loads and lints
without the cache (``rules lint``).  The pack model lives in ``checker.packmodel``, the loader in
``checker.packload``, the linter in ``checker.packlint``; their public names are re-exported here.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from . import cache
from .errors import RuleError
from .packload import available_packs, load_pack
from .packmodel import (
    AGG_PREFIX,
    ANCHORS,
    BREACH_GRADES,
    BUNDLE_KIND,
    DERIVE_OPS,
    TEXT_OPS,
    Aggregate,
    Case,
    CatalogueEntry,
    Derived,
    Pack,
    Rule,
    clause_parent,
    clause_sort_key,
    kind_resolver,
)
from .resources import data_dir
from .ruleformat import TEMPLATE_NAMES

__all__ = ["AGG_PREFIX", "ANCHORS", "BREACH_GRADES", "BUNDLE_KIND", "DERIVE_OPS", "TEMPLATE_NAMES", "TEXT_OPS",
           "Aggregate", "Case", "CatalogueEntry", "Derived", "Pack", "Rule", "available_packs", "clause_parent",
           "clause_sort_key", "get_pack", "kind_resolver", "load_pack"]


@lru_cache(maxsize=16)
def _cached_pack(pack_id: str, rules_dir: str | None) -> Pack:
    """Load a pack once per process, through the on-disk cache of linted packs (``checker.cache``)."""
    folder = Path(rules_dir) if rules_dir else None
    root = (folder or data_dir("rules")) / pack_id
    return cache.load_or_build(pack_id, root, lambda: load_pack(pack_id, folder))


def get_pack(pack_id: str, rules_dir: Path | None = None) -> Pack:
    """Load a pack once per process; raise ``RuleError`` if it does not lint cleanly."""
    pack = _cached_pack(pack_id, str(rules_dir) if rules_dir else None)
    if pack.problems:
        raise RuleError(pack.problems)
    return pack
