"""The crosswalk between the clauses of the packs (``rules/crosswalk.yaml``).

Each topic lists, per pack, the clauses that address it.  It is printed as a clause map and used in
combined audits: results of different packs on the same evidence under a shared topic are one defect.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import Problem
from .escape import csv_cell, markdown
from .packs import Pack, available_packs, clause_parent, load_pack
from .resources import data_dir
from .yamlio import read_yaml_file

FILE = "crosswalk.yaml"


@dataclass(frozen=True)
class Topic:
    id: str
    zh: str
    en: str
    clauses: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Crosswalk:
    topics: tuple[Topic, ...]

    def topics_of(self, pack: str, clause: str) -> frozenset[str]:
        """Topics of a clause or of its nearest catalogued ancestor named in the crosswalk."""
        c: str | None = clause
        while c:
            found = frozenset(t.id for t in self.topics if c in t.clauses.get(pack, ()))
            if found:
                return found
            c = clause_parent(c)
        return frozenset()


def _path(rules_dir: Path | None) -> Path:
    return (rules_dir or data_dir("rules")) / FILE


@lru_cache(maxsize=4)
def _load(path: str) -> Crosswalk:
    p = Path(path)
    if not p.is_file():
        return Crosswalk(())
    data = read_yaml_file(p, FILE).data or {}
    return Crosswalk(tuple(Topic(t["id"], t["title"]["zh"], t["title"]["en"],
                                 {k: tuple(v) for k, v in t["clauses"].items()}) for t in data.get("topics", [])))


def load_crosswalk(rules_dir: Path | None = None) -> Crosswalk:
    return _load(str(_path(rules_dir)))


def lint_crosswalk(rules_dir: Path | None = None, pack_of: Callable[[str], Pack] | None = None) -> list[Problem]:
    """Every topic is well formed and every clause it names exists in its pack's catalogue.

    ``pack_of`` loads a pack by id; a caller that lints the packs too passes its own, so that no
    pack is linted twice.
    """
    pack_of = pack_of or (lambda pid: load_pack(pid, rules_dir))
    path = _path(rules_dir)
    if not path.is_file():
        return []
    doc = read_yaml_file(path, FILE)
    problems: list[Problem] = []
    known = set(available_packs(rules_dir))
    catalogues: dict[str, set[str]] = {}
    seen: set[str] = set()
    for i, t in enumerate((doc.data or {}).get("topics", [])):
        ptr = f"/topics/{i}"
        line = (doc.position(ptr) or (None, None))[0]
        if not isinstance(t, dict) or not {"id", "title", "clauses"} <= set(t):
            problems.append(Problem("a topic needs id, title {zh, en} and clauses", FILE, line, field=ptr))
            continue
        if t["id"] in seen:
            problems.append(Problem(f"topic {t['id']!r} is listed twice", FILE, line, field=ptr))
        seen.add(t["id"])
        for pack, clauses in t["clauses"].items():
            if pack not in known:
                problems.append(Problem(f"unknown pack {pack!r}", FILE, line, field=f"{ptr}/clauses/{pack}"))
                continue
            if pack not in catalogues:
                catalogues[pack] = set(pack_of(pack).catalogue)
            for c in clauses:
                if c not in catalogues[pack]:
                    problems.append(Problem(f"clause {c!r} is not in the catalogue of {pack}", FILE, line,
                                            field=f"{ptr}/clauses/{pack}"))
    return problems


def render(crosswalk: Crosswalk, packs: list[str], fmt: str, lang: str = "zh") -> str:
    header = ["topic", *packs]
    rows = [[t.zh if lang == "zh" else t.en] + ["; ".join(t.clauses.get(p, ())) or "—" for p in packs]
            for t in crosswalk.topics]
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([csv_cell(c) for c in r] for r in [header, *rows])
        return buf.getvalue()
    lines = ["| " + " | ".join(map(markdown, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(markdown, r)) + " |" for r in rows]
    return "\n".join(lines) + "\n"
