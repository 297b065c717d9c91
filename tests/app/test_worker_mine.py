"""The worker step for "my submissions" taps: someone else's submission is refused and logged."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from app.services import Services
from app.settings import load_settings
from app.worker.base import JobEnv
from app.worker.conversation import _user_step
from linesim import Events, LinePlatform
from storage import contributors, drafts, inbox, themes
from storage.blobs import LocalBlobStore
from storage.db import Database
from storage.models import ReplyOutbox, Submission
from tests.app.test_worker_conversation import QuietLine
from webhooks.events import parse_event, translate
from webhooks.i18n import load_catalogue
from webhooks.ingest import classify


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> Iterator[JobEnv]:
    db = Database(database_url)
    SQLModel.metadata.create_all(db.engine)
    services = Services(
        settings=load_settings(_env_file=None, GENBA_DATA_DIR=str(tmp_path)),
        db=db,
        line=QuietLine(),
        blobs=LocalBlobStore(tmp_path / "media"),
        catalogue=load_catalogue(),
    )
    yield JobEnv(services=services, worker_id="w", should_stop=lambda: False)
    db.dispose()


def _step(env: JobEnv, event: dict[str, Any]) -> list[dict[str, Any]]:
    services = env.services
    raw = json.dumps({"destination": "U0", "events": [event]}).encode()
    with services.db.write() as s:
        inbox.store(s, classify(raw), now=services.clock())
    with services.db.read() as s:
        row = inbox.get(s, event["webhookEventId"])
    assert row is not None
    parsed = parse_event(json.loads(row.payload))
    assert parsed is not None
    _user_step(env, row, translate(parsed))  # type: ignore[arg-type]
    with services.db.read() as s:
        sent = s.execute(select(ReplyOutbox).where(ReplyOutbox.event_id == row.id)).scalar_one()
    return json.loads(sent.messages)


@pytest.mark.parametrize(
    "tap",
    [
        "g1|reface_to|{id}|no_face",  # change the face choice
        "g1|reface|{id}",  # ask which face choice
        "g1|withdraw|{id}",  # ask to confirm withdrawing
        "g1|withdraw_yes|{id}",  # withdraw
    ],
)
def test_a_tap_naming_another_workers_submission_is_refused_like_an_unknown_one_and_logged(
    env: JobEnv, caplog: pytest.LogCaptureFixture, tap: str
) -> None:
    platform = LinePlatform()
    events = Events(platform)
    owner, intruder = platform.add_user(), platform.add_user()
    now = env.services.clock()
    with env.services.db.write() as s:
        row, _ = contributors.ensure(s, owner, now=now)
        drafts.start(
            s, draft_id="01OWNERSSUB", code="AAA-BBB", kind="photo", contributor_id=row.id, now=now
        )
        drafts.set_face(s, draft_id="01OWNERSSUB", contributor_id=row.id, face="show", now=now)
        drafts.submit(s, draft_id="01OWNERSSUB", contributor_id=row.id, now=now)
    caplog.set_level(logging.WARNING, logger="genba.conversation")
    foreign = _step(env, events.postback(intruder, tap.format(id="01OWNERSSUB")))
    assert "another worker" in caplog.text and intruder not in caplog.text
    caplog.clear()
    unknown = _step(env, events.postback(intruder, tap.format(id="01NOSUCHSUB")))
    assert "another worker" not in caplog.text
    assert [m["text"] for m in foreign] == [m["text"] for m in unknown]
    with env.services.db.read() as s:
        kept = s.get(Submission, "01OWNERSSUB")
    assert kept is not None and (kept.face, kept.status) == ("show", "new")


@pytest.mark.parametrize(
    ("language", "title", "status"),
    [
        ("vi", "Công việc hằng ngày", "Đã nhận"),
        ("pt-BR", "Trabalho diário", "Recebido"),
        ("zh-Hans", "日常工作", "已收到"),
        ("ja-x-easy", "まいにちの しごと", "受（う）け取（と）りました"),
        ("ko", "毎日の仕事", "受け付けました"),  # no Korean catalogue: Japanese
    ],
)
def test_my_submissions_cards_speak_the_workers_language_theme_title_included(
    env: JobEnv, language: str, title: str, status: str
) -> None:
    platform = LinePlatform()
    events = Events(platform)
    owner = platform.add_user()
    now = env.services.clock()
    translations = {
        "vi": "Công việc hằng ngày",
        "pt-BR": "Trabalho diário",
        "zh-Hans": "日常工作",
        "ja-x-easy": "まいにちの しごと",
    }
    with env.services.db.write() as s:
        themes.create(
            s,
            slug="daily-work",
            values={"title": "毎日の仕事", "translations": json.dumps(translations)},
            now=now,
        )
        row, _ = contributors.ensure(s, owner, now=now)
        contributors.set_language(s, row.id, language=language, now=now)
        drafts.start(
            s, draft_id="01MINE", code="AAA-BBB", kind="photo", contributor_id=row.id, now=now
        )
        drafts.set_theme(s, draft_id="01MINE", contributor_id=row.id, slug="daily-work", now=now)
        drafts.set_face(s, draft_id="01MINE", contributor_id=row.id, face="show", now=now)
        drafts.submit(s, draft_id="01MINE", contributor_id=row.id, now=now)
    (carousel,) = _step(env, events.postback(owner, "g1|mine"))
    said = json.dumps(carousel["contents"], ensure_ascii=False)
    assert title in said and status in said
