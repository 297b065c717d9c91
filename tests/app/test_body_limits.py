"""Request bodies are capped on every route, and the admin API checks the token before the body.

The application is the one `genba serve` runs (create_app), wrapped in a layer that counts the
body bytes the server pulled from the client: a refused upload must cost the server nothing
beyond the cap, however much the client has to send.
"""

from __future__ import annotations

import json
import select
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Message

from app.body_cap import MAX_BODY_BYTES
from linesim import start_server
from linesim.server import RunningServer
from storage import tokens
from tests.app.conftest import WEBHOOK_SECRET, Seeder, bearer
from webhooks.signature import sign

MiB = 1024 * 1024
CHUNK = 64 * 1024


@dataclass
class Exchange:
    """One request driven straight through the ASGI application."""

    status: int
    headers: dict[str, str]
    body: bytes
    consumed: int  # request body bytes the application pulled

    def json(self) -> Any:
        return json.loads(self.body)


async def exchange(
    app: ASGIApp,
    method: str,
    path: str,
    *,
    body: Iterable[bytes] = (),
    headers: dict[str, str] | None = None,
) -> Exchange:
    """Send `body` chunk by chunk, as a chunked upload arrives, and count what the app reads.

    (The TestClient reads a streamed body whole before the application sees any of it.)
    """
    pieces = iter(body)
    consumed = 0
    status, answer, answer_headers = 0, bytearray(), {}

    async def receive() -> Message:
        nonlocal consumed
        piece = next(pieces, None)
        if piece is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        consumed += len(piece)
        return {"type": "http.request", "body": piece, "more_body": True}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            answer_headers.update((k.decode(), v.decode()) for k, v in message["headers"])
        else:
            answer.extend(message.get("body", b""))

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    await app(scope, receive, send)
    return Exchange(status, answer_headers, bytes(answer), consumed)


