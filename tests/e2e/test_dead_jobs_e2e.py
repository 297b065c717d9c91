"""Dead jobs brought back by an operator, over real HTTP: a photo lost in a LINE outage is
fetched again by a retry, and one the worker withdrew meanwhile is not."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from app.settings import Settings, load_settings
from linesim import Fail, LineSim
from linesim.server import RunningServer
from storage import tokens
from storage.models import Media
from tests.e2e.chat import Worker
from tests.e2e.conftest import bot_env
from tests.e2e.photos import phone_jpeg
from tests.e2e.waiting import Peek, wait_until


@pytest.fixture
def bot_settings(sim: LineSim, migrated_url: str, tmp_path: Path) -> Settings:
    """A bot that gives a job up after one attempt (the `bot` fixture runs it)."""
    env = bot_env(sim, migrated_url, tmp_path / "var") | {"GENBA_JOB_MAX_ATTEMPTS": "1"}
    return load_settings(_env_file=None, **env)


class Operator:
    """An admin using the jobs API of the running bot."""

    def __init__(self, bot: RunningServer, peek: Peek) -> None:
        with peek.db.write() as s:
            token = tokens.create(s, name="ops", role="admin", now=datetime.now(UTC))
        self.http = httpx.Client(
            base_url=f"{bot.base_url}/api/v1", headers={"Authorization": f"Bearer {token}"}
        )

    def dead_jobs(self) -> list[dict[str, str]]:
        r = self.http.get("/jobs", params={"state": "dead"})
        assert r.status_code == 200, r.text
        return list(r.json()["items"])

    def retry(self, job_id: str) -> dict[str, str]:
        r = self.http.post(f"/jobs/{job_id}/retry")
        assert r.status_code == 200, r.text
        return dict(r.json())

    def job_state(self, job_id: str) -> str | None:
        items = self.http.get("/jobs", params={"limit": 200}).json()["items"]
        return next((j["state"] for j in items if j["id"] == job_id), None)


def photo_given_up(sim: LineSim, worker: Worker, peek: Peek) -> tuple[str, Media]:
    """The worker sends a photo while LINE's content endpoint fails: the job dies at once."""
    photo = sim.events.image(worker.user_id, phone_jpeg())
    message_id = photo["message"]["id"]
    sim.platform.fail_content(message_id, [Fail(500)])
    worker.send(photo)
    worker.question()
    (media,) = wait_until(lambda: [m for m in peek.media() if m.status != "pending"], what="fail")
    assert media.status == "failed"
    return message_id, media


def content_calls(sim: LineSim, message_id: str) -> int:
    return len(sim.platform.calls(f"/v2/bot/message/{message_id}/content"))


def test_retrying_a_photo_lost_in_an_outage_stores_it(
    sim: LineSim, bot: RunningServer, bot_settings: Settings
) -> None:
    worker, peek = Worker(sim), Peek(bot_settings.effective_database_url)
    operator = Operator(bot, peek)
    message_id, media = photo_given_up(sim, worker, peek)
    (dead,) = [j for j in operator.dead_jobs() if j["kind"] == "media"]

    retried = operator.retry(dead["id"])  # LINE answers again, and still holds the photo
    wait_until(lambda: operator.job_state(retried["id"]) == "done", what="the retried job")

    (ready,) = peek.media()
    assert (ready.id, ready.status, ready.error) == (media.id, "ready", None)
    assert content_calls(sim, message_id) == 2
    original = {v.name: v for v in peek.variants(ready.id)}["original"]
    stored = (bot_settings.media_dir / original.storage_key).read_bytes()
    assert (ready.bytes, ready.sha256) == (len(stored), hashlib.sha256(stored).hexdigest())
    assert {v.name for v in peek.variants(ready.id)} == {"original", "thumbnail"}
    peek.close()


def test_retrying_a_photo_the_worker_unsent_meanwhile_does_not_fetch_it(
    sim: LineSim, bot: RunningServer, bot_settings: Settings
) -> None:
    worker, peek = Worker(sim), Peek(bot_settings.effective_database_url)
    operator = Operator(bot, peek)
    message_id, media = photo_given_up(sim, worker, peek)
    (dead,) = [j for j in operator.dead_jobs() if j["kind"] == "media"]
    worker.send(sim.events.unsend(worker.user_id, message_id))
    # It was the draft's only photo: the draft goes with it (never sent empty), its row too.
    wait_until(lambda: peek.media() == [], what="the unsend")

    retried = operator.retry(dead["id"])
    wait_until(lambda: operator.job_state(retried["id"]) == "done", what="the retried job")

    assert content_calls(sim, message_id) == 1  # only the failed first try
    assert peek.media() == []
    assert not (bot_settings.media_dir / "media" / media.id).exists()
    peek.close()
