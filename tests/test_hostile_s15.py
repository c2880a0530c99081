"""Hostile and odd bundles, second look (session 15): what a new user's spreadsheet or an attacker's
bundle holds that the earlier hostile tests did not try.

Each test builds its bundle from a copy of the conforming example park and runs the real command
in-process; a refusal must be one readable line naming the file (workbook cell) and exit 2, a gap in
content a finding at its clause.  Tests marked ``xfail(strict=True)`` pin a problem found in a file
this session's helper may not edit (see the helper's report in STATUS.md): they turn red once it is
fixed, and their marker is then deleted.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import CONFORMING, listed_problems, run_in_process
from tests.xlsx_fill import table_as_workbook

GHG = "ghg_inventory.csv"


def _park(tmp_path: Path) -> Path:
    folder = tmp_path / "park"
    shutil.copytree(CONFORMING, folder)
    return folder


def _check(folder: Path):
    out = folder.parent / "out"
    proc = run_in_process("check", folder, "--out", out, "--format", "json", "--lang", "en")
    text = proc.stdout + proc.stderr
    assert "Traceback" not in text, text[-3000:]
    report = json.loads((out / "report.json").read_text(encoding="utf-8")) if proc.returncode in (0, 1) else None
    return proc, report


def _one_line(proc) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    lines = listed_problems(proc.stdout, proc.stderr)
    assert len(lines) == 1, proc.stderr
    assert "\n" not in lines[0]
    return lines[0]


def _inventory_as_workbook(folder: Path, edit) -> Path:
    """The park's GHG inventory moved from its CSV table into ledger.xlsx (sheet named by its kind);
    ``edit(ws, header)`` then changes the sheet."""
    return table_as_workbook(folder, GHG, "ghg_inventory.records", edit)


# -- workbooks: a value no column reads is never dropped silently ------------------------------------

def test_a_value_right_of_the_last_header_is_refused_naming_its_cell(tmp_path):
    """A note typed two columns right of the table (no header above it) was silently ignored: the run
    conformed with evidence the checker never read."""
    folder = _park(tmp_path)

    def note(ws, header):
        ws.cell(row=5, column=len(header) + 2, value="已核减 120 tCO2e")

    _inventory_as_workbook(folder, note)
    line = _one_line(_check(folder)[0])
    assert "ledger.xlsx!ghg_inventory.records!V5" in line, line
    assert "header" in line, line


def test_a_value_under_a_blank_header_cell_is_refused_naming_its_cell(tmp_path):
    folder = _park(tmp_path)

    def blank_header(ws, header):
        ws.insert_cols(3)  # a column with no header between enterprise and year
        ws.cell(row=7, column=3, value=42)

    _inventory_as_workbook(folder, blank_header)
    line = _one_line(_check(folder)[0])
    assert "ledger.xlsx!ghg_inventory.records!C7" in line, line


def test_an_empty_unheaded_column_and_a_blank_header_are_still_fine(tmp_path):
    """Formatting or blanks right of the table (the sheet's dimension wider than its header) change
    nothing: the same verdicts as the CSV table."""
    folder = _park(tmp_path)

    def blanks(ws, header):
        ws.cell(row=3, column=len(header) + 3, value="   ")
        ws.cell(row=1, column=len(header) + 1, value=" ")

    _inventory_as_workbook(folder, blanks)
    proc, report = _check(folder)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert report["summary"]["nonconformities"]["total"] == 0


# -- found in files this helper may not edit: strict xfails (delete the marker once fixed) -------------

def test_a_quote_never_closed_is_one_line_naming_where_it_opened(tmp_path):
    """``...,"2`` on line 2 (a stray quote typed before the last cell): the csv module, not strict, read
    the other 287 lines of the inventory into that one cell; the run exited 1 with seven findings about
    a one-record inventory, one of them quoting 30 KB of the file as the "value" of quality_tier."""
    folder = _park(tmp_path)
    path = folder / GHG
    text = path.read_text(encoding="utf-8")
    first_end = text.index("\n", text.index("\n") + 1)  # the end of line 2 (the first record)
    assert text[first_end - 2:first_end] == ",2"
    path.write_text(text[:first_end - 1] + '"' + text[first_end - 1:], encoding="utf-8")
    line = _one_line(_check(folder)[0])
    assert f"{GHG}:2" in line, line
    assert "quote" in line, line


def _only_purchased_electricity(folder: Path) -> None:
    path = folder / GHG
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(lines[0] + "".join(x for x in lines[1:] if ",purchased_electricity," in x), encoding="utf-8")


def test_an_inventory_of_purchased_electricity_only_is_no_months_nonconformity(tmp_path):
    """A park whose enterprises only buy electricity (12 months each, complete): zc001-7.3.2-f-months
    has no subject (its aggregate leaves out purchased energy, which f-months-purchased checks) and its
    dependency conforms, so it became a nonconformity reading "The bundle holds no agg.ghg_months." -
    a false finding, naming an internal fact kind."""
    folder = _park(tmp_path)
    _only_purchased_electricity(folder)
    proc, report = _check(folder)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    months = [r for r in report["results"] if r["rule"] == "zc001-7.3.2-f-months"]
    assert months and all(r["status"] != "nonconformity" for r in months), months
    assert not any("agg." in json.dumps(r["message"], ensure_ascii=False) for r in report["results"])


def test_a_ruleset_refused_once_by_the_engine_is_registered_on_a_second_try(monkeypatch):
    """About one run in ten of the unmodified example park (warm private cache, unloaded machine: 1 of 20,
    2 of 24; 1 of 7 under load) exits 2 with "engine error: the engine refused ruleset
    t-cpqs-zc001-2025#76@...: Could not create ruleset, error code: 102" (ERR_PARSE_STRING).  The text
    handed to create_ruleset is byte-identical in the failing and the passing runs, and creating it
    again at once in the failing process succeeds: the C parser reads memory it should not (heap-
    dependent).  Simulated here: the engine's first create_ruleset call fails as it does then."""
    import durable.engine as durable_engine

    from checker.engine import Engine

    real = durable_engine.durable_rules_engine.create_ruleset
    calls = []

    def flaky(name, text):
        calls.append(name)
        if len(calls) == 1:
            raise Exception("Could not create ruleset, error code: 102")  # as the engine raises it
        return real(name, text)

    monkeypatch.setattr(durable_engine.durable_rules_engine, "create_ruleset", flaky)
    definition = {"r|pass|0": {"all": [{"s": {"kind": "policy"}}], "run": "r|pass|0"}}
    Engine()._register("s15-flaky-test", definition)
    assert len(calls) == 2


# -- attachments: an empty file is no evidence ---------------------------------------------------------

def test_an_empty_attachment_is_refused_like_a_missing_one(tmp_path):
    """The internal audit report cited as attachments/ia-2023-report.pdf, a file of 0 bytes: the run
    conformed (the path was there).  A missing attachment is refused; an empty one shows no more."""
    folder = _park(tmp_path)
    (folder / "attachments" / "ia-2023-report.pdf").write_bytes(b"")
    line = _one_line(_check(folder)[0])
    assert "internal_audit.yaml:34:" in line and "/audits/0/report/attachment" in line, line
    assert "'attachments/ia-2023-report.pdf' is an empty file (0 bytes)" in line, line


def test_a_claim_covered_by_green_certificates_holds_when_the_ccer_is_rejected(tmp_path):
    """The CCER is not retired (rejected at 9.2.5 c), rightly a nonconformity there); the green certificates
    alone, 40,000 MWh x 0.5703 = 22,812 tCO2e, retired and valid, cover the 20,934.21 tCO2e of 2024.  The
    claim holds, yet 7.3.5 d) read "valid offsets of 0 (none valid) ... an amount not computable": the
    tCO2e offsets' aggregate had no row for 2024, so valid_offsets was undefined (the mirror case, the
    certificates rejected and the CCER covering, conforms)."""
    folder = _park(tmp_path)
    path = folder / "offsets.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("retired: true", "retired: false", 1).replace("quantity: 10500,", "quantity: 40000,")
    path.write_text(text.replace("claimed_offsets: 20988.15", "claimed_offsets: 22812"), encoding="utf-8")
    proc, report = _check(folder)
    assert proc.returncode == 1, proc.stderr[-2000:]  # the CCER not retired stays a finding at 9.2.5 c)
    assert any("zc001-9.2.5-c-retired" in n["rules"] for n in report["nonconformities"])
    claim = report["neutrality"][0]
    assert claim["figures"]["valid_offsets"] == pytest.approx(22812.0), claim
    assert claim["status"] == "conform", claim["message"]["en"]


def test_a_ruleset_refused_again_and_again_is_tried_with_the_heap_shifted_each_time(monkeypatch):
    """In a CI run the engine refused ruleset #76 three times in a row (session 16), the heap unchanged between
    tries.  Each new try now runs with the C heap shifted (``checker.allocator.shifted``: blocks of other sizes
    held); five refusals and a success register the ruleset, six refusals are an ``EngineError``."""
    import durable.engine as durable_engine

    from checker import allocator, engine
    from checker.engine import Engine
    from checker.errors import EngineError

    real = durable_engine.durable_rules_engine.create_ruleset
    steps: list[int] = []
    shifted = allocator.shifted

    def spy(step):
        steps.append(step)
        return shifted(step)

    monkeypatch.setattr(engine, "shifted", spy)

    def refusing(times):
        calls = []

        def create(name, text):
            calls.append(name)
            if len(calls) <= times:
                raise Exception("Could not create ruleset, error code: 102")  # as the engine raises it
            return real(name, text)
        return calls, create

    definition = {"r|pass|0": {"all": [{"s": {"kind": "policy"}}], "run": "r|pass|0"}}
    calls, create = refusing(engine.REGISTER_ATTEMPTS - 1)
    monkeypatch.setattr(durable_engine.durable_rules_engine, "create_ruleset", create)
    Engine()._register("s16-refused-five-times", definition)
    assert len(calls) == engine.REGISTER_ATTEMPTS and steps == list(range(engine.REGISTER_ATTEMPTS))
    calls, create = refusing(engine.REGISTER_ATTEMPTS)
    monkeypatch.setattr(durable_engine.durable_rules_engine, "create_ruleset", create)
    with pytest.raises(EngineError, match="refused ruleset s16-refused-always 6 times"):
        Engine()._register("s16-refused-always", definition)
