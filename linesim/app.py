"""create_app(platform): the linesim ASGI app (LINE's API, the chat page, the /_sim/ API)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from linesim.api import line_routes
from linesim.chat import chat_routes
from linesim.control import control_routes
from linesim.platform import LinePlatform
from linesim.responses import LineCallsMiddleware, line_error


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    # Starlette's own 404/405 carry its reason phrase; LINE words them its way.
    message = {"Not Found": "Not found"}.get(exc.detail, exc.detail)
    return line_error(exc.status_code, message, headers=dict(exc.headers or {}))


async def _server_error(_request: Request, _exc: Exception) -> Response:
    return line_error(500, "Internal Server Error")


def create_app(platform: LinePlatform) -> Starlette:
    """Build the linesim app serving platform's state."""
    app = Starlette(
        routes=[*line_routes(platform), *control_routes(platform), *chat_routes(platform)],
        middleware=[Middleware(LineCallsMiddleware, platform=platform)],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    app.state.platform = platform
    return app
