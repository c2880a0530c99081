"""Rewrite rule files into the rule-file format that ``parkcheck rules lint`` checks (``checker.stylelint``).

``python -m checker.rulefmt FILE...`` (rule files of a pack; ``pack.yaml`` is left alone) rewrites each
file in place, keeping its comments and the meaning of every rule:

* block style for mappings and lists, a flow list only for plain values on one line, two-space
  indentation, quotes only where YAML needs them, LF line ends, one final newline;
* a ``reads:`` that lists exactly the documents the rule reads is dropped (it is derived);
* keys restating their default are dropped (``checker.ruleformat.DEFAULTS``, a case's implied status);
* a patch path that picks a list item by position gets the item's key selector, resolved on the
  pack's fixture as the case's earlier patches leave it;
* message templates use ``subject``, ``bundle``, ``partners`` for ``s``, ``b``, ``p``.

A file that cannot be rewritten without changing what it says is left as it is, with a message.
"""

from __future__ import annotations

import copy
import io
import re
import sys
from pathlib import Path
from typing import Any

import yaml
from jinja2.sandbox import SandboxedEnvironment
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import ScalarString

from .ruleformat import DEFAULTS, RENAMED, default_case_status, derived_reads
from .stylelint import fixture_folder, keyed_patches, plain_ok, positional

TEMPLATE_KEYS = ("message", "pass_message", "remediation", "onsite", "title")
_ENV = SandboxedEnvironment()


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    y.allow_unicode = True
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def rename_template(source: str) -> str:
    """``{{ s.title }}`` → ``{{ subject.title }}``: the one-letter names of the template context (not
    attribute names, ``x.s``) get their full names."""
    out: list[str] = []
    last = ""
    for _, kind, value in _ENV.lex(source):
        if kind == "name" and value in RENAMED and last != ".":
            value = RENAMED[value]
        out.append(value)
        if kind != "whitespace":
            last = value
    return "".join(out)


def _rename_texts(rule: CommentedMap) -> None:
    holders = [rule.get(k) for k in TEMPLATE_KEYS]
    wn = rule.get("when_none")
    if isinstance(wn, dict):
        holders += [wn.get("message"), wn.get("reason")]
    for text in holders:
        if not isinstance(text, dict):
            continue
        for lang in ("zh", "en"):
            if isinstance(text.get(lang), str) and "{" in text[lang]:
                new = rename_template(text[lang])
                if new != text[lang]:
                    text[lang] = type(text[lang])(new) if isinstance(text[lang], ScalarString) else new


def _drop_defaults(rule: CommentedMap) -> None:
    for where, key, value in DEFAULTS:
        if where == "rule" and key in rule and rule[key] == value:
            del rule[key]
    wn = rule.get("when_none")
    if isinstance(wn, dict) and wn.get("status") == "breach" and len(wn) > 1:
        del wn["status"]
    for case in rule.get("cases") or []:
        for where, key, value in DEFAULTS:
            if where == "case" and key in case and case[key] == value:
                del case[key]
        expect = case.get("expect")
        if isinstance(expect, dict) and expect.get("status") == default_case_status(rule, case):
            del expect["status"]
            if not expect:
                del case["expect"]


def _key_patches(rule: CommentedMap, pack_folder: Path, meta: dict, where: str) -> list[str]:
    from .cases import _fixture

    left = []
    for case in rule.get("cases") or []:
        patches = case.get("patch")
        if not isinstance(patches, list) or not any(isinstance(p.get("path"), str) and positional(p["path"])
                                                    for p in patches):
            continue
        folder = fixture_folder(pack_folder, meta, case.get("fixture", "base"))
        files = dict(_fixture(str(folder)))
        plain = [_plain(p) for p in patches]
        for patch, keyed in zip(patches, keyed_patches(files, plain), strict=True):
            if keyed:
                patch["path"] = keyed
            elif isinstance(patch.get("path"), str) and positional(patch["path"]):
                left.append(f"{where}: {rule.get('id')}: {case.get('name')}: no key for {patch['path']}")
    return left


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, ScalarString):
        return _text(value)
    return value


