"""My submissions and settings over real HTTP: linesim ⇄ bot, carousels checked by linesim."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.settings import Settings, load_settings
from linesim import LineSim
from storage import sites
from storage.db import Database
from storage.models import AuditEntry, Contributor
from tests.e2e.chat import Worker, labels
from tests.e2e.conftest import bot_env
from tests.e2e.photos import phone_jpeg
from tests.e2e.waiting import Peek, wait_until

CONTACT = "広報部 山田 03-1234-5678"


@pytest.fixture
def bot_settings(sim: LineSim, migrated_url: str, tmp_path: Path) -> Settings:
    """A bot with a PR team contact configured."""
    env = bot_env(sim, migrated_url, tmp_path / "var")
    return load_settings(_env_file=None, GENBA_PR_CONTACT=CONTACT, **env)


def _bubbles(message: dict[str, Any]) -> list[dict[str, Any]]:
    """A flex message's cards: one bubble alone, or a carousel's."""
    contents = message["contents"]
    return contents["contents"] if contents["type"] == "carousel" else [contents]


def _title(bubble: dict[str, Any]) -> str:
    """A card's title (the bold text; a caption may come above it)."""
    return next(t["text"] for t in bubble["body"]["contents"] if t.get("weight") == "bold")


def _card_tap(worker: Worker, message: dict[str, Any], card: int, label_part: str) -> None:
    bubble = _bubbles(message)[card]
    for button in bubble["footer"]["contents"]:
        action = button["action"]
        if label_part in action["label"]:
            worker.send(worker.sim.events.postback(worker.user_id, action["data"]))
            return
    raise AssertionError(f"no {label_part!r} on card {card}")


def _submit(worker: Worker) -> None:
    worker.send(worker.sim.events.image(worker.user_id, phone_jpeg((10, 100, 200))))
    worker.tap(worker.question(), "毎日の仕事")  # tap 1
    worker.tap(worker.question(), "顔OK")  # tap 2
    worker.tap(worker.question(), "なし")  # tap 3
    assert "受付番号" in worker.question().message["text"]


def test_my_submissions_change_the_face_choice_withdraw_and_switch_language(
    sim: LineSim, bot, bot_settings: Settings
) -> None:
    worker = Worker(sim)
    _submit(worker)
    peek = Peek(bot_settings.effective_database_url)
    (mine,) = wait_until(lambda: [s for s in peek.submissions() if s.status == "new"])

    worker.send(sim.events.postback(worker.user_id, "g1|mine"))
    carousel = worker.question().message
    assert carousel["type"] == "flex"  # linesim accepted it: LINE's shapes and limits hold
    card = _bubbles(carousel)[0]
    assert _title(card) == mine.code
    assert "受け付けました" in json.dumps(card, ensure_ascii=False)

    _card_tap(worker, carousel, 0, "顔の扱い")
    asked = worker.question()
    assert labels(asked) == ["顔をぼかして", "顔は写っていない", "そのままにする"]
    worker.tap(asked, "ぼかして")
    worker.tap(asked, "ぼかして")  # a double tap
    done = worker.question().message["text"]
    assert mine.code in done and "顔：ぼかしてから使う" in done  # what the choice is now
    assert mine.code in worker.question().message["text"]
    wait_until(lambda: [s for s in peek.submissions() if s.face == "blur"])

    # Someone else taps a button naming this submission: the same answer as an unknown one.
    other = Worker(sim, name="佐藤")
    other.send(sim.events.postback(other.user_id, f"g1|reface_to|{mine.id}|no_face"))
    refused = other.question().message["text"]
    other.send(sim.events.postback(other.user_id, "g1|reface_to|01UNKNOWN|no_face"))
    assert other.question().message["text"] == refused

    _card_tap(worker, carousel, 0, "取り下げ")
    worker.tap(worker.question(), "取り下げる")
    assert mine.code in worker.question().message["text"]
    wait_until(lambda: [s for s in peek.submissions() if s.status == "withdrawn"])

    worker.send(sim.events.postback(worker.user_id, "g1|help"))
    worker.tap(worker.question(), "設定")
    settings = worker.question()
    assert CONTACT in settings.message["text"]
    worker.tap(settings, "言語")
    languages = worker.question()
    assert "Tiếng Việt" in labels(languages) and "English" in labels(languages)
    worker.tap(languages, "English")
    assert "English" in worker.question().message["text"]
    worker.send(sim.events.postback(worker.user_id, "g1|mine"))
    assert "Withdrawn" in json.dumps(worker.question().message)

    db = Database(bot_settings.effective_database_url)
    with db.read() as s:
        actions = [a.action for a in s.execute(select(AuditEntry)).scalars()]
    db.dispose()
    peek.close()
    assert actions.count("face_change") == 1 and "withdraw" in actions


def test_a_worker_picks_a_site_at_the_welcome_and_is_asked_again_once_it_is_retired(
    sim: LineSim, bot, bot_settings: Settings
) -> None:
    db = Database(bot_settings.effective_database_url)
    with db.write() as s:
        made = [
            sites.create(s, name=f"店舗{i:02d}", actor="test", now=datetime.now(UTC))
            for i in range(15)
        ]
    worker = Worker(sim)
    worker.send(sim.events.follow(worker.user_id))
    worker.tap(worker.question(), "同意する")  # the welcome's agreement, then the site
    asked = worker.question()
    assert labels(asked)[-2:] == ["ほかの職場…", "あとで"] and len(labels(asked)) == 13
    worker.tap(asked, "ほかの職場")
    worker.tap(worker.question(), "店舗12")
    assert "店舗12" in worker.question().message["text"]
    _submit(worker)
    peek = Peek(bot_settings.effective_database_url)
    (sent,) = wait_until(lambda: [s for s in peek.submissions() if s.status == "new"])
    assert (sent.site_id, sent.site_name) == (made[12].id, "店舗12")

    with db.write() as s:
        sites.retire(s, made[12].id, actor="test", now=datetime.now(UTC))
    worker.send(sim.events.postback(worker.user_id, "g1|send"))
    again = worker.reply()
    assert "なくなりました" in again[-1].message["text"]
    assert "店舗12" not in labels(again[-1])
    worker.tap(again[-1], "あとで")
    worker.question()
    worker.send(sim.events.postback(worker.user_id, "g1|send"))
    assert len(worker.reply()) == 1  # asked once, not at every message

    # A language the catalogues do not have, forged into a button: nothing stored, Japanese stays.
    worker.send(sim.events.postback(worker.user_id, "g1|language|ko"))
    worker.question()
    with db.read() as s:
        (who,) = list(s.execute(select(Contributor)).scalars())
        assert who.chosen_language is None
    worker.send(sim.events.postback(worker.user_id, "g1|help"))
    assert "使い方" in worker.question().message["text"]
    peek.close()
    db.dispose()
