"""Every problem of a bundle at once, grouped by file and counted, for ``validate`` and ``check``.

Reading a bundle collects one problem per file that cannot be read or parsed (``Bundle.unreadable``,
``errors.ReadProblem``) and goes on with the others; validation adds the problems of the documents
that were read.  The lists here print them all, file by file (``bundle.yaml`` first), one line each
(``file:line:col: field: message``), then a count line; a run with an unreadable file exits 2 only
after listing everything.

``validate`` also says which documents the bundle's declared standards need and lack (a rule of 应
breaches without them, ``onboard.document_need``): ``check`` reports those as nonconformities, so a
bundle that holds only ``bundle.yaml`` is never called valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .bundle import MANIFEST, Bundle
from .errors import EXIT_FINDINGS, EXIT_INPUT_ERROR, EXIT_OK, Problem, ReadProblem
from .escape import one_line
from .i18n import tr
from .onboard import NEEDED, document_need
from .readers import Reading, refs_text
from .schemas import SchemaSet

MISSING_DOCUMENT = "document"  # Problem.gap of a needed document the bundle lacks (validate only)


def _file(p: Problem) -> str:
    """The file of a problem: a workbook's problems (``台账.xlsx!文件清单!C12``) are the workbook's."""
    return (p.file or "").split("!", 1)[0]


def grouped(problems: list[Problem]) -> list[Problem]:
    """The problems file by file: ``bundle.yaml`` first, then by path; within a file in the order they
    were found."""
    return sorted(problems, key=lambda p: (p.file != MANIFEST, _file(p)))


def count_line(problems: list[Problem]) -> str:
    """``3 个文件有问题，共 5 处 / 5 problems in 3 files``."""
    n, files = len(problems), len({_file(p) for p in problems})
    return (f"{files} 个文件有问题，共 {n} 处 / {n} problem{'s' if n != 1 else ''} in {files} "
            f"file{'s' if files != 1 else ''}")


@dataclass
class Listing:
    """What a command prints: ``(line, to_stderr)`` in order, and its exit code."""

    lines: list[tuple[str, bool]] = field(default_factory=list)
    exit_code: int = EXIT_OK


def _gap_note(p: Problem) -> str:
    if p.gap == "optional":
        return tr(" [optional value left empty: treated as not given]")
    if p.gap:
        return tr(" [content gap (reported as a finding by check)]")
    return ""


def validate_listing(bundle: Bundle, problems: list[Problem], schemas: SchemaSet) -> Listing:
    """``parkcheck validate``: every problem, grouped and counted; exit 2 when a file cannot be read,
    1 when the evidence is invalid or incomplete, 0 when it is valid."""
    problems = problems + missing_documents(bundle, schemas)
    out = Listing()
    if not problems:
        kinds = ", ".join(sorted({d.kind for d in bundle.documents if d.kind}))
        out.lines.append((tr("{bundle}: {count} documents valid ({kinds})", bundle=one_line(bundle.name),
                             count=len(bundle.documents) + 1, kinds=kinds), False))
        return out
    for p in grouped(problems):
        unread = isinstance(p, ReadProblem)
        out.lines.append((tr("parkcheck: error: {problem}", problem=p), True) if unread
                         else (f"{p}{_gap_note(p)}", False))
    gaps = sum(1 for p in problems if p.gap and p.gap != "optional")
    note = (tr(" (1 content gap: `check` reports it as a finding)") if gaps == 1
            else tr(" ({count} content gaps: `check` reports them as findings)", count=gaps) if gaps else "")
    out.lines.append((f"parkcheck: {one_line(bundle.name)}: {count_line(problems)}{note}", True))
    unreadable = any(isinstance(p, ReadProblem) for p in problems)
    out.exit_code = EXIT_INPUT_ERROR if unreadable else EXIT_FINDINGS
    return out


def check_listing(problems: list[Problem]) -> Listing:
    """``parkcheck check`` refusing a bundle: the problems that stop it (unreadable files, invalid
    evidence; content gaps alone would not), grouped and counted, exit 2."""
    errors = [p for p in problems if not p.gap]
    out = Listing(exit_code=EXIT_INPUT_ERROR)
    for p in grouped(errors):
        out.lines.append((tr("parkcheck: error: {problem}", problem=p) if isinstance(p, ReadProblem)
                          else tr("parkcheck: invalid evidence: {problem}", problem=p), True))
    out.lines.append((f"parkcheck: {count_line(errors)}", True))
    return out


def missing_documents(bundle: Bundle, schemas: SchemaSet) -> list[Problem]:
    """A content gap at ``bundle.yaml`` for each document kind the declared standards need (a 应 rule
    breaches without it) of which the bundle holds none.  Nothing when a file could not be read (its
    kind is unknown) or the manifest names no standard the tool has."""
    from .packs import available_packs, get_pack

    standards = bundle.manifest.data.get("standards") if isinstance(bundle.manifest.data, dict) else None
    if bundle.unreadable or not isinstance(standards, list):
        return []
    known = available_packs()
    packs = [get_pack(s) for s in dict.fromkeys(standards) if isinstance(s, str) and s in known]
    if not packs:
        return []
    reading = Reading(packs, schemas)
    present = {d.kind for d in bundle.documents}
    line, col = bundle.manifest.position("/standards") or (None, None)
    out = []
    for kind in reading.kinds:
        need, rules = document_need(kind, reading)
        if need != NEEDED or kind in present:
            continue
        title = schemas.by_kind[kind].get("title", kind)
        out.append(Problem(f"缺少必备文件：{title}（kind: {kind}；{refs_text(rules, 'zh')} 需要）/ needed document "
                           f"missing: no {kind} document (needed by {refs_text(rules, 'en')})",
                           MANIFEST, line, col, field="/standards", gap=MISSING_DOCUMENT))
    return out
