"""The cache of linted packs holds JSON data only: planted, corrupt or foreign files never run code
and are ignored; --no-cache reads and writes nothing; edits to rules or code change the key."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import stat

import pytest

from checker import cache, check, packs
from checker.compiler import compile_pack
from checker.errors import RuleError
from checker.resources import data_dir
from checker.schemas import load_schemas

from .conftest import DEFECTIVE, PACK, ROOT, edit_text, run_parkcheck


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("PARKCHECK_CACHE_DIR", str(folder))
    monkeypatch.setattr(cache, "_disabled", False)
    packs._cached_pack.cache_clear()
    yield folder
    packs._cached_pack.cache_clear()


def entry_path(folder, pack_id=PACK, root=None):
    root = root or data_dir("rules") / pack_id
    return folder / f"{pack_id}-{cache.pack_key(root)}.json"


class Planted:
    """A pickle payload that would create ``marker`` if anything unpickled it."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("pack_id", packs.available_packs())
def test_a_cached_pack_is_the_linted_pack(cache_dir, pack_id):
    linted = packs.load_pack(pack_id)
    assert not linted.problems
    cache_dir.mkdir(mode=0o700)
    path = cache.write_entry(cache_dir, linted, cache.pack_key(linted.folder))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    served = cache.read_entry(path, pack_id, cache.pack_key(linted.folder), linted.folder)
    assert served == linted and served.rules and served is not linted


def test_the_cache_is_used_and_written_privately(cache_dir):
    first = packs.get_pack(PACK)
    entry = entry_path(cache_dir)
    assert entry.is_file() and stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    assert [p.name for p in cache_dir.iterdir()] == [entry.name]  # no temporary file left
    # Prove the next load is served from the file: change a requirement in the entry, not in the rules.
    doc = json.loads(entry.read_text(encoding="utf-8"))
    rule = doc["pack"]["fields"]["rules"][0]["fields"]
    rule["requirement"] = "served from the cache"
    entry.write_text(json.dumps(doc), encoding="utf-8")
    packs._cached_pack.cache_clear()
    assert packs.get_pack(PACK).rules[0].requirement == "served from the cache"
    assert first.rules[0].requirement != "served from the cache"
    cache.disable()  # --no-cache: the entry is not read
    packs._cached_pack.cache_clear()
    assert packs.get_pack(PACK).rules[0].requirement == first.rules[0].requirement


def test_a_world_writable_entry_is_not_trusted(cache_dir):
    packs.get_pack(PACK)
    entry = entry_path(cache_dir)
    doc = json.loads(entry.read_text(encoding="utf-8"))
    doc["pack"]["fields"]["rules"][0]["fields"]["requirement"] = "planted by someone else"
    entry.write_text(json.dumps(doc), encoding="utf-8")
    entry.chmod(0o666)
    packs._cached_pack.cache_clear()
    assert packs.get_pack(PACK).rules[0].requirement != "planted by someone else"
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600  # rebuilt


def corrupt_variants(marker) -> dict[str, bytes]:
    deep = b"[" * 100_000 + b"]" * 100_000
    key_doc = {"format": cache.FORMAT, "key": None, "pack": None}
    return {
        "pickle under the JSON name": pickle.dumps(Planted(marker)),
        "truncated": b'{"format": "parkcheck-pack-cache/4", "key": "',
        "not UTF-8": b"\xff\xfe\x00garbage",
        "deeply nested": deep,
        "huge integer": b'{"format": ' + b"9" * 5000 + b"}",
        "another class": json.dumps(dict(key_doc, pack={"class": "Popen", "fields": {"args": ["touch", str(marker)]}})).encode(),
        "extra field": json.dumps(dict(key_doc, pack={"class": "Derived", "fields": {
            "kind": "k", "field": "f", "op": "ratio", "args": {"tuple": ["a", "b"]}, "__class__": "x"}})).encode(),
        "wrong type": json.dumps(dict(key_doc, pack={"class": "Derived", "fields": {
            "kind": "k", "field": "f", "op": "ratio", "args": ["a", "b"]}})).encode(),
    }


@pytest.mark.parametrize("variant", list(corrupt_variants("m")))
def test_a_corrupt_or_foreign_entry_is_ignored_and_rebuilt(cache_dir, tmp_path, variant):
    marker = tmp_path / "code-ran"
    entry = entry_path(cache_dir)
    cache_dir.mkdir(mode=0o700)
    data = corrupt_variants(marker)[variant].replace(b'"key": null', f'"key": "{entry.name[len(PACK) + 1:-5]}"'.encode())
    entry.write_bytes(data)
    entry.chmod(0o600)
    pack = packs.get_pack(PACK)
    assert pack.rules and not marker.exists()
    assert entry.read_bytes() != data and json.loads(entry.read_bytes())["key"] == cache.pack_key(pack.folder)


