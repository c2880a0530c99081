"""``parkcheck rules …``: list, lint, test, document, cover, scaffold and compare rule packs."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table

from .cli_support import cache_option, guarded, new_console, rules_option
from .errors import EXIT_FINDINGS, EXIT_OK, InputError
from .escape import one_line
from .sourcecheck import run as verify_source


@click.group()
def rules() -> None:
    """List, lint and test rule packs."""


def _announce_rules(rules_dir: Path | None) -> Path | None:
    """Resolve the rules folder (``--rules``, ``PARKCHECK_RULES``, the project checkout, the installed
    packs) and say which one on the first line of output."""
    from .resources import describe_rules, locate_rules

    folder, origin = locate_rules(rules_dir)
    click.echo(one_line(describe_rules(folder, origin)))
    return folder


def _pack_ids(standards, rules_dir) -> list[str]:
    from .packs import available_packs

    known = available_packs(rules_dir)
    for s in standards:
        if s not in known:
            raise InputError(f"unknown standard {s!r} (rule packs available: {', '.join(known) or 'none'})")
    return list(standards) or known


@rules.command("list")
@click.option("--standard", "-s", "standards", multiple=True, metavar="ID")
@rules_option
@cache_option
@guarded
def rules_list(standards, rules_dir):
    """List the rules of each pack."""
    rules_dir = _announce_rules(rules_dir)
    from .packs import get_pack
    from .reporters.terminal import plain

    console = new_console()
    for pid in _pack_ids(standards, rules_dir):
        pack = get_pack(pid, rules_dir)
        table = Table(title=plain(f"{pack.code} {pack.title['zh']} ({pid}, {len(pack.rules)} rules)"),
                      title_justify="left")
        for col in ("rule", "clause", "obligation", "grade", "for each", "source"):
            table.add_column(col)
        for r in pack.rules:
            table.add_row(*(plain(x) for x in (r.id, r.clause, r.obligation, r.grade, r.for_each, r.source)))
        console.print(table)


@rules.command("lint")
@click.option("--standard", "-s", "standards", multiple=True, metavar="ID")
@rules_option
@cache_option
@guarded
def rules_lint(standards, rules_dir):
    """Check rule files against the rule schema, the catalogue and the evidence schemas."""
    rules_dir = _announce_rules(rules_dir)
    from .lint_run import lint_rules

    lines, problems = lint_rules(rules_dir, _pack_ids(standards, rules_dir))
    for line in lines:
        click.echo(line)
    sys.exit(EXIT_FINDINGS if problems else EXIT_OK)


@rules.command("test")
@click.option("--standard", "-s", "standards", multiple=True, metavar="ID")
@click.option("--rule", "rule_filter", metavar="TEXT", help="Only rules whose id contains TEXT.")
@click.option("--verbose", "-v", is_flag=True, help="List every case.")
@rules_option
@cache_option
@guarded
def rules_test(standards, rule_filter, verbose, rules_dir):
    """Run the passing and failing cases written beside each rule."""
    rules_dir = _announce_rules(rules_dir)
    from .cases import run_pack_cases
    from .packs import get_pack

    failed = passed = 0
    for pid in _pack_ids(standards, rules_dir):
        pack = get_pack(pid, rules_dir)
        for o in run_pack_cases(pack, rule_filter):
            if o.ok:
                passed += 1
                if verbose:
                    click.echo(f"ok   {o.rule} :: {o.case} ({o.detail})")
            else:
                failed += 1
                click.echo(f"FAIL {o.location()}: {o.rule} :: {o.case}: {o.detail}")
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


@rules.command("docs")
@click.option("--standard", "-s", "standards", multiple=True, metavar="ID")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("docs/rules"),
              show_default=True)
@rules_option
@cache_option
@guarded
def rules_docs(standards, out_dir, rules_dir):
    """Write the rule reference of each pack (Markdown) into a folder."""
    rules_dir = _announce_rules(rules_dir)
    from .docs import render_pack
    from .packs import get_pack
    from .reporters import atomic_write

    out_dir.mkdir(parents=True, exist_ok=True)
    for pid in _pack_ids(standards, rules_dir):
        path = out_dir / f"{pid}.md"
        atomic_write(path, render_pack(get_pack(pid, rules_dir)).encode("utf-8"))
        click.echo(f"wrote {path}")


@rules.command("coverage")
@click.option("--standard", "-s", "standards", multiple=True, metavar="ID")
@click.option("--missing", is_flag=True, help="List only normative clauses no rule covers.")
@rules_option
@cache_option
@guarded
def rules_coverage(standards, missing, rules_dir):
    """Show which catalogue clauses the rules cover; fail if a normative clause has none."""
    rules_dir = _announce_rules(rules_dir)
    from .coverage import NOT_COVERED, coverage, summary, summary_lines
    from .packs import get_pack
    from .reporters.terminal import plain

    console = new_console()
    uncovered = 0
    style = {"checked": "green", "onsite": "cyan", "title only": "yellow", "not covered": "bold red",
             "informative": "dim"}
    for pid in _pack_ids(standards, rules_dir):
        pack = get_pack(pid, rules_dir)
        rows = coverage(pack)
        table = Table(title=plain(f"{pack.code} {pack.title['zh']} ({pid})"), title_justify="left")
        for col in ("clause", "title", "normative", "status", "rules"):
            table.add_column(col, overflow="fold")
        for r in rows:
            if missing and r.status != NOT_COVERED:
                continue
            table.add_row(plain(r.clause), plain(r.title), "应" if r.normative else "",
                          plain(r.status, style[r.status]), plain(", ".join(r.rules)))
        console.print(table)
        s = summary(rows)
        for line in summary_lines(pid, s):
            console.print(line)
        uncovered += s["not covered"]
    sys.exit(EXIT_FINDINGS if uncovered else EXIT_OK)


@rules.command("new")
@click.option("--standard", "-s", "standard", required=True, metavar="ID")
@click.option("--clause", "-c", required=True, help="Catalogue clause, e.g. '6.2 d)'.")
@click.option("--kind", help="Evidence kind the rule reads (e.g. policy).")
@click.option("--field", "field_", help="Field of that kind the rule checks (dotted path).")
@click.option("--id", "rule_id", help="Rule id (default: <prefix>-<clause>-new).")
@click.option("--file", "target", type=click.Path(dir_okay=False, path_type=Path),
              help="Rule file of the pack to append to (default: print the rule).")
@rules_option
@cache_option
@guarded
def rules_new(standard, clause, kind, field_, rule_id, target, rules_dir):
    """Write a rule skeleton for a clause: the quoted requirement, obligation and grade from the
    catalogue, a passing and a failing case."""
    rules_dir = _announce_rules(rules_dir)
    from .packs import load_pack
    from .scaffold import add_rule, skeleton

    pack = load_pack(standard, rules_dir)
    if target is None:
        click.echo(skeleton(pack, clause, kind=kind, field=field_, rule_id=rule_id), nl=False)
    else:
        path = target if target.is_absolute() or target.parent != Path(".") else pack.folder / target
        add_rule(pack, clause, path, kind=kind, field=field_, rule_id=rule_id)
        click.echo(f"wrote {one_line(path)}: edit the message, then `parkcheck rules lint` and `rules test`")


@rules.command("diff")
@click.argument("pack_a")
@click.argument("pack_b")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@rules_option
@cache_option
@guarded
def rules_diff(pack_a, pack_b, fmt, rules_dir):
    """What changed from PACK_A to PACK_B (ids, or pack folders): clauses, rules, grades, scoring values.

    Exit 0 when the packs are the same, 1 when they differ."""
    rules_dir = _announce_rules(rules_dir)
    from .packdiff import diff_packs, open_pack, render_json, render_text

    d = diff_packs(open_pack(pack_a, rules_dir), open_pack(pack_b, rules_dir))
    click.echo(render_json(d) if fmt == "json" else render_text(d), nl=False)
    sys.exit(EXIT_OK if d.empty else EXIT_FINDINGS)


@rules.command("verify-source")
@click.option("--standards", "standards_dir", required=True, metavar="DIR",
              type=click.Path(exists=True, file_okay=False, path_type=Path), help="Folder holding the standards' texts.")
@click.option("--standard", "-s", "standards", multiple=True, metavar="ID")
@rules_option
@cache_option
@guarded
def rules_verify_source(standards_dir, standards, rules_dir):
    """Check that every catalogue text is quoted verbatim from the standard's text (file:line of each
    mismatch).  Exit 0 when all are verbatim, 1 on a mismatch, 2 when a source text is missing."""
    rules_dir = _announce_rules(rules_dir)
    text, code = verify_source(_pack_ids(standards, rules_dir), rules_dir, standards_dir)
    click.echo(text, nl=False)
    sys.exit(code)
