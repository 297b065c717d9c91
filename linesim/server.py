"""Run an ASGI app under uvicorn in a background thread, on a real port of 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Literal, Self

import uvicorn
from starlette.types import ASGIApp

from linesim.responses import quiet_dropped_connections

STARTUP_TIMEOUT = 10.0


class RunningServer:
    """A uvicorn server running in a thread; stop() it, or use it as a context manager."""

    def __init__(self, server: uvicorn.Server, thread: threading.Thread, host: str, port: int):
        self.server = server
        self.thread = thread
        self.host = host
        self.port = port

    @property
    def base_url(self) -> str:
        """The server's base URL, e.g. http://127.0.0.1:54321."""
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for its thread (held requests are cut short)."""
        self.server.should_exit = True
        self.thread.join(timeout=15)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_server(
    app: ASGIApp,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    lifespan: Literal["auto", "on", "off"] = "auto",
) -> RunningServer:
    """Start app under uvicorn in a daemon thread and return once it accepts connections."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    # Binding here, not in uvicorn, is what makes port 0 usable: the port is known now.
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        # log_config=None leaves the process's logging setup alone (tests and the demo own it).
        log_config=None,
        log_level="warning",
        access_log=False,
        lifespan=lifespan,
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    quiet_dropped_connections()
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn:{bound_port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError(f"uvicorn did not start on {host}:{bound_port}")
        time.sleep(0.01)
    shown_host = f"[{host}]" if ":" in host else host
    return RunningServer(server, thread, shown_host, bound_port)
