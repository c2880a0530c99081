"""Messages in Chinese and English (issue 13 item 5): the catalogue is complete and current, the language
follows --lang, then PARKCHECK_LANG, then the locale (Chinese when unset), and every validation message
names file, line and column, the field's title and its pointer, in both languages."""

from __future__ import annotations

import re
import shutil
import string

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from checker import i18n
from checker.errors import EXIT_FINDINGS, EXIT_INPUT_ERROR, InputError, Problem
from checker.i18n import CATALOGUE, language_from_env, tr, using

from .conftest import ROOT, edit_text, run_parkcheck


def _code_ids() -> dict[str, list[str]]:
    """``{message id: [files]}`` of every ``tr("…")`` in checker/ (babel's Python extractor)."""
    ids: dict[str, list[str]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT / "checker", method_map=[("**.py", "python")], keywords={"tr": None}):
        ids.setdefault(message, []).append(filename)
    return ids


def _po():
    with CATALOGUE.open("rb") as fh:
        return read_po(fh, locale="zh_CN")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_of_the_code_has_a_chinese_translation():
    ids = _code_ids()
    assert len(ids) >= 40  # the validation and input messages (a smaller number means the extractor missed them)
    catalogue = {m.id: m for m in _po() if m.id}
    missing = sorted(set(ids) - set(catalogue))
    assert missing == [], f"messages without an entry in {CATALOGUE.name}: {missing}"
    untranslated = sorted(m for m in ids if not catalogue[m].string)
    assert untranslated == [], f"entries without a translation: {untranslated}"


def test_no_entry_of_the_catalogue_is_stale_or_fuzzy():
    ids = _code_ids()
    entries = [m for m in _po() if m.id]
    stale = sorted(m.id for m in entries if m.id not in ids)
    assert stale == [], f"entries no code uses any more: {stale}"
    assert [m.id for m in entries if m.fuzzy] == []
    assert not _po().obsolete


# Placeholders a translation leaves out on purpose: the Chinese enum message lists the Chinese labels only.
DROPPED = {"“{text}” is not one of: {codes} (in Chinese: {labels})": {"codes"}}


def test_a_translation_uses_only_the_placeholders_of_its_message():
    for m in _po():
        if m.id:
            assert _fields(m.string) <= _fields(m.id), m.id
            assert _fields(m.id) - _fields(m.string) == DROPPED.get(m.id, set()), m.id  # nothing else dropped


def test_every_chinese_message_is_chinese():
    han = re.compile(r"[\u4e00-\u9fff]")
    ascii_only = {" or "}  # becomes 或
    for m in _po():
        if m.id and m.id not in ascii_only:
            assert han.search(m.string), m.id


