"""Figures and verdicts that must agree (issue 16): the valid-offsets figure of the neutrality section
leaves out exactly the offsets the offset rules reject (T/CPQS ZC001—2025 9.2.5 c), 7.3.5 d)), and a
declared park or enterprise total is compared with the same net figure (records less exported
electricity and heat) the claim, the baseline and the intensity use (7.3.2 f))."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checker.check import run_check
from checker.model import Status

from .conftest import CONFORMING, PACK

EXPORT_ROW = ("LG-E01-2024-EXPORT,LG-E01,2024,,余电上网,exported_energy,CO2,1000,MWh,EF-ELEC-2022,0.5703,tCO2/MWh,"
              "示例排放因子集（非官方数值）,parkcheck 示例数据,2022,AR5,1,570.3,结算单据,2\n")


def _copy(tmp_path: Path) -> Path:
    dest = tmp_path / CONFORMING.name
    shutil.copytree(CONFORMING, dest)
    return dest


def _line(bundle: Path, name: str, needle: str) -> int:
    [line] = [i for i, text in enumerate((bundle / name).read_text(encoding="utf-8").splitlines(), 1) if needle in text]
    return line


def _findings(report, rule: str) -> list:
    return [r for r in report.results if r.rule == rule and r.status in (Status.NONCONFORMITY, Status.OBSERVATION)]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("field, old, new", [
    ("retirement_date", "retirement_date: 2025-04-01", "retirement_date: 2025-04-16"),
    ("retirement_evidence", ", retirement_evidence: 注销证明 ZX-2025-0999", ""),
])
def test_a_rejected_surplus_offset_is_listed_and_not_counted(tmp_path, conforming, field, old, new):
    """A third offset retired after the audit date (2025-04-15), or without a certificate: rejected with its
    reason at 9.2.5 c) and left out of the valid-offsets figure; the other two still cover 2024, so the
    verdict stands."""
    park = _copy(tmp_path)
    extra = ("  - {serial: CCER-LG-2024-0777, type: ccer, project: 绿谷园区屋顶分布式光伏项目, registry: 全国温室气体自愿减排注册登记系统, "
             "vintage: 2024, quantity: 3000, unit: tCO2e, retired: true, retirement_date: 2025-04-01, "
             "retirement_evidence: 注销证明 ZX-2025-0999, claimed_year: 2024}\n")
    with open(park / "offsets.yaml", "a", encoding="utf-8") as f:
        f.write(extra.replace(old, new))
    report = run_check(park, [PACK])
    [n], [before] = report.neutrality, conforming.neutrality
    assert n.status is Status.CONFORM
    assert dict(n.figures)["valid_offsets"] == pytest.approx(dict(before.figures)["valid_offsets"])
    [o] = n.rejected
    assert o.serial == "CCER-LG-2024-0777" and o.line == _line(park, "offsets.yaml", "CCER-LG-2024-0777")
    rule = {"retirement_date": "zc001-9.2.5-c-retired-by-audit", "retirement_evidence": "zc001-9.2.5-c-evidence"}[field]
    assert o.rules == (rule,)
    [r] = _findings(report, rule)
    assert (r.clause, r.grade.value, r.evidence[0].file, r.evidence[0].pointer) == (
        "9.2.5 c)", "minor", "offsets.yaml", "/offsets/2" + ("/retirement_date" if new else ""))  # absent: the record
    assert r.evidence[0].line == o.line


def test_a_declared_total_is_net_of_exported_energy(tmp_path):
    """LG-E01 exports 1,000 MWh in 2024 (570.3 tCO2e).  LG-E01's declared 2024 total, still the gross sum, is
    the finding at its line naming the net figure; the park total built on it waits (one root defect).
    With LG-E01 declared net the park total is its own finding; with both and the claim net, none."""
    park = _copy(tmp_path)
    with open(park / "ghg_inventory.csv", "a", encoding="utf-8", newline="") as f:
        f.write(EXPORT_ROW)
    report = run_check(park, [PACK])
    [e] = _findings(report, "zc001-7.3.2-f-total-enterprise")
    [waiting] = [r for r in report.results if r.rule == "zc001-7.3.2-f-total-park" and r.status is Status.NOT_EVALUATED]
    assert "zc001-7.3.2-f-total-enterprise" in waiting.blocked_by
    _edit(park / "ghg_inventory.yaml", "emissions: 6271.409", "emissions: 5701.109")
    report = run_check(park, [PACK])
    [p] = _findings(report, "zc001-7.3.2-f-total-park")
    assert _findings(report, "zc001-7.3.2-f-total-enterprise") == []
    for r, needle in ((p, "T-2024-PARK"), (e, "T-2024-LG-E01")):
        assert (r.status, r.grade.value, r.clause) == (Status.NONCONFORMITY, "minor", "7.3.2 f)")
        assert (r.evidence[0].file, r.evidence[0].line) == ("ghg_inventory.yaml", _line(park, "ghg_inventory.yaml", needle))
        assert r.evidence[0].pointer.endswith("/emissions")
    assert "20363.911" in p.message.zh and "570.3" in p.message.zh
    assert "5701.109" in e.message.zh
    # the same net figure for the claim: declared net totals and claim leave no accounting or claim finding
    _edit(park / "ghg_inventory.yaml", "emissions: 20934.211", "emissions: 20363.911")
    _edit(park / "offsets.yaml", "claimed_emissions: 20934.211", "claimed_emissions: 20363.911")
    report = run_check(park, [PACK])
    for rule in ("zc001-7.3.2-f-total-park", "zc001-7.3.2-f-total-enterprise", "zc001-7.3.5-d-claim",
                 "zc001-7.3.5-d-neutral"):
        assert _findings(report, rule) == [], rule
    [n] = report.neutrality
    assert dict(n.figures)["inventory_emissions"] == pytest.approx(20363.911, abs=0.01)
