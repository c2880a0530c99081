"""``report.pdf``: the conformity report printed on A4 (WeasyPrint), for the auditor to sign and file.

The same view data as the HTML report (``_view.view``) fill a print template of their own
(``templates/report.pdf.html.j2`` with ``report.pdf.css``): a cover with the audit information (the
park, period, audit date and standards when no audit information was given), page numbers in the
page margin ("第 x 页 共 y 页" / "Page x of y"), table headers repeated on every page a table spans,
long titles wrapped rather than cut, and a signature block at the end.

Chinese text needs a Chinese font: the system's (fontconfig), embedded as a subset.  Without one the
PDF would show empty boxes, so rendering stops with one line naming the package to install.  Nothing
is fetched from the network or the file system except the template's own files (``_PackagedOnly``);
bundle text is escaped by the template's autoescaping and ``printable``.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from markupsafe import Markup

from ..errors import InputError
from ..escape import clip, printable
from ..i18n import tr
from ..labels_audit import PDF
from ..labels_out import in_language
from ..model import Report
from ..resources import data_dir
from ..schemas import load_schemas
from ._view import environment, view

# The Chinese font families preferred, in order; any other family fontconfig knows for Chinese follows.
PREFERRED_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei",
                   "WenQuanYi Micro Hei", "AR PL UMing CN")
FONT_PACKAGE = "fonts-noto-cjk"  # Debian / Ubuntu; Fedora: google-noto-sans-cjk-fonts


def render(report: Report, lang: str = "zh") -> bytes:
    fonts = chinese_fonts()
    html = _environment().get_template("report.pdf.html.j2").render(
        **view(report, lang), pdf=pdf_view(report, lang, fonts))
    return _print(html)


# A text printed in the PDF is cut past this many characters: WeasyPrint's layout of a table cell grows faster
# than its text (20,000 characters of a policy title quoted in a finding: 10 s; 300,000: over 5 minutes).
PDF_TEXT_LIMIT = 10_000


@lru_cache(maxsize=1)
def _environment():
    """The HTML environment, every ``{{ }}`` also cut to ``PDF_TEXT_LIMIT`` characters (report.json keeps all)."""
    return environment(True).overlay(finalize=_pdf_value)


def _pdf_value(value):
    return value if isinstance(value, Markup) or value is None else printable(clip(value, PDF_TEXT_LIMIT))


# --- fonts ---------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def chinese_fonts() -> tuple[str, ...]:
    """The font families fontconfig has for Chinese (``fc-list :lang=zh``), preferred ones first;
    ``InputError`` (one line, exit 2) when there is none: the PDF would show boxes instead of text."""
    families = _fc_families()
    if not families:
        raise InputError(tr("cannot write report.pdf: no Chinese font is installed (fontconfig `fc-list :lang=zh` "
                            "finds none); install the system package {package} (Noto CJK) and run again",
                            package=FONT_PACKAGE))
    return tuple([f for f in PREFERRED_FONTS if f in families] + sorted(families - set(PREFERRED_FONTS)))


def _fc_families() -> set[str]:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return set()
    try:
        out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30,
                             check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    # one font a line; a font with names in several languages lists them separated by commas
    return {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal (our own labels only; quotes and backslashes escaped anyway)."""
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return f'"{text}"'


# --- what the print template reads besides the HTML report's view ----------------------------------

def pdf_view(report: Report, lang: str, fonts: tuple[str, ...]) -> dict:
    t = in_language(PDF, lang)
    audit = _as_dict(report.audit)
    return {
        "t": t,
        "fonts": Markup(", ".join(_css_string(f) for f in fonts)),  # family names from fontconfig, quoted
        "page_counter": Markup(_page_counter(t["page_of"])),
        "audit": _audit_rows(audit, report, lang) if audit else None,
        "lead_auditor": _lead_auditor(audit),
        "auditee": _auditee(audit),
        "audit_type": _enum_label("audit_type", audit.get("audit_type"), lang) if audit else None,
        "conclusion": _as_dict(report.conclusion),
        "audit_mode": report.mode == "audit",
    }


def _page_counter(pattern: str) -> str:
    """``第 {page} 页 共 {pages} 页`` as CSS ``content``: strings around ``counter(page)`` / ``counter(pages)``."""
    parts: list[str] = []
    rest = pattern
    while rest:
        head, sep, tail = rest.partition("{")
        if head:
            parts.append(_css_string(head))
        if not sep:
            break
        name, _, rest = tail.partition("}")
        parts.append(f"counter({name})")
    return " ".join(parts)


