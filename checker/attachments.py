"""The ``x-attachment`` schema keyword: a field that names a file of the bundle (a scan, a signed copy).

The path must be relative, stay inside the bundle, name a file (not a folder, not a document of the
bundle, not an empty file: a scan of 0 bytes is no evidence) that is there.  The bundle's files are
set for the validation in ``BUNDLE_FILES`` (``checker.schemas.validate_document``).  Both validators
use it: jsonschema (messages) and jsonschema-rs (the fast "is it valid").
"""

from __future__ import annotations

import contextvars
from pathlib import PurePosixPath

import jsonschema  # type: ignore[import-untyped]  # no stubs in the environment

from .i18n import tr
from .limits import calendar_date

# The files of the bundle being validated, for the x-attachment keyword: (attachments, documents, the
# attachments that are empty files).
BUNDLE_FILES: contextvars.ContextVar[tuple[frozenset, ...]] = contextvars.ContextVar(
    "bundle_files", default=(frozenset(), frozenset(), frozenset()))


def x_attachment(validator, value, instance, schema_node):
    if not value or not isinstance(instance, str):
        return
    attachments, documents, *rest = BUNDLE_FILES.get()
    empty = rest[0] if rest else frozenset()
    path = instance.replace("\\", "/")
    pp = PurePosixPath(path)
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        yield jsonschema.ValidationError(tr("attachment path {path} must be relative to the bundle",
                                           path=repr(instance)))
    elif ".." in pp.parts:
        yield jsonschema.ValidationError(tr("attachment path {path} points outside the bundle", path=repr(instance)))
    elif str(pp) in documents:
        yield jsonschema.ValidationError(tr("{path} is a document of the bundle, not an attachment",
                                           path=repr(instance)))
    elif str(pp) in empty:  # a scan of 0 bytes shows nothing: no more evidence than a missing one
        yield jsonschema.ValidationError(tr("attachment {path} is an empty file (0 bytes)", path=repr(instance)))
    elif str(pp) not in attachments:
        folder = str(pp) + "/"
        if any(a.startswith(folder) for a in attachments):
            yield jsonschema.ValidationError(tr("attachment {path} is a folder, not a file", path=repr(instance)))
        else:
            yield jsonschema.ValidationError(tr("attachment {path} is not in the bundle", path=repr(instance)))


class RsAttachment:
    """x-attachment for jsonschema-rs: the same check as ``x_attachment``, raising on a bad path."""

    def __init__(self, parent_schema, value, schema_path):
        self.value = value

    def validate(self, instance):
        if self.value and isinstance(instance, str) and next(x_attachment(None, True, instance, None), None):
            raise ValueError("attachment")


# The ``date`` format for both validators: a date that exists, in the years ``checker.limits`` allows (jsonschema-rs
# took 0000-01-01 for one, jsonschema does not; year 1 or 9999 take the checks' date arithmetic out of range).
DATES = {"date": calendar_date}  # jsonschema-rs
FORMAT_CHECKER = jsonschema.FormatChecker()  # jsonschema: its own checks for the other formats
FORMAT_CHECKER.checkers["date"] = (calendar_date, ())
