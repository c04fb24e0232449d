"""The command line: turns options into API calls and results into text and exit codes. No logic here.

Exit codes: 0 no error-level diagnostic, 1 error-level diagnostics, 2 usage or internal error.
"""

from __future__ import annotations

import enum
import sys
from typing import Annotated

import typer

from dlint import __version__
from dlint.api import LintOptions, OptionsError, lint
from dlint.reporters import REPORTERS
from dlint.rules import ALL_RULES, find_rule
from dlint.schemas import DIALECTS, schema_text
from dlint.sources import SourceError

app = typer.Typer(
    name="dlint",
    help="Lint Datumaro-format dataset annotation exports.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(str, enum.Enum):
    full = "full"
    concise = "concise"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dlint {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Lint Datumaro-format dataset annotation exports."""


def _split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(part.strip() for value in values or [] for part in value.split(",") if part.strip())


@app.command()
def check(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Annotation JSON files or dataset directories (default: .).")
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--output-format", help="How to print diagnostics.")
    ] = OutputFormat.full,
    select: Annotated[
        list[str] | None, typer.Option(help="Rule codes, code prefixes or names to enable (default: ALL).")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option(help="Rule codes, code prefixes or names to disable.")
    ] = None,
    dialect: Annotated[
        str | None,
        typer.Option(help=f"Check as this dialect instead of detecting it ({', '.join(DIALECTS)})."),
    ] = None,
) -> int:
    """Check annotation files; exit 1 when an error-level diagnostic is found."""
    options = LintOptions(select=_split(select) or ("ALL",), ignore=_split(ignore), dialect=dialect)
    report = lint(paths or ["."], options)
    if not report.files:
        typer.echo("warning: no annotation files found (looked for annotations/*.json)", err=True)
    sys.stdout.write(REPORTERS[output_format.value](report))
    return 1 if report.has_errors else 0


@app.command("rules")
def list_rules() -> int:
    """List every rule: code, name, default severity, fix availability and summary."""
    rows = [(r.code, r.name, r.severity.value, r.fix.value, r.summary()) for r in ALL_RULES]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        typer.echo("  ".join([*cells, row[4]]))
    return 0


@app.command("rule")
def show_rule(
    code: Annotated[str, typer.Argument(help="A rule code (DL302) or name (invalid-rle-counts).")],
) -> int:
    """Print a rule's documentation."""
    rule = find_rule(code)
    if rule is None:
        raise OptionsError(f"unknown rule {code!r}; `dlint rules` lists them")
    typer.echo(f"# {rule.name} ({rule.code})\n")
    typer.echo(f"Default severity: {rule.severity.value}. Fix: {_fix_text(rule.fix.value)}.\n")
    typer.echo(rule.docs())
    return 0


def _fix_text(fix: str) -> str:
    return "not available" if fix == "none" else f"{fix}"


@app.command()
def schema(
    dialect: Annotated[str, typer.Option(help=f"One of: {', '.join(DIALECTS)}.")] = "datumaro-1.0",
) -> int:
    """Print the JSON Schema of a dialect, for editors and other tools."""
    if dialect not in DIALECTS:
        raise OptionsError(f"unknown dialect {dialect!r}; choose one of {', '.join(DIALECTS)}")
    sys.stdout.write(schema_text(dialect))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; errors become one line on stderr, never a traceback."""
    try:
        result = app(args=argv, prog_name="dlint", standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("dlint: aborted", err=True)
        return 2
    except (OptionsError, SourceError) as exc:
        typer.echo(f"dlint: error: {exc}", err=True)
        return 2
    except Exception as exc:  # the last line of defence: a bug must not print a traceback
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):  # the parser's usage errors
            message = exc.format_message()
            if message:  # empty when the help was shown for a bare `dlint`
                typer.echo(f"dlint: error: {message}", err=True)
            return 2
        typer.echo(f"dlint: internal error: {type(exc).__name__}: {exc}", err=True)
        return 2
    return result if isinstance(result, int) else 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
