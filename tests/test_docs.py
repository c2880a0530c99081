"""Documentation that must not drift from the code."""

from __future__ import annotations

import re

from checker.conditions import OPERATORS
from checker.errors import EXIT_FINDINGS, EXIT_INPUT_ERROR, EXIT_OK

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_operator_table_lists_every_operator():
    table = README.split("| operator | field type | holds when |")[1].split("\n\n")[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    documented = {name for row in rows for name in re.findall(r"`([a-z_]+)`", row.split("|")[1])}
    assert documented == set(OPERATORS)


def test_readme_exit_codes_match_the_code():
    assert (EXIT_OK, EXIT_FINDINGS, EXIT_INPUT_ERROR) == (0, 1, 2)
    for code in ("| 0 |", "| 1 |", "| 2 |"):
        assert code in README


def test_ci_runs_the_readme_test_command():
    """The README's second command is what .ci/run runs, and it lints, type-checks and checks the
    import layers before the tests."""
    [command] = [line for line in README.splitlines() if line.startswith("python3 -m venv") and "[test]" in line]
    for step in (".venv/bin/ruff check", ".venv/bin/mypy", ".venv/bin/lint-imports", ".venv/bin/pytest -q -n 2"):
        assert step in command
    assert (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().endswith(command)


def test_generated_rule_reference_is_up_to_date():
    """docs/rules/*.md are generated from the packs: regenerate with `parkcheck rules docs`."""
    from checker.docs import render_pack
    from checker.packs import available_packs, get_pack
    for pid in available_packs():
        page = ROOT / "docs" / "rules" / f"{pid}.md"
        assert page.is_file(), f"{page} missing: run parkcheck rules docs"
        assert page.read_text(encoding="utf-8") == render_pack(get_pack(pid)), f"{page} is stale: run parkcheck rules docs"


def test_every_schema_is_valid_json_schema_2020_12():
    from checker.schemas import load_schemas
    schemas = load_schemas()
    assert schemas.check_schemas() == []

    def walk(kind, node, path):  # every evidence field has a Chinese and an English title
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if name != "kind":
                    assert sub.get("title") and sub.get("x-title-en"), f"{kind}: {path}/{name} lacks zh/en titles"
                walk(kind, sub, f"{path}/{name}")
            walk(kind, node.get("items"), f"{path}[]")

    for kind in schemas.kinds:
        walk(kind, schemas.inlined(kind), kind)


def test_readme_pack_table_counts_follow_the_packs():
    """The standards table's rule counts (and T/CPQS's clause coverage) are the packs' own, not pinned."""
    from checker.coverage import NOT_COVERED, ONSITE, coverage
    from checker.packload import available_packs
    from checker.packs import get_pack

    rows = [line for line in README.splitlines() if line.startswith("| ")
            and (m := re.search(r"\| `([a-z0-9-]+)` \|", line)) and m[1] in available_packs()]
    assert len(rows) == len(available_packs())
    for row in rows:
        pack_id = re.search(r"\| `([a-z0-9-]+)` \|", row)[1]
        pack = get_pack(pack_id)
        stated = re.search(r"(\d+) rules", row)
        assert stated and int(stated[1]) == len(pack.rules), (pack_id, stated and stated[1], len(pack.rules))
        shown = re.search(r"(\d+)/(\d+), of which (\d+) by explicit on-site", row)
        if shown:
            normative = [r for r in coverage(pack) if r.normative]
            covered = [r for r in normative if r.status != NOT_COVERED]
            onsite = [r for r in normative if r.status == ONSITE]
            assert tuple(map(int, shown.groups())) == (len(covered), len(normative), len(onsite)), pack_id
