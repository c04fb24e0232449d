"""Every corrupted variant of the format notes' importer experiment, judged by both tools: the real CLI
must give exactly the expected diagnostics (one per defect, no cascade) and Datumaro 1.13.12 must do
what the case says it does (import, fail on mask decoding, raise a skippable error, or fail)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import datumaro
import pytest
from datumaro.components.annotation import Mask
from datumaro.components.contexts.importer import ImportErrorPolicy
from datumaro.components.errors import AnnotationImportError, ItemImportError

from tests.corruption.cases import CASES, Case, Outcome, materialise
from tests.fidelity import unfaithful
from tests.rules.datasets import zip_folder

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "examples" / "datumaro-export"

assert len({case.name for case in CASES}) == len(CASES), "case names must be unique"

# Datumaro decodes masks through pycocotools, which warns about numpy 2 on every decode.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


class _Tolerant(ImportErrorPolicy):
    """Drop the broken item or annotation and go on, counting what was dropped."""

    def __init__(self) -> None:
        self.dropped = 0

    def _handle_item_error(self, error: ItemImportError) -> None:
        self.dropped += 1

    def _handle_annotation_error(self, error: AnnotationImportError) -> None:
        self.dropped += 1


def _read(path: Path, policy: ImportErrorPolicy | None = None) -> list[Any]:
    """Import the dataset and touch every item and annotation; return the annotations."""
    dataset = datumaro.Dataset.import_from(str(path), "datumaro", error_policy=policy)
    return [ann for item in dataset for ann in item.annotations]


def datumaro_outcome(path: Path) -> tuple[Outcome, str]:
    """What Datumaro does with the dataset folder, and the error behind it."""
    try:
        annotations = _read(path)
    except Exception as error:
        detail = f"{error!r} <- {error.__cause__!r}"
        policy = _Tolerant()
        try:
            _read(path, policy)
        except Exception:
            return Outcome.FATAL, detail
        assert policy.dropped, detail
        return Outcome.SKIPPABLE, detail
    try:
        for ann in annotations:
            if isinstance(ann, Mask):
                ann.image  # noqa: B018 (decoding is lazy: reading the pixels decodes the RLE)
    except Exception as error:
        return Outcome.FAILS_ON_DECODE, repr(error)
    return Outcome.ACCEPTED, ""


def run_dlint(target: str, cwd: Path, dialect: str | None, *more: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "dlint", "check", target, "--output-format", "json", *more]
    if dialect:
        command += ["--dialect", dialect]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=120)


def says_datumaro(way: str, done: subprocess.CompletedProcess[str]) -> bool:
    """Whether some diagnostic of a run says that mainline Datumaro does this with the file
    (``fails to import it``, ``imports it wrongly``)."""
    return any(f"mainline Datumaro {way}" in d["message"] for d in json.loads(done.stdout))


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_corruption(case: Case, tmp_path: Path) -> None:
    root = materialise(case, BASE, tmp_path / "ds")
    target = zip_folder(root, tmp_path / "ds.zip").name if case.archive else root.name

    # Datumaro reads the folder (it does not open zip archives).
    outcome, detail = datumaro_outcome(root)
    assert outcome == case.outcome, f"Datumaro: {outcome.value} {detail}"

    done = run_dlint(target, tmp_path, case.dialect)
    assert "Traceback" not in done.stderr, done.stderr
    diagnostics = json.loads(done.stdout)
    got = {(d["file"].removeprefix(f"{target}/"), d["code"], d["pointer"]) for d in diagnostics}
    want = {d.key for d in case.expect}
    if case.known_issue:
        if got != want:
            pytest.xfail(f"{case.known_issue}; dlint gave {sorted(got)}")
        pytest.fail(f"fixed in dlint, remove known_issue from the case: {case.known_issue}")
    assert got == want, [d["message"] for d in diagnostics]
    levels = {d.key: d.level for d in case.expect}
    for d in diagnostics:
        assert d["severity"] == levels[d["file"].removeprefix(f"{target}/"), d["code"], d["pointer"]], d
    assert done.returncode == case.exit_code, done.stderr

    # The readers' claims, proved against Datumaro itself: checked for it, a file it cannot import
    # or imports wrongly says so and fails the check, and a file it reads as written holds no defect
    # said to do either.
    for_datumaro = run_dlint(target, tmp_path, case.dialect, "--target", "datumaro")
    fails = outcome is not Outcome.ACCEPTED
    altered = None if fails else unfaithful(root)
    assert says_datumaro("fails to import it", for_datumaro) == fails, for_datumaro.stdout
    if not fails:
        assert says_datumaro("imports it wrongly", for_datumaro) == bool(altered), (
            altered,
            for_datumaro.stdout,
        )
    if fails or altered:
        assert for_datumaro.returncode == 1, for_datumaro.stdout
