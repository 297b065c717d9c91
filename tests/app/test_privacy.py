"""A worker's deletion request (APPI) and the retention purge: nothing of the person remains.

Every table of the schema is read back row by row after the deletion and searched for the
person's identifiers and words; the media folder is walked for their files. Another worker's
data seeded alongside must come through untouched.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlmodel import SQLModel

from flows.types import Conversation, Draft, DraftKind, Step
from storage import audit, conversations, erasure, inbox, jobs, pushes, retention
from storage.blobs import LocalBlobStore
from storage.models import AuditEntry, PushMessage, ReplyOutbox
from tests.app.conftest import Seeded, Seeder
from webhooks.ingest import classify

NAME = "佐藤 一郎"
COMMENT = "第二ラインの佐藤です、朝の点検"


def everything(db) -> str:
    """Every value of every row of every table, as one text."""
    parts: list[str] = []
    with db.read() as s:
        for table in SQLModel.metadata.sorted_tables:
            for row in s.execute(select(table)).all():
                parts += [str(v) for v in row]
    return "\n".join(parts)


def stored_files(blobs: LocalBlobStore) -> list[str]:
    return [b.key for b in blobs.listing()]


def message_from(db, clock, line_user_id: str, words: str, source_type: str = "user") -> str:
    """A text message from this user, stored by the webhook's own code, with a reply queued."""
    # An unknown source type is kept whole (for the operator) with no source id to find it by.
    source = {"type": source_type, "userId": line_user_id}
    body = {
        "destination": "Ubot",
        "events": [
            {
                "type": "message",
                "mode": "active",
                "timestamp": 1764234000000,
                "webhookEventId": f"01EV{abs(hash(words)) % 10**20:020d}",
                "deliveryContext": {"isRedelivery": False},
                "source": source,
                "replyToken": "r" * 32,
                "message": {"type": "text", "id": "5551", "quoteToken": "q", "text": words},
            }
        ],
    }
    (entry,) = classify(json.dumps(body, ensure_ascii=False).encode())
    with db.write() as s:
        inbox.store(s, [entry], now=clock())
        s.add(
            ReplyOutbox(
                event_id=entry.id,
                reply_token="r" * 32,
                messages=json.dumps([{"type": "text", "text": f"{words} を受け付けました"}]),
                state="pending",
                expires_at=clock(),
                created_at=clock(),
            )
        )
    return entry.id


@pytest.fixture
def person(seed: Seeder, db, clock) -> dict:
    """One worker with a bit of everything: items in each state, a draft, a chat, messages."""
    who = seed.contributor(display_name=NAME)
    made: list[Seeded] = [
        seed.submission(contributor=who, status="approved", comment=COMMENT, photos=2),
        seed.submission(
            contributor=who,
            status="published",
            face="blur",
            variants=("original", "thumbnail", "blurred"),
        ),
        seed.submission(contributor=who, status="rejected", comment=COMMENT),
        seed.submission(contributor=who, status="withdrawn"),
        seed.submission(contributor=who, status="draft", comment=COMMENT),
    ]
    draft = made[-1]
    with db.write() as s:
        conversations.save(
            s,
            who[0],
            Conversation(
                step=Step.ASK_COMMENT,
                draft=Draft(id=draft.id, code=draft.code, kind=DraftKind.PHOTO, comment=COMMENT),
                updated_at=clock(),
            ),
            version=0,
            now=clock(),
        )
        jobs.enqueue(
            s,
            jobs.JobSpec(kind=jobs.PROFILE, payload=json.dumps({"contributor_id": who[0]})),
            now=clock(),
        )
    message_from(db, clock, who[1], COMMENT)
    message_from(db, clock, who[1], "未知の送信元から", source_type="hologram")
    return {"contributor": who, "made": made}


@pytest.fixture
def bystander(seed: Seeder, db, clock) -> dict:
    who = seed.contributor(display_name="田中 次郎")
    kept = seed.submission(contributor=who, status="approved", comment="田中の写真")
    event = message_from(db, clock, who[1], "田中のメッセージ")
    return {"contributor": who, "kept": kept, "event": event}


def secrets_of(person: dict) -> list[str]:
    cid, line_user_id = person["contributor"]
    found = [cid, line_user_id, NAME, COMMENT, "未知の送信元から"]
    for s in person["made"]:
        found += [s.code, *(m.id for m in s.media)]
    return found


