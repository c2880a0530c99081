"""The pack linter: the semantic checks of a pack's rules after their files validated against
``rule.schema.json`` (catalogue quotes, grades, reads, messages, cases; the conditions through
``checker.condlint``), and the checks across rules (``depends_on``).

Every problem names file, line and field, says what is wrong and how to fix it:
``<what is wrong> — 修正：<how, in Chinese> / fix: <how, in English>``.
"""

from __future__ import annotations

import re
from functools import lru_cache

import jinja2
from jinja2 import meta as jinja_meta
from jinja2.sandbox import SandboxedEnvironment

from .condlint import ConditionLinter, fix, position
from .errors import Problem
from .packmodel import (
    BREACH_GRADES,
    Aggregate,
    CatalogueEntry,
    Derived,
    Rule,
)
from .pointers import Positioned
from .ruleformat import TEMPLATE_NAMES, template_hint
from .schemas import SchemaSet

__all__ = ["Linter", "dependency_problems", "fix", "position"]

_TEXT_KEYS = ("message", "pass_message", "remediation", "onsite", "title")
_LANGS = ("zh", "en")


class Linter(ConditionLinter):
    """Semantic checks of the rules of one pack.  ``check_rule`` checks one rule of one file;
    problems accumulate on ``problems``."""

    def __init__(self, pack_id: str, schemas: SchemaSet, catalogue: dict[str, CatalogueEntry],
                 aggregates: dict[str, Aggregate], derived: tuple[Derived, ...] = (), secondary: bool = False):
        super().__init__(schemas, aggregates, derived)
        self.pack_id = pack_id
        self.secondary = secondary  # the pack rests on secondary sources (pack.yaml source_basis: secondary)
        self.catalogue = catalogue
        self.seen: dict[str, str] = {}  # rule id -> file that defines it

    # -- one rule --------------------------------------------------------------------------------

    def check_rule(self, raw: dict, doc: Positioned, file: str, ptr: str) -> None:
        self.doc, self.file = doc, file
        self._check_id(raw, ptr)
        self._check_quote(raw, ptr)
        self._check_grade(raw, ptr)
        kind = raw["for_each"]
        if not self.kind_exists(kind):
            self._unknown_kind(f"{ptr}/for_each", kind)
            return
        self._check_conditions(raw, kind, ptr)
        self._check_outcomes(raw, kind, ptr)
        self._check_templates(raw, ptr)
        self._check_cases(raw, ptr)

    def _check_id(self, raw: dict, ptr: str) -> None:
        rid = raw["id"]
        if rid in self.seen:
            self.add(f"{ptr}/id", fix(f"rule id {rid!r} is already used in {self.seen[rid]}",
                                      "改用本规则包中未使用的 id",
                                      "give this rule an id not used elsewhere in the pack"))
        self.seen[rid] = self.file

    def _check_quote(self, raw: dict, ptr: str) -> None:
        clause = raw["clause"]
        entry = self.catalogue.get(clause)
        if entry is None:
            self.add(f"{ptr}/clause", fix(f"clause {clause!r} is not in the pack's catalogue",
                                          "改为 pack.yaml 目录（catalogue）中的条款号，或先把该条款加入目录",
                                          "use a clause of the catalogue in pack.yaml, or catalogue the clause first"))
            return
        source = raw.get("source", "full text")
        if source == "full text" and not self._quoted(raw["requirement"], entry):
            self.add(f"{ptr}/requirement", fix(
                f"requirement is not quoted verbatim from the catalogue text of {clause} (or its parent)",
                "从该条款（或其上级条款）的目录原文中逐字复制要求文字",
                "copy the requirement word for word from the catalogue text of the clause or its parent"))
        if source in ("title only", "secondary") and raw["requirement"] != entry.title:
            self.add(f"{ptr}/requirement", fix(f"a {source} rule quotes the clause title: {entry.title!r}",
                                               f"把 requirement 改为 {entry.title!r}",
                                               f"set requirement to {entry.title!r}"))
        self._check_secondary(source, ptr)

    def _check_secondary(self, source: str, ptr: str) -> None:
        """A pack on secondary sources marks every rule so; no other pack may mark one."""
        if self.secondary and source != "secondary":
            self.add(f"{ptr}/source", fix("the pack rests on secondary sources (source_basis: secondary): "
                                          "every rule says so", "加上 source: secondary", "add source: secondary"))
        elif not self.secondary and source == "secondary":
            self.add(f"{ptr}/source", fix("source: secondary in a pack that does not declare source_basis: secondary",
                                          "在 pack.yaml 中声明 source_basis: secondary，或删去本规则的 source",
                                          "declare source_basis: secondary in pack.yaml, or remove the rule's source"))

    def _quoted(self, requirement: str, entry: CatalogueEntry) -> bool:
        quote = re.sub(r"\s+", "", requirement)
        texts = [entry.text]
        parent = self.catalogue.get(entry.parent) if entry.parent else None
        if parent:
            texts.append(parent.text)
        return any(quote in re.sub(r"\s+", "", t) for t in texts)

    def _check_grade(self, raw: dict, ptr: str) -> None:
        allowed = BREACH_GRADES[raw["obligation"]]
        if raw["grade"] not in allowed:
            self.add(f"{ptr}/grade", fix(
                f"a {raw['obligation']} requirement is graded {' or '.join(allowed)} when breached, not {raw['grade']}",
                f"把 grade 改为 {' 或 '.join(allowed)}（或核对 obligation 是否与原文情态动词一致）",
                f"set grade to {' or '.join(allowed)} (or check the obligation against the modal verb of the text)"))

    def _check_conditions(self, raw: dict, kind: str, ptr: str) -> None:
        if "where" in raw:
            self.check_condition(raw["where"], kind, f"{ptr}/where", False, None, [])
        joins: list = []
        self.check_condition(raw["expect"], kind, f"{ptr}/expect", True, kind, joins)

    def _check_outcomes(self, raw: dict, kind: str, ptr: str) -> None:
        if raw.get("evidence_field") and self.resolver(kind)(raw["evidence_field"]) is None:
            self._unknown_field(f"{ptr}/evidence_field", raw["evidence_field"], kind)
        wn = raw.get("when_none") or {}
        if (raw.get("on_pass") == "onsite" or wn.get("status") == "onsite") and not raw.get("onsite"):
            self.add(ptr, fix("a rule that can yield onsite must say what the auditor should look at (onsite:)",
                              "加入 onsite: {zh: …, en: …}，写明审核员现场应查看的内容",
                              "add onsite: {zh: …, en: …} saying what the auditor should look at"))

    def _check_templates(self, raw: dict, ptr: str) -> None:
        texts = [(f"{ptr}/{key}", raw[key]) for key in _TEXT_KEYS if isinstance(raw.get(key), dict)]
        wn = raw.get("when_none")
        if wn and isinstance(wn.get("message"), dict):
            texts.append((f"{ptr}/when_none/message", wn["message"]))
        for pointer, text in texts:
            for lang in _LANGS:
                self.check_template(text[lang], f"{pointer}/{lang}")

    def _check_cases(self, raw: dict, ptr: str) -> None:
        cases = raw.get("cases") or []
        breaches = [bool(c.get("breach", False)) for c in cases]
        if False not in breaches:
            self.add(ptr, fix(f"rule {raw['id']} has no passing case",
                              "在 cases 中加入一个符合要求的用例（breach: false）",
                              "add a case the rule passes (breach: false) to cases"))
        if True not in breaches:
            self.add(ptr, fix(f"rule {raw['id']} has no failing case",
                              "在 cases 中加入一个违反要求的用例（breach: true）",
                              "add a case that breaches the rule (breach: true) to cases"))

    def check_template(self, text: str, pointer: str) -> None:
        names = _template_names(text)
        if isinstance(names, str):
            self.add(pointer, fix(f"message template: {names}", "修正模板语法（{{ … }} 与 {% … %} 须成对闭合）",
                                  "correct the template syntax ({{ … }} and {% … %} must be closed)"))
            return
        unknown = sorted(names - TEMPLATE_NAMES)
        if unknown:
            hint = template_hint(unknown)
            self.add(pointer, fix(f"message template uses unknown name(s) {', '.join(unknown)}: {hint}",
                                  f"改用模板变量 {', '.join(sorted(TEMPLATE_NAMES))}", hint))


