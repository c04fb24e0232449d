"""The one entry point behind the CLI, the hooks and the Python API: ``lint`` paths or bytes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dlint.diagnostics import Diagnostic, Severity
from dlint.engine import lint_bytes
from dlint.rules import ALL_RULES, Rule
from dlint.rules.base import DatasetState
from dlint.schemas import DIALECTS
from dlint.sources import Source, SourceError, discover

__all__ = ["LintOptions", "Report", "SourceError", "lint", "lint_data", "select_rules"]


class OptionsError(ValueError):
    """Options that cannot be honoured (an unknown rule selector or dialect)."""


@dataclass(frozen=True)
class LintOptions:
    """What to check: rule selection (codes, code prefixes or rule names) and an optional dialect pin."""

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    dialect: str | None = None


@dataclass(frozen=True)
class Report:
    """The diagnostics of one run and the files it read."""

    diagnostics: tuple[Diagnostic, ...]
    files: tuple[str, ...]

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)


def select_rules(options: LintOptions) -> list[type[Rule]]:
    """Rules enabled by ``select``/``ignore``: the longest matching selector wins, ignore on a tie."""
    if options.dialect is not None and options.dialect not in DIALECTS:
        raise OptionsError(f"unknown dialect {options.dialect!r}; choose one of {', '.join(DIALECTS)}")
    for selector in (*options.select, *options.ignore):
        if not any(_match(selector, rule) for rule in ALL_RULES):
            raise OptionsError(f"unknown rule selector {selector!r}")
    chosen = []
    for rule in ALL_RULES:
        selected = max((_match(s, rule) for s in options.select), default=0)
        ignored = max((_match(s, rule) for s in options.ignore), default=0)
        if selected > ignored:
            chosen.append(rule)
    return chosen


def _match(selector: str, rule: type[Rule]) -> int:
    """How specifically a selector names a rule (0: not at all)."""
    wanted = selector.strip()
    if wanted.upper() == "ALL":
        return 1
    if wanted == rule.name or wanted.upper() == rule.code:
        return 100
    return len(wanted) + 1 if rule.code.startswith(wanted.upper()) and len(wanted) >= 2 else 0


def lint(paths: Sequence[str], options: LintOptions | None = None) -> Report:
    """Lint files and dataset directories."""
    options = options or LintOptions()
    rules = select_rules(options)
    sources = discover(paths or ["."])
    return _lint_sources(sources, rules, options)


def lint_data(
    raw: bytes, name: str = "<bytes>", subset: str = "default", options: LintOptions | None = None
) -> Report:
    """Lint one annotation file given as bytes (for services and tests)."""
    options = options or LintOptions()
    diagnostics = lint_bytes(
        raw, file=name, subset=subset, rules=select_rules(options), dialect=options.dialect
    )
    return Report(tuple(diagnostics), (name,))


def _lint_sources(sources: Iterable[Source], rules: list[type[Rule]], options: LintOptions) -> Report:
    diagnostics: list[Diagnostic] = []
    names = []
    states: dict[int, DatasetState] = {}
    for source in sources:
        raw = source.read()
        state = states.get(id(source.dataset))
        if state is None:
            state = states.setdefault(
                id(source.dataset), DatasetState(source.dataset.name, source.dataset.media)
            )
        diagnostics.extend(
            lint_bytes(
                raw,
                file=source.name,
                subset=source.subset,
                rules=rules,
                dialect=options.dialect,
                dataset=state,
            )
        )
        names.append(source.name)
    return Report(tuple(diagnostics), tuple(names))
