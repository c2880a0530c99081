"""Errors that reach the user as one readable line.

``InputError`` is anything wrong with what the user gave us (bundle, options, rule files):
the CLI prints it and exits 2.  ``EngineError`` means the rule engine did not run cleanly:
results cannot be trusted, so the check stops instead of reporting a silent pass.
"""

from __future__ import annotations

from dataclasses import dataclass

from .escape import one_line
from .i18n import zh

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT_ERROR = 2


@dataclass
class Problem:
    """One located problem: ``file:line:col: field: message``, always one line (file names, fields
    and messages quote evidence text, so control characters and newlines are shown escaped)."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None
    gap: str | None = None  # evidence validation: the schema keyword of a content gap (checker.schemas.GAP_KEYWORDS)
    label: str | None = None  # the field in the park's terms: its title from the schema (Chinese or English)
    # the message in each language ({"zh": …, "en": …}) where a report needs it whatever the message language
    # is (content gaps: checker.gaps), so that a report does not depend on the locale it was made in
    messages: dict[str, str] | None = None
    kind: str | None = None  # the document kind a gap of a whole document is about (a declared table not in the bundle)

    def text(self, lang: str) -> str:
        """The message in ``lang`` when known, else as written."""
        return (self.messages or {}).get(lang, self.message)

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = one_line(self.file)
            if self.line:
                where += f":{self.line}"
                if self.column:
                    where += f":{self.column}"
            where += ": "
        return f"{where}{self.field_text()}{one_line(self.message)}"

    def field_text(self) -> str:
        """``发布日期（/issue_date）：`` in Chinese, ``Issue date (/issue_date): `` in English; the pointer
        alone (``/issue_date: ``) when the field has no title."""
        if not self.field:
            return ""
        field = one_line(self.field)
        if not self.label:
            return f"{field}: "
        label = one_line(self.label)
        return f"{label}（{field}）：" if zh() else f"{label} ({field}): "


class ReadProblem(Problem):
    """A file that could not be read or parsed at all (or a cell that cannot be taken): the bundle is
    unreadable there, so ``check`` and ``validate`` exit 2 after listing every problem."""

    @classmethod
    def of(cls, exc: InputError) -> ReadProblem:
        p = exc.problem
        return cls(p.message, p.file, p.line, p.column, p.field, p.gap, p.label, p.messages)


class ParkcheckError(Exception):
    """Base class of the errors this package raises on purpose."""


class InputError(ParkcheckError):
    """Bad input: a file that cannot be read, parsed or trusted, or a bad option."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None,
                 column: int | None = None, field: str | None = None):
        self.problem = Problem(message, file, line, column, field)
        super().__init__(str(self.problem))


class RuleError(InputError):
    """A rule pack that does not load or lint cleanly."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        first = str(problems[0]) if problems else "rule pack error"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        ParkcheckError.__init__(self, first + more)
        self.problem = problems[0] if problems else Problem("rule pack error")


class EngineError(ParkcheckError):
    """The rule engine did not complete an evaluation cleanly."""
