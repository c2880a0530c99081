"""The pipeline, as library functions the CLI and the tests call:

    load bundle → validate → build facts → evaluate compiled packs → results → verdicts → Report
"""

from __future__ import annotations

import datetime as _dt
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from . import __version__
from .aggtable import report_kinds
from .allocator import tune
from .audit import finish, measured_from
from .bundle import Bundle, load_bundle
from .cache import load_or_compile
from .compiler import CompiledPack, compile_pack
from .controldocs import Controls, control_problems, load_controls
from .crosswalk import load_crosswalk
from .dependencies import apply_applicability, apply_dependencies, link_dependencies
from .engine import shared_engine
from .errors import InputError, Problem
from .evidence import accept_gaps, split_gaps, validate_bundle
from .facts import FactBase, build_facts
from .gaps import gap_results
from .gcpause import paused
from .limits import Limits
from .model import PackInfo, Report, Result
from .modes import in_mode, report_mode
from .ncr import apply_ncr
from .neutrality import CLAIM_KIND, neutrality_section
from .nonconformities import nonconformities
from .onsite import apply_onsite
from .packs import available_packs, get_pack
from .projection import fields_read
from .schemas import SchemaSet, load_schemas
from .scoring import Score, compute_score
from .sections import build_section
from .selection import kept, narrowed_all
from .sourcepack import RELEASED, only_kinds, release
from .unused import unused_files
from .verdicts import clause_verdicts, rule_results, sort_results
from .waivers import apply_waivers


class InvalidEvidence(InputError):
    """The bundle parsed but is unreadable or meaningless; ``problems`` lists every located problem
    (content gaps among them are flagged: they alone would not stop the check)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if not p.gap] or problems
        super().__init__(f"the evidence does not validate ({len(errors)} problem"
                         f"{'s' if len(errors) != 1 else ''}); run `parkcheck validate` for the list")
        self.problem = errors[0]


@dataclass
class Timings:
    stages: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        self.stages[name] = self.stages.get(name, 0.0) + seconds


@lru_cache(maxsize=16)
def _compiled(pack_id: str, rules_dir: str | None) -> CompiledPack:
    pack = get_pack(pack_id, Path(rules_dir) if rules_dir else None)
    return load_or_compile(pack, lambda: compile_pack(pack, load_schemas()))


def compiled_pack(pack_id: str, rules_dir: Path | None = None) -> CompiledPack:
    return _compiled(pack_id, str(rules_dir) if rules_dir else None)


def load_and_validate(source, schemas: SchemaSet | None = None, timings: Timings | None = None,
                      limits: Limits | None = None) -> tuple[Bundle, list[Problem]]:
    schemas = schemas or load_schemas()
    tune()  # large freed blocks go back to the system (checker.allocator: memory)
    with paused():  # the bundle's data are acyclic trees: the cyclic collector would only rescan them
        t0 = time.perf_counter()
        bundle = load_bundle(source, schemas.table_fields(), limits, collect=True)  # every unreadable file, listed
        t1 = time.perf_counter()
        problems = validate_bundle(bundle, schemas)
        t2 = time.perf_counter()
    if timings:
        timings.add("load", t1 - t0)
        timings.add("validate", t2 - t1)
    return bundle, problems


def select_standards(bundle: Bundle, requested: list[str] | None, rules_dir: Path | None = None) -> list[str]:
    known = available_packs(rules_dir)
    wanted = list(dict.fromkeys(requested or bundle.manifest.data.get("standards") or []))
    if not wanted:
        raise InputError("no standard to check: the manifest claims none and no --standard was given", "bundle.yaml")
    for sid in wanted:
        if sid not in known:
            raise InputError(f"unknown standard {sid!r} (rule packs available: {', '.join(known)})")
    return wanted


def _aggregates(compiled: list[CompiledPack]) -> list:
    """The packs' aggregates; packs that declare the same aggregate share one computation."""
    by_name: dict = {}
    for c in compiled:
        for a in c.pack.aggregates.values():
            if a.name in by_name and by_name[a.name] != a:
                raise InputError(f"packs declare aggregate {a.name!r} differently; rename one of them", c.pack.id)
            by_name[a.name] = a
    return list(by_name.values())


def _derived(compiled: list[CompiledPack]) -> list:
    """The packs' derived values; an entry several packs declare alike is computed once."""
    by_target: dict = {}
    for c in compiled:
        for d in c.pack.derived:
            if by_target.get((d.kind, d.field), d) != d:
                raise InputError(f"packs derive {d.kind}.{d.field} differently; rename one of them", c.pack.id)
            by_target.setdefault((d.kind, d.field), d)
    return list(by_target.values())


