"""The Gherkin specifications are written for lead auditors: no JSON pointer, file name or code.

Every ``.feature`` under ``features/`` is read aloud and signed by domain experts, so its steps must
say what the park did or failed to do in Chinese.  The mapping from those phrases to bundle edits
lives in ``tests/steps/phrases.yaml``; this test keeps the technical vocabulary out of the features.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

FEATURES = Path(__file__).resolve().parent.parent / "features"

# What a domain expert would not write.  Comment lines (``# language: zh-CN``) are skipped.
FORBIDDEN = {
    # a JSON pointer: a slash at the start of a token followed by a name, index or "-"
    "JSON 指针 (JSON pointer)": re.compile(r"(?:^|(?<=[\s\"'“”‘’(（|:：,，=]))/[A-Za-z0-9_~\-]"),
    "文件名 (file name)": re.compile(r"[\w\-.]+\.(?:ya?ml|csv|json|xlsx?|feature|py)\b", re.IGNORECASE),
    # snake_case or kebab-case identifiers (enum codes, rule ids, pack ids)
    "代码标识符 (snake/kebab-case code)": re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:[_\-][A-Za-z0-9]+)*_[A-Za-z0-9]+\b"
                                                    r"|\b[a-z][a-z0-9]*(?:-[a-z0-9]+)+\b"),
    # a lower-case ASCII word: an enum value or YAML literal (open, draft, true, charging ...)
    "英文代码 (lower-case ASCII code)": re.compile(r"(?<![A-Za-z0-9])[a-z][a-z0-9]+(?![A-Za-z0-9])"),
}


def offences(text: str) -> list[tuple[int, str, str]]:
    """``(line, kind, fragment)`` for every forbidden fragment in a feature file's text."""
    found = []
    for no, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        for kind, pattern in FORBIDDEN.items():
            found += [(no, kind, m.group(0)) for m in pattern.finditer(line)]
    return found


def _features() -> list[Path]:
    return sorted(FEATURES.rglob("*.feature"))


def test_there_are_features_to_check():
    assert len(_features()) >= 11


@pytest.mark.parametrize("path", _features(), ids=lambda p: str(p.relative_to(FEATURES)))
def test_feature_speaks_the_domain_language(path):
    bad = offences(path.read_text(encoding="utf-8"))
    assert not bad, "\n".join(f"{path.relative_to(FEATURES)}:{no}: {kind}: {frag!r}" for no, kind, frag in bad[:20])


@pytest.mark.parametrize("line", [
    '假如 在文件 "context.yaml" 中删除 "/monitoring"',
    '假如 将文件 "x" 中 "/legal_requirements/0/topics" 设为 "[carbon_reduction]"',
    '当 按 "t-cpqs-zc001-2025" 检查该证据包',
    '| information_resources | 6.2 c) |',
    '并且 将指标 "5" 的现状值设为 "true"',
    '并且 规则 "zseesa-6.2-value-type" 在指标 "3" 所在行指出数据缺陷',
    '假如 将 "/indicators/-" 设为 "{no: 1}"',
    '那么 证据位置为 "seesa_indicators.csv"',
])
def test_the_scan_catches_technical_words(line):
    assert offences(line)


@pytest.mark.parametrize("line", [
    '当 按 "T/CPQS ZC001—2025" 检查该园区',
    '那么 条款 "6.2 (2)c)" 的结论为 "不符合"，等级为 "一般"，依据为 "碳排放管理方针"',
    '假如 范围文件的版本为 "Z/9"，清单中登记的有效版本为 "A/0"',
    '假如 方针引用的发展规划为 "FX-PLAN-2016"',
    '并且 绩效参数的单位为 "tCO2"',
    '假如 审核日为 2025年3月20日，审核期为 2024年1月1日至2024年12月31日',
])
def test_the_scan_leaves_domain_words_alone(line):
    assert not offences(line)


AUDIT_DATES = re.compile(r"^\s*背景:\s*\n(?:\s*#.*\n)*\s*假如 .*\n(?:\s*(?:并且|而且|同时) .*\n)*?"
                         r"\s*(?:假如|并且|而且|同时) 审核日为 \d{4}年\d{1,2}月\d{1,2}日，审核期为 \d{4}年\d{1,2}月\d{1,2}日至\d{4}年\d{1,2}月\d{1,2}日\s*$",
                         re.MULTILINE)


@pytest.mark.parametrize("path", _features(), ids=lambda p: str(p.relative_to(FEATURES)))
def test_feature_states_audit_date_and_period(path):
    """The audit date and period decide every date check, so each feature states them in its 背景."""
    assert AUDIT_DATES.search(path.read_text(encoding="utf-8")), f"{path.name}: 背景 must state 审核日 and 审核期"


def test_every_phrase_of_the_table_is_used():
    """A phrase no feature uses is an untested edit: each pattern of tests/steps/phrases.yaml must
    match some step of a feature (an outline's <列> placeholders stand for any parameter)."""
    from .steps.vocabulary import phrase_patterns
    steps = [line.strip().split(" ", 1)[1] for path in _features()
             for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip().startswith(("假如 ", "并且 ", "而且 ", "同时 ")) and " " in line.strip()]
    unused = [p.pattern for p in phrase_patterns(loose=True) if not any(p.regex.match(s) for s in steps)]
    assert not unused, f"phrases no feature uses: {unused}"
