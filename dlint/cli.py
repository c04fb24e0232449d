"""The command line: turns options into API calls and results into text and exit codes. No logic here.

Exit codes: 0 no error-level diagnostic, 1 error-level diagnostics, 2 usage or internal error.
"""

from __future__ import annotations

import contextlib
import enum
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from dlint import DISTRIBUTION, __version__, limits, memory
from dlint import baseline as baselines
from dlint.api import FixSettings, OptionsError, RuleLayer, fix, fixable_codes, lint, split_selectors
from dlint.cache import CACHE_DIR, Cache
from dlint.cli_options import Config, Isolated
from dlint.cli_serve import serve
from dlint.config import CommandLine, Resolver
from dlint.progress import tracker
from dlint.reporters import REPORTERS, TEXT_REPORTERS
from dlint.reporters import fixes as fix_output
from dlint.reporters import statistics as stats
from dlint.reporters.colors import ColorChoice, wanted
from dlint.rules import ALL_RULES, find_rule
from dlint.schemas import DIALECTS, schema_text
from dlint.sources import SourceError, discover

app = typer.Typer(
    name="dlint",
    help="Lint Datumaro-format dataset annotation exports.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",  # paragraphs are rewrapped to the terminal, not broken where typed
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(str, enum.Enum):
    full = "full"
    concise = "concise"
    grouped = "grouped"
    json = "json"
    json_lines = "json-lines"
    sarif = "sarif"
    github = "github"
    gitlab = "gitlab"
    junit = "junit"
    html = "html"


class RulesFormat(str, enum.Enum):
    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dlint {__version__} ({DISTRIBUTION})")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Lint Datumaro-format dataset annotation exports."""


# Options shared by the commands that lint (check, and fix).
Paths = Annotated[
    list[str] | None,
    typer.Argument(help="Annotation JSON files, dataset directories or zip archives (default: .)."),
]
Select = Annotated[
    list[str] | None,
    typer.Option(help="Rule codes, code prefixes or names to enable, replacing the configured selection."),
]
ExtendSelect = Annotated[
    list[str] | None, typer.Option(help="Rules to enable in addition to the configured selection.")
]
Ignore = Annotated[list[str] | None, typer.Option(help="Rule codes, code prefixes or names to disable.")]
Dialect = Annotated[
    str | None,
    typer.Option(help=f"Check as this dialect instead of detecting it ({', '.join(DIALECTS)})."),
]
Target = Annotated[
    list[str] | None,
    typer.Option(
        help="The readers files must satisfy: datumaro, cvat or all (repeatable or comma-separated; "
        "default: the configured target, else the reader of each file's dialect)."
    ),
]
Color = Annotated[
    ColorChoice,
    typer.Option(
        "--color", help="Colour on a terminal (auto; NO_COLOR and FORCE_COLOR are honoured), always or never."
    ),
]
Strict = Annotated[
    bool,
    typer.Option(
        "--strict", help="A path that holds no annotation file is an error (exit 2), not a warning."
    ),
]


def _require_files(paths: list[str] | None) -> None:
    """Fail for every path that holds no annotation file (``--strict``: before anything is linted,
    so that a wrong path in CI cannot pass)."""
    empty = [path for path in paths or ["."] if not discover([path])]
    if empty:
        raise OptionsError(f"no annotation files found in {', '.join(empty)} (looked for annotations/*.json)")


def _warn_if_none(found: int, quiet: bool) -> None:
    if not found and not quiet:
        typer.echo("warning: no annotation files found (looked for annotations/*.json)", err=True)


def configured(
    select: list[str] | None,
    extend_select: list[str] | None,
    ignore: list[str] | None,
    dialect: str | None,
    config: list[str] | None,
    isolated: bool,
    target: list[str] | None = None,
) -> Resolver:
    """The configuration resolver for the rule-selection and configuration options of a command."""
    layer = RuleLayer(
        split_selectors(select) or None, split_selectors(extend_select), split_selectors(ignore)
    )
    targets = split_selectors(target) or None
    resolver = Resolver(
        CommandLine(layer, dialect, target=targets, config=tuple(config or ()), isolated=isolated)
    )
    resolver.project_options()  # an unknown selector or a bad configuration fails before any work
    limits.activate(resolver.project_settings().limits)
    return resolver


@app.command()
def check(
    paths: Paths = None,
    output_format: Annotated[
        OutputFormat | None,
        typer.Option(
            "--output-format", help="How to print diagnostics (default: full, or the configured one)."
        ),
    ] = None,
    select: Select = None,
    extend_select: ExtendSelect = None,
    ignore: Ignore = None,
    dialect: Dialect = None,
    target: Target = None,
    config: Config = None,
    isolated: Isolated = False,
    baseline: Annotated[
        str | None,
        typer.Option("--baseline", help="Hide the diagnostics this baseline file records; report new ones."),
    ] = None,
    write_baseline: Annotated[
        str | None,
        typer.Option("--write-baseline", help="Record today's diagnostics in this baseline file, exit 0."),
    ] = None,
    statistics: Annotated[
        bool, typer.Option("--statistics", help="Print how many diagnostics each rule gave.")
    ] = False,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when error-level diagnostics are found.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print diagnostics and nothing else.")] = False,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Processes to spread files over (default: all cores)."),
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")] = False,
    cache_dir: Annotated[
        str, typer.Option("--cache-dir", help="Where results of unchanged files are kept.")
    ] = CACHE_DIR,
    strict: Strict = False,
    color: Color = ColorChoice.auto,
    staged: Annotated[
        bool,
        typer.Option(
            "--staged",
            help="Check the staged version of the annotation files (git's index), under their real "
            "paths, with the repository's configuration and the working tree's media.",
        ),
    ] = False,
    output_file: Annotated[
        str | None,
        typer.Option(
            "--output-file",
            "-o",
            help="Write the report to this file instead of standard output (any format; no colour).",
        ),
    ] = None,
    max_thumbnails: Annotated[
        int | None,
        typer.Option(
            "--max-thumbnails",
            min=0,
            help="With --output-format html: items drawn over their image at most (default 50).",
        ),
    ] = None,
) -> int:
    """Check annotation files; exit 1 when an error-level diagnostic is found."""
    resolver = configured(select, extend_select, ignore, dialect, config, isolated, target)
    chosen = output_format.value if output_format else resolver.project_settings().output_format or "full"
    if strict:
        _require_files(paths)
    report = lint(
        paths or ["."],
        resolve=resolver.options_for,
        track=tracker(sys.stderr, not quiet),
        jobs=jobs or os.cpu_count() or 1,
        cache=None if no_cache else Cache(cache_dir),
        staged=staged,
    )
    _warn_if_none(len(report.files), quiet or staged)  # (a commit may well change no annotation file)
    if write_baseline is not None:
        _write(write_baseline, baselines.dumps(baselines.build(report, baselines.folder_of(write_baseline))))
        if not quiet:
            count = len(report.diagnostics)
            typer.echo(f"dlint: recorded {count} diagnostic(s) in {write_baseline}", err=True)
        return 0
    if baseline is not None:
        report, stale = baselines.apply(report, baselines.load(baseline), baselines.folder_of(baseline))
        if stale and not quiet:
            typer.echo(_stale_note(baseline, stale), err=True)
    if statistics:
        text = stats.render(report, as_json=chosen in ("json", "json-lines"))
    elif chosen == "html":
        from dlint.visual.page import render as render_page
        from dlint.visual.settings import page_settings

        text = render_page(report, page_settings(resolver, split_selectors(target), max_thumbnails))
    elif chosen in TEXT_REPORTERS:
        colored = output_file is None and wanted(color, sys.stdout)
        text = TEXT_REPORTERS[chosen](report, quiet=quiet, color=colored)
    else:
        text = REPORTERS[chosen](report, quiet=quiet)
    if output_file is None:
        sys.stdout.write(text)
    else:
        _write_report(Path(output_file), text)
    return 1 if report.has_errors and not exit_zero else 0


