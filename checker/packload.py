"""Loading a rule pack from its folder: the manifest (``pack.yaml``: metadata, clause catalogue,
derived values, aggregates, scoring) and the rule files, each validated against its schema and
linted (``checker.packlint``).  Every rule is also compiled as the engine will see it, so a rule
the engine would evaluate wrongly is a lint problem, not a wrong verdict.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from .compiler import compile_rule
from .errors import InputError, Problem
from .hardening import UnsafeShape
from .packdecl import declaration_problems, read_aggregates, read_derived
from .packlint import Linter, dependency_problems, fix, position
from .packmodel import Aggregate, Case, CatalogueEntry, Derived, Pack, Rule
from .resources import data_dir
from .ruleformat import derived_reads
from .schemas import SchemaSet, describe_error, load_schemas
from .scoring import lint_scoring
from .sections import lint_display, lint_section
from .yamlio import Positioned, read_yaml_file

MANIFEST = "pack.yaml"


def available_packs(folder: Path | None = None) -> list[str]:
    root = folder or data_dir("rules")
    return sorted(p.name for p in root.iterdir() if (p / MANIFEST).is_file())


# How to fix a pack file that does not match its schema, by the keyword that failed (zh, en).
_SCHEMA_FIXES = {
    "required": ("加入该字段", "add the field"),
    "additionalProperties": ("删去该字段或改正拼写（见所列字段）",
                             "remove the field or correct its spelling (see the fields listed)"),
    "type": ("改为所需类型的值", "write a value of the expected type"),
    "enum": ("改为所列取值之一", "use one of the values listed"),
    "const": ("改为所要求的值", "write the value required"),
    "format": ("按所需格式改写（日期写作 YYYY-MM-DD）", "rewrite it in the expected format (dates as YYYY-MM-DD)"),
    "pattern": ("按括号中的格式改写", "rewrite it in the form given in brackets"),
    "minItems": ("补足列表项", "list at least that many items"),
    "minLength": ("填写内容", "write some text"),
    "uniqueItems": ("删去重复项", "remove the repeated items"),
    "minimum": ("改为范围内的值", "use a value in range"), "maximum": ("改为范围内的值", "use a value in range"),
    "exclusiveMinimum": ("改为范围内的值", "use a value in range"),
    "exclusiveMaximum": ("改为范围内的值", "use a value in range"),
    "oneOf": ("改为文档所述的一种写法（schemas/README.md）", "use one of the documented forms (schemas/README.md)"),
    "anyOf": ("改为文档所述的一种写法（schemas/README.md）", "use one of the documented forms (schemas/README.md)"),
}
_SCHEMA_FIX_OTHER = ("对照 schemas/ 中该文件的模式改正", "correct it against the file's schema in schemas/")


def schema_problems(schemas: SchemaSet, schema_name: str, doc: Positioned, file: str) -> list[Problem]:
    """A pack file's problems against its schema (``pack.schema.json``, ``rule.schema.json``), each with
    how to fix it."""
    fast = schemas.fast_schema_validator(schema_name)
    if fast is not None and fast.is_valid(doc.data):  # the reference validator explains only what fails
        return []
    validator = schemas.validator(schemas.schema(schema_name))
    out = []
    for err in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))):
        pointer, message = describe_error(err)
        zh, en = _SCHEMA_FIXES.get(str(err.validator), _SCHEMA_FIX_OTHER)
        line, col = position(doc, pointer)
        out.append(Problem(fix(message, zh, en), file, line, col, pointer or "/"))
    return out


class _Manifest:
    """``pack.yaml`` of one pack while it is read: the document, and problems located in it."""

    def __init__(self, pack_id: str, doc: Positioned):
        self.file = f"{pack_id}/{MANIFEST}"
        self.doc = doc
        self.problems: list[Problem] = []

    @property
    def meta(self) -> dict:
        return self.doc.data

    def add(self, pointer: str, message: str, with_field: bool = False) -> None:
        line, col = position(self.doc, pointer)
        self.problems.append(Problem(message, self.file, line, col, pointer if with_field else None))


def load_pack(pack_id: str, rules_dir: Path | None = None, schemas: SchemaSet | None = None) -> Pack:
    """Load and lint one pack.  Lint problems are kept on ``pack.problems``; unreadable files raise."""
    root = (rules_dir or data_dir("rules")) / pack_id
    if not (root / MANIFEST).is_file():
        known = ", ".join(available_packs(rules_dir)) or "none"
        raise InputError(f"unknown standard {pack_id!r} (rule packs available: {known})")
    schemas = schemas or load_schemas()
    digest = hashlib.sha256()
    manifest_path = root / MANIFEST
    doc = read_yaml_file(manifest_path, f"{pack_id}/{MANIFEST}")
    digest.update(manifest_path.read_bytes())
    invalid = schema_problems(schemas, "pack.schema.json", doc, f"{pack_id}/{MANIFEST}")
    if invalid:
        return Pack(pack_id, root, doc.data if isinstance(doc.data, dict) else {}, {}, [], {},
                    digest.hexdigest(), invalid)
    manifest = _Manifest(pack_id, doc)
    meta = manifest.meta
    if meta["id"] != pack_id:
        manifest.add("/id", fix(f"id {meta['id']!r} differs from the folder name {pack_id!r}",
                                f"把 id 改为 {pack_id}（或把文件夹改名为 {meta['id']}）",
                                f"set id to {pack_id} (or rename the folder to {meta['id']})"), with_field=True)
    catalogue = _catalogue(manifest)
    _pdca(manifest, catalogue)
    derived = read_derived(meta)
    aggregates = read_aggregates(meta, schemas, derived, manifest.add)
    declaration_problems(meta, derived, aggregates, schemas, manifest.add)
    linter = Linter(pack_id, schemas, catalogue, aggregates, derived, meta.get("source_basis") == "secondary")
    rules, rule_problems = _rule_files(root, pack_id, schemas, linter, digest)
    problems = manifest.problems + rule_problems + linter.problems
    problems += _scoring_problems(manifest, rules, not rule_problems and not linter.problems, linter)
    problems += dependency_problems(pack_id, rules)
    return Pack(pack_id, root, meta, catalogue, rules, aggregates, digest.hexdigest(), problems, derived)


# -- the manifest ---------------------------------------------------------------------------------

def _catalogue(manifest: _Manifest) -> dict[str, CatalogueEntry]:
    catalogue: dict[str, CatalogueEntry] = {}
    for i, e in enumerate(manifest.meta["catalogue"]):
        if e["clause"] in catalogue:
            manifest.add(f"/catalogue/{i}", fix(f"clause {e['clause']!r} is catalogued twice",
                                                "删去重复的目录条目（或改正其条款号）",
                                                "remove the repeated catalogue entry (or correct its clause number)"))
        catalogue[e["clause"]] = CatalogueEntry(e["clause"], e.get("title", ""), e.get("text", ""),
                                                e.get("normative", True), e.get("note"))
    return catalogue


def _pdca(manifest: _Manifest, catalogue: dict[str, CatalogueEntry]) -> None:
    """The clauses of the PDCA view (checker.readiness) are catalogued clauses, each in one area."""
    seen: set[str] = set()
    for area, clauses in ((manifest.meta.get("pdca") or {}).get("areas") or {}).items():
        for i, clause in enumerate(clauses):
            if clause not in catalogue or clause in seen:
                manifest.add(f"/pdca/areas/{area}/{i}", fix(
                    f"clause {clause!r} is {'listed twice' if clause in seen else 'not in the catalogue'}",
                    "每个条款只列入一个环节，且须在目录中", "list each catalogued clause in one area only"),
                    with_field=True)
            seen.add(clause)


def _scoring_problems(manifest: _Manifest, rules: list[Rule], rule_files_ok: bool, linter: Linter) -> list[Problem]:
    """The problems of the pack's scoring and of its declared report section (checker.sections)."""
    scoring = manifest.meta.get("scoring")
    before = len(manifest.problems)
    ids = {r.id for r in rules} if rule_files_ok else None
    found = list(lint_scoring(scoring, ids)) if scoring is not None else []
    found += lint_section(manifest.meta.get("report_section"), ids, linter.kind_exists)
    found += lint_display(manifest.meta.get("display"), linter.kind_exists)  # checker.figures
    for pointer, message in found:
        manifest.add(pointer, message, with_field=True)
    return manifest.problems[before:]


