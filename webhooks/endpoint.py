"""`POST /callback`: cap the body, check the signature, store every event with its job, then 200.

Status codes (design.md §7): 400 bad or missing signature (nothing stored), 413 body over 1 MiB,
503 while the database cannot take the events (LINE redelivers), else 200 — never a 500.

It is a plain ASGI layer in front of the application rather than a route: this is the hottest
path there is, with LINE's 2-second budget behind it, and it needs none of the framework's
request objects, routing or dependency machinery (together ~40 µs a request; bench/).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from starlette.types import ASGIApp, Receive, Scope, Send

from storage.errors import StorageUnavailable
from storage.inbox_writer import InboxWriter
from webhooks.ingest import classify
from webhooks.signature import verify

PATH = "/callback"
MAX_BODY_BYTES = 1024 * 1024

log = logging.getLogger("genba.webhook")


class BodyTooLarge(Exception):
    """The request body passed the cap while it was being read."""


class ClientGone(Exception):
    """The caller hung up before the body was complete."""


@dataclass(frozen=True)
class WebhookDeps:
    """What the endpoint needs, built by the app factory."""

    channel_secret: bytes
    inbox: InboxWriter
    clock: Callable[[], datetime]
    on_stored: Callable[[int], None] = lambda _new: None
    on_answer: Callable[[int], None] = lambda _status: None


async def read_capped(headers: dict[bytes, bytes], receive: Receive, limit: int) -> bytes:
    """Read the body, giving up as soon as it passes `limit` bytes (never buffering more)."""
    declared = headers.get(b"content-length", b"")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


_EMPTY = b""
_JSON = [(b"content-type", b"application/json")]


class LineWebhook:
    """ASGI middleware answering `POST /callback`; everything else goes to the app."""

    def __init__(self, app: ASGIApp, deps: WebhookDeps) -> None:
        self.app = app
        self.deps = deps

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        if scope["method"] != "POST":
            await _answer(send, 405, "only POST", [(b"allow", b"POST")])
            return
        try:
            status, detail = await self._receive(scope, receive)
        except ClientGone:
            return
        except Exception:  # a bug must make LINE redeliver, not lose the events behind a 500
            log.exception("webhook failed unexpectedly; asking LINE to redeliver")
            status, detail = 503, "temporarily unavailable, please retry"
        self.deps.on_answer(status)
        await _answer(send, status, detail)

    async def _receive(self, scope: Scope, receive: Receive) -> tuple[int, str | None]:
        deps = self.deps
        # ASGI servers give header names in lower case; LINE may change the case it sends.
        headers = {k.lower(): v for k, v in scope["headers"]}
        try:
            raw = await read_capped(headers, receive, MAX_BODY_BYTES)
        except BodyTooLarge:
            return 413, "request body is larger than 1 MiB"
        signature = headers.get(b"x-line-signature", b"").decode("latin-1")
        if not verify(deps.channel_secret, raw, signature):
            log.warning("webhook rejected: bad or missing signature (%d bytes)", len(raw))
            return 400, "invalid or missing x-line-signature"
        entries = classify(raw)  # never raises: a signed body that is no webhook is kept too
        if not entries:
            return 200, None  # the console's "Verify" and connectivity checks
        try:
            new = await deps.inbox.store(entries, deps.clock())
        except StorageUnavailable as exc:
            log.error("webhook not stored, asking LINE to redeliver: %s", exc)
            return 503, "database unavailable, please retry"
        if new:
            deps.on_stored(len(new))
        for entry in entries:
            if entry.status == "unparseable" and entry.id in new:
                log.warning("webhook event kept but not handled (%s): %s", entry.note, entry.id)
        log.debug("webhook stored %d new of %d events", len(new), len(entries))
        return 200, None


async def _answer(
    send: Send, status: int, detail: str | None, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = _EMPTY if detail is None else json.dumps({"detail": detail}).encode()
    headers = [(b"content-length", str(len(body)).encode()), *(extra or ())]
    if body:
        headers += _JSON
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
