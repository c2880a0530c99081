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


ORIGINS = {"--rules": ("--rules 指定", "given with --rules"),
           "PARKCHECK_RULES": ("PARKCHECK_RULES 指定", "from PARKCHECK_RULES"),
           "project": ("当前项目检出", "the project checkout you are in"),
           "installed": ("已安装的规则包", "the installed packs")}


def locate_rules(explicit: Path | None = None, cwd: Path | None = None) -> tuple[Path | None, str]:
    """Which rules folder a command works on, and why: ``--rules DIR``; else ``PARKCHECK_RULES``;
    else the ``rules/`` of the project checkout the working directory is in (searched upward, like
    git: the nearest folder holding ``rules/<pack>/pack.yaml``); else the installed packs (None).

    An editor who edits ``rules/`` in a checkout and runs ``parkcheck rules lint`` there lints what
    they edited, not a copy installed elsewhere."""
    import os

    if explicit is not None:
        return explicit.resolve(), "--rules"
    if os.environ.get("PARKCHECK_RULES"):
        return Path(os.environ["PARKCHECK_RULES"]).resolve(), "PARKCHECK_RULES"
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "rules"
        if candidate.is_dir() and any(candidate.glob("*/pack.yaml")):
            return candidate, "project"
    return None, "installed"


def describe_rules(folder: Path | None, origin: str, lang: str = "zh") -> str:
    """One line naming the rules folder a command uses."""
    where = str(folder if folder is not None else data_dir("rules"))
    zh, en = ORIGINS[origin]
    return f"规则目录：{where}（{zh}）" if lang == "zh" else f"Rules folder: {where} ({en})"
