"""What genba writes to disk is the service user's alone: 0700 folders, 0600 files.

Each test runs with the most permissive umask (0), so only modes genba sets itself can pass:
the photo's way through the bot, `genba admin create-token` on a fresh folder, and a start on
a folder that an older version left open.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.factory import create_app
from app.services import build_services
from app.settings import Settings, load_settings
from linesim import LineSim, start_server
from media import FaceDetector
from tests.e2e.chat import Worker
from tests.e2e.conftest import REPO, bot_env
from tests.e2e.photos import phone_jpeg
from tests.e2e.waiting import Peek, wait_until
from webhooks.line_api import Download, LineApi, SdkLineApi

FOLDER, FILE = 0o700, 0o600


@pytest.fixture
def open_umask() -> Iterator[None]:
    """Umask 0 for the test: a file created without an explicit mode would be 0666."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def modes(root: Path) -> dict[str, int]:
    """The permission bits of `root` and of everything under it, by relative path."""
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def not_private(root: Path) -> dict[str, str]:
    """Every path under `root` whose mode is not 0700 (folders) or 0600 (files)."""
    wrong = {}
    for name, mode in modes(root).items():
        wanted = FOLDER if (root / name).is_dir() else FILE
        if mode != wanted:
            wrong[name] = oct(mode)
    return wrong


class RecordingLine:
    """The real LINE client, noting the mode of each raw download and its folder as written."""

    def __init__(self, inner: LineApi) -> None:
        self.inner = inner
        self.downloads: list[tuple[str, str]] = []

    def download(
        self, message_id: str, dest: Path, *, max_bytes: int, should_stop: Callable[[], bool]
    ) -> Download:
        got = self.inner.download(message_id, dest, max_bytes=max_bytes, should_stop=should_stop)
        self.downloads.append(
            (oct(stat.S_IMODE(dest.stat().st_mode)), oct(stat.S_IMODE(dest.parent.stat().st_mode)))
        )
        return got

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def embedded_settings(sim: LineSim, data_dir: Path) -> Settings:
    """A bot on the embedded default: SQLite and media both under `data_dir`."""
    env = bot_env(sim, "", data_dir)
    del env["DATABASE_URL"]
    return load_settings(_env_file=None, **env)


def test_a_photo_leaves_only_files_the_service_user_can_read(
    sim: LineSim, tmp_path: Path, open_umask: None, face_detector: FaceDetector
) -> None:
    settings = embedded_settings(sim, tmp_path / "var")
    line = RecordingLine(SdkLineApi(sim.platform.access_token, base_url=sim.base_url, timeout=3))
    services = build_services(settings, line=line, faces=face_detector)  # type: ignore[arg-type]
    server = start_server(create_app(services), "127.0.0.1", 0)
    sim.platform.webhook_url = f"{server.base_url}/callback"
    try:
        worker = Worker(sim)
        worker.send(sim.events.image(worker.user_id, phone_jpeg()))
        worker.question()
        peek = Peek(settings.effective_database_url)
        (media,) = wait_until(lambda: [m for m in peek.media() if m.status == "ready"])
        peek.close()
        # Looked at while the bot still runs: its SQLite connections keep the WAL files open.
        data = settings.data_dir
        written = modes(data)
        assert {"genba.db", "genba.db-wal", "genba.db-shm"} <= written.keys()
        assert f"media/media/{media.id}/original" in written
        assert "media/.incoming" in written
        assert not_private(data) == {}
        # The raw download (with the sender's location in it) and its scratch folder.
        assert line.downloads == [(oct(FILE), oct(FOLDER))]
    finally:
        server.stop()


def test_create_token_on_a_fresh_folder_makes_it_private(tmp_path: Path) -> None:
    data = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GENBA_", "DATABASE_URL"))}
    done = subprocess.run(
        [sys.executable, "-m", "app", "admin", "create-token", "--name", "ops", "--role", "admin"],
        cwd=REPO,
        env={**env, "GENBA_DATA_DIR": str(data)},
        capture_output=True,
        text=True,
        umask=0,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "genba.db" in modes(data)
    assert not_private(data) == {}


def test_a_start_closes_a_data_folder_an_older_version_left_open(
    sim: LineSim, tmp_path: Path, open_umask: None
) -> None:
    data = tmp_path / "var"
    (data / "media" / ".incoming").mkdir(parents=True, mode=0o755)
    for folder in (data, data / "media", data / "media" / ".incoming"):
        folder.chmod(0o755)
    for name in ("genba.db", "genba.db-wal", "genba.db-shm"):
        (data / name).touch(mode=0o644)
    services = build_services(embedded_settings(sim, data))
    services.close()
    assert not_private(data) == {}
