"""A real browser for the tests: the system's headless Chromium, driven by Playwright.

Playwright's own browser builds download themselves and cannot be had here; the system package's
browser is used instead (`.ci/run` installs it when absent). A page opened with :func:`opened` records
its console errors, uncaught exceptions, and every request it makes, so a test can assert that the
page made none beyond the one that opened it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

#: How long a browser may take for one step, in milliseconds.
STEP_MS = 30_000


def chromium() -> str:
    """The system browser's executable (the test is skipped without it, and fails in CI)."""
    found = shutil.which("chromium")
    if found is None:
        message = "chromium is not installed (.ci/run installs it: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


@dataclass
class Watched:
    """A page and what it did: console errors, uncaught exceptions, requested URLs."""

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def requests_beyond(self, *allowed: str) -> list[str]:
        """Requests other than those to the allowed URL prefixes and inline ``data:`` URLs."""
        return [url for url in self.requests if not url.startswith(("data:", *allowed))]


@contextmanager
def opened(width: int = 1280, height: int = 900) -> Iterator[Watched]:
    """A new page in a headless browser without internet, watched."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                # Every name resolves to nothing, every connection but to 127.0.0.1 goes to a dead proxy.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--proxy-server=127.0.0.1:9",
                "--proxy-bypass-list=127.0.0.1",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(STEP_MS)
            watched = Watched(page)
            page.on("console", lambda message: _console(watched, message))
            page.on("pageerror", lambda error: watched.errors.append(f"uncaught: {error}"))
            page.on("request", lambda request: watched.requests.append(request.url))
            yield watched
        finally:
            browser.close()


def _console(watched: Watched, message: Any) -> None:
    if message.type == "error":
        watched.errors.append(f"console: {message.text}")


def pixel(png: bytes, x: int, y: int) -> tuple[int, int, int]:
    """The colour of a screenshot's pixel."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        red, green, blue, *_ = image.convert("RGB").getpixel((x, y))
    return red, green, blue
