"""Deterministic energy ledgers and GHG inventories (issue 16): valid `energy_consumption` and
`ghg_inventory` tables (CSV) with their `emission_factors` (YAML), for the benchmark and the examples.

    write_ledger(folder, 180000)  # 500 enterprises x 3 years x 12 months x 10 sources

Every row is internally consistent: declared tce = quantity x coefficient, declared emissions =
activity x factor x GWP, 12 months per enterprise, energy type and year, purchased electricity in
the inventory equal to the metered grid electricity of the ledger (on-site PV is not counted again),
biomass reported in its own category.  The factor values are example values (``example: true``): they
are plausible magnitudes, not figures cited from an official publication.
"""

from __future__ import annotations

import csv
import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

import yaml

MONTHS = range(1, 13)
ENERGY_COLUMNS = ["id", "enterprise", "year", "month", "energy_type", "quantity", "unit", "coefficient",
                  "coefficient_unit", "coefficient_source", "declared_tce", "source", "on_site"]
GHG_COLUMNS = ["id", "enterprise", "year", "month", "source", "category", "gas", "activity", "activity_unit",
               "factor_id", "factor", "factor_unit", "factor_source", "factor_publisher", "factor_year",
               "gwp_set", "gwp", "emissions", "data_source", "quality_tier"]
# the benchmark's tables leave out the optional text columns no rule reads (ids, sources, publishers)
BENCH_ENERGY_COLUMNS = [c for c in ENERGY_COLUMNS if c not in ("id", "coefficient_source", "source")]
BENCH_GHG_COLUMNS = [c for c in GHG_COLUMNS if c not in ("id", "factor_source", "factor_publisher", "data_source")]
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
    """A deterministic monthly quantity: the typical value, varied by month, enterprise and year."""
    season = 1.0 + 0.15 * (((month * 7 + enterprise * 3 + year) % 11) - 5) / 5
    size = 0.6 + (enterprise % 7) * 0.15
    return round(source.monthly * season * size, 3)


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


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        out.writeheader()
        for row in rows:
            out.writerow({k: ("true" if v is True else "false" if v is False else v) for k, v in row.items()
                          if k in columns})


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
    codes = (*(s.code for s in SOURCES if s.category is not None), "LIME")
    per_enterprise = len(years) * len(MONTHS) * len(codes)
    n = max(1, rows // per_enterprise)
    ledger_codes = tuple(s.code for s in SOURCES)
    for stale in ("energy_consumption.yaml", "ghg_inventory.yaml", "ghg_inventory_2022-2023.yaml",
                  "emission_factors.yaml"):
        (folder / stale).unlink(missing_ok=True)
    energy_rows: list[dict] = []
    ghg_rows: list[dict] = []
    names = []
    for e in range(1, n + 1):
        name = f"E{e:04d}"
        names.append({"id": name, "name": f"示例企业{e:04d}"})
        for year in years:
            energy, _ = rows_for(e, name, year, ledger_codes, years[0])
            _, ghg = rows_for(e, name, year, codes, years[0])
            energy_rows += energy
            ghg_rows += ghg
    write_csv(folder / "energy_ledger.csv", BENCH_ENERGY_COLUMNS, energy_rows)
    write_csv(folder / "ghg_inventory.csv", BENCH_GHG_COLUMNS, ghg_rows)
    factors = emission_factors(years[0])
    (folder / "emission_factors.yaml").write_text(yaml.safe_dump(factors, allow_unicode=True, sort_keys=False),
                                                  encoding="utf-8")
    boundary = {"kind": "ghg_inventory", "region": "全国", "boundary": names}
    (folder / "ghg_boundary.yaml").write_text(yaml.safe_dump(boundary, allow_unicode=True, sort_keys=False),
                                              encoding="utf-8")
    _add_tables(folder, [{"file": "energy_ledger.csv", "kind": "energy_consumption"},
                         {"file": "ghg_inventory.csv", "kind": "ghg_inventory"}])
    return {"enterprises": n, "years": len(years), "energy_rows": len(energy_rows), "ghg_rows": len(ghg_rows),
            "factors": len(factors["factors"])}
