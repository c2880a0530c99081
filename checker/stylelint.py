"""The rule-file format lint of ``parkcheck rules lint``: one YAML style, nothing said twice.

Checks every rule file of a pack (not ``pack.yaml``, not the fixtures) and returns located problems,
each saying how to fix it (``python -m checker.rulefmt FILE`` fixes all of them but a wrong
``reads:``):

* **style** — two-space indentation, a list indented under its key; mappings in block style (one
  key per line); a flow list ``[a, b]`` only for plain values on one line (``[]`` / ``{}`` for
  empty ones); quotes only where YAML needs them; no tabs, trailing spaces or CR; one final newline.
* **positional patches** — a case's patch picks a list item by key, ``/audits[id=IA-01]/scope``,
  never by position (``/audits/0/scope``): the lint names the selector to write, derived from the
  fixture.
* **reads** — the documents a rule reads are derived from ``for_each``, joins and aggregates
  (``checker.ruleformat.derived_reads``); a hand-written ``reads:`` is reported, with the value to
  write when it is wrong.
* **defaults** — a key that restates its default (``on_pass: conform``, ``source: full text``,
  ``when_none: {status: breach}``, a case's ``breach: false`` / ``fixture: base``, or the status a
  case expects when the rule's grade and ``breach`` already imply it).

Problems here do not stop a pack from loading (``check`` still runs); ``rules lint`` exits 1.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Problem
from .resources import data_dir
from .ruleformat import DEFAULTS, default_case_status, derived_reads
from .yamlio import Positioned, read_yaml_file, split_pointer

FIX = "python -m checker.rulefmt"
INDENT = 2
_LOADER = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
_STR = "tag:yaml.org,2002:str"
# fields tried, in order, as the key of a list item a patch selects (the schemas' x-key fields first)
KEY_FIELDS = ("id", "no", "number", "name", "role", "item", "title", "clause", "type", "topic", "year")


# -- YAML style ---------------------------------------------------------------------------------

def plain_ok(value: str, in_flow: bool = False) -> bool:
    """Whether ``value`` can be written without quotes and still read back as the same text."""
    if not value or value != value.strip() or "\n" in value:
        return False
    analysis = yaml.emitter.Emitter(io.StringIO(), allow_unicode=True).analyze_scalar(value)
    allowed = analysis.allow_flow_plain if in_flow else analysis.allow_block_plain
    if not allowed or analysis.multiline:
        return False
    return yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False)) == _STR


def _line_problems(text: str, file: str) -> Iterator[Problem]:
    if not text.endswith("\n") or text.endswith("\n\n"):
        yield Problem(f"the file must end with exactly one newline; run `{FIX} {file}`", file,
                      text.rstrip("\n").count("\n") + 1)
    for n, line in enumerate(text.split("\n"), 1):
        if "\r" in line:
            yield Problem(f"carriage return: save the file with LF line ends; run `{FIX} {file}`", file, n)
        if "\t" in line:
            yield Problem("tab character: indent with two spaces (write a tab in a string as \\t, "
                          "double-quoted)", file, n, line.index("\t") + 1)
        if line.rstrip("\r") != line.rstrip():
            yield Problem(f"trailing whitespace: delete it; run `{FIX} {file}`", file, n)


def _node_problems(node: yaml.Node, file: str, in_flow: bool) -> Iterator[Problem]:
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if isinstance(node, yaml.ScalarNode):
        if node.style in ("'", '"') and node.tag == _STR and plain_ok(node.value, in_flow):
            yield Problem(f"unneeded quotes: write {node.value[:40]!s}{'…' if len(node.value) > 40 else ''} "
                          f"without quotes (quote only what would otherwise read as a number, date, "
                          f"boolean or YAML syntax); run `{FIX} {file}`", file, line, col)
        return
    flow = bool(getattr(node, "flow_style", False))  # a collection node
    if flow and not in_flow and node.value:
        if isinstance(node, yaml.MappingNode):
            yield Problem(f"flow mapping {{…}}: write it in block style, one key per line; run `{FIX} {file}`",
                          file, line, col)
        elif any(not isinstance(item, yaml.ScalarNode) for item in node.value):
            yield Problem(f"a flow list [...] holds only plain values: write this list in block style, one "
                          f"'- ' item per line; run `{FIX} {file}`", file, line, col)
        elif node.end_mark.line != node.start_mark.line:
            yield Problem(f"a flow list [...] stays on one line: join it or write it in block style; run "
                          f"`{FIX} {file}`", file, line, col)
    if not flow:
        yield from _indent_problems(node, file)
    children = [x for kv in node.value for x in kv] if isinstance(node, yaml.MappingNode) else node.value
    for child in children:
        yield from _node_problems(child, file, in_flow or flow)


def _indent_problems(node: yaml.Node, file: str) -> Iterator[Problem]:
    """Block collections nest by two spaces: a key's mapping or list starts two columns right of the
    key; a list item's mapping starts two columns right of the dash."""
    col = node.start_mark.column
    pairs = list(node.value) if isinstance(node, yaml.MappingNode) else [(None, v) for v in node.value]
    for key, value in pairs:
        if not isinstance(value, (yaml.MappingNode, yaml.SequenceNode)) or value.flow_style or not value.value:
            continue
        want = col + INDENT
        if value.start_mark.column != want:
            where = f"under {key.value!r}" if key is not None and isinstance(key, yaml.ScalarNode) else "in a list item"
            yield Problem(f"indentation: the {'list' if isinstance(value, yaml.SequenceNode) else 'mapping'} {where} "
                          f"starts at column {value.start_mark.column + 1}, write it at column {want + 1} "
                          f"(two spaces per level); run `{FIX} {file}`", file, value.start_mark.line + 1,
                          value.start_mark.column + 1)


