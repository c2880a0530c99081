"""Pack files are validated by jsonschema-rs first and explained by the reference validator only when
they fail (``checker.packload.schema_problems``): the two must agree on every shipped rule file and
pack manifest, and on broken variants of them, or a broken rule would lint clean."""

from __future__ import annotations

import copy
import random

import pytest

from checker.packload import schema_problems
from checker.schemas import load_schemas
from checker.yamlio import read_yaml_file

from .conftest import ROOT

FILES = sorted(p for folder in ("rules", "rules-reconstructed") for p in (ROOT / folder).glob("*/*.yaml"))
BROKEN = [1, 1.5, "x", None, True, [], {}, "2025-13-45", -1]


def _schema(path) -> str:
    return "pack.schema.json" if path.name == "pack.yaml" else "rule.schema.json"


def _variant(data, rnd: random.Random):
    """``data`` with one edit at a random depth: a field removed, retyped, renamed, or wrapped in a list."""
    data = copy.deepcopy(data)
    node = data
    for _ in range(rnd.randint(0, 5)):
        if isinstance(node, dict) and node:
            node = node[rnd.choice(sorted(node))]
        elif isinstance(node, list) and node:
            node = rnd.choice(node)
    if isinstance(node, dict) and node:
        key = rnd.choice(sorted(node))
        edit = rnd.randrange(5)
        if edit == 0:
            del node[key]
        elif edit == 1:
            node[key] = rnd.choice(BROKEN)
        elif edit == 2:
            node[key + "_x"] = 1
        elif edit == 3:
            node[key] = str(node[key])
        else:
            node[key] = [node[key]]
    elif isinstance(node, list):
        node.append(rnd.choice(BROKEN))
    return data


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(ROOT).as_posix() for p in FILES])
def test_the_fast_validator_agrees_with_the_reference(path):
    schemas = load_schemas()
    fast = schemas.fast_schema_validator(_schema(path))
    assert fast is not None  # jsonschema-rs is a dependency: the fast path is taken
    reference = schemas.validator(schemas.schema(_schema(path)))
    doc = read_yaml_file(path, path.name)
    rnd = random.Random(path.name)
    invalid = 0
    for i in range(12):
        data = doc.data if i == 0 else _variant(doc.data, rnd)
        valid = next(reference.iter_errors(data), None) is None
        invalid += not valid
        assert fast.is_valid(data) == valid, (i, [e.message for e in reference.iter_errors(data)][:3])
    assert invalid >= 1  # the variants do break the schema


def test_a_file_that_fails_is_explained_with_its_location():
    schemas = load_schemas()
    path = ROOT / "rules" / "t-cpqs-zc001-2025" / "6.2-policy.yaml"
    doc = read_yaml_file(path, path.name)
    doc.data["rules"][0]["grade"] = "catastrophic"  # the parse is the caller's own copy
    problems = schema_problems(schemas, "rule.schema.json", doc, "6.2-policy.yaml")
    assert [(p.file, p.field) for p in problems] == [("6.2-policy.yaml", "/rules/0/grade")]
    assert problems[0].line > 1
