"""`parkcheck rules verify-source`: is every catalogue text quoted verbatim from the standard's text?

A pack names its source text (``source:`` in pack.yaml, a file in the standards folder).  Every
non-empty line of every catalogue entry's ``text`` must occur in that file, compared without
whitespace (the extraction breaks lines and spaces CJK text arbitrarily) and without Markdown
emphasis markers (``**``), which are not text.  A line that does not occur is reported with the
pack file and line where it is written, so an editor can fix the quotation.

The standards texts are not part of the repository (they are licensed documents kept beside it);
this check runs wherever they are available, and its own tests run on a small text fixture.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .packs import Pack
from .yamlio import read_yaml_file

_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Text as compared: without whitespace and without Markdown emphasis."""
    return _SPACE.sub("", text.replace("**", ""))


@dataclass(frozen=True)
class Mismatch:
    file: str  # the pack file, relative to the rules folder (``<pack>/pack.yaml``)
    line: int | None
    clause: str
    quoted: str
    source: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.clause}: 未见于标准原文 / not in the standard's text ({self.source}): {self.quoted}"


@dataclass(frozen=True)
class SourceResult:
    pack: str
    source: str
    entries: int  # catalogue entries with text that were compared
    mismatches: tuple[Mismatch, ...]


def _text_lines(pack: Pack) -> list[tuple[str, int | None, str]]:
    """(clause, line in pack.yaml, text line) for every non-empty line of every catalogue text."""
    manifest_path = pack.folder / "pack.yaml"
    doc = read_yaml_file(manifest_path, f"{pack.id}/pack.yaml")
    raw_lines = manifest_path.read_text(encoding="utf-8").splitlines()
    out = []
    for i, entry in enumerate(doc.data.get("catalogue") or []):
        text = entry.get("text") or ""
        pos = doc.position(f"/catalogue/{i}/text") if text else None
        start = pos[0] if pos else None
        block = start is not None and re.search(r":\s*[|>]", raw_lines[start - 1]) is not None
        for k, line in enumerate(text.split("\n")):
            if line.strip():
                out.append((entry["clause"], (start + 1 + k if block else start) if start else None, line))
    return out


def verify_pack(pack: Pack, standards_dir: Path) -> SourceResult:
    """Compare the catalogue of ``pack`` with its source text in ``standards_dir``.

    Raises ``InputError`` when the pack names no source or the source file is not there: nothing
    was compared, which must not read as a pass."""
    name = pack.meta.get("source")
    if not name:
        raise InputError(f"{pack.id}/pack.yaml: the pack names no source text (source:), nothing to compare")
    path = standards_dir / name
    if not path.is_file():
        raise InputError(f"{pack.id}: source text {name} not found in {standards_dir}")
    source = squash(path.read_text(encoding="utf-8"))
    lines = _text_lines(pack)
    mismatches = tuple(Mismatch(f"{pack.id}/pack.yaml", line, clause, text.strip(), name)
                       for clause, line, text in lines if squash(text) not in source)
    return SourceResult(pack.id, name, len({clause for clause, _, _ in lines}), mismatches)


def render(results: list[SourceResult]) -> str:
    out = []
    for r in results:
        out += [str(m) for m in r.mismatches]
        verdict = "逐字一致 / verbatim" if not r.mismatches else f"{len(r.mismatches)} 处不一致 / mismatches"
        out.append(f"{r.pack}: {r.entries} 条条款文本与 {r.source} 比对 / clause texts compared: {verdict}")
    return "\n".join(out) + "\n"


def run(pack_ids: list[str], rules_dir: Path | None, standards_dir: Path) -> tuple[str, int]:
    """The report of `parkcheck rules verify-source` and its exit code (0 verbatim, 1 mismatches)."""
    from .errors import EXIT_FINDINGS, EXIT_OK
    from .packs import get_pack

    results = [verify_pack(get_pack(pid, rules_dir), standards_dir) for pid in pack_ids]
    return render(results), EXIT_FINDINGS if any(r.mismatches for r in results) else EXIT_OK
