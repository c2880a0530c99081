"""Every Office file parkcheck writes outside the audit documents (the checklist and dictionary
workbooks, the onboarding template, the batch summary) carries fixed times: the same content gives
the same bytes whatever the clock says, even when a save straddles a second boundary."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from openpyxl.writer import excel as openpyxl_excel

from checker.batch_summary import render_xlsx as summary_xlsx
from checker.doctable import Document, Section, to_xlsx
from checker.template_xlsx import build_template

PACK = "t-cpqs-zc001-2025"


class _Ticking:
    """Stands in for openpyxl's ``datetime`` module: every ``now()`` a different second."""

    timezone = dt.timezone

    class datetime(dt.datetime):  # the name openpyxl calls
        ticks = 0

        @classmethod
        def now(cls, tz=None):
            cls.ticks += 1
            return dt.datetime(2031, 5, 6, 7, 8, cls.ticks % 60, tzinfo=tz)


@pytest.fixture()
def ticking_clock(monkeypatch):
    monkeypatch.setattr(openpyxl_excel, "datetime", _Ticking)


def _times(data: bytes) -> tuple[set, list]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        entries = {i.date_time for i in z.infolist()}
        core = z.read("docProps/core.xml").decode("utf-8")
    return entries, sorted(re.findall(r"<dcterms:(created|modified)[^>]*>([^<]*)<", core))


def _doc() -> Document:
    return Document(title="清单", notes=[], sections=[Section(heading="条款", notes=[], columns=["a"], rows=[["x"]])])


@pytest.mark.parametrize("make", [
    lambda: to_xlsx(_doc()),
    lambda: build_template(["policy"], [PACK]),
    lambda: summary_xlsx([], "zh"),
], ids=["checklist", "template", "batch-summary"])
def test_the_clock_never_reaches_the_bytes(make, ticking_clock):
    first, second = make(), make()
    assert first == second
    entries, stamps = _times(first)
    assert len(entries) == 1 and next(iter(entries))[0] < 2030
    assert len(stamps) == 2 and {s for _, s in stamps} == {stamps[0][1]} and not stamps[0][1].startswith("2031")
