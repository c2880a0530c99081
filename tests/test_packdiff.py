"""`parkcheck rules diff`: what changed between two packs, as text and JSON."""

from __future__ import annotations

import json

from checker.packdiff import diff_packs, open_pack
from checker.packs import available_packs, load_pack

from .conftest import PACK, ROOT, edit_text, run_in_process


def test_a_pack_does_not_differ_from_itself():
    d = diff_packs(load_pack(PACK), load_pack(PACK))
    assert d.empty


def test_changes_to_clauses_rules_grades_and_values_are_listed(rules_copy):
    pack = rules_copy / PACK
    edit_text(pack / "pack.yaml", "version: 0.1.0", "version: 0.2.0")
    edit_text(pack / "10.2-internal-audit.yaml", "    grade: major\n    for_each: internal_audit\n    expect:\n      not_exists:\n        kind: agg.audit_intervals",
              "    grade: minor\n    for_each: internal_audit\n    expect:\n      not_exists:\n        kind: agg.audit_intervals", count=1)
    a, b = load_pack(PACK), open_pack(str(pack), None)
    d = diff_packs(a, b)
    assert {"field": "version", "a": "0.1.0", "b": "0.2.0"} in d.meta
    assert d.grades == [{"rule": "zc001-10.2-interval", "clause": "10.2", "a": "major", "b": "minor"}]
    assert [x["rule"] for x in d.rules["changed"]] == ["zc001-10.2-interval"]
    assert not d.rules["added"] and not d.rules["removed"] and not any(d.clauses.values())


def test_cli_text_and_json(rules_copy):
    pack = rules_copy / PACK
    edit_text(pack / "pack.yaml", "version: 0.1.0", "version: 0.2.0")
    proc = run_in_process("rules", "diff", PACK, pack)
    assert proc.returncode == 1 and "~ version: 0.1.0 → 0.2.0" in proc.stdout
    proc = run_in_process("rules", "diff", PACK, pack, "--format", "json")
    data = json.loads(proc.stdout.split("\n", 1)[1])
    assert data["b"]["version"] == "0.2.0" and data["meta"] == [{"field": "version", "a": "0.1.0", "b": "0.2.0"}]
    same = run_in_process("rules", "diff", PACK, ROOT / "rules" / PACK)
    assert same.returncode == 0 and "无差异" in same.stdout


def test_rules_new_writes_a_rule_that_lints_and_whose_cases_run(rules_copy):
    """Scaffold: adding a rule is one entry plus its cases, with the requirement quoted from the catalogue."""
    proc = run_in_process("rules", "new", "--standard", PACK, "--clause", "6.2 d)", "--kind", "policy",
                         "--field", "commitments", "--file", "zz-new.yaml", "--rules", rules_copy)
    assert proc.returncode == 0, proc.stderr
    text = (rules_copy / PACK / "zz-new.yaml").read_text(encoding="utf-8")
    assert "requirement: 包括满足与碳排放管理有关的适用法律法规及其他要求的承诺；" in text
    assert "obligation: 应" in text and "grade: minor" in text
    lint = run_in_process("rules", "lint", "--standard", PACK, "--rules", rules_copy, "--no-cache")
    assert lint.returncode == 0, lint.stdout
    test = run_in_process("rules", "test", "--standard", PACK, "--rule", "6.2-d-new", "--rules", rules_copy, "--no-cache")
    assert test.returncode == 0 and "2 passed, 0 failed" in test.stdout
    # an unknown clause is a usage error naming the catalogue
    bad = run_in_process("rules", "new", "--standard", PACK, "--clause", "6.9 z)", "--rules", rules_copy)
    assert bad.returncode == 2 and "not in the catalogue" in bad.stderr


# -- the reconstructed 2022 edition of T/SEESA 010 and the 2025 foreword's list of changes ---------

