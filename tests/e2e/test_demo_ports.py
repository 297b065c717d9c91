"""`genba demo` when its ports are taken: the next port is only a preference, the bot's is not."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.e2e.conftest import REPO, started_demo
from tests.e2e.waiting import free_port


@contextmanager
def listening_on(port: int) -> Iterator[None]:
    """Another program listening on 127.0.0.1:port for the duration."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", port))
        other.listen()
        yield


def free_pair() -> int:
    """A port whose next port is free too, so the test decides what is taken."""
    while True:
        port = free_port()
        if port < 65535:
            with socket.socket() as probe:
                try:
                    probe.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
            return port


def test_the_demo_starts_when_the_port_after_the_bots_is_taken(tmp_path: Path) -> None:
    # The chat page usually sits on the bot's port + 1; any program (or an outgoing
    # connection's local port) can hold that one. The demo used to die with a traceback.
    port = free_pair()
    with listening_on(port + 1), started_demo(tmp_path, port) as demo:
        assert not demo.chat_url.startswith(f"http://127.0.0.1:{port + 1}/")
        chat = httpx.get(demo.chat_url, timeout=10)
        assert chat.status_code == 200 and "<html" in chat.text.lower()
        ready = httpx.get(f"{demo.bot_url}/readyz", timeout=10)
        assert ready.status_code == 200


def test_a_taken_bot_port_is_refused_in_one_line_that_says_what_to_do(tmp_path: Path) -> None:
    port = free_pair()
    env = {**os.environ, "GENBA_DATA_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    with listening_on(port):
        run = subprocess.run(
            [sys.executable, "-m", "app", "demo", "--port", str(port)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert run.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in run.stderr
    assert "--port" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert "gba_" not in run.stdout  # no banner with a token for a bot that never ran
