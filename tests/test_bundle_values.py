"""--max-bundle-values: the values of all documents and tables of a bundle, counted as they are read and
refused past the limit with one line naming the document where the count went over and the option."""

from __future__ import annotations

import shutil

import pytest

from checker.bundle import TableContent
from checker.check import load_and_validate
from checker.pointers import Positioned
from checker.yamlmarks import MarkedContent

from .conftest import CONFORMING
from .conftest import run_in_process as run_cli
from .xlsx_fill import tables_as_workbook


def _values(bundle_path) -> tuple[int, list]:
    bundle, _ = load_and_validate(bundle_path)
    return bundle.values, bundle.documents


def test_each_kind_of_content_counts_as_max_values_does():
    total, documents = _values(CONFORMING)
    kinds = {type(d.content) for d in documents}
    assert {TableContent, MarkedContent} <= kinds
    for doc in documents:
        walked = Positioned.values(doc.content)  # the reference: walk the data (a scalar 1, a list or mapping 2)
        if type(doc.content) is TableContent:  # a row: a mapping of its columns, each counted (the bound)
            rows = doc.content.data[doc.content.base.strip("/")]
            assert doc.content.values() == len(rows) * (doc.content.width + 2) + 5 >= walked
        else:
            assert doc.content.values() == walked, doc.path
    assert total == sum(d.content.values() for d in documents)


@pytest.mark.parametrize("command", ["check", "validate"])
def test_a_bundle_over_the_limit_is_one_line_naming_the_document(command, tmp_path):
    total, documents = _values(CONFORMING)
    limit = total - 1  # the last document read takes it over
    proc = run_cli(command, CONFORMING, "--max-bundle-values", str(limit), "--out", tmp_path / "out") \
        if command == "check" else run_cli(command, CONFORMING, "--max-bundle-values", str(limit))
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert "--max-bundle-values" in lines[0] and f"{limit:,}" in lines[0]
    last = sorted(d.path for d in documents if "!" not in d.path)[-1]
    assert lines[0].startswith(f"parkcheck: error: {last}:")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert run_cli(command, CONFORMING, "--max-bundle-values", str(total),
                   *(("--out", tmp_path / "ok") if command == "check" else ())).returncode == 0


def test_workbook_sheets_count_too(tmp_path):
    dest = tmp_path / "park"
    shutil.copytree(CONFORMING, dest)
    tables_as_workbook(dest)
    total, documents = _values(dest)
    assert any("!" in d.path for d in documents)
    assert total == sum(d.content.values() for d in documents)
    proc = run_cli("validate", dest, "--max-bundle-values", str(total - 1))
    assert proc.returncode == 2 and "register.xlsx!" in proc.stderr and "--max-bundle-values" in proc.stderr
