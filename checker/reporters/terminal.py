"""The summary printed on the terminal after a check (rich tables handle CJK widths).

Evidence text never reaches rich as markup: every value is a ``rich.text.Text`` made from
``escape.one_line`` (control characters, escape sequences, newlines and bidirectional overrides
shown as backslash escapes), so ``[bold]``, ``[link=…]`` or ``:emoji:`` in a park name print as
they are.  Long values are cut (``CELL_LIMIT``) so a huge free-text finding cannot stall the
table; the report files keep the full text.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape as esc
from rich.table import Table
from rich.text import Text

from ..escape import clip, one_line
from ..labels_out import source_label, status_label
from ..model import Report, Status
from ._score import score_view
from ._view import SECTION_TITLES

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
        title = f"{pack.code} {pack.title}（{t['edition']} {pack.edition}，{t['pack_version']} {pack.version}）"
        console.print(plain(title, "italic"))  # its own line: a table title would wrap to the table's width
        table = Table(show_lines=False)
        table.add_column(t["clause"], no_wrap=True)
        table.add_column(t["clause_title"])
        table.add_column(t["verdict"], no_wrap=True)
        for v in report.verdicts:
            if v.standard != pack.id or (v.status is Status.NOT_CHECKED and not show_unchecked):
                continue
            table.add_row(plain(v.clause), plain(v.title),
                          Text(status_label(v.status, v.grade, lang), style=STYLE[v.status]))
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
        _print_score(console, score_view(sc, packs[sc.standard].code, lang, lambda x: source_label(x, lang)), t)
    for g in report.content_gaps:
        if g.reported_as == "not_covered":
            where = f"{g.file}:{g.line}" if g.line else g.file
            console.print(f"{t['gap_line']}: {where}#{g.pointer}: {g.message}", markup=False)
    for path in report.unused_files:  # never silently ignored (checker.unused)
        console.print(f"{t['unused_line']}: " + one_line(path), markup=False)
    s = report.summary()
    nc = s["nonconformities"]
    counts = s["results"]
    console.print(
        f"{t['ncs']}: {nc['total']} (major {nc['major']}, minor {nc['minor']}) · "
        f"{status_label(Status.OBSERVATION, None, lang)}: {counts.get('observation', 0)} · "
        f"{status_label(Status.ONSITE, None, lang)}: {counts.get('onsite', 0)} · "
        f"{status_label(Status.CONFORM, None, lang)}: {counts.get('conform', 0)}"
        + (f" · [bold magenta]errors: {counts['error']}[/]" if counts.get("error") else ""))


def _print_score(console: Console, v: dict, t: dict) -> None:
    """The working of a score: groups, indicators, defects and what would lift the grade.
    Text that comes from the bundle (values, reasons, messages quoting them) is escaped for rich markup."""
    st = v["t"]
    _print_total(console, v, t, st)
    if v["groups"]:
        console.print("  " + " · ".join(f"{g['name']} {g['subtotal']}" for g in v["groups"]))
        for g in v["groups"]:
            if g["note"]:
                console.print(f"  [yellow]{g['name']}[/]: {g['note']}")
    if v["indicators"]:
        console.print(_indicator_table(v, t, st))
    if v["defects"]:
        table = Table(title=f"{st['defects']} ({v['defect_count']})", title_justify="left")
        for key in ("no", "where", "rule", "finding"):
            table.add_column(st[key], overflow="fold")
        for d in v["defects"]:
            table.add_row(d["no"], esc(d["where"]), d["rule"], esc(d["message"]))
        console.print(table)
    if v.get("next"):
        console.print(f"[bold]{st['next']}[/bold]: {v['next']['intro']}")
        for r in v["next"]["rows"]:
            console.print(f"  {r['no']} {esc(r['name'])}: {r['now']} → {r['needed']} ({st['exact']} {r['exact']})")
    console.print(f"  {st['rounding']}: {v['rounding']}", style="dim")


def _print_total(console: Console, v: dict, t: dict, st: dict) -> None:
    if not v["computed"]:
        console.print(f"[bold]{v['code']} {t['score']}[/bold]: [bold red]{st['no_data']}[/]")
    else:
        eligible = "" if v["eligible"] else f" [bold red]{st['not_eligible']}: {v['failed_gates']}[/]"
        designation = "" if v["designation"] is None else f" · {st['designation']}: {v['designation']}"
        console.print(f"[bold]{v['code']} {t['score']} {v['total']}[/bold] ({st['total']} = {st['base']} {v['base']} "
                      f"+ {st['bonus']} {v['bonus']}; {st['exact']} {v['exact']}) · {st['grade']} "
                      f"[bold]{v['grade']}[/bold] ({v['bound']}){eligible}{designation}")
    if v["provisional"]:
        console.print(f"[bold yellow]{st['provisional']}[/]: {v['provisional_note']}")


def _row_style(i: dict) -> str | None:
    if i["state"] in ("no_lead", "not_applicable"):
        return "dim"
    return "red" if i["state"] == "not_computed" or i["defects"] else None


def _indicator_table(v: dict, t: dict, st: dict) -> Table:
    table = Table(title=f"{t['score']} · {v['code']}", title_justify="left")
    for key in ("no", "indicator", "year", "value", "lead", "index", "ind_weight", "contribution"):
        table.add_column(st[key], overflow="fold")
    for i in v["indicators"]:
        name = i["name"] + (f" ({i['notes']})" if i["notes"] else "")
        table.add_row(str(i["no"]), esc(name), i["year"], esc(i["value"]), esc(i["lead"]), i["index"], i["weight"],
                      i["contribution"], style=_row_style(i))
    return table
