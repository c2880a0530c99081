"""Mutated example bundles for the fuzz test (tests/test_fuzz.py) and the long fuzz run (bench/fuzz.py).

A mutation plan is drawn from a seed: a copy of an example park, then a few mutations of its structure
(files removed, duplicated, truncated, keys dropped or added, deep nesting), value types (numbers the
engine cannot take, wrong types, tags, invisible characters, lone surrogates), encodings (GBK, UTF-16,
stray bytes, NUL, BOM, CRLF) and file kinds (named pipes, sockets, folders, symlinks inside, outside, in
a loop, to /dev/zero; the bundle zipped, with a corrupt stream).  Each run goes through the CLI
in-process and the outcome is classified; the evidence is hashed before and after.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import re
import shutil
import socket
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
PARKS = ("lvgu-park", "donghu-park")

SCALARS = [
    "1e400", "-1e400", ".inf", ".nan", "NaN", "1e300", str(10 ** 400), "9" * 5000, "0x" + "f" * 40, "-0",
    "true", "null", "~", "[]", "{}", "'\\ud800'", '"\\ud800"', '"\\ud83d\\ude00"', '"a\\u202eb"', "a\u200bb",
    "\u202egnp.exe", "!!python/object:os.system ls", "!!binary aGVsbG8=", "!foo x", "*undefined", "&a x",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "2024-13-45", "2024-02-30", "\"\"", "'", "\"", "{a: 1, a: 2}", "<<: *x", "| \n  block", "- - -", "12",
    "-3", "0.0000001", "1e-07", "[1, 2, 3]", "{x-k: v}", "\x1b[31mred", "line\nbreak", "[bold]x[/bold]",
    "=cmd|' /C calc'!A0", "<script>alert(1)</script>",
]


COUNT_LINE = re.compile(r"个文件有问题，共 \d+ 处 / (\d+) problems? in \d+ files?")  # checker.problemlist


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str
    evidence_unchanged: bool
    plan: list[str]

    @property
    def internal_error(self) -> bool:
        return "internal error" in self.stderr or "Traceback" in self.stderr + self.stdout

    def problems(self, bundle: Path) -> list[str]:
        """What is wrong with this outcome (empty when the run behaved)."""
        bad = []
        if self.exit_code not in (0, 1, 2):
            bad.append(f"exit code {self.exit_code}")
        if self.internal_error:
            bad.append("internal error or traceback")
        if not self.evidence_unchanged:
            bad.append("evidence changed")
        if self.exit_code == 2:
            lines = [line for line in self.stderr.splitlines() if line.strip()]
            if not lines:
                bad.append("exit 2 without an error line")
            count = COUNT_LINE.search(lines[-1]) if lines else None  # every problem listed, then counted
            listed = lines[:-1] if count else lines
            for line in listed:
                if not line.startswith("parkcheck: ") or "\x1b" in line or "\r" in line:
                    bad.append(f"unreadable error line {line[:200]!r}")
                elif not names_a_file(line, bundle):
                    bad.append(f"error line names no file: {line[:200]!r}")
            if count:
                shown = len(listed) + len([line for line in self.stdout.splitlines() if line.strip()])
                if not listed or int(count.group(1)) != shown:
                    bad.append(f"count line says {count.group(1)}, {shown} problem lines")
            elif lines and lines[0].startswith("parkcheck: error: ") and len(lines) != 1:
                bad.append(f"{len(lines)} error lines")
        return bad


def names_a_file(line: str, bundle: Path) -> bool:
    return str(bundle) in line or any(t in line for t in (".yaml", ".yml", ".json", ".csv", ".zip", "attachments/"))


def digest(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` by its kind and content, read without following links or opening
    anything but regular files."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            rel = str(path.relative_to(folder))
            st = os.lstat(path)
            if stat.S_ISREG(st.st_mode):
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest() + f":{st.st_mode:o}"
            elif stat.S_ISLNK(st.st_mode):
                out[rel] = "link:" + os.readlink(path)
            else:
                out[rel] = f"kind:{stat.S_IFMT(st.st_mode):o}:{st.st_mode:o}"
    return out


# -- mutations --------------------------------------------------------------------------------------

def _files(bundle: Path, rnd: random.Random, suffixes=(".yaml", ".csv", ".json")) -> list[Path]:
    files = sorted(p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()
                   and (not suffixes or p.suffix in suffixes))
    return files


def _pick(bundle: Path, rnd: random.Random, suffixes=(".yaml", ".csv", ".json")) -> Path | None:
    files = _files(bundle, rnd, suffixes)
    return rnd.choice(files) if files else None


def m_replace_value(bundle, rnd):
    f = _pick(bundle, rnd, (".yaml",))
    if f is None:
        return "none"
    lines = f.read_bytes().split(b"\n")
    candidates = [i for i, line in enumerate(lines) if b": " in line]
    if not candidates:
        return "none"
    i = rnd.choice(candidates)
    head = lines[i].split(b": ", 1)[0]
    value = rnd.choice(SCALARS)
    lines[i] = head + b": " + value.encode("utf-8", "surrogatepass")
    f.write_bytes(b"\n".join(lines))
    return f"value {f.name}:{i + 1} = {value[:30]!r}"


def m_drop_line(bundle, rnd):
    f = _pick(bundle, rnd)
    if f is None:
        return "none"
    lines = f.read_bytes().split(b"\n")
    i = rnd.randrange(len(lines))
    del lines[i]
    f.write_bytes(b"\n".join(lines))
    return f"drop line {f.name}:{i + 1}"


def m_duplicate_line(bundle, rnd):
    f = _pick(bundle, rnd)
    if f is None:
        return "none"
    lines = f.read_bytes().split(b"\n")
    i = rnd.randrange(len(lines))
    lines.insert(i, lines[i])
    f.write_bytes(b"\n".join(lines))
    return f"duplicate line {f.name}:{i + 1}"


def m_indent(bundle, rnd):
    f = _pick(bundle, rnd, (".yaml",))
    if f is None:
        return "none"
    lines = f.read_bytes().split(b"\n")
    i = rnd.randrange(len(lines))
    lines[i] = b" " * rnd.choice([1, 2, 3, 7]) + lines[i] if rnd.random() < 0.7 else lines[i].lstrip()
    f.write_bytes(b"\n".join(lines))
    return f"indent {f.name}:{i + 1}"


def m_truncate(bundle, rnd):
    f = _pick(bundle, rnd, ())
    if f is None:
        return "none"
    data = f.read_bytes()
    cut = rnd.randrange(len(data) + 1)
    f.write_bytes(data[:cut])
    return f"truncate {f.name} at {cut}"


def m_bytes(bundle, rnd):
    f = _pick(bundle, rnd)
    if f is None:
        return "none"
    data = bytearray(f.read_bytes())
    junk = rnd.choice([b"\x00", b"\xff\xfe", b"\xc3", b"\xef\xbb\xbf", b"\xe2\x80\xae", b"\xe2\x80\x8b", b"\r",
                       b"\t", b"\x1b[2J", b"\xed\xa0\x80", bytes(rnd.randrange(256) for _ in range(8))])
    at = rnd.randrange(len(data) + 1)
    data[at:at] = junk
    f.write_bytes(bytes(data))
    return f"bytes {junk!r} into {f.name} at {at}"


def m_encoding(bundle, rnd):
    f = _pick(bundle, rnd)
    if f is None:
        return "none"
    text = f.read_bytes().decode("utf-8", "replace")
    enc = rnd.choice(["gbk", "utf-16", "utf-8-sig", "crlf", "gb18030", "latin-1"])
    if enc == "crlf":
        f.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    else:
        f.write_bytes(text.encode(enc, "replace"))
    return f"encode {f.name} as {enc}"


def m_remove_file(bundle, rnd):
    f = _pick(bundle, rnd, ())
    if f is None:
        return "none"
    f.unlink()
    return f"remove {f.relative_to(bundle)}"


def m_copy_file(bundle, rnd):
    f = _pick(bundle, rnd, ())
    if f is None:
        return "none"
    dest = f.with_name(rnd.choice(["copy.yaml", "x.json", "extra.yml", "t.csv", "bundle.yaml.bak", "sub.yaml"]))
    shutil.copyfile(f, dest)
    return f"copy {f.name} to {dest.name}"


def m_deep(bundle, rnd):
    f = _pick(bundle, rnd, (".yaml",))
    if f is None:
        return "none"
    n = rnd.choice([63, 64, 65, 200, 1000, 5000, 100_000])
    style = rnd.choice(["[", "{a: ", "block"])
    if style == "block":
        nest = "\n" + "".join(" " * (i + 1) + "- \n" for i in range(min(n, 1200)))
    else:
        nest = style * n + "1" + ("]" if style == "[" else "}") * n
    with open(f, "a", encoding="utf-8") as fh:
        fh.write(f"\nx-deep: {nest}\n")
    return f"deep {style!r} x{n} in {f.name}"


def m_aliases(bundle, rnd):
    f = _pick(bundle, rnd, (".yaml",))
    if f is None:
        return "none"
    lines = ["x-a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(rnd.choice([3, 6, 9])):
        lines.append(f"x-{i}: &b{i} [" + ", ".join([f"*{'a' if i == 0 else f'b{i - 1}'}"] * 10) + "]")
    with open(f, "a", encoding="utf-8") as fh:
        fh.write("\n" + "\n".join(lines) + "\n")
    return f"aliases in {f.name}"


def m_special_file(bundle, rnd):
    kind = rnd.choice(["fifo", "socket", "dir", "link-out", "link-zero", "link-loop", "link-in", "link-dangling",
                       "link-dir-out", "fifo-manifest", "dir-manifest"])
    target = rnd.choice(["policy.yaml", "attachments/x.pdf", "new.yaml", "bundle.yaml"])
    if kind.endswith("manifest"):
        target = "bundle.yaml"
    path = bundle / target
    path.parent.mkdir(exist_ok=True)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
    if kind.startswith("fifo"):
        os.mkfifo(path)
    elif kind == "socket":
        s = socket.socket(socket.AF_UNIX)
        try:
            s.bind(str(path))
        finally:
            s.close()
    elif kind.startswith("dir"):
        path.mkdir()
    elif kind == "link-out":
        os.symlink("/etc/hostname", path)
    elif kind == "link-zero":
        os.symlink("/dev/zero", path)
    elif kind == "link-loop":
        os.symlink(path.name + ".2", path)
        os.symlink(path.name, path.with_name(path.name + ".2"))
    elif kind == "link-in":
        others = _files(bundle, rnd, (".yaml",))
        os.symlink(os.path.relpath(rnd.choice(others), path.parent) if others else "missing", path)
    elif kind == "link-dir-out":
        os.symlink("/etc", path)
    else:
        os.symlink("does-not-exist", path)
    return f"{kind} at {target}"


def m_csv(bundle, rnd):
    f = bundle / "documented_information.csv"
    if not f.exists():
        return "none"
    lines = f.read_text(encoding="utf-8").split("\n")
    what = rnd.choice(["ragged", "quote", "big-cell", "header", "empty", "rows"])
    if what == "ragged":
        lines.insert(rnd.randrange(1, len(lines) + 1), "a,b")
    elif what == "quote":
        lines.insert(rnd.randrange(1, len(lines) + 1), '"unterminated,x')
    elif what == "big-cell":
        lines.append("X-1," + "x" * 200_000 + ",document,A,someone,2024-01-01,effective,,")
    elif what == "header":
        lines[0] = lines[0].replace("title", "number")
    elif what == "empty":
        lines = []
    else:
        lines += lines[1:] * 20
    f.write_text("\n".join(lines), encoding="utf-8")
    return f"csv {what}"


MUTATIONS = [m_replace_value, m_replace_value, m_drop_line, m_duplicate_line, m_indent, m_truncate, m_bytes,
             m_encoding, m_remove_file, m_copy_file, m_deep, m_aliases, m_special_file, m_csv]


def make_bundle(dest: Path, seed: int) -> tuple[Path, list[str]]:
    """A mutated copy of an example park under ``dest`` (a folder or a .zip); returns it and its plan."""
    rnd = random.Random(seed)
    park = rnd.choice(PARKS)
    bundle = dest / "bundle"
    shutil.copytree(ROOT / "evidence" / park, bundle)
    plan = [park]
    for _ in range(rnd.choice([1, 1, 2, 3])):
        plan.append(rnd.choice(MUTATIONS)(bundle, rnd))
    if rnd.random() < 0.15:
        archive = dest / "bundle.zip"
        zipped(bundle, archive, rnd)
        plan.append("zipped")
        return archive, plan
    return bundle, plan


_ZEROS = bytes(1 << 20)


def zipped(folder: Path, archive: Path, rnd: random.Random) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file() and not p.is_symlink():
                zf.write(p, p.relative_to(folder).as_posix())
        if rnd.random() < 0.3:
            for i in range(rnd.choice([3, 40])):
                zf.writestr(f"attachments/zero{i}.bin", _ZEROS)
    data = bytearray(buffer.getvalue())
    if rnd.random() < 0.3:  # corrupt a stretch of compressed data
        at = rnd.randrange(len(data))
        for i in range(at, min(at + 16, len(data))):
            data[i] ^= 0xA5
    archive.write_bytes(bytes(data))


def run_cli(args: list[str]) -> tuple[int, str, str]:
    from checker.cli import main

    result = CliRunner().invoke(main, args, catch_exceptions=True)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += f"\nTraceback: uncaught {type(result.exception).__name__}: {result.exception}"
    return result.exit_code, result.stdout, stderr


def fuzz_once(workdir: Path, seed: int, command: str = "validate") -> tuple[Outcome, Path]:
    """Make one mutated bundle in ``workdir`` and run ``parkcheck <command>`` on it in-process."""
    target, plan = make_bundle(workdir, seed)
    before = digest(workdir)
    code, out, err = run_cli([command, str(target)] + (["-q"] if command == "check" else []))
    return Outcome(code, out, err, digest(workdir) == before, plan), target