# -- the rule files -------------------------------------------------------------------------------

def _rule_files(root: Path, pack_id: str, schemas: SchemaSet, linter: Linter, digest: Any
                ) -> tuple[list[Rule], list[Problem]]:
    """The rules that lint cleanly, and the problems of rule files that do not validate."""
    rules: list[Rule] = []
    problems: list[Problem] = []
    for path in sorted(root.glob("*.yaml")):
        if path.name == MANIFEST:
            continue
        rel = f"{pack_id}/{path.name}"
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
        doc = read_yaml_file(path, rel)
        file_problems = schema_problems(schemas, "rule.schema.json", doc, rel)
        if file_problems:
            problems.extend(file_problems)
            continue
        for i, raw in enumerate(doc.data["rules"]):
            rule = _rule(raw, doc, rel, f"/rules/{i}", pack_id, schemas, linter)
            if rule is not None:
                rules.append(rule)
    return rules, problems


def _rule(raw: dict, doc: Positioned, rel: str, ptr: str, pack_id: str, schemas: SchemaSet,
          linter: Linter) -> Rule | None:
    """Lint one rule; the rule when it is clean and compiles, else None (the problems are on the linter)."""
    before = len(linter.problems)
    linter.check_rule(raw, doc, rel, ptr)
    if len(linter.problems) != before:
        return None
    rule = _build_rule(raw, doc, rel, ptr, pack_id, linter.aggregates)
    shape = _compile_problem(rule, schemas, linter.aggregates, linter.derived)
    if shape:
        linter.add_at(doc, rel, f"{ptr}/expect", shape)
        return None
    return rule


