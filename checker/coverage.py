"""How much of a standard's catalogue the pack's rules cover (``parkcheck rules coverage``).

A normative catalogue entry (its own text says 应, or it is an item of a normative list) is
covered when at least one rule names it as its clause.  Coverage distinguishes rules checked
against the quoted text from rules that rest on a clause title only (``source: title only``) and
from explicit on-site verification entries (rules whose passing outcome is "needs on-site
verification").  Structural headings without requirement text are listed but not counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from .packs import Pack, clause_sort_key

CHECKED = "checked"
ONSITE = "onsite"
TITLE_ONLY = "title only"
NOT_COVERED = "not covered"
INFORMATIVE = "informative"


@dataclass(frozen=True)
class CoverageRow:
    clause: str
    title: str
    normative: bool
    rules: tuple[str, ...]
    status: str
    text: bool = True  # False: the source holds only the clause title


def coverage(pack: Pack) -> list[CoverageRow]:
    by_clause: dict[str, list] = {}
    for rule in pack.rules:
        by_clause.setdefault(rule.clause, []).append(rule)
    rows = []
    secondary = pack.meta.get("source_basis") == "secondary"  # no text to quote, but not known by title only
    for entry in sorted(pack.catalogue.values(), key=lambda e: clause_sort_key(e.clause)):
        rules = by_clause.get(entry.clause, [])
        if not entry.normative:
            status = INFORMATIVE if not rules else CHECKED
        elif not rules:
            status = NOT_COVERED
        elif any(r.source != TITLE_ONLY and r.on_pass != "onsite" for r in rules):
            status = CHECKED
        elif any(r.source != TITLE_ONLY for r in rules):
            status = ONSITE
        else:
            status = TITLE_ONLY
        rows.append(CoverageRow(entry.clause, entry.title, entry.normative, tuple(r.id for r in rules), status,
                                bool(entry.text) or secondary))
    return rows


def summary(rows: list[CoverageRow]) -> dict:
    normative = [r for r in rows if r.normative]
    counts = {s: sum(1 for r in normative if r.status == s) for s in (CHECKED, ONSITE, TITLE_ONLY, NOT_COVERED)}
    covered = len(normative) - counts[NOT_COVERED]
    full = [r for r in normative if r.text]
    titles = [r for r in normative if not r.text]
    return {"normative": len(normative), **counts, "covered": covered,
            "percent": round(100 * covered / len(normative), 1) if normative else 100.0,
            "full_text": len(full), "full_text_covered": sum(1 for r in full if r.status != NOT_COVERED),
            "title_only_clauses": len(titles),
            "title_only_checked": sum(1 for r in titles if r.status != NOT_COVERED)}


def summary_lines(pack_id: str, s: dict) -> list[str]:
    """The summary of ``rules coverage`` in words."""
    lines = [f"{pack_id}: {s['covered']}/{s['normative']} normative clauses covered ({s['percent']}%): "
             f"checked {s['checked']}, on-site {s['onsite']}, title only {s['title only']}, "
             f"not covered {s['not covered']}"]
    if s["title_only_clauses"]:
        lines.append(f"  with clause text: {s['full_text_covered']}/{s['full_text']} covered; known by title only: "
                     f"{s['title_only_checked']}/{s['title_only_clauses']} checked through an equivalent "
                     "requirement")
    return lines