def _evaluate(compiled: list[CompiledPack], facts: FactBase, schemas: SchemaSet) -> tuple[list[Result], dict]:
    """Every pack's rules on the facts (dependencies not yet applied); the engine's counts.  Every pack is
    evaluated first, then the engine's copies of the facts are released (``_release``) and each pack's
    firings become results."""
    engine = shared_engine()
    stats = {"facts": len(facts.facts), "asserted": 0, "actions": 0, "rulesets": 0, "sessions": 0}
    evaluations = []
    for c in compiled:  # the facts are not copied (memory: a pointer per fact, ~5 MB at 180k ledger records)
        evaluation = engine.evaluate([(r.name, r.definition, r.feed) for r in c.rulesets], facts.facts)
        stats["asserted"] += evaluation.facts_asserted
        stats["actions"] += evaluation.actions
        stats["rulesets"] += evaluation.rulesets
        stats["sessions"] += evaluation.sessions
        evaluations.append(evaluation)
    _release(facts, {CLAIM_KIND})
    results: list[Result] = []
    for c, evaluation in zip(compiled, evaluations, strict=True):
        results += rule_results(c, facts, evaluation, schemas, consume=True)
    return results, stats


def _release(facts: FactBase, whole: set[str]) -> None:
    """Once the engine has run: drop the engine's copy of every fact that carries no derived value, except
    those of the kinds in ``whole`` (read after the engine: checker.neutrality).  What comes after reads
    the evidence (``FactSource.data``) and a fact's derived values (``FactSource.derived_get``, which reads
    the fact only when it has some), never the rest of the engine's copy: memory (at 180k documents the
    register's copies alone were ~55 MB) is given back before the results are made."""
    release(facts.sources, facts.facts, whole)


def _let_go(facts: FactBase, packs: list) -> None:
    """Once the results are made and the content gaps placed, what comes after reads only the facts of the
    report sections' kinds and of the neutrality claim (``report_kinds``, checker.neutrality): the other
    kinds' facts, sources, derived columns and aggregate tables are let go (memory: at 180k documents they
    held ~80 MB through the verdicts).  A kind let go reads as having no fact."""
    keep = report_kinds(packs) | {CLAIM_KIND}
    for kind, fids in facts.by_kind.items():
        if kind not in keep:
            for fid in fids:
                facts.facts[int(fid) - 1] = RELEASED
    facts.by_kind = {kind: fids for kind, fids in facts.by_kind.items() if kind in keep}
    facts.sources = only_kinds(facts.sources, facts.by_kind)
    facts.tables = {kind: table for kind, table in facts.tables.items() if kind in keep}


def _scores(compiled: list[CompiledPack], bundle: Bundle, results: list[Result]) -> list[Score]:
    scores = []
    for c in compiled:
        scoring = c.pack.scoring
        if scoring:
            docs = bundle.by_kind(scoring["evidence"])
            designation = scoring.get("designation")
            basic = bundle.by_kind(designation["offsets"]) if designation else []
            scores.append(compute_score(c.pack.id, scoring, docs[0] if docs else None,
                                        basic[0].data if basic else None, results))
    return scores


def _report(bundle: Bundle, compiled: list[CompiledPack], results: list[Result], ncs: list, scores: list[Score],
            content_gaps: list, stats: dict, generated_at: str | None, schemas: SchemaSet) -> Report:
    manifest = bundle.manifest.data
    verdicts = [v for c in compiled for v in clause_verdicts(c.pack, results)]
    return Report(
        tool_version=__version__,
        bundle={"name": bundle.name, "park": manifest["park"], "period": manifest["period"],
                "audit_date": manifest["audit_date"], "check_type": manifest.get("check_type"),
                "standards_claimed": manifest.get("standards", [])},
        files=bundle.evidence_files(),
        packs=tuple(PackInfo(c.pack.id, c.pack.code, c.pack.title["zh"], c.pack.meta["edition"], c.pack.version,
                             c.pack.meta["publisher"], len(c.pack.rules), c.pack.sha256,
                             c.pack.meta.get("source_basis")) for c in compiled),
        results=tuple(results), verdicts=tuple(verdicts), nonconformities=tuple(ncs),
        generated_at=generated_at, engine=stats, scores=tuple(scores), content_gaps=tuple(content_gaps),
        unused_files=unused_files(bundle, schemas))


