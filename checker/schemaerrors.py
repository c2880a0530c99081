"""Readable messages for JSON Schema validation errors: one ``(pointer, message)`` per error, from
a table of the keywords the schemas use (anything else keeps the validator's own message)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs in the environment

from .i18n import tr
from .labels import enum_message  # an enum error lists the accepted Chinese labels (x-enum-labels)
from .limits import FIRST_DATE, LAST_DATE, existing_date
from .pointers import join_pointer

JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number",
              type(None): "null"}


def json_type(value: Any) -> str:
    return JSON_TYPES.get(type(value), type(value).__name__)


def type_name(name: str) -> str:
    """A JSON type in the words of the message language (``string`` → ``文本``)."""
    names = {"object": tr("object"), "array": tr("array"), "string": tr("string"), "boolean": tr("boolean"),
             "integer": tr("integer"), "number": tr("number"), "null": tr("null")}
    return names.get(name, name)


def _required(err: jsonschema.ValidationError, pointer: str) -> tuple[str, str] | None:
    missing = [k for k in err.validator_value if isinstance(err.instance, dict) and k not in err.instance]
    # one error per missing field, each naming it: "'base_year' is a required property"
    named = [k for k in missing if err.message == f"{k!r} is a required property"]
    name = (named or missing or [err.message])[0]
    return join_pointer(pointer, name), tr("required field is missing")


def _additional(err: jsonschema.ValidationError, pointer: str) -> tuple[str, str] | None:
    if not isinstance(err.instance, dict):
        return None
    allowed = set((err.schema or {}).get("properties", {}))
    extra = sorted(k for k in err.instance if k not in allowed and not k.startswith("x-"))
    if not extra:
        return None
    message = tr("unknown field {field} (allowed here: {allowed}; prefix your own fields with x-)",
                field=repr(extra[0]), allowed=", ".join(sorted(allowed)))
    return join_pointer(pointer, extra[0]), message


def _type(err: jsonschema.ValidationError, pointer: str) -> tuple[str, str] | None:
    vv, inst = err.validator_value, err.instance
    expected = type_name(vv) if isinstance(vv, str) else tr(" or ").join(map(type_name, vv))
    if inst is None:
        return pointer, tr("left blank (expected {expected})", expected=expected)
    if isinstance(inst, (dict, list)):
        return pointer, tr("expected {expected}, got {got}", expected=expected, got=type_name(json_type(inst)))
    if isinstance(inst, str) and inst.startswith("=") and len(inst) > 1:  # a spreadsheet formula, its result not saved
        return pointer, tr("expected {expected}, got the formula {value}, whose result the file does not hold "
                           "(open it in Excel or WPS, let it calculate and save it)", expected=expected,
                           value=repr(inst))
    return pointer, tr("expected {expected}, got {got} {value}", expected=expected, got=type_name(json_type(inst)),
                      value=repr(inst))


def _format(err: jsonschema.ValidationError, pointer: str) -> tuple[str, str] | None:
    if err.validator_value == "date":
        if existing_date(err.instance):  # a real date, out of the years the checks can count in
            return pointer, tr("expected a date from {first} to {last}, got {value}", first=FIRST_DATE, last=LAST_DATE,
                               value=repr(err.instance))
        return pointer, tr("expected a date written YYYY-MM-DD, got {value}", value=repr(err.instance))
    return pointer, tr("{value} is not a valid {format}", value=repr(err.instance), format=err.validator_value)


def _bound(err: jsonschema.ValidationError, pointer: str) -> tuple[str, str] | None:
    sym = {"minimum": "≥", "maximum": "≤", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[str(err.validator)]
    return pointer, tr("must be {bound}, got {value}", bound=f"{sym} {err.validator_value}", value=repr(err.instance))


def _min_items(err: jsonschema.ValidationError, pointer: str) -> tuple[str, str] | None:
    vv = err.validator_value
    return pointer, tr("must list at least 1 item") if vv == 1 else tr("must list at least {count} items", count=vv)


def _best_alternative(err: jsonschema.ValidationError, pointer: str) -> tuple[str, str] | None:
    best = jsonschema.exceptions.best_match(err.context) if err.context else None
    return describe_error(best) if best is not None else None


_Describe = Callable[[jsonschema.ValidationError, str], "tuple[str, str] | None"]
_DESCRIBE: dict[str, _Describe] = {
    "required": _required,
    "additionalProperties": _additional,
    "type": _type,
    "enum": lambda e, p: (p, enum_message(e.instance, e.validator_value, e.schema)),
    "const": lambda e, p: (p, tr("must be {expected}, got {value}", expected=repr(e.validator_value),
                                value=repr(e.instance))),
    "format": _format,
    "minimum": _bound, "maximum": _bound, "exclusiveMinimum": _bound, "exclusiveMaximum": _bound,
    "minItems": _min_items,
    "minLength": lambda e, p: (p, tr("must not be empty")),
    "pattern": lambda e, p: (p, tr("{value} does not have the expected form ({pattern})", value=repr(e.instance),
                                  pattern=e.validator_value)),
    "uniqueItems": lambda e, p: (p, tr("items must not repeat")),
    "oneOf": _best_alternative, "anyOf": _best_alternative,
}


def describe_error(err: jsonschema.ValidationError) -> tuple[str, str]:
    """Return ``(pointer, message)`` for one validation error."""
    pointer = "".join(join_pointer("", p) for p in err.absolute_path)
    describe = _DESCRIBE.get(str(err.validator))
    described = describe(err, pointer) if describe is not None else None
    return described if described is not None else (pointer, err.message)