def style_problems(text: str, file: str) -> list[Problem]:
    """Every departure of one rule file from the rule-file YAML style, with file and line."""
    out = list(_line_problems(text, file))
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        return out  # the pack loader reports unparseable files
    for token in yaml.scan(text, Loader=_LOADER):
        if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
            out.append(Problem(f"anchor or alias ({'&' if isinstance(token, yaml.AnchorToken) else '*'}"
                               f"{token.value}): write the value out in full where it is used; run `{FIX} {file}`",
                               file, token.start_mark.line + 1, token.start_mark.column + 1))
    if root is not None:
        if root.start_mark.column != 0:
            out.append(Problem("the file's top-level mapping starts at column 1", file, root.start_mark.line + 1))
        out.extend(_node_problems(root, file, False))
    return sorted(out, key=lambda p: (p.line or 0, p.column or 0))


# -- patches select list items by key -----------------------------------------------------------

def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def item_key(items: list, index: int) -> tuple[str, str] | None:
    """The field and value that pick ``items[index]`` out of ``items``: its ``id`` or another field
    (the schemas' ``x-key`` fields first) whose value no other item shares."""
    item = items[index]
    if not isinstance(item, dict):
        return None
    others = sorted(f for f in item if isinstance(f, str) and f not in KEY_FIELDS)
    candidates = [f for f in KEY_FIELDS if f in item] + others
    for f in candidates:
        value = item.get(f)
        if isinstance(value, bool) or not isinstance(value, (str, int, datetime.date)) or value == "":
            continue
        text = str(value)
        if re.search(r"[\[\]\n]", text) or text != text.strip():
            continue
        if sum(1 for other in items if isinstance(other, dict) and str(other.get(f)) == text) == 1:
            return f, text
    return None


