"""A value a rule judges may be taken from another document by a declared ``ref`` (``derive:`` in
pack.yaml): "the factor a record cites is in the factor table" is written over the inventory records but
reads the factor table.  When the bundle lacks that document, every record breaches for the one reason
that the document is absent: one nonconformity, saying so and citing the manifest, not one per rule and
no silent pass."""

from __future__ import annotations

import shutil

from checker.check import run_check
from checker.packs import get_pack
from checker.vacuous import ref_kinds

from .conftest import CONFORMING, PACK

CITED = "zc001-7.3.2-e-factor-cited"
SOURCE = "zc001-7.3.2-e-factor-source"


def test_ref_kinds_follow_derived_values_to_the_document_they_are_taken_from():
    pack = get_pack(PACK)
    rule = next(r for r in pack.rules if r.id == CITED)
    assert "emission_factors.factors" in ref_kinds(rule, pack)
    # a rule that reads no ref'd value reaches no other document
    plain = next(r for r in pack.rules if r.id == SOURCE)
    assert ref_kinds(plain, pack) == ()


def test_an_absent_factor_table_is_one_nonconformity_naming_it(tmp_path):
    bundle = tmp_path / "park"
    shutil.copytree(CONFORMING, bundle)
    (bundle / "emission_factors.yaml").unlink()
    report = run_check(bundle, [PACK])
    about_factors = [nc for nc in report.nonconformities
                     if {CITED, SOURCE} & set(nc.rules)]
    assert len(about_factors) == 1, [(nc.rules, nc.finding.zh) for nc in about_factors]
    nc = about_factors[0]
    assert nc.missing == ("emission_factors",)
    assert nc.finding.zh.startswith("证据包中没有排放因子表")
    assert [c for _, c in nc.clauses] == ["7.3.2 e)"]
    files = {e.file for e in nc.evidence}
    assert files == {"ghg_inventory.csv", "bundle.yaml"}
    # every record citing a factor is cited as evidence, at its factor_id cell
    cited = [e for e in nc.evidence if e.file == "ghg_inventory.csv"]
    assert cited and all(e.pointer.endswith("/factor_id") and e.line > 1 for e in cited)
    # the factor-source rule is not a second finding, nor a pass: it waits on this one
    source = [r for r in report.results if r.rule == SOURCE]
    assert source and all(r.status.value != "conform" for r in source)