@pytest.mark.parametrize(("env", "lang"), [
    ({}, "zh"),
    ({"LANG": "C.UTF-8"}, "zh"),
    ({"LANG": "POSIX"}, "zh"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "zh_CN.UTF-8", "LC_ALL": "en_GB.UTF-8"}, "en"),   # LC_ALL wins over LANG
    ({"LC_MESSAGES": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LANGUAGE": "zh_CN:en", "LANG": "en_US.UTF-8"}, "zh"),   # LANGUAGE: the first of its list
    ({"LANG": "fr_FR.UTF-8"}, "en"),
    ({"PARKCHECK_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"PARKCHECK_LANG": "zh", "LANG": "en_US.UTF-8"}, "zh"),
    ({"PARKCHECK_LANG": "de", "LANG": "en_US.UTF-8"}, "en"),   # not a language of the tool: ignored
])
def test_the_language_follows_parkcheck_lang_then_the_locale(env, lang):
    assert language_from_env(env) == lang


def test_using_chooses_the_language_and_restores_it():
    before = i18n.current()
    with using("zh"):
        assert tr("required field is missing") == "缺少必填项"
        with using("en"):
            assert tr("required field is missing") == "required field is missing"
        assert tr("must list at least {count} items", count=3) == "至少应列出 3 项"
    assert i18n.current() == before


def test_a_problem_names_the_field_by_its_title_and_pointer_in_both_languages():
    p = Problem("m", "policy.yaml", 7, 3, "/issue_date", label="发布日期")
    with using("zh"):
        assert str(p) == "policy.yaml:7:3: 发布日期（/issue_date）：m"
        assert str(Problem("m", "policy.yaml", 7, 3, "/issue_date")) == "policy.yaml:7:3: /issue_date: m"  # no title
    with using("en"):
        assert str(Problem("m", "policy.yaml", 7, 3, "/issue_date", label="Issue date")) == \
            "policy.yaml:7:3: Issue date (/issue_date): m"
    with using("zh"):
        assert str(InputError(tr("the file is empty"), "a.yaml")) == "a.yaml: 文件为空"


# -- a seeded bad bundle, through the command ----------------------------------------------------------

@pytest.fixture
def seeded(base_copy):
    """The base fixture with four mistakes in policy.yaml: a date that is no date, a value outside an
    enum, an unknown field and a required field left out.  Returns the bundle and ``{mistake: line}``."""
    policy = base_copy / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    text = re.sub(r"^  issue_date: \S+$", "  issue_date: 2024-13-45", text, count=1, flags=re.M)
    text = re.sub(r"^  status: effective$", "  status: 有小", text, count=1, flags=re.M)
    text = re.sub(r"^  version: .*\n", "", text, count=1, flags=re.M)
    text = text.replace("\nstatement:", "\nsigned_on: 2023-02-20\nstatement:", 1)
    policy.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    at = {"date": lines.index("  issue_date: 2024-13-45") + 1, "status": lines.index("  status: 有小") + 1,
          "unknown": lines.index("signed_on: 2023-02-20") + 1, "control": lines.index("control:") + 1}
    return base_copy, at


def test_validate_in_chinese_names_file_line_column_title_and_pointer(seeded, cli):
    bundle, at = seeded
    result = cli("validate", bundle, "--lang", "zh")
    assert result.exit_code == EXIT_FINDINGS
    lines = result.stdout.splitlines()
    assert f"policy.yaml:{at['date']}:3: 发布日期（/control/issue_date）：应为 YYYY-MM-DD 格式的日期，实为 '2024-13-45'" in lines
    assert f"policy.yaml:{at['status']}:3: 状态（/control/status）：“有小”不是可选值，可填：有效、草稿、作废" in lines
    assert any(line.startswith(f"policy.yaml:{at['unknown']}:1: /signed_on: 未知字段 'signed_on'（此处可用：")
               and line.endswith("；自定义字段请以 x- 开头）") for line in lines), lines
    assert (f"policy.yaml:{at['control']}:1: 版本（/control/version）：缺少必填项 [内容缺项（check 将其列为发现项）]"
            in lines)
    assert result.stderr == (f"parkcheck: {bundle.name}: 1 个文件有问题，共 4 处 / 4 problems in 1 file"
                             "（1 个内容缺项：`check` 将其列为发现项）\n")


def test_validate_in_english_names_file_line_column_title_and_pointer(seeded, cli):
    bundle, at = seeded
    result = cli("validate", bundle, "--lang", "en")
    assert result.exit_code == EXIT_FINDINGS
    lines = result.stdout.splitlines()
    assert (f"policy.yaml:{at['date']}:3: Issue date (/control/issue_date): expected a date written YYYY-MM-DD, "
            "got '2024-13-45'") in lines
    assert (f"policy.yaml:{at['status']}:3: Status (/control/status): “有小” is not one of: effective, draft, "
            "obsolete (in Chinese: 有效、草稿、作废)") in lines
    assert any(line.startswith(f"policy.yaml:{at['unknown']}:1: /signed_on: unknown field 'signed_on' (allowed here: ")
               for line in lines), lines
    assert (f"policy.yaml:{at['control']}:1: Version (/control/version): required field is missing "
            "[content gap (reported as a finding by check)]") in lines
    assert result.stderr == (f"parkcheck: {bundle.name}: 1 个文件有问题，共 4 处 / 4 problems in 1 file"
                             " (1 content gap: `check` reports it as a finding)\n")


def test_the_language_of_one_command_does_not_leak_into_the_next(seeded, cli):
    bundle, _ = seeded
    assert "发布日期（/control/issue_date）" in cli("validate", bundle, "--lang", "zh").stdout
    assert "Issue date (/control/issue_date)" in cli("validate", bundle).stdout  # PARKCHECK_LANG=en (conftest)


def test_the_locale_chooses_chinese_when_no_option_is_given(seeded):
    bundle, at = seeded
    proc = run_parkcheck("validate", bundle, env={"PARKCHECK_LANG": "", "LC_ALL": "", "LANGUAGE": "",
                                                  "LC_MESSAGES": "", "LANG": "zh_CN.UTF-8"})
    assert proc.returncode == EXIT_FINDINGS
    assert f"policy.yaml:{at['date']}:3: 发布日期（/control/issue_date）：应为 YYYY-MM-DD" in proc.stdout


@pytest.mark.parametrize(("lang", "prefix", "message"), [
    ("zh", "parkcheck: 错误：", "YAML 格式错误："),
    ("en", "parkcheck: error: ", "malformed YAML: "),
])
def test_a_yaml_syntax_error_in_both_languages(base_copy, cli, lang, prefix, message):
    line = edit_text(base_copy / "policy.yaml", "title:", "title: [unclosed\n", 1)  # the list runs on to `issued_by:`
    assert (base_copy / "policy.yaml").read_text(encoding="utf-8").splitlines()[line + 1] == "issued_by:"
    result = cli("validate", base_copy, "--lang", lang)
    assert result.exit_code == EXIT_INPUT_ERROR
    # PyYAML's own explanation stays as it wrote it (English)
    first, count = result.stderr.splitlines()
    assert first == f"{prefix}policy.yaml:{line + 2}:10: {message}expected ',' or ']', but got ':'"
    assert count == f"parkcheck: {base_copy.name}: 1 个文件有问题，共 1 处 / 1 problem in 1 file"
    assert "Traceback" not in result.stderr


def test_check_lists_invalid_evidence_in_chinese(seeded, cli):
    bundle, at = seeded
    result = cli("check", bundle, "--lang", "zh", "-q")
    assert result.exit_code == EXIT_INPUT_ERROR
    assert (f"parkcheck: 证据无效：policy.yaml:{at['date']}:3: 发布日期（/control/issue_date）：应为 YYYY-MM-DD 格式的日期，"
            "实为 '2024-13-45'") in result.stderr.splitlines()


def test_the_catalogue_ships_inside_the_package():
    assert CATALOGUE.is_relative_to(ROOT / "checker")
    assert CATALOGUE.is_file()  # the wheel packs checker/ whole ([tool.hatch.build.targets.wheel] packages)


def test_a_report_reads_the_same_whatever_the_message_language(tmp_path):
    """Content gaps become findings: their texts in the report are Chinese in the Chinese part and English in
    the English part, never the language of the messages of the run (the report does not depend on the locale)."""
    from checker.check import run_check
    from checker.reporters import json_report

    from .conftest import CONFORMING

    dest = tmp_path / "park"
    shutil.copytree(CONFORMING, dest)
    text = (dest / "policy.yaml").read_text(encoding="utf-8")
    start = text.index("statement: |")
    end = text.index("\n", text.index("持续改进碳排放管理绩效和管理体系"))
    (dest / "policy.yaml").write_text(text[:start] + 'statement: "  "' + text[end:], encoding="utf-8")
    edit_text(dest / "scope.yaml", "  url: https://lvgu.example.cn/carbon/scope", "  url:")
    reports = {}
    for lang in ("zh", "en"):
        with using(lang):  # the same bundle checked twice in one process (memoised parses are never shared)
            reports[lang] = json_report.render(run_check(dest))  # the bytes of report.json
    assert reports["zh"] == reports["en"]
    gaps = json_report.to_dict(run_check(dest))["content_gaps"]
    assert {(g["pointer"], g["message"]["en"]) for g in gaps} >= {("/publication/url", "left blank (expected string)")}
