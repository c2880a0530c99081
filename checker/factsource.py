"""Where a fact came from (``FactSource``): its file, its place, its original values and the values the pack
derived for it (``checker.factbase`` holds one per fact)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .bundle import Document
from .heldcolumns import UNSET, HeldColumns


@dataclass(slots=True)
class FactSource:
    """Where a fact came from, and its original (un-normalised) values for messages."""

    kind: str
    file: str
    at: Any  # the JSON pointer (``pointer``), or the position of a row in its document's CSV table (memory)
    data: Any
    document: Document | None
    stable: Any  # the stable identity (``key``), or a ``checker.ids.LazyKey`` or ``RowKeys`` computing it when read
    # The values the pack derived for this fact (checker.derivations) are read from the fact itself (memory:
    # no second mapping per record): ``names`` (shared by a kind's facts) gives each derived field's engine
    # name in the order they were set; ``shown`` the values as messages show them where that differs.
    # Those the engine does not read stay in the kind's columns (``held``, at the fact's ``row`` in its kind).
    fact: dict | None = None
    names: dict[str, str] | None = None
    shown: dict[str, Any] | None = None
    held: HeldColumns | None = None
    row: int = -1

    @property
    def pointer(self) -> str:
        """The JSON pointer of the fact's evidence in its document (a CSV table's row: ``<records>/<n>``)."""
        at = self.at
        return at if type(at) is str else f"{self.document.content.base}/{at}"  # type: ignore[union-attr]

    @property
    def derived(self) -> dict[str, Any] | None:
        """The values the pack derived for this fact, by field (None when none)."""
        out = {}
        for label in self.names or ():
            value = self.derived_get(label)
            if value is not UNSET:
                out[label] = value
        held = self.held
        if held is not None and held.columns:
            for label in held.columns:
                if label not in out and (value := held.get(label, self.row)) is not UNSET:
                    out[label] = value
        return out or None

    def derived_get(self, label: str) -> Any:
        """One derived value as shown (``UNSET``: not derived for this fact)."""
        names, shown = self.names, self.shown
        if names is None or label not in names:
            held = self.held
            return UNSET if held is None else held.get(label, self.row)
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

    def values(self) -> Any:
        """The original values with the derived ones beside them (a message's ``subject``); evidence unchanged."""
        derived = self.derived
        if not derived or not isinstance(self.data, dict):
            return self.data
        return {**self.data, **derived}