class TestErasure:
    def test_their_pushes_go_and_they_leave_the_multicasts_others_still_get(
        self, db, blobs, clock, person, bystander
    ) -> None:
        cid, other = person["contributor"][0], bystander["contributor"][0]
        code = person["made"][0].code
        note = [{"type": "text", "text": f"{NAME}さん、{code} が使われました"}]
        with db.write() as s:
            pushes.add(
                s, kind="feedback", recipients=[cid], messages=note, not_before=clock(), now=clock()
            )
            shared = pushes.add(
                s,
                kind="reminder",
                recipients=[cid, other],
                messages=[{"type": "text", "text": "今月のテーマ"}],
                not_before=clock(),
                now=clock(),
            )
        erasure.erase_worker(db, blobs, cid, actor="admin", now=clock())
        after = everything(db)
        assert cid not in after and code not in after and NAME not in after
        with db.read() as s:
            rows = list(s.execute(select(PushMessage)).scalars())
        assert [(r.id, json.loads(r.recipients)) for r in rows] == [(shared, [other])]

    def test_their_sent_pushes_still_count_against_the_month_but_hold_nothing_of_them(
        self, db, blobs, clock, person
    ) -> None:
        cid = person["contributor"][0]
        item = person["made"][0]
        note = [{"type": "text", "text": f"{NAME}さん、{item.code} が使われました"}]
        with db.write() as s:
            sent = pushes.add(
                s,
                kind="feedback",
                recipients=[cid],
                messages=note,
                not_before=clock(),
                now=clock(),
                dedup_key=f"published:{item.id}",
            )
            assert sent is not None
            pushes.finish(s, sent, state=pushes.SENT, now=clock(), cost=1)
            pushes.add(
                s,
                kind="feedback",
                recipients=[cid],
                messages=note,
                not_before=clock(),
                now=clock(),
                dedup_key=f"reactions:{item.id}:3",
            )
        month = clock() - timedelta(days=1)
        with db.read() as s:
            assert pushes.used_since(s, month) == 1

        erasure.erase_worker(db, blobs, cid, actor="admin", now=clock())
        again = erasure.erase_worker(db, blobs, cid, actor="admin", now=clock())

        assert again.already and not again.found
        with db.read() as s:
            # LINE counted the push sent to them: the month's budget still does.
            assert pushes.used_since(s, month) == 1
            (row,) = s.execute(select(PushMessage)).scalars()
        assert (row.id, row.state, row.cost, row.kind) == (sent, "sent", 1, "feedback")
        assert row.sent_at is not None
        assert json.loads(row.recipients) == [] and json.loads(row.messages) == []
        assert row.dedup_key is None
        after = everything(db)
        assert cid not in after and item.code not in after
        assert NAME not in after

    def test_nothing_of_the_person_remains_and_the_bystander_is_untouched(
        self, db, blobs, clock, person, bystander
    ) -> None:
        before = everything(db)
        assert all(s in before for s in secrets_of(person))
        assert any(person["made"][0].media[0].id in k for k in stored_files(blobs))

        done = erasure.erase_worker(db, blobs, person["contributor"][0], actor="admin", now=clock())

        assert done.found and not done.already
        assert done.submissions == 5
        assert done.media == 6  # 2 + 1 + 1 + 1 + 1
        # Two files each, three for the blur item; the withdrawn item's files were still
        # waiting for their purge job (the seed runs no worker), so they go now too.
        assert done.files == 13
        after = everything(db)
        for secret in secrets_of(person):
            assert secret not in after, secret
        for key in stored_files(blobs):
            assert not any(m.id in key for s in person["made"] for m in s.media), key
        # The bystander keeps everything.
        assert bystander["kept"].code in after
        assert bystander["contributor"][1] in after
        assert "田中のメッセージ" in after
        for m in bystander["kept"].media:
            assert set(stored_files(blobs)) >= set(m.keys.values())

    def test_one_audit_entry_remains_with_a_hashed_reference_and_counts(
        self, db, blobs, clock, person
    ) -> None:
        cid = person["contributor"][0]
        erasure.erase_worker(db, blobs, cid, actor="admin@example.com", now=clock())
        with db.read() as s:
            (entry,) = audit.for_target(s, "contributor", erasure.reference_of(cid))
            redacted = (
                s.execute(select(AuditEntry).where(AuditEntry.target_id == person["made"][0].id))
                .scalars()
                .all()
            )
        assert entry.action == "erase_worker" and entry.actor == "admin@example.com"
        assert json.loads(entry.detail) == {"submissions": 5, "media": 6, "events": 2, "jobs": 2}
        assert entry.target_id != cid and cid not in entry.detail
        # Entries about their items stay (what happened), their details do not (who said what).
        assert redacted and all(json.loads(e.detail) == {"redacted": True} for e in redacted)

    def test_doing_it_again_changes_nothing(self, db, blobs, clock, person) -> None:
        cid = person["contributor"][0]
        erasure.erase_worker(db, blobs, cid, actor="admin", now=clock())
        snapshot = everything(db)
        again = erasure.erase_worker(db, blobs, cid, actor="admin", now=clock())
        assert not again.found and again.already
        assert everything(db) == snapshot

    def test_a_submission_code_finds_the_worker(self, db, blobs, clock, person) -> None:
        code = person["made"][2].code.lower()  # as someone might type it
        done = erasure.erase_worker(db, blobs, code, actor="admin", now=clock())
        assert done.found and done.submissions == 5
        assert person["contributor"][1] not in everything(db)

    def test_a_line_user_id_finds_the_worker(self, db, blobs, clock, person) -> None:
        done = erasure.erase_worker(db, blobs, person["contributor"][1], actor="admin", now=clock())
        assert done.found and done.submissions == 5

    def test_a_dry_run_counts_and_changes_nothing(self, db, blobs, clock, person) -> None:
        before, files = everything(db), stored_files(blobs)
        plan = erasure.erase_worker(
            db, blobs, person["contributor"][0], actor="admin", now=clock(), dry_run=True
        )
        assert plan.dry_run and plan.found and plan.submissions == 5 and plan.media == 6
        assert everything(db) == before and stored_files(blobs) == files

    @pytest.mark.parametrize(
        "who", ["", "nobody", "ZZZ-ZZZ", "U" + "0" * 32, "x" * 500, "%", "' OR 1=1 --"]
    )
    def test_no_match_deletes_nothing(self, db, blobs, clock, person, who) -> None:
        before = everything(db)
        done = erasure.erase_worker(db, blobs, who, actor="admin", now=clock())
        assert not done.found and not done.already
        assert everything(db) == before

    def test_with_every_file_gone_no_purge_job_is_left_behind(
        self, db, blobs, clock, person
    ) -> None:
        erasure.erase_worker(db, blobs, person["contributor"][0], actor="admin", now=clock())
        with db.read() as s:
            assert s.execute(text("SELECT count(*) FROM job WHERE kind = 'purge'")).scalar() == 0