def _unshare(node: Any, seen: set[int]) -> Any:
    """No anchors or aliases: a value used twice is written out twice."""
    if isinstance(node, ScalarString) and node.anchor.value is not None:
        return type(node)(_text(node))
    if not isinstance(node, (CommentedMap, CommentedSeq)):
        return node
    if id(node) in seen:
        node = copy.deepcopy(node)
    seen.add(id(node))
    if node.anchor.value is not None:
        node.yaml_set_anchor(None)
        node.anchor.value = None
    if isinstance(node, CommentedMap):
        for key in list(node.keys()):
            super(CommentedMap, node).__setitem__(key, _unshare(node[key], seen))
    else:
        for i, item in enumerate(node):
            list.__setitem__(node, i, _unshare(item, seen))
    return node


def _restyle(node: Any, in_flow: bool = False) -> Any:
    """Block style everywhere but flow lists of plain values; quotes only where needed."""
    if isinstance(node, CommentedMap):
        if node:
            node.fa.set_block_style()
        for key in list(node.keys()):
            if isinstance(key, ScalarString) and plain_ok(str(key)):
                index = list(node.keys()).index(key)
                node.insert(index, _text(key), node.pop(key))
        for key in list(node.keys()):
            # past CommentedMap.__setitem__, which would give a plain str the old value's quotes
            super(CommentedMap, node).__setitem__(key, _restyle(node[key]))
        return node
    if isinstance(node, CommentedSeq):
        flow = bool(node) and node.fa.flow_style() and all(not isinstance(x, (dict, list)) for x in node)
        if flow:
            node.fa.set_flow_style()
        elif node:
            node.fa.set_block_style()
        for i, item in enumerate(node):
            list.__setitem__(node, i, _restyle(item, flow))
        return node
    if isinstance(node, ScalarString) and plain_ok(str(node), in_flow):
        return _text(node)
    return node


def _text(value: str) -> str:
    """A plain ``str`` (``str()`` of a ruamel quoted string keeps its quoting type)."""
    return value.encode("utf-8").decode("utf-8")


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line)
    return "\n".join(out).rstrip("\n") + "\n"


def format_text(text: str, pack_folder: Path, meta: dict, where: str) -> tuple[str, list[str]]:
    """The rule file ``text`` in the rule-file format, and what could not be converted."""
    y = _yaml()
    data = y.load(text)
    left: list[str] = []
    aggregates = meta.get("aggregates") or {}
    for rule in data.get("rules") or []:
        if "reads" in rule and set(rule["reads"]) == set(derived_reads(rule, aggregates)):
            del rule["reads"]
        _drop_defaults(rule)
        _rename_texts(rule)
        left += _key_patches(rule, pack_folder, meta, where)
    _restyle(_unshare(data, set()))
    out = io.StringIO()
    y.dump(data, out)
    new = _tidy(out.getvalue())
    if yaml.safe_load(new) is None:
        raise ValueError(f"{where}: the rewritten file is empty")
    return new, left


def format_file(path: Path) -> list[str]:
    """Rewrite one rule file in place; return what could not be converted."""
    meta = yaml.safe_load((path.parent / "pack.yaml").read_text(encoding="utf-8")) or {}
    text = path.read_text(encoding="utf-8")
    new, left = format_text(text, path.parent, meta, str(path))
    if new != text:
        path.write_text(new, encoding="utf-8")
    return left


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m checker.rulefmt RULE_FILE.yaml...", file=sys.stderr)
        return 2
    left: list[str] = []
    for name in argv:
        path = Path(name)
        if path.name == "pack.yaml" or not re.search(r"\.ya?ml$", path.name):
            print(f"{name}: not a rule file, left alone", file=sys.stderr)
            continue
        left += format_file(path)
    for line in left:
        print(line, file=sys.stderr)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