def test_a_planted_pickle_never_runs_code_in_a_real_check(tmp_path):
    """The attack of issue 11: a pickle planted in the cache folder (old and new entry names) must not run."""
    folder, marker = tmp_path / "cache", tmp_path / "code-ran"
    folder.mkdir(mode=0o700)
    payload = pickle.dumps(Planted(marker))
    key = cache.pack_key(data_dir("rules") / PACK)
    for name in (f"{PACK}-{key}.pickle", f"{PACK}-{key}.json"):
        (folder / name).write_bytes(payload)
        (folder / name).chmod(0o600)
    env = {"PARKCHECK_CACHE_DIR": str(folder)}
    proc = run_parkcheck("check", DEFECTIVE, "--standard", PACK, "-q", env=env)
    assert proc.returncode == 1 and proc.stderr == ""
    assert not marker.exists()
    # rebuilt, with what it compiles to; the pickle removed unread
    assert sorted(p.name for p in folder.iterdir()) == [f"{PACK}-{key}.compiled.json", f"{PACK}-{key}.json"]
    assert json.loads((folder / f"{PACK}-{key}.json").read_bytes())["format"] == cache.FORMAT


def test_no_cache_writes_nothing(tmp_path):
    folder = tmp_path / "cache"
    proc = run_parkcheck("check", DEFECTIVE, "--standard", PACK, "--no-cache", "-q",
                         env={"PARKCHECK_CACHE_DIR": str(folder)})
    assert proc.returncode == 1 and proc.stderr == ""
    assert not folder.exists()
    folder.mkdir(mode=0o700)
    (folder / "unrelated").write_bytes(b"x")
    # every command reaches packs through one cache switch (cli_support): a rules command and a listing
    # on the two smaller packs stand for the rest (the crosswalk would lint every pack again, uncached)
    for args in (["rules", "coverage", "--standard", "t-seesa-010-2025"],
                 ["rules", "list", "--standard", "q-cecc-zcp-cj-01-2025"]):
        proc = run_parkcheck(*args, "--no-cache", env={"PARKCHECK_CACHE_DIR": str(folder)})
        assert proc.returncode == 0, (args, proc.stderr)
        assert [p.name for p in folder.iterdir()] == ["unrelated"], args
    proc = run_parkcheck("check", DEFECTIVE, "--standard", PACK, "-q", env={"PARKCHECK_CACHE_DIR": str(folder)})
    assert proc.returncode == 1 and sorted(p.name for p in folder.iterdir()) == sorted(
        ["unrelated", entry_path(folder).name, entry_path(folder).name.replace(".json", ".compiled.json")])
    # without --no-cache the linted pack and what it compiles to are written


def test_an_edited_rule_changes_the_key(rules_copy, cache_dir):
    assert packs.get_pack(PACK, rules_copy).rules  # linted and cached
    assert len(list(cache_dir.glob(f"{PACK}-*.json"))) == 1
    edit_text(rules_copy / PACK / "6.2-policy.yaml", "contains:\n        type: legal_compliance",
              "containz:\n        type: legal_compliance", 1)
    packs._cached_pack.cache_clear()
    with pytest.raises(RuleError):
        packs.get_pack(PACK, rules_copy)  # new key: linted again, not served from the cache


