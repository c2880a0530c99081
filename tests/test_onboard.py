"""``parkcheck init``: a skeleton bundle generated from the schemas and packs that a new user can fill
in, and that — untouched — conforms nowhere (every required item is reported missing)."""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

from checker.check import load_and_validate, run_check
from checker.errors import EXIT_FINDINGS, EXIT_INPUT_ERROR, EXIT_OK
from checker.model import Status
from checker.onboard import NEEDED, document_need, skeleton_files, write_skeleton
from checker.packs import available_packs, get_pack
from checker.readers import Reading, walk_schema
from checker.schemas import load_schemas
from checker.yamlio import parse_yaml

PACKS = available_packs()
# a profile pack (profile_of) is selected beside the pack it refines
SELECTIONS = [[b, p] if (b := get_pack(p).meta.get("profile_of")) else [p] for p in PACKS] + [PACKS]
AUDIT = dt.date(2026, 3, 15)


def _ids(selection: list[str]) -> str:
    return "+".join(selection) if len(selection) < len(PACKS) else "all"


@lru_cache(maxsize=8)
def _files(selection: tuple[str, ...], lang: str = "zh") -> dict[str, str]:
    return skeleton_files([get_pack(p) for p in selection], load_schemas(), "测试园区", AUDIT, lang)


def _skeleton(tmp_path: Path, selection: list[str], lang: str = "zh") -> Path:
    folder = tmp_path / "park"
    write_skeleton(folder, _files(tuple(selection), lang))
    return folder


@pytest.mark.parametrize("selection", SELECTIONS, ids=_ids)
def test_init_writes_the_manifest_and_a_file_per_kind_the_packs_read(selection):
    packs = [get_pack(p) for p in selection]
    reading = Reading(packs, load_schemas())
    files = _files(tuple(selection))
    assert set(files) == {"bundle.yaml"} | {f"{k}.yaml" for k in reading.kinds}
    assert reading.kinds  # every pack reads some document
    for kind in reading.kinds:
        assert re.search(rf"^kind: {kind}$", files[f"{kind}.yaml"], re.M)
        need, rules = document_need(kind, reading)
        header = files[f"{kind}.yaml"].split("\nkind:")[0]
        # the document says whether it is needed, and a needed one names the clauses that need it
        assert ("必备文件" in header) == (need == NEEDED)
        for _pack, rule in rules:
            assert rule.clause in header
    assert f"standards: [{', '.join(selection)}]" in files["bundle.yaml"]
    assert "audit_date: 2026-03-15" in files["bundle.yaml"]
    assert _files(tuple(selection)) == skeleton_files(packs, load_schemas(), "测试园区", AUDIT)  # deterministic


@pytest.mark.parametrize("selection", SELECTIONS, ids=_ids)
def test_the_untouched_skeleton_is_readable_and_conforms_nowhere(tmp_path, selection):
    folder = _skeleton(tmp_path, selection)
    _, problems = load_and_validate(folder)
    assert [str(p) for p in problems if not p.gap] == []  # only content gaps: never an input error (exit 2)
    report = run_check(folder, selection)
    assert [(v.standard, v.clause) for v in report.verdicts if v.status is Status.CONFORM] == []
    # a rule may pass only as the precondition other rules build on (they judge the empty list: see
    # checker/vacuous.py), and its clause is then not 符合 (above)
    roots = {(p, d) for p in selection for r in get_pack(p).rules for d in r.depends_on}
    assert [r.rule for r in report.results if r.status is Status.CONFORM and (r.standard, r.rule) not in roots] == []
    assert report.has_nonconformities
    catalogues = {p: get_pack(p).catalogue for p in selection}
    for nc in report.nonconformities:  # every finding is at a clause of a chosen standard
        assert nc.clauses and all(c in catalogues[s] for s, c in nc.clauses), nc.id
    for r in report.results:
        assert r.clause in catalogues[r.standard]
    # every required value left blank that a rule reads (the clauses its comment names) is reported at a
    # clause, by a rule's breach or a finding of its own; a value no rule of the chosen packs reads is
    # only listed (checker.gaps: a document merely looked up in a join makes no requirement of it)
    reading = Reading([get_pack(p) for p in selection], load_schemas())
    required = [g for g in report.content_gaps if g.reported_as != "optional"]
    assert any(g.reported_as in ("rule", "finding") for g in required)
    for g in required:
        kind = g.file.removesuffix(".yaml")
        path = ".".join(t for t in g.pointer.split("/")[1:] if not t.isdigit())
        if g.reported_as not in ("rule", "finding"):
            assert not reading.rules_of(kind, path), (g.file, g.pointer, g.reported_as)
    # every document a 应 rule needs is reported: none of its breaching rules' clauses conforms (above)
    # and at least one of them is a nonconformity
    nc_clauses = {c for nc in report.nonconformities for c in nc.clauses}
    for kind in reading.kinds:
        need, rules = document_need(kind, reading)
        if need == NEEDED:
            assert any((p.id, r.clause) in nc_clauses for p, r in rules), kind


