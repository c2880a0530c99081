"""Deterministic energy ledgers and GHG inventories (issue 16): valid `energy_consumption` and
`ghg_inventory` tables (CSV) with their `emission_factors` (YAML), for the benchmark and the examples.

    python bench/ledger.py OUT [--enterprises N]  # the large example park
    # (default 500 enterprises: 180,000 inventory rows and 180,000 energy-ledger rows)
    write_ledger(folder, 180000)  # 500 enterprises x 3 years x 12 months x 10 sources

The park written by the command is the T/CPQS fixture (rules/t-cpqs-zc001-2025/fixtures/base) with the
generated ledger, inventory and factors in place of its own; the documents that state figures of the
inventory are rewritten from the generated totals (``consistent_figures``): the declared park and biomass
totals per year, the industrial value added per year, the intensity baseline of the base year, and the
neutrality claim of the last year with offsets that cover it.  It checks with no nonconformity against
the standard it declares, like evidence/lvgu-park.

Every row is internally consistent: declared tce = quantity x coefficient, declared emissions =
activity x factor x GWP, 12 months per enterprise, energy type and year, purchased electricity in
the inventory equal to the metered grid electricity of the ledger (on-site PV is not counted again),
biomass reported in its own category.  The factor values are example values (``example: true``): they
are plausible magnitudes, not figures cited from an official publication.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import math
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

BASE = Path(__file__).resolve().parent.parent / "rules" / "t-cpqs-zc001-2025" / "fixtures" / "base"
MONTHS = range(1, 13)
ENERGY_COLUMNS = ["id", "enterprise", "year", "month", "energy_type", "quantity", "unit", "coefficient",
                  "coefficient_unit", "coefficient_source", "declared_tce", "source", "on_site"]
GHG_COLUMNS = ["id", "enterprise", "year", "month", "source", "category", "gas", "activity", "activity_unit",
               "factor_id", "factor", "factor_unit", "factor_source", "factor_publisher", "factor_year",
               "gwp_set", "gwp", "emissions", "data_source", "quality_tier"]
# the benchmark's tables leave out the optional text columns no rule reads (ids, sources, publishers)
BENCH_ENERGY_COLUMNS = [c for c in ENERGY_COLUMNS if c not in ("id", "source")]  # coefficient_source: 7.3.2 e) reads it
BENCH_GHG_COLUMNS = [c for c in GHG_COLUMNS if c not in ("id", "factor_source", "factor_publisher", "data_source")]
INTENSITY_UNITS = ("tCO2/万元", "tCO2e/万元")
DEFAULT_INTENSITY = 0.8  # tCO2/万元, for a year no document states an intensity for
GB2589 = "GB/T 2589—2020 附录A"
EXAMPLE_SET = "示例排放因子集（非官方数值）"
EXAMPLE_PUBLISHER = "parkcheck 示例数据"


@dataclass(frozen=True)
class Source:
    """One energy type / emission source of an enterprise: its ledger line and its inventory line."""

    code: str
    energy_type: str
    unit: str
    coefficient: float
    coefficient_unit: str
    monthly: float  # a typical monthly quantity
    category: str | None = None  # None: no inventory line (on-site PV)
    factor: float = 0.0
    factor_unit: str = ""
    on_site: bool = False
    biogenic: bool = False
    inventory_source: str = ""


SOURCES = (
    Source("ELEC", "电力", "MWh", 0.1229, "tce/MWh", 820.0, "purchased_electricity", 0.5703, "tCO2/MWh",
           inventory_source="外购电力"),
    Source("NG", "天然气", "万m3", 12.143, "tce/万m3", 9.6, "fossil_fuel_combustion", 21.622, "tCO2/万m3",
           inventory_source="燃气锅炉"),
    Source("PV", "光伏发电", "MWh", 0.1229, "tce/MWh", 95.0, on_site=True),
    Source("HEAT", "热力", "GJ", 0.03412, "tce/GJ", 1300.0, "purchased_heat", 0.11, "tCO2/GJ",
           inventory_source="外购蒸汽"),
    Source("DSL", "柴油", "t", 1.4571, "tce/t", 4.2, "fossil_fuel_combustion", 3.0959, "tCO2/t",
           inventory_source="厂内运输车辆"),
    Source("COAL", "原煤", "t", 0.7143, "tce/t", 160.0, "fossil_fuel_combustion", 1.9003, "tCO2/t",
           inventory_source="燃煤导热油炉"),
    Source("BIO", "生物质成型燃料", "t", 0.5998, "tce/t", 55.0, "biomass", 1.6, "tCO2/t", biogenic=True,
           inventory_source="生物质锅炉"),
    Source("LPG", "液化石油气", "t", 1.7143, "tce/t", 2.5, "fossil_fuel_combustion", 3.1013, "tCO2/t",
           inventory_source="食堂"),
    Source("GAS", "汽油", "t", 1.4714, "tce/t", 1.8, "fossil_fuel_combustion", 2.9251, "tCO2/t",
           inventory_source="公务车辆"),
    Source("FO", "燃料油", "t", 1.4286, "tce/t", 6.5, "fossil_fuel_combustion", 3.1705, "tCO2/t",
           inventory_source="燃油备用锅炉"),
)
LIMESTONE = Source("LIME", "", "t", 0.0, "", 300.0, "industrial_process", 0.4397, "tCO2/t",
                   inventory_source="石灰石分解")
BY_CODE = {s.code: s for s in (*SOURCES, LIMESTONE)}
INVENTORY_CODES = (*(s.code for s in SOURCES if s.category is not None), LIMESTONE.code)
_CODE_SALT = {code: 31 * sum(map(ord, code)) for code in BY_CODE}  # (a fixed number per source: no hash())
PER_ENTERPRISE = 3 * len(MONTHS) * len(INVENTORY_CODES)  # inventory rows of an enterprise (3 years)


def factor_id(source: Source, year: int) -> str:
    return f"EF-{source.code}-{year}"


def emission_factors(factor_year: int, region: str = "全国") -> dict:
    """The example factor table: one factor per inventory source, all of ``factor_year``."""
    factors = []
    for s in (*SOURCES, LIMESTONE):
        if s.category is None:
            continue
        item = s.energy_type or s.inventory_source
        factors.append({"id": factor_id(s, factor_year), "set": EXAMPLE_SET, "version": str(factor_year),
                        "publisher": EXAMPLE_PUBLISHER, "year": factor_year, "region": region,
                        "basis": "示例值，量级参照公开的核算指南缺省值", "item": item, "value": s.factor,
                        "unit": s.factor_unit, "gas": "CO2", "biogenic": s.biogenic, "example": True,
                        "citation": "示例数值，不能作为官方公布值引用"})
    return {"kind": "emission_factors", "factors": factors}


def _quantity(source: Source, enterprise: int, year: int, month: int) -> float:
    """A deterministic monthly quantity: the typical value, varied by month, enterprise and year, and by up to 10%
    from row to row, so that - as in a park's real ledger - nearly every row's quantity is its own (a ledger of a
    few hundred distinct quantities would let a check that does work once per distinct value look faster than it
    is on real data)."""
    season = 1.0 + 0.15 * (((month * 7 + enterprise * 3 + year) % 11) - 5) / 5
    size = 0.6 + (enterprise % 7) * 0.15
    spread = 1.0 + ((enterprise * 7919 + year * 104729 + month * 613 + _CODE_SALT[source.code]) % 20011) / 200110
    return round(source.monthly * season * size * spread, 3)


def rows_for(enterprise_no: int, enterprise: str, year: int, codes: tuple[str, ...],
             factor_year: int) -> tuple[list[dict], list[dict]]:
    """The ledger rows and inventory rows of one enterprise and year for the sources ``codes``."""
    energy: list[dict] = []
    ghg: list[dict] = []
    for code in codes:
        s = BY_CODE[code]
        for month in MONTHS:
            q = _quantity(s, enterprise_no, year, month)
            stem = f"{enterprise}-{year}{month:02d}-{s.code}"
            if s.energy_type:
                energy.append({"id": stem, "enterprise": enterprise, "year": year, "month": month,
                               "energy_type": s.energy_type, "quantity": q, "unit": s.unit,
                               "coefficient": s.coefficient, "coefficient_unit": s.coefficient_unit,
                               "coefficient_source": GB2589 if s.code != "BIO" else "按实测低位发热量折算",
                               "declared_tce": round(q * s.coefficient, 4), "source": "计量表计读数",
                               "on_site": s.on_site})
            if s.category is not None:
                ghg.append({"id": stem, "enterprise": enterprise, "year": year, "month": month,
                            "source": s.inventory_source, "category": s.category, "gas": "CO2",
                            "activity": q, "activity_unit": s.unit, "factor_id": factor_id(s, factor_year),
                            "factor": s.factor, "factor_unit": s.factor_unit, "factor_source": EXAMPLE_SET,
                            "factor_publisher": EXAMPLE_PUBLISHER, "factor_year": factor_year, "gwp_set": "AR5",
                            "gwp": 1, "emissions": round(q * s.factor, 4), "data_source": "结算单据",
                            "quality_tier": 2})
    return energy, ghg


def _cell(v):
    return "true" if v is True else "false" if v is False else v


def write_csv(path: Path, columns: list[str], rows) -> int:
    """Write the ``rows`` (an iterable of dicts; keys not in ``columns`` left out); the count written."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        out.writeheader()
        for row in rows:
            out.writerow({k: _cell(v) for k, v in row.items()})
            count += 1
    return count


