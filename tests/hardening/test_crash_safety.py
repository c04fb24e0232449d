"""``dlint fix`` is crash-safe: killed at any moment (SIGKILL) the file is the original or the complete
result, stale temporary files are harmless and cleaned up, and concurrent runs never mix versions."""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from dlint import atomic
from dlint.sources import discover
from tests.hardening.conftest import ROOT, assert_clean_exit, dlint

pytestmark = pytest.mark.fix_only  # (no check runs here: the cache modes do not apply)

#: How many times the big file's fix is killed (each run takes a few seconds).
KILLS = 5
#: Only the rule whose fix the defect needs: the runs spend their time parsing and writing.
SELECT = "DL103"


def _with_defect(raw: bytes) -> bytes:
    """The generated file with one annotation's ``label_id`` written as a numeric string (a safe fix)."""
    start = raw.index(b'"annotations":[')
    match = re.compile(rb'"label_id":(\d+),').search(raw, start)
    assert match is not None
    return raw[: match.start()] + b'"label_id":"' + match.group(1) + b'",' + raw[match.end() :]


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes, float]:
    """A ~100 MB dataset file with a fixable defect, its fixed version, and how long a fix takes."""
    folder = tmp_path_factory.mktemp("generated")
    generated = folder / "generated.json"
    command = [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--items", "40000"]
    subprocess.run([*command, "--out", str(generated)], check=True, capture_output=True, timeout=300)
    original = _with_defect(generated.read_bytes())
    assert len(original) > 95_000_000
    target = folder / "ds" / "annotations" / "train.json"
    target.parent.mkdir(parents=True)
    target.write_bytes(original)
    started = time.monotonic()
    run = dlint("fix", "--select", SELECT, str(target), timeout=600)
    took = time.monotonic() - started
    assert_clean_exit(run, 1)
    fixed = target.read_bytes()
    assert fixed != original and orjson.loads(fixed)
    assert atomic.temporary_files(target) == []  # a normal exit leaves none
    return original, fixed, took


def test_killed_fix_never_tears_the_file(big: tuple[bytes, bytes, float], tmp_path: Path) -> None:
    original, fixed, took = big
    target = tmp_path / "ds" / "annotations" / "train.json"
    target.parent.mkdir(parents=True)
    chance = random.Random(20261126)
    # while it reads and checks; then while it writes the new version (once its temporary file
    # appears); then around the end
    moments = [("at", 0.15), ("at", 0.5), ("writing", 0.0), ("writing", 0.05), ("writing", 0.2)]
    outcomes = []
    for when, fraction in moments[:KILLS]:
        target.write_bytes(original)
        earlier = set(atomic.temporary_files(target))
        process = subprocess.Popen(
            [sys.executable, "-m", "dlint", "fix", "--select", SELECT, str(target)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        started = time.monotonic()
        if when == "writing":
            while set(atomic.temporary_files(target)) <= earlier and process.poll() is None:
                time.sleep(0.002)
            time.sleep(chance.uniform(0, fraction))
        else:
            time.sleep(chance.uniform(0.8, 1.2) * fraction * took)
        with contextlib.suppress(ProcessLookupError):  # it may have finished already
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        delay = time.monotonic() - started
        now = target.read_bytes()
        assert now in (original, fixed), f"torn file after a kill at {delay:.2f}s"
        leftovers = atomic.temporary_files(target)
        state = "fixed" if now == fixed else "original"
        outcomes.append(f"killed {when} after {delay:.1f}s: {state}, {len(leftovers)} temporary file(s)")
        for leftover in leftovers:  # harmless: never taken for a dataset file
            assert leftover.name.startswith(".train.json.") and leftover.name.endswith(".dlint-tmp")
        assert [source.path for source in discover([str(tmp_path)])] == [target]
    print("\n".join(["", *outcomes]))
    # what killed runs left is removed by the next run, once nobody holds it and it is old enough
    leftovers = atomic.temporary_files(target)
    for leftover in leftovers:
        old = time.time() - 60
        os.utime(leftover, (old, old))
    assert sorted(atomic.remove_stale(target)) == sorted(leftovers)
    assert atomic.temporary_files(target) == []


def test_a_live_temporary_file_is_never_removed(tmp_path: Path) -> None:
    import fcntl

    target = tmp_path / "train.json"
    target.write_bytes(b"{}")
    live = tmp_path / ".train.json.live.dlint-tmp"
    stale = tmp_path / ".train.json.dead.dlint-tmp"
    fresh = tmp_path / ".train.json.new.dlint-tmp"
    other = tmp_path / ".val.json.dead.dlint-tmp"
    for path in (live, stale, fresh, other):
        path.write_bytes(b"partial")
    old = time.time() - 60
    for path in (live, stale, other):
        os.utime(path, (old, old))
    with open(live, "rb") as holder:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)  # a run still writing it
        assert atomic.remove_stale(target) == [stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [target.name, live.name, fresh.name, other.name]
    )


def test_concurrent_fixes_leave_one_complete_version(tmp_path: Path) -> None:
    """Two runs on one file at once, writing different layouts: the file ends as one of them, whole."""
    text = (ROOT / "examples" / "datumaro-export" / "annotations" / "train.json").read_bytes()
    original = text.replace(b'"group":0', b'"group":"0"', 1)
    versions = {}
    for style in ("compact", "lines"):
        alone = tmp_path / style / "annotations" / "train.json"
        alone.parent.mkdir(parents=True)
        alone.write_bytes(original)
        assert dlint("fix", "--style", style, str(alone)).code == 1
        versions[style] = alone.read_bytes()
    assert versions["compact"] != versions["lines"]
    target = tmp_path / "shared" / "annotations" / "train.json"
    target.parent.mkdir(parents=True)
    for _ in range(3):
        target.write_bytes(original)
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "dlint", "fix", "--style", style, str(target)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for style in ("compact", "lines")
        ]
        for run in runs:
            assert run.wait(timeout=120) in (0, 1)
        assert target.read_bytes() in (versions["compact"], versions["lines"])
        assert atomic.temporary_files(target) == []


def test_symbolic_links_are_never_written_through(tmp_path: Path) -> None:
    text = (ROOT / "examples" / "datumaro-export" / "annotations" / "train.json").read_bytes()
    broken = text.replace(b'"group":0', b'"group":"0"', 1)
    inner = tmp_path / "ds" / "store" / "train.json"
    outer = tmp_path / "elsewhere" / "val.json"
    for path in (inner, outer):
        path.parent.mkdir(parents=True)
        path.write_bytes(broken)
    folder = tmp_path / "ds" / "annotations"
    folder.mkdir()
    (folder / "train.json").symlink_to(os.path.relpath(inner, folder))
    (folder / "val.json").symlink_to(os.path.relpath(outer, folder))
    run = dlint("fix", str(tmp_path / "ds"))
    assert_clean_exit(run, 1)
    assert "val.json:1:1: DL006 it is a symbolic link leading out of its dataset" in run.out
    assert "train.json: not fixed: it is a symbolic link; fix never writes through a link" in run.out
    assert (folder / "train.json").is_symlink() and inner.read_bytes() == broken  # read, not written
    assert outer.read_bytes() == broken  # nothing written outside the dataset
    assert text != broken
