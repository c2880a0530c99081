"""Chinese labels: the helpers that need only a schema node (no schema set), so that the validation
messages (``enum_message``) and the readers can share them.  See ``checker.labels_in``."""

from __future__ import annotations

from typing import Any

from .i18n import tr

# Header decorations a template or a park may add to a column title: a required marker.
_REQUIRED_MARKS = ("（必填）", "(必填)", "*", "＊")


def to_code(text: str, node: dict) -> str | None:
    """The enum code a label (or a code) stands for; ``None`` when it is neither."""
    values = node.get("enum") or []
    word = text.strip()
    if word in values:
        return word
    for code, label in (node.get("x-enum-labels") or {}).items():
        if label == word and code in values:
            return code
    return None


def enum_message(value: Any, values: list, node: dict | None) -> str:
    """Message for a value outside an enum, naming the Chinese labels a park may write."""
    labels = (node or {}).get("x-enum-labels") or {}
    codes = ", ".join(map(str, values))
    if not labels:
        return tr("{value} is not one of: {codes}", value=repr(value), codes=codes)
    zh = "、".join(str(labels.get(v, v)) for v in values)
    return tr("“{text}” is not one of: {codes} (in Chinese: {labels})", text=value, codes=codes, labels=zh)


def strip_header(text: str) -> str:
    """A column header without its required marker and surrounding space."""
    word = text.strip()
    changed = True
    while changed:
        changed = False
        for mark in _REQUIRED_MARKS:
            if word.startswith(mark):
                word, changed = word[len(mark):].strip(), True
            if word.endswith(mark):
                word, changed = word[: -len(mark)].strip(), True
    return word


def header_keys(props: dict) -> dict[str, str]:
    """``{header: field key}`` for the properties of an object: each key itself and its Chinese title
    (a title two fields share is left out: it would be ambiguous)."""
    titles: dict[str, list[str]] = {}
    for key, sub in props.items():
        if isinstance(sub, dict) and isinstance(sub.get("title"), str):
            titles.setdefault(strip_header(sub["title"]), []).append(key)
    out = {title: keys[0] for title, keys in titles.items() if len(keys) == 1}
    out.update({key: key for key in props})
    return out


def header_key(header: str, props: dict) -> str | None:
    """The field key a column header names (key or Chinese title, required marker ignored)."""
    return header_keys(props).get(strip_header(header))
