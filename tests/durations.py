"""The measured seconds of each test module (setup, call and teardown of all its tests), which the
scheduler of tests/conftest.py reads to hand out the longest groups first.  A stale or missing entry
only changes the order in which groups start, never which tests run.

Refresh after a full run:  .venv/bin/pytest -q -n 2 --junitxml=/tmp/junit.xml
                           .venv/bin/python -m tests.durations /tmp/junit.xml
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "durations.json"


def module_of(classname: str) -> str:
    """``tests.test_x`` or ``tests.test_x.Class`` (a junit classname) -> ``test_x.py``."""
    parts = classname.split(".")
    return next((p for p in parts if p.startswith("test_")), parts[-1]) + ".py"


def read_junit(path: Path) -> dict[str, float]:
    seconds: Counter[str] = Counter()
    for case in ET.parse(path).getroot().iter("testcase"):
        seconds[module_of(case.get("classname", ""))] += float(case.get("time") or 0)
    return {name: round(s, 1) for name, s in sorted(seconds.items())}


def load() -> dict[str, float]:
    try:
        return {str(k): float(v) for k, v in json.loads(TABLE.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    TABLE.write_text(json.dumps(read_junit(Path(argv[0])), indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