def _add_tables(folder: Path, tables: list[dict]) -> None:
    manifest_path = folder / "bundle.yaml"
    manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    listed = [t for t in manifest.get("tables") or [] if t.get("file") not in {t2["file"] for t2 in tables}]
    manifest["tables"] = listed + tables
    manifest_path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _period_end_year(folder: Path) -> int:
    manifest = yaml.safe_load((folder / "bundle.yaml").read_text(encoding="utf-8"))
    end = manifest["period"]["end"]
    return end.year if isinstance(end, _dt.date) else int(str(end)[:4])


def write_ledger(folder: Path, rows: int) -> dict:
    """Write ``energy_ledger.csv``, ``ghg_inventory.csv`` (declared under ``tables:`` in bundle.yaml),
    ``emission_factors.yaml`` and ``ghg_boundary.yaml`` into the bundle ``folder``: ``rows`` inventory rows
    as whole enterprises of 3 years x 12 months x 10 sources (at least one enterprise), the years ending
    with the bundle's period.  Existing documents of these kinds in the folder are replaced.  Returns the
    counts written."""
    folder = Path(folder)
    last = _period_end_year(folder)
    years = (last - 2, last - 1, last)
    codes = INVENTORY_CODES
    n = max(1, rows // PER_ENTERPRISE)
    ledger_codes = tuple(s.code for s in SOURCES)
    for stale in ("energy_consumption.yaml", "ghg_inventory.yaml", "ghg_inventory_2022-2023.yaml",
                  "emission_factors.yaml"):
        (folder / stale).unlink(missing_ok=True)
    names = [{"id": f"E{e:04d}", "name": f"示例企业{e:04d}"} for e in range(1, n + 1)]
    energy = write_csv(folder / "energy_ledger.csv", BENCH_ENERGY_COLUMNS,
                       (row for e in range(1, n + 1) for year in years
                        for row in rows_for(e, f"E{e:04d}", year, ledger_codes, years[0])[0]))
    park: dict[int, float] = {}
    biomass: dict[int, float] = {}
    ghg = write_csv(folder / "ghg_inventory.csv", BENCH_GHG_COLUMNS,
                    _summed((row for e in range(1, n + 1) for year in years
                             for row in rows_for(e, f"E{e:04d}", year, codes, years[0])[1]), park, biomass))
    factors = emission_factors(years[0])
    _dump(folder / "emission_factors.yaml", factors)
    boundary = {"kind": "ghg_inventory", "region": "全国", "boundary": names, "totals": _totals(park, biomass)}
    _dump(folder / "ghg_boundary.yaml", boundary)
    _add_tables(folder, [{"file": "energy_ledger.csv", "kind": "energy_consumption"},
                         {"file": "ghg_inventory.csv", "kind": "ghg_inventory"}])
    consistent_figures(folder, park)
    return {"enterprises": n, "years": len(years), "energy_rows": energy, "ghg_rows": ghg,
            "factors": len(factors["factors"])}


def _dump(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _summed(rows, park: dict[int, float], biomass: dict[int, float]):
    """The inventory ``rows``, passed through; their declared emissions summed per year into ``park``
    (biomass apart; nothing is exported) and ``biomass`` (tCO2e) as they go."""
    for row in rows:
        into = biomass if row["category"] == "biomass" else park
        into[row["year"]] = into.get(row["year"], 0.0) + row["emissions"]
        yield row


def _totals(park: dict[int, float], biomass: dict[int, float]) -> list[dict]:
    out = []
    for year in sorted(park):
        out.append({"id": f"T-{year}-PARK", "year": year, "scope": "park", "emissions": round(park[year], 3),
                    "unit": "tCO2e", "includes_biomass": False})
        if year in biomass:
            out.append({"id": f"T-{year}-BIO", "year": year, "scope": "category", "category": "biomass",
                        "emissions": round(biomass[year], 3), "unit": "tCO2e"})
    return out


def _stated_intensities(folder: Path) -> dict[int, float]:
    """The emission intensities per year (tCO2/万元) the park's documents state: the intensity baseline's
    value for its base year (baseline.yaml) and the later years' performance (improvement.yaml)."""
    out: dict[int, float] = {}
    path = folder / "baseline.yaml"
    base = next((b for b in (_load(path).get("baselines") or []) if b.get("unit") in INTENSITY_UNITS), None) \
        if path.exists() else None
    if base is None:
        return out
    out[base["base_year"]] = base["value"]
    path = folder / "improvement.yaml"
    for p in (_load(path).get("performance") or []) if path.exists() else []:
        if p.get("baseline_ref") == base["id"] and isinstance(p.get("value"), (int, float)):
            out[p["year"]] = p["value"]
    return out


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def consistent_figures(folder: Path, park: dict[int, float]) -> None:
    """Rewrite the documents of ``folder`` that state figures of the inventory, when it has them, from the
    generated park totals per year (``park``, tCO2e): the industrial value added per year
    (``economic_output.yaml``) such that the inventory gives the intensities the park states (its intensity
    baseline, moved to the first year, and its yearly performance; ``DEFAULT_INTENSITY`` otherwise), and
    the neutrality claim, moved to the last year (``offsets.yaml``), whose first offset (a CCER in tCO2e)
    is sized so that the valid offsets cover the claimed emissions."""
    first, last = min(park), max(park)
    stated = _stated_intensities(folder)
    if stated:
        path = folder / "baseline.yaml"
        doc = _load(path)
        base = next(b for b in doc["baselines"] if b.get("unit") in INTENSITY_UNITS)
        stated[first] = stated.pop(base["base_year"])
        base["base_year"] = first
        _dump(path, doc)
    path = folder / "economic_output.yaml"
    if path.exists():
        _dump(path, {"kind": "economic_output", "records": [
            {"year": y, "indicator": "工业增加值", "value": round(park[y] / stated.get(y, DEFAULT_INTENSITY), 2),
             "unit": "万元", "price_basis": "constant", "constant_base_year": 2020, "source": "区统计局年报"}
            for y in sorted(park)]})
    path = folder / "offsets.yaml"
    if path.exists():
        doc = _load(path)
        _claim(doc, last, round(park[last], 3))
        _dump(path, doc)


def _claim(doc: dict, year: int, emissions: float) -> None:
    """The claim of ``year`` states ``emissions``; the first offset (tCO2e) covers what the others leave."""
    offsets = doc.get("offsets") or []
    others = sum(o["quantity"] * o.get("factor", 1.0) for o in offsets[1:])
    offsets[0]["quantity"] = max(1, math.ceil(emissions - others))
    for o in offsets:
        o["claimed_year"] = year
    claimed = offsets[0]["quantity"] + others
    doc["claim"].update(year=year, claimed_emissions=emissions, claimed_offsets=round(claimed, 3),
                        statement=f"园区 {year} 年边界内温室气体排放已通过注销的减排量和绿证全部抵消，实现碳中和。")


def write_park(folder: Path, enterprises: int = 500) -> dict:
    """The large example park: the T/CPQS fixture (``BASE``) copied to the new folder ``folder`` with a
    ledger and inventory of ``enterprises`` enterprises (3 years x 12 months x 10 sources each)."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(f"{folder}: not empty; give a new or empty folder")
    shutil.copytree(BASE, folder, dirs_exist_ok=True)
    manifest = yaml.safe_load((folder / "bundle.yaml").read_text(encoding="utf-8"))
    manifest["park"] = {"name": f"示例大型产业园区（生成的示例，{enterprises} 家企业）", "code": "GEN-LARGE"}
    _dump(folder / "bundle.yaml", manifest)
    return write_ledger(folder, enterprises * PER_ENTERPRISE)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python bench/ledger.py", description="Write the large example park "
                                 "(the benchmark's GHG ledger as a bundle that conforms to T/CPQS ZC001-2025).")
    ap.add_argument("out", type=Path, help="a new or empty folder")
    ap.add_argument("--enterprises", type=int, default=500,
                    help="enterprises, each 3 years x 12 months x 10 sources (default 500: 180,000 rows "
                         "in each of the inventory and the energy ledger)")
    args = ap.parse_args(argv)
    if args.enterprises < 1:
        ap.error("--enterprises must be at least 1")
    try:
        counts = write_park(args.out, args.enterprises)
    except (FileExistsError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{args.out}: {counts['enterprises']} enterprises, {counts['ghg_rows']} inventory rows, "
          f"{counts['energy_rows']} energy-ledger rows, {counts['factors']} emission factors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