def _write_report(path: Path, text: str) -> None:
    """Write a report whole or not at all: to a temporary file beside it, then renamed into place
    (never through a symbolic link)."""
    if path.is_symlink():
        raise OptionsError(f"cannot write {path}: it is a symbolic link, never written through")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or None)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file (not mkstemp's 0600)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as exc:
        raise OptionsError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _write(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OptionsError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _stale_note(path: str, stale: tuple[baselines.Entry, ...]) -> str:
    one = len(stale) == 1
    lines = [
        f"dlint: {len(stale)} {'entry' if one else 'entries'} of {path} no longer "
        f"{'matches' if one else 'match'} a diagnostic (fixed, or moved to another item); delete "
        f"{'it' if one else 'them'} from the file, or write the baseline again:"
    ]
    lines += [f"  {entry.describe()}" for entry in stale]
    return "\n".join(lines)


class Style(str, enum.Enum):
    keep = "keep"
    compact = "compact"
    lines = "lines"


@app.command("fix")
def fix_command(
    paths: Paths = None,
    unsafe_fixes: Annotated[
        bool | None,
        typer.Option(
            "--unsafe-fixes/--no-unsafe-fixes", help="Apply unsafe fixes too (default: configured)."
        ),
    ] = None,
    diff: Annotated[
        bool, typer.Option("--diff", help="Write nothing: show what would change; exit 1 if anything would.")
    ] = False,
    show_fixes: Annotated[bool, typer.Option("--show-fixes", help="List every fix applied.")] = False,
    style: Annotated[
        Style,
        typer.Option(
            "--style",
            help="keep (each file's layout: one line stays compact, several lines get one annotation per "
            "line), compact (one line, as Datumaro writes) or lines.",
        ),
    ] = Style.keep,
    select: Select = None,
    extend_select: ExtendSelect = None,
    ignore: Ignore = None,
    dialect: Dialect = None,
    target: Target = None,
    config: Config = None,
    isolated: Isolated = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print diagnostics and nothing else.")] = False,
    strict: Strict = False,
) -> int:
    """Fix annotation files in place and write them in the normal form.

    Exit 1 when a file was changed (or would be, with --diff) or error-level diagnostics remain, as
    pre-commit expects of a fixer; 0 otherwise.
    """
    resolver = configured(select, extend_select, ignore, dialect, config, isolated, target)
    if strict:
        _require_files(paths)

    def unsafe(name: str) -> bool:
        return unsafe_fixes if unsafe_fixes is not None else resolver.settings_for(name).unsafe_fixes

    def fixable(name: str) -> frozenset[str]:
        settings = resolver.settings_for(name)
        return fixable_codes(settings.fixable, settings.unfixable)

    report = fix(
        paths or ["."],
        settings=FixSettings(style=style.value, write=not diff),
        unsafe=unsafe,
        fixable=fixable,
        resolve=resolver.options_for,
    )
    _warn_if_none(len(report.results), quiet)
    sys.stdout.write(fix_output.render(report, diff=diff, show_fixes=show_fixes, quiet=quiet))
    refused = any(result.refused for result in report.results)
    return 1 if report.changed or report.has_errors or refused else 0


@app.command("rules")
def list_rules(
    output_format: Annotated[
        RulesFormat, typer.Option("--output-format", help="text (a table) or json (a list of objects).")
    ] = RulesFormat.text,
) -> int:
    """List every rule: code, name, default severity, fix availability and summary."""
    if output_format is RulesFormat.json:
        listed = [rule.describe() for rule in ALL_RULES]
        sys.stdout.write(json.dumps(listed, indent=2, ensure_ascii=False) + "\n")
        return 0
    rows = [("code", "name", "severity", "fix", "summary")]
    rows += [(r.code, r.name, r.severity.value, r.fix.value, r.summary()) for r in ALL_RULES]
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


app.command()(serve)


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
    """Console-script entry point: the process ends without tearing down what it parsed."""
    memory.exits_when_done()
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # a closed pipe (`dlint check | head`): nothing more can be said
            code = code or 1
    os._exit(code)
