"""The fast YAML path (libyaml) must give exactly what the reference loader (ruamel.yaml) gives."""

from __future__ import annotations

import pytest

from checker.errors import InputError
from checker.limits import DEFAULT_LIMITS
from checker.yamlio import _fast_parse, _ruamel_parse, clear_parse_cache, parse_yaml

from .conftest import ROOT

FILES = sorted(p for pattern in ("evidence/*/*.yaml", "rules/*/*.yaml", "rules/*/fixtures/*/*.yaml", "schemas/*.json")
               for p in ROOT.glob(pattern))


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_fast_path_equals_reference_on_every_shipped_file(path):
    text = path.read_text(encoding="utf-8")
    fast, ref = _fast_parse(text, path.name), _ruamel_parse(text, path.name)
    assert fast is not None
    assert (fast.data, fast.positions) == (ref.data, ref.positions)


@pytest.mark.parametrize("text", [
    "a: yes\nb: no\nc: on\nd: True\ne: FALSE\nf: ~\ng:\n",        # YAML 1.2: yes/no/on are text
    "a: 010\nb: 0o17\nc: 0x1F\nd: 1.5\ne: -2\nf: .5\ng: 1e3\n",   # numbers
    "a: '1'\nb: \"true\"\nc: 2024-01-10\nd: |\n  多行\n  文本\n",     # quoted and block scalars stay text
    "a: &x [1, 2]\nb: *x\nc: {k: [*x]}\n",                          # aliases
    "- {id: 1, t: 中文}\n- [a, b]\n",                               # a sequence at the top
])
def test_fast_path_semantics_match_the_reference(text):
    assert _fast_parse(text, "t.yaml").data == _ruamel_parse(text, "t.yaml").data


@pytest.mark.parametrize("text", ["a: !custom 1\n", "a: .nan\n", "a: 1e400\n", "a: \"\\u202e\"\n"])
def test_constructs_both_paths_refuse(text):
    with pytest.raises(InputError) as fast:
        _fast_parse(text, "t.yaml")
    with pytest.raises(InputError) as ref:
        _ruamel_parse(text, "t.yaml")
    assert fast.value.problem.line == ref.value.problem.line == 1
    assert fast.value.problem.message.split("(")[0] == ref.value.problem.message.split("(")[0]


@pytest.mark.parametrize("text", ["a: 1\na: 2\n", "base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n"])
def test_constructs_the_fast_path_leaves_to_the_reference(text):
    assert _fast_parse(text, "t.yaml") is None
    clear_parse_cache()
    try:
        expected = _ruamel_parse(text, "t.yaml").data
    except InputError as exc:
        with pytest.raises(InputError, match=str(exc.problem.message)[:20]):
            parse_yaml(text, "t.yaml")
    else:
        assert parse_yaml(text, "t.yaml").data == expected


# -- the fast validity check agrees with the reference validator -------------------------------

def _documents():
    from checker.bundle import load_bundle
    from checker.schemas import load_schemas
    schemas = load_schemas()
    for park in ("lvgu-park", "donghu-park", "binhai-park"):
        bundle = load_bundle(ROOT / "evidence" / park, schemas.table_fields())
        for doc in bundle.documents:
            yield park, doc, bundle


@pytest.mark.parametrize("mutation", [None, "wrong-type", "bad-date", "unknown-field", "attachment-outside"])
def test_fast_validity_agrees_with_the_reference(mutation):
    import copy

    from checker.schemas import _BUNDLE_FILES, load_schemas
    schemas = load_schemas()
    checked = 0
    for park, doc, bundle in _documents():
        if doc.fmt == "csv":
            continue
        data = copy.deepcopy(doc.data)
        if mutation == "wrong-type":
            data["kind"] = 5
        elif mutation == "bad-date" and isinstance(data.get("control"), dict):
            data["control"]["issue_date"] = "2024/1/5"
        elif mutation == "unknown-field":
            data["statment"] = "x"
        elif mutation == "attachment-outside" and isinstance(data.get("control"), dict):
            data["control"]["file"] = "../secret.pdf"
        files = (frozenset(bundle.attachments), frozenset(d.path for d in bundle.documents))
        token = _BUNDLE_FILES.set(files)
        try:
            fast = schemas.fast_validator(doc.kind).is_valid(data)
            reference = not list(schemas.validator(schemas.by_kind[doc.kind]).iter_errors(data))
        finally:
            _BUNDLE_FILES.reset(token)
        assert fast == reference, (park, doc.path, mutation)
        checked += 1
    assert checked > 50


