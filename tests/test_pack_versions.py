"""Every report names, for each rule pack applied, the edition of the standard and the version of the pack."""

from __future__ import annotations

import json

from checker.packs import get_pack

from .conftest import EVIDENCE, run_in_process

BUNDLE = EVIDENCE / "binhai-park"


def test_every_report_records_each_packs_edition_and_version(tmp_path):
    out = tmp_path / "out"
    proc = run_in_process("check", BUNDLE, "--out", out, env={"PARKCHECK_CACHE_DIR": "off", "COLUMNS": "200"})
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["packs"], "the bundle claims no standard"
    md = (out / "report.md").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    for entry in data["packs"]:
        pack = get_pack(entry["id"])
        edition, version = str(pack.meta["edition"]), pack.version
        assert (entry["edition"], entry["version"]) == (edition, version)
        assert f"{pack.code} {pack.title['zh']}（版次 {edition}，规则包版本 {version}）" in md
        assert f"（版次 {edition}，规则包版本 {version}，规则 {len(pack.rules)} 条）" in html
        assert f"{pack.code} {pack.title['zh']}（版次 {edition}，规则包版本 {version}）" in proc.stdout
