"""Configuration: ``[tool.dlint]`` in ``pyproject.toml``, or ``dlint.toml`` / ``.dlint.toml``.

Every file linted is governed by the closest configuration found walking up from its folder (in one
folder ``.dlint.toml`` comes first, then ``dlint.toml``, then a ``pyproject.toml`` that has a
``[tool.dlint]`` table); a file with none above it gets the configuration of the working directory, or
the defaults. Settings that concern the whole run (``output-format``) come from the working directory's
configuration. Each table is validated by the configuration's own JSON Schema
(``schemas/config/``): an unknown key or a bad value is a :class:`ConfigError`.

The command line overrides configuration files: ``--config KEY=VALUE`` changes a key of every
configuration (a TOML value; tables are merged key by key), ``--config FILE`` uses one file for every
path, ``--isolated`` ignores them all, and the rule-selection flags are a layer of their own on top of
the configured selection (see :class:`dlint.api.RuleLayer`).
"""

from __future__ import annotations

import difflib
import functools
import importlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from dlint.api import LintOptions, OptionsError, RuleLayer, check_options, is_selector
from dlint.limits import LimitError, Limits
from dlint.schemas import schema_root

CONFIG_NAMES = (".dlint.toml", "dlint.toml", "pyproject.toml")
_SELECTOR_KEYS = ("select", "extend-select", "ignore", "fixable", "unfixable")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class ConfigError(OptionsError):
    """A configuration file or override that cannot be read or does not match the schema."""


@dataclass(frozen=True)
class Settings:
    """One configuration: a file's table, or the defaults, with the ``--config`` overrides applied."""

    #: The configuration file (None: no file, the defaults).
    path: str | None
    #: The folder that ``exclude`` and ``per-file-ignores`` globs are relative to.
    root: str
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: tuple[tuple[str, str], ...] = ()
    exclude: tuple[str, ...] = ()
    dialect: str | None = None
    target: tuple[str, ...] | None = None
    output_format: str | None = None
    unsafe_fixes: bool = False
    fixable: tuple[str, ...] = ("ALL",)
    unfixable: tuple[str, ...] = ()
    #: The ``[limits]`` table (they concern the whole run: the working directory's count).
    limits: Limits = field(default_factory=Limits)
    #: The ``[report]`` table: items drawn and diagnostics listed at most by the visual report.
    max_thumbnails: int | None = None
    max_diagnostics: int | None = None


@dataclass(frozen=True)
class CommandLine:
    """What the command line says over every configuration."""

    rules: RuleLayer = field(default_factory=RuleLayer)
    dialect: str | None = None
    #: ``--target`` values (None: the configured target, else each file's dialect's reader).
    target: tuple[str, ...] | None = None
    #: ``--config`` values: ``KEY=VALUE`` overrides, or the path of the one configuration file to use.
    config: tuple[str, ...] = ()
    #: Ignore every configuration file.
    isolated: bool = False


class Resolver:
    """Finds, reads and caches the configuration of each file, and turns it into lint options."""

    def __init__(self, cli: CommandLine | None = None, cwd: str | None = None) -> None:
        self.cli = cli or CommandLine()
        self.cwd = os.path.abspath(cwd or os.getcwd())
        files = [value for value in self.cli.config if _is_file_argument(value)]
        if len(files) > 1:
            raise ConfigError(f"--config: give one configuration file, not {len(files)}")
        for value in files:
            if not os.path.isfile(value):
                raise ConfigError(f"--config {value!r}: no such configuration file, and not a KEY=VALUE pair")
        self.forced = os.path.abspath(files[0]) if files else None
        self.overrides = [parse_override(v) for v in self.cli.config if not _is_file_argument(v)]
        self._found: dict[str, str | None] = {}
        self._settings: dict[str | None, Settings] = {}
        self._options: dict[str | None, LintOptions] = {}

    def config_path(self, folder: str) -> str | None:
        """The configuration file that governs files in ``folder`` (None: the defaults)."""
        if self.cli.isolated:
            return None
        if self.forced is not None:
            return self.forced
        return self._closest(os.path.abspath(folder)) or self._closest(self.cwd)

    def settings_for(self, name: str) -> Settings:
        """The settings of a file, by the name that diagnostics give it."""
        return self._load(self.config_path(os.path.dirname(os.path.abspath(name))))

    def project_settings(self) -> Settings:
        """The settings of the working directory (those that concern the whole run)."""
        return self._load(self.config_path(self.cwd))

    def options_for(self, name: str) -> LintOptions:
        """The lint options of a file: its settings under the command line's."""
        return self._options_at(self.config_path(os.path.dirname(os.path.abspath(name))))

    def project_options(self) -> LintOptions:
        """The lint options of the working directory (reading them validates the command line)."""
        return self._options_at(self.config_path(self.cwd))

    def _options_at(self, path: str | None) -> LintOptions:
        if path not in self._options:
            self._options[path] = lint_options(self._load(path), self.cli)
        return self._options[path]

    def _closest(self, folder: str) -> str | None:
        if folder not in self._found:
            found = None
            for name in CONFIG_NAMES:
                candidate = os.path.join(folder, name)
                if os.path.isfile(candidate) and (name != "pyproject.toml" or _tool_table(candidate)):
                    found = candidate
                    break
            parent = os.path.dirname(folder)
            self._found[folder] = found if found or parent == folder else self._closest(parent)
        return self._found[folder]

    def _load(self, path: str | None) -> Settings:
        if path not in self._settings:
            table: dict[str, Any] = {}
            if path is not None:
                table = read_table(path)
                validate(table, _origin(path))
            for override in self.overrides:
                table = _merge(table, override)
            root = os.path.dirname(path) if path else self.cwd
            try:
                self._settings[path] = settings_from_table(table, path, root)
            except LimitError as exc:
                raise ConfigError(f"{_origin(path) if path else '--config'}: limits: {exc}") from exc
        return self._settings[path]


