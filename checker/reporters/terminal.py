"""The summary printed on the terminal after a check (rich tables handle CJK widths).

Evidence text never reaches rich as markup: every value is a ``rich.text.Text`` made from
``escape.one_line`` (control characters, escape sequences, newlines and bidirectional overrides
shown as backslash escapes), so ``[bold]``, ``[link=…]`` or ``:emoji:`` in a park name print as
they are.  Long values are cut (``CELL_LIMIT``) so a huge free-text finding cannot stall the
table; the report files keep the full text.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape as esc
from rich.table import Table
from rich.text import Text

from ..escape import clip, one_line
from ..labels_audit import PDF as AUDIT_LABELS
from ..labels_out import CHECK_TYPE, TERMINAL, grade_label, in_language, index, source_label, status_label
from ..model import TITLE_ONLY, Grade, Report, Status, severity
from ..modes import PRECHECK
from ._score import score_view
from ._view import SECTION_TITLES, SUMMARY_STATUSES, clause_groups, standard_name, summary_view

STYLE = {Status.NONCONFORMITY: "bold red", Status.OBSERVATION: "yellow", Status.ONSITE: "cyan",
         Status.CONFORM: "green", Status.NOT_APPLICABLE: "dim", Status.NOT_CHECKED: "dim", Status.ERROR: "bold magenta",
         Status.NOT_EVALUATED: "magenta"}
CELL_LIMIT = 2000  # characters of one value shown on the terminal


def plain(value, style: str = "", limit: int = CELL_LIMIT) -> Text:
    """A terminal cell showing ``value`` literally (never interpreted as markup), cut to ``limit``."""
    return Text(one_line(clip("" if value is None else value, limit)), style=style)


MODES = ("auto", "precheck", "audit")


def precheck_mode(report: Report) -> bool:
    """Whether the report is a pre-check, which shows what would close each finding; an audit report
    (``checker.modes``) carries no advice at all (ISO/IEC 17021-1)."""
    return report.mode == PRECHECK


def print_summary(report: Report, console: Console, lang: str = "zh", show_all: bool = False) -> None:
    """The terminal view: header, verdict and counts, nonconformities (major first), observations and
    on-site items, scores, content gaps, unused files; the clause-by-clause table only with ``show_all``."""
    t, tt = SECTION_TITLES[lang], in_language(TERMINAL, lang)
    packs = {p.id: p for p in report.packs}
    precheck = precheck_mode(report)
    _print_header(report, console, lang, t, tt, precheck)
    _print_verdict(report, console, lang, tt)
    ncs = sorted(report.nonconformities, key=lambda n: severity(Status.NONCONFORMITY, n.grade))  # stable: clause order
    if ncs:
        _section(console, tt["nc_list"], len(ncs), lang)
        for nc in ncs:
            head = Text.assemble(plain(nc.id, "bold"), "  ",
                                 (status_label(Status.NONCONFORMITY, nc.grade, lang), STYLE[Status.NONCONFORMITY]),
                                 "  ", plain(_clauses(nc.clauses, packs, report.on_title(nc), t, lang)))
            _print_item(console, head, nc.requirement, (t["finding"], nc.finding.get(lang)), nc.evidence,
                        nc.remediation.get(lang) if precheck and nc.remediation else None, t, tt)
    for status, key in ((Status.OBSERVATION, "obs_list"), (Status.ONSITE, "onsite_list")):
        _print_results(report, console, lang, status, tt[key], precheck)
    for sc in report.scores:
        _print_score(console, score_view(sc, packs[sc.standard].code, lang, lambda x: source_label(x, lang)), t)
    for g in report.content_gaps:
        if g.reported_as == "not_covered":
            where = f"{g.file}:{g.line}" if g.line else g.file
            console.print(f"{t['gap_line']}: " + one_line(f"{where}#{g.pointer}: {g.message.get(lang)}"), markup=False)
    for path in report.unused_files:  # never silently ignored (checker.unused)
        console.print(f"{t['unused_line']}: " + one_line(path), markup=False)
    if show_all:
        _print_clause_tables(report, console, t, lang)
    else:
        console.print(tt["clause_table_hint"], style="dim", markup=False)


def _print_results(report: Report, console: Console, lang: str, status: Status, title: str, precheck: bool) -> None:
    """The results of one status (observations, on-site items), in clause order."""
    t, tt = SECTION_TITLES[lang], in_language(TERMINAL, lang)
    packs = {p.id: p for p in report.packs}
    results = [r for r in report.results if r.status is status]
    if results:
        _section(console, title, len(results), lang)
    for r in results:
        head = Text.assemble((status_label(status, None, lang), STYLE[status]), "  ",
                             plain(f"{packs[r.standard].code} {r.clause}"),
                             _title_mark(r.source == TITLE_ONLY, t, lang), "  ", plain(r.rule, "dim"))
        _print_item(console, head, r.requirement, (tt["found"], r.message.get(lang)), r.evidence,
                    r.remediation.get(lang) if precheck and r.remediation else None, t, tt)


def _clauses(clauses, packs: dict, on_title: frozenset, t: dict, lang: str) -> str:
    """``T/CPQS ZC001—2025 7.1, 7.4; T/SEESA … 5.2``: the clauses of a nonconformity, grouped by standard,
    a clause a title-only rule judged marked as such."""
    comma = "、" if lang == "zh" else ", "
    return "; ".join(f"{g['code']} " + comma.join(c["clause"] + _title_mark(c["title_only"], t, lang)
                                                  for c in g["clauses"])
                     for g in clause_groups(clauses, packs, on_title))


def _title_mark(title_only: bool, t: dict, lang: str) -> str:
    """The mark of a verdict that rests on a clause title only (explained once, under the counts)."""
    if not title_only:
        return ""
    return f"（{t['title_only']}）" if lang == "zh" else f" ({t['title_only']})"


def _print_header(report: Report, console: Console, lang: str, t: dict, tt: dict, precheck: bool) -> None:
    b = report.bundle
    console.print(Text.assemble(plain(b["park"]["name"], "bold"), "  ", t["period"], " ", plain(b["period"]["start"]),
                                " – ", plain(b["period"]["end"]), "  ", t["audit_date"], " ", plain(b["audit_date"])),
                  no_wrap=True, overflow="ellipsis")  # cut, not wrapped: a wrapped line could start with forged text
    for pack in report.packs:
        comma, left, right = ("，", "（", "）") if lang == "zh" else (", ", " (", ")")
        about = f"{t['edition']} {pack.edition}{comma}{t['pack_version']} {pack.version}"
        title = f"{standard_name(pack, lang)}{left}{about}{right}"
        console.print(plain(title, "italic"))
    kind = b.get("check_type")
    stated = CHECK_TYPE[kind][index(lang)] if kind in CHECK_TYPE else tt["not_stated"]
    if (report.conclusion or {}).get("about") == "application":  # the packs prepare an application, whatever
        left, right = ("（", "）") if lang == "zh" else (" (", ")")  # the bundle says its check is
        stated = f"{tt['application']}{left}{tt['bundle_states']}{stated}{right}"
    console.print(Text.assemble(f"{tt['mode']}: ", plain(stated), " · ", tt["precheck" if precheck else "audit"]),
                  style="dim")


def _print_verdict(report: Report, console: Console, lang: str, tt: dict) -> None:
    """One line with the overall verdict, one with the counts by grade and status."""
    s = report.summary()
    nc, counts = s["nonconformities"], s["results"]
    parts = []
    if counts.get("error"):
        parts.append(tt["errors"].format(n=counts["error"]))
    if nc["major"]:
        parts.append(tt["major_minor"].format(major=nc["major"], minor=nc["minor"]))
    elif nc["minor"]:
        parts.append(tt["minor_only"].format(minor=nc["minor"]))
    else:
        parts.append(tt["none"])
    if counts.get("onsite"):
        parts.append(tt["onsite_open"].format(n=counts["onsite"]))
    style = "bold red" if nc["total"] or counts.get("error") else "bold green"
    sep = "；" if lang == "zh" else "; "
    console.print(Text(f"{tt['conclusion']}{'：' if lang == 'zh' else ': '}{sep.join(parts)}", style=style))
    _print_conclusion(report.conclusion, console, lang)
    line = Text.assemble(f"{tt['ncs']} {nc['total']}: ",
                         (f"{grade_label(Grade.MAJOR, lang)} {nc['major']}", STYLE[Status.NONCONFORMITY]), " · ",
                         f"{grade_label(Grade.MINOR, lang)} {nc['minor']}", "    ", f"{tt['results']}: ")
    shown = [st for st in SUMMARY_STATUSES if st is not Status.ERROR or counts.get("error")]
    for i, st in enumerate(shown):
        line.append_text(Text.assemble(" · " if i else "", (f"{status_label(st, None, lang)} {counts.get(st.value, 0)}",
                                                             STYLE[st])))
    console.print(line)
    on_title = summary_view(s, lang)["title_only"]
    if on_title:  # what rests on clause titles only, counted and explained once
        t = SECTION_TITLES[lang]
        console.print(f"{t['sum_title_only']}{'：' if lang == 'zh' else ': '}{on_title}", style="yellow", markup=False)
        console.print(t["title_only_note"], style="dim", markup=False)
    secondary = summary_view(s, lang)["secondary"]
    if secondary:  # what rests on secondary sources (a pack without official text), counted and explained once
        t = SECTION_TITLES[lang]
        console.print(f"{t['sum_secondary']}{'：' if lang == 'zh' else ': '}{secondary}", style="yellow", markup=False)
        console.print(t["secondary_note"], style="dim", markup=False)


def _print_conclusion(c: dict | None, console: Console, lang: str) -> None:
    """In an audit, the recommendation the report states, with its reasons (a pre-check has none)."""
    if not c:
        return
    sep, colon, (left, right) = ("；", "：", "（）") if lang == "zh" else ("; ", ": ", (" (", ")"))
    reasons = sep.join(r[lang] for r in c.get("reasons") or ())
    console.print(plain(f"{AUDIT_LABELS['conclusion'][index(lang)]}{colon}"
                        f"{c['text'][lang]}{f'{left}{reasons}{right}' if reasons else ''}", "bold"))


def _section(console: Console, title: str, n: int, lang: str) -> None:
    console.print()
    console.print(Text(f"{title}（{n}）" if lang == "zh" else f"{title} ({n})", style="bold underline"))


def _print_item(console: Console, head: Text, requirement: str, finding: tuple[str, str | None], evidence,
                remediation: str | None, t: dict, tt: dict) -> None:
    """One finding: its head line, the requirement cut to one line, the finding, where, and (pre-check) what
    to provide.  Values sit in their own column, so a wrapped line of bundle text never starts at the margin."""
    console.print(head, no_wrap=True, overflow="ellipsis")
    labels = (t["requirement"], finding[0], t["evidence"], tt["what_closes"])
    width = max(cell_len(x) for x in labels) + 2
    _row(console, width, t["requirement"],
         Text(one_line(clip(requirement, 400)), no_wrap=True, overflow="ellipsis"))
    if finding[1]:
        _row(console, width, finding[0], plain(finding[1]))
    where = Text(" · ").join(plain(e.location()) for e in evidence[:3])
    if len(evidence) > 3:
        where.append(" · " + tt["more_evidence"].format(n=len(evidence) - 3))
    _row(console, width, t["evidence"], where)
    if remediation:
        _row(console, width, tt["what_closes"], plain(remediation, "green"))


def _row(console: Console, width: int, label: str, value: Text) -> None:
    """A label and its value; a value longer than the line wraps under itself (one grid per row: no padding
    to the widest row)."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True, width=width)
    grid.add_column(overflow="fold")
    grid.add_row("  " + label, value)
    console.print(grid)


def _print_clause_tables(report: Report, console: Console, t: dict, lang: str) -> None:
    """The verdict of every clause of every pack, not-checked clauses included (``--all``)."""
    for pack in report.packs:
        console.print()
        console.print(plain(f"{t['verdicts']} · {pack.code}", "bold underline"))
        table = Table(show_lines=False)
        table.add_column(t["clause"], no_wrap=True)
        table.add_column(t["clause_title"])
        table.add_column(t["verdict"], no_wrap=True)
        for v in report.verdicts:
            if v.standard == pack.id:
                table.add_row(plain(v.clause), plain(v.title),
                              Text(status_label(v.status, v.grade, lang)
                                   + _title_mark(report.verdict_on_title(v), t, lang), style=STYLE[v.status]))
        console.print(table)


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
