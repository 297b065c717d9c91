"""Photos in an S3 bucket, end to end: linesim ⇄ bot ⇄ moto's S3 server, all over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.factory import create_app
from app.services import build_services
from app.settings import Settings, load_settings
from linesim import LineSim, start_server
from linesim.server import RunningServer
from media import FaceDetector
from storage import tokens
from tests.e2e.chat import Worker
from tests.e2e.conftest import bot_env
from tests.e2e.photos import has_location_or_exif, phone_jpeg
from tests.e2e.waiting import Peek, wait_until
from tests.s3_server import Bucket


@pytest.fixture
def s3_settings(sim: LineSim, migrated_url: str, tmp_path: Path, s3_bucket: Bucket) -> Settings:
    env = bot_env(sim, migrated_url, tmp_path / "var") | s3_bucket.env(prefix="acme")
    return load_settings(_env_file=None, **env)


@pytest.fixture
def s3_bot(
    sim: LineSim, s3_settings: Settings, face_detector: FaceDetector
) -> Iterator[RunningServer]:
    services = build_services(s3_settings, faces=face_detector)
    server = start_server(create_app(services), "127.0.0.1", 0)
    sim.platform.webhook_url = f"{server.base_url}/callback"
    try:
        yield server
    finally:
        server.stop()
        services.close()


def test_a_photo_lands_in_the_bucket_is_served_and_withdrawing_deletes_it(
    sim: LineSim, s3_bot: RunningServer, s3_settings: Settings, s3_bucket: Bucket, tmp_path: Path
) -> None:
    peek = Peek(s3_settings.effective_database_url)
    worker = Worker(sim)
    worker.send(sim.events.image(worker.user_id, phone_jpeg()))
    worker.tap(worker.question(), "毎日の仕事")
    worker.tap(worker.question(), "顔は写っていない")
    worker.question()
    (media,) = wait_until(lambda: [m for m in peek.media() if m.status == "ready"])
    keys = {f"acme/media/{media.id}/original", f"acme/media/{media.id}/thumbnail"}
    assert set(s3_bucket.object_keys()) == keys
    assert not (tmp_path / "var" / "media").exists()  # nothing kept beside the bucket
    worker.say("よろしくお願いします")
    withdraw = worker.question()

    with peek.db.write() as s:
        token = tokens.create(s, name="pr", role="viewer", now=media.created_at)
    r = httpx.get(
        f"{s3_bot.base_url}/api/v1/media/{media.id}/original",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200
    stored = s3_bucket.client.get_object(  # type: ignore[attr-defined]
        Bucket=s3_bucket.name, Key=f"acme/media/{media.id}/original"
    )["Body"].read()
    assert r.content == stored and r.content[:3] == b"\xff\xd8\xff"
    assert not has_location_or_exif(r.content)

    worker.tap(withdraw, "取り下げる")
    worker.tap(worker.question(), "はい、取り下げる")
    assert "取り下げました" in worker.question().message["text"]
    wait_until(lambda: s3_bucket.object_keys() == [], what="files deleted from the bucket")
    assert [m.status for m in peek.media()] == ["deleted"]
    r = httpx.get(
        f"{s3_bot.base_url}/api/v1/media/{media.id}/original",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 404
    peek.close()
