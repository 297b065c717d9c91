"""The guideline, themes and examples as the worker step builds them from the database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from app.public_media import signer_for
from app.services import Services
from app.settings import load_settings
from app.worker.base import JobEnv
from app.worker.conversation import handle_event
from linesim import Events, LinePlatform
from storage import guideline, inbox, jobs, submissions
from storage.blobs import LocalBlobStore
from storage.db import Database
from storage.jobs import ClaimedJob
from storage.models import Contributor, ReplyOutbox, Theme
from tests.app.conftest import FakeClock, Seeder
from tests.app.test_worker_conversation import QuietLine
from webhooks.i18n import load_catalogue
from webhooks.ingest import classify

# 00:30 on 1 December in Tokyo, still 30 November in UTC.
NOW = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> Iterator[JobEnv]:
    db = Database(database_url)
    SQLModel.metadata.create_all(db.engine)
    with db.write() as s:
        guideline.seed(s, now=NOW)
    settings = load_settings(
        _env_file=None,
        GENBA_DATA_DIR=str(tmp_path),
        GENBA_TIMEZONE="Asia/Tokyo",
        GENBA_PUBLIC_URL="https://bot.example.jp",
        LINE_CHANNEL_SECRET="c" * 32,
    )
    services = Services(
        settings=settings,
        db=db,
        line=QuietLine(),
        blobs=LocalBlobStore(tmp_path / "media"),
        catalogue=load_catalogue(),
        clock=lambda: NOW,
    )
    yield JobEnv(services=services, worker_id="w", should_stop=lambda: False)
    db.dispose()


class Worker:
    """Sends events from one LINE user through the event job, and reads the replies."""

    def __init__(self, env: JobEnv) -> None:
        self.env = env
        self.platform = LinePlatform()
        self.events = Events(self.platform)
        self.user = self.platform.add_user(language="ja")

    def send(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        raw = json.dumps({"destination": "U0", "events": [event]}).encode()
        db = self.env.services.db
        with db.write() as s:
            inbox.store(s, classify(raw), now=NOW)
        job = ClaimedJob(
            id=1,
            kind=jobs.EVENT,
            payload={"event_ids": [event["webhookEventId"]]},
            attempts=1,
            max_attempts=3,
            ordering_key="user",
        )
        handle_event(job, self.env)
        with db.read() as s:
            row = s.execute(
                select(ReplyOutbox).where(ReplyOutbox.event_id == event["webhookEventId"])  # type: ignore[arg-type]
            ).scalar_one_or_none()
        return [] if row is None else json.loads(row.messages)

    def tap(self, data: str) -> list[dict[str, Any]]:
        return self.send(self.events.postback(self.user, data))

    def contributor(self) -> Contributor:
        with self.env.services.db.read() as s:
            return s.execute(select(Contributor)).scalar_one()


def quick_data(messages: list[dict[str, Any]]) -> list[str]:
    items = (messages[-1].get("quickReply") or {}).get("items", [])
    return [i["action"].get("data", "") for i in items]


def bubbles(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for m in messages:
        if m["type"] == "flex":
            c = m["contents"]
            found += c["contents"] if c["type"] == "carousel" else [c]
    return found


def test_the_welcome_agreement_is_recorded_with_version_and_time_once(env: JobEnv) -> None:
    w = Worker(env)
    welcome = w.send(w.events.follow(w.user))
    assert "g1|agree|1" in quick_data(welcome)
    assert w.contributor().guideline_version is None
    w.tap("g1|agree|1")
    again = w.tap("g1|agree|1")  # a double tap
    found = w.contributor()
    assert (found.guideline_version, found.guideline_agreed_at) == (1, NOW)
    assert "もう記録" in again[0]["text"]


def test_the_guideline_cards_and_a_keyword_come_in_the_workers_language(env: JobEnv) -> None:
    w = Worker(env)
    cards = bubbles(w.tap("g1|guideline"))
    assert len(cards) == 8 and cards[2]["body"]["contents"][0]["text"] == "名札・社員証"
    found = w.send(w.events.text(w.user, "badge"))
    assert [b["body"]["contents"][-2]["text"] for b in bubbles(found)] == ["名札・社員証は写さない"]


def test_a_5000_character_search_is_answered(env: JobEnv) -> None:
    w = Worker(env)
    w.tap("g1|guide_search")
    answer = w.send(w.events.text(w.user, "ほ" * 5000))
    assert answer[0]["type"] == "text" and "見つかりませんでした" in answer[0]["text"]
    assert len(bubbles(answer)) == 8  # the categories, to read instead


def test_the_theme_of_the_month_follows_the_company_time_zone(env: JobEnv) -> None:
    with env.services.db.write() as s:
        s.add(
            Theme(
                slug="dec",
                title="12月のテーマ",
                month="2026-12",
                starts_on="2026-12-01",
                description="手元",
                created_at=NOW,
            )
        )
    w = Worker(env)
    (card,) = bubbles(w.tap("g1|month_theme"))
    assert card["body"]["contents"][0]["text"] == "12月のテーマ"
    send = card["footer"]["contents"][0]["action"]["data"]
    assert send == "g1|theme_next|dec"


def test_examples_show_an_image_only_where_the_face_choice_allows(
    env: JobEnv, tmp_path: Path
) -> None:
    seeder = Seeder(
        db=env.services.db,
        blobs=env.services.blobs,  # type: ignore[arg-type]
        clock=FakeClock(NOW),
        scratch=tmp_path,
    )
    seeder.theme("daily", "日々の仕事")
    shown = seeder.submission(face="no_face", comment="手元です")
    blurred = seeder.submission(face="blur", comment="ぼかし希望")
    with env.services.db.write() as s:
        for sub in (shown, blurred):
            assert submissions.set_example(s, sub.id, example=True, actor="t", now=NOW)
    w = Worker(env)
    cards = {b["body"]["contents"][-1]["text"]: b for b in bubbles(w.tap("g1|examples"))}
    url = cards["手元です"]["hero"]["url"]
    signer = signer_for(env.services.settings)
    assert url == signer.url(shown.media[0].id, NOW)
    assert "hero" not in cards["ぼかし希望"]  # never a blur original
