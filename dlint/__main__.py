"""``python -m dlint``."""

from __future__ import annotations

from dlint.cli import run

if __name__ == "__main__":
    run()