RECONSTRUCTED = ROOT / "rules-reconstructed"
PACK_2022 = "t-seesa-010-2022-reconstructed"
FOREWORD_MAP = RECONSTRUCTED / "foreword-2025-a-k.yaml"
STANDARD_2025 = ROOT.parent / "shared" / "standards" / "t-seesa-010-2025.md"


def _entries(data: dict) -> dict[tuple, dict]:
    """Every entry of a JSON diff under one key, as the foreword map names them."""
    out: dict[tuple, dict] = {}
    out.update({("meta", m["field"]): m for m in data["meta"]})
    out.update({("clause_added", x["clause"]): x for x in data["clauses"]["added"]})
    out.update({("clause_removed", x["clause"]): x for x in data["clauses"]["removed"]})
    out.update({("clause_changed", x["clause"]): x for x in data["clauses"]["changed"]})
    out.update({("rule_added", x["rule"]): x for x in data["rules"]["added"]})
    out.update({("rule_removed", x["rule"]): x for x in data["rules"]["removed"]})
    out.update({("rule_changed", x["rule"]): x for x in data["rules"]["changed"]})
    out.update({("grade", x["rule"]): x for x in data["grades"]})
    out.update({("scoring", x["path"]): x for x in data["scoring"]})
    return out


def _claims(spec: dict, entries: dict[tuple, dict]) -> list[tuple]:
    """The diff entries one line of the foreword map stands for (empty if the diff lacks them)."""
    if "scoring" in spec:
        prefix = spec["scoring"]
        return [k for k, x in entries.items() if k[0] == "scoring" and x["change"] == spec["change"]
                and (k[1] == prefix or k[1].startswith(prefix + ".") or k[1].startswith(prefix + "["))]
    [(form, key)] = [(f, v) for f, v in spec.items() if f != "fields"]
    hit = entries.get((form, str(key)))
    if hit is None or ("fields" in spec and hit["fields"] != spec["fields"]):
        return []
    return [(form, str(key))]


def _diff_2022_2025() -> tuple[dict, str]:
    proc = run_in_process("rules", "diff", RECONSTRUCTED / PACK_2022, "t-seesa-010-2025", "--format", "json",
                         env={"PARKCHECK_CACHE_DIR": "off"})
    assert proc.returncode == 1, proc.stderr
    text = run_in_process("rules", "diff", RECONSTRUCTED / PACK_2022, "t-seesa-010-2025",
                         env={"PARKCHECK_CACHE_DIR": "off"})
    assert text.returncode == 1, text.stderr
    return json.loads(proc.stdout.split("\n", 1)[1]), text.stdout


def test_the_diff_from_2022_to_2025_lists_each_change_of_the_foreword():
    import yaml

    data, text = _diff_2022_2025()
    assert (data["a"]["edition"], data["b"]["edition"]) == ("2022", "2025")
    entries = _entries(data)
    fmap = yaml.safe_load(FOREWORD_MAP.read_text(encoding="utf-8"))
    assert [i["item"] for i in fmap["items"]] == [f"{c})" for c in "abcdefghijk"]
    claimed: dict[tuple, str] = {}
    for item in fmap["items"]:
        assert item["diff"] or item.get("no_diff"), f"{item['item']} gives no diff entry and says not why"
        for spec in item["diff"]:
            keys = _claims(spec, entries)
            assert keys, f"foreword item {item['item']}: {spec} is not in the diff"
            for k in keys:
                assert k not in claimed, f"{k} claimed by {claimed[k]} and {item['item']}"
                claimed[k] = item["item"]
    for spec in fmap["not_foreword"]:
        for k in _claims(spec, entries):
            claimed[k] = "not_foreword"
    assert sorted(set(entries) - set(claimed)) == []  # every difference is explained by an item of the foreword
    # the text output says the same in Chinese (with English alongside)
    c = data["clauses"]
    assert f"条款 / clauses: 新增 added {len(c['added'])}, 删除 removed {len(c['removed'])}, 修改 changed {len(c['changed'])}" in text
    assert "  + 4.2.6 企业入驻率" in text and "  + zseesa-4.2.6 [4.2.6, major]" in text
    assert "  ~ 5.8 2) (text): …、太阳能发电等绿色电力。［+宜优先考虑购买国内的绿电或绿证。］" in text
    assert "  ~ 2 (text): …6 绿色工业园区评价导则［+ T/SEESA 018 零碳产业园区实施路径规划与评估］" in text
    assert "  ~ total_max: 100 → 110" in text and "  ~ published: （未注明 / not given） → 2025-04-02" in text


