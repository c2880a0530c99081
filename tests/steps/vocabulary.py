"""The domain vocabulary of the Gherkin specifications: phrases → bundle edits, and names → codes.

The ``.feature`` files are read aloud and signed by lead auditors, so they say what a park did or
failed to do in Chinese.  This module holds everything technical the features leave out:

* ``phrases.yaml`` (next to this file) maps each phrase pattern, with typed parameters, to the edit
  operations of :func:`checker.cases.apply_patches` on the base fixture;
* document names are the schemas' Chinese titles (``schemas/<kind>.schema.json``);
* an evidence location is put into words through the schemas' field titles and the records' keys;
* standards are named by their code (``T/CPQS ZC001—2025``), rules by their Chinese title.

A phrase that matches no pattern (or more than one), an edit whose target record or field does not
exist, and an edit that changes nothing all fail the step loudly.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML

from checker.cases import apply_patches
from checker.errors import InputError

ROOT = Path(__file__).resolve().parent.parent.parent
PHRASES = Path(__file__).resolve().parent / "phrases.yaml"

_PARAM = re.compile(r"\{(?P<name>[^{}:]+)(?::(?P<type>[^{}]+))?\}")
# built-in parameter types and what they match (a vocabulary parameter matches any text)
BUILTIN = {"文本": '[^"]+?', "日期": r"\d{4}年\d{1,2}月\d{1,2}日", "数": r"-?\d+(?:\.\d+)?", "填报值": '[^"]+?',
           "证据文件": '[^"]+?'}
_DATE = re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日$")


class PhraseError(AssertionError):
    """A step's phrase cannot be applied: unknown, ambiguous, or its edit misses its target."""


def chinese_date(text: str) -> dt.date:
    """``2024年2月10日`` → ``date(2024, 2, 10)``."""
    m = _DATE.match(text.strip())
    if not m:
        raise PhraseError(f"不是日期 (not a date like 2024年2月10日): {text!r}")
    return dt.date(int(m["y"]), int(m["m"]), int(m["d"]))


def _number(text: str) -> int | float:
    try:
        d = Decimal(text.strip())
    except ArithmeticError as exc:
        raise PhraseError(f"不是数值 (not a number): {text!r}") from exc
    return int(d) if d == d.to_integral_value() and "." not in text else float(text)


def _yaml_scalar(text: str) -> Any:
    return YAML(typ="safe").load(f"v: {text}\n")["v"]


@dataclass(frozen=True)
class Phrase:
    pattern: str
    regex: re.Pattern
    types: dict[str, str]
    edits: tuple
    line: int


def vocabularies() -> dict[str, dict[str, Any]]:
    """The phrase table's vocabularies: name → {Chinese word: code}."""
    return _table()[0]


def phrase_patterns(loose: bool = False) -> tuple[Phrase, ...]:
    """The phrases of the table; ``loose``: a parameter also matches an outline placeholder ``<列>``."""
    return _table(loose)[1]


@lru_cache(maxsize=2)
def _table(loose: bool = False) -> tuple[dict[str, dict[str, Any]], tuple[Phrase, ...]]:
    y = YAML(typ="rt")
    data = y.load(PHRASES.read_text(encoding="utf-8"))
    vocab = {name: dict(words) for name, words in (data.get("vocabularies") or {}).items()}
    phrases = []
    for entry in data["phrases"]:
        pattern = entry["phrase"]
        types: dict[str, str] = {}
        parts, last = [], 0
        for m in _PARAM.finditer(pattern):
            parts.append(re.escape(pattern[last:m.start()]))
            name, kind = m["name"], m["type"] or "文本"
            if kind not in BUILTIN and kind not in vocab:
                raise PhraseError(f"phrases.yaml:{entry.lc.line + 1}: 参数类型 {kind!r} 未定义")
            types[name] = kind
            value = BUILTIN.get(kind, BUILTIN["文本"])
            parts.append(f"(?P<{_group(name)}>{'<[^<>]+>|' + value if loose else value})")
            last = m.end()
        parts.append(re.escape(pattern[last:]))
        phrases.append(Phrase(pattern, re.compile("^" + "".join(parts) + "$"), types,
                              tuple(_plain(e) for e in entry["edits"]), entry.lc.line + 1))
    return vocab, tuple(phrases)


