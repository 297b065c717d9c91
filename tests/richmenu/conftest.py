"""Fixtures: the font, the menu built once, and linesim on a real port with a fresh platform.

uvicorn needs ~0.2 s to shut down, so the server runs for the whole session and each test gets a
fresh platform swapped in behind it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from linesim import LinePlatform, RunningServer, create_app, start_server
from richmenu import fonts
from richmenu.client import HttpRichMenuApi
from richmenu.deploy import Deployment, build

TOKEN = "richmenu-test-token"


@pytest.fixture(scope="session")
def japanese_fonts() -> fonts.Fonts:
    return fonts.find()


@pytest.fixture(scope="session")
def deployment(japanese_fonts: fonts.Fonts) -> Deployment:
    """The real menu, rendered and checked once for the session."""
    return build(japanese_fonts)


class Switch:
    """An ASGI app that forwards to whichever app the current test put in it."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None, "no app switched in"
        await self.app(scope, receive, send)


@pytest.fixture(scope="session")
def sim_server() -> Iterator[tuple[Switch, RunningServer]]:
    switch = Switch()
    with start_server(switch) as server:
        yield switch, server


@dataclass
class Line:
    """linesim as the deploy sees it: its platform and base URL."""

    platform: LinePlatform
    base_url: str
    token: str = TOKEN

    def writes(self) -> list[tuple[str, str]]:
        """The calls that changed something (every method but GET), in order."""
        return [(c.method, c.path) for c in self.platform.calls() if c.method != "GET"]


@pytest.fixture
def line(sim_server) -> Iterator[Line]:
    switch, server = sim_server
    platform = LinePlatform(access_token=TOKEN)
    switch.app = create_app(platform)
    yield Line(platform, server.base_url)
    switch.app = None


@pytest.fixture
def api(line: Line) -> Iterator[HttpRichMenuApi]:
    client = HttpRichMenuApi(TOKEN, base_url=line.base_url, timeout=10)
    yield client
    client.close()
