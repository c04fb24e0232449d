"""Only a process that exits when its work is done keeps freed memory for reuse (the service must not)."""

from __future__ import annotations

import sys

import pytest

from dlint import engine, limits, memory
from dlint.rules import ALL_RULES
from dlint.server.app import create_app
from tests.columns.test_engine import GENERATE, NO_KEY_SCAN

RAW, _ = GENERATE.generate(20, 2, 0)


def _check() -> None:
    with limits.use(NO_KEY_SCAN):
        assert engine.lint_columns(RAW, file="t.json", subset="default", rules=ALL_RULES) == []


@pytest.mark.skipif(sys.platform != "linux", reason="the allocator is tuned on Linux only")
@pytest.mark.parametrize("exits", [False, True])
def test_the_allocator_is_tuned_only_for_a_process_about_to_exit(
    monkeypatch: pytest.MonkeyPatch, exits: bool
) -> None:
    monkeypatch.setattr(memory, "_done", False)
    monkeypatch.setattr(memory, "_exits", exits)
    _check()
    assert memory._done is exits


def test_the_server_declares_that_it_lives_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory, "_exits", True)  # what the console script declares before any command
    create_app()
    assert memory._exits is False


@pytest.mark.parametrize("exits", [False, True])
def test_a_big_files_data_is_held_only_until_the_next_big_file(
    monkeypatch: pytest.MonkeyPatch, exits: bool
) -> None:
    monkeypatch.setattr(memory, "_exits", exits)
    monkeypatch.setattr(memory, "_held", [])
    big, _ = GENERATE.generate(500, 3, 0)
    assert len(big) >= engine.COLUMN_MIN_SIZE
    with limits.use(NO_KEY_SCAN):
        assert engine.lint_bytes(big, file="t.json", subset="default", rules=ALL_RULES) == []
        held = list(memory._held)
        assert bool(held) is exits  # a process that exits keeps it; the service frees it at once
        engine.lint_bytes(big, file="u.json", subset="default", rules=ALL_RULES)
    assert all(all(old is not new for new in memory._held) for old in held)  # the first file's is gone
