"""The summary printed on the terminal after a check (rich tables handle CJK widths)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..model import Report, Status
from ._view import SECTION_TITLES, status_label

STYLE = {Status.NONCONFORMITY: "bold red", Status.OBSERVATION: "yellow", Status.ONSITE: "cyan",
         Status.CONFORM: "green", Status.NOT_APPLICABLE: "dim", Status.NOT_CHECKED: "dim", Status.ERROR: "bold magenta",
         Status.NOT_EVALUATED: "magenta"}


def print_summary(report: Report, console: Console, lang: str = "zh", show_unchecked: bool = False) -> None:
    t = SECTION_TITLES[lang]
    packs = {p.id: p for p in report.packs}
    console.print(f"[bold]{report.bundle['park']['name']}[/bold]  {t['period']} {report.bundle['period']['start']} – "
                  f"{report.bundle['period']['end']}  {t['audit_date']} {report.bundle['audit_date']}")
    for pack in report.packs:
        table = Table(title=f"{pack.code} {pack.title}", title_justify="left", show_lines=False)
        table.add_column(t["clause"], no_wrap=True)
        table.add_column(t["clause_title"])
        table.add_column(t["verdict"], no_wrap=True)
        for v in report.verdicts:
            if v.standard != pack.id or (v.status is Status.NOT_CHECKED and not show_unchecked):
                continue
            table.add_row(v.clause, v.title, f"[{STYLE[v.status]}]{status_label(v.status, v.grade, lang)}[/]")
        console.print(table)
    if report.nonconformities:
        table = Table(title=t["ncs"], title_justify="left")
        for col in (t["no"], t["clause"], t["grade"], t["finding"], t["evidence"]):
            table.add_column(col, overflow="fold")
        for nc in report.nonconformities:
            table.add_row(nc.id, ", ".join(f"{packs[s].code} {c}" for s, c in nc.clauses),
                          status_label(Status.NONCONFORMITY, nc.grade, lang), nc.finding.get(lang),
                          "\n".join(e.location() for e in nc.evidence[:3]))
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
