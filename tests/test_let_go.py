"""After the results are made, the facts nothing later reads are let go (issue 15, memory at 180k records):
the report is the same, and what the sections and the neutrality claim read is still there."""
from __future__ import annotations

from checker import check
from checker.aggtable import report_kinds
from checker.neutrality import CLAIM_KIND
from checker.sourcepack import RELEASED

from .conftest import EVIDENCE


def test_only_the_kinds_read_after_the_results_keep_their_facts(monkeypatch):
    seen: dict = {}
    let_go = check._let_go

    def spy(facts, packs):
        before = {kind: list(fids) for kind, fids in facts.by_kind.items()}
        let_go(facts, packs)
        seen.update(before=before, after=facts, keep=report_kinds(packs) | {CLAIM_KIND})

    monkeypatch.setattr(check, "_let_go", spy)
    bundle, _ = check.load_and_validate(EVIDENCE / "lvgu-park")
    report = check.check_bundle(bundle, ["t-cpqs-zc001-2025", "ndrc-zero-carbon-park-2025"])
    facts, before, keep = seen["after"], seen["before"], seen["keep"]
    assert keep == report_kinds([check.compiled_pack(s).pack for s in
                                 ("t-cpqs-zc001-2025", "ndrc-zero-carbon-park-2025")]) | {CLAIM_KIND}
    assert set(facts.by_kind) == {kind for kind in before if kind in keep} and keep & set(before)
    assert len(before) > len(facts.by_kind)  # some kinds were let go
    for kind, fids in before.items():
        for fid in fids:
            if kind in keep:
                fact = facts.facts[int(fid) - 1]  # (its engine copy may be released already: check._release)
                assert facts.sources[fid].kind == kind and (fact is RELEASED or fact["kind"] == kind)
            else:
                assert fid not in facts.sources and facts.facts[int(fid) - 1] is RELEASED
    assert report.sections and any(table["rows"] for s in report.sections for table in s["tables"])
