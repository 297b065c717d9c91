"""Finding a worker's own submission by what they type: scoped to that worker, always."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import contributors, drafts, receipts
from storage.db import Database

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def worker(db: Database, n: int) -> str:
    with db.write() as s:
        row, _ = contributors.ensure(s, "U" + str(n) * 32, now=T0)
        return row.id


def submitted(db: Database, cid: str, sid: str, code: str, at: datetime) -> None:
    with db.write() as s:
        drafts.start(s, draft_id=sid, code=code, kind="idea", contributor_id=cid, now=at)
        drafts.submit(s, draft_id=sid, contributor_id=cid, now=at)


def latest(db: Database, cid: str) -> str | None:
    with db.read() as s:
        found = receipts.latest_withdrawable(s, contributor_id=cid)
        return found.id if found is not None else None


def test_a_code_finds_only_the_workers_own_submission(db: Database) -> None:
    mine, theirs = worker(db, 1), worker(db, 2)
    submitted(db, mine, "s1", "AAA-222", T0)
    with db.read() as s:
        found = receipts.own_by_code(s, code="AAA-222", contributor_id=mine)
        assert found is not None and found.id == "s1"
        assert receipts.own_by_code(s, code="AAA-222", contributor_id=theirs) is None
        assert receipts.code_taken(s, "AAA-222") and not receipts.code_taken(s, "ZZZ-999")


def test_a_draft_is_never_found_by_its_code(db: Database) -> None:
    mine = worker(db, 1)
    with db.write() as s:
        drafts.start(s, draft_id="d1", code="DDD-333", kind="idea", contributor_id=mine, now=T0)
    with db.read() as s:
        assert receipts.own_by_code(s, code="DDD-333", contributor_id=mine) is None
        assert receipts.latest_withdrawable(s, contributor_id=mine) is None


def test_the_latest_withdrawable_skips_withdrawn_ones_and_other_workers(db: Database) -> None:
    mine, theirs = worker(db, 1), worker(db, 2)
    submitted(db, mine, "old", "OLD-222", T0)
    submitted(db, mine, "new", "NEW-222", T0 + timedelta(minutes=5))
    submitted(db, theirs, "other", "OTH-222", T0 + timedelta(minutes=9))
    assert latest(db, mine) == "new"
    with db.write() as s:
        drafts.withdraw(s, submission_id="new", contributor_id=mine, now=T0 + timedelta(hours=1))
    assert latest(db, mine) == "old"
