"""Error bodies: always `{"detail": ...}`, never a traceback, never the raw input echoed back."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("genba.app")


def install_error_handlers(app: FastAPI) -> None:
    """Make every error answer `{"detail": ...}` (design.md §7)."""

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error: %s", type(exc).__name__, exc_info=exc)
        return JSONResponse({"detail": "internal error"}, status_code=500)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # Only where and what: the input itself may be large or hostile.
        keep = ("loc", "msg", "type")
        errors = [{k: v for k, v in e.items() if k in keep} for e in exc.errors()]
        return JSONResponse({"detail": errors}, status_code=422)
