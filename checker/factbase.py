"""The fact base: the facts given to the engine, by kind, and the way back from each fact to the
evidence it was built from (file, JSON pointer, original values).  ``checker.facts`` fills it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .bundle import Document

UNSET: Any = object()  # a derived field not set on a fact


@dataclass(slots=True)
class FactSource:
    """Where a fact came from, and its original (un-normalised) values for messages."""

    kind: str
    file: str
    pointer: str
    data: Any
    document: Document | None
    stable: Any  # the stable identity (``key``), or a ``checker.ids.LazyKey`` or ``RowKeys`` computing it when read
    # The values the pack derived for this fact (checker.derivations) are read from the fact itself (memory:
    # no second mapping per record): ``names`` (shared by a kind's facts) gives each derived field's engine
    # name in the order they were set; ``shown`` the values as messages show them where that differs.
    fact: dict | None = None
    names: dict[str, str] | None = None
    shown: dict[str, Any] | None = None

    @property
    def derived(self) -> dict[str, Any] | None:
        """The values the pack derived for this fact, by field (None when none)."""
        if not self.names:
            return None
        out = {}
        for label in self.names:
            value = self.derived_get(label)
            if value is not UNSET:
                out[label] = value
        return out or None

    def derived_get(self, label: str) -> Any:
        """One derived value as shown (``UNSET``: not derived for this fact)."""
        names, shown = self.names, self.shown
        if names is None or label not in names:
            return UNSET
        if shown and label in shown:
            return shown[label]
        fact = self.fact
        return UNSET if fact is None else fact.get(names[label], UNSET)

    @property
    def key(self) -> str:
        """Stable identity, independent of file names and order (checker.ids): kind/records[id] or agg:name:key."""
        stable = self.stable
        if type(stable) is not str:
            stable = self.stable = stable.resolve(self)
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
    _name_steps: dict[tuple, dict[str, str]] = field(default_factory=dict, repr=False)  # (``_names``)
    _name_keep: list[dict[str, str]] = field(default_factory=list, repr=False)
    _shown_steps: dict[tuple, dict[str, Any] | None] = field(default_factory=dict, repr=False)  # (``_shown_after``)
    _shown_keep: list[tuple] = field(default_factory=list, repr=False)

    def add(self, fact: dict, source: FactSource) -> str:
        fid = str(len(self.facts) + 1)
        fact["id"] = fid
        self.facts.append(fact)
        source.fact = fact
        self.sources[fid] = source
        self.by_kind.setdefault(fact["kind"], []).append(fid)
        return fid

    def narrow(self, read: dict[str, frozenset[str] | None], whole: Iterable[str] = ()) -> None:
        """Drop from each fact the fields nothing reads once the facts are built (memory): a fact keeps its
        id and kind, the fields ``read`` names for its kind (``checker.projection.fields_read``: what the
        engine may be given) and its derived values (messages and sections show them); a kind read whole
        (None in ``read``, or in ``whole``) keeps every field.  Messages and reports read the evidence
        (``FactSource.data``), which is untouched."""
        intact = set(whole) | {kind for kind, fields in read.items() if fields is None}
        plans: dict[tuple[str, int], frozenset[str]] = {}  # (kind, id of the derived names) -> fields kept
        for i, fact in enumerate(self.facts):
            kind = fact["kind"]
            if kind in intact:
                continue
            src = self.sources[fact["id"]]
            keep = plans.get((kind, id(src.names)))
            if keep is None:  # (derived names are shared and kept alive: ``_names``)
                keep = (read.get(kind) or frozenset()) | {"id", "kind"} | set((src.names or {}).values())
                plans[(kind, id(src.names))] = keep
            if keep.issuperset(fact):
                continue
            self.facts[i] = src.fact = {k: v for k, v in fact.items() if k in keep}

    def of_kind(self, kind: str) -> list[str]:
        return self.by_kind.get(kind, [])

    def _names(self, names: dict[str, str] | None, name: str) -> tuple[dict[str, str], str]:
        """The derived names of a fact that had ``names`` once ``name`` is set on it, and its label: one
        shared mapping per sequence of names set (most facts of a kind share one)."""
        label = name[2:] if name.startswith("f_") else name
        if names is not None and names.get(label) == name:
            return names, label
        step = (id(names), label, name)
        after = self._name_steps.get(step)
        if after is None:
            after = self._name_steps[step] = {**(names or {}), label: name}
            self._name_keep.append(after)  # kept alive: its id is part of the next steps' keys
        return after, label

    def set_derived(self, fact: dict, name: str, value: Any, shown: Any = None) -> None:
        """Set a derived value on a fact (``name`` is the engine's field name) and note it, as ``shown``
        (default: the value), for the fact's messages under the rule-language name."""
        fact[name] = value
        src = self.sources[fact["id"]]
        src.names, label = self._names(src.names, name)
        self._show(src, label, value, value if shown is None else shown)

    def set_derived_column(self, facts: list[dict], name: str, values: list, skip: Any,
                           shown: list | None = None, sources: list[FactSource] | None = None) -> None:
        """``set_derived`` on each fact whose value (same position in ``values``) is not ``skip``;
        ``shown``: the values as the messages show them, by position (default: the values);
        ``sources``: the facts' sources, by position (default: looked up)."""
        if shown is None and values.count(skip) == len(values):
            return  # nothing to set (a unit problem column where every unit is known)
        if sources is None:
            sources = [self.sources[fact["id"]] for fact in facts]
        label = name[2:] if name.startswith("f_") else name
        steps: dict[int, dict[str, str]] = {}  # id of a fact's names before -> after (``_names``, once each)
        last: Any = UNSET
        after: dict[str, str] = {}
        for fact, src, value, show in zip(facts, sources, values, values if shown is None else shown, strict=True):
            if value is skip:
                continue
            fact[name] = value
            if src.names is not last:  # most neighbours had the same fields derived
                last = src.names
                if id(last) not in steps:
                    steps[id(last)] = self._names(last, name)[0]
                after = steps[id(last)]
            src.names = after
            if show is not value or (src.shown and label in src.shown):
                self._show(src, label, value, show)

    def _show(self, src: FactSource, label: str, value: Any, shown: Any) -> None:
        """Note how a derived value is shown where that is not the fact's own value."""
        src.shown = self._shown_after(src.shown, label, _DROP if shown is value else shown)

    def _shown_after(self, before: dict[str, Any] | None, label: str, shown: Any) -> dict[str, Any] | None:
        """The values shown otherwise of a fact that had ``before`` once ``label`` is shown as ``shown``
        (``_DROP``: as its value).  The mappings are never changed once made: facts that had one mapping
        and show the same object share the next one (memory: a date every row shows as text), up to
        ``SHARED_SHOWN`` steps."""
        if shown is _DROP and not (before and label in before):
            return before
        if before is not None and shown is not _DROP and before.get(label, _DROP) is shown:
            return before
        step = (id(before), label, id(shown))
        after = self._shown_steps.get(step, _DROP)
        if after is _DROP:
            if shown is _DROP:
                after = {k: v for k, v in (before or {}).items() if k != label} or None
            else:
                after = {**(before or {}), label: shown}
            if len(self._shown_steps) < SHARED_SHOWN:
                self._shown_steps[step] = after
                self._shown_keep.append((before, shown, after))  # kept alive: their ids are in the key
        return after


_DROP: Any = object()  # a derived value shown as itself (``FactBase._shown_after``)
SHARED_SHOWN = 4096