def keyed_path(data: Any, path: str) -> str | None:
    """``path`` with every list position replaced by a ``[field=value]`` selector, resolved on
    ``data`` (the document before the patch); None when an item has no unique key."""
    out: list[str] = []
    node = data
    for token in split_pointer(path):
        if isinstance(node, list) and token.isdigit():
            index = int(token)
            if index == len(node):
                out.append("-")  # set at the end: an append
                node = None
                continue
            if index > len(node):
                return None
            key = item_key(node, index)
            if key is None:
                return None
            prev = out.pop() if out and not out[-1].endswith("]") and out[-1] != "-" else ""
            out.append(f"{prev}[{key[0]}={_escape(key[1])}]")
            node = node[index]
            continue
        out.append(_escape(token))
        node = node.get(token) if isinstance(node, dict) else None
    return "/" + "/".join(out)


def positional(path: str) -> bool:
    return any(t.isdigit() for t in split_pointer(path))


def _load(name: str, raw: bytes) -> Any:
    if name.lower().endswith(".csv"):
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        return [r for r in rows if any((v or "").strip() for v in r.values())]
    from .cases import _rt  # the loader the patches are applied with (YAML 1.2: ``no:`` is a key, not false)

    return _rt().load(raw.decode("utf-8-sig"))


def fixture_folder(pack_folder: Path, meta: dict, fixture: str) -> Path:
    folder = pack_folder / "fixtures" / fixture
    if not folder.is_dir() and meta.get("fixtures_from"):
        folder = pack_folder.parent / meta["fixtures_from"] / "fixtures" / fixture
    return folder


def keyed_patches(files: dict[str, bytes], patches: list) -> list[str | None]:
    """For each patch of a case, the keyed form of its path (None where it needs none or has no key),
    each resolved on the fixture as the patches before it left it."""
    from .cases import apply_patches

    out: list[str | None] = []
    for i, patch in enumerate(patches):
        path = patch.get("path") if isinstance(patch, dict) else None
        if not isinstance(path, str) or not positional(path):
            out.append(None)
            continue
        try:
            before = apply_patches(files, patches[:i])
            data = _load(patch["file"], before[patch["file"]])
        except (InputError, KeyError, IndexError, ValueError, TypeError, yaml.YAMLError):
            out.append(None)
            continue
        out.append(keyed_path(data, path))
    return out


# -- one pack -----------------------------------------------------------------------------------

def _rule_problems(raw: dict, doc: Positioned, file: str, ptr: str, aggregates: dict) -> Iterator[Problem]:
    def at(pointer: str, message: str) -> Problem:
        pos = doc.position(pointer)
        return Problem(message, file, pos[0] if pos else None, pos[1] if pos else None, pointer)

    if "reads" in raw:
        derived = list(derived_reads(raw, aggregates))
        written = raw["reads"] if isinstance(raw["reads"], list) else []
        if set(written) == set(derived):
            yield at(f"{ptr}/reads", "reads restates what for_each, the joins and aggregates give "
                                     f"({', '.join(derived)}): leave reads out")
        else:
            extra = sorted(set(written) - set(derived))
            missing = [k for k in derived if k not in written]
            why = "; ".join(([f"names {', '.join(extra)}, which the rule's conditions do not touch"] if extra else [])
                            + ([f"misses {', '.join(missing)}"] if missing else []))
            yield at(f"{ptr}/reads", f"reads is wrong: it {why}; the rule reads [{', '.join(derived)}] "
                                     "(derived from for_each, joins and aggregates): leave reads out")
    yield from _default_problems(raw, ptr, at)


