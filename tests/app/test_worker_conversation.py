"""A conversation step runs once even if its job is run twice at the same moment."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from app.services import Services
from app.settings import load_settings
from app.worker.base import JobEnv
from app.worker.conversation import _user_step, handle_event
from linesim import Events, LinePlatform
from storage import conversations, inbox, jobs
from storage.blobs import LocalBlobStore
from storage.db import Database
from storage.jobs import ClaimedJob
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


def test_a_step_run_twice_at_once_has_its_effects_once(env: JobEnv) -> None:
    services = env.services
    db = services.db
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


def _job(ids: list[str], *, last: bool) -> ClaimedJob:
    return ClaimedJob(
        id=1,
        kind=jobs.EVENT,
        payload={"event_ids": ids},
        attempts=3 if last else 1,
        max_attempts=3,
        ordering_key="user:U",
    )


def _statuses(env: JobEnv, ids: list[str]) -> list[str]:
    with env.services.db.read() as s:
        return [inbox.get(s, i).status for i in ids]  # type: ignore[union-attr]


def test_one_job_runs_each_of_its_events_in_order_and_hands_back_every_reply(
    env: JobEnv,
) -> None:
    platform = LinePlatform()
    events = Events(platform)
    user = platform.add_user()
    sent = [events.image(user, b"one"), events.image(user, b"two")]
    raw = json.dumps({"destination": "U0", "events": sent}).encode()
    with env.services.db.write() as s:
        inbox.store(s, classify(raw), now=env.services.clock())
    ids = [e["webhookEventId"] for e in sent]

    replies = handle_event(_job(ids, last=False), env)

    assert _statuses(env, ids) == ["handled", "handled"]
    with env.services.db.read() as s:
        outbox = list(s.execute(select(ReplyOutbox).order_by(ReplyOutbox.id)).scalars())  # type: ignore[arg-type]
        reply_jobs = list(
            s.execute(select(Job.id).where(Job.kind == jobs.REPLY).order_by(Job.id)).scalars()  # type: ignore[arg-type]
        )
        (row_state,) = s.execute(select(Conversation.state)).scalars()  # type: ignore[call-overload]
    assert [o.event_id for o in outbox] == ids  # each photo got its answer, in order
    assert list(replies) == reply_jobs and len(reply_jobs) == 2  # all handed to the runner
    draft = conversations.decode(row_state).draft
    assert draft is not None and draft.media == 2  # both photos, one draft
    assert handle_event(_job(ids, last=False), env) == []  # a re-run finds nothing left to do


def test_a_poisoned_event_holds_its_job_back_then_on_the_last_attempt_fails_alone(
    env: JobEnv,
) -> None:
    platform = LinePlatform()
    user = platform.add_user()
    good = Events(platform).text(user, "こんにちは")
    raw = json.dumps({"destination": "U0", "events": [good]}).encode()
    (entry,) = classify(raw)
    poisoned = replace(entry, id="01POISONED", payload="{cut short")  # a damaged stored row
    with env.services.db.write() as s:
        inbox.store(s, [poisoned, entry], now=env.services.clock())
    ids = [poisoned.id, entry.id]

    with pytest.raises(ValueError):
        handle_event(_job(ids, last=False), env)
    assert _statuses(env, ids) == ["queued", "queued"]  # retried later, nothing skipped

    assert handle_event(_job(ids, last=True), env)  # the good one still replies
    assert _statuses(env, ids) == ["failed", "handled"]
    with env.services.db.read() as s:
        dead = list(jobs.list_jobs(s, state=jobs.DEAD, limit=10))
    # The failed event waits in a dead job of its own, which an operator can retry.
    assert [json.loads(j.payload) for j in dead] == [{"event_ids": [poisoned.id]}]
    assert dead[0].last_error is not None and "JSONDecodeError" in dead[0].last_error


def test_at_shutdown_a_last_attempt_gives_nothing_up(env: JobEnv) -> None:
    platform = LinePlatform()
    good = Events(platform).text(platform.add_user(), "こんにちは")
    (entry,) = classify(json.dumps({"destination": "U0", "events": [good]}).encode())
    poisoned = replace(entry, id="01POISONED", payload="{cut short")
    with env.services.db.write() as s:
        inbox.store(s, [poisoned, entry], now=env.services.clock())
    stopping = replace(env, should_stop=lambda: True)
    with pytest.raises(ValueError):  # the runner hands the job back without counting it
        handle_event(_job([poisoned.id, entry.id], last=True), stopping)
    assert _statuses(env, [poisoned.id, entry.id]) == ["queued", "queued"]
