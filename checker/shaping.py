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
from .hardening import _is_tautology as is_tautology
from .packmodel import BUNDLE_KIND
from .valueclass import CLASS, class_spec, merged_class, spec_path, usable_constant

_ALIAS = re.compile(r"^(b|s|e|p[0-9]+)$")


@dataclass
class Shaped:
    definition: dict
    shadows: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # name -> (kind, fields)
    reads: tuple[str, ...] = ()  # kinds read fact by fact, a negated one marked "!"
    filters: dict[str, list] = field(default_factory=dict)  # kind as fed -> per pattern (field, kind, field) | None
    fields: dict[str, set[str]] = field(default_factory=dict)  # kind read fact by fact -> paths read (projection)
    keys: dict[str, frozenset[str]] = field(default_factory=dict)  # kind read twice -> fields it may be split by
    groups: set[str] = field(default_factory=set)  # shadow kinds of the subject: each stands for its group


def kind_of(expr) -> str | None:
    """The kind a pattern tests first (every compiled pattern starts with it)."""
    if isinstance(expr, dict) and isinstance(expr.get("kind"), str):
        return expr["kind"]
    first = expr.get("$and", [None])[0] if isinstance(expr, dict) else None
    return first.get("kind") if isinstance(first, dict) and isinstance(first.get("kind"), str) else None


PRESENCE, VALUE = "?", "="  # how a pattern reads a field: whether it is given, or its value


def paths_read(expr, out: dict[str, str]) -> dict[str, str]:
    """Every field path of its own fact a pattern may read, with how: ``$ex`` / ``$nex`` read only
    whether a field is given (PRESENCE); every other key that is not an operator, at any depth, and
    every same-fact reference ``{"$m": path}`` read its value (VALUE).  An over-estimate is safe: alias
    names of references to other facts are counted too."""
    if isinstance(expr, dict):
        for key, value in expr.items():
            if key in ("$ex", "$nex") and isinstance(value, dict):
                for path in value:
                    out.setdefault(path, PRESENCE)
                continue
            if not key.startswith("$"):
                out[key] = VALUE
            elif key == "$m" and isinstance(value, str):
                out[value] = VALUE
            paths_read(value, out)
    elif isinstance(expr, list):
        for item in expr:
            paths_read(item, out)
    return out


