"""The command line: exit codes, output formats, rule docs, schemas; the documentation example."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from dlint import __version__
from dlint.reporters.summary import INFERRED
from dlint.rules import ALL_RULES
from dlint.schemas import DIALECTS
from tests.conftest import ROOT, run_console

EXAMPLE = ROOT / "examples" / "cvat-docs" / "annotations" / "default.json"
JSON_KEYS = set(
    [
        "code",
        "name",
        "severity",
        "message",
        "file",
        "pointer",
        "line",
        "column",
        "subset",
        "item_id",
        "annotation_id",
        "fix",
    ]
)


def _rle_line_and_column() -> tuple[int, int]:
    for number, line in enumerate(EXAMPLE.read_text().splitlines(), start=1):
        if '"rle"' in line:
            return number, line.index('"rle"') + 1
    raise AssertionError("the example has no rle")


def test_documentation_example_reports_the_broken_mask_at_its_rle(dlint: Any) -> None:
    run = dlint("check", str(EXAMPLE), "--output-format", "json")
    assert run.code == 1
    assert [(d["code"], d["severity"]) for d in run.json()] == [("DL211", "warning"), ("DL302", "error")]
    diagnostic = run.json()[1]
    assert set(diagnostic) == JSON_KEYS
    assert diagnostic["code"] == "DL302"
    assert diagnostic["pointer"] == "/items/0/annotations/2/rle"
    assert (diagnostic["line"], diagnostic["column"]) == _rle_line_and_column()
    assert "82" in diagnostic["message"] and "100" in diagnostic["message"]
    assert diagnostic["subset"] == "default" and diagnostic["item_id"] == "img1"
    assert diagnostic["annotation_id"] == 2
    assert diagnostic["severity"] == "error" and diagnostic["fix"] is None


def test_full_format_shows_the_source_line_and_a_caret(dlint: Any) -> None:
    run = dlint("check", str(EXAMPLE))
    line, column = _rle_line_and_column()
    assert run.code == 1
    lines = run.out.splitlines()
    lines = lines[lines.index(next(x for x in lines if "DL302" in x)) :]
    assert lines[0].endswith(
        f"default.json:{line}:{column}: DL302 RLE counts decode to runs summing to 82 pixels, "
        "but size [10, 10] has 100; the mask cannot be decoded faithfully "
        "(CVAT imports it wrongly, without a word)"
    )
    source = next(x for x in lines if x.startswith(f"{line} | "))
    caret = lines[lines.index(source) + 1]
    assert source[source.index("| ") + 2 :][caret.index("^") - caret.index("| ") - 2 :].startswith('"rle"')
    assert lines[-1] == f"Found 1 error and 1 warning in 1 file (1 checked; {INFERRED})."


def test_concise_format(dlint: Any) -> None:
    run = dlint("check", str(EXAMPLE), "--output-format", "concise")
    line, column = _rle_line_and_column()
    zero_area, first, summary = run.out.splitlines()
    assert ": DL211 warning: polygon has zero area" in zero_area
    assert first.endswith(
        f"default.json:{line}:{column}: DL302 RLE counts decode to runs summing to 82 pixels, "
        "but size [10, 10] has 100; the mask cannot be decoded faithfully "
        "(CVAT imports it wrongly, without a word)"
    )
    assert summary == f"Found 1 error and 1 warning in 1 file (1 checked; {INFERRED})."


def test_dataset_directory_and_clean_exit(dlint: Any, tmp_path: Path) -> None:
    dataset = tmp_path / "ds" / "annotations"
    dataset.mkdir(parents=True)
    (dataset / "train.json").write_bytes((ROOT / "tests" / "rules" / "base.json").read_bytes())
    (tmp_path / "ds" / "other.json").write_text("not json, and not in annotations/")
    run = dlint("check", str(tmp_path / "ds"))
    assert (run.code, run.out.strip()) == (
        0,
        f"All checks passed! (1 file checked; {INFERRED})",
    )


def test_parse_error_is_a_diagnostic_not_a_traceback(dlint: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"items": [\n  {"id": "a",}\n]}')
    run = dlint("check", str(bad), "--output-format", "json")
    assert run.code == 1
    [diagnostic] = run.json()
    assert (diagnostic["code"], diagnostic["line"], diagnostic["column"]) == ("DL001", 2, 13)
    assert "Traceback" not in run.err


def test_select_and_ignore(dlint: Any) -> None:
    assert dlint("check", str(EXAMPLE), "--ignore", "DL3").code == 0
    assert dlint("check", str(EXAMPLE), "--select", "DL302").code == 1
    assert dlint("check", str(EXAMPLE), "--select", "DL3", "--ignore", "invalid-rle-counts").code == 0
    assert dlint("check", str(EXAMPLE), "--select", " DL3 , DL302").code == 1
    empty = dlint("check", str(EXAMPLE), "--select", "DL3,")
    assert empty.code == 2 and "unknown rule selector ''" in empty.err


def test_usage_errors_exit_2_with_one_line(dlint: Any, tmp_path: Path) -> None:
    for args in (
        ("check", str(tmp_path / "missing.json")),
        ("check", "--output-format", "xml", str(EXAMPLE)),
        ("check", "--select", "XX9", str(EXAMPLE)),
        ("check", "--dialect", "nope", str(EXAMPLE)),
        ("rule", "DL999"),
        ("schema", "--dialect", "nope"),
    ):
        run = dlint(*args)
        assert run.code == 2, args
        assert run.err.startswith("dlint: error: ") and run.err.count("\n") == 1, run.err
        assert "Traceback" not in run.err


def test_no_annotation_files_found_warns_and_passes(dlint: Any, tmp_path: Path) -> None:
    run = dlint("check", str(tmp_path))
    assert run.code == 0
    assert "no annotation files found" in run.err


def test_rules_lists_every_rule(dlint: Any) -> None:
    run = dlint("rules")
    assert run.code == 0
    header, *rows = run.out.splitlines()
    assert header.split() == ["code", "name", "severity", "fix", "summary"]
    assert len(rows) == len(ALL_RULES)
    for row, rule in zip(rows, ALL_RULES, strict=True):
        assert row.index(rule.name) == header.index("name")
        assert row.split()[:4] == [rule.code, rule.name, rule.severity.value, rule.fix.value]
        assert row.endswith(rule.summary())


def test_rule_prints_docs_by_code_or_name(dlint: Any) -> None:
    for rule in ALL_RULES:
        for key in (rule.code, rule.name, rule.code.lower()):
            run = dlint("rule", key)
            assert run.code == 0
            assert run.out.startswith(f"# {rule.name} ({rule.code})")
            for section in ("## What it does", "## Why is this bad?", "## Example"):
                assert section in run.out, (rule.code, section)


def test_schema_command_prints_each_dialect(dlint: Any) -> None:
    for dialect in DIALECTS:
        run = dlint("schema", "--dialect", dialect)
        schema = json.loads(run.out)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$id"] == f"urn:dlint:schema:{dialect}:v1"
    assert json.loads(dlint("schema").out)["$id"] == "urn:dlint:schema:datumaro-1.0:v1"


def test_version(dlint: Any) -> None:
    run = dlint("--version")
    assert (run.code, run.out.strip()) == (0, f"dlint {__version__} (datumaro-lint)")


def test_console_script_and_module_entry_points() -> None:
    run = run_console("check", str(EXAMPLE), "--output-format", "concise")
    assert run.code == 1 and "DL302" in run.out
    module = subprocess.run(
        [sys.executable, "-m", "dlint", "check", str(EXAMPLE)], capture_output=True, text=True, timeout=120
    )
    assert module.returncode == 1 and "DL302" in module.stdout


def test_readme_example_output_is_what_dlint_prints(dlint: Any, monkeypatch: Any) -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Example output", 1)[1].split("```", 2)[1]
    command, *expected = block.strip().splitlines()
    assert command == "$ dlint check examples/"
    monkeypatch.chdir(ROOT)
    run = dlint("check", "examples/")
    assert run.out.rstrip("\n").splitlines() == expected


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = [b.split("\n", 1)[1].strip() for b in readme.split("```sh")[1:3]]
    install_and_run, install_and_test = (b.split("```")[0].strip() for b in blocks)
    assert "dlint check examples/" in install_and_run
    assert install_and_test in (ROOT / ".ci" / "run").read_text()


def test_readme_lists_every_rule() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("| code | name | severity | what it finds |", 1)[1].split("\n\n", 1)[0]
    rows = table.strip().splitlines()[1:]
    # the registry's own words, row for row: the table is the registry's, not written apart from it
    assert rows == [f"| {r.code} | {r.name} | {r.severity.value} | {r.summary()} |" for r in ALL_RULES]


@pytest.mark.parametrize("command", ["check", "fix"])
def test_strict_makes_a_path_without_annotation_files_a_usage_error(
    dlint: Any, tmp_path: Path, command: str
) -> None:
    (tmp_path / "empty").mkdir()
    shutil.copytree(EXAMPLE.parent.parent, tmp_path / "ds")
    run = dlint(command, str(tmp_path / "ds"), str(tmp_path / "empty"), "--strict")
    assert run.code == 2 and run.out == ""
    assert run.err.strip() == (
        f"dlint: error: no annotation files found in {tmp_path / 'empty'} (looked for annotations/*.json)"
    )
    assert dlint(command, str(tmp_path / "empty")).code == 0  # without --strict: a warning


@pytest.mark.parametrize("width", [60, 80, 120])
def test_help_paragraphs_are_wrapped_to_the_terminal_not_broken_mid_sentence(
    dlint: Any, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    for command in ("check", "fix", "rules", "rule", "schema"):
        text = dlint(command, "--help").out
        described = text[text.index("Usage:") : text.index("╭")].splitlines()[1:]
        paragraphs = "\n".join(line.strip() for line in described).strip().split("\n\n")
        for paragraph in paragraphs:
            lines = paragraph.splitlines()
            for line, following in itertools.pairwise(lines):  # the next word would not have fitted
                assert len(line) + 1 + len(following.split()[0]) > width - 2, (command, line)


def test_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    readme = (ROOT / "README.md").read_text()
    code = readme.split("From Python:", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    dataset = shutil.copytree(ROOT / "examples" / "datumaro-export", tmp_path / "path" / "to" / "dataset")
    train = dataset / "annotations" / "train.json"
    document = json.loads(train.read_text())
    document["items"][0]["annotations"][0]["label_id"] = 7
    train.write_text(json.dumps(document))
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    *_, last = capsys.readouterr().out.splitlines()
    assert last == "True 1 ['DL101']"


def test_the_report_goes_to_an_output_file_in_any_format(dlint: Any, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    run = dlint("check", str(EXAMPLE), "--output-format", "json", "--output-file", str(out))
    assert (run.code, run.out) == (1, "")
    assert {d["code"] for d in json.loads(out.read_text())} == {"DL211", "DL302"}
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # an ordinary new file, not a private one
    text = tmp_path / "report.txt"
    run = dlint("check", str(EXAMPLE), "--color", "always", "-o", str(text))
    assert run.out == "" and "\x1b[" not in text.read_text()
    assert text.read_text().rstrip().endswith(f"(1 checked; {INFERRED}).")
    link = tmp_path / "link.txt"
    link.symlink_to(out)
    refused = dlint("check", str(EXAMPLE), "-o", str(link))
    assert refused.code == 2 and "symbolic link" in refused.err
    assert json.loads(out.read_text())  # the link's target is left as it was
    missing = dlint("check", str(EXAMPLE), "-o", str(tmp_path / "no" / "such" / "folder" / "r.txt"))
    assert missing.code == 2 and missing.err.startswith("dlint: error: cannot write")
