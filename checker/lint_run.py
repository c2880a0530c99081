"""``parkcheck rules lint`` as a library function: the crosswalk, every selected pack, and the
cross-pack agreement of grades."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .crosswalk import lint_crosswalk, load_crosswalk
from .grading import lint_grading
from .packs import Pack, available_packs, load_pack
from .stylelint import lint_rule_format


def lint_rules(rules_dir: Path | None, selected: Iterable[str]) -> tuple[list[str], int]:
    """The lines ``rules lint`` prints (each problem, and an "ok" line per clean pack), and the
    number of problems."""
    selected = list(selected)
    loaded: dict[str, Pack] = {}

    def pack_of(pid: str) -> Pack:
        if pid not in loaded:
            loaded[pid] = load_pack(pid, rules_dir)
        return loaded[pid]

    lines = [str(p) for p in lint_crosswalk(rules_dir, pack_of)]
    total = len(lines)
    for pid in selected:
        pack = pack_of(pid)
        problems = pack.problems + lint_rule_format(pid, rules_dir)  # and the rule format (checker.stylelint)
        lines += [str(p) for p in problems]
        total += len(problems)
        if not problems:
            lines.append(f"{pid}: {len(pack.rules)} rules, {len(pack.catalogue)} catalogue entries: ok")
    # grades of same-topic rules that test the same evidence agree across packs (every pack is compared;
    # a disagreement is reported when one of its two rules is in a selected pack)
    grading = [str(p) for p in lint_grading([pack_of(pid) for pid in available_packs(rules_dir)],
                                            load_crosswalk(rules_dir), set(selected))]
    return lines + grading, total + len(grading)
