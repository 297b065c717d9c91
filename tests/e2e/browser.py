"""Debian's chromium driven by Playwright, for the browser tests, and PNG screenshots kept small."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect, sync_playwright

CHROMIUM = os.environ.get("GENBA_TEST_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 780}  # a phone's width in CSS pixels, for the screenshots
# Give-up times, not speed requirements: on a loaded CI machine the bot's answer (and the photo
# work behind it) can take far longer than Playwright's 5 s defaults.
GIVE_UP_MS = 60_000
expect.set_options(timeout=GIVE_UP_MS)


@contextmanager
def browser_page(viewport: dict[str, int] | None = None) -> Iterator[Page]:
    """A fresh headless chromium page (offline flags: no background network)."""
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            page = browser.new_page(viewport=viewport) if viewport else browser.new_page()  # type: ignore[arg-type]
            page.set_default_timeout(GIVE_UP_MS)
            yield page
        finally:
            browser.close()


def reload_until(page: Page, shown: Callable[[], object], what: str, timeout: float = 60) -> None:
    """Reload the page until `shown()` is truthy: work the worker does in the background.

    A give-up time, not a speed requirement: a loaded CI machine takes long over a photo.
    """
    deadline = time.monotonic() + timeout
    while not shown():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not shown within {timeout}s")
        page.wait_for_timeout(250)
        page.reload()


def _capture(page: Page, tries: int = 3) -> bytes:
    # Chromium on a loaded machine now and then answers "Unable to capture screenshot" (its
    # compositor missed a frame); the page is fine, so take the picture again.
    for attempt in range(tries):
        try:
            return page.screenshot(type="png")
        except PlaywrightError as exc:
            if "Unable to capture screenshot" not in str(exc) or attempt == tries - 1:
                raise
            page.wait_for_timeout(500)
    raise AssertionError("unreachable")


def save_screenshot(page: Page, path: Path) -> int:
    """Save the page as an optimised palette PNG (small enough for the README); return bytes."""
    raw = _capture(page)
    with Image.open(io.BytesIO(raw)) as shot:
        small = shot.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    path.parent.mkdir(parents=True, exist_ok=True)
    small.save(path, "PNG", optimize=True)
    return path.stat().st_size
