"""The readers' claims, proved on every rule case against Datumaro itself: checked for mainline
Datumaro, a case it fails to import says so (and fails the check), and a case it imports is never said
to make it fail. (The corruption table does the same on a real export: tests/corruption.)"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from dlint.api import LintOptions, lint_data
from tests.corruption.cases import Outcome
from tests.corruption.test_corruption import datumaro_outcome
from tests.rules.test_cases import _cases, build

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

FOR_DATUMARO = LintOptions(target=("datumaro",))


def isolated_outcome(path: Path) -> tuple[Outcome, str]:
    """What Datumaro does with the dataset, found in a forked copy of this process: decoding a mask
    whose counts are missing or garbage can crash the decoder, and a reader that crashes fails."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe and leave at once
        try:
            outcome, detail = datumaro_outcome(path)
            os.write(writer, f"{outcome.name}\n{detail}".encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        answer = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    if not answer:
        return Outcome.FATAL, f"the reader crashed (wait status {status})"
    name, _, detail = answer.partition("\n")
    return Outcome[name], detail


@pytest.mark.parametrize(("rule", "case"), _cases())
def test_what_datumaro_does_with_a_rule_case_is_what_the_rules_say(
    rule: str, case: dict[str, Any], tmp_path: Path
) -> None:
    if "dataset" in case:
        pytest.skip("a dataset with media: the corruption table covers media")
    raw = build(case)
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "default.json").write_bytes(raw)
    outcome, detail = isolated_outcome(tmp_path)
    report = lint_data(raw, "default.json", options=FOR_DATUMARO)
    said = [d for d in report.diagnostics if "mainline Datumaro fails to import it" in d.message]
    fails = outcome is not Outcome.ACCEPTED
    if "hidden" in case:  # the case hides, on purpose, the defect Datumaro fails on (``hidden`` says which)
        assert fails and not said and report.has_errors
        return
    assert bool(said) == fails, (
        f"Datumaro: {outcome.value} {detail}; dlint: {[d.message for d in report.diagnostics]}"
    )
    if fails:
        assert report.has_errors
