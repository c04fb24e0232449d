"""Configuration files, their schema, and how they combine with the command line.

Rule selection: the command line's ``--select`` replaces the configured selection, ``--extend-select``
and ``--ignore`` adjust it; within one source the most specific selector decides, and ``ignore`` wins a
tie. ``per-file-ignores`` always apply.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from dlint.api import LintOptions, OptionsError, RuleLayer, select_rules
from dlint.config import CommandLine, ConfigError, Resolver, config_schema
from dlint.pathmatch import matches
from dlint.reporters import REPORTERS
from dlint.reporters.summary import INFERRED
from dlint.rules import ALL_RULES
from dlint.schemas import DIALECTS
from tests.conftest import ROOT

BASE = json.loads((ROOT / "tests" / "rules" / "base.json").read_text())
SCHEMAS = ROOT / "schemas"


def family(prefix: str) -> set[str]:
    return {rule.code for rule in ALL_RULES if rule.code.startswith(prefix)}


def codes(options: LintOptions) -> set[str]:
    return {rule.code for rule in select_rules(options)}


def resolve(
    folder: Path, name: str = "x/annotations/a.json", *, select: str | None = None, **cli: Any
) -> LintOptions:
    layer = RuleLayer(
        select=tuple(select.split(",")) if select else None,
        extend_select=tuple(cli.pop("extend_select", ())),
        ignore=tuple(cli.pop("ignore", ())),
    )
    resolver = Resolver(CommandLine(layer, **cli), cwd=str(folder))
    return resolver.options_for(str(folder / name))


# ---------------------------------------------------------------- rule selection precedence


def test_more_specific_selector_wins_within_one_source() -> None:
    assert codes(LintOptions(select=("DL1",), ignore=("DL101",))) == family("DL1") - {"DL101"}
    assert codes(LintOptions(select=("DL101",), ignore=("DL1",))) == {"DL101"}
    assert codes(LintOptions(select=("DL11",), ignore=("DL1",))) == family("DL11")
    assert codes(LintOptions(select=("DL1",), ignore=("DL11",))) == family("DL1") - family("DL11")
    assert codes(LintOptions(select=("DL101",), ignore=("DL101",))) == set()  # ignore wins a tie
    assert codes(LintOptions(select=("ALL",), ignore=("DL",))) == set()
    assert codes(LintOptions(select=("label-id-out-of-range",))) == {"DL101"}
    assert codes(LintOptions(select=("dl30",))) == family("DL30")


def test_cli_select_replaces_the_configured_selection(tmp_path: Path) -> None:
    # configured: DL1 and DL2 without DL101; `--select DL101` checks DL101 and nothing else
    (tmp_path / "dlint.toml").write_text('select = ["DL1", "DL2"]\nignore = ["DL101"]\n')
    assert codes(resolve(tmp_path)) == (family("DL1") | family("DL2")) - {"DL101"}
    assert codes(resolve(tmp_path, select="DL101")) == {"DL101"}


def test_cli_extend_select_adds_to_the_configured_selection(tmp_path: Path) -> None:
    # the same configuration; `--extend-select DL3` checks DL1, DL2 and DL3, still without DL101
    (tmp_path / "dlint.toml").write_text('select = ["DL1", "DL2"]\nignore = ["DL101"]\n')
    expected = family("DL1") | family("DL2") | family("DL3")
    assert codes(resolve(tmp_path, extend_select=["DL3"])) == expected - {"DL101"}
    assert codes(resolve(tmp_path, extend_select=["DL101"])) == family("DL1") | family("DL2")


def test_cli_ignore_applies_on_top_of_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "dlint.toml").write_text('select = ["DL1"]\nextend-select = ["DL302"]\n')
    assert codes(resolve(tmp_path)) == family("DL1") | {"DL302"}
    assert codes(resolve(tmp_path, ignore=["DL3", "DL10"])) == family("DL1") - family("DL10")


def test_config_extend_select_and_ignore_without_select_adjust_the_default(tmp_path: Path) -> None:
    (tmp_path / "dlint.toml").write_text('ignore = ["DL6"]\n')
    assert codes(resolve(tmp_path)) == {r.code for r in ALL_RULES} - family("DL6")
    assert codes(resolve(tmp_path, select="DL6")) == family("DL6")


def test_cli_selectors_are_validated(tmp_path: Path) -> None:
    with pytest.raises(OptionsError, match="unknown rule selector 'DL999'"):
        resolve(tmp_path, select="DL999")
    with pytest.raises(OptionsError, match="unknown dialect"):
        resolve(tmp_path, dialect="nope")


# ---------------------------------------------------------------- discovery


def test_closest_configuration_governs_each_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.dlint]\nignore = ["DL6"]\n')
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "dlint.toml").write_text('select = ["DL3"]\n')
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "pyproject.toml").write_text('[project]\nname = "x"\n')  # no [tool.dlint]
    assert codes(resolve(tmp_path, "legacy/ds/annotations/a.json")) == family("DL3")
    assert codes(resolve(tmp_path, "other/ds/annotations/a.json")) == {r.code for r in ALL_RULES} - family(
        "DL6"
    )


def test_dot_dlint_toml_comes_before_dlint_toml_before_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.dlint]\nselect = ["DL1"]\n')
    assert codes(resolve(tmp_path)) == family("DL1")
    (tmp_path / "dlint.toml").write_text('select = ["DL2"]\n')
    assert codes(resolve(tmp_path)) == family("DL2")
    (tmp_path / ".dlint.toml").write_text('select = ["DL3"]\n')
    assert codes(resolve(tmp_path)) == family("DL3")


def test_files_outside_any_configuration_get_the_working_directorys(tmp_path: Path) -> None:
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    project.mkdir()
    elsewhere.mkdir()
    (project / "dlint.toml").write_text('select = ["DL4"]\n')
    resolver = Resolver(CommandLine(), cwd=str(project))
    assert codes(resolver.options_for(str(elsewhere / "annotations" / "a.json"))) == family("DL4")


def test_config_file_option_and_isolated(tmp_path: Path) -> None:
    (tmp_path / "dlint.toml").write_text('select = ["DL1"]\n')
    shared = tmp_path / "ci" / "strict.toml"
    shared.parent.mkdir()
    shared.write_text('select = ["DL5"]\n')
    assert codes(resolve(tmp_path, config=(str(shared),))) == family("DL5")
    assert codes(resolve(tmp_path, isolated=True)) == {r.code for r in ALL_RULES}


def test_config_overrides_change_every_configuration(tmp_path: Path) -> None:
    (tmp_path / "dlint.toml").write_text('select = ["DL1"]\n[severity]\nDL101 = "warning"\n')
    options = resolve(tmp_path, config=('select = ["DL2"]', 'severity.DL102 = "info"', "dialect=cvat-1.0"))
    assert codes(options) == family("DL2")
    assert dict(options.severity) == {"DL101": "warning", "DL102": "info"}
    assert options.dialect == "cvat-1.0"
    assert resolve(tmp_path, config=("dialect=cvat-1.0",), dialect="legacy-info").dialect == "legacy-info"


# ---------------------------------------------------------------- per-file-ignores, severity, exclude


def _dataset(root: Path, name: str = "train") -> Path:
    data = copy.deepcopy(BASE)
    data["items"][0]["annotations"][1]["label_id"] = 99  # DL101, error
    data["items"][0]["annotations"][0]["attributes"]["wheels"] = 4  # DL117, warning
    folder = root / "annotations"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(data, indent=1))
    return root


def _found(dlint: Any, *args: str) -> tuple[int, list[tuple[str, str, str]]]:
    run = dlint("check", *args, "--output-format", "json")
    assert run.err == "" or "warning" in run.err, run.err
    return run.code, sorted((d["file"], d["code"], d["severity"]) for d in json.loads(run.out or "[]"))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    _dataset(tmp_path / "new")
    _dataset(tmp_path / "legacy" / "2019")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_per_file_ignores(dlint: Any, project: Path) -> None:
    (project / "dlint.toml").write_text('[per-file-ignores]\n"legacy/**" = ["DL101"]\n')
    assert _found(dlint, ".") == (
        1,
        [
            ("legacy/2019/annotations/train.json", "DL117", "warning"),
            ("new/annotations/train.json", "DL101", "error"),
            ("new/annotations/train.json", "DL117", "warning"),
        ],
    )
    # they apply whatever the command line selects
    assert _found(dlint, ".", "--select", "DL101")[1] == [("new/annotations/train.json", "DL101", "error")]
    # a leading ! picks the files that do not match
    (project / "dlint.toml").write_text('[per-file-ignores]\n"!new/**" = ["DL117", "DL101"]\n')
    assert [d[0] for d in _found(dlint, ".")[1]] == ["new/annotations/train.json"] * 2


def test_severity_overrides_change_the_exit_code(dlint: Any, project: Path) -> None:
    (project / "dlint.toml").write_text('[severity]\nDL1 = "warning"\nundefined-attribute = "info"\n')
    code, found = _found(dlint, "new")
    assert code == 0
    assert [d[1:] for d in found] == [("DL101", "warning"), ("DL117", "info")]
    (project / "dlint.toml").write_text('[severity]\nDL = "warning"\nDL117 = "error"\n')
    code, found = _found(dlint, "new")
    assert (code, [d[1:] for d in found]) == (1, [("DL101", "warning"), ("DL117", "error")])
    text = dlint("check", "new", "--output-format", "concise").out
    assert "DL101 warning: label_id 99" in text


def test_exclude_skips_files_folders_and_archives(dlint: Any, project: Path) -> None:
    (project / "dlint.toml").write_text('exclude = ["legacy"]\n')
    run = dlint("check", ".", "--output-format", "concise")
    assert "legacy" not in run.out and f"(1 checked; {INFERRED})" in run.out
    (project / "dlint.toml").write_text('exclude = ["**/annotations/train.json"]\n')
    assert "no annotation files found" in dlint("check", ".").err


def test_output_format_from_the_configuration(dlint: Any, project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.dlint]\noutput-format = "json-lines"\n')
    lines = dlint("check", "new").out.splitlines()
    assert sorted(json.loads(line)["code"] for line in lines) == ["DL101", "DL117"]
    assert dlint("check", "new", "--output-format", "concise").out.startswith("new/annotations/")


def test_globs() -> None:
    assert matches("legacy", "legacy/2019/annotations/a.json")
    assert matches("legacy/", "legacy/2019/annotations/a.json")
    assert matches("2019", "legacy/2019/annotations/a.json")
    assert not matches("2019", "legacy/2019-old/annotations/a.json")
    assert matches("legacy/*/annotations/*.json", "legacy/2019/annotations/a.json")
    assert not matches("legacy/*.json", "legacy/2019/annotations/a.json")
    assert matches("**/annotations/a.json", "a/b/annotations/a.json")
    assert matches("**/annotations/a.json", "annotations/a.json")
    assert matches("*.zip", "exports/task.zip/annotations/a.json")
    assert matches("annotations/[!b].json", "annotations/a.json")
    assert not matches("annotations/[!a].json", "annotations/a.json")
    assert not matches("annotations/a.json", "x/annotations/a.json")


# ---------------------------------------------------------------- errors: one line, exit 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('selct = ["DL3"]\n', "dlint.toml: unknown key 'selct' (did you mean 'select'?)"),
        ('select = "DL3"\n', "dlint.toml: select: expected a list, got 'DL3'"),
        ('select = ["DL 3"]\n', "dlint.toml: select[0]: 'DL 3' is not a rule selector"),
        ('ignore = ["no-such-rule"]\n', "dlint.toml: ignore: unknown rule selector 'no-such-rule'"),
        ('output-format = "xml"\n', "dlint.toml: output-format: 'xml' is not one of 'full', "),
        ('dialect = "datumaro-2.0"\n', "dlint.toml: dialect: 'datumaro-2.0' is not one of"),
        ('[severity]\nDL302 = "fatal"\n', "dlint.toml: severity.DL302: 'fatal' is not one of"),
        ('[severity]\n"DL 3" = "error"\n', "dlint.toml: severity: key 'DL 3' is not a rule selector"),
        (
            '[per-file-ignores]\n"a/**" = ["DL99"]\n',
            'dlint.toml: per-file-ignores."a/**": unknown rule selector',
        ),
        ("unsafe-fixes = 1\n", "dlint.toml: unsafe-fixes: expected true or false, got 1"),
        ("select = [\n", "dlint.toml: invalid TOML: "),
    ],
)
def test_configuration_errors_are_one_line_and_exit_2(
    dlint: Any, project: Path, text: str, message: str
) -> None:
    (project / "dlint.toml").write_text(text)
    run = dlint("check", "new")
    assert run.code == 2 and run.out == ""
    assert run.err.startswith(f"dlint: error: {message}"), run.err
    assert run.err.count("\n") == 1


def test_pyproject_errors_name_the_table(dlint: Any, project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.dlint]\nselect = ["DL3"]\nexclud = []\n')
    run = dlint("check", "new")
    assert (run.code, run.err) == (
        2,
        "dlint: error: pyproject.toml [tool.dlint]: unknown key 'exclud' (did you mean 'exclude'?)\n",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--config", "select=DL3"), "dlint: error: --config 'select=DL3': select: expected a list"),
        (("--config", "colour = 'red'"), "dlint: error: --config \"colour = 'red'\": unknown key 'colour'"),
        (("--config", "missing.toml"), "dlint: error: --config 'missing.toml': no such configuration file"),
        (("--select", "XX9"), "dlint: error: unknown rule selector 'XX9'"),
        (("--baseline", "missing.json"), "dlint: error: cannot read baseline missing.json"),
    ],
)
def test_command_line_errors_are_one_line_and_exit_2(
    dlint: Any, project: Path, args: tuple[str, ...], message: str
) -> None:
    run = dlint("check", "new", *args)
    assert run.code == 2 and run.err.startswith(message) and run.err.count("\n") == 1, run.err


# ---------------------------------------------------------------- the configuration schema


def _index_entry() -> dict[str, Any]:
    index = json.loads((SCHEMAS / "index.json").read_text())
    entry = max(index["config"], key=lambda entry: entry["version"])
    return dict(entry)


def test_config_schema_is_indexed_hashed_and_valid() -> None:
    entry = _index_entry()
    path = SCHEMAS / entry["path"]
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"], "released; add a new version instead"
    schema = json.loads(data)
    assert schema == config_schema()
    assert schema["$id"] == entry["id"] == f"urn:dlint:schema:config:v{entry['version']}"
    assert data.decode() == json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_config_schema_enums_follow_the_code() -> None:
    properties = config_schema()["properties"]
    assert tuple(properties["output-format"]["enum"]) == tuple(REPORTERS)
    assert tuple(properties["dialect"]["enum"]) == DIALECTS
    assert properties["severity"]["additionalProperties"]["enum"] == ["error", "warning", "info"]


def test_every_documented_key_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "dlint.toml").write_text(
        'select = ["ALL"]\nextend-select = ["DL3"]\nignore = ["DL6"]\nexclude = ["old/"]\n'
        'dialect = "datumaro-1.0"\noutput-format = "sarif"\nunsafe-fixes = true\n'
        'fixable = ["ALL"]\nunfixable = ["DL302"]\n'
        '[per-file-ignores]\n"legacy/**" = ["DL1", "invalid-rle-counts"]\n'
        '[severity]\nDL117 = "error"\n'
        "[report]\nmax-thumbnails = 50\nmax-diagnostics = 900\n"
    )
    settings = Resolver(cwd=str(tmp_path)).project_settings()
    assert (settings.max_thumbnails, settings.max_diagnostics) == (50, 900)
    assert settings.unsafe_fixes is True and settings.unfixable == ("DL302",)
    assert settings.output_format == "sarif" and settings.root == str(tmp_path)
    assert settings.per_file_ignores == (("legacy/**", ("DL1", "invalid-rle-counts")),)


def test_config_error_is_an_options_error() -> None:
    assert issubclass(ConfigError, OptionsError)


def test_readme_configuration_example_is_valid(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    example = readme.split("## Configuration", 1)[1].split("```toml", 1)[1].split("```", 1)[0]
    (tmp_path / "pyproject.toml").write_text(example)
    resolver = Resolver(cwd=str(tmp_path))
    settings = resolver.project_settings()
    assert settings.ignore == ("DL6",) and dict(settings.severity) == {"DL6": "info", "DL117": "error"}
    assert codes(resolver.project_options()) == {r.code for r in ALL_RULES} - family("DL6")
    documented = readme.split("| key | value | meaning |", 1)[1].split("\n\n", 1)[0]
    keys = {key.strip("` ") for row in documented.splitlines()[2:] for key in row.split("|")[1].split(",")}
    assert keys == set(config_schema()["properties"])
