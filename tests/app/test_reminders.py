"""Reminders and the monthly digest: batches of ≤ 500, quiet hours, opt-out, budget, preview."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlmodel import select

from app.demo import demo_settings
from app.pushes import campaigns
from app.pushes.policy import PushPolicy
from app.pushes.shared_media import MediaLinks
from app.settings import Settings
from linesim import LineSim
from linesim.faults import Fail
from storage import contributors, drafts, media, pushes
from storage.models import PushMessage, Submission
from storage.states import FaceCheck
from tests.app.conftest import FakeClock, Seeded, bearer
from tests.app.push_kit import Pushing, make_pushing
from tests.app.workspace_kit import person, signed_in

MULTICAST = "/v2/bot/message/multicast"


@pytest.fixture
def pushing(database_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Pushing]:
    """Budget 5,000 messages a month, quiet hours 21-8 in Asia/Tokyo."""
    yield from make_pushing(database_url, tmp_path, clock, GENBA_PUSH_MONTHLY_BUDGET="5000")


def many_friends(p: Pushing, count: int, *, language: str = "ja") -> list[str]:
    """`count` workers who chose every notice, made in one transaction; their LINE ids."""
    ids = []
    with p.db.write() as s:
        for i in range(count):
            line_id = "U" + hashlib.md5(f"{language}{i}".encode()).hexdigest()
            p.sim.platform.add_user(line_id, language=language)
            row, _ = contributors.ensure(s, line_id, now=p.clock())
            contributors.set_profile(s, row.id, display_name=None, language=language, now=p.clock())
            pushes.set_notices(s, row.id, "all", now=p.clock())
            ids.append(line_id)
    return ids


def remind(p: Pushing, at: str | None = None, role: str = "admin"):
    body = {} if at is None else {"at": at}
    return p.client.post("/api/v1/reminders", json=body, headers=bearer(p.seed.token(role)))


class TestBatches:
    def test_1201_workers_get_one_reminder_each_in_multicasts_of_500(self, pushing: Pushing):
        friends = many_friends(pushing, 1201)
        answer = remind(pushing)
        assert answer.status_code == 202, answer.text
        assert answer.json()["count"] == 1201 and answer.json()["batches"] == 3
        pushing.drain()
        calls = pushing.sim.platform.calls(MULTICAST)
        assert sorted(len(c.body["to"]) for c in calls) == [201, 500, 500]
        assert len({c.headers["x-line-retry-key"] for c in calls}) == 3
        delivered = [d.chat_id for d in pushing.sim.platform.deliveries()]
        assert sorted(delivered) == sorted(friends)  # each exactly once
        with pushing.db.read() as s:
            sent = list(s.exec(select(PushMessage)))
        assert sum(r.cost for r in sent) == 1201  # LINE counts one message per recipient

    def test_each_language_gets_its_own_multicast(self, pushing: Pushing):
        many_friends(pushing, 3, language="ja")
        english = many_friends(pushing, 2, language="en")
        assert remind(pushing).json()["batches"] == 2
        pushing.drain()
        texts = {pushing.texts(u)[0] for u in english}
        assert texts == {pushing.services.catalogue.text("notice.reminder", language="en")}

    def test_a_second_reminder_the_same_day_is_refused(self, pushing: Pushing):
        many_friends(pushing, 2)
        assert remind(pushing).status_code == 202
        assert remind(pushing).status_code == 409
        pushing.drain()
        assert len(pushing.sim.platform.calls(MULTICAST)) == 1

    def test_nobody_opted_in_means_nothing_to_send(self, pushing: Pushing):
        pushing.worker_friend(notices="feedback")
        assert remind(pushing).status_code == 409

    def test_opt_out_after_scheduling_is_honoured(self, pushing: Pushing):
        stays, leaves = many_friends(pushing, 2)
        assert remind(pushing).status_code == 202
        with pushing.db.write() as s:
            row = contributors.by_line_user(s, leaves)
            assert row is not None
            pushes.set_notices(s, row.id, "feedback", now=pushing.clock())
        pushing.drain()
        assert len(pushing.texts(stays)) == 1 and pushing.texts(leaves) == []

    @pytest.mark.parametrize(
        "body", [{"at": "2026-12-01T10:00:00"}, {"at": "tomorrow"}, {"when": "now"}, []]
    )
    def test_a_bad_order_is_refused(self, pushing: Pushing, body):
        answer = pushing.client.post(
            "/api/v1/reminders", json=body, headers=bearer(pushing.seed.token("admin"))
        )
        assert answer.status_code == 422


class TestQuietHours:
    def test_a_reminder_at_22_in_tokyo_waits_until_8(self, pushing: Pushing):
        pushing.clock.now = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)  # 22:00 JST
        (friend,) = many_friends(pushing, 1)
        answer = remind(pushing)
        assert answer.json()["not_before"].startswith("2026-11-27T23:00:00")  # 08:00 JST
        pushing.drain()
        assert pushing.texts(friend) == []
        pushing.clock.now = datetime(2026, 11, 27, 22, 59, tzinfo=UTC)
        pushing.drain()
        assert pushing.texts(friend) == []
        pushing.clock.now = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
        pushing.drain()
        assert len(pushing.texts(friend)) == 1

    def test_a_time_chosen_in_the_quiet_hours_moves_to_their_end(self, pushing: Pushing):
        many_friends(pushing, 1)
        answer = remind(pushing, at="2026-11-28T05:30:00+09:00")
        assert answer.json()["not_before"].startswith("2026-11-27T23:00:00")

    def test_a_feedback_push_decided_at_night_waits_too(self, pushing: Pushing):
        pushing.clock.now = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)  # 23:00 JST
        who = pushing.worker_friend()
        item = pushing.seed.submission(contributor=who, status="approved")
        pushing.client.patch(
            f"/api/v1/submissions/{item.id}",
            json={"status": "published", "platform": "x", "url": "https://x.test/1"},
            headers=bearer(pushing.seed.token("reviewer")),
        )
        pushing.drain()
        assert pushing.texts(who[1]) == []
        pushing.clock.now = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
        pushing.drain()
        assert len(pushing.texts(who[1])) == 1

    @pytest.mark.parametrize(
        ("quiet", "hour", "expected"),
        [
            ((21, 8), 20, False),
            ((21, 8), 21, True),
            ((21, 8), 7, True),
            ((21, 8), 8, False),
            ((12, 13), 12, True),
            ((12, 13), 13, False),
            ((5, 5), 5, False),
        ],
    )
    def test_quiet_hours_across_midnight_and_within_a_day(self, quiet, hour, expected):
        policy = PushPolicy(
            zone=ZoneInfo("Asia/Tokyo"), quiet=quiet, budget=0, recheck=timedelta(minutes=10)
        )
        moment = datetime(2026, 11, 27, hour, 30, tzinfo=policy.zone)
        assert policy.is_quiet(moment) is expected
        assert not policy.is_quiet(policy.next_allowed(moment))


class TestPreview:
    def test_the_preview_counts_and_masks(self, pushing: Pushing):
        friends = many_friends(pushing, 30)
        pushing.worker_friend(notices="feedback")
        answer = pushing.client.get(
            "/api/v1/reminders/preview", headers=bearer(pushing.seed.token("viewer"))
        )
        body = answer.json()
        assert body["count"] == 30 and body["batches"] == 1 and body["languages"] == {"ja": 30}
        assert len(body["sample"]) == campaigns.SAMPLE
        assert all(len(m) == 6 and m.endswith("…") for m in body["sample"])
        assert not any(f in answer.text for f in friends)  # no full LINE id leaves


class TestBudget:
    def test_a_multicast_over_the_budget_waits_whole(
        self, database_url: str, tmp_path: Path, clock: FakeClock
    ):
        for p in make_pushing(
            database_url, tmp_path, clock, GENBA_PUSH_MONTHLY_BUDGET="2", GENBA_QUIET_HOURS="none"
        ):
            friends = many_friends(p, 3)
            assert remind(p).status_code == 202
            p.drain()
            assert all(p.texts(f) == [] for f in friends)
            p.clock.now = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # December in Tokyo
            p.drain()
            assert all(p.texts(f) == [] for f in friends)  # 3 > 2 still: it keeps waiting


class TestDigest:
    def test_the_month_digest_lists_published_posts_and_shows_only_allowed_pictures(
        self, pushing: Pushing
    ):
        (friend,) = many_friends(pushing, 1, language="en")
        shown = pushing.seed.submission(face="show", status="published")
        blur_pending = pushing.seed.submission(face="blur", status="published")
        blurred = checked_blur(pushing)
        pushing.seed.submission(face="no_face", status="approved")  # not published: left out
        with pushing.db.write() as s:
            s.execute(update(Submission).values(published_at=pushing.clock()))
        with pushing.db.read() as s:
            posts = {
                p.submission_id: p.picture for p in campaigns.posted(s, _policy(pushing), "2026-11")
            }
        assert posts[shown.id] == (shown.media[0].id, "thumbnail")
        assert posts[blur_pending.id] is None  # never the original of a blur item
        assert posts[blurred.id] == (blurred.media[0].id, "blurred_thumb")
        answer = pushing.client.post(
            "/api/v1/digests",
            json={"month": "2026-11"},
            headers=bearer(pushing.seed.token("admin")),
        )
        assert answer.status_code == 202, answer.text
        pushing.drain()
        (text,) = pushing.texts(friend)
        assert text.startswith("In 2026-11, we posted what you sent us (3 in all)")
        assert "Daily work" in text
        again = pushing.client.post(
            "/api/v1/digests",
            json={"month": "2026-11"},
            headers=bearer(pushing.seed.token("admin")),
        )
        assert again.status_code == 409

    @pytest.mark.parametrize(
        "month", ["2026-13", "2026-1", "26-11", "2026-11-01", "", "２０２６-11"]
    )
    def test_a_bad_month_is_refused(self, pushing: Pushing, month):
        answer = pushing.client.post(
            "/api/v1/digests", json={"month": month}, headers=bearer(pushing.seed.token("admin"))
        )
        assert answer.status_code == 422

    def test_an_empty_month_is_a_conflict(self, pushing: Pushing):
        many_friends(pushing, 1)
        answer = pushing.client.post(
            "/api/v1/digests",
            json={"month": "2026-10"},
            headers=bearer(pushing.seed.token("admin")),
        )
        assert answer.status_code == 409


def _policy(p: Pushing) -> PushPolicy:
    return PushPolicy.from_settings(p.services.settings)


def test_the_notice_choice_a_worker_taps_decides_the_audience(pushing: Pushing):
    from app.worker.effects import apply_effects
    from flows.types import SetNotices

    who, _ = pushing.worker_friend(notices="feedback")
    assert campaigns.preview(pushing.db, pushing.services.catalogue).count == 0
    with pushing.db.write() as s:
        apply_effects(
            s, [SetNotices("all")], contributor_id=who, now=pushing.clock(), max_attempts=3
        )
    assert campaigns.preview(pushing.db, pushing.services.catalogue).count == 1
    with pushing.db.write() as s, pytest.raises(ValueError):
        apply_effects(
            s, [SetNotices("loud")], contributor_id=who, now=pushing.clock(), max_attempts=3
        )


class TestDigestPictures:
    @pytest.fixture
    def public(self, database_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Pushing]:
        yield from make_pushing(database_url, tmp_path, clock, GENBA_PUBLIC_URL="https://bot.test")

    def test_pictures_follow_the_text_only_where_the_face_choice_allows(self, public: Pushing):
        (friend,) = many_friends(public, 1)
        shown = public.seed.submission(face="show", status="published")
        public.seed.submission(face="blur", status="published")  # no blurred variant yet
        blurred = checked_blur(public)
        with public.db.write() as s:
            s.execute(update(Submission).values(published_at=public.clock()))
        answer = public.client.post(
            "/api/v1/digests", json={"month": "2026-11"}, headers=bearer(public.seed.token("admin"))
        )
        assert answer.status_code == 202
        public.drain()
        got = public.sim.platform.deliveries(friend)
        assert [d.message["type"] for d in got] == ["text", "image", "image"]
        urls = [d.message["originalContentUrl"] for d in got[1:]]
        assert all(u.startswith("https://bot.test/shared/") for u in urls)
        assert f"/{shown.media[0].id}/thumbnail/" in urls[0]
        assert f"/{blurred.media[0].id}/blurred_thumb/" in urls[1]
        paths = [u.removeprefix("https://bot.test") for u in urls]
        picture = public.client.get(paths[0])
        assert picture.status_code == 200 and picture.content == shown.media[0].files["thumbnail"]
        assert public.client.get(paths[1]).content == blurred.media[0].files["blurred_thumb"]

        # Tampered, for another variant, withdrawn, or too old: nothing.
        assert public.client.get(paths[0][:-6] + "0.jpg").status_code == 404
        original = paths[1].replace("/blurred_thumb/", "/original/")
        assert public.client.get(original).status_code == 404
        links = _links(public)
        forged = links.url(blurred.media[0].id, "original", now=public.clock())
        assert forged is not None
        assert public.client.get(forged.removeprefix("https://bot.test")).status_code == 404
        thumb_of_blur = links.url(blurred.media[0].id, "thumbnail", now=public.clock())
        assert thumb_of_blur is not None
        assert public.client.get(thumb_of_blur.removeprefix("https://bot.test")).status_code == 404
        with public.db.write() as s:
            assert drafts.withdraw(
                s,
                submission_id=blurred.id,
                contributor_id=blurred.contributor_id,
                now=public.clock(),
            )
        assert public.client.get(paths[1]).status_code == 404
        public.clock.advance(days=31)
        assert public.client.get(paths[0]).status_code == 404

    def test_without_a_public_address_the_digest_is_text_only(self, pushing: Pushing):
        (friend,) = many_friends(pushing, 1)
        pushing.seed.submission(face="show", status="published")
        with pushing.db.write() as s:
            s.execute(update(Submission).values(published_at=pushing.clock()))
        pushing.client.post(
            "/api/v1/digests",
            json={"month": "2026-11"},
            headers=bearer(pushing.seed.token("admin")),
        )
        pushing.drain()
        assert [d.message["type"] for d in pushing.sim.platform.deliveries(friend)] == ["text"]


class TestDemoDigest:
    @pytest.fixture
    def demo(self, database_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Pushing]:
        """The settings `genba demo` runs with: linesim, and the bot's own http:// address."""

        def as_demo(settings: Settings, sim: LineSim) -> Settings:
            secret, token = settings.require_line_credentials()
            made = demo_settings(
                settings, sim.base_url, secret, token, public_url="http://127.0.0.1:8000"
            )
            return made.model_copy(update={"database_url": database_url})

        yield from make_pushing(database_url, tmp_path, clock, as_demo)

    def test_the_demo_digest_is_accepted_by_linesim_as_text(self, demo: Pushing):
        assert demo.services.settings.public_url == "http://127.0.0.1:8000"
        (friend,) = many_friends(demo, 1)
        demo.seed.submission(face="show", status="published")
        with demo.db.write() as s:
            s.execute(update(Submission).values(published_at=demo.clock()))
        answer = demo.client.post(
            "/api/v1/digests", json={"month": "2026-11"}, headers=bearer(demo.seed.token("admin"))
        )
        assert answer.status_code == 202
        demo.drain()
        # LINE fetches pictures over https only and refuses a push with an http one: the demo's
        # digest goes as text, and linesim (which checks as LINE does) takes it.
        assert [c.status for c in demo.sim.platform.calls("/v2/bot/message/push")] == [200]
        assert [d.message["type"] for d in demo.sim.platform.deliveries(friend)] == ["text"]
        with demo.db.read() as s:
            assert [r.state for r in s.exec(select(PushMessage)).all()] == ["sent"]
        signed_in(demo.client, person(demo.db, demo.clock, "viewer"))
        page = demo.client.get("/admin/reminders?month=2026-11").text
        assert "In LINE it is text only: pictures need GENBA_PUBLIC_URL" in page


