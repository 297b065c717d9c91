"""HTTP plumbing for the fake API: LINE-shaped errors, held and cut responses, request ids."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from linesim.faults import DEFAULT_MESSAGES, Fail
from linesim.platform import LinePlatform
from linesim.records import ApiCall

CHUNK = 64 * 1024
NEVER_HOLD = 600.0  # "never answer" still gives up eventually, so a forgotten test cannot hang.
NOT_LINE_PATHS = ("/_sim/", "/chat")


class ConnectionDropped(Exception):
    """Raised inside a response to make uvicorn drop the connection mid-body."""


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and record.exc_info[0] is ConnectionDropped)


def quiet_dropped_connections() -> None:
    """Keep uvicorn from logging a traceback for every connection linesim drops on purpose."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in logger.filters):
        logger.addFilter(_QuietDrops())


def line_error(
    status: int,
    message: str | None = None,
    details: Sequence[tuple[str, str]] = (),
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """Return LINE's error shape: {"message", "details"?}; details are left out when empty."""
    body: dict[str, Any] = {"message": message or DEFAULT_MESSAGES.get(status, "Error")}
    if details:
        body["details"] = [{"message": m, "property": p} for m, p in details]
    body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers)


def json_object(raw: bytes) -> dict[str, Any] | Response:
    """Parse a request body as a JSON object, or return LINE's 400."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return line_error(400, "The request body could not be parsed as JSON")
    if not isinstance(body, dict):
        return line_error(400, "The request body must be a JSON object")
    return body


def bad_request(details: Sequence[tuple[str, str]]) -> Response:
    """Return LINE's 400 listing the request's errors."""
    return line_error(400, f"The request body has {len(details)} error(s)", details)


def fail_response(fail: Fail) -> Response:
    """Return the response a scripted Fail stands for (2xx such as 202 come with no body)."""
    if fail.body is not None:
        return Response(
            fail.body, fail.status, headers=dict(fail.headers), media_type="application/json"
        )
    if 200 <= fail.status < 300:
        return Response(status_code=fail.status, headers=dict(fail.headers))
    return line_error(fail.status, fail.message, fail.details, dict(fail.headers))


def content_response(data: bytes, content_type: str) -> StreamingResponse:
    """Stream stored bytes in chunks, so no request builds a copy of a large body."""
    view = memoryview(data)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(view), CHUNK):
            yield bytes(view[start : start + CHUNK])

    return StreamingResponse(
        chunks(), media_type=content_type, headers={"Content-Length": str(len(data))}
    )


def _set_outcome(scope: Scope, outcome: str) -> None:
    scope.setdefault("state", {})["line_outcome"] = outcome


async def _client_gone(receive: Receive, seconds: float) -> bool:
    """Wait up to seconds; return True as soon as the client disconnects."""

    async def disconnect() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    try:
        await asyncio.wait_for(disconnect(), timeout=seconds)
    except TimeoutError:
        return False
    return True


class HeldResponse(Response):
    """Answer only after a hold; with no answer, wait until the client gives up."""

    def __init__(self, delay: float, answer: Callable[[], Awaitable[Response]] | None) -> None:
        super().__init__()
        self.delay = delay
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hold the request, then send the answer if the client is still there."""
        hold = self.delay if self.answer is not None else max(self.delay, NEVER_HOLD)
        if await _client_gone(receive, hold) or self.answer is None:
            _set_outcome(scope, "dropped")
            return
        await (await self.answer())(scope, receive, send)


class TruncatedResponse(Response):
    """Send the inner response's headers and part of its body, then drop the connection."""

    def __init__(self, inner: Response, fraction: float) -> None:
        super().__init__()
        self.inner = inner
        self.fraction = fraction

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Relay the inner response until the cut, then drop the connection."""
        budget = 0

        async def cut(message: Message) -> None:
            nonlocal budget
            if message["type"] == "http.response.start":
                length = dict(message["headers"]).get(b"content-length", b"0")
                budget = int(int(length) * self.fraction)
                await send(message)
                return
            body = message.get("body", b"")
            if len(body) < budget:
                budget -= len(body)
                await send(message)
                return
            await send({"type": "http.response.body", "body": body[:budget], "more_body": True})
            _set_outcome(scope, "truncated")
            raise ConnectionDropped

        await self.inner(scope, receive, cut)


class LineCallsMiddleware:
    """Give every response an X-Line-Request-Id; record each LINE call on arrival and answer."""

    def __init__(self, app: ASGIApp, platform: LinePlatform) -> None:
        self.app = app
        self.platform = platform

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app, tagging the response and recording the call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        state = scope.setdefault("state", {})
        state["line_request_id"] = request_id
        call: ApiCall | None = None
        if not scope["path"].startswith(NOT_LINE_PATHS):
            # Read the body first so the call is on record while linesim still holds it.
            body = await _read_body(receive)
            receive = _replay(body, receive)
            call = self.platform.record_call(
                scope["method"], scope["path"], request_id, self._headers(scope), _as_json(body)
            )
        status: int | None = None

        async def tagged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-line-request-id", request_id.encode()),
                ]
            elif call is not None and call.outcome == "pending" and not message.get("more_body"):
                # Complete the record before the last byte goes out: a client that got
                # its answer must find it on record, never race it.
                self.platform.finish_call(call, status, "answered")
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        finally:
            if call is not None and call.outcome == "pending":
                outcome = state.get("line_outcome", "dropped")
                self.platform.finish_call(call, status if outcome != "dropped" else None, outcome)

    def _headers(self, scope: Scope) -> dict[str, str]:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        seen = {k: headers[k] for k in ("x-line-retry-key", "content-type") if k in headers}
        if "authorization" in headers:
            # Record whether the token was right, never the token itself.
            valid = headers["authorization"] == f"Bearer {self.platform.access_token}"
            seen["authorization"] = "Bearer <valid>" if valid else "Bearer <invalid>"
        return seen


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """Hand the app the body already read, then pass the real receive (disconnects) through."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _as_json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body.decode("utf-8", "replace")
