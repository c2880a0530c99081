"""The fast YAML path: libyaml's events (or, for what they do not cover, its composer) turned into
plain data and compact positions, YAML 1.2 core scalars, every limit enforced while converting.

The event path builds the data as libyaml parses, holding nothing else: no node tree (a composed
tree with its marks takes some 35 times the document's size, which at 100k records was over 300 MB
for one file).  It covers documents without anchors, aliases, explicit tags or the ``=``/``<<``
scalars; for anything else, and whenever it meets a problem, the document is converted again from
libyaml's composed nodes (``_Converter``), whose answer - data, positions, error or "let the
reference loader decide" - is the one given, so both paths always give the same result.
"""

from __future__ import annotations

from array import array
from typing import Any

import yaml  # PyYAML: libyaml's parser and composer

from .charset import INVISIBLE, SURROGATE
from .errors import InputError
from .i18n import tr
from .limits import SHARED_KEYS as _SHARED_KEYS
from .limits import Limits, option
from .pointers import Positioned, join_pointer
from .yamllimits import (
    BOOLS,
    NON_TEXT_START,
    NULL,
    STD_TAGS,
    TEXT,
    Budget,
    escaped_text,
    libyaml_error,
    plain_scalar,
    tag_error,
)
from .yamlmarks import MarkedContent


class _Slow(Exception):
    """The event path does not cover this document (an anchor, an alias, a tag, a root scalar …)."""


class _Fallback(Exception):
    """The fast path does not handle this document: use the reference loader."""


