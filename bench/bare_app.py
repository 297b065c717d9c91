"""The baseline: a bare FastAPI `POST /callback` that only checks the signature and parses JSON.

It does exactly the work LINE obliges every webhook receiver to do — read the body with the same
1 MiB cap, HMAC-SHA256 over the raw bytes compared with `hmac.compare_digest`, `json.loads` —
and nothing genba adds (no storage, no middleware, no logging). It is served the way `genba
serve` serves genba: uvicorn, one process, uvloop and httptools, no access log.

Run alone: `LINE_CHANNEL_SECRET=... python -m bench.bare_app --port 8100`.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

MAX_BODY_BYTES = 1024 * 1024
OnBody = Callable[[Any], Awaitable[None]]


def create_bare_app(channel_secret: str, on_body: OnBody | None = None) -> FastAPI:
    """The bare endpoint for this secret; `on_body` gets each parsed body before its 200."""
    secret = channel_secret.encode("utf-8")
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.post("/callback")
    async def callback(request: Request) -> Response:
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                return JSONResponse({"detail": "too large"}, status_code=413)
            chunks.append(chunk)
        raw = b"".join(chunks)
        expected = base64.b64encode(hmac.new(secret, raw, hashlib.sha256).digest())
        given = request.headers.get("x-line-signature", "").encode("ascii", "replace")
        if not hmac.compare_digest(expected, given):
            return JSONResponse({"detail": "bad signature"}, status_code=400)
        try:
            body = json.loads(raw)
        except ValueError:
            return JSONResponse({"detail": "not JSON"}, status_code=400)
        if on_body is not None:
            await on_body(body)
        return Response(status_code=200)

    return app


def arguments(prog: str, doc: str | None) -> argparse.ArgumentParser:
    """The command line of a reference server: --host and --port."""
    parser = argparse.ArgumentParser(prog=prog, description=doc)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    return parser


def secret_from_env() -> str:
    """LINE_CHANNEL_SECRET, or exit saying it is missing."""
    secret = os.environ.get("LINE_CHANNEL_SECRET")
    if not secret:
        raise SystemExit("set LINE_CHANNEL_SECRET")
    return secret


def serve(app: FastAPI, args: argparse.Namespace) -> None:
    """Serve `app` as `genba serve` serves genba: uvicorn, uvloop, httptools, no access log."""
    import uvicorn

    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_config=None,
        log_level="warning",
        access_log=False,
        loop="uvloop",
        http="httptools",
    )


def main(argv: list[str] | None = None) -> None:
    """Serve the bare endpoint on 127.0.0.1 as `genba serve` serves genba."""
    args = arguments("python -m bench.bare_app", __doc__).parse_args(argv)
    serve(create_bare_app(secret_from_env()), args)


if __name__ == "__main__":
    main()
