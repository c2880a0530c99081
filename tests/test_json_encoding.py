"""The reports' JSON encoder (checker.reporters._json) writes exactly what ``json.dumps(..., indent=2)`` writes."""

from __future__ import annotations

import json
from enum import Enum

import pytest

from checker.check import run_check
from checker.reporters import _json, json_report, oscal_report, sarif_report

from .conftest import ROOT


class _Word(str, Enum):  # noqa: UP042 - as model.Status: a str mixin
    YES = "是"


_VALUES = [
    {}, [], (), "", 0, -1, 10 ** 30, 1.5, -0.0, 1e16, 1e-7, 0.1 + 0.2, float("nan"), float("inf"), -float("inf"),
    True, False, None, "中文\n\t\"\\\x01\x7f\u2028\ud800",
    {"a": [], "b": {}, "c": [[], [{}]], "d": {"e": {"f": [1, {"g": None}]}}},
    {3: "int", 2.5: "float", True: "true", False: "false", None: "null", "k": (1, "t")},
    {_Word.YES: [_Word.YES]},
]


def _standard(data) -> str:
    """The standard library's text, U+2028 / U+2029 escaped as the reports write them (tests/test_hostile_s17b.py)."""
    return json.dumps(data, ensure_ascii=False, indent=2).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@pytest.mark.parametrize("data", _VALUES, ids=[f"value{i}" for i in range(len(_VALUES))])
def test_values_encode_exactly_as_the_standard_library(data):
    assert _json.dumps(data) == _standard(data)


@pytest.mark.parametrize("data", [{"a": object()}, {(1, 2): 1}, {1, 2}, b"bytes"], ids=["object", "tuple-key", "set", "bytes"])
def test_what_the_standard_library_refuses_is_refused(data):
    with pytest.raises(TypeError):
        json.dumps(data, ensure_ascii=False, indent=2)
    with pytest.raises(TypeError):
        _json.dumps(data)


@pytest.mark.parametrize("bundle", ["evidence/binhai-park", "rules/t-cpqs-zc001-2025/fixtures/base"])
def test_reports_encode_exactly_as_the_standard_library(bundle):
    report = run_check(ROOT / bundle)
    for data in (json_report.to_dict(report), sarif_report.to_dict(report, "zh"), oscal_report.to_dict(report, "en")):
        assert _json.dumps(data) == _standard(data)


@pytest.mark.parametrize("which", ["conforming", "defective"])
def test_report_json_written_as_it_is_made_is_byte_identical(which, tmp_path, monkeypatch):
    """report.json is streamed to its file in chunks (the largest report is never held whole):
    the bytes equal ``render``'s, with chunks small enough that every result crosses a boundary."""
    from checker.reporters import json_report, write_reports

    from .conftest import CONFORMING, DEFECTIVE, example_report

    report = example_report(CONFORMING if which == "conforming" else DEFECTIVE)
    expected = json_report.render(report, "zh")
    monkeypatch.setattr(json_report, "STREAM_CHUNK", 7)
    monkeypatch.setattr(_json, "FLUSH_PARTS", 1)  # the writer hands on its pieces after every item
    chunks: list[bytes] = []
    json_report.stream(report, "zh", chunks.append)
    assert len(chunks) > 100 and b"".join(chunks) == expected
    monkeypatch.undo()
    write_reports(report, tmp_path / "out", ["json", "md"])
    assert (tmp_path / "out" / "report.json").read_bytes() == expected


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_report_pages_written_as_they_are_made_are_byte_identical(fmt, tmp_path):
    """report.md and report.html are streamed from their templates in chunks (issue 15: a large report's
    page is never held whole): the bytes equal ``render``'s, with chunks small enough to split every line."""
    from checker.reporters import _view, html_report, md_report, write_reports

    from .conftest import DEFECTIVE, example_report

    module = md_report if fmt == "md" else html_report
    report = example_report(DEFECTIVE)
    expected = module.render(report, "zh")
    chunks: list[bytes] = []
    _view.chunked(iter(expected.decode("utf-8")), chunks.append, size=7)
    assert len(chunks) > 100 and b"".join(chunks) == expected
    written: list[bytes] = []
    module.stream(report, "zh", written.append)
    assert b"".join(written) == expected
    write_reports(report, tmp_path / "out", [fmt])
    assert (tmp_path / "out" / f"report.{fmt}").read_bytes() == expected
