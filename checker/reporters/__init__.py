"""Reporters: each format is one module with ``render(report, lang) -> bytes``.

``write_reports`` writes the chosen formats into a folder, each file atomically (a temporary file
in the same folder, flushed and renamed), so a crash never leaves a half-written report.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import InputError
from ..model import Report
from . import csv_report, html_report, json_report, md_report

FORMATS = {
    "json": ("report.json", json_report.render),
    "md": ("report.md", md_report.render),
    "html": ("report.html", html_report.render),
    "csv": ("nonconformities.csv", csv_report.render),
}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp creates 0600; a report is an ordinary file
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_reports(report: Report, out_dir: Path, formats: list[str], lang: str = "zh",
                  protect: Path | None = None) -> list[Path]:
    """Render and write ``formats`` into ``out_dir``; refuse to write inside ``protect`` (the bundle)."""
    out_dir = Path(out_dir)
    if protect is not None and protect.is_dir():
        bundle_root = protect.resolve()
        target = out_dir.resolve()
        if target == bundle_root or bundle_root in target.parents:
            raise InputError("the output folder is inside the evidence bundle; choose another --out "
                             "(parkcheck never writes into the evidence)", str(out_dir))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder: {exc.strerror}", str(out_dir)) from None
    rendered = [(out_dir / FORMATS[f][0], FORMATS[f][1](report, lang)) for f in formats]
    written = []
    for path, data in rendered:
        try:
            atomic_write(path, data)
        except OSError as exc:
            raise InputError(f"cannot write the report: {exc.strerror}", str(path)) from None
        written.append(path)
    return written
