"""Shape each compiled engine rule for its feed (``checker.feed``): which patterns read shadow facts,
which fields each pattern reads, which equalities may filter a kind.

Everything here reads the compiled patterns only; nothing depends on what a rule means.  Where a
choice could change a match, the safe side is taken: fields are over-estimated (a field too many
costs a little, a field too few would change a verdict), a pattern is shadowed only where no other
pattern of the engine rule could hold the fact its shadow stands for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .feed import END_KIND, shadow_kind

_ALIAS = re.compile(r"^(b|s|e|p[0-9]+)$")


@dataclass
class Shaped:
    definition: dict
    shadows: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # name -> (kind, fields)
    reads: tuple[str, ...] = ()  # kinds read fact by fact, a negated one marked "!"
    filters: dict[str, list] = field(default_factory=dict)  # kind as fed -> per pattern (field, kind, field) | None
    fields: dict[str, set[str]] = field(default_factory=dict)  # kind read fact by fact -> fields read


def kind_of(expr) -> str | None:
    """The kind a pattern tests first (every compiled pattern starts with it)."""
    if isinstance(expr, dict) and isinstance(expr.get("kind"), str):
        return expr["kind"]
    first = expr.get("$and", [None])[0] if isinstance(expr, dict) else None
    return first.get("kind") if isinstance(first, dict) and isinstance(first.get("kind"), str) else None


def fields_read(expr, out: set[str]) -> set[str]:
    """Every field of its own fact a pattern may read: keys that are not operators, at any depth, and
    same-fact references ``{"$m": field}``; top-level names.  (Alias names of references to other
    facts are counted too: harmless.)"""
    if isinstance(expr, dict):
        for key, value in expr.items():
            if not key.startswith("$"):
                out.add(key.split(".")[0])
            elif key == "$m" and isinstance(value, str):
                out.add(value.split(".")[0])
            fields_read(value, out)
    elif isinstance(expr, list):
        for item in expr:
            fields_read(item, out)
    return out


def references(expr, out: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The fields of other facts a pattern reads: (alias, top-level field) of every ``{alias: field}``."""
    if isinstance(expr, dict):
        if len(expr) == 1:
            key, value = next(iter(expr.items()))
            if _ALIAS.match(key) and isinstance(value, str):
                out.append((key, value.split(".")[0]))
                return out
        for value in expr.values():
            references(value, out)
    elif isinstance(expr, list):
        for item in expr:
            references(item, out)
    return out


def _existence_only(alias: str, outcome: str) -> bool:
    """A pattern whose fact's identity is never evidence: negated, or a partner in a pass branch."""
    return alias.endswith("$not") or (outcome == "pass" and alias.startswith("p"))


def _can_shadow(i: int, patterns: list[tuple[str, dict]], kinds: list[str | None], outcome: str) -> bool:
    """Whether pattern ``i`` may read shadow facts.  Two patterns never hold the same fact, and a shadow
    could stand for a fact another pattern holds: a negated pattern is shadowed only when no positive
    pattern of the engine rule reads its kind; a positive one only when it alone reads its kind."""
    alias, kind = patterns[i][0], kinds[i]
    if kind is None or kind == END_KIND or not _existence_only(alias, outcome):
        return False
    others = [a for j, (a, _) in enumerate(patterns) if j != i and kinds[j] == kind]
    return not others if not alias.endswith("$not") else all(a.endswith("$not") for a in others)


def _equal_refs(expr: dict, full: dict[str, str]) -> list[tuple[str, str, str]]:
    """The pattern's equalities with a field of a pattern read fact by fact: (field, that pattern's
    kind, its field)."""
    out = []
    for item in expr.get("$and", [])[1:] if isinstance(expr, dict) else []:
        if isinstance(item, dict) and len(item) == 1:
            key, value = next(iter(item.items()))
            if not key.startswith("$") and isinstance(value, dict) and len(value) == 1:
                alias, other = next(iter(value.items()))
                if alias in full and isinstance(other, str):
                    out.append((key, full[alias], other))
    return out


def shape_branch(outcome: str, definition: dict) -> Shaped:
    """The engine rule with its existence-only patterns reading shadow facts, and what it reads."""
    patterns = [(alias, expr) for p in definition["all"] for alias, expr in p.items()]
    kinds = [kind_of(expr) for _, expr in patterns]
    shadow = [_can_shadow(i, patterns, kinds, outcome) for i in range(len(patterns))]
    needs = {alias: fields_read(expr, set()) - {"id", "kind"} for alias, expr in patterns}
    for _, expr in patterns:
        for alias, name in references(expr, []):
            if alias in needs:
                needs[alias].add(name)
    full = {alias: kind for (alias, _), kind, sh in zip(patterns, kinds, shadow, strict=True)
            if kind is not None and kind != END_KIND and not sh and not alias.endswith("$not")}
    shaped = Shaped(definition)
    out, reads = [], []
    for (alias, expr), kind, sh in zip(patterns, kinds, shadow, strict=True):
        if kind is None or kind == END_KIND:
            out.append({alias: expr})
            continue
        refs = [r for r in _equal_refs(expr, full) if r[1] != kind]
        fields = tuple(sorted(needs[alias]))
        if sh:  # one shadow kind per kind and set of fields read, so each projection stays small
            name = shadow_kind(kind, fields)
            shaped.shadows[name] = (kind, fields)
            expr = {"$and": [{"kind": name}, *(expr["$and"][1:] if "$and" in expr else [])]}
            kind = name
        else:
            reads.append(("!" if alias.endswith("$not") else "") + kind)
            shaped.fields.setdefault(kind, set()).update(fields)
        shaped.filters.setdefault(kind, []).append(refs[0] if refs else None)
        out.append({alias: expr})
    shaped.definition = {**definition, "all": out}
    shaped.reads = tuple(reads)
    return shaped