def _default_problems(raw: dict, ptr: str, at) -> Iterator[Problem]:
    for where, key, value in DEFAULTS:
        if where != "rule" or key not in raw:
            continue
        if raw[key] == value:
            yield at(f"{ptr}/{key}", f"{key}: {_show(value)} is the default: leave it out")
        elif key == "when_none" and isinstance(raw[key], dict) and raw[key].get("status") == "breach":
            yield at(f"{ptr}/when_none/status", "when_none status: breach is the default: leave status out")
    for j, case in enumerate(raw.get("cases") or []):
        if not isinstance(case, dict):
            continue
        for where, key, value in DEFAULTS:
            if where == "case" and key in case and case[key] == value:
                yield at(f"{ptr}/cases/{j}/{key}", f"a case's {key}: {_show(value)} is the default: leave it out")
        status = (case.get("expect") or {}).get("status") if isinstance(case.get("expect"), dict) else None
        if status is not None and status == default_case_status(raw, case):
            yield at(f"{ptr}/cases/{j}/expect/status",
                     f"expect status: {status} is what this case expects anyway (from breach and the rule's "
                     "grade and on_pass): leave it out")


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _patch_problems(raw: dict, doc: Positioned, file: str, ptr: str, pack_folder: Path,
                    meta: dict) -> Iterator[Problem]:
    from .cases import _fixture

    for j, case in enumerate(raw.get("cases") or []):
        patches = case.get("patch") if isinstance(case, dict) else None
        if not isinstance(patches, list) or not any(
                isinstance(p, dict) and isinstance(p.get("path"), str) and positional(p["path"]) for p in patches):
            continue
        folder = fixture_folder(pack_folder, meta, case.get("fixture", "base"))
        files = dict(_fixture(str(folder))) if folder.is_dir() else {}
        for k, keyed in enumerate(keyed_patches(files, patches)):
            path = patches[k].get("path") if isinstance(patches[k], dict) else None
            if not isinstance(path, str) or not positional(path):
                continue
            pointer = f"{ptr}/cases/{j}/patch/{k}/path"
            pos = doc.position(pointer)
            fix = f"write {keyed}" if keyed else "select the item by a field no other item shares: name[field=value]"
            yield Problem(f"patch path {path} picks a list item by position; select it by key: {fix}",
                          file, pos[0] if pos else None, pos[1] if pos else None, pointer)


def _pack_reference_problems(meta: dict, doc: Positioned, folder: Path, file: str) -> Iterator[Problem]:
    """``profile_of`` and ``fixtures_from`` name another pack of the same rules folder, never this one."""
    for key in ("profile_of", "fixtures_from"):
        other = meta.get(key)
        if other is None:
            continue
        pos = doc.position(f"/{key}") or (None, None)
        if not isinstance(other, str) or other == folder.name or "/" in other or other.startswith("."):
            yield Problem(f"{key} must name another pack of this rules folder", file, pos[0], pos[1], key)
        elif not (folder.parent / other / "pack.yaml").is_file():
            yield Problem(f"{key} names {other!r}, which is not a pack of this rules folder", file, pos[0], pos[1], key)


def lint_rule_format(pack_id: str, rules_dir: Path | None = None) -> list[Problem]:
    """The format problems of every rule file of a pack, in file and line order."""
    folder = (rules_dir or data_dir("rules")) / pack_id
    try:
        meta_doc = read_yaml_file(folder / "pack.yaml", f"{pack_id}/pack.yaml")
    except InputError:
        return []  # the pack loader reports it
    meta = meta_doc.data if isinstance(meta_doc.data, dict) else {}
    aggregates: dict[str, Any] = meta["aggregates"] if isinstance(meta.get("aggregates"), dict) else {}
    out: list[Problem] = list(_pack_reference_problems(meta, meta_doc, folder, f"{pack_id}/pack.yaml"))
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "pack.yaml":
            continue
        rel = f"{pack_id}/{path.name}"
        try:
            doc = read_yaml_file(path, rel)
            text = path.read_text(encoding="utf-8")
        except (InputError, UnicodeDecodeError, OSError):
            continue  # the pack loader reports it
        out.extend(style_problems(text, rel))
        rules = doc.data.get("rules") if isinstance(doc.data, dict) else None
        for i, raw in enumerate(rules if isinstance(rules, list) else []):
            if isinstance(raw, dict):
                out.extend(_rule_problems(raw, doc, rel, f"/rules/{i}", aggregates))
                out.extend(_patch_problems(raw, doc, rel, f"/rules/{i}", folder, meta))
    return sorted(out, key=lambda p: (p.file or "", p.line or 0, p.column or 0))
