"""The summary printed on the terminal after a check (rich tables handle CJK widths).

Evidence text never reaches rich as markup: every value is a ``rich.text.Text`` made from
``escape.one_line`` (control characters, escape sequences, newlines and bidirectional overrides
shown as backslash escapes), so ``[bold]``, ``[link=…]`` or ``:emoji:`` in a park name print as
they are.  Long values are cut (``CELL_LIMIT``) so a huge free-text finding cannot stall the
table; the report files keep the full text.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..escape import clip, one_line
from ..model import Report, Status
from ._view import SECTION_TITLES, status_label

STYLE = {Status.NONCONFORMITY: "bold red", Status.OBSERVATION: "yellow", Status.ONSITE: "cyan",
         Status.CONFORM: "green", Status.NOT_APPLICABLE: "dim", Status.NOT_CHECKED: "dim", Status.ERROR: "bold magenta",
         Status.NOT_EVALUATED: "magenta"}
CELL_LIMIT = 2000  # characters of one value shown on the terminal


def plain(value, style: str = "", limit: int = CELL_LIMIT) -> Text:
    """A terminal cell showing ``value`` literally (never interpreted as markup), cut to ``limit``."""
    return Text(one_line(clip("" if value is None else value, limit)), style=style)


def print_summary(report: Report, console: Console, lang: str = "zh", show_unchecked: bool = False) -> None:
    t = SECTION_TITLES[lang]
    packs = {p.id: p for p in report.packs}
    b = report.bundle
    console.print(Text.assemble(plain(b["park"]["name"], "bold"), "  ", t["period"], " ", plain(b["period"]["start"]),
                                " – ", plain(b["period"]["end"]), "  ", t["audit_date"], " ", plain(b["audit_date"])),
                  no_wrap=True, overflow="ellipsis")  # cut, not wrapped: a wrapped line could start with forged text
    for pack in report.packs:
        table = Table(title=plain(f"{pack.code} {pack.title}"), title_justify="left", show_lines=False)
        table.add_column(t["clause"], no_wrap=True)
        table.add_column(t["clause_title"])
        table.add_column(t["verdict"], no_wrap=True)
        for v in report.verdicts:
            if v.standard != pack.id or (v.status is Status.NOT_CHECKED and not show_unchecked):
                continue
            table.add_row(plain(v.clause), plain(v.title), Text(status_label(v.status, v.grade, lang), style=STYLE[v.status]))
        console.print(table)
    if report.nonconformities:
        table = Table(title=t["ncs"], title_justify="left")
        for col in (t["no"], t["clause"], t["grade"], t["finding"], t["evidence"]):
            table.add_column(col, overflow="fold")
        for nc in report.nonconformities:
            table.add_row(plain(nc.id), plain(", ".join(f"{packs[s].code} {c}" for s, c in nc.clauses)),
                          status_label(Status.NONCONFORMITY, nc.grade, lang), plain(nc.finding.get(lang)),
                          Text("\n").join(plain(e.location()) for e in nc.evidence[:3]))
        console.print(table)
    for sc in report.scores:
        code = packs[sc.standard].code
        eligible = "" if sc.eligible else f" [bold red]{t['not_eligible']}: {', '.join(sc.failed_gates)}[/]"
        console.print(f"[bold]{code} {t['score']} {sc.total:.2f}[/bold] ({t['bonus']} {sc.bonus:.2f}) · {t['score_grade']} [bold]{sc.grade}[/bold]{eligible}"
                      + ("" if sc.designation is None else f" · {t['designation']}: {t['yes'] if sc.designation else t['no_']}"))
        console.print("  " + " · ".join(f"{g.name} {g.subtotal:.2f}" for g in sc.groups))
    s = report.summary()
    nc = s["nonconformities"]
    counts = s["results"]
    console.print(
        f"{t['ncs']}: {nc['total']} (major {nc['major']}, minor {nc['minor']}) · "
        f"{status_label(Status.OBSERVATION, None, lang)}: {counts.get('observation', 0)} · "
        f"{status_label(Status.ONSITE, None, lang)}: {counts.get('onsite', 0)} · "
        f"{status_label(Status.CONFORM, None, lang)}: {counts.get('conform', 0)}"
        + (f" · [bold magenta]errors: {counts['error']}[/]" if counts.get("error") else ""))
