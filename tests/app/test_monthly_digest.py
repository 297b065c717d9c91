"""The monthly digest sent by itself on GENBA_DIGEST_DAY: when it is due, once a month, off at 0."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from app.pushes import monthly
from app.worker.kinds import build_worker
from storage.models import AuditEntry, PushMessage, Submission
from tests.app.conftest import FakeClock, bearer
from tests.app.push_kit import Pushing, make_pushing
from tests.app.workspace_kit import person, signed_in

TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TOKYO)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("now", "day", "last", "due"),
    [
        (tokyo(2026, 12, 1, 0, 0), 1, "2026-10", "2026-11"),  # the first minute of the day
        (tokyo(2026, 11, 30, 23, 59), 1, "2026-10", None),  # not before the day
        (tokyo(2026, 12, 2, 10, 0), 1, "2026-10", "2026-11"),  # down on the 1st: the 2nd
        (tokyo(2026, 12, 8, 23, 59), 1, "2026-10", "2026-11"),  # the day plus 7 days
        (tokyo(2026, 12, 9, 0, 0), 1, "2026-10", None),  # later: skipped, never weeks late
        (tokyo(2026, 12, 1, 9, 0), 1, "2026-11", None),  # queued already (by PR or by itself)
        (tokyo(2026, 12, 1, 9, 0), 1, "2026-12", None),  # a later month was sent by hand
        (tokyo(2026, 12, 1, 9, 0), 1, None, "2026-11"),  # never one before
        (tokyo(2026, 12, 1, 9, 0), 0, None, None),  # off
        (tokyo(2027, 1, 1, 0, 0), 1, "2026-11", "2026-12"),  # across the year
        (tokyo(2026, 12, 15, 9, 0), 15, "2026-10", "2026-11"),
        (tokyo(2026, 12, 14, 9, 0), 15, "2026-10", None),
        (tokyo(2027, 3, 2, 9, 0), 28, "2026-12", "2027-01"),  # Feb 28's window runs into March
        (tokyo(2027, 3, 8, 9, 0), 28, "2026-12", None),
        (tokyo(2027, 3, 28, 9, 0), 28, "2027-01", "2027-02"),
    ],
)
def test_month_due(now: datetime, day: int, last: str | None, due: str | None) -> None:
    assert monthly.month_due(now, day, last) == due


@pytest.mark.parametrize(
    ("now", "day", "last", "expected"),
    [
        (tokyo(2026, 11, 27, 18, 0), 1, "2026-10", (date(2026, 12, 1), "2026-11")),
        (tokyo(2026, 12, 1, 9, 0), 1, "2026-10", (date(2026, 12, 1), "2026-11")),  # due now
        (tokyo(2026, 12, 1, 9, 0), 1, "2026-11", (date(2027, 1, 1), "2026-12")),
        (tokyo(2026, 12, 3, 9, 0), 5, "2026-11", (date(2027, 1, 5), "2026-12")),  # sent by hand
        (tokyo(2026, 12, 3, 9, 0), 0, None, None),
    ],
)
def test_next_digest(now: datetime, day: int, last: str | None, expected) -> None:
    assert monthly.next_digest(now, day, last) == expected


@pytest.fixture
def pushing(database_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Pushing]:
    """The defaults: digest on the 1st, quiet hours 21-8 in Asia/Tokyo."""
    yield from make_pushing(database_url, tmp_path, clock)


@pytest.fixture
def off(database_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Pushing]:
    yield from make_pushing(database_url, tmp_path, clock, GENBA_DIGEST_DAY="0")


def published_in_november(p: Pushing) -> None:
    p.seed.submission(face="show", status="published")
    with p.db.write() as s:
        s.execute(update(Submission).values(published_at=datetime(2026, 11, 20, tzinfo=UTC)))


def digest_rows(p: Pushing) -> list[PushMessage]:
    with p.db.read() as s:
        return list(s.execute(select(PushMessage).where(PushMessage.kind == "digest")).scalars())


def entries(p: Pushing, action: str) -> list[AuditEntry]:
    with p.db.read() as s:
        return list(s.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars())


class TestSentByItself:
    def test_queued_once_on_the_day_after_the_quiet_hours_and_never_again(self, pushing: Pushing):
        friend = pushing.worker_friend(language="en", notices="all")[1]
        published_in_november(pushing)
        pushing.clock.now = tokyo(2026, 11, 30, 23, 50)
        pushing.worker.run_chores()
        assert digest_rows(pushing) == []

        pushing.clock.now = tokyo(2026, 12, 1, 0, 10)
        pushing.worker.run_chores()
        (row,) = digest_rows(pushing)
        assert row.not_before == tokyo(2026, 12, 1, 8, 0)  # quiet hours apply
        (entry,) = entries(pushing, "digest")
        assert (entry.actor, entry.target_id) == ("monthly schedule", "2026-11")
        pushing.drain()
        assert pushing.texts(friend) == []
        pushing.clock.now = tokyo(2026, 12, 1, 8, 0)
        pushing.drain()
        (text,) = pushing.texts(friend)
        assert text.startswith("In 2026-11, we posted what you sent us (1 in all)")

        # Later looks, by this worker or another, and PR's button: nothing more.
        other = build_worker(pushing.services, name="w-other")
        for hour in (8, 12, 23):
            pushing.clock.now = tokyo(2026, 12, 1, hour, 30)
            pushing.worker.run_chores()
            other.run_chores()
        pushing.clock.now = tokyo(2026, 12, 5, 9, 0)
        other.run_chores()
        pushing.drain()
        admin = bearer(pushing.seed.token("admin"))
        again = pushing.client.post("/api/v1/digests", json={"month": "2026-11"}, headers=admin)
        assert again.status_code == 409
        assert len(digest_rows(pushing)) == 1 and len(entries(pushing, "digest")) == 1
        assert len(pushing.texts(friend)) == 1

    def test_two_workers_looking_at_once_queue_it_once(self, pushing: Pushing):
        pushing.worker_friend(notices="all")
        published_in_november(pushing)
        pushing.clock.now = tokyo(2026, 12, 1, 9, 0)
        workers = [build_worker(pushing.services, name=f"w-{i}") for i in range(4)]
        start = threading.Barrier(len(workers))

        def look(worker) -> None:
            start.wait()
            worker.run_chores()

        threads = [threading.Thread(target=look, args=(w,)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(digest_rows(pushing)) == 1
        assert len(entries(pushing, "digest")) == 1 and entries(pushing, "digest_skipped") == []

    def test_a_worker_down_on_the_day_sends_it_late_but_not_weeks_late(self, pushing: Pushing):
        pushing.worker_friend(notices="all")
        published_in_november(pushing)
        pushing.clock.now = tokyo(2026, 12, 9, 9, 0)
        pushing.worker.run_chores()
        assert digest_rows(pushing) == []
        pushing.clock.now = tokyo(2026, 12, 3, 9, 0)
        pushing.worker.run_chores()
        assert len(digest_rows(pushing)) == 1

    def test_a_month_with_nothing_published_is_skipped_once_with_the_reason(self, pushing: Pushing):
        pushing.worker_friend(notices="all")
        for hour in (9, 10):
            pushing.clock.now = tokyo(2026, 12, 1, hour, 0)
            pushing.worker.run_chores()
        assert digest_rows(pushing) == []
        (skipped,) = entries(pushing, "digest_skipped")
        assert skipped.target_id == "2026-11" and "nothing was published" in skipped.detail

    def test_with_nobody_opted_in_yet_it_goes_once_someone_does_within_the_window(
        self, pushing: Pushing
    ):
        published_in_november(pushing)
        pushing.clock.now = tokyo(2026, 12, 1, 9, 0)
        pushing.worker.run_chores()  # nobody wants digests yet: nothing to queue, nothing noted
        assert digest_rows(pushing) == [] and entries(pushing, "digest_skipped") == []
        friend = pushing.worker_friend(language="en", notices="all")[1]  # opts in on the 3rd
        pushing.clock.now = tokyo(2026, 12, 3, 9, 0)
        pushing.worker.run_chores()
        assert len(digest_rows(pushing)) == 1
        pushing.drain()
        (text,) = pushing.texts(friend)
        assert text.startswith("In 2026-11, we posted what you sent us (1 in all)")

    def test_a_theme_is_named_as_the_rejection_names_it_in_the_base_language(
        self, pushing: Pushing
    ):
        # Titles stored by base language ("pt") serve a pt-BR worker in every push alike.
        pushing.seed.theme("safety", "安全第一", translations='{"pt": "Segurança em primeiro"}')
        friend = pushing.worker_friend(language="pt-BR", notices="all")
        published_in_november(pushing)
        with pushing.db.write() as s:
            s.execute(update(Submission).values(theme="safety"))
        pushing.clock.now = tokyo(2026, 12, 1, 9, 0)
        pushing.worker.run_chores()
        rejected = pushing.seed.submission(contributor=friend, theme="safety")
        answer = pushing.client.patch(
            f"/api/v1/submissions/{rejected.id}",
            json={"status": "rejected", "note": "Fora de foco.", "send_reason": True},
            headers=bearer(pushing.seed.token("reviewer")),
        )
        assert answer.status_code == 200, answer.text
        pushing.drain()
        digest, reason = pushing.texts(friend[1])
        assert "Segurança em primeiro" in digest and "安全第一" not in digest
        assert "Segurança em primeiro" in reason and "安全第一" not in reason

    def test_off_when_the_day_is_0(self, off: Pushing):
        off.worker_friend(notices="all")
        published_in_november(off)
        off.clock.now = tokyo(2026, 12, 1, 9, 0)
        off.worker.run_chores()
        assert digest_rows(off) == [] and entries(off, "digest_skipped") == []
        signed_in(off.client, person(off.db, off.clock, "viewer"))
        page = off.client.get("/admin/reminders").text
        assert "Not sent by itself (GENBA_DIGEST_DAY is 0)" in page
        api = off.client.get("/api/v1/campaigns", headers=bearer(off.seed.token("viewer")))
        assert api.json()["next_digest"] is None

    def test_the_page_says_when_the_next_one_goes(self, pushing: Pushing):
        signed_in(pushing.client, person(pushing.db, pushing.clock, "viewer"))
        page = pushing.client.get("/admin/reminders").text
        assert "“what we posted in 2026-11”, goes on 2026-12-01 from 08:00" in page
        api = pushing.client.get("/api/v1/campaigns", headers=bearer(pushing.seed.token("viewer")))
        assert api.json()["next_digest"] == {
            "month": "2026-11",
            "day": "2026-12-01",
            "not_before": "2026-11-30T23:00:00Z",
            "due_now": False,
        }

    def test_the_running_worker_looks_at_start_and_stops_cleanly(self, pushing: Pushing):
        friend = pushing.worker_friend(notices="all")[1]
        published_in_november(pushing)
        pushing.clock.now = tokyo(2026, 12, 1, 9, 0)
        pushing.worker.start()
        try:
            pushing.sim.platform.wait_for_deliveries(friend, 1, timeout=60)
        finally:
            pushing.worker.stop(grace=10)
        assert not any(t.is_alive() for t in threading.enumerate() if t.name == "genba-chores")
        assert len(digest_rows(pushing)) == 1
