"""/docs and /redoc render in a real browser that may reach nothing but this machine.

Every request to another host is blocked, as on a server without internet: the pages must
still show the API's operations (FastAPI's default pages stayed blank there).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from linesim.server import RunningServer


def offline(page: Page) -> list[str]:
    """Block every request that leaves 127.0.0.1; returns the list of those blocked."""
    blocked: list[str] = []

    def only_here(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    page.route("**/*", only_here)
    return blocked


def operations(bot: RunningServer) -> list[tuple[str, str]]:
    paths = httpx.get(f"{bot.base_url}/openapi.json", timeout=10).json()["paths"]
    return [(method.upper(), path) for path, ops in paths.items() for method in ops]


@pytest.mark.browser
def test_swagger_ui_shows_every_operation_without_internet(bot: RunningServer, page) -> None:
    blocked = offline(page)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{bot.base_url}/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    expected = operations(bot)
    expect(page.locator(".opblock")).to_have_count(len(expected))
    for method, path in expected:
        row = page.locator(f".opblock-{method.lower()}", has_text=path)
        expect(row.first).to_be_visible()
    expect(page.locator("button.authorize")).to_be_visible()
    assert blocked == []
    assert not [e for e in errors if "Content Security Policy" in e], errors


@pytest.mark.browser
def test_redoc_shows_the_operations_without_internet(bot: RunningServer, page) -> None:
    blocked = offline(page)
    page.goto(f"{bot.base_url}/redoc")
    heading = page.locator("h2", has_text="List every token")
    expect(heading).to_be_visible()
    expect(page.locator("h2", has_text="Move a submission through review")).to_be_visible()
    assert blocked == []
