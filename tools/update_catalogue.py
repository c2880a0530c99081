"""Bring checker/locale/zh_CN/LC_MESSAGES/parkcheck.po up to date with the messages of the code.

Extracts every ``tr("…")`` of checker/ with babel, keeps the translation of each id still used, adds the
new ids with an empty translation (to be written by hand) and drops the ids no code uses any more.
Run from the repository root: ``python tools/update_catalogue.py``.  ``tests/test_i18n.py`` fails while
an entry is untranslated, stale or fuzzy.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "checker" / "locale" / "zh_CN" / "LC_MESSAGES" / "parkcheck.po"
HEADER = ("# Chinese messages of parkcheck (checker.i18n). Message ids are the English texts in the code.\n"
          "# tests/test_i18n.py fails when an id used in the code has no translation here, or an entry is stale.")


def main() -> int:
    with PO.open("rb") as fh:
        before = read_po(fh, locale="zh_CN")
    old = {m.id: m.string for m in before if m.id and not m.fuzzy}
    new = Catalog(locale="zh_CN", project="parkcheck", version="0.1.0", charset="utf-8", fuzzy=False,
                  header_comment=HEADER, creation_date=before.creation_date)  # no churn in the header
    for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / "checker", method_map=[("**.py", "python")], keywords={"tr": None}):
        new.add(message, old.get(message, ""), locations=[(f"checker/{filename}", lineno)])
    ids = {m.id for m in new if m.id}
    added = sorted(str(m) for m in ids - set(old))
    dropped = sorted(str(m) for m in set(old) - ids)
    with PO.open("wb") as fh:
        write_po(fh, new, width=120, sort_output=True, include_lineno=False)
    for m in added:
        print(f"new, to translate: {m!r}")
    for m in dropped:
        print(f"dropped: {m!r}")
    print(f"{len(ids)} messages in {PO.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
