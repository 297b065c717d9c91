"""Realistic signed webhook bodies, built with linesim's event builders, as raw HTTP requests.

Every body carries fresh `webhookEventId`s (genba deduplicates on them, so a repeated body would
be trivially cheap), real reply tokens and downloadable content on the linesim platform that
built it, and is signed with that platform's channel secret. Requests are serialised to the
exact bytes the load generator writes, so it does no work per request but a `write()`.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from PIL import Image

from linesim import Events, LinePlatform, sign, webhook_body
from linesim.records import JSON

KINDS = ("text", "photo", "imageset5")
EVENTS_PER_BODY = {"text": 1, "photo": 1, "imageset5": 5}
TEXT = "朝礼の後、A棟の安全掲示板を新しくしました。写真を送ります！"
_LEN = struct.Struct(">I")


def photo_jpeg(width: int = 1024, height: int = 768) -> bytes:
    """A phone-sized (if not phone-heavy) JPEG for linesim to serve as message content."""
    im = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    im.save(out, "JPEG", quality=85)
    return out.getvalue()


def _builder(kind: str, events: Events, jpeg: bytes) -> Callable[[str], list[JSON]]:
    if kind == "text":
        return lambda user: [events.text(user, TEXT)]
    if kind == "photo":
        return lambda user: [events.image(user, jpeg)]
    if kind == "imageset5":
        return lambda user: events.imageset(user, [jpeg] * 5)
    raise ValueError(f"unknown body kind {kind!r}; expected one of {KINDS}")


def build_bodies(platform: LinePlatform, kind: str, count: int, *, users: int = 200) -> list[bytes]:
    """`count` webhook bodies of one kind, spread over `users` users, as LINE would sign them."""
    events = Events(platform)
    make = _builder(kind, events, photo_jpeg())
    user_ids = [platform.add_user() for _ in range(users)]
    return [webhook_body(platform, make(user_ids[i % users])) for i in range(count)]


def http_request(body: bytes, secret: str, path: str = "/callback") -> bytes:
    """The whole HTTP/1.1 request LINE would send for this body (keep-alive, signed)."""
    head = (
        f"POST {path} HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\n"
        "User-Agent: LineBotWebhook/2.0\r\n"
        "Content-Type: application/json; charset=utf-8\r\n"
        f"X-Line-Signature: {sign(secret, body)}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    return head.encode("ascii") + body


def write_requests(path: Path, requests: Iterable[bytes]) -> int:
    """Store requests length-prefixed; returns how many."""
    n = 0
    with path.open("wb") as out:
        for request in requests:
            out.write(_LEN.pack(len(request)))
            out.write(request)
            n += 1
    return n


def read_requests(path: Path) -> list[bytes]:
    """The requests `write_requests` stored, in order."""
    return list(_iter_requests(path.read_bytes()))


def _iter_requests(data: bytes) -> Iterator[bytes]:
    at = 0
    while at < len(data):
        (size,) = _LEN.unpack_from(data, at)
        at += _LEN.size
        yield data[at : at + size]
        at += size
