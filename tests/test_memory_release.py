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
