"""`AdminGate`: the bearer token of every /api/v1 request is checked before its body is read.

FastAPI reads and parses a route's body before it runs the route's dependencies, so a guard
dependency alone would let anyone make the server read a body. This ASGI layer answers 401
(no, malformed, unknown, ended or revoked token) and 429 (too many failed attempts from this
client) from the headers alone, and hands the authenticated `Caller` to the routes' role
guards through the scope. The webhook never comes here (app/factory.py serves it first).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.admin.auth import CALLER_KEY, CHALLENGE, NO_TOKEN, REFUSED, Authenticator, presented_token
from app.admin.throttle import FailureThrottle, client_key

PREFIX = "/api/v1"


class AdminGate:
    """ASGI layer authenticating every request under /api/v1 from its headers."""

    def __init__(self, app: ASGIApp, authenticator: Authenticator, throttle: FailureThrottle):
        self.app = app
        self.authenticator = authenticator
        self.throttle = throttle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        client = client_key((scope.get("client") or (None,))[0])
        wait = self.throttle.wait_seconds(client)
        if wait:
            # Before the token is even looked at: a guess made now would tell nothing.
            await _refuse(
                scope,
                receive,
                send,
                429,
                f"too many failed attempts; try again in {wait} s",
                {"Retry-After": str(wait)},
            )
            return
        token, problem = presented_token(Headers(scope=scope).get("authorization"))
        if token is None:
            if problem != NO_TOKEN:
                self.throttle.failed(client)
            await _refuse(scope, receive, send, 401, problem or NO_TOKEN, CHALLENGE)
            return
        caller = await run_in_threadpool(self.authenticator.caller, token)
        if caller is None:
            self.throttle.failed(client)
            await _refuse(scope, receive, send, 401, REFUSED, CHALLENGE)
            return
        scope[CALLER_KEY] = caller
        await self.app(scope, receive, send)


async def _refuse(
    scope: Scope, receive: Receive, send: Send, status: int, detail: str, headers: dict[str, str]
) -> None:
    if _has_body(scope):
        # Its body was never read: close rather than read it all to reach the next request.
        headers = {**headers, "Connection": "close"}
    await JSONResponse({"detail": detail}, status_code=status, headers=headers)(
        scope, receive, send
    )


def _has_body(scope: Scope) -> bool:
    headers = Headers(scope=scope)
    return "transfer-encoding" in headers or headers.get("content-length", "0") != "0"