def test_edited_package_code_changes_the_key(tmp_path, monkeypatch):
    copy = tmp_path / "checker"
    shutil.copytree(ROOT / "checker", copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = cache.source_digest(copy)
    assert before == cache.code_digest()
    root = data_dir("rules") / PACK
    key = cache.pack_key(root)
    (copy / "packs.py").write_text((copy / "packs.py").read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert cache.source_digest(copy) != before
    monkeypatch.setattr(cache, "code_digest", lambda: cache.source_digest(copy))
    assert cache.pack_key(root) != key


def test_a_cache_folder_of_someone_else_is_not_used(cache_dir, monkeypatch):
    real_uid = os.getuid()
    packs.get_pack(PACK)
    entry = entry_path(cache_dir)
    doc = json.loads(entry.read_text(encoding="utf-8"))
    doc["pack"]["fields"]["rules"][0]["fields"]["requirement"] = "planted"
    entry.write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setattr(cache.os, "getuid", lambda: real_uid + 1)  # as if another user owned the folder
    packs._cached_pack.cache_clear()
    assert packs.get_pack(PACK).rules[0].requirement != "planted"
    assert json.loads(entry.read_text(encoding="utf-8")) == doc  # neither read nor rewritten


def test_switched_off_by_the_environment(rules_copy, monkeypatch):
    monkeypatch.setenv("PARKCHECK_CACHE_DIR", "off")
    monkeypatch.setattr(cache, "_disabled", False)
    packs._cached_pack.cache_clear()
    assert cache.cache_dir() is None and packs.get_pack(PACK, rules_copy).rules


def test_a_folder_others_may_write_is_neither_used_nor_changed(cache_dir):
    cache_dir.mkdir()
    cache_dir.chmod(0o1777)  # like /tmp
    assert packs.get_pack(PACK).rules
    assert list(cache_dir.iterdir()) == [] and stat.S_IMODE(cache_dir.stat().st_mode) == 0o1777


# -- compiled packs (the engine rulesets and feeds a pack compiles to) --------------------------------

@pytest.fixture
def compiled_cache(cache_dir):
    check._compiled.cache_clear()
    yield cache_dir
    check._compiled.cache_clear()


def _fresh(pack_id=PACK, rules_dir=None):
    """What the pack compiles to, without the cache."""
    pack = packs.get_pack(pack_id, rules_dir)
    return compile_pack(pack, load_schemas())


def test_a_compiled_pack_from_the_cache_is_the_compiled_pack(compiled_cache):
    built = check.compiled_pack(PACK)
    [entry] = compiled_cache.glob("*.compiled.json")
    assert entry.name == f"{PACK}-{cache.pack_key(built.pack.folder)}.compiled.json"
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    check._compiled.cache_clear()
    served = check.compiled_pack(PACK)
    assert served is not built and served == built == _fresh()
    assert served.pack is packs.get_pack(PACK)
    # served from the file: a branch's detail changed in the entry (not in the rules) comes back
    doc = json.loads(entry.read_text(encoding="utf-8"))
    name, branch = next(iter(doc["compiled"]["fields"]["branches"]["dict"].items()))
    branch["fields"]["detail"] = "served from the cache"
    entry.write_text(json.dumps(doc), encoding="utf-8")
    check._compiled.cache_clear()
    assert check.compiled_pack(PACK).branches[name].detail == "served from the cache"
    cache.disable()  # --no-cache: not read
    check._compiled.cache_clear()
    assert check.compiled_pack(PACK).branches[name].detail == built.branches[name].detail


@pytest.mark.parametrize("variant", ["pickle", "garbage", "a pack, not a compiled pack", "a list in a set",
                                     "an unknown class"])
def test_a_corrupt_or_foreign_compiled_entry_is_ignored_and_rebuilt(compiled_cache, tmp_path, variant):
    marker = tmp_path / "code-ran"
    built = check.compiled_pack(PACK)
    [entry] = compiled_cache.glob("*.compiled.json")
    doc = json.loads(entry.read_text(encoding="utf-8"))
    data = {
        "pickle": pickle.dumps(Planted(marker)),
        "garbage": b"{not json",
        "a pack, not a compiled pack": json.dumps({**doc, "compiled": {"class": "Derived", "fields": {
            "kind": "k", "field": "f", "op": "ratio", "args": {"tuple": []}}}}).encode(),
        "a list in a set": json.dumps({**doc, "compiled": {**doc["compiled"], "fields": {
            **doc["compiled"]["fields"], "anchors": {"set": [[1]]}}}}).encode(),
        "an unknown class": json.dumps({**doc, "compiled": {"class": "Popen", "fields": {}}}).encode(),
    }[variant]
    entry.write_bytes(data)
    entry.chmod(0o600)
    check._compiled.cache_clear()
    served = check.compiled_pack(PACK)
    assert served == built and not marker.exists()
    assert entry.read_bytes() != data  # rewritten


def test_a_pack_edited_after_it_was_loaded_never_shares_a_compiled_entry(compiled_cache, rules_copy):
    """A process holds the pack as it was loaded; the files change; what it compiles must never be served
    for the files as they are now (the entry's key includes the linted pack's digest)."""
    before = packs.get_pack(PACK, rules_copy)  # loaded, then the rule file is edited
    edit_text(rules_copy / PACK / "6.2-policy.yaml", "      contains:\n        type: legal_compliance\n",
              "      contains:\n        type: continual_improvement\n", 1)
    stale = check.compiled_pack(PACK, rules_copy)  # compiled from the pack as loaded
    assert stale.pack is before
    packs._cached_pack.cache_clear()
    check._compiled.cache_clear()
    now = check.compiled_pack(PACK, rules_copy)
    assert now.pack.sha256 != before.sha256
    assert now == _fresh(PACK, rules_copy) and now != stale
