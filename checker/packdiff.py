"""What changed between two rule packs (e.g. two editions of a standard): clauses, rules, grades,
and every value of the scoring table (lead values, weights, grade bands).

Packs are compared as data: the catalogue by clause number, rules by id, and the ``scoring`` table
flattened to paths (list items keyed by their ``no``/``id``/``name`` where they have one), so a
change of any declared value shows up without code that knows the table's shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .packs import Pack, Rule, clause_sort_key, load_pack
from .textdelta import delta

RULE_FIELDS = ("clause", "requirement", "obligation", "grade", "for_each", "where", "expect", "when_none",
               "depends_on", "source", "on_pass")
META_FIELDS = ("code", "edition", "version", "published", "effective")


@dataclass
class PackDiff:
    a: dict
    b: dict
    meta: list[dict] = field(default_factory=list)
    clauses: dict[str, list] = field(default_factory=lambda: {"added": [], "removed": [], "changed": []})
    rules: dict[str, list] = field(default_factory=lambda: {"added": [], "removed": [], "changed": []})
    grades: list[dict] = field(default_factory=list)
    scoring: list[dict] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.meta or self.grades or self.scoring or any(self.clauses.values()) or any(self.rules.values()))

    def to_json(self) -> dict:
        return {"a": self.a, "b": self.b, "meta": self.meta, "clauses": self.clauses, "rules": self.rules,
                "grades": self.grades, "scoring": self.scoring}


def open_pack(spec: str, rules_dir: Path | None) -> Pack:
    """A pack named by id (in the rules folder in use) or by the path of its folder."""
    path = Path(spec)
    if (path / "pack.yaml").is_file():
        return load_pack(path.resolve().name, path.resolve().parent)
    return load_pack(spec, rules_dir)


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for k in sorted(value, key=str):
            if k == "reconstruction":  # a note on how a reconstructed pack got the value, not a value
                continue
            out.update(_flatten(value[k], f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
        for i, item in enumerate(value):
            key = next((f"{k}={item[k]}" for k in ("no", "id", "name", "grade", "clause") if k in item), str(i))
            out.update(_flatten(item, f"{prefix}[{key}]"))
    else:
        out[prefix] = value
    return out


def _rule_view(rule: Rule) -> dict:
    return {f: getattr(rule, f) for f in RULE_FIELDS}


def _meta_changes(a: Pack, b: Pack) -> list[dict]:
    out = []
    for f in META_FIELDS:
        va, vb = a.meta.get(f), b.meta.get(f)
        if str(va) != str(vb):
            out.append({"field": f, "a": None if va is None else str(va), "b": None if vb is None else str(vb)})
    return out


def _clause_changes(a: Pack, b: Pack) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {"added": [], "removed": [], "changed": []}
    for clause in sorted(set(a.catalogue) | set(b.catalogue), key=clause_sort_key):
        ea, eb = a.catalogue.get(clause), b.catalogue.get(clause)
        if ea is None and eb is not None:
            out["added"].append({"clause": clause, "title": eb.title, "text": eb.text, "note": eb.note})
        elif eb is None and ea is not None:
            out["removed"].append({"clause": clause, "title": ea.title, "text": ea.text})
        elif ea is not None and eb is not None:
            fields = [f for f in ("title", "text", "normative") if getattr(ea, f) != getattr(eb, f)]
            if fields:
                out["changed"].append({"clause": clause, "fields": fields, "a": {f: getattr(ea, f) for f in fields},
                                       "b": {f: getattr(eb, f) for f in fields}, "note": eb.note})
    return out


def _rule_changes(a: Pack, b: Pack, d: PackDiff) -> None:
    """Rules added, removed and changed, and the grades that changed, into ``d``."""
    ra, rb = {r.id: r for r in a.rules}, {r.id: r for r in b.rules}
    for rid in sorted(set(ra) | set(rb)):
        x, y = ra.get(rid), rb.get(rid)
        if x is None or y is None:
            only = y if x is None else x
            if only is not None:
                d.rules["added" if x is None else "removed"].append(
                    {"rule": rid, "clause": only.clause, "grade": only.grade, "requirement": only.requirement})
            continue
        vx, vy = _rule_view(x), _rule_view(y)
        fields = [f for f in RULE_FIELDS if vx[f] != vy[f]]
        if fields:
            d.rules["changed"].append({"rule": rid, "clause": y.clause, "fields": fields})
        if x.grade != y.grade:
            d.grades.append({"rule": rid, "clause": y.clause, "a": x.grade, "b": y.grade})


def _scoring_changes(a: Pack, b: Pack) -> list[dict]:
    fa, fb = _flatten(a.meta.get("scoring") or {}), _flatten(b.meta.get("scoring") or {})
    out: list[dict] = []
    for path in sorted(set(fa) | set(fb)):
        if path not in fa:
            out.append({"path": path, "change": "added", "b": fb[path]})
        elif path not in fb:
            out.append({"path": path, "change": "removed", "a": fa[path]})
        elif fa[path] != fb[path]:
            out.append({"path": path, "change": "changed", "a": fa[path], "b": fb[path]})
    return out


def diff_packs(a: Pack, b: Pack) -> PackDiff:
    d = PackDiff({"id": a.id, "code": a.meta.get("code"), "edition": a.meta.get("edition"), "version": a.version},
                 {"id": b.id, "code": b.meta.get("code"), "edition": b.meta.get("edition"), "version": b.version})
    d.meta += _meta_changes(a, b)
    for key, items in _clause_changes(a, b).items():
        d.clauses[key] += items
    _rule_changes(a, b, d)
    d.scoring += _scoring_changes(a, b)
    return d


def _short(text: Any, n: int = 60) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= n else s[: n - 1] + "…"


SCORING_MARK = {"added": "+", "removed": "-", "changed": "~"}


def _scoring_value(s: dict) -> str:
    if s["change"] == "added":
        return _short(s["b"])
    if s["change"] == "removed":
        return _short(s["a"])
    return f"{_short(s['a'], 40)} → {_short(s['b'], 40)}"


def render_text(d: PackDiff) -> str:
    lines = [f"{x['code']}（{x['id']}，版次 {x['edition']}，规则包版本 {x['version']}）" for x in (d.a, d.b)]
    lines = [" → ".join(lines)]
    if d.empty:
        return "\n".join([*lines, "无差异 / no differences"]) + "\n"
    if d.meta:
        lines.append("元数据 / metadata:")
        unset = "（未注明 / not given）"
        lines += [f"  ~ {m['field']}: {m['a'] or unset} → {m['b'] or unset}" for m in d.meta]
    c = d.clauses
    lines.append(f"条款 / clauses: 新增 added {len(c['added'])}, 删除 removed {len(c['removed'])}, "
                 f"修改 changed {len(c['changed'])}")
    lines += [f"  + {x['clause']} {_short(x['title'])}" + (f"  [{_short(x['note'], 80)}]" if x.get("note") else "")
              for x in c["added"]]
    lines += [f"  - {x['clause']} {_short(x['title'])}" for x in c["removed"]]
    lines += [f"  ~ {x['clause']} ({', '.join(x['fields'])}): " + "; ".join(
        delta(x["a"][f], x["b"][f]) if f != "normative" else f"{x['a'][f]} → {x['b'][f]}" for f in x["fields"])
        for x in c["changed"]]
    r = d.rules
    lines.append(f"规则 / rules: 新增 added {len(r['added'])}, 删除 removed {len(r['removed'])}, "
                 f"修改 changed {len(r['changed'])}")
    lines += [f"  + {x['rule']} [{x['clause']}, {x['grade']}]" for x in r["added"]]
    lines += [f"  - {x['rule']} [{x['clause']}, {x['grade']}]" for x in r["removed"]]
    lines += [f"  ~ {x['rule']} [{x['clause']}]: {', '.join(x['fields'])}" for x in r["changed"]]
    if d.grades:
        lines.append("等级 / grades:")
        lines += [f"  ~ {g['rule']} [{g['clause']}]: {g['a']} → {g['b']}" for g in d.grades]
    if d.scoring:
        lines.append("评分表 / scoring (lead values, weights, bands …):")
        for s in d.scoring:
            lines.append(f"  {SCORING_MARK[s['change']]} {s['path']}: {_scoring_value(s)}")
    return "\n".join(lines) + "\n"


def render_json(d: PackDiff) -> str:
    return json.dumps(d.to_json(), ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"