def test_check_of_the_skeleton_exits_1_and_lists_findings(tmp_path, cli):
    folder = tmp_path / "new-park"
    args = [a for p in PACKS for a in ("--standard", p)]
    made = cli("init", folder, *args, "--audit-date", "2026-03-15", "--park", "新园区")
    assert made.exit_code == EXIT_OK, made.stderr
    assert "parkcheck check" in made.stdout
    out = tmp_path / "out"
    checked = cli("check", folder, "--out", out, "--format", "json")
    assert checked.exit_code == EXIT_FINDINGS, checked.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert f"不符合项（严重在前）（{len(report['nonconformities'])}）" in checked.stdout  # the terminal lists them
    assert all(nc["id"] in checked.stdout for nc in report["nonconformities"])
    assert {v["standard"] for v in report["verdicts"]} == set(PACKS)
    assert [v["clause"] for v in report["verdicts"] if v["status"] == "conform"] == []
    assert report["nonconformities"] and all(nc["clauses"] for nc in report["nonconformities"])


def _comments(text: str) -> dict[str, str]:
    """Field path → the comment block above its line, for fields outside record lists (a commented
    out field counts: ``# status:    # 取消注释…``)."""
    out: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    block: list[str] = []
    for line in text.splitlines():
        m = re.match(r"^(?:# )?( *)([a-z_0-9]+):(?: (.*))?$", line)
        if m and (not line.startswith("#") or "取消注释" in line):
            indent = len(m[1])
            while stack and stack[-1][0] >= indent:
                stack.pop()
            path = ".".join([s for _, s in stack] + [m[2]])
            out[path] = "\n".join(block)
            stack.append((indent, m[2]))
            block = []
        elif line.lstrip().startswith("#"):
            block.append(line)
        else:
            block = []
    return out


@pytest.mark.parametrize("selection", SELECTIONS, ids=_ids)
def test_each_field_comment_names_the_clauses_that_read_it(selection):
    schemas = load_schemas()
    reading = Reading([get_pack(p) for p in selection], schemas)
    files = _files(tuple(selection))
    checked = 0
    for kind in reading.kinds:
        comments = _comments(files[f"{kind}.yaml"])
        for f in walk_schema(schemas, kind):
            if f.in_list or f.path == "kind":
                continue
            assert f.path in comments, f"{kind}.yaml lacks {f.path}"
            comment = comments[f.path]
            assert f.title in comment and ("必填" if f.required else "选填") in comment
            for _pack, rule in reading.rules_of(kind, f.path):
                assert rule.clause in comment, (kind, f.path, rule.id)
                checked += 1
    assert checked > 0


