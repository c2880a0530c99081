"""What every ``parkcheck`` command shares: one-line errors with the right exit code, the limit,
rules-folder and cache options, the console."""

from __future__ import annotations

import functools
import os
import sys
import traceback
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console

from .errors import EXIT_INPUT_ERROR, EXIT_OK, EngineError, InputError, ParkcheckError, RuleError
from .escape import terminal_line

FORMAT_CHOICES: tuple[str, ...] = ("json", "md", "html", "csv")
DEFAULT_FORMATS = FORMAT_CHOICES  # what `check --out` writes without --format
FORMAT_CHOICES += ("junit", "sarif", "oscal", "pdf")  # machine formats: only when asked for with --format
FORMAT_CHOICES += ("docx", "xlsx")  # documents to file (ncr/NC-….docx, nonconformities.xlsx): only when asked for


class InputFailure(click.ClickException):
    """A bad-input error: printed as one line, exit code 2 (click's own exceptions exit 1)."""

    exit_code = EXIT_INPUT_ERROR

    def show(self, file=None) -> None:
        click.echo(f"parkcheck: error: {terminal_line(self.message)}", err=True)


def new_console() -> Console:
    return Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)


# one line, made before it is needed (memory may be short when it is said)
OUT_OF_MEMORY = ("parkcheck: out of memory: checking this evidence needs more memory than the process may use "
                 "(a large CSV table takes about 2 KB a row while it is checked: README, Performance); nothing "
                 "was reported; run it with more memory, or split the largest tables over several bundles")


def guarded(fn):
    """Turn every error into one readable line and the right exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return _said(fn, args, kwargs)
        except MemoryError:
            pass  # said once the exception, and the frames it holds (the evidence read so far), are let go
        click.echo(OUT_OF_MEMORY, err=True)
        raise SystemExit(EXIT_INPUT_ERROR)

    return wrapper


def _said(fn, args: tuple, kwargs: dict):
    """``fn``, every error but running out of memory said in one line (``guarded``)."""
    try:
        return fn(*args, **kwargs)
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except RuleError as exc:
        for p in exc.problems:
            click.echo(f"parkcheck: rule error: {terminal_line(p)}", err=True)
        raise SystemExit(EXIT_INPUT_ERROR) from None
    except InputError as exc:
        raise InputFailure(str(exc)) from None
    except EngineError as exc:
        click.echo(f"parkcheck: engine error: {terminal_line(exc)} (no result was reported)", err=True)
        raise SystemExit(EXIT_INPUT_ERROR) from None
    except ParkcheckError as exc:
        raise InputFailure(str(exc)) from None
    except BrokenPipeError:  # the reader went away (`parkcheck … | head`): stop quietly
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep Python from failing at exit
        except OSError:
            pass
        raise SystemExit(EXIT_OK) from None
    except KeyboardInterrupt:
        click.echo("parkcheck: interrupted", err=True)
        raise SystemExit(EXIT_INPUT_ERROR) from None
    except OSError as exc:
        if exc.filename is None:
            _internal(exc)
        # the system refused a path given or derived from one (a parent that is a file, a missing
        # folder, a read-only or full disk): the path and the reason, not an internal error
        raise InputFailure(f"{exc.filename}: {exc.strerror or type(exc).__name__}") from None
    except MemoryError:
        raise
    except Exception as exc:  # a bug: say so in one line, never a traceback
        _internal(exc)


def _internal(exc: BaseException) -> NoReturn:
    """An error that is a bug: one line, never a traceback (PARKCHECK_DEBUG=1 prints it)."""
    if os.environ.get("PARKCHECK_DEBUG"):
        traceback.print_exc()
    click.echo(f"parkcheck: internal error ({type(exc).__name__}: {terminal_line(exc)}); "
               "please report it with the command you ran", err=True)
    raise SystemExit(EXIT_INPUT_ERROR) from None


class _Size(click.ParamType):
    name = "SIZE"

    def convert(self, value, param, ctx):
        from .limits import parse_size
        try:
            return parse_size(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def limit_options(fn):
    """One ``--max-*`` option per limit (checker/limits.py), gathered into a ``limits`` argument."""
    from .limits import DEFAULT_LIMITS, described, option

    names = []
    for name, default, help_en, is_size in reversed(described()):
        kind = _Size() if is_size else (click.FloatRange(min=0) if isinstance(default, float)
                                         else click.IntRange(min=1))
        fn = click.option(option(name), name, type=kind, default=None, metavar=kind.name.upper(),
                          help=f"{help_en} Default: " + (f"{default:g}." if isinstance(default, float)
                                                         else f"{default:,}."))(fn)
        names.append(name)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        kwargs["limits"] = DEFAULT_LIMITS.with_options(**{n: kwargs.pop(n) for n in names})
        return fn(*args, **kwargs)

    return wrapper


rules_option = click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path),
                            help="Use rule packs from this folder instead of the shipped ones.")


def _no_cache(ctx, param, value):
    if value:
        from .cache import disable

        disable()
    return value


cache_option = click.option("--no-cache", is_flag=True, expose_value=False, is_eager=True, callback=_no_cache,
                            help="Neither read nor write the cache of linted rule packs.")


