"""End-to-end fixtures: linesim and the bot as real servers on 127.0.0.1.

`bot` runs the bot in this process (uvicorn in a thread); `BotProcess` runs `python -m app` as
a child process, for the tests that kill it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page

from app.factory import create_app
from app.services import build_services
from app.settings import Settings, load_settings
from linesim import LineSim, start_server
from linesim.server import RunningServer
from media import FaceDetector
from storage import migrate
from storage.db import Database
from tests.e2e.browser import browser_page
from tests.e2e.waiting import free_port, wait_until

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def sim() -> Iterator[LineSim]:
    """A running linesim."""
    with LineSim() as running:
        yield running


def bot_env(sim: LineSim, database_url: str, data_dir: Path) -> dict[str, str]:
    """The environment that points a bot at linesim and a test database."""
    return {
        "LINE_CHANNEL_SECRET": sim.platform.channel_secret,
        "LINE_CHANNEL_ACCESS_TOKEN": sim.platform.access_token,
        "LINE_API_BASE_URL": sim.base_url,
        "DATABASE_URL": database_url,
        "GENBA_DATA_DIR": str(data_dir),
        "GENBA_JOB_LEASE_SECONDS": "2",
        "GENBA_WORKER_POLL_SECONDS": "0.1",
        "GENBA_JOB_BACKOFF_BASE_SECONDS": "0.2",
        "GENBA_JOB_BACKOFF_MAX_SECONDS": "1",
        "GENBA_SHUTDOWN_GRACE_SECONDS": "0.5",  # a lease of 2 s outlasts it (app/settings.py)
        "GENBA_LINE_TIMEOUT_SECONDS": "3",
        # Pushes go out at once whatever the hour the tests run (quiet hours: tests/app).
        "GENBA_QUIET_HOURS": "none",
    }


@pytest.fixture
def migrated_url(database_url: str) -> str:
    """The test database, migrated as `genba db upgrade` would (PostgreSQL needs it first)."""
    db = Database(database_url)
    migrate.upgrade(db)
    db.dispose()
    return database_url


@pytest.fixture
def bot_settings(sim: LineSim, migrated_url: str, tmp_path: Path) -> Settings:
    """Settings of a bot wired to linesim."""
    env = bot_env(sim, migrated_url, tmp_path / "var")
    return load_settings(_env_file=None, **env)


@pytest.fixture
def bot(
    sim: LineSim, bot_settings: Settings, face_detector: FaceDetector
) -> Iterator[RunningServer]:
    """The bot with its in-process worker, listening on 127.0.0.1; linesim posts to it."""
    services = build_services(bot_settings, faces=face_detector)
    server = start_server(create_app(services), "127.0.0.1", 0)
    sim.platform.webhook_url = f"{server.base_url}/callback"
    try:
        yield server
    finally:
        server.stop()
        services.close()


class BotProcess:
    """`python -m app serve` (or `worker`) as a child process that a test may kill."""

    def __init__(self, env: dict[str, str], args: list[str], log: Path) -> None:
        self.env = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
        self.args = args
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> BotProcess:
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app", *self.args],
            cwd=REPO,
            env=self.env,
            stdout=out,
            stderr=out,
        )
        return self

    def wait_ready(self, base_url: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, self.log.read_text()
            try:
                if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(self.log.read_text())

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def terminate(self, timeout: float = 30) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@dataclass(frozen=True)
class RunningDemo:
    """A `genba demo` child process: its URLs, its printed token, banner and environment."""

    chat_url: str
    bot_url: str
    token: str
    banner: str
    env: dict[str, str]


@contextmanager
def started_demo(tmp_path: Path, port: int) -> Iterator[RunningDemo]:
    """`genba demo --port PORT` started as a person would (data under tmp_path/var)."""
    log = tmp_path / "demo.log"
    env = {**os.environ, "GENBA_DATA_DIR": str(tmp_path / "var"), "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app", "demo", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:

        def banner() -> str | None:
            text = log.read_text()
            if proc.poll() is not None:  # a demo that stopped never prints it: say why at once
                raise AssertionError(f"genba demo exited with {proc.returncode}:\n{text}")
            return text if re.search(r"^gba_\S+$", text, re.M) else None

        # A give-up time, not a speed requirement: the demo migrates, loads the face model and
        # draws and deploys its rich menu first, which takes long on a loaded CI machine.
        text = wait_until(banner, timeout=120, what="the demo's banner")
        chat = re.search(r"chat page.*?(http://\S+)", text)
        token = re.search(r"^(gba_\S+)$", text, re.M)
        assert chat and token, text
        bot = f"http://127.0.0.1:{port}"
        wait_until(lambda: _ready(bot), what="the bot")
        yield RunningDemo(chat.group(1), bot, token.group(1), text, env)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def running_demo(tmp_path: Path) -> Iterator[RunningDemo]:
    """A running `genba demo` on a free port."""
    with started_demo(tmp_path, free_port()) as running:
        yield running


@pytest.fixture
def demo(running_demo: RunningDemo) -> tuple[str, str, str]:
    """A running `genba demo`; (chat URL, bot URL, admin token)."""
    return running_demo.chat_url, running_demo.bot_url, running_demo.token


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def page() -> Iterator[Page]:
    """A page of Debian's headless chromium."""
    with browser_page() as opened:
        yield opened
