"""Only a process that exits when its work is done keeps freed memory for reuse (the service must not)."""

from __future__ import annotations

import sys

import pytest

from dlint import allocator, engine, limits
from dlint.rules import ALL_RULES
from tests.fastpath.test_fastpath import GENERATE, NO_KEY_SCAN

RAW, _ = GENERATE.generate(20, 2, 0)


def _screen() -> bool:
    with limits.use(NO_KEY_SCAN):
        return engine.screened_clean(RAW, file="t.json", subset="default", rules=ALL_RULES)


@pytest.mark.skipif(sys.platform != "linux", reason="the allocator is tuned on Linux only")
@pytest.mark.parametrize("retained", [False, True])
def test_the_allocator_is_tuned_only_for_a_process_about_to_exit(
    monkeypatch: pytest.MonkeyPatch, retained: bool
) -> None:
    monkeypatch.setattr(allocator, "_done", False)
    monkeypatch.setattr(engine, "_RETAINED", [] if retained else None)
    assert _screen()
    assert allocator._done is retained
