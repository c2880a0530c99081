"""The audit's own records, beside the park's evidence: fail closed on any problem in them.

Some documents are not the park's evidence but records that steer the check: the certification
body's audit information (``audit``), the auditor's on-site results (``onsite``), waivers and accepted
risks (``waivers``), the park's corrective actions (``corrective_actions``) and the park's statement
of applicability (``applicability``).  Their schemas say so with ``"x-control": true``.  Each may be in
the bundle or given beside it by a command-line option (``--audit FILE`` …); a file given by option
takes the place of the bundle's document of that kind.

A content gap in a park's evidence becomes a finding and the check goes on; a gap or any other
problem in one of these records stops the check (exit 2, file, line and field): a waiver without an
approver, an on-site result without an auditor or a statement of applicability without a reason
must not silently change a verdict.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .bundle import Bundle, Document
from .errors import InputError, Problem
from .i18n import tr
from .labels_in import normalise_document
from .register_in import KIND as REGISTER_KIND
from .register_in import read_register
from .schemas import SchemaSet, validate_document
from .xlsxcells import WORKBOOK_SUFFIX
from .xlsxio import locate_cells
from .yamlio import read_yaml_file

__all__ = ["Controls", "control_kinds", "control_problems", "load_controls", "placeholder_problems"]

_TRIM = " \t\r\n\u3000。．.；;，,：:！!"


def control_kinds(schemas: SchemaSet) -> tuple[str, ...]:
    """The kinds whose schemas declare ``x-control``, sorted."""
    return tuple(sorted(k for k, s in schemas.by_kind.items() if s.get("x-control")))


@dataclass
class Controls:
    """The control documents of one check, by kind (at most one each), and where each came from."""

    documents: dict[str, Document] = field(default_factory=dict)

    def get(self, kind: str) -> Document | None:
        return self.documents.get(kind)

    def data(self, kind: str) -> dict | None:
        doc = self.documents.get(kind)
        return doc.data if doc is not None else None


class ControlError(InputError):
    """A control document has problems: every one of them is listed, the first is shown."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        first = problems[0]
        super().__init__(tr("{problem} (an audit record with a problem stops the check)", problem=first.message),
                         first.file, first.line, first.column, first.field)
        self.problem = first


def control_problems(problems: list[Problem], bundle: Bundle, schemas: SchemaSet) -> list[Problem]:
    """The problems (content gaps included, made errors) that fall in the bundle's control documents."""
    kinds = set(control_kinds(schemas))
    paths = {d.path for d in bundle.documents if d.kind in kinds}
    return [dataclasses.replace(p, gap=None) for p in problems if p.file in paths]


def load_controls(bundle: Bundle, schemas: SchemaSet, given: dict[str, Path] | None = None) -> Controls:
    """The control documents: a file ``given`` for a kind replaces the bundle's document of that kind.
    Raises ``ControlError`` (exit 2) on any problem of a given file; the bundle's own control
    documents were validated with the bundle (``control_problems`` makes their gaps errors)."""
    kinds = control_kinds(schemas)
    controls = Controls()
    for kind in kinds:
        docs = bundle.by_kind(kind)
        if docs:
            controls.documents[kind] = docs[0]
    for kind, path in sorted((given or {}).items()):
        if kind not in kinds:
            raise InputError(tr("{kind} is not an audit record (known: {kinds})", kind=kind, kinds=", ".join(kinds)))
        controls.documents[kind] = _read_given(kind, Path(path), schemas)
    problems = [p for doc in controls.documents.values()
                for p in locate_cells([doc], placeholder_problems(doc, schemas))]
    if problems:
        raise ControlError(sorted(problems, key=lambda p: (p.file or "", p.line or 0, p.column or 0, p.field or "")))
    return controls


def _read_given(kind: str, path: Path, schemas: SchemaSet) -> Document:
    if path.suffix.lower() == WORKBOOK_SUFFIX:  # the register --format xlsx writes, filled by the park
        return _read_register(kind, path, schemas)
    content = read_yaml_file(path, str(path))
    doc = Document(path=str(path), kind=kind, content=content, fmt="yaml")
    data = doc.data
    if not isinstance(data, dict):
        raise ControlError([Problem(tr("a document must be a mapping with a kind"), str(path), 1, 1, "/")])
    if data.get("kind") != kind:
        line, col = doc.position("/kind") or (1, 1)
        raise ControlError([Problem(tr("this file is given as {kind} but says kind {found}", kind=kind,
                                       found=repr(data.get("kind"))), str(path), line, col, "/kind")])
    normalise_document(doc, schemas)
    problems = validate_document(schemas, kind, doc.data, doc.path, doc.position, set(), set())
    if problems:
        raise ControlError([dataclasses.replace(p, gap=None) for p in problems])
    return doc


def _read_register(kind: str, path: Path, schemas: SchemaSet) -> Document:
    """A ``corrective_actions`` document from the register workbook (``checker.register_in``), validated
    like the YAML; problems name the workbook's cell.  An empty register holds no entries."""
    if kind != REGISTER_KIND:
        raise InputError(tr("only the corrective actions can be given as a workbook (.xlsx), not {kind}",
                            kind=kind), str(path))
    name, content = read_register(path, schemas)
    doc = Document(path=name, kind=kind, content=content, fmt="xlsx")
    if not doc.data["actions"]:
        return doc  # the park has answered nothing yet: no entries (the schema's minItems is for a file)
    normalise_document(doc, schemas)
    problems = validate_document(schemas, kind, doc.data, doc.path, doc.position, set(), set())
    if problems:
        raise ControlError(locate_cells([doc], [dataclasses.replace(p, gap=None) for p in problems]))
    return doc


def placeholder_problems(doc: Any, schemas: SchemaSet) -> list[Problem]:
    """The texts of an audit record that hold only a placeholder (待定, 暂无, TBD …, the schema's
    ``x-placeholders``): in the park's evidence such a text counts as not given and becomes a finding;
    in an audit record it is a gap, and a gap stops the check (a waiver "justified" by 待定 is none)."""
    out = []
    for pointer, value, node in schemas.walk_instance(doc.kind, doc.data):
        words = {w.casefold() for w in node.get("x-placeholders") or ()}
        if isinstance(value, str) and words and value.strip(_TRIM).casefold() in words:
            pos = doc.position(pointer) or (None, None)
            out.append(Problem(tr("{value} is only a placeholder: an audit record must say what it means",
                                  value=repr(value)), doc.path, pos[0], pos[1], pointer))
    return out
