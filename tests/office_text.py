"""The text a rendered report format shows, for tests that search every format: text formats
decoded; Office files (docx, xlsx: zip archives of XML) as the text of their XML elements; a
format that writes a folder (``{file name: bytes}``) as its file names and their texts."""

from __future__ import annotations

import functools
import io
import zipfile
from xml.etree import ElementTree


def office_text(data: bytes) -> str:
    """The text of every element of every XML part of an Office file, one per line."""
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                out.extend(_part_text(z.read(name)))
    return "\n".join(out)


@functools.lru_cache(maxsize=64)
def _part_text(xml: bytes) -> tuple[str, ...]:
    """The texts of one XML part, parsed once per content: the styles parts (most of the parsing of a
    form) are the same bytes in every form of a set."""
    return tuple(e.text for e in ElementTree.fromstring(xml).iter() if e.text)


def shown_text(rendered: bytes | dict[str, bytes]) -> str:
    if isinstance(rendered, dict):
        return "\n".join(f"{name}\n{shown_text(data)}" for name, data in sorted(rendered.items()))
    if rendered[:4] == b"PK\x03\x04":
        return office_text(rendered)
    return rendered.decode("utf-8")