def check_bundle(bundle: Bundle, standards: list[str], rules_dir: Path | None = None,
                 timings: Timings | None = None, generated_at: str | None = None,
                 gaps: list[Problem] | tuple[Problem, ...] = (), mode: str | None = None,
                 controls: Controls | None = None, audit_date: str | None = None,
                 previous: Path | None = None, select: frozenset[str] | None = None) -> Report:
    """Evaluate an already validated bundle against the given packs.  ``gaps`` are its content gaps,
    already removed from the documents (``accept_gaps``): they become findings (``checker.gaps``).
    ``mode`` (precheck | audit, else from the bundle's check_type): an audit report carries no advice.
    ``controls``: the audit's records (checker.controldocs); ``audit_date`` (YYYY-MM-DD) replaces the
    date the rules measure from; ``previous``: the report.json of the previous audit (surveillance).
    ``select``: judge only these rule ids and what their results depend on (``checker.selection``)."""
    schemas = load_schemas()
    controls = controls or Controls()
    full = [compiled_pack(s, rules_dir) for s in standards]
    packs = [c.pack for c in full]
    compiled = narrowed_all(full, select)
    t0 = time.perf_counter()
    anchors = set().union(*(c.anchors for c in compiled)) if compiled else set()
    derived = _derived(compiled)
    bundle, date_used = measured_from(bundle, audit_date)  # --audit-date, in memory (checker.audit)
    # each fact keeps only what the engine may read, and only the derived values it may read (the others stay
    # in columns for the messages: memory); the neutrality claim's kind is read whole after the engine
    # (checker.neutrality)
    facts = build_facts(bundle, schemas, anchors, _aggregates(compiled), derived,
                        read=fields_read(r.feed for c in full for r in c.rulesets), whole={CLAIM_KIND},
                        kept=report_kinds(packs))
    t1 = time.perf_counter()
    with paused():  # facts, firings and results are acyclic: the cyclic collector would only rescan them
        results, stats = _evaluate(compiled, facts, schemas)
    results, content_gaps = gap_results(list(gaps), packs, facts, results, schemas)
    _let_go(facts, packs)
    results = kept(results, compiled, select)
    for c in compiled:  # after the gaps: a content gap's finding blocks the rules that depend on its rule
        results = apply_dependencies(c.pack, results)
    t2 = time.perf_counter()
    order = {s: i for i, s in enumerate(standards)}
    # The certification workflow plugs in here (issue 14), in this order: the audit date the rules
    # measure from (checker.audit, before build_facts); the auditor's on-site results (checker.onsite)
    # and waivers (checker.waivers) on the results after applicability; the 不符合项报告 fields, the
    # park's corrective actions and the comparison with the previous audit (checker.ncr) on the
    # nonconformities; the audit information, conclusion and readiness (checker.audit) on the report.
    results = apply_applicability(results, bundle, {c.pack.id: c.pack for c in compiled}, controls.get("applicability"))
    results = sort_results(results, order)
    results = apply_onsite(results, controls, [c.pack for c in compiled], bundle.manifest.data, audit_date,
                           load_crosswalk(rules_dir))  # the auditor's on-site judgements (checker.onsite)
    ncs = nonconformities(results, load_crosswalk(rules_dir))
    results = link_dependencies(results, ncs)
    report = _report(bundle, compiled, results, ncs, _scores(compiled, bundle, results), content_gaps, stats,
                     generated_at, schemas)
    report = replace(report, neutrality=neutrality_section(bundle, [c.pack for c in compiled], results, facts))
    sections = [s for c in compiled if (s := build_section(c.pack, facts, results, schemas)) is not None]
    if sections:
        report = replace(report, sections=tuple(sections))
    report = apply_waivers(report, controls, bundle, {c.pack.id: c.pack for c in compiled})
    report = apply_ncr(report, bundle, controls, previous)  # 不符合项报告 fields, corrective actions, surveillance
    t3 = time.perf_counter()
    if timings:
        timings.add("facts", t1 - t0)
        timings.add("evaluate", t2 - t1)
        timings.add("verdicts", t3 - t2)
    report = in_mode(report, report_mode(bundle.manifest.data.get("check_type"), mode))
    return finish(report, controls, date_used, [c.pack for c in compiled])  # audit information, conclusion


def run_check(source, standards: list[str] | None = None, rules_dir: Path | None = None,
              timings: Timings | None = None, timestamp: bool = False, limits: Limits | None = None,
              mode: str | None = None, given: dict[str, Path] | None = None, audit_date: str | None = None,
              previous: Path | None = None) -> Report:
    """Load, validate and check a bundle.  Raises ``InvalidEvidence`` if it is unreadable or meaningless;
    content gaps alone do not stop the check: they become findings, except in the audit's records
    (checker.controldocs), where any problem stops it.  ``given``: audit records given beside the
    bundle, by kind (``{"audit": Path("audit.yaml")}``)."""
    schemas = load_schemas()
    bundle, problems = load_and_validate(source, schemas, timings=timings, limits=limits)
    errors, gaps = split_gaps(problems)
    control = control_problems(gaps, bundle, schemas)  # a gap in an audit record is an error
    if errors or control:
        in_control = {p.file for p in control}
        raise InvalidEvidence(errors + control + [g for g in gaps if g.file not in in_control])
    controls = load_controls(bundle, schemas, given)
    accept_gaps(bundle, gaps)
    chosen = select_standards(bundle, standards, rules_dir)
    stamp = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat() if timestamp else None
    return check_bundle(bundle, chosen, rules_dir, timings, stamp, gaps, mode, controls, audit_date, previous)