class _Composer(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """libyaml's composer without PyYAML's implicit resolvers: the conversion below reads plain scalars
    itself (YAML 1.2 core), so a node's tag only has to say whether it is one the tool accepts.  The
    tags given are the ones PyYAML's safe resolver gives wherever they matter: ``=`` (!!value) and
    ``<<`` (!!merge) keep theirs, every other implicit tag is a standard one."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode:
            if implicit[0] and (value == "=" or value == "<<"):
                return _VALUE_TAG if value == "=" else _MERGE_TAG
            return _STR_TAG
        return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG


_STR_TAG, _SEQ_TAG, _MAP_TAG = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_VALUE_TAG, _MERGE_TAG = "tag:yaml.org,2002:value", "tag:yaml.org,2002:merge"


def fast(text: str, name: str, limits: Limits) -> Positioned | InputError | None:
    """The document's data and positions; libyaml's error (an ``InputError`` returned) for the caller to
    choose the message; None where the reference loader must decide.  Raises what must stop the read."""
    if not hasattr(yaml, "CSafeLoader"):
        return None
    try:
        return _Events(text, name, Budget(name, limits)).document()
    except (_Slow, _Fallback, InputError, yaml.YAMLError, RecursionError, ValueError):
        return _composed(text, name, limits)  # the composed nodes decide, exactly as before


def _composed(text: str, name: str, limits: Limits) -> Positioned | InputError | None:
    """The fast path's answer from libyaml's composed nodes (the reference for the event path)."""
    try:
        docs = list(yaml.compose_all(text, Loader=_Composer))
    except yaml.YAMLError as exc:
        error = libyaml_error(exc, name, limits)
        if "nesting deeper" in str(error):
            raise error from None
        return error
    except (RecursionError, ValueError):
        return None
    if len(docs) != 1 or docs[0] is None:
        return None
    out = MarkedContent()
    try:
        out.data = _Converter(out, name, Budget(name, limits)).node(docs[0], "", 0)
    except (_Fallback, RecursionError):
        return None
    root = docs[0]
    out.root = ((root.start_mark.line + 1, root.start_mark.column + 1) if not isinstance(root, yaml.ScalarNode)
                else (1, 1))
    return out


def _scalar(node, pointer: str, budget: Budget) -> Any:
    value = node.value
    style = node.style
    if style not in (None, ""):  # quoted or block scalar: always text (libyaml marks plain as '')
        if style == '"' and (INVISIBLE.search(value) or SURROGATE.search(value)):
            escaped_text(value, budget.name, node.start_mark.line + 1, node.start_mark.column + 1, pointer)
        return value
    if value and value[0] not in NON_TEXT_START:  # plain text: no pattern can match
        return value
    if NULL.match(value):
        return None
    if value in BOOLS:
        return BOOLS[value]
    number = plain_scalar(value, budget.name, node.start_mark.line + 1, node.start_mark.column + 1, pointer,
                           budget.limits)
    return value if number is TEXT else number


def _token(pointer: str, token: str) -> str:
    return join_pointer(pointer, token) if "~" in token or "/" in token else f"{pointer}/{token}"


_MappingNode, _SequenceNode, _ScalarNode = yaml.MappingNode, yaml.SequenceNode, yaml.ScalarNode
_LARGE_MAPPING = 16  # keys looked up through a dictionary beyond this many (a tuple below)


class _Converter:
    """libyaml's nodes into plain data, the entries' positions into ``marks`` (``MarkedContent``)."""

    def __init__(self, out: MarkedContent, name: str, budget: Budget):
        self.out, self.name, self.budget = out, name, budget
        self.max_depth = budget.limits.max_depth

    def node(self, node, pointer: str, depth: int) -> Any:
        if node.tag not in STD_TAGS:
            raise tag_error(node.tag, self.name, node.start_mark.line + 1, node.start_mark.column + 1, pointer)
        budget = self.budget
        cls = type(node)
        if cls is _ScalarNode or not isinstance(node, (_MappingNode, _SequenceNode)):
            budget.spend(1)
            return _scalar(node, pointer, budget)
        seen = budget.memo.get(id(node))
        if seen is not None:  # an alias of a node already converted
            budget.spend(seen[1])
            return seen[0]
        before = budget.left
        budget.spend(2)  # as libyaml's events: start and end
        if depth >= self.max_depth:
            raise InputError(tr("nesting deeper than {depth} levels ({option})", depth=self.max_depth,
                               option=option("max_depth")), self.name,
                             node.start_mark.line + 1, node.start_mark.column + 1, field=pointer or None)
        value = self.mapping(node, pointer, depth) if isinstance(node, _MappingNode) else \
            self.sequence(node, pointer, depth)
        budget.memo[id(node)] = (value, before - budget.left)
        return value

    def mapping(self, node, pointer: str, depth: int) -> dict:
        result: dict = {}
        at, kids = array("i"), array("i")
        add = at.extend
        budget = self.budget
        codes = self.out.codes
        for key_node, value_node in node.value:
            if type(key_node) is not _ScalarNode or key_node.tag == _MERGE_TAG:
                raise _Fallback
            key = _scalar(key_node, pointer, budget)
            if isinstance(key, bool) or key is None or isinstance(key, float):
                raise _Fallback
            skey = key if type(key) is str else str(key)
            if skey in result:
                raise _Fallback  # the reference loader reports duplicate keys
            mark = key_node.start_mark
            add((mark.line + 1, mark.column + 1))
            if type(value_node) is _ScalarNode and value_node.tag in STD_TAGS:
                budget.spend(1)
                value = value_node.value
                if (value_node.style in (None, "") and (not value or value[0] in NON_TEXT_START)) \
                        or value_node.style == '"':
                    value = _scalar(value_node, _token(pointer, skey), budget)
                result[skey] = value
                kids.append(-1)
            else:
                before = len(codes)
                result[skey] = self.node(value_node, _token(pointer, skey), depth + 1)
                kids.append(len(codes) - 1 if len(codes) > before else -1)  # none: a scalar or an alias
        keys = tuple(result)
        self.out.add(keys if len(keys) <= _LARGE_MAPPING else {k: i for i, k in enumerate(keys)}, at, kids)
        return result

    def sequence(self, node, pointer: str, depth: int) -> list:
        items = []
        at, kids = array("i"), array("i")
        add = at.extend
        codes = self.out.codes
        for i, item in enumerate(node.value):
            mark = item.start_mark
            add((mark.line + 1, mark.column + 1))
            before = len(codes)
            items.append(self.node(item, f"{pointer}/{i}", depth + 1))
            kids.append(len(codes) - 1 if len(codes) > before else -1)
        self.out.add(None, at, kids)
        return items


_ScalarEvent, _MappingStart, _SequenceStart = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
_MappingEnd, _SequenceEnd = yaml.MappingEndEvent, yaml.SequenceEndEvent
_SHARED_MAX = 24  # texts up to this length are shared (codes, names, dates); longer ones are rarely repeated
# a mapping's keys are shared from their 32nd occurrence in a document: a class and its shared keys take ~2.4 KB
# while a bundle loads, a small record saves ~90 bytes (fewer repeats: hostile input doubled the load's memory)
_SHARE_FROM = 32
_SHARED_SHAPES = 512  # distinct sets of keys shared per document at most


def _plain_special(event) -> bool:
    """A scalar the event path leaves to the composer: tagged, anchored, or ``=`` / ``<<`` written plain."""
    return event.tag is not None or event.anchor is not None or (
        event.style == "" and (event.value == "=" or event.value == "<<"))


class _Events:
    """Plain data and positions straight from libyaml's events, as ``_Converter`` makes them from nodes."""

    def __init__(self, text: str, name: str, budget: Budget):
        self.text, self.name, self.budget = text, name, budget
        self.max_depth = budget.limits.max_depth
        self.out = MarkedContent()
        # one object per distinct key and short text: records repeat their keys and codes thousands of
        # times, and libyaml hands out a new string for every occurrence
        self.shared: dict[str, str] = {}
        self.shapes: dict[tuple, list] = {}  # a mapping's keys -> [times seen, the class sharing them] (``share``)

    def share(self, keys: tuple, result: dict) -> dict:
        """``result`` remade as a dict that shares its keys with every mapping of the same keys (CPython's
        key-sharing instance dicts, one class per set of keys, as ``checker.bundle`` makes a table's rows):
        the records of a list repeat their keys, and a dict of ten keys then takes ~200 bytes less.  Only for
        keys met ``_SHARE_FROM`` times, at most ``_SHARED_SHAPES`` sets per document (a class is ~1-2.4 KB).
        The same plain dict, the same items in the same order."""
        entry = self.shapes.get(keys)
        if entry is None:
            if len(self.shapes) >= _SHARED_SHAPES:
                return result
            entry = self.shapes[keys] = [0, None]
        entry[0] += 1
        if entry[1] is None:
            if entry[0] < _SHARE_FROM:
                return result
            entry[1] = type("Mapping", (), {})
        shared = entry[1]().__dict__
        shared.update(result.items())  # (items: updating from a dict would copy its table, unshared)
        return shared

    def document(self) -> MarkedContent:
        loader = yaml.CSafeLoader(self.text)
        try:
            self.get = loader.get_event
            self.get()  # the stream's start
            if type(self.get()) is not yaml.DocumentStartEvent:
                raise _Slow
            root = self.get()
            cls = type(root)
            if cls is _MappingStart:
                data: Any = self.mapping(root, "", 0)
            elif cls is _SequenceStart:
                data = self.sequence(root, "", 0)
            else:
                raise _Slow
            self.get()  # the document's end
            if type(self.get()) is not yaml.StreamEndEvent:
                raise _Slow  # several documents
        finally:
            loader.dispose()
        out = self.out
        out.data = data
        out.root = (root.start_mark.line + 1, root.start_mark.column + 1)  # type: ignore[union-attr]
        return out

    def open(self, event, depth: int) -> None:
        if event.tag is not None or event.anchor is not None:
            raise _Slow
        self.budget.spend(2)  # as libyaml's events: start and end
        if depth >= self.max_depth:
            raise _Slow  # the composer path reports it with its line

    def key(self, event, pointer: str, result: dict) -> str:
        """The text of a mapping key (as ``_Converter.mapping`` reads it)."""
        if type(event) is not _ScalarEvent or event.tag is not None or event.anchor is not None or (
                event.style == "" and event.value == "<<"):
            raise _Slow  # a key that is a mapping, a sequence, an alias, tagged or a merge
        key = _scalar(event, pointer, self.budget)
        if isinstance(key, bool) or key is None or isinstance(key, float):
            raise _Fallback
        skey = self.shared.setdefault(key, key) if type(key) is str else str(key)
        if skey in result:
            raise _Fallback  # the reference loader reports duplicate keys
        return skey

    def scalar(self, event, pointer: str, name: str) -> Any:
        """A scalar value of a mapping; ``pointer`` is the mapping's (the value's own is built only when
        a message may need it)."""
        if _plain_special(event):
            raise _Slow
        self.budget.spend(1)
        value = event.value
        style = event.style
        if style == '"' or (style == "" and (not value or value[0] in NON_TEXT_START)):
            value = _scalar(event, _token(pointer, name), self.budget)
        if type(value) is str and len(value) <= _SHARED_MAX:
            value = self.shared.setdefault(value, value)
        return value

    def mapping(self, start, pointer: str, depth: int) -> dict:
        self.open(start, depth)
        get = self.get
        result: dict = {}
        at, kids = array("i"), array("i")
        add, kid = at.extend, kids.append
        codes = self.out.codes
        while True:
            event = get()
            if type(event) is _MappingEnd:
                break
            skey = self.key(event, pointer, result)
            mark = event.start_mark  # type: ignore[union-attr]
            add((mark.line + 1, mark.column + 1))  # type: ignore[union-attr]
            event = get()
            cls = type(event)
            if cls is _ScalarEvent:
                result[skey] = self.scalar(event, pointer, skey)
                kid(-1)
            elif cls is _MappingStart:
                result[skey] = self.mapping(event, _token(pointer, skey), depth + 1)
                kid(len(codes) - 1)
            elif cls is _SequenceStart:
                result[skey] = self.sequence(event, _token(pointer, skey), depth + 1)
                kid(len(codes) - 1)
            else:
                raise _Slow
        keys = tuple(result)
        self.out.add(keys if len(keys) <= _LARGE_MAPPING else {k: i for i, k in enumerate(keys)}, at, kids)
        return self.share(keys, result) if 1 < len(keys) <= _SHARED_KEYS else result

    def sequence(self, start, pointer: str, depth: int) -> list:
        self.open(start, depth)
        get, budget = self.get, self.budget
        items: list = []
        at, kids = array("i"), array("i")
        add, kid = at.extend, kids.append
        codes = self.out.codes
        while True:
            event = get()
            cls = type(event)
            if cls is _SequenceEnd:
                break
            mark = event.start_mark  # type: ignore[union-attr]
            add((mark.line + 1, mark.column + 1))  # type: ignore[union-attr]
            child = f"{pointer}/{len(items)}"
            if cls is _ScalarEvent:
                if _plain_special(event):
                    raise _Slow
                budget.spend(1)
                value = _scalar(event, child, budget)
                items.append(self.shared.setdefault(value, value) if type(value) is str and len(value) <= _SHARED_MAX
                             else value)
                kid(-1)
            elif cls is _MappingStart:
                items.append(self.mapping(event, child, depth + 1))
                kid(len(codes) - 1)
            elif cls is _SequenceStart:
                items.append(self.sequence(event, child, depth + 1))
                kid(len(codes) - 1)
            else:
                raise _Slow
        self.out.add(None, at, kids)
        return items
