"""A cap on every request body but the webhook's (which caps its own at 1 MiB, webhooks/).

The admin API takes small JSON documents, and one image upload (capped at the media limit);
the /admin pages take small forms, and the same image as a form from the item page (capped at
the media limit plus the form's wrapping). A declared length over the cap is answered 413
before the application runs; a streamed (chunked) body is counted as it is read, and the read
that passes the cap raises a 413 instead of returning more bytes. The item page's upload is the
exception to the first rule: its first read raises, so the page itself answers the 413 with
words a person can act on (and the sign-in or role check still comes first).
"""

from __future__ import annotations

import json
import re

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The largest valid request, a review PATCH with a 2,000-character note and a 2,000-character
# url, is ~26 KB when every character of the note is escaped as a surrogate pair.
MAX_BODY_BYTES = 32 * 1024
DETAIL = f"request body is larger than {MAX_BODY_BYTES // 1024} KiB"


# `PUT /api/v1/media/{id}/blurred` (app/admin/checks.py) and its form on the item page
# (app/workspace/media_pages.py): the only bodies that are an image.
UPLOAD_PATH = re.compile(r"^/api/v1/media/[0-9A-Za-z_-]{1,64}/blurred$")
PAGE_UPLOAD_PATH = re.compile(
    r"^/admin/items/[0-9A-Za-z_-]{1,64}/media/[0-9A-Za-z_-]{1,64}/blurred$"
)


def is_upload(scope: Scope) -> bool:
    """Whether this request is the API's image upload, capped at the media limit instead."""
    return scope.get("method") == "PUT" and UPLOAD_PATH.match(scope.get("path", "")) is not None


def is_page_upload(scope: Scope) -> bool:
    """Whether this request is the item page's image form (the media limit plus its wrapping)."""
    path = scope.get("path", "")
    return scope.get("method") == "POST" and PAGE_UPLOAD_PATH.match(path) is not None


class BodyTooLarge(HTTPException):
    """The body passed the cap while it was being read (FastAPI re-raises HTTPExceptions)."""

    def __init__(self, limit: int = MAX_BODY_BYTES) -> None:
        super().__init__(413, detail=detail(limit), headers={"Connection": "close"})


class BodyCap:
    """ASGI layer refusing any request body over `limit` bytes with 413 `{"detail": ...}`."""

    def __init__(
        self,
        app: ASGIApp,
        limit: int = MAX_BODY_BYTES,
        upload_limit: int | None = None,
        form_wrapping: int = 0,
    ) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit
        """The cap of the routes that take an image (a reviewer's blurred photo)."""
        self.form_wrapping = form_wrapping
        """What the item page's multipart form may add to the image."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, page = self.limit, False
        if self.upload_limit is not None and is_upload(scope):
            limit = self.upload_limit
        elif self.upload_limit is not None and is_page_upload(scope):
            limit, page = self.upload_limit + self.form_wrapping, True
        declared_over = _declared_length(scope) > limit
        if declared_over and not page:
            await too_large(send, limit)
            return
        size, started = 0, False

        async def capped() -> Message:
            nonlocal size
            if declared_over:
                raise BodyTooLarge(limit)  # not a byte of it is read
            message = await receive()
            size += len(message.get("body", b""))
            if size > limit:
                raise BodyTooLarge(limit)
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, capped, sending)
        except BodyTooLarge:
            # Raised where no exception handler stood between the read and this layer.
            if started:
                raise
            await too_large(send, limit)


def _declared_length(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name.lower() == b"content-length":
            return int(value) if value.isdigit() else 0  # a bad value: the server refuses it
    return 0


def detail(limit: int) -> str:
    """The 413's words for this cap."""
    return DETAIL if limit == MAX_BODY_BYTES else f"request body is larger than {limit} bytes"


async def too_large(send: Send, limit: int = MAX_BODY_BYTES) -> None:
    """Answer 413 with the contract's error body."""
    body = json.dumps({"detail": detail(limit)}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                # The rest of the body was never read; the connection cannot be reused.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
