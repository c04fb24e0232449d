"""The readers' claims, proved on every rule case against Datumaro itself. Each case is imported by
Datumaro and sorted by what happened: the import fails, it reads something other than what the file
says (tests/fidelity.py compares the two), or it reads the file as written. Checked for mainline
Datumaro, a case it fails to import says so, one it imports wrongly says so, both fail the check, and
a case it reads as written is said to do neither. (The corruption table does the same on a real
export: tests/corruption.)"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from dlint.api import LintOptions, lint_data
from dlint.diagnostics import Severity
from dlint.rules import RULES_BY_CODE
from tests.corruption.cases import Outcome
from tests.corruption.test_corruption import datumaro_outcome
from tests.fidelity import unfaithful
from tests.rules.test_cases import _cases, build

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

FOR_DATUMARO = LintOptions(target=("datumaro",))
FOR_CVAT = LintOptions(target=("cvat",))


#: What Datumaro did with a case: it failed, it read the file wrongly, or it read it as written.
FAILED, ALTERED, READ = "fails to import it", "imports it wrongly", "reads it as written"


def _outcome(path: Path) -> tuple[str, str]:
    outcome, detail = datumaro_outcome(path)
    if outcome is not Outcome.ACCEPTED:
        return FAILED, f"{outcome.value}: {detail}"
    altered = unfaithful(path)
    return (ALTERED, altered) if altered else (READ, "")


def isolated_outcome(path: Path) -> tuple[str, str]:
    """What Datumaro does with the dataset, found in a forked copy of this process: decoding a mask
    whose counts are missing or garbage can crash the decoder, and a reader that crashes fails."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe and leave at once
        try:
            try:
                outcome, detail = _outcome(path)
            except Exception as error:  # a fault of the comparison itself, not of the reader
                outcome, detail = "error", repr(error)
            os.write(writer, f"{outcome}\n{detail}".encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        answer = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    if not answer:
        return FAILED, f"the reader crashed (wait status {status})"
    outcome, _, detail = answer.partition("\n")
    assert outcome != "error", detail
    return outcome, detail


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
    said = {
        way
        for way in (FAILED, ALTERED)
        for d in report.diagnostics
        if f"mainline Datumaro {way}" in d.message
    }
    if "hidden" in case:  # the case hides, on purpose, the defect Datumaro fails on (``hidden`` says which)
        assert outcome == FAILED and FAILED not in said and report.has_errors
        return
    # a failed import hides whether the file would also be read wrongly: only the failure must be said
    seen = said & {FAILED} if outcome == FAILED else said
    expected = set() if outcome == READ else {outcome}
    assert seen == expected, f"Datumaro {outcome} {detail}; dlint: {[d.message for d in report.diagnostics]}"
    if outcome != READ:
        assert report.has_errors
    # Checked for CVAT alone, what Datumaro does is a portability note: a warning, unless CVAT breaks
    # too (then CVAT's own note makes it an error) or the rule holds the defect wrong in itself.
    for_cvat = lint_data(raw, "default.json", options=FOR_CVAT)
    noted = [d for d in for_cvat.diagnostics if f"portability: mainline Datumaro {outcome}" in d.message]
    if outcome == READ:
        assert not [d for d in for_cvat.diagnostics if "portability: mainline Datumaro" in d.message]
    elif not any("(CVAT " in d.message for d in for_cvat.diagnostics):
        assert noted, [d.message for d in for_cvat.diagnostics]
    for d in noted:
        inherent = RULES_BY_CODE[d.code].inherent and RULES_BY_CODE[d.code].severity is Severity.ERROR
        assert d.severity is (Severity.ERROR if inherent else Severity.WARNING), d
