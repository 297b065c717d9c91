"""A blocking keep-alive HTTP/1.1 client over one socket, for one-at-a-time latency samples."""

from __future__ import annotations

import socket
from types import TracebackType
from typing import Self

from bench.loadgen import response_head


class RawClient:
    """Sends pre-built request bytes and reads the response (status and body) to its end."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 30.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def send(self, request: bytes) -> int:
        """Send one request and return the response's status once it is fully read."""
        self.sock.sendall(request)
        while (end := self.buf.find(b"\r\n\r\n")) < 0:
            self._fill()
        status, length = response_head(self.buf[:end])
        need = end + 4 + length
        while len(self.buf) < need:
            self._fill()
        self.buf = self.buf[need:]
        return status

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buf += chunk

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
