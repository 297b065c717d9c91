"""A worker picks their notices in the chat; a reminder then reaches exactly those who chose all."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from app.settings import Settings, load_settings
from linesim import LineSim
from storage import tokens
from storage.db import Database
from tests.e2e.chat import Worker
from tests.e2e.conftest import bot_env


@pytest.fixture
def bot_settings(sim: LineSim, migrated_url: str, tmp_path: Path) -> Settings:
    """The bot wired to linesim, without quiet hours (the test runs at any hour)."""
    env = bot_env(sim, migrated_url, tmp_path / "var") | {"GENBA_QUIET_HOURS": "none"}
    return load_settings(_env_file=None, **env)


def choose(worker: Worker, label: str) -> str:
    worker.say("ヘルプ")
    worker.tap(worker.question(), "お知らせの設定")
    worker.tap(worker.question(), label)
    return str(worker.question().message["text"])


def test_a_reminder_reaches_the_workers_who_chose_all_and_nobody_else(
    sim: LineSim, bot, bot_settings: Settings
) -> None:
    keen = [Worker(sim, name=f"keen {i}") for i in range(2)]
    shy = Worker(sim, name="shy")
    for worker in keen:
        assert choose(worker, "すべて受け取る").startswith("設定しました")
    assert "送りません" in choose(shy, "受け取らない")
    db = Database(bot_settings.effective_database_url)
    with db.write() as s:
        token = tokens.create(s, name="pr-admin", role="admin", now=datetime.now(UTC))
    db.dispose()
    answer = httpx.post(
        f"{bot.base_url}/api/v1/reminders",
        json={},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 202, answer.text
    assert answer.json()["count"] == 2 and answer.json()["batches"] == 1
    for worker in keen:
        (reminder,) = worker.reply()
        assert reminder.api == "multicast" and "写真やアイデア" in reminder.message["text"]
        assert reminder.retry_key
    assert [d.api for d in shy.all_answers()].count("multicast") == 0