def _as_dict(value: Any) -> dict:
    """The audit information or conclusion as a dict, whether a dict or a dataclass carries it."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    if hasattr(value, "to_json"):
        return value.to_json()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return {}


@lru_cache(maxsize=1)
def _audit_schema() -> dict:
    return load_schemas().schema("audit")  # the cached schema set, not the file read again per label


def _field(path: tuple[str, ...]) -> dict:
    node = _audit_schema()
    for key in path:
        node = node.get("properties", {}).get(key) or node.get("items", {}).get("properties", {}).get(key) or {}
    return node


def _title(lang: str, *path: str) -> str:
    node = _field(path)
    return str(node.get("title" if lang == "zh" else "x-title-en") or node.get("title") or path[-1])


def _enum_label(name: str, code: Any, lang: str, *outer: str) -> str:
    """The label the audit schema gives an enum value (audit type, team role)."""
    if code is None:
        return ""
    node = _field((*outer, name))
    labels = node.get("x-enum-labels" if lang == "zh" else "x-enum-labels-en") or {}
    return str(labels.get(code, code))


def _audit_rows(audit: dict, report: Report, lang: str) -> list[dict]:
    """The cover's table of the audit information: one row per field given, labelled with the
    schema's titles, in the order a certificate reads."""
    packs = {p.id: p for p in report.packs}
    dates = audit.get("dates") or {}
    values: dict[str, list] = {
        "certification_body": [_body(audit.get("certification_body") or {}, lang)],
        "audit_number": [audit.get("audit_number")],
        "audit_type": [_enum_label("audit_type", audit.get("audit_type"), lang)],
        "dates": [f"{dates.get('start', '')} – {dates.get('end', '')}" if dates else None],
        "scope": [audit.get("scope")],
        "team": [_member(m, lang) for m in _items(audit, "team")],
        "auditee": [_person(p, lang) for p in _items(audit, "auditee")],
        "standards": [_aside(_pack_name(packs, s.get("standard")), [s.get("edition")], lang)
                      for s in _items(audit, "standards")],
        "sites": [_aside(s.get("name"), [s.get("address")], lang) for s in _items(audit, "sites")],
    }
    return [{"label": _title(lang, key), "lines": [str(x) for x in lines if x]}
            for key, lines in values.items() if any(lines)]


def _items(audit: dict, key: str) -> list[dict]:
    return [x for x in audit.get(key) or () if isinstance(x, dict)]


def _member(member: dict, lang: str) -> str:
    role = _enum_label("role", member.get("role"), lang, "team")
    return _aside(member.get("name"), [role, member.get("registration")], lang)


def _aside(main: Any, extra: list, lang: str) -> str:
    """``main（a；b）`` in Chinese, ``main (a; b)`` in English; the parts not given left out."""
    extra = [str(x) for x in extra if x]
    if not extra:
        return str(main or "")
    return f"{main}（{'；'.join(extra)}）" if lang == "zh" else f"{main} ({'; '.join(extra)})"


def _body(body: dict, lang: str) -> str | None:
    if not body.get("name"):
        return None
    acc = body.get("accreditation")
    return _aside(body["name"], [f"{_title(lang, 'certification_body', 'accreditation')} {acc}" if acc else None], lang)


def _pack_name(packs: dict, standard: Any) -> str:
    pack = packs.get(standard)
    return f"{pack.code} {pack.title}" if pack else str(standard or "")


def _person(person: Any, lang: str) -> str:
    if not isinstance(person, dict):
        return str(person)
    return _aside(person.get("name"), [person.get("position"), person.get("department")], lang)


def _lead_auditor(audit: dict) -> str:
    lead = next((m for m in audit.get("team") or () if m.get("role") == "lead_auditor"), None)
    return str(lead.get("name") or "") if lead else ""


def _auditee(audit: dict) -> str:
    people = audit.get("auditee") or ()
    return str(people[0].get("name") or "") if people and isinstance(people[0], dict) else ""


# --- printing ------------------------------------------------------------------------------------

def _print(html: str) -> bytes:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the Pango library WeasyPrint needs is missing
        raise InputError(tr("cannot write report.pdf: WeasyPrint is not usable here ({error}); install the "
                            "weasyprint package and its system libraries (Pango)", error=exc)) from None
    fetcher = _packaged_only(weasyprint)
    base = data_dir("templates").resolve()
    css = weasyprint.CSS(filename=str(base / "report.pdf.css"), url_fetcher=fetcher)
    document = weasyprint.HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[css])


def _packaged_only(weasyprint):
    """A URL fetcher that serves the template folder's own files and refuses every other address
    (web, data and file addresses outside it): the report never fetches anything."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = data_dir("templates").resolve()

    class PackagedOnly(URLFetcher):
        def fetch(self, url, headers=None):
            path = packaged_file(url, root)
            if path is None:
                raise ValueError(f"parkcheck's PDF fetches nothing but its own template files: {url[:80]}")
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _mime(path)})

    return PackagedOnly(allowed_protocols=("file",))


def packaged_file(url: str, root: Path) -> Path | None:
    """The file a ``file:`` address names when it is a regular file inside ``root``, else None."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost") or parts.query:
        return None
    try:
        path = Path(unquote(parts.path)).resolve()
    except (OSError, ValueError):
        return None
    return path if root in path.parents and path.is_file() else None


def _mime(path: Path) -> str:
    types = {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml"}
    return types.get(path.suffix, "application/octet-stream")