def test_foreword_map_quotes_the_foreword():
    """The foreword texts in the map are those of the standard (where the standard is beside the checkout)."""
    import yaml

    fmap = yaml.safe_load(FOREWORD_MAP.read_text(encoding="utf-8"))
    lines = {ln.strip() for ln in STANDARD_2025.read_text(encoding="utf-8").splitlines()} if STANDARD_2025.is_file() \
        else None
    for item in fmap["items"]:
        assert item["foreword"].strip(), item["item"]
        if lines is not None:
            assert f"- {item['item']} {item['foreword']}" in lines, item["item"]


def test_the_reconstruction_lints_runs_its_cases_and_covers_its_clauses():
    from checker.coverage import coverage, summary

    pack = load_pack(PACK_2022, RECONSTRUCTED)
    assert pack.problems == []
    cases = sum(len(r.cases) for r in pack.rules)
    assert cases > 0
    counts = summary(coverage(pack))
    assert counts["not covered"] == 0 and counts["normative"] > 0
    for cmd in ("lint", "test", "coverage"):
        proc = run_in_process("rules", cmd, "--rules", RECONSTRUCTED, env={"PARKCHECK_CACHE_DIR": "off"})
        assert proc.returncode == 0, f"rules {cmd}: {proc.stdout[-500:]}{proc.stderr}"
        if cmd == "test":  # every case of the pack ran and passed (was also run through run_pack_cases)
            assert proc.stdout.strip().endswith(f"{cases} passed, 0 failed"), proc.stdout[-500:]


def test_the_reconstruction_invents_no_text_and_marks_what_it_kept_or_dropped():
    """Every line of its catalogue is a line (or the start of one) of the 2025 catalogue entry of the same
    clause, itself quoted verbatim from the standard; every clause that differs, and every group weight,
    carries a reconstruction note; the pack is not installed with the shipped packs."""
    import yaml

    old, new = load_pack(PACK_2022, RECONSTRUCTED), load_pack("t-seesa-010-2025")
    assert PACK_2022 not in available_packs()
    raw = yaml.safe_load((RECONSTRUCTED / PACK_2022 / "pack.yaml").read_text(encoding="utf-8"))
    notes = {e["clause"]: e.get("reconstruction") for e in raw["catalogue"]}
    for clause, entry in old.catalogue.items():
        assert clause in new.catalogue, f"{clause} is not a clause of the 2025 edition"
        squashed = "".join(new.catalogue[clause].text.split())
        for line in entry.text.split("\n"):
            assert "".join(line.split()) in squashed, f"{clause}: {line!r} is not 2025 text"
        if (entry.text, entry.title, entry.normative) != (new.catalogue[clause].text, new.catalogue[clause].title,
                                                          new.catalogue[clause].normative):
            assert notes[clause], f"{clause} differs from 2025 without a reconstruction note"
    for rule in old.rules:
        assert "".join(rule.requirement.split()) in "".join(old.catalogue[rule.clause].text.split()), rule.id
    assert all(g.get("reconstruction") for g in raw["scoring"]["groups"])
    assert raw["scoring"]["reconstruction"] and raw["reconstruction"]["removed"]
    removed_clauses = {w.split(" ", 1)[1] for r in raw["reconstruction"]["removed"] for w in r["what"]
                       if w.startswith("catalogue ") and "," not in w}
    assert removed_clauses <= set(new.catalogue) - set(old.catalogue)