_TRICKY = [
    "a: 1\nb: [1, 2, {c: d}]\n'e/f': {'g~h': x}\n",             # pointer escapes
    "- 1\n- [2, [3, []]]\n- {}\n",                               # a sequence at the top, empty collections
    "a: &x [1, 2]\nb: *x\n",                                     # aliases: the composed nodes decide
    "a: !!str 5\nb: =\nc: <<\n",                                 # tags and the = / << scalars
    "a: 1\na: 2\n",                                              # a duplicate key
    "a: 1\n---\nb: 2\n",                                         # two documents
    "just text\n",                                               # a scalar at the top
    "a: .nan\nb: [\n",                                           # a value refused, then a syntax error
    "a: \"\\u202e\"\n",                                          # an invisible character from an escape
    "1: a\n2.5: b\n",                                            # a number key, a float key
    "a:\n  b:\n    c:\n      d: [[[[1]]]]\n",                    # nesting
]


def _outcome(parse, text):
    try:
        out = parse(text, "t.yaml", DEFAULT_LIMITS)
    except InputError as exc:
        return ("raised", str(exc))
    if isinstance(out, InputError):
        return ("error", str(out))
    return None if out is None else (out.data, out.positions, [out.position(p) for p in _probes(out.positions)])


def _probes(positions):
    return sorted(positions) + [p + "/nothing" for p in sorted(positions)] + ["/no/such", "/0/1/2", "/~2"]


@pytest.mark.parametrize("text", [*(p.read_text(encoding="utf-8") for p in FILES), *_TRICKY],
                         ids=[*(str(p.relative_to(ROOT)) for p in FILES), *(f"tricky{i}" for i in range(len(_TRICKY)))])
def test_event_path_equals_composed_path(text):
    """The event path (no node tree) gives what libyaml's composed nodes give: data, every position, every
    lookup of a position (also of pointers with no value), the same error or the same "reference decides"."""
    from checker import yamlfast
    assert _outcome(yamlfast.fast, text) == _outcome(yamlfast._composed, text)


@pytest.mark.parametrize("path", FILES[::7], ids=[str(p.relative_to(ROOT)) for p in FILES[::7]])
def test_the_event_path_itself_reads_the_shipped_files(path):
    """Not a fall back to the composed nodes: the events alone give the same data and positions."""
    from checker import yamlfast
    text = path.read_text(encoding="utf-8")
    events = yamlfast._Events(text, path.name, yamlfast.Budget(path.name, DEFAULT_LIMITS)).document()
    composed = yamlfast._composed(text, path.name, DEFAULT_LIMITS)
    assert (events.data, events.positions, events.root) == (composed.data, composed.positions, composed.root)


def test_records_that_repeat_their_keys_read_as_the_reference_reads_them():
    """The fast reader makes the mappings of a list that repeat their keys share them (memory, issue 15):
    the same plain dicts, keys in the order written, equal to the reference loader's, and editable."""
    from checker.limits import Limits
    from checker.yamlfast import fast
    from checker.yamlio import ruamel_parse

    lines = ["items:"] + [f"  - {{id: R-{i}, n: {i}, when: 2024-01-{1 + i % 28:02d}, sub: {{a: {i}, b: x}}}}"
                          for i in range(40)]
    lines += ["  - {n: 1, id: swapped}", "  - {id: only}"]
    text = "\n".join(lines) + "\n"
    got = fast(text, "r.yaml", Limits())
    ref = ruamel_parse(text, "r.yaml", Limits())
    assert got.data == ref.data
    items = got.data["items"]
    assert all(type(item) is dict for item in items)
    assert [list(item) for item in items[-2:]] == [["n", "id"], ["id"]]
    assert list(items[30]) == ["id", "n", "when", "sub"] and items[30]["sub"] == {"a": 30, "b": "x"}
    items[30]["extra"] = 1
    del items[31]["n"]
    assert items[30]["extra"] == 1 and "n" not in items[31] and items[32]["n"] == 32
    assert got.position("/items/30/sub/a") == ref.position("/items/30/sub/a")