def references(expr, out: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The fields of other facts a pattern reads: (alias, path) of every ``{alias: path}``."""
    if isinstance(expr, dict):
        if len(expr) == 1:
            key, value = next(iter(expr.items()))
            if _ALIAS.match(key) and isinstance(value, str):
                out.append((key, value))
                return out
        for value in expr.values():
            references(value, out)
    elif isinstance(expr, list):
        for item in expr:
            references(item, out)
    return out


def projection(paths: dict[str, str]) -> tuple[str, ...]:
    """The paths as a feed projects them (``checker.feed.project``): sorted, each ``=path``, ``?path`` or a class
    spec (``checker.valueclass``: how holds it whole), without those a value path above already covers."""
    values = [p for p, how in paths.items() if how != PRESENCE]

    def covered(path: str) -> bool:
        return any(path == v or path.startswith(v + ".") for v in values if v != path)

    out = {how if how[0] == CLASS else how + path for path, how in paths.items()
           if path not in ("id", "kind") and not covered(path)}
    return tuple(sorted(out))


def merge_projections(specs) -> tuple[str, ...]:
    """One projection reading everything the given ones read: a value read wins over a class read, which wins
    over a presence read; two class reads of a path merge (``merged_class``)."""
    paths: dict[str, str] = {}
    for spec in specs:
        path, held = spec_path(spec), paths.get(spec_path(spec))
        how = spec if spec[0] == CLASS else spec[0]
        if held is None or held == PRESENCE or (held[0] == CLASS and how == VALUE):
            paths[path] = how
        elif held[0] == CLASS and how[0] == CLASS:
            paths[path] = merged_class(held, how)
    return projection(paths)


def _existence_only(alias: str, outcome: str) -> bool:
    """A pattern whose fact's identity is never evidence: negated, or a partner in a pass branch."""
    return alias.endswith("$not") or (outcome == "pass" and alias.startswith("p"))


def _can_shadow(i: int, patterns: list[tuple[str, dict]], kinds: list[str | None], outcome: str) -> bool:
    """Whether pattern ``i`` may read shadow facts.  Two patterns never hold the same fact, and a shadow
    could stand for a fact another pattern holds: a negated pattern is shadowed only when no positive
    pattern of the engine rule reads its kind; a positive one only when it alone reads its kind.  The
    subject is shadowed too (as a group: ``subject_group``), unless it is the bundle fact."""
    alias, kind = patterns[i][0], kinds[i]
    if kind is None or kind in (END_KIND, BUNDLE_KIND):
        return False
    if not _existence_only(alias, outcome) and alias != "s":
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


def _needs(patterns: list[tuple[str, dict]]) -> dict[str, dict[str, str]]:
    """Per alias the paths of its fact the engine rule reads: its own pattern's, and those other
    patterns refer to."""
    needs = {alias: paths_read(expr, {}) for alias, expr in patterns}
    referred = set()
    for _, expr in patterns:
        for alias, path in references(expr, []):
            referred.add((alias, path))
            if alias in needs:
                needs[alias][path] = VALUE
    for alias, expr in patterns:  # a field only compared with number constants: read by its class
        for path, how in needs[alias].items():
            if how == VALUE and "." not in path and path not in ("id", "kind") and (alias, path) not in referred:
                constants = constants_compared(expr, path)
                if constants:
                    needs[alias][path] = class_spec(path, constants)
    return needs


def shape_branch(outcome: str, definition: dict) -> Shaped:
    """The engine rule with its existence-only patterns and its subject reading shadow facts, and what
    it reads.  A subject's shadow is a *group*: the subjects whose projections are the same match the
    same way, so the engine's firing for the one given stands for each of them (``Feed.groups``)."""
    patterns = [(alias, expr) for p in definition["all"] for alias, expr in p.items()]
    kinds = [kind_of(expr) for _, expr in patterns]
    shadow = [_can_shadow(i, patterns, kinds, outcome) for i in range(len(patterns))]
    if _reads_subject_id(patterns):  # the subject's own engine id is compared: it cannot stand in a group
        shadow = [sh and alias != "s" for sh, (alias, _) in zip(shadow, patterns, strict=True)]
    needs = _needs(patterns)
    fed = {alias: shadow_kind(kind, projection(needs[alias]), group=alias == "s") if sh else kind
           for (alias, _), kind, sh in zip(patterns, kinds, shadow, strict=True) if kind and kind != END_KIND}
    full = {alias: name for alias, name in fed.items() if not alias.endswith("$not")}
    shaped = Shaped(definition)
    out: list[dict] = []
    reads: list[str] = []
    for (alias, expr), kind, sh in zip(patterns, kinds, shadow, strict=True):
        if kind is None or kind == END_KIND:
            out.append({alias: expr})
            continue
        out.append({alias: _shape_pattern(shaped, reads, alias, expr, kind, sh, fed, full, needs[alias])})
    shaped.definition = {**definition, "all": out}
    shaped.reads = tuple(reads)
    shaped.keys = _self_join_keys(patterns, kinds, shadow, full)
    return shaped


def _reads_subject_id(patterns: list[tuple[str, dict]]) -> bool:
    """Whether a pattern compares a field with the subject's engine id (other than the always-true
    ``$neq`` the hardening adds): a group's shadow has an id of its own."""
    for _, expr in patterns:
        for item in expr.get("$and", [expr]) if isinstance(expr, dict) else []:
            if not is_tautology(item) and ("s", "id") in references(item, []):
                return True
    return False


def _shape_pattern(shaped: Shaped, reads: list[str], alias: str, expr: dict, kind: str, sh: bool,
                   fed: dict[str, str], full: dict[str, str], needs: dict[str, str]) -> dict:
    """One pattern as the engine rule reads it; what it reads recorded in ``shaped`` and ``reads``."""
    name = fed[alias]
    refs = [r for r in _equal_refs(expr, full) if r[1] != name]
    if sh:  # one shadow kind per kind and set of fields read, so each projection stays small
        shaped.shadows[name] = (kind, projection(needs))
        expr = {"$and": [{"kind": name}, *(expr["$and"][1:] if "$and" in expr else [])]}
        if alias == "s":
            shaped.groups.add(name)
        reads.append(("!" if alias.endswith("$not") else "") + name)
    else:
        reads.append(("!" if alias.endswith("$not") else "") + kind)
        shaped.fields.setdefault(kind, set()).update(projection(needs))
    shaped.filters.setdefault(name, []).append(refs[0] if refs else None)
    return expr


def _self_join_keys(patterns: list[tuple[str, dict]], kinds: list[str | None], shadow: list[bool],
                    full: dict[str, str]) -> dict[str, frozenset[str]]:
    """For each kind the engine rule reads fact by fact more than once, with the subject among them:
    the fields every other pattern of that kind equates with the subject's same field.  Facts that
    differ on such a field can never meet in one match, so the kind can be split by its value."""
    out: dict[str, frozenset[str]] = {}
    subject = full.get("s")
    for kind in {k for k, sh in zip(kinds, shadow, strict=True) if k is not None and not sh}:
        mine = [(alias, expr) for (alias, expr), k, sh in zip(patterns, kinds, shadow, strict=True)
                if k == kind and not sh]
        if len(mine) < 2:
            continue
        common: set[str] | None = None
        for alias, expr in mine:
            if alias == "s":
                continue
            same = {f for f, k, g in _equal_refs(expr, {"s": subject} if subject else {}) if k == kind and f == g}
            common = same if common is None else common & same
        out[kind] = frozenset(common or ()) if kind == subject else frozenset()
    return out


_ORDER, _PRESENT, _LOGIC = frozenset({"$gt", "$gte", "$lt", "$lte", "$neq"}), frozenset({"$ex", "$nex"}), \
    frozenset({"$and", "$or"})
_OTHER = "?"  # (below a field or an operator that is not a comparison: the path read otherwise)


def constants_compared(expr, path: str) -> list | None:
    """The number constants a pattern compares the top-level field ``path`` of its own fact with, when it reads
    the field in no other way than by ``$gt``, ``$gte``, ``$lt``, ``$lte``, ``$neq`` or equality with such a
    constant (``checker.valueclass.usable_constant``), or by ``$ex`` / ``$nex``; else None."""
    out: list = []
    return out if _compared(expr, path, None, out) else None


def _compared(expr, path: str, op: str | None, out: list) -> bool:
    if isinstance(expr, list):
        return all(_compared(item, path, None, out) for item in expr)
    if not isinstance(expr, dict):
        return True
    for key, value in expr.items():
        if key == path:
            if op in _PRESENT:
                continue
            if (op is None or op in _ORDER) and usable_constant(value):
                out.append(value)
                continue
            return False
        if key == "$m" and isinstance(value, str) and (value == path or value.startswith(path + ".")):
            return False  # compared with another field of the fact
        inner = None if key in _LOGIC else key if key in _ORDER or key in _PRESENT else _OTHER
        if not _compared(value, path, inner, out):
            return False
    return True