def _text(d: dict | None) -> dict | None:
    return {"zh": d["zh"], "en": d["en"]} if isinstance(d, dict) else None


def _case(c: dict, line: int | None) -> Case:
    expect = c.get("expect") or {}
    return Case(c["name"], expect.get("status"), expect.get("grade"), expect.get("evidence"),
                tuple(c.get("patch") or ()), c.get("fixture", "base"), bool(c.get("breach", False)), line)


def _build_rule(raw: dict, doc: Positioned, rel: str, ptr: str, pack_id: str,
                aggregates: dict[str, Aggregate]) -> Rule:
    cases = tuple(_case(c, position(doc, f"{ptr}/cases/{j}")[0]) for j, c in enumerate(raw.get("cases") or []))
    message = _text(raw["message"])
    assert message is not None  # required by rule.schema.json
    return Rule(
        id=raw["id"], pack=pack_id, clause=raw["clause"], requirement=raw["requirement"],
        obligation=raw["obligation"], grade=raw["grade"], reads=derived_reads(raw, aggregates),
        for_each=raw["for_each"],
        where=raw.get("where"), expect=raw["expect"], when_none=raw.get("when_none"),
        on_pass=raw.get("on_pass", "conform"), onsite=_text(raw.get("onsite")),
        evidence_field=raw.get("evidence_field"), finding=raw.get("finding"), title=_text(raw.get("title")),
        message=message, pass_message=_text(raw.get("pass_message")), remediation=_text(raw.get("remediation")),
        source=raw.get("source", "full text"), cases=cases, file=rel, line=position(doc, ptr)[0], pointer=ptr,
        depends_on=tuple(raw.get("depends_on") or ()), grade_reason=_text(raw.get("grade_reason")))


def _compile_problem(rule: Rule, schemas: SchemaSet, aggregates: dict[str, Aggregate],
                     derived: tuple[Derived, ...] = ()) -> str | None:
    """Compile one rule as the engine will see it; return why it cannot be, if it cannot."""
    stub = Pack(rule.pack, Path("."), {}, {}, [], aggregates, "", derived=derived)
    try:
        compile_rule(rule, schemas, stub)
    except UnsafeShape as exc:
        return str(exc)
    return None
