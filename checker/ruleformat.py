"""What a rule file may leave out, and the names its message templates use.

Pure functions over a rule as written (the mapping read from YAML), shared by the pack loader
(``checker.packs``) and the rule-format lint (``checker.stylelint``):

* ``derived_reads``: the evidence documents a rule reads, computed from ``for_each``, the joins of
  ``expect`` (``exists`` / ``not_exists``) and the aggregates it counts — what ``reads:`` used to
  say by hand.  A pass or not-applicable resting on one of these documents when the bundle does not
  hold it is "not evaluated" (``checker.verdicts``).
* ``DEFAULTS``: keys whose value is the default and so is left out.
* ``TEMPLATE_NAMES`` / ``RENAMED``: the names a message template can use, and the one-letter names
  they replaced.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

BUNDLE_KIND = "bundle"
AGG_PREFIX = "agg."
JOIN_KEYS = ("exists", "not_exists")

# Message templates: the subject's values, the bundle manifest, the join partners' values (a list),
# the rule (id, clause) and the number of subjects.
TEMPLATE_NAMES = frozenset({"subject", "bundle", "partners", "rule", "count"})
RENAMED = {"s": "subject", "b": "bundle", "p": "partners"}


def template_hint(unknown: list[str]) -> str:
    """How to fix unknown template names: the new name of a renamed one, else the names available."""
    renamed = [n for n in unknown if n in RENAMED]
    if renamed:
        return "rename " + ", ".join(f"{n} to {RENAMED[n]}" for n in renamed) + " (e.g. {{ subject.title }})"
    return "available: " + ", ".join(sorted(TEMPLATE_NAMES))


def _join_kinds(cond: Any) -> list[str]:
    """Kinds joined by ``exists`` / ``not_exists`` at the top of a condition or inside its ``all``
    (the only places a join may stand), in the order written."""
    if not isinstance(cond, dict):
        return []
    if isinstance(cond.get("all"), list):
        return [k for c in cond["all"] for k in _join_kinds(c)]
    for j in JOIN_KEYS:
        if isinstance(cond.get(j), dict) and isinstance(cond[j].get("kind"), str):
            return [cond[j]["kind"]]
    return []


def document_of(kind: str, aggregates: Mapping[str, Any]) -> str | None:
    """The document kind behind a fact kind: ``internal_audit.audits`` → ``internal_audit``; an
    aggregate → the document it counts (``aggregates`` maps a name to an object with ``of``, or to
    its ``pack.yaml`` mapping); the bundle manifest → None (always present)."""
    if kind.startswith(AGG_PREFIX):
        agg = aggregates.get(kind[len(AGG_PREFIX):])
        if agg is None:
            return None
        of = agg.get("of") if isinstance(agg, Mapping) else getattr(agg, "of", None)
        return of.split(".")[0] if isinstance(of, str) else None
    root = kind.split(".")[0]
    return None if root == BUNDLE_KIND else root


def derived_reads(raw: Mapping[str, Any], aggregates: Mapping[str, Any]) -> tuple[str, ...]:
    """The documents a rule reads: its subject's, then those of its joins, each once, in that order."""
    kinds = [raw.get("for_each"), *_join_kinds(raw.get("expect"))]
    out: list[str] = []
    for k in kinds:
        doc = document_of(k, aggregates) if isinstance(k, str) else None
        if doc and doc not in out:
            out.append(doc)
    return tuple(out)


# Keys left out when they hold their default: (where in a rule, key, default value).  A case's
# expected status defaults to what the rule's grade and the case's ``breach`` imply (see
# ``checker.cases``) and is handled apart.
DEFAULTS: tuple[tuple[str, str, Any], ...] = (
    ("rule", "on_pass", "conform"),
    ("rule", "source", "full text"),
    ("rule", "when_none", {"status": "breach"}),
    ("case", "breach", False),
    ("case", "fixture", "base"),
)


def default_case_status(rule: Mapping[str, Any], case: Mapping[str, Any]) -> str:
    """The status a case expects when it does not say (as ``checker.cases`` computes it)."""
    if case.get("breach", False):
        return "observation" if rule.get("grade") == "observation" else "nonconformity"
    return "onsite" if rule.get("on_pass") == "onsite" else "conform"