_TEMPLATES = SandboxedEnvironment(undefined=jinja2.ChainableUndefined, autoescape=False)


@lru_cache(maxsize=1 << 14)
def _template_names(text: str) -> frozenset[str] | str:
    """The names a message template reads, or its syntax error's message (parsed once per text and
    process: a pack's copies, linted again by ``rules test`` or the suite, share the parses)."""
    try:
        return frozenset(jinja_meta.find_undeclared_variables(_TEMPLATES.parse(text)))
    except jinja2.TemplateSyntaxError as exc:
        return str(exc.message)


def dependency_problems(pack_id: str, rules: list[Rule]) -> list[Problem]:
    """``depends_on`` names rules of the same pack, never the rule itself, and forms no cycle;
    ``when_none: {status: depends}`` needs a ``depends_on``."""
    by_id = {r.id: r for r in rules}
    out = []
    for r in rules:
        if (r.when_none or {}).get("status") == "depends" and not r.depends_on:
            out.append(Problem(fix("when_none: depends needs depends_on "
                                   "(the rules whose nonconformity this one follows)",
                                   "加入 depends_on: [规则 id]，或改用其他 when_none 状态",
                                   "add depends_on: [<rule id>], or use another when_none status"),
                               r.file, r.line, None, f"{r.pointer}/when_none"))
        for dep in r.depends_on:
            if dep == r.id or dep not in by_id:
                out.append(Problem(fix(f"depends_on names {dep!r}, which is not another rule of {pack_id}",
                                       "改为本规则包中另一条规则的 id（本规则所依据证据的那条规则）",
                                       "give the id of the rule whose evidence this one builds on"),
                                   r.file, r.line, None, f"{r.pointer}/depends_on"))
    out.extend(_cycles(by_id))
    return out


def _cycles(by_id: dict[str, Rule]) -> list[Problem]:
    out: list[Problem] = []
    state: dict[str, int] = {}

    def visit(rid: str, trail: list[str]) -> None:
        if state.get(rid) == 2:
            return
        if state.get(rid) == 1:
            cycle = [*trail[trail.index(rid):], rid]
            r = by_id[rid]
            out.append(Problem(fix(f"depends_on forms a cycle: {' → '.join(cycle)} (a rule cannot wait on itself)",
                                   "从环中某条规则的 depends_on 里删去一个 id",
                                   "remove one id from a depends_on in the cycle"),
                               r.file, r.line, None, f"{r.pointer}/depends_on"))
            return
        state[rid] = 1
        for dep in by_id[rid].depends_on:
            if dep in by_id:
                visit(dep, [*trail, rid])
        state[rid] = 2

    for rid in by_id:
        visit(rid, [])
    return out