def lint_options(settings: Settings, cli: CommandLine) -> LintOptions:
    """The lint options of a configuration under the command line's rule layer and dialect."""
    options = LintOptions(
        select=settings.select if settings.select is not None else ("ALL",),
        extend_select=settings.extend_select,
        ignore=settings.ignore,
        overrides=() if cli.rules.is_empty() else (cli.rules,),
        dialect=cli.dialect or settings.dialect,
        target=cli.target or settings.target,
        per_file_ignores=settings.per_file_ignores,
        severity=settings.severity,
        exclude=settings.exclude,
        root=settings.root,
    )
    check_options(options)
    return options


def settings_from_table(table: Mapping[str, Any], path: str | None, root: str) -> Settings:
    """Settings from a validated configuration table."""

    def strings(key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        return tuple(table[key]) if key in table else default

    return Settings(
        path=path,
        root=root,
        select=strings("select") if "select" in table else None,
        extend_select=strings("extend-select"),
        ignore=strings("ignore"),
        per_file_ignores=tuple((k, tuple(v)) for k, v in table.get("per-file-ignores", {}).items()),
        severity=tuple(table.get("severity", {}).items()),
        exclude=strings("exclude"),
        dialect=table.get("dialect"),
        target=strings("target") if "target" in table else None,
        output_format=table.get("output-format"),
        unsafe_fixes=bool(table.get("unsafe-fixes", False)),
        fixable=strings("fixable", ("ALL",)),
        unfixable=strings("unfixable"),
        limits=Limits.from_table(table.get("limits", {})),
        max_thumbnails=table.get("report", {}).get("max-thumbnails"),
        max_diagnostics=table.get("report", {}).get("max-diagnostics"),
    )


def read_table(path: str) -> dict[str, Any]:
    """The dlint table of a configuration file (``[tool.dlint]`` of a ``pyproject.toml``)."""
    data = _read_toml(path)
    if os.path.basename(path) != "pyproject.toml":
        return data
    table = data.get("tool", {}).get("dlint", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{_origin(path)}: must be a table")
    return table


def parse_override(text: str) -> dict[str, Any]:
    """A ``--config KEY=VALUE`` override as a table (a bare VALUE is taken as a string)."""
    toml = _toml()
    try:
        table: dict[str, Any] = toml.loads(text)
    except toml.TOMLDecodeError as exc:
        key, equals, value = text.partition("=")
        try:
            table = toml.loads(f"{key} = {json.dumps(value.strip())}") if equals else {}
        except toml.TOMLDecodeError:
            table = {}
        if not table:
            raise ConfigError(f"--config {text!r}: not a KEY=VALUE pair in TOML: {exc}") from exc
    validate(table, f"--config {text!r}")
    return table


def validate(table: Mapping[str, Any], origin: str) -> None:
    """Raise a one-line :class:`ConfigError` when a table does not match the schema or names an
    unknown rule."""
    error = next(iter(_validator().iter_errors(table)), None)
    if error is not None:
        raise ConfigError(f"{origin}: {_describe(error)}")
    for key in _SELECTOR_KEYS:
        _check_selectors(table.get(key, ()), origin, key)
    for pattern, selectors in table.get("per-file-ignores", {}).items():
        _check_selectors(selectors, origin, f"per-file-ignores.{_key(pattern)}")
    _check_selectors(list(table.get("severity", {})), origin, "severity")


@functools.cache
def config_schema() -> dict[str, Any]:
    """The newest configuration schema, as listed under ``config`` in ``schemas/index.json``."""
    index = json.loads((schema_root() / "index.json").read_text(encoding="utf-8"))
    newest = max(index["config"], key=lambda entry: entry["version"])
    schema: dict[str, Any] = json.loads((schema_root() / newest["path"]).read_text(encoding="utf-8"))
    return schema


@functools.cache
def _validator() -> Any:
    import jsonschema_rs  # imported only when a configuration file is read

    return jsonschema_rs.Draft202012Validator(config_schema())


def _describe(error: Any) -> str:
    """One line for a schema error: where (``severity.DL3``), then what is wrong."""
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{_key(p)}" for p in error.instance_path)
    where = where.lstrip(".")
    prefix = f"{where}: " if where else ""
    kind = error.kind
    if kind.name == "additionalProperties":
        known = list(_properties_at(list(error.instance_path)))
        unknown = str(kind.unexpected[0])
        close = difflib.get_close_matches(unknown, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f"; known keys: {', '.join(known)}"
        return f"{prefix}unknown key {unknown!r}{hint}"
    if kind.name == "enum":
        choices = ", ".join(repr(c) for c in kind.options)
        return f"{prefix}{error.instance!r} is not one of {choices}"
    if kind.name == "type":
        expected = " or ".join(_article(str(t)) for t in kind.types)
        return f"{prefix}expected {expected}, got {error.instance!r}"
    if kind.name == "propertyNames":
        key, inner = kind.error.instance, kind.error.kind.name
        if inner == "pattern":
            return f"{prefix}key {key!r} is not a rule selector (ALL, a code, a code prefix or a rule name)"
        return f"{prefix}key {key!r}: {kind.error.message}"
    if kind.name == "pattern":
        return (
            f"{prefix}{error.instance!r} is not a rule selector (ALL, a code, a code prefix or a rule name)"
        )
    return f"{prefix}{error.message}".replace("\n", " ")


def _properties_at(path: list[Any]) -> dict[str, Any]:
    """The properties the schema allows in the table at ``path`` (the top level when unknown)."""
    node = config_schema()
    for part in path:
        node = node.get("properties", {}).get(part, {})
    properties = node.get("properties")
    return properties if isinstance(properties, dict) else config_schema()["properties"]


def _article(kind: str) -> str:
    return {"array": "a list", "object": "a table", "string": "a string", "boolean": "true or false"}.get(
        kind, kind
    )


def _check_selectors(selectors: Any, origin: str, key: str) -> None:
    for selector in selectors:
        if not is_selector(selector):
            raise ConfigError(f"{origin}: {key}: unknown rule selector {selector!r}")


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key)


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` over ``base``; tables (``severity``, ``per-file-ignores``) merge key by key."""
    merged = dict(base)
    for key, value in override.items():
        old = merged.get(key)
        merged[key] = {**old, **value} if isinstance(old, dict) and isinstance(value, dict) else value
    return merged


def _origin(path: str) -> str:
    shown = _shown(path)
    return f"{shown} [tool.dlint]" if os.path.basename(path) == "pyproject.toml" else shown


def _shown(path: str) -> str:
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def _is_file_argument(value: str) -> bool:
    return "=" not in value or os.path.isfile(value)


def _tool_table(path: str) -> bool:
    """Whether a ``pyproject.toml`` has a ``[tool.dlint]`` table."""
    tool = _read_toml(path).get("tool", {})
    return isinstance(tool, dict) and "dlint" in tool


def _read_toml(path: str) -> dict[str, Any]:
    toml = _toml()
    try:
        with open(path, "rb") as handle:
            data: dict[str, Any] = toml.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read {_shown(path)}: {exc.strerror or exc}") from exc
    except toml.TOMLDecodeError as exc:
        raise ConfigError(f"{_shown(path)}: invalid TOML: {exc}") from exc
    return data


def _toml() -> ModuleType:
    """``tomllib`` (Python 3.11+) or its backport ``tomli``."""
    try:
        return importlib.import_module("tomllib")
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        return importlib.import_module("tomli")
