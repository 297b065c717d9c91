"""Polling helpers for end-to-end tests (no timing assertions: only a generous give-up time)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import select

from storage.db import Database
from storage.models import Media, MediaVariant, ReplyOutbox, Submission, WebhookEvent

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout: float = 60.0, what: str = "condition") -> T:
    """Poll until `predicate()` is truthy and return its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what} not met within {timeout}s")


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Peek:
    """Read what the bot stored, from the test process."""

    def __init__(self, url: str) -> None:
        self.db = Database(url)

    def submissions(self) -> list[Submission]:
        with self.db.read() as s:
            return list(s.execute(select(Submission)).scalars())

    def media(self) -> list[Media]:
        with self.db.read() as s:
            return list(s.execute(select(Media).order_by(Media.position, Media.id)).scalars())  # type: ignore[arg-type]

    def variants(self, media_id: str) -> list[MediaVariant]:
        with self.db.read() as s:
            return list(
                s.execute(select(MediaVariant).where(MediaVariant.media_id == media_id)).scalars()  # type: ignore[arg-type]
            )

    def events(self) -> list[WebhookEvent]:
        with self.db.read() as s:
            return list(s.execute(select(WebhookEvent)).scalars())

    def outbox(self) -> list[ReplyOutbox]:
        with self.db.read() as s:
            return list(s.execute(select(ReplyOutbox)).scalars())

    def close(self) -> None:
        self.db.dispose()
