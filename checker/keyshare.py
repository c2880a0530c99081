"""Key-sharing dicts (CPython): the attribute dicts of one class's instances keep their keys once for the
class, not once per dict - the rows of a CSV table, the facts and the aggregate data of a large kind (a row of
11-16 fields takes ~180-230 bytes instead of ~470).  Each such dict is a plain ``dict`` all the same
(``type(row) is dict``).  A class learns its keys from its first instance's dict, all at once and in order;
a dict that takes a key the class does not know is no longer shared, and no class shares more than
``checker.limits.SHARED_KEYS`` (its callers check)."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import repeat, starmap
from operator import attrgetter


def sharing_class(keys: Iterable[str], name: str) -> type:
    """A new class whose instances' dicts share ``keys``, taught them at once in their order (items, not a dict: a
    dict's keys would be copied)."""
    cls = type(name, (), {})
    cls().__dict__.update(zip(keys, repeat(None)))
    return cls


def instance_dicts(cls: type, count: int) -> list[dict]:
    """The (empty) dicts of ``count`` new instances of ``cls``, made by C loops."""
    return list(map(attrgetter("__dict__"), starmap(cls, repeat((), count))))
