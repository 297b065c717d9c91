"""Fixtures: linesim on a real port, clients aimed at it, and a tiny bot that records webhooks.

uvicorn needs ~0.2 s to shut down, so each server runs for the whole session and every test
gets a fresh app (fresh platform, fresh bot state) swapped in behind it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, MessagingApiBlob
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from linesim import Events, LinePlatform, RunningServer, WebhookSender, create_app, start_server

SECRET = "0123456789abcdef0123456789abcdef"
TOKEN = "test-access-token"


class Switch:
    """An ASGI app that forwards to whichever app the current test put in it."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None, "no app switched in"
        await self.app(scope, receive, send)


@dataclass
class Sim:
    platform: LinePlatform
    events: Events
    sender: WebhookSender
    base_url: str


@pytest.fixture(scope="session")
def sim_server() -> Iterator[tuple[Switch, RunningServer]]:
    switch = Switch()
    with start_server(switch) as server:
        yield switch, server


@pytest.fixture
def sim(sim_server) -> Iterator[Sim]:
    switch, server = sim_server
    platform = LinePlatform(SECRET, TOKEN)
    switch.app = create_app(platform)
    with WebhookSender(platform) as sender:
        yield Sim(platform, Events(platform), sender, server.base_url)
    switch.app = None


@pytest.fixture
def platform(sim: Sim) -> LinePlatform:
    return sim.platform


@pytest.fixture
def user(platform: LinePlatform) -> str:
    return platform.add_user(display_name="現場花子")


@pytest.fixture
def http(sim: Sim) -> Iterator[httpx.Client]:
    """Plain httpx against linesim, with the channel access token."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=sim.base_url, headers=headers, timeout=10) as client:
        yield client


@pytest.fixture
def sdk(sim: Sim) -> Iterator[ApiClient]:
    with ApiClient(Configuration(access_token=TOKEN, host=sim.base_url)) as client:
        yield client


@pytest.fixture
def api(sdk: ApiClient) -> MessagingApi:
    return MessagingApi(sdk)


@pytest.fixture
def blob(sdk: ApiClient) -> MessagingApiBlob:
    return MessagingApiBlob(sdk)


@pytest.fixture
def eventually() -> Callable[[Callable[[], bool]], None]:
    """Wait (up to 10 s) until a condition about another thread's work holds."""

    def wait(condition: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 10
        while not condition():
            assert time.monotonic() < deadline, "condition never held"
            time.sleep(0.005)

    return wait


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Bot:
    """A stand-in bot: records each webhook, answers `status`, may act on each body."""

    url: str = ""
    status: int = 200
    received: list[Received] = field(default_factory=list)
    on_webhook: Callable[[dict[str, Any]], Awaitable[None]] | None = None


def bot_app(state: Bot) -> Starlette:
    async def callback(request: Request) -> Response:
        body = await request.body()
        state.received.append(Received(dict(request.headers), body))
        if state.on_webhook is not None:
            await state.on_webhook(json.loads(body))
        return Response(status_code=state.status)

    return Starlette(routes=[Route("/callback", callback, methods=["POST"])])


@pytest.fixture(scope="session")
def bot_server() -> Iterator[tuple[Switch, RunningServer]]:
    switch = Switch()
    with start_server(switch) as server:
        yield switch, server


@pytest.fixture
def bot(platform: LinePlatform, bot_server) -> Iterator[Bot]:
    switch, server = bot_server
    state = Bot(url=f"{server.base_url}/callback")
    switch.app = bot_app(state)
    platform.webhook_url = state.url
    yield state
    switch.app = None
