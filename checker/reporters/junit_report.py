"""``junit.xml``: every rule result as a JUnit test case, for a park's data pipeline (CI servers,
test dashboards).

* one ``<testsuite>`` per standard, its counts computed from its own test cases;
* one ``<testcase>`` per rule result: ``classname`` = standard code and clause, ``name`` = rule id
  and subject;
* a nonconformity is a ``<failure>`` (``type`` = its grade, the nonconformity id in the message),
  an error an ``<error>``, and what is not a pass but not a failure either — not applicable, not
  evaluated, needs on-site verification — is ``<skipped>`` with the reason.  Conformity and
  observations pass (an observation says so in its ``<system-out>``);
* ``<system-out>`` of every test case: status, requirement, statement and evidence location (and in a
  pre-check the remediation).

Well-formed XML whatever the bundle holds: ElementTree escapes markup characters, and characters
XML 1.0 cannot carry (control characters, lone surrogates, U+FFFE/U+FFFF) are written as visible
backslash escapes (``checker.escape.printable``).  Deterministic: no time is recorded unless the
report has one (``--timestamp``); ``time`` is 0.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..escape import printable
from ..model import Report, Status
from ._machine import Item, audit_facts, body, explanation, items, words

_SKIPPED = (Status.NOT_APPLICABLE, Status.NOT_EVALUATED, Status.ONSITE)
# Characters outside XML 1.0's Char production that printable() leaves alone.
_NOT_XML = re.compile("[\ufffe\uffff]")


def xml_text(value) -> str:
    """Text XML 1.0 can carry: control and invisible characters as visible escapes."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m[0]):04x}", printable("" if value is None else value))


def _set(el: ET.Element, **attrs) -> ET.Element:
    for key, value in attrs.items():
        if value is not None:
            el.set(key, xml_text(value))
    return el


def _testcase(item: Item, lang: str) -> tuple[ET.Element, str | None]:
    r = item.result
    case = _set(ET.Element("testcase"), classname=item.classname, name=item.name, time="0",
                file=r.evidence[0].file if r.evidence else None,
                line=str(r.evidence[0].line) if r.evidence and r.evidence[0].line else None)
    outcome = None
    if r.status is Status.NONCONFORMITY:
        message = r.message.get(lang) if item.nc is None else f"{item.nc.id}: {r.message.get(lang)}"
        _set(ET.SubElement(case, "failure"), type=r.grade.value if r.grade else "nonconformity", message=message)
        outcome = "failures"
    elif r.status is Status.ERROR:
        _set(ET.SubElement(case, "error"), type="error", message=r.message.get(lang))
        outcome = "errors"
    elif r.status in _SKIPPED:
        _set(ET.SubElement(case, "skipped"), type=r.status.value, message=explanation(item, lang))
        outcome = "skipped"
    ET.SubElement(case, "system-out").text = xml_text(body(item, lang))
    return case, outcome


def _suite(standard: str, cases: list[Item], report: Report, lang: str) -> tuple[ET.Element, dict[str, int]]:
    pack = next((p for p in report.packs if p.id == standard), None)
    elements = [_testcase(item, lang) for item in cases]
    counts = {"tests": len(elements), "failures": 0, "errors": 0, "skipped": 0}
    for _, outcome in elements:
        if outcome:
            counts[outcome] += 1
    name = f"{pack.code} {pack.title}" if pack else standard
    suite = _set(ET.Element("testsuite"), name=name, id=standard, package=standard,
                 **{k: str(v) for k, v in counts.items()}, time="0", timestamp=report.generated_at)
    props = ET.SubElement(suite, "properties")
    for key, value in _properties(report, pack, lang):
        _set(ET.SubElement(props, "property"), name=key, value=value)
    suite.extend(case for case, _ in elements)
    return suite, counts


def _properties(report: Report, pack, lang: str) -> list[tuple[str, str]]:
    out = [("standard", pack.id if pack else ""), ("standard_code", pack.code if pack else ""),
           ("edition", pack.edition if pack else ""), ("pack_version", pack.version if pack else ""),
           ("pack_sha256", pack.sha256 if pack else ""), ("mode", report.mode), ("language", lang),
           ("tool", f"parkcheck {report.tool_version}")]
    park = (report.bundle.get("park") or {}).get("name")
    ncs = ", ".join(n.id for n in report.nonconformities if pack and any(s == pack.id for s, _ in n.clauses))
    for key, value in (("park", park), ("audit_date", report.bundle.get("audit_date")), ("nonconformities", ncs)):
        if value:
            out.append((key, str(value)))
    return out + audit_facts(report)


def render(report: Report, lang: str = "zh") -> bytes:
    by_standard: dict[str, list[Item]] = {p.id: [] for p in report.packs}
    for item in items(report):
        by_standard.setdefault(item.result.standard, []).append(item)
    root = ET.Element("testsuites")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    suites = []
    for standard, cases in by_standard.items():
        suite, counts = _suite(standard, cases, report, lang)
        suites.append(suite)
        for key in totals:
            totals[key] += counts[key]
    _set(root, name=words(lang)["suites"], **{k: str(v) for k, v in totals.items()}, time="0")
    root.extend(suites)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
