"""Chinese labels in a long records array (a CSV table's rows) are replaced column by column
(``checker.labels_in._scalars``): the result must be exactly what replacing them record by record gives."""

from __future__ import annotations

import copy
import random

from checker.labels_in import labelled_schema, normalise_data
from checker.schemas import load_schemas


def _one_by_one(data: dict, node: dict, schemas) -> dict:
    """The records normalised one at a time (each a dict of its own: the record-by-record path)."""
    out = copy.deepcopy(data)
    items = node["properties"]["totals"]["items"]
    out["totals"] = [normalise_data(record, items, schemas) for record in out["totals"]]
    return out


def test_labels_replaced_by_column_equal_those_replaced_record_by_record():
    schemas = load_schemas()
    node = labelled_schema(schemas, "ghg_inventory")
    rng = random.Random(7)
    scopes = ["园区", "企业", "排放类别", "park", "enterprise", " 园区 ", "园区园区", "", None, 3, ["园区"]]
    categories = ["净购入电力", "purchased_electricity", "生物质燃烧（单独报告）", "化石燃料燃烧", "电力", None]
    flags = ["是", "否", "true", True, False, "可能", "", 0, None]
    records = []
    for i in range(400):
        record = {"year": 2022 + i % 3, "scope": rng.choice(scopes), "category": rng.choice(categories),
                  "includes_biomass": rng.choice(flags), "emissions": float(i)}
        for key in [k for k in record if rng.random() < 0.1]:  # some cells absent
            del record[key]
        records.append(record if i % 97 else ["not a record"])
    data = {"totals": records}
    expected = _one_by_one(data, node, schemas)
    normalise_data(data, node, schemas)
    assert data == expected
    assert repr(data) == repr(expected)  # the same types too (True, not 1)
    changed = [r for r in data["totals"] if isinstance(r, dict) and r.get("scope") == "park"]
    assert changed and any(r.get("includes_biomass") is True for r in data["totals"] if isinstance(r, dict))
