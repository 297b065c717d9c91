"""`POST /callback`: cap the body, check the signature, store every event with its job, then 200.

Status codes (design.md §7): 400 bad or missing signature (nothing stored), 413 body over 1 MiB,
503 while the database cannot take the events (LINE redelivers), else 200 — never a 500.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from webhooks.committer import CommitterStopped, InboxCommitter
from webhooks.ingest import classify, unparseable_body
from webhooks.signature import verify

MAX_BODY_BYTES = 1024 * 1024

log = logging.getLogger("genba.webhook")


class BodyTooLarge(Exception):
    """The request body passed the cap while it was being read."""


@dataclass(frozen=True)
class WebhookDeps:
    """What the endpoint needs, built by the app factory."""

    channel_secret: bytes
    inbox: InboxCommitter
    clock: Callable[[], datetime]
    on_stored: Callable[[int], None] = lambda _new: None


async def read_capped(request: Request, limit: int) -> bytes:
    """Read the body, giving up as soon as it passes `limit` bytes (never buffering more)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _error(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def webhook_routes(deps: WebhookDeps) -> list[BaseRoute]:
    """`POST /callback`, bound to these dependencies.

    A plain Starlette route, not a FastAPI one: nothing here needs FastAPI's dependency and
    validation machinery, and on the hottest path it costs ~15 µs a request (bench/).
    """

    async def callback(request: Request) -> Response:
        """Receive LINE webhook events (signed with the channel secret)."""
        try:
            return await receive(request)
        except Exception:  # a bug must make LINE redeliver, not lose the events behind a 500
            log.exception("webhook failed unexpectedly; asking LINE to redeliver")
            return _error(503, "temporarily unavailable, please retry")

    async def receive(request: Request) -> Response:
        try:
            raw = await read_capped(request, MAX_BODY_BYTES)
        except BodyTooLarge:
            return _error(413, "request body is larger than 1 MiB")
        if not verify(deps.channel_secret, raw, request.headers.get("x-line-signature")):
            log.warning("webhook rejected: bad or missing signature (%d bytes)", len(raw))
            return _error(400, "invalid or missing x-line-signature")
        try:
            entries = classify(json.loads(raw), raw)
        except ValueError:  # not JSON, or not UTF-8: signed, so kept for an operator
            entries = [unparseable_body(raw)]
        if not entries:
            return Response(status_code=200)  # the console's "Verify" and connectivity checks
        try:
            new = await deps.inbox.store(entries, deps.clock())
        except (SQLAlchemyError, CommitterStopped) as exc:
            log.error("webhook not stored, asking LINE to redeliver: %s", type(exc).__name__)
            return _error(503, "database unavailable, please retry")
        if new:
            deps.on_stored(len(new))
        skipped = [e for e in entries if e.status == "unparseable" and e.id in new]
        for entry in skipped:
            log.warning("webhook event kept but not handled (%s): %s", entry.note, entry.id)
        log.debug("webhook stored %d new of %d events", len(new), len(entries))
        return Response(status_code=200)

    return [Route("/callback", callback, methods=["POST"], name="line_webhook")]