def _group(name: str) -> str:
    return "p" + name.encode("utf-8").hex()


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _convert(kind: str, text: str, vocab: dict[str, dict[str, Any]]) -> Any:
    if kind == "文本":
        return text
    if kind == "日期":
        return chinese_date(text)
    if kind == "数":
        return _number(text)
    if kind == "证据文件":
        return f"{kind_of_title(text)}.yaml"
    if kind == "填报值":
        words = vocab.get("填报值", {})
        return words[text] if text in words else _yaml_scalar(text)
    words = vocab[kind]
    if text not in words:
        raise PhraseError(f"“{text}”不是词表“{kind}”中的词；可用：{'、'.join(words)}")
    return words[text]


def _substitute(node: Any, values: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        return {k: _substitute(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute(v, values) for v in node]
    if isinstance(node, str):
        whole = _PARAM.fullmatch(node)
        if whole and whole["name"] in values:
            return values[whole["name"]]
        return _PARAM.sub(lambda m: str(values[m["name"]]) if m["name"] in values else m.group(0), node)
    return node


def edits_for(text: str) -> tuple[str, list[dict]]:
    """The edit operations a phrase stands for, with its parameters filled in."""
    vocab, phrases = _table()
    hits = [(p, m) for p in phrases if (m := p.regex.match(text.strip()))]
    if not hits:
        raise PhraseError(f"短语表中没有这句话 (no phrase in tests/steps/phrases.yaml matches): {text!r}")
    if len(hits) > 1:
        raise PhraseError(f"这句话匹配多个短语 (ambiguous): {text!r} → {[p.pattern for p, _ in hits]}")
    phrase, m = hits[0]
    values = {name: _convert(kind, m[_group(name)], vocab) for name, kind in phrase.types.items()}
    return phrase.pattern, [_substitute(e, values) for e in phrase.edits]


def _months_before(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = (dt.date(y + (m + 1) // 12, (m + 1) % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(y, m + 1, min(day.day, last))


def _relative_dates(node: Any, audit_date: dt.date) -> Any:
    """``{before_audit_date: {months: N, days: D}}`` in an edit → the date N months and D days
    before the bundle's audit date, so a phrase can say "距审核日已超过 12 个月"."""
    if isinstance(node, dict):
        if set(node) == {"before_audit_date"}:
            span = node["before_audit_date"]
            return _months_before(audit_date, int(span.get("months", 0))) - dt.timedelta(days=int(span.get("days", 0)))
        return {k: _relative_dates(v, audit_date) for k, v in node.items()}
    if isinstance(node, list):
        return [_relative_dates(v, audit_date) for v in node]
    return node


def audit_date_of(files: dict[str, bytes]) -> dt.date:
    raw = yaml.load(files["bundle.yaml"].decode("utf-8"), Loader=yaml.CSafeLoader)["audit_date"]
    return raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))


def apply_phrase(files: dict[str, bytes], text: str) -> dict[str, bytes]:
    """Apply a given-step's phrase to the bundle's files; fail loudly if it cannot be applied or
    changes nothing (an edit that misses would leave the scenario checking nothing)."""
    pattern, edits = edits_for(text)
    if "before_audit_date" in repr(edits):
        edits = _relative_dates(edits, audit_date_of(files))
    try:
        out = apply_patches(files, edits)
    except (InputError, KeyError, IndexError, ValueError, TypeError) as exc:
        raise PhraseError(f"短语“{pattern}”的修改无法应用 (edit cannot be applied): {exc!r}") from exc
    if not _changed(files, out):
        raise PhraseError(f"短语“{pattern}”没有改变证据包 (the edit changed nothing)")
    return out


def _content(name: str, raw: bytes | None) -> Any:
    if raw is None or not name.lower().endswith((".yaml", ".yml")):
        return raw
    return YAML(typ="safe").load(raw.decode("utf-8"))


def _changed(before: dict[str, bytes], after: dict[str, bytes]) -> bool:
    """Whether the edits changed the evidence (its content, not just the YAML layout).  Only the files
    whose bytes differ are parsed: the same bytes are the same content."""
    return any(_content(n, before.get(n)) != _content(n, after.get(n)) for n in set(before) | set(after)
               if before.get(n) != after.get(n))


# -- names ----------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _schemas() -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in (ROOT / "schemas").glob("*.schema.json")}


def kind_titles() -> dict[str, str]:
    """Evidence kind → the Chinese document name (the schema's title)."""
    out = {}
    for schema in _schemas().values():
        kind = schema.get("x-kind") or (schema.get("properties", {}).get("kind") or {}).get("const")
        if kind:
            out[kind] = schema["title"]
    return out


def kind_of_title(title: str) -> str:
    kinds = [k for k, t in kind_titles().items() if t == title]
    if len(kinds) != 1:
        raise PhraseError(f"“{title}”不是（唯一的）证据文件名称；可用：{'、'.join(sorted(kind_titles().values()))}")
    return kinds[0]


def _resolve(node: dict, schema_name: str) -> tuple[dict, str]:
    while "$ref" in node:
        ref = node["$ref"]
        target, _, frag = ref.partition("#")
        schema_name = target or schema_name
        resolved: Any = _schemas()[schema_name]
        for token in filter(None, frag.split("/")):
            resolved = resolved[token]
        node = {**resolved, **{k: v for k, v in node.items() if k != "$ref"}}
    return node, schema_name


def _record_key(schema_items: dict, record: Any) -> str | None:
    if not isinstance(record, dict):
        return None
    keys = schema_items.get("x-key") or "id"
    keys = [keys] if isinstance(keys, str) else list(keys)
    parts = [str(record[k]) for k in keys if record.get(k) not in (None, "")]
    return "/".join(parts) if parts else None


def location_words(kind: str, data: Any, pointer: str) -> str:
    """A JSON pointer into a document, in the schema's Chinese words: ``/reviews/0/chaired_by`` →
    ``评审「MR-2024」的主持人``; a record is named by its key (``x-key`` or ``id``), else by its position."""
    schema_name = f"{kind}.schema.json"
    node, schema_name = _resolve(_schemas()[schema_name], schema_name)
    words: list[str] = []
    for token in filter(None, pointer.split("/")):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(data, list):
            items, schema_name = _resolve(node.get("items", {}), schema_name)
            record = data[int(token)]
            key = _record_key(items, record)
            label = f"「{key}」" if key else f"第{int(token) + 1}项"
            words[-1] = words[-1] + label if words else label
            node, data = items, record
            continue
        prop, schema_name = _resolve(node.get("properties", {}).get(token, {}), schema_name)
        words.append(prop.get("title", token))
        node, data = prop, (data or {}).get(token)
    return "的".join(words)


@lru_cache(maxsize=1)
def standard_ids() -> dict[str, list[str]]:
    """Standard code as printed on the standard (``T/CPQS ZC001—2025``) → rule pack id, read from
    each pack's manifest (no pack is linted here, so a pack in progress does not get in the way)."""
    from checker.resources import data_dir
    out: dict[str, list[str]] = {}
    for manifest in sorted(data_dir("rules").glob("*/pack.yaml")):
        meta = YAML(typ="safe").load(manifest.read_text(encoding="utf-8")) or {}
        out.setdefault(str(meta.get("code")), []).append(str(meta.get("id", manifest.parent.name)))
    return out


def pack_of_code(code: str) -> str:
    ids = standard_ids()
    if len(ids.get(code, ())) != 1:
        raise PhraseError(f"标准“{code}”的规则包有 {len(ids.get(code, ()))} 个；可用：{'、'.join(sorted(ids))}")
    return ids[code][0]


def rule_of_title(pack_id: str, title: str) -> str:
    from checker.packs import get_pack
    rules = [r.id for r in get_pack(pack_id).rules if r.title and title in (r.title.get("zh"),)]
    if len(rules) != 1:
        raise PhraseError(f"规则包 {pack_id} 中标题为“{title}”的规则有 {len(rules)} 条")
    return rules[0]
