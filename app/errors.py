"""Error bodies: always `{"detail": ...}`, never a traceback, never the raw input echoed back.

Under /admin (the pages for people) the same errors are plain HTML pages instead.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.workspace.mount import error_page, is_page

log = logging.getLogger("genba.app")


def install_error_handlers(app: FastAPI) -> None:
    """Make every error answer `{"detail": ...}` (design.md §7), or an HTML page under /admin."""

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error("unhandled error: %s", type(exc).__name__, exc_info=exc)
        if is_page(request.url.path):
            return error_page(request, 500, None)
        return JSONResponse({"detail": "internal error"}, status_code=500)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if is_page(request.url.path):
            page = error_page(request, exc.status_code, exc.detail)
            page.headers.update(exc.headers or {})
            return page
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if is_page(request.url.path):
            return error_page(request, 422, "some of the input was not accepted")
        # Only where and what: the input itself may be large or hostile.
        keep = ("loc", "msg", "type")
        errors = [{k: v for k, v in e.items() if k in keep} for e in exc.errors()]
        return JSONResponse({"detail": errors}, status_code=422)
