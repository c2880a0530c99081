"""What keeps the end of a large check in bounded memory (issue 15) must not change what it says: the
engine's copies of the facts are released before the results are made, each rule's firings are
dropped after its results, reports are rendered one format at a time, and the C allocator returns
large freed blocks."""

from __future__ import annotations

import checker.check as check
import checker.reporters as reporters
from checker.allocator import tune
from checker.engine import shared_engine
from checker.neutrality import CLAIM_KIND
from checker.reporters import write_reports
from checker.schemas import load_schemas
from checker.verdicts import rule_results

from .conftest import DEFECTIVE, example_report
from .test_memory import _facts as base_facts


def _facts():
    _, compiled, facts = base_facts()
    return compiled, facts


def test_releasing_the_engine_copies_and_consuming_the_firings_changes_no_result():
    compiled, facts = _facts()
    schemas = load_schemas()
    feeds = [(r.name, r.definition, r.feed) for r in compiled.rulesets]
    kept = rule_results(compiled, facts, shared_engine().evaluate(feeds, list(facts.facts)), schemas)
    evaluation = shared_engine().evaluate(feeds, list(facts.facts))
    check._release(facts, {CLAIM_KIND})
    released = rule_results(compiled, facts, evaluation, schemas, consume=True)
    assert released == kept
    assert evaluation.firings == []
    gone = [src for src in facts.sources.values() if src.fact is None]
    assert gone and all(src.names is None for src in gone)  # a fact with derived values keeps its copy
    assert any(src.fact is not None and src.names for src in facts.sources.values())


def test_reports_are_rendered_one_format_at_a_time(tmp_path, monkeypatch):
    """Each format is rendered (or streamed) only once the ones before it are on disk: one format's text in
    memory at a time."""
    report = example_report(DEFECTIVE)
    written: list[str] = []

    def on_disk() -> set[str]:
        return {p.name for p in tmp_path.glob(".out.tmp-*/*")}

    streamed = reporters.STREAMED["md"]

    def stream_once(rep, lang, write):
        assert on_disk() == {"report.json", "report.md"}  # the page's file is open, being written
        assert [p.stat().st_size for p in tmp_path.glob(".out.tmp-*/report.md")] == [0]
        written.append("report.md")
        streamed(rep, lang, write)
    monkeypatch.setitem(reporters.STREAMED, "md", stream_once)
    for f in ("csv", "junit"):
        name, render = reporters.FORMATS[f]

        def once(rep, lang, name=name, render=render):
            assert on_disk() == {"report.json", *written}  # earlier ones on disk
            written.append(name)
            return render(rep, lang)
        monkeypatch.setitem(reporters.FORMATS, f, (name, once))
    paths = write_reports(report, tmp_path / "out", ["json", "md", "csv", "junit"])
    assert [p.name for p in paths] == ["report.json", "report.md", "nonconformities.csv", "junit.xml"]
    assert written == ["report.md", "nonconformities.csv", "junit.xml"]


def test_the_allocator_is_tuned_once_per_process():
    assert tune() is tune()  # cached: mallopt is called once (True on glibc, False elsewhere)


def test_a_check_writing_the_default_reports_loads_no_office_library_nor_dask(tmp_path):
    """A check that writes the default report set (json, md, html, csv) of a bundle whose pack converts units
    never imports openpyxl, python-docx or Dask (~30 MiB resident together, issue 15): each office format's module
    is imported when that format is written, and pint is imported without its Dask support.  The office
    formats and Dask itself still work afterwards in the same process."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from checker.check import check_bundle, load_and_validate\n"
        "from checker.cli_support import DEFAULT_FORMATS\n"
        "from checker.reporters import write_reports\n"
        "from checker import quantities\n"
        f"bundle, problems = load_and_validate(Path({str(root / 'evidence' / 'lvgu-park')!r}))\n"
        "assert not problems\n"
        "report = check_bundle(bundle, list(bundle.manifest.data['standards']))\n"
        f"write_reports(report, Path({str(tmp_path / 'out')!r}), list(DEFAULT_FORMATS))\n"
        "assert quantities.registry() is not None\n"
        "print(sorted(m for m in ('openpyxl', 'docx', 'dask', 'weasyprint') if m in sys.modules))\n"
        f"write_reports(report, Path({str(tmp_path / 'office')!r}), ['xlsx', 'docx'])\n"
        "import dask\n"
        "print(sorted(m for m in ('openpyxl', 'docx', 'dask') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=300,
                          env={**__import__("os").environ, "PARKCHECK_CACHE_DIR": "off"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["[]", "['dask', 'docx', 'openpyxl']"]
    assert (tmp_path / "office" / "nonconformities.xlsx").stat().st_size > 0
