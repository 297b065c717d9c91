"""Conversation state: a save over a state that changed since it was loaded fails loudly."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows.machine import is_valid
from flows.types import Batch, Conversation, Draft, DraftKind, MediaCount, Step
from storage import contributors, conversations
from storage.conversations import StaleConversation
from storage.db import Database

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
def cid(db: Database) -> str:
    with db.write() as s:
        row, _ = contributors.ensure(s, "U" + "1" * 32, now=T0)
        return row.id


def stored(db: Database, cid: str) -> conversations.Loaded:
    with db.read() as s:
        return conversations.load(s, cid)


def save(db: Database, cid: str, conversation: Conversation, version: int) -> None:
    with db.write() as s:
        conversations.save(s, cid, conversation, version=version, now=T0)


def test_each_save_moves_the_version_on(db: Database, cid: str) -> None:
    assert stored(db, cid) == conversations.Loaded(Conversation(), 0)
    save(db, cid, Conversation(step=Step.ASK_THEME), 0)
    first = stored(db, cid)
    assert (first.conversation.step, first.version) == (Step.ASK_THEME, 1)
    save(db, cid, Conversation(step=Step.ASK_FACE), first.version)
    assert stored(db, cid).version == 2


def test_a_save_over_a_newer_state_fails_and_keeps_the_newer(db: Database, cid: str) -> None:
    save(db, cid, Conversation(step=Step.ASK_THEME), 0)
    slow, quick = stored(db, cid), stored(db, cid)  # two steps of one user met
    save(db, cid, Conversation(step=Step.ASK_FACE), quick.version)
    with pytest.raises(StaleConversation):
        save(db, cid, Conversation(step=Step.IDLE), slow.version)
    assert stored(db, cid).conversation.step == Step.ASK_FACE


def test_two_first_saves_of_one_user_conflict_too(db: Database, cid: str) -> None:
    save(db, cid, Conversation(step=Step.ASK_THEME), 0)
    with pytest.raises(StaleConversation):
        save(db, cid, Conversation(step=Step.ASK_FACE), 0)
    assert stored(db, cid).conversation.step == Step.ASK_THEME


def test_a_step_that_loaded_inside_an_open_transaction_cannot_overwrite(
    postgres_url: str,
) -> None:
    """On PostgreSQL two write transactions can be open at once: the later save still fails."""
    from sqlmodel import SQLModel

    db = Database(postgres_url)
    SQLModel.metadata.create_all(db.engine)
    try:
        with db.write() as s:
            cid = contributors.ensure(s, "U" + "2" * 32, now=T0)[0].id
        save(db, cid, Conversation(step=Step.ASK_THEME), 0)
        with pytest.raises(StaleConversation), db.write() as slow:
            loaded = conversations.load(slow, cid)
            save(db, cid, Conversation(step=Step.ASK_FACE), loaded.version)  # commits first
            conversations.save(slow, cid, Conversation(step=Step.IDLE), version=1, now=T0)
        assert stored(db, cid).conversation.step == Step.ASK_FACE
    finally:
        db.dispose()


def test_an_album_still_arriving_is_kept_whole_across_steps(db: Database, cid: str) -> None:
    waiting = Conversation(
        step=Step.ASK_THEME,
        draft=Draft("d1", "K7F-3QX", DraftKind.PHOTO, media=2, answered_sets=frozenset({"A"})),
        updated_at=T0,
        batch=Batch(newest="m2", opened=True, photos=2, sets=(("S", 3, 2), ("T", None, 1))),
    )
    save(db, cid, waiting, 0)
    assert stored(db, cid).conversation == waiting


def test_a_state_saved_before_albums_were_batched_still_loads() -> None:
    old = (
        '{"step":"ask_theme","draft":{"id":"d1","code":"K7F-3QX","kind":"photo","media":1,'
        '"answered_sets":["S"],"limit_noticed":true,"theme":null,"face":null,"comment":null},'
        '"updated_at":"2026-11-27T09:00:00+00:00","strikes":0,"paused_from":null,"arrived":[],'
        '"pending_text":null}'
    )
    loaded = conversations.decode(old)
    assert loaded.batch is None and loaded.draft is not None
    assert loaded.draft.answered_sets == frozenset({"S"})


def test_a_paused_draft_keeps_its_videos_across_steps(db: Database, cid: str) -> None:
    paused = Conversation(
        step=Step.RESUME,
        draft=Draft("d1", "K7F-3QX", DraftKind.PHOTO, media=4, videos=2),
        updated_at=T0,
        paused_from=Step.ASK_FACE,
        arrived=("m3", "v2"),
        arrived_videos=("v2",),
    )
    save(db, cid, paused, 0)
    assert stored(db, cid).conversation == paused


def test_a_state_saved_before_videos_were_counted_apart_still_loads(db: Database, cid: str) -> None:
    """A draft saved by the code before `videos` (every medium counted as a photo) loads with
    no videos: its thanks and receipt say photos, as they did when it was saved."""
    old = (
        '{"step":"resume","draft":{"id":"d1","code":"K7F-3QX","kind":"photo","media":3,'
        '"answered_sets":[],"theme":"monthly","face":null,"comment":null},'
        '"updated_at":"2026-11-27T09:00:00+00:00","strikes":1,"paused_from":"ask_face",'
        '"arrived":["m3"],"pending_text":null,"batch":null,"theme_next":null}'
    )
    with db.write() as s:  # stored as that code stored it
        s.execute(
            conversations.T.insert().values(
                contributor_id=cid, version=1, step="resume", state=old, updated_at=T0
            )
        )
    loaded = stored(db, cid).conversation
    assert loaded.draft is not None
    assert (loaded.draft.media, loaded.draft.videos) == (3, 0)
    assert loaded.draft.counted == MediaCount(photos=3, videos=0)
    assert loaded.arrived == ("m3",) and loaded.arrived_videos == ()
    assert is_valid(loaded)
