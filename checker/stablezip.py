"""Office files (.xlsx, .docx) with deterministic bytes.

openpyxl and python-docx stamp the clock into ``docProps/core.xml`` (openpyxl overwrites the
``modified`` time at every save, whatever the workbook's properties say) and into every zip entry.
``stable_zip`` rewrites both to a given time, keeps the entries in their order and deflates them at
one level, so the same content gives the same bytes in any second of any day.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)")
FIXED = datetime(2000, 1, 1)


def stable_zip(data: bytes, when: datetime = FIXED) -> bytes:
    """The Office file ``data`` with every zip entry stamped ``when`` and the core properties' times
    set to it, entries in their order, deflated: deterministic bytes."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "docProps/core.xml":
                body = _CORE_TIMES.sub(rb"\g<1>" + stamp + rb"\g<2>", body)
            entry = zipfile.ZipInfo(info.filename, when.timetuple()[:6])
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, body, zipfile.ZIP_DEFLATED, 6)
    return out.getvalue()