def test_a_digest_line_refuses_shows_as_failed_with_the_reason(pushing: Pushing):
    many_friends(pushing, 1)
    pushing.seed.submission(face="show", status="published")
    with pushing.db.write() as s:
        s.execute(update(Submission).values(published_at=pushing.clock()))
    pushing.client.post(
        "/api/v1/digests", json={"month": "2026-11"}, headers=bearer(pushing.seed.token("admin"))
    )
    refusal = ("must be a valid HTTPS URL", "messages[1].originalContentUrl")
    pushing.sim.platform.script(
        "push", [Fail(400, "The request body has 1 error(s)", details=(refusal,))]
    )
    pushing.drain()
    signed_in(pushing.client, person(pushing.db, pushing.clock, "viewer"))
    page = pushing.client.get("/admin/reminders").text
    (line,) = re.findall(r'<li class="campaign-\w+">What we posted in 2026-11:.*?</li>', page, re.S)
    assert "<b>failed</b>" in line and "sent" not in line
    assert "messages[1].originalContentUrl: must be a valid HTTPS URL" in line
    assert "UTC" not in line and re.search(r"queued \d{4}-\d\d-\d\d \d\d:\d\d JST", line)
    api = pushing.client.get("/api/v1/campaigns", headers=bearer(pushing.seed.token("viewer")))
    (digest,) = api.json()["recent"]
    assert (digest["kind"], digest["key"], digest["outcome"]) == ("digest", "2026-11", "failed")
    assert "must be a valid HTTPS URL" in digest["error"]


def _links(p: Pushing) -> MediaLinks:
    secret, _ = p.services.settings.require_line_credentials()
    return MediaLinks.from_secret(secret, p.services.settings.public_url)


def checked_blur(p: Pushing) -> Seeded:
    """A published `blur` item whose blur a reviewer confirmed (so its blurred files may leave)."""
    item = p.seed.submission(
        face="blur",
        status="published",
        variants=("original", "thumbnail", "blurred", "blurred_thumb"),
        faces=1,
    )
    with p.db.write() as s:
        assert media.record_face_check(
            s, item.media[0].id, FaceCheck.CONFIRMED, actor="reviewer", now=p.clock()
        )
    return item
