"""Running out of memory is one line naming what happened, exit 2, never a traceback or an "internal error"."""

from __future__ import annotations

import checker.check
from checker.cli_support import OUT_OF_MEMORY

from .conftest import CONFORMING


def test_check_out_of_memory_is_one_line(cli, monkeypatch, tmp_path):
    def short_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(checker.check, "run_check", short_of_memory)
    out = tmp_path / "out"
    result = cli("check", CONFORMING, "--out", out)
    assert result.exit_code == 2
    assert result.stderr == OUT_OF_MEMORY + "\n"
    assert "Traceback" not in result.output and "internal error" not in result.stderr
    assert not out.exists() or not any(out.iterdir())  # nothing reported


def test_other_errors_still_say_internal_error(cli, monkeypatch, tmp_path):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(checker.check, "run_check", broken)
    result = cli("check", CONFORMING, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr.startswith("parkcheck: internal error (ZeroDivisionError: boom)")


def test_a_batch_bundle_out_of_memory_is_a_row_saying_so(monkeypatch, tmp_path):
    import checker.batch_worker as worker
    from checker.batch_summary import ERROR_KINDS
    from checker.limits import DEFAULT_LIMITS

    def short_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(worker, "run_check", short_of_memory)
    opts = worker.options([], None, ["json"], "zh", "auto", DEFAULT_LIMITS)
    task = {"index": 1, "source": str(CONFORMING), "relative": "lvgu-park", "reports": "reports/lvgu-park",
            "out": str(tmp_path / "reports" / "lvgu-park"), "options": opts}
    row = worker.check_one(task)
    assert row["error_kind"] == worker.MEMORY and ERROR_KINDS[worker.MEMORY] == ("内存不足", "out of memory")
    assert row["error"].startswith("out of memory") or row["error"].startswith("内存不足")
    assert row["verdict"] is None and not (tmp_path / "reports").exists()


def test_a_workbook_read_out_of_memory_is_not_called_corrupt(monkeypatch):
    """openpyxl parses a read-only sheet's cells as its rows are read (``xlsxcells.read_rows``) and may run out of
    memory there or while opening the workbook: that is running out of memory (one line, ``guarded``), not "a
    cell of this sheet cannot be read ... save it again" or "not a readable .xlsx workbook (MemoryError)"."""
    import sys

    import pytest

    import checker.xlsxcells as cells

    def rows():
        yield (1,)
        raise MemoryError

    reader = cells.read_rows(rows(), "台账.xlsx", "能源台账")
    assert next(reader) == (1,)
    with pytest.raises(MemoryError):
        next(reader)

    class Exhausted:
        @staticmethod
        def load_workbook(*args, **kwargs):
            raise MemoryError

    monkeypatch.setitem(sys.modules, "openpyxl", Exhausted)
    with pytest.raises(MemoryError):
        cells.open_workbook(b"PK", "台账.xlsx")