def chunks(total: int, size: int = CHUNK) -> Iterator[bytes]:
    """A streamed (chunked) body of `total` bytes that is not JSON."""
    for _ in range(total // size):
        yield b"x" * size


@pytest.fixture
def client(served) -> Iterator[TestClient]:
    with TestClient(served.app) as c:
        yield c


@pytest.fixture
def seeder(served, tmp_path) -> Seeder:
    from storage.blobs import LocalBlobStore

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    seeder = Seeder(
        db=served.db,
        blobs=LocalBlobStore(served.services.settings.media_dir),
        clock=served.clock,
        scratch=scratch,
    )
    seeder.theme("daily")
    return seeder


def token(served, role: str = "reviewer") -> str:
    with served.db.write() as s:
        return tokens.create(s, name=f"{role}-bob", role=role, now=served.clock())


SOMEONE = "/api/v1/submissions/01JD0000000000000000000000"


class TestUnauthenticatedUploads:
    async def test_a_huge_streamed_body_without_a_token_is_refused_unread(self, served) -> None:
        r = await exchange(served.app, "PATCH", SOMEONE, body=chunks(200 * MiB))
        assert r.status == 401
        assert r.headers["www-authenticate"] == "Bearer"
        assert r.consumed == 0

    async def test_a_huge_body_with_an_unknown_token_is_refused_unread(self, served) -> None:
        r = await exchange(
            served.app,
            "PATCH",
            SOMEONE,
            body=chunks(200 * MiB),
            headers=bearer("gba_not-a-real-token"),
        )
        assert r.status == 401
        assert r.consumed == 0


class TestAuthenticatedUploads:
    async def test_a_declared_oversized_body_gets_413_before_any_of_it_is_read(
        self, served
    ) -> None:
        r = await exchange(
            served.app,
            "PATCH",
            SOMEONE,
            body=chunks(200 * MiB),
            headers={**bearer(token(served)), "content-length": str(200 * MiB)},
        )
        assert r.status == 413
        assert isinstance(r.json()["detail"], str)
        assert r.consumed == 0

    async def test_a_streamed_body_past_the_cap_gets_413_once_the_cap_is_passed(
        self, served
    ) -> None:
        r = await exchange(
            served.app,
            "PATCH",
            SOMEONE,
            body=chunks(200 * MiB, 4096),
            headers={**bearer(token(served)), "content-type": "application/json"},
        )
        assert r.status == 413
        assert isinstance(r.json()["detail"], str)
        assert r.consumed <= MAX_BODY_BYTES + 4096

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/healthz"),
            ("GET", "/docs"),
            ("GET", "/openapi.json"),
            ("GET", "/api/v1/themes"),
            ("POST", "/api/v1/jobs/1/retry"),
        ],
    )
    async def test_every_route_refuses_a_declared_oversized_body(
        self, served, method, path
    ) -> None:
        size = MAX_BODY_BYTES + 1
        r = await exchange(
            served.app,
            method,
            path,
            body=[b"x" * size],
            headers={**bearer(token(served, "admin")), "content-length": str(size)},
        )
        assert r.status == 413
        assert r.consumed == 0

    def test_a_small_review_still_works(self, client, served, seeder) -> None:
        submission = seeder.submission()
        r = client.patch(
            f"/api/v1/submissions/{submission.id}",
            json={"status": "in_review", "note": "見ます"},
            headers=bearer(token(served)),
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "in_review"

    def test_the_largest_valid_review_fits_under_the_cap(self, client, served, seeder) -> None:
        submission = seeder.submission(status="approved")
        # 2,000 characters outside the BMP, each escaped as two \\uXXXX: the most bytes a
        # valid note can take on the wire; and the longest url.
        body = json.dumps(
            {
                "status": "published",
                "note": "📷" * 2000,
                "platform": "instagram",
                "url": "https://x.test/" + "a" * 1985,
            },
            ensure_ascii=True,
        ).encode()
        assert len(body) > 20_000
        r = client.patch(
            f"/api/v1/submissions/{submission.id}",
            content=body,
            headers={**bearer(token(served)), "content-type": "application/json"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "published"


class TestWebhookKeepsItsOwnCap:
    async def test_the_webhook_still_takes_a_body_of_1_mib(self, served) -> None:
        shell = b'{"destination":"U' + b"0" * 32 + b'","events":[],"pad":"'
        raw = shell + b"x" * (MiB - len(shell) - 2) + b'"}'
        assert len(raw) == MiB
        signed = {"x-line-signature": sign(WEBHOOK_SECRET.encode(), raw)}
        pieces = [raw[i : i + CHUNK] for i in range(0, len(raw), CHUNK)]
        r = await exchange(served.app, "POST", "/callback", body=pieces, headers=signed)
        assert r.status == 200
        assert r.consumed == MiB

    async def test_the_webhook_refuses_more_than_1_mib(self, served) -> None:
        raw = b"x" * (MiB + 1)
        signed = {"x-line-signature": sign(WEBHOOK_SECRET.encode(), raw)}
        r = await exchange(served.app, "POST", "/callback", body=[raw], headers=signed)
        assert r.status == 413


class TestOverRealHttp:
    """Over a socket to uvicorn: the answer comes while the client is still sending."""

    def _open(self, served) -> tuple[socket.socket, RunningServer]:
        server = start_server(served.app, "127.0.0.1", 0)
        sock = socket.create_connection(("127.0.0.1", server.port))
        return sock, server

    @staticmethod
    def _head(path: str, extra: str = "") -> bytes:
        return (
            f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n{extra}\r\n"
        ).encode()

    @staticmethod
    def _chunk(data: bytes) -> bytes:
        return f"{len(data):x}\r\n".encode() + data + b"\r\n"

    @staticmethod
    def _status(sock: socket.socket) -> int:
        # A generous give-up time, not a speed requirement: the old code never answered.
        readable, _, _ = select.select([sock], [], [], 30)
        assert readable, "no answer while the body was still open"
        line = sock.recv(65536).split(b"\r\n", 1)[0]
        return int(line.split()[1])

    def test_an_unfinished_upload_without_a_token_is_answered_401(self, served) -> None:
        sock, server = self._open(served)
        try:
            sock.sendall(self._head("/api/v1/submissions/01JD0000000000000000000000"))
            sock.sendall(self._chunk(b"x" * CHUNK))  # and never the last chunk
            assert self._status(sock) == 401
        finally:
            sock.close()
            server.stop()

    def test_an_endless_upload_with_a_token_is_answered_413_after_the_cap(self, served) -> None:
        sock, server = self._open(served)
        sent = 0
        try:
            auth = f"Authorization: Bearer {token(served)}\r\n"
            sock.sendall(self._head("/api/v1/submissions/01JD0000000000000000000000", auth))
            sock.setblocking(False)
            piece, pending = self._chunk(b"x" * 16384), b""
            while sent < 64 * MiB:
                readable, writable, _ = select.select([sock], [sock], [], 30)
                if readable:
                    break
                if writable:
                    pending = pending or piece
                    try:
                        n = sock.send(pending)
                    except (ConnectionResetError, BrokenPipeError):
                        break  # it answered and closed between the select and this send
                    pending, sent = pending[n:], sent + n
            sock.setblocking(True)
            status: int | None
            try:
                status = self._status(sock)
            except ConnectionResetError:
                # The server answered 413 and closed with our last bytes unread: the kernel then
                # resets the connection, and the reset may discard the answer before we read it.
                status = None
            assert status in (413, None)
            assert sent < 64 * MiB  # it stopped reading near the cap, not after 64 MiB
        finally:
            sock.close()
            server.stop()
