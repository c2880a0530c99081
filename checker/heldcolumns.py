"""The derived values of a kind held as columns while the derive stage runs, and after it those no rule
condition reads (``checker.factbase.FactBase.narrow``): read by position in the kind (``HeldColumns``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

UNSET: Any = object()  # a derived field not set on a fact


class HeldColumns:
    """The derived values of one kind held as columns, not on the facts (memory, time): those no rule
    condition reads (``FactBase.narrow``), by field (the rule-language name): the values by position in
    the kind (``skip``: not derived for that fact) and, where messages show them otherwise, those; a
    column may hold what its values are computed from when read (``Resolve``: where a partner's evidence is)."""

    __slots__ = ("columns",)

    def __init__(self) -> None:
        # label -> (engine name, values, shown, skip, resolve)
        self.columns: dict[str, tuple[str, Any, Any, Any, Resolve | None]] = {}  # (values, shown: list or Coded)

    def get(self, label: str, row: int) -> Any:
        """One held value as shown (``UNSET``: not derived for the fact at ``row``)."""
        column = self.columns.get(label)
        if column is None:
            return UNSET
        _, values, shown, skip, resolve = column
        if row >= len(values) or values[row] is skip:
            return UNSET
        if shown is not None:
            return shown[row]
        return values[row] if resolve is None else resolve[0](values[row])


# a held column's values computed when read: (one value, the values of a list) from what the column holds
Resolve = tuple[Callable[[Any], Any], Callable[[list], list]]


def resolved(values: list, skip: Any, resolve: Resolve | None) -> list:
    """A held column's values as they are read (``skip`` stays), as a list."""
    if resolve is None:
        return values if type(values) is list else list(values)
    positions = [i for i, v in enumerate(values) if v is not skip]
    out = list(values)
    for i, value in zip(positions, resolve[1]([values[i] for i in positions]), strict=True):
        out[i] = value
    return out


DROP: Any = object()  # a derived value shown as itself (``ShownSteps``)
SHARED_SHOWN = 4096


class ShownSteps:
    """The values a fact's messages show otherwise than its derived values (``FactSource.shown``), shared: a
    fact that had ``before`` once ``label`` is shown as ``shown`` (``DROP``: as its value) has the mapping this
    gives.  The mappings are never changed once made: facts that had one mapping and show the same object share
    the next one (memory: a date every row shows as text), up to ``SHARED_SHOWN`` steps."""

    __slots__ = ("keep", "steps")

    def __init__(self) -> None:
        self.steps: dict[tuple, dict[str, Any] | None] = {}
        self.keep: list[tuple] = []

    def __call__(self, before: dict[str, Any] | None, label: str, shown: Any) -> dict[str, Any] | None:
        if shown is DROP and not (before and label in before):
            return before
        if before is not None and shown is not DROP and before.get(label, DROP) is shown:
            return before
        step = (id(before), label, id(shown))
        after = self.steps.get(step, DROP)
        if after is DROP:
            if shown is DROP:
                after = {k: v for k, v in (before or {}).items() if k != label} or None
            else:
                after = {**(before or {}), label: shown}
            if len(self.steps) < SHARED_SHOWN:
                self.steps[step] = after
                self.keep.append((before, shown, after))  # kept alive: their ids are in the key
        return after
