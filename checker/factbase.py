"""The fact base: the facts given to the engine, by kind, and the way back from each fact to the
evidence it was built from (file, JSON pointer, original values).  ``checker.facts`` fills it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .bundle import Document


@dataclass(slots=True)
class FactSource:
    """Where a fact came from, and its original (un-normalised) values for messages."""

    kind: str
    file: str
    pointer: str
    data: Any
    document: Document | None
    stable: Any  # the stable identity (``key``), or a ``checker.ids.LazyKey`` computing it when first read
    derived: dict[str, Any] | None = None  # values the pack derived for this fact (checker.derivations), by field

    @property
    def key(self) -> str:
        """Stable identity, independent of file names and order (checker.ids): kind/records[id] or agg:name:key."""
        stable = self.stable
        if type(stable) is not str:
            stable = self.stable = stable.resolve()
        return stable

    @key.setter
    def key(self, value: Any) -> None:
        self.stable = value

    def values(self) -> Any:
        """The original values with the derived ones beside them (what a message template sees as
        ``subject``); the evidence itself is never changed."""
        if not self.derived or not isinstance(self.data, dict):
            return self.data
        return {**self.data, **self.derived}


@dataclass
class FactBase:
    facts: list[dict] = field(default_factory=list)
    sources: dict[str, FactSource] = field(default_factory=dict)
    by_kind: dict[str, list[str]] = field(default_factory=dict)
    bundle_id: str | None = None

    def add(self, fact: dict, source: FactSource) -> str:
        fid = str(len(self.facts) + 1)
        fact["id"] = fid
        self.facts.append(fact)
        self.sources[fid] = source
        self.by_kind.setdefault(fact["kind"], []).append(fid)
        return fid

    def of_kind(self, kind: str) -> list[str]:
        return self.by_kind.get(kind, [])

    def set_derived(self, fact: dict, name: str, value: Any, shown: Any = None) -> None:
        """Set a derived value on a fact (``name`` is the engine's field name) and note it, as ``shown``
        (default: the value), for the fact's messages under the rule-language name."""
        fact[name] = value
        src = self.sources[fact["id"]]
        if src.derived is None:
            src.derived = {}
        src.derived[name[2:] if name.startswith("f_") else name] = value if shown is None else shown

    def set_derived_column(self, facts: list[dict], name: str, values: list, skip: Any,
                           shown: list | None = None, sources: list[FactSource] | None = None) -> None:
        """``set_derived`` on each fact whose value (same position in ``values``) is not ``skip``;
        ``shown``: the values as the messages show them, by position (default: the values);
        ``sources``: the facts' sources, by position (default: looked up)."""
        label = name[2:] if name.startswith("f_") else name
        if sources is None:
            sources = [self.sources[fact["id"]] for fact in facts]
        for fact, src, value, show in zip(facts, sources, values, values if shown is None else shown, strict=True):
            if value is skip:
                continue
            fact[name] = value
            derived = src.derived
            if derived is None:
                derived = src.derived = {}
            derived[label] = show