def test_record_lists_show_each_record_field_commented_out():
    schemas = load_schemas()
    files = _files(tuple(PACKS))
    blocks = 0
    for name, text in files.items():
        kind = name.removesuffix(".yaml")
        if kind == "bundle":
            continue
        for f in walk_schema(schemas, kind):
            if not (f.records and f.depth == 0):
                continue
            assert re.search(rf"^{f.name}: \[\]$", text, re.M), (name, f.path)
            # uncommented, the example record is valid YAML holding every field of a record
            block = text.split(f"\n# {f.name}:\n", 1)[1]
            lines = [f"{f.name}:"]
            for line in block.splitlines():
                if not line.startswith("#  "):
                    break
                lines.append(line[2:])
            data = parse_yaml("\n".join(lines), name).data
            expected = [g.name for g in walk_schema(schemas, kind) if g.path.startswith(f.path + ".")
                        and g.path.count(".") == 1]
            assert list(data[f.name][0]) == expected, (name, f.path)
            blocks += 1
    assert blocks >= len([k for k in files if k != "bundle.yaml"])  # every kind has a record list or more
    # the example values come from the pack's fixture
    assert "IA-2024-01" in files["internal_audit.yaml"]


def test_english_alongside(tmp_path):
    files = _files(("t-cpqs-zc001-2025",), "en")
    schema = load_schemas().by_kind["policy"]
    assert schema["title"] in files["policy.yaml"] and schema["x-title-en"] in files["policy.yaml"]
    assert "clauses: T/CPQS ZC001 6.2" in files["policy.yaml"]
    assert "Carbon emission management policy" not in _files(("t-cpqs-zc001-2025",))["policy.yaml"]


def test_init_refuses_to_overwrite(tmp_path, cli):
    folder = tmp_path / "park"
    folder.mkdir()
    (folder / "policy.yaml").write_text("kind: policy\n", encoding="utf-8")
    result = cli("init", folder, "--standard", "t-cpqs-zc001-2025")
    assert result.exit_code == EXIT_INPUT_ERROR
    assert "不覆盖" in result.stderr and "overwrites nothing" in result.stderr and str(folder) in result.stderr
    assert [p.name for p in folder.iterdir()] == ["policy.yaml"]
    assert (folder / "policy.yaml").read_text(encoding="utf-8") == "kind: policy\n"
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    assert cli("init", a_file, "--standard", "t-cpqs-zc001-2025").exit_code == EXIT_INPUT_ERROR
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("init", empty, "--standard", "t-seesa-010-2025").exit_code == EXIT_OK
    assert (empty / "bundle.yaml").is_file()


def test_init_needs_a_known_standard(tmp_path, cli):
    result = cli("init", tmp_path / "x", "--standard", "no-such-pack")
    assert result.exit_code == EXIT_INPUT_ERROR and "no-such-pack" in result.stderr
    assert not (tmp_path / "x").exists()
    assert cli("init", tmp_path / "y").exit_code == EXIT_INPUT_ERROR  # --standard is required (usage error)
    bad_date = cli("init", tmp_path / "z", "--standard", "t-seesa-010-2025", "--audit-date", "2026-13-01")
    assert bad_date.exit_code == EXIT_INPUT_ERROR and not (tmp_path / "z").exists()


@pytest.mark.parametrize("park", ["", "  ", "园区\n名称", "园区\u202e名称", "\x1b[31m园区"])
def test_init_refuses_a_park_name_check_would_refuse(tmp_path, cli, park):
    result = cli("init", tmp_path / "p", "--standard", "t-seesa-010-2025", "--park", park)
    assert result.exit_code == EXIT_INPUT_ERROR and "park name" in result.stderr
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr and not (tmp_path / "p").exists()


def test_a_park_name_with_quotes_and_markup_is_kept_literally(tmp_path, cli):
    park = '绿谷"园区" #1 [bold]: {x}'
    assert cli("init", tmp_path / "p", "--standard", "t-seesa-010-2025", "--park", park).exit_code == EXIT_OK
    bundle, _ = load_and_validate(tmp_path / "p")
    assert bundle.manifest.content.data["park"]["name"] == park