class TestRetention:
    def test_old_rejected_items_and_stale_drafts_go_the_rest_stays(
        self, db, blobs, clock, seed: Seeder
    ) -> None:
        who = seed.contributor()
        t = clock()
        old_rejected = seed.submission(
            contributor=who, status="rejected", at=t - timedelta(days=40)
        )
        old_draft = seed.submission(contributor=who, status="draft", at=t - timedelta(days=40))
        new_rejected = seed.submission(contributor=who, status="rejected", at=t - timedelta(days=5))
        old_approved = seed.submission(
            contributor=who, status="approved", at=t - timedelta(days=400)
        )
        with db.write() as s:
            conversations.save(
                s,
                who[0],
                Conversation(
                    step=Step.ASK_FACE,
                    draft=Draft(id=old_draft.id, code=old_draft.code, kind=DraftKind.PHOTO),
                ),
                version=0,
                now=t - timedelta(days=40),
            )
        plan = retention.purge_expired(db, blobs, days=30, now=t, actor="admin", dry_run=True)
        assert (plan.rejected, plan.drafts, plan.media) == (1, 1, 2)
        assert old_rejected.code in everything(db)

        done = retention.purge_expired(db, blobs, days=30, now=t, actor="admin")
        assert (done.rejected, done.drafts, done.media, done.files) == (1, 1, 2, 4)
        after = everything(db)
        assert old_rejected.code not in after and old_draft.code not in after
        assert new_rejected.code in after and old_approved.code in after
        keys = stored_files(blobs)
        assert not [k for k in keys if old_rejected.media[0].id in k or old_draft.media[0].id in k]
        assert set(new_rejected.media[0].keys.values()) <= set(keys)
        with db.read() as s:
            loaded = conversations.load(s, who[0])
        assert loaded.conversation.draft is None and loaded.conversation.step is Step.IDLE
        # Again: nothing left to purge.
        again = retention.purge_expired(db, blobs, days=30, now=t, actor="admin")
        assert (again.rejected, again.drafts) == (0, 0)

    def test_pushes_about_purged_items_keep_nothing_but_their_count(
        self, db, blobs, clock, seed: Seeder
    ) -> None:
        who = seed.contributor()
        t = clock()
        old = seed.submission(contributor=who, status="rejected", at=t - timedelta(days=40))
        new = seed.submission(contributor=who, status="rejected", at=t - timedelta(days=5))
        note = "顔が写っています、佐藤さんへ"
        notice_key = "7d1f3a52-0000-4000-8000-00000000c0de"

        def push(kind: str, key: str, item: Seeded) -> int:
            words = [{"type": "text", "text": f"{item.code}: {note}"}]
            queued = pushes.add(
                s,
                kind=kind,
                recipients=[who[0]],
                messages=words,
                not_before=t,
                now=t,
                dedup_key=key,
            )
            assert queued is not None
            return queued

        with db.write() as s:
            sent = push("rejection", pushes.item_key("rejection", old.id), old)
            pushes.finish(s, sent, state=pushes.SENT, now=t, cost=1)
            push("media_notice", notice_key, old)  # not sent yet: the worker process was down
            s.execute(
                text("UPDATE media SET notice_key = :k WHERE id = :m"),
                {"k": notice_key, "m": old.media[0].id},
            )
            kept = push("rejection", pushes.item_key("rejection", new.id), new)
        month = t - timedelta(days=1)

        done = retention.purge_expired(db, blobs, days=30, now=t, actor="admin")

        assert done.rejected == 1
        with db.read() as s:
            assert pushes.used_since(s, month) == 1  # LINE counted it: the budget still does
            rows = {r.id: r for r in s.execute(select(PushMessage)).scalars()}
        assert set(rows) == {sent, kept}  # the unsent notice went
        bare = rows[sent]
        assert (bare.kind, bare.state, bare.cost) == ("rejection", "sent", 1)
        assert bare.sent_at is not None
        assert json.loads(bare.recipients) == [] and json.loads(bare.messages) == []
        assert bare.dedup_key is None and bare.error is None
        after = everything(db)
        assert old.code not in after
        assert after.count(note) == 1 and new.code in after  # only the newer item's push
        assert not [r for r in rows.values() if old.id in str(r.dedup_key)]
        assert json.loads(rows[kept].recipients) == [who[0]]

    @pytest.mark.parametrize("days", [0, -1, 3651])
    def test_days_out_of_range_are_refused(self, db, blobs, clock, days) -> None:
        with pytest.raises(ValueError):
            retention.purge_expired(db, blobs, days=days, now=clock(), actor="admin")


def test_the_blob_folder_really_holds_files(blobs: LocalBlobStore, seed: Seeder) -> None:
    s = seed.submission()
    for key in s.media[0].keys.values():
        assert (Path(blobs.root) / key).is_file()


def test_the_retention_setting_purges_at_worker_start(
    database_url: str, tmp_path: Path, clock
) -> None:
    from datetime import timedelta as td

    from app.worker.kinds import sweep_at_start
    from tests.app.conftest import services_for_test

    services = services_for_test(database_url, tmp_path, clock, GENBA_RETENTION_DAYS="30")
    try:
        scratch = tmp_path / "scratch-start"
        scratch.mkdir()
        blobs = services.blobs
        assert isinstance(blobs, LocalBlobStore)
        seeder = Seeder(db=services.db, blobs=blobs, clock=clock, scratch=scratch)
        old = seeder.submission(status="rejected", theme=None, at=clock() - td(days=31))
        young = seeder.submission(status="rejected", theme=None, at=clock() - td(days=29))
        sweep_at_start(services, older_than=td(minutes=2))
        text_now = everything(services.db)
        assert old.code not in text_now and young.code in text_now
        assert not [k for k in stored_files(blobs) if old.media[0].id in k]
    finally:
        services.close()
