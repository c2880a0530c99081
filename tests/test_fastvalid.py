"""checker.fastvalid: a long array validated a slice at a time gives the answer of the whole document."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import jsonschema_rs
import pytest

from checker import fastvalid
from checker.bundle import load_bundle
from checker.evidence import validate_bundle
from checker.schemas import load_schemas

NONE: tuple[frozenset, frozenset, frozenset] = (frozenset(), frozenset(), frozenset())

ROWS = {"type": "object", "required": ["id", "value"],
        "properties": {"id": {"type": "string"}, "value": {"type": "number", "minimum": 0}}}


def _schema(**records) -> dict:
    return {"type": "object", "required": ["kind", "records"], "additionalProperties": False,
            "properties": {"kind": {"const": "t"}, "records": {"type": "array", "items": ROWS, **records},
                           "other": {"type": "array", "items": ROWS, "minItems": 2}}}


def _rows(count: int, bad: int | None = None) -> list[dict]:
    return [{"id": f"r{i}", "value": -1 if i == bad else i} for i in range(count)]


@pytest.fixture
def small_slices(monkeypatch):
    monkeypatch.setattr(fastvalid, "SLICE", 3)


@pytest.mark.parametrize("keywords", [{}, {"minItems": 2}, {"minItems": 3}, {"x-records": True, "title": "行"}])
def test_same_answer_as_whole_document(small_slices, keywords):
    schema = _schema(**keywords)
    validator = jsonschema_rs.validator_for(schema)
    for count, bad in itertools.product(range(0, 12), [None, 0, 2, 3, 5, 7, 10, 11]):
        data = {"kind": "t", "records": _rows(count, bad)}
        assert fastvalid.is_valid(validator, schema, data, NONE) is validator.is_valid(data), (count, bad, keywords)


def test_slices_cover_every_row_once(small_slices):
    for count in range(4, 40):
        slices = fastvalid._slices(count)
        assert [i for start, stop in slices for i in range(start, stop)] == list(range(count))
        assert all(stop - start >= fastvalid.SLICE for start, stop in slices)


def test_two_long_arrays_each_judged(small_slices):
    schema = _schema()
    validator = jsonschema_rs.validator_for(schema)
    for bad_records, bad_other in itertools.product([None, 1, 8], [None, 0, 9]):
        data = {"kind": "t", "records": _rows(10, bad_records), "other": _rows(10, bad_other)}
        assert fastvalid.is_valid(validator, schema, data, NONE) is validator.is_valid(data)


@pytest.mark.parametrize("keywords", [{"uniqueItems": True}, {"maxItems": 5}, {"contains": {"required": ["x"]}},
                                      {"minItems": 4}, {"items": [ROWS]}])
def test_whole_array_keywords_validate_whole(small_slices, keywords):
    schema = _schema(**keywords)
    assert fastvalid._sliced(schema, {"kind": "t", "records": _rows(10)}) == []


def test_document_level_answer_kept(small_slices):
    """A problem outside the long array (a field the schema does not allow) is found with every slice."""
    schema = _schema()
    validator = jsonschema_rs.validator_for(schema)
    assert fastvalid.is_valid(validator, schema, {"kind": "t", "records": _rows(10), "extra": 1}, NONE) is False
    assert fastvalid.is_valid(validator, schema, {"kind": "x", "records": _rows(10)}, NONE) is False


def test_a_bad_row_past_the_first_slice_is_found_in_a_bundle(tmp_path, monkeypatch):
    """Through the whole validation of a bundle: the row is named with its line."""
    monkeypatch.setattr(fastvalid, "SLICE", 4)
    park = tmp_path / "park"
    shutil.copytree(Path(__file__).resolve().parent.parent / "evidence" / "donghu-park", park)
    path = park / "energy_consumption.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 12, "the example's ledger must be longer than two slices"
    header = lines[0].split(",")
    row = lines[10].split(",")
    row[header.index("quantity")] = "-5"
    lines[10] = ",".join(row)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    schemas = load_schemas()
    problems = validate_bundle(load_bundle(park, schemas.table_fields()), schemas)
    assert any(p.file == "energy_consumption.csv" and p.line == 11 and "quantity" in (p.field or "") for p in problems), \
        problems


@pytest.mark.parametrize("root", [{"allOf": [{"properties": {"records": {"maxItems": 5}}}]},
                                  {"patternProperties": {"^rec": {"maxItems": 5}}},
                                  {"dependentSchemas": {"records": {"properties": {"records": {"maxItems": 5}}}}},
                                  {"if": {"properties": {"records": {"minItems": 7}}}, "then": {"required": ["other"]}},
                                  {"not": {"properties": {"records": {"minItems": 7}}}}])
def test_root_keywords_on_the_array_validate_whole(small_slices, root):
    """A keyword of the document's schema that judges the long array as a whole (beside its ``properties`` node)
    gives the answer of the whole document: sliced, each slice of 3 rows would pass ``maxItems: 5``."""
    schema = {**_schema(), **root}
    validator = jsonschema_rs.validator_for(schema)
    data = {"kind": "t", "records": _rows(10)}
    assert validator.is_valid(data) is False
    assert fastvalid.is_valid(validator, schema, data, NONE) is False


def test_root_keywords_of_real_schemas_still_slice(small_slices):
    """The evidence schemas (``patternProperties`` ``^x-``: anything, ``x-`` keywords) still slice their tables."""
    schemas = load_schemas()
    schema = schemas.inlined("energy_consumption")
    assert fastvalid._sliced(schema, {"records": [{}] * 10}) == ["records"]
