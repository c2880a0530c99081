""""Valid or not" of a large document by jsonschema-rs, its long arrays a slice at a time.

jsonschema-rs keeps memory after validating one long array: ~64 MB mapped (49 MB resident) stayed
with the process after a 180,000-row table was validated, and a second table of the same length added
18 MB more (measured with glibc's ``mallinfo2`` and ``/proc/self/statm``).  Given the same table in
slices of ``SLICE`` rows, 4 MB stayed.  So a top-level array longer than ``SLICE`` whose schema says
nothing about the array as a whole (only its items' schema, its type and ``minItems``; nor does the document's
schema beside its ``properties``: no ``allOf``, ``if``, constraining ``patternProperties`` …) is validated a
slice at a time, the rest of the document with each slice (other long arrays cut to one slice): the
answer is the same, since each item is valid or not on its own and every slice but a short last one
(merged into the one before it) holds at least ``minItems`` items.  Anything else is validated whole.
"""

from __future__ import annotations

from typing import Any

from .attachments import BUNDLE_FILES

SLICE = 10_000  # rows a slice
_OF_ITEMS = frozenset({"type", "items", "minItems", "title", "description"})  # keywords that judge items only
# keywords of the document's schema that do not judge a property's value beyond its ``properties`` node (any other,
# ``allOf``, ``if``, ``dependentSchemas``, ``patternProperties`` that constrain … could judge the array as a whole)
_OF_DOCUMENT = frozenset({"type", "properties", "required", "additionalProperties", "title", "description",
                          "$schema", "$id", "$defs", "definitions", "$comment"})


def is_valid(validator: Any, schema: dict, data: Any, files: tuple[frozenset, frozenset, frozenset]) -> bool:
    """``validator.is_valid(data)``, long arrays a slice at a time (see the module); ``files``: the bundle's
    files the ``x-attachment`` keyword reads (``checker.attachments.BUNDLE_FILES``)."""
    token = BUNDLE_FILES.set(files)
    try:
        return _valid(validator, schema, data)
    finally:
        BUNDLE_FILES.reset(token)


def _valid(validator: Any, schema: dict, data: Any) -> bool:
    long = _sliced(schema, data)
    if not long:
        return bool(validator.is_valid(data))
    for name in long:
        items = data[name]
        for start, stop in _slices(len(items)):
            if not validator.is_valid({**data, **{other: data[other][:SLICE] for other in long if other != name},
                                       name: items[start:stop]}):
                return False
    return True


def _sliced(schema: dict, data: Any) -> list[str]:
    """The top-level arrays of ``data`` validated a slice at a time (none when ``data`` is no mapping)."""
    if type(data) is not dict:
        return []
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not all(map(_of_document, schema.items())):
        return []
    out = []
    for name, value in data.items():
        node = properties.get(name)
        if type(value) is list and len(value) > SLICE and isinstance(node, dict) and node.get("type") == "array" \
                and isinstance(node.get("items", {}), dict) \
                and all(k in _OF_ITEMS or k.startswith("x-") for k in node) \
                and isinstance(node.get("minItems", 0), int) and node.get("minItems", 0) <= SLICE:
            out.append(name)
    return out


def _of_document(entry: tuple[str, Any]) -> bool:
    """Whether a keyword of the document's schema leaves its properties to their ``properties`` nodes."""
    key, value = entry
    return key in _OF_DOCUMENT or key.startswith("x-") or (
        key == "patternProperties" and isinstance(value, dict) and all(v in ({}, True) for v in value.values()))


def _slices(count: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of slices of ``SLICE`` covering ``count`` items; a short last slice joins the one before."""
    starts = list(range(0, count, SLICE))
    if len(starts) > 1 and count - starts[-1] < SLICE:
        starts.pop()
    return [(start, starts[i + 1] if i + 1 < len(starts) else count) for i, start in enumerate(starts)]
