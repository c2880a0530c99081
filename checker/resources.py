"""Where the shipped rules, schemas and templates are.

In an installed wheel they live in ``checker/_data``; in a source checkout (editable install or
plain ``PYTHONPATH``) they are the top-level ``rules/``, ``schemas/`` and ``templates/`` folders.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder holding the shipped ``rules``, ``schemas`` or ``templates``.

    ``PARKCHECK_RULES`` points at another rules folder (a standard editor's working copy).
    """
    import os

    if name == "rules" and os.environ.get("PARKCHECK_RULES"):
        return Path(os.environ["PARKCHECK_RULES"])
    installed = _PKG / "_data" / name
    if installed.is_dir():
        return installed
    source = _PKG.parent / name
    if source.is_dir():
        return source
    raise FileNotFoundError(f"parkcheck data folder {name!r} not found (looked in {installed} and {source})")
