"""A TCP proxy on 127.0.0.1 that can stop forwarding bytes without closing anything.

Stands for a database server (or a proxy, or a network) that stops answering while every
connection stays open: nothing is refused, nothing is reset, the bytes just stop.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType

from sqlalchemy import make_url


class FrozenProxy:
    """Forwards 127.0.0.1:`port` to `upstream` until `freeze()`, and again after `thaw()`."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._flowing = threading.Event()
        self._flowing.set()
        self._closed = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def freeze(self) -> None:
        """Stop forwarding: bytes already read are held, nothing more is read; all stays open."""
        self._flowing.clear()

    def thaw(self) -> None:
        """Forward again, the held bytes first."""
        self._flowing.set()

    def close(self) -> None:
        """Close the listener and every connection."""
        with self._lock:
            self._closed = True
            sockets = [self._listener, *self._sockets]
        self._flowing.set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def __enter__(self) -> FrozenProxy:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
                server = socket.create_connection(self.upstream)
            except OSError:
                return
            with self._lock:
                if self._closed:
                    client.close()
                    server.close()
                    return
                self._sockets += [client, server]
            for src, dst in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        while True:
            self._flowing.wait()
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            self._flowing.wait()  # read just before a freeze: held until the thaw
            try:
                dst.sendall(data)
            except OSError:
                break
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)


def proxied(url: str, port: int) -> str:
    """`url` with its host and port replaced by the proxy's on 127.0.0.1."""
    return make_url(url).set(host="127.0.0.1", port=port).render_as_string(hide_password=False)


def upstream_of(url: str) -> tuple[str, int]:
    """The host and port a database URL points at."""
    parsed = make_url(url)
    return parsed.host or "127.0.0.1", parsed.port or 5432
