"""The one entry point behind the CLI, the hooks and the Python API: ``lint`` paths or bytes, ``fix``."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass

from dlint import runner
from dlint.cache import Cache
from dlint.diagnostics import Diagnostic, Severity
from dlint.engine import lint_bytes
from dlint.fixrun import FixPlan, FixReport, FixSettings, fix_sources
from dlint.pathmatch import matches, matches_any, relative_path
from dlint.readers import parse_targets
from dlint.rules import ALL_RULES, RULES_BY_CODE, Rule
from dlint.schemas import DIALECTS
from dlint.sources import Source, SourceError, discover

__all__ = [
    "FixReport",
    "FixSettings",
    "LintOptions",
    "OptionsError",
    "Report",
    "RuleLayer",
    "SourceError",
    "fix",
    "lint",
    "lint_data",
    "select_rules",
    "split_selectors",
]

#: Turns the list of files to lint into the iterable actually walked (a progress display wraps it).
Tracker = Callable[[Sequence[Source]], Iterable[Source]]


class OptionsError(ValueError):
    """Options that cannot be honoured (an unknown rule selector or dialect, a bad configuration)."""


@dataclass(frozen=True)
class RuleLayer:
    """One source of rule selection (a configuration file, the command line).

    Layers apply in order. A layer with ``select`` starts the rule set afresh; one without only adds
    ``extend_select`` to and removes ``ignore`` from the set it inherits. Within a layer the most
    specific selector decides each rule (a code beats a prefix, a longer prefix a shorter one, ``ALL``
    loses to all), and ``ignore`` wins a tie.
    """

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def selectors(self) -> tuple[str, ...]:
        return (*(self.select or ()), *self.extend_select)

    def is_empty(self) -> bool:
        return self.select is None and not self.extend_select and not self.ignore


@dataclass(frozen=True)
class LintOptions:
    """What to check and how to report it.

    ``select``/``extend_select``/``ignore`` form the first rule layer, ``overrides`` the layers on top of
    it (the command line over a configuration file). ``per_file_ignores`` maps a glob to selectors
    removed for matching files, ``severity`` maps selectors to a severity, ``exclude`` holds globs of
    files not linted at all; the globs are relative to ``root`` (default: the working directory).
    ``target`` names the readers files must satisfy (``datumaro``, ``cvat``, ``all``; None: the one
    each file's dialect is written for, see :mod:`dlint.readers`).
    """

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    dialect: str | None = None
    extend_select: tuple[str, ...] = ()
    overrides: tuple[RuleLayer, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: tuple[tuple[str, str], ...] = ()
    exclude: tuple[str, ...] = ()
    root: str | None = None
    target: tuple[str, ...] | None = None

    def targets(self) -> tuple[str, ...]:
        """The readers files must satisfy, by name, in a fixed order (empty: inferred per file)."""
        return () if self.target is None else tuple(sorted(r.value for r in parse_targets(self.target)))

    def layers(self) -> tuple[RuleLayer, ...]:
        return (RuleLayer(self.select, self.extend_select, self.ignore), *self.overrides)


@dataclass(frozen=True)
class Report:
    """The diagnostics of one run and the files it read."""

    diagnostics: tuple[Diagnostic, ...]
    files: tuple[str, ...]
    #: Diagnostics left out because a baseline records them.
    baselined: int = 0
    #: Whether some file was checked for the reader its dialect is written for, no target being given.
    inferred_target: bool = False
    #: The files read, to go back to them (the visual report draws items from them).
    sources: tuple[Source, ...] = dataclasses.field(default=(), compare=False, repr=False)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)


def select_rules(options: LintOptions) -> list[type[Rule]]:
    """The rules that the layers of ``options`` enable (see :class:`RuleLayer`), in code order."""
    check_options(options)
    enabled: set[str] = set()
    for layer in options.layers():
        updates: dict[str, bool] = {}
        for rule in ALL_RULES:
            selected = max((specificity(s, rule) for s in layer.selectors()), default=0)
            ignored = max((specificity(s, rule) for s in layer.ignore), default=0)
            if selected or ignored:
                updates[rule.code] = selected > ignored
        if layer.select is not None:
            enabled = {code for code, on in updates.items() if on}
        else:
            enabled |= {code for code, on in updates.items() if on}
            enabled -= {code for code, on in updates.items() if not on}
    return [rule for rule in ALL_RULES if rule.code in enabled]


def check_options(options: LintOptions) -> None:
    """Raise :class:`OptionsError` for an unknown dialect, selector or severity."""
    if options.dialect is not None and options.dialect not in DIALECTS:
        raise OptionsError(f"unknown dialect {options.dialect!r}; choose one of {', '.join(DIALECTS)}")
    if options.target is not None:
        try:
            parse_targets(options.target)
        except ValueError as exc:
            raise OptionsError(str(exc)) from None
    selectors = [s for layer in options.layers() for s in (*layer.selectors(), *layer.ignore)]
    selectors += [s for _, chosen in options.per_file_ignores for s in chosen]
    selectors += [s for s, _ in options.severity]
    for selector in selectors:
        if not is_selector(selector):
            raise OptionsError(f"unknown rule selector {selector!r}")
    for _, level in options.severity:
        if level not in {s.value for s in Severity}:
            raise OptionsError(f"unknown severity {level!r}; choose one of error, warning, info")


def split_selectors(values: Iterable[str] | None) -> tuple[str, ...]:
    """Rule selectors as given on a command line or in a query: repeated and comma-separated, spaces
    around each ignored. An empty one stays, for the caller to refuse (it selects nothing)."""
    return tuple(part.strip() for value in values or () for part in value.split(","))


def is_selector(selector: str) -> bool:
    """Whether a selector (``ALL``, a code, a code prefix or a rule name) names at least one rule."""
    return any(specificity(selector, rule) for rule in ALL_RULES)


def specificity(selector: str, rule: type[Rule]) -> int:
    """How specifically a selector names a rule (0: not at all)."""
    wanted = selector.strip()
    if wanted.upper() == "ALL":
        return 1
    if wanted == rule.name or wanted.upper() == rule.code:
        return 100
    return len(wanted) + 1 if rule.code.startswith(wanted.upper()) and len(wanted) >= 2 else 0


def lint(
    paths: Sequence[str],
    options: LintOptions | None = None,
    *,
    resolve: Callable[[str], LintOptions] | None = None,
    track: Tracker | None = None,
    jobs: int = 1,
    cache: Cache | None = None,
    staged: bool = False,
) -> Report:
    """Lint files, dataset directories and zip archives.

    ``resolve`` gives the options of each file by its name (the configuration that governs it);
    without it every file gets ``options``. ``track`` wraps the list of files being walked.
    ``jobs`` spreads files over processes; ``cache`` answers unchanged files from earlier runs.
    ``staged`` lints the version of the annotation files below ``paths`` that git's index holds
    (see :mod:`dlint.staged`).
    """
    return _lint_sources(_chosen(paths, options, resolve, staged), track, jobs, cache)


def fix(
    paths: Sequence[str],
    options: LintOptions | None = None,
    settings: FixSettings | None = None,
    *,
    unsafe: bool | Callable[[str], bool] = False,
    fixable: Callable[[str], frozenset[str] | None] | None = None,
    resolve: Callable[[str], LintOptions] | None = None,
) -> FixReport:
    """Fix files, dataset directories and zip archives in place (see :mod:`dlint.fixrun`).

    ``unsafe`` (a flag, or a flag per file name) admits unsafe fixes; ``fixable`` gives, per file,
    the rule codes whose fixes may be applied; ``resolve`` gives each file's options, as for
    :func:`lint`.
    """
    plans = []
    for source, chosen in _chosen(paths, options, resolve):
        plan = FixPlan(
            rules=_rules(chosen),
            unsafe=unsafe(source.name) if callable(unsafe) else unsafe,
            fixable=fixable(source.name) if fixable else None,
            dialect=chosen.dialect,
            finish=functools.partial(adjust, options=chosen),
            targets=parse_targets(chosen.target) if chosen.target is not None else None,
        )
        plans.append((source, plan))
    return fix_sources(plans, settings or FixSettings())


def _chosen(
    paths: Sequence[str],
    options: LintOptions | None,
    resolve: Callable[[str], LintOptions] | None,
    staged: bool = False,
) -> list[tuple[Source, LintOptions]]:
    """The files to work on, each with its options, excluded files left out."""
    fixed = options or LintOptions()
    options_of = resolve or (lambda _name: fixed)
    if resolve is None:
        check_options(fixed)
    if staged:
        from dlint.staged import staged_sources  # (git is run only for hooks that ask for it)

        found = staged_sources(paths)
    else:
        found = discover(paths or ["."])
    chosen = [(source, options_of(source.name)) for source in found]
    return [
        (source, chosen_options)
        for source, chosen_options in chosen
        if not _excluded(source.name, chosen_options)
    ]


def fixable_codes(fixable: Sequence[str], unfixable: Sequence[str]) -> frozenset[str]:
    """The codes of the rules whose fixes may be applied: the most specific selector wins."""
    return frozenset(
        rule.code
        for rule in ALL_RULES
        if max((specificity(s, rule) for s in fixable), default=0)
        > max((specificity(s, rule) for s in unfixable), default=0)
    )


def lint_data(
    raw: bytes, name: str = "<bytes>", subset: str = "default", options: LintOptions | None = None
) -> Report:
    """Lint one annotation file given as bytes (for services and tests)."""
    options = options or LintOptions()
    targets = parse_targets(options.target) if options.target is not None else None
    diagnostics = lint_bytes(
        raw, file=name, subset=subset, rules=_rules(options), dialect=options.dialect, targets=targets
    )
    diagnostics = adjust(diagnostics, name, options)
    return Report(tuple(diagnostics), (name,), inferred_target=options.target is None)


def adjust(diagnostics: Iterable[Diagnostic], name: str, options: LintOptions) -> list[Diagnostic]:
    """Apply ``per_file_ignores`` and ``severity`` to the diagnostics of one file (never to a
    refusal: see :attr:`Rule.refusal`)."""
    ignored: tuple[str, ...] = ()
    if options.per_file_ignores:
        path = relative_path(name, options.root)
        for pattern, selectors in options.per_file_ignores:
            negated = pattern.startswith("!")
            if matches(pattern[1:] if negated else pattern, path) != negated:
                ignored += selectors
    result = []
    for diagnostic in diagnostics:
        rule = RULES_BY_CODE.get(diagnostic.code)
        if rule is None or rule.refusal:
            result.append(diagnostic)
            continue
        if any(specificity(s, rule) for s in ignored):
            continue
        level = _severity(rule, options.severity)
        if level is not None and level is not diagnostic.severity:
            diagnostic = dataclasses.replace(diagnostic, severity=level)
        result.append(diagnostic)
    return result


def _severity(rule: type[Rule], table: tuple[tuple[str, str], ...]) -> Severity | None:
    best = max(((specificity(s, rule), level) for s, level in table), default=(0, ""))
    return Severity(best[1]) if best[0] else None


def _excluded(name: str, options: LintOptions) -> bool:
    return bool(options.exclude) and matches_any(options.exclude, relative_path(name, options.root))


@functools.lru_cache(maxsize=64)
def _rules(options: LintOptions) -> tuple[type[Rule], ...]:
    return tuple(select_rules(options))


def _lint_sources(
    sources: list[tuple[Source, LintOptions]], track: Tracker | None, jobs: int, cache: Cache | None
) -> Report:
    tasks = [
        runner.Task(
            index, source, tuple(rule.code for rule in _rules(options)), options.dialect, options.targets()
        )
        for index, (source, options) in enumerate(sources)
    ]
    progress = track([source for source, _ in sources]) if track else None
    try:
        results = runner.run(tasks, jobs=jobs, cache=cache, done=progress)
    finally:
        if isinstance(progress, Generator):
            progress.close()
    diagnostics = [
        d
        for (source, options), found in zip(sources, results, strict=True)
        for d in adjust(found, source.name, options)
    ]
    inferred = any(options.target is None for _, options in sources)
    names = tuple(source.name for source, _ in sources)
    return Report(
        tuple(diagnostics), names, inferred_target=inferred, sources=tuple(source for source, _ in sources)
    )
