"""A conversation step runs once even if its job is run twice at the same moment."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import SQLModel

from app.services import Services
from app.settings import load_settings
from app.worker.base import JobEnv
from app.worker.conversation import _user_step
from linesim import Events, LinePlatform
from storage import conversations, inbox
from storage.blobs import LocalBlobStore
from storage.db import Database
from storage.models import Conversation, Job, Media, ReplyOutbox, Submission
from webhooks.events import parse_event, translate
from webhooks.i18n import load_catalogue
from webhooks.ingest import classify
from webhooks.line_api import Download, Profile


class QuietLine:
    """A LineApi that knows every user and sends nothing (replies are not under test here)."""

    def reply(self, reply_token: str, messages: Sequence[dict[str, Any]]) -> None:
        raise AssertionError("no reply is sent by a conversation step itself")

    def profile(self, user_id: str) -> Profile | None:
        return Profile(display_name="山田", language="ja")

    def download(
        self, message_id: str, dest: Path, *, max_bytes: int, should_stop: Callable[[], bool]
    ) -> Download:
        raise AssertionError("not used")

    def close(self) -> None:
        pass


def test_a_step_run_twice_at_once_has_its_effects_once(database_url: str, tmp_path: Path) -> None:
    db = Database(database_url)
    SQLModel.metadata.create_all(db.engine)
    services = Services(
        settings=load_settings(_env_file=None, GENBA_DATA_DIR=str(tmp_path)),
        db=db,
        line=QuietLine(),
        blobs=LocalBlobStore(tmp_path / "media"),
        catalogue=load_catalogue(),
    )
    env = JobEnv(services=services, worker_id="w", should_stop=lambda: False)
    platform = LinePlatform()
    photo = Events(platform).image(platform.add_user(), b"jpeg bytes")
    raw = json.dumps({"destination": "U0", "events": [photo]}).encode()
    with db.write() as s:
        inbox.store(s, classify(raw), now=services.clock())
    with db.read() as s:
        row = inbox.get(s, photo["webhookEventId"])
    assert row is not None
    parsed = parse_event(json.loads(row.payload))
    assert parsed is not None
    event = translate(parsed)

    # Both runs got past the first check (a lease ran out under a slow step, say).
    first = _user_step(env, row, event)  # type: ignore[arg-type]
    second = _user_step(env, row, event)  # type: ignore[arg-type]

    assert first is not None and second is None
    with db.read() as s:
        assert len(list(s.execute(select(Submission)).scalars())) == 1
        assert len(list(s.execute(select(Media)).scalars())) == 1
        assert len(list(s.execute(select(ReplyOutbox)).scalars())) == 1
        kinds = sorted(j.kind for j in s.execute(select(Job)).scalars())
        (row_state,) = s.execute(select(Conversation.state)).scalars()  # type: ignore[call-overload]
    state = conversations.decode(row_state)
    assert kinds == ["event", "media", "profile", "reply"]
    # The second run did not count the same photo again in the draft it asks about.
    assert state.draft is not None and state.draft.media == 1
    db.dispose()
