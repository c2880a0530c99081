"""The audit's records (checker.controldocs): a problem in one stops the check, whatever kind it is."""

from __future__ import annotations

import shutil

import pytest
import yaml

from checker.check import InvalidEvidence, run_check
from checker.controldocs import ControlError, control_kinds
from checker.schemas import load_schemas
from checker.yamlio import parse_yaml

from .conftest import DEFECTIVE, ROOT, run_in_process

RECORDS = ROOT / "evidence" / "audits" / "donghu"
AUDIT = RECORDS / "audit-stage1.yaml"


def test_the_audit_records_are_the_schemas_marked_x_control():
    assert set(control_kinds(load_schemas())) == {"applicability", "audit", "corrective_actions", "onsite", "waivers"}


@pytest.mark.parametrize("kind", sorted(control_kinds(load_schemas())))
def test_a_placeholder_in_any_audit_record_stops_the_check(kind, tmp_path):
    """待定 (to be decided) in an audit record is no content: the check stops at its line."""
    record = tmp_path / f"{kind}.yaml"
    path = {"audit": AUDIT, "onsite": RECORDS / "onsite.yaml", "waivers": RECORDS / "waivers.yaml",
            "corrective_actions": RECORDS / "corrective_actions.yaml",
            "applicability": RECORDS / "applicability.yaml"}[kind]
    schemas = load_schemas()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # the first text the schema allows placeholders in becomes one
    pointer = next(ptr for ptr, value, node in schemas.walk_instance(kind, data)
                   if isinstance(value, str) and node.get("x-placeholders"))
    *parents, last = pointer.split("/")[1:]
    target = data
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    target[int(last) if isinstance(target, list) else last] = "待定"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    record.write_text(text, encoding="utf-8")
    line = parse_yaml(text, "x").position(pointer)[0]
    with pytest.raises(ControlError) as caught:
        run_check(DEFECTIVE, given={kind: record}, audit_date="2025-07-01" if kind != "audit" else None)
    problem = caught.value.problem
    assert problem.file == str(record) and problem.line == line and problem.field == pointer and "待定" in problem.message


def test_a_record_given_as_another_kind_is_refused_with_its_line(tmp_path):
    proc = run_in_process("check", DEFECTIVE, "--onsite", AUDIT, "-q")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and f"{AUDIT}:" in proc.stderr and "/kind" in proc.stderr


def test_a_gap_in_the_bundles_own_record_stops_the_check_not_a_finding(tmp_path):
    """In the park's evidence a missing field is a content gap and a finding; in an audit record it is an error."""
    bundle = tmp_path / "b"
    shutil.copytree(DEFECTIVE, bundle)
    text = AUDIT.read_text(encoding="utf-8").replace("scope: ", "x-scope: ")
    (bundle / "audit.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InvalidEvidence) as caught:
        run_check(bundle)
    first = caught.value.problem
    assert first.file == "audit.yaml" and first.gap is None
    proc = run_in_process("check", bundle, "-q")
    assert proc.returncode == 2 and "audit.yaml" in proc.stdout + proc.stderr
