"""Pushes over real HTTP to linesim: feedback on publication, retry keys, 409, the budget."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from linesim.faults import Fail, Timeout
from storage import pushes
from storage.models import PushMessage
from tests.app.conftest import FakeClock, bearer
from tests.app.push_kit import Pushing, make_pushing


@pytest.fixture
def pushing(database_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Pushing]:
    """The default budget (200 messages a month) and quiet hours (21-8, Asia/Tokyo)."""
    yield from make_pushing(database_url, tmp_path, clock)


PUBLISH = {"status": "published", "platform": "instagram", "url": "https://insta.test/p/1"}


def publish(p: Pushing, submission_id: str, token: str, **extra: str) -> None:
    assert (
        p.client.patch(
            f"/api/v1/submissions/{submission_id}",
            json={"status": "approved"},
            headers=bearer(token),
        ).status_code
        == 200
    )
    answer = p.client.patch(
        f"/api/v1/submissions/{submission_id}", json=PUBLISH | extra, headers=bearer(token)
    )
    assert answer.status_code == 200, answer.text


def rows(p: Pushing) -> list[PushMessage]:
    with p.db.read() as s:
        return list(s.exec(select(PushMessage).order_by(PushMessage.id)))  # type: ignore[arg-type]


class TestFeedback:
    def test_publishing_tells_the_contributor_in_their_language_with_link_and_thanks(
        self, pushing: Pushing
    ):
        who = pushing.worker_friend(language="vi")
        item = pushing.seed.submission(contributor=who)
        token = pushing.seed.token("reviewer")
        publish(pushing, item.id, token, thanks="Cảm ơn bạn rất nhiều!")
        assert pushing.texts(who[1]) == []  # decided, not yet sent: the worker sends it
        pushing.drain()
        texts = pushing.texts(who[1])
        assert len(texts) == 2
        assert texts[0].startswith("🎉 Nội dung bạn gửi") and texts[0].endswith(PUBLISH["url"])
        assert "Cảm ơn bạn rất nhiều!" in texts[1]
        (row,) = rows(pushing)
        assert (row.state, row.cost, row.kind) == ("sent", 1, "feedback")
        # The push carried the row's key (a UUID we made), and counted once.
        (call,) = pushing.sim.platform.calls("/v2/bot/message/push")
        assert call.headers["x-line-retry-key"] == row.retry_key
        uuid.UUID(row.retry_key)

    def test_every_language_has_its_own_words(self, pushing: Pushing):
        token = pushing.seed.token("reviewer")
        seen = set()
        for language in ("ja", "ja-x-easy", "en", "vi", "pt-BR", "id", "tl", "zh-Hans"):
            who = pushing.worker_friend(language=language)
            publish(pushing, pushing.seed.submission(contributor=who).id, token)
            pushing.drain()
            (text,) = pushing.texts(who[1])
            assert PUBLISH["url"] in text
            seen.add(text)
        assert len(seen) == 8

    def test_publishing_twice_never_pushes_twice(self, pushing: Pushing):
        who = pushing.worker_friend()
        item = pushing.seed.submission(contributor=who)
        token = pushing.seed.token("reviewer")
        publish(pushing, item.id, token)
        again = pushing.client.patch(
            f"/api/v1/submissions/{item.id}", json=PUBLISH, headers=bearer(token)
        )
        assert again.status_code == 200
        pushing.drain()
        assert len(pushing.texts(who[1])) == 1

    def test_the_reaction_count_is_pushed_once_per_count(self, pushing: Pushing):
        who = pushing.worker_friend(language="en")
        item = pushing.seed.submission(contributor=who)
        token = pushing.seed.token("reviewer")
        publish(pushing, item.id, token)
        url = f"/api/v1/submissions/{item.id}/reactions"
        for count in (42, 42):
            answer = pushing.client.put(url, json={"count": count}, headers=bearer(token))
            assert answer.status_code == 200 and answer.json()["reactions"] == 42
        pushing.drain()
        texts = pushing.texts(who[1])
        assert len(texts) == 2 and "42 reactions" in texts[1]

    @pytest.mark.parametrize(
        "body", [{"count": -1}, {"count": "7"}, {"count": True}, {"count": 10**10}, {}, {"n": 1}]
    )
    def test_a_bad_reaction_count_is_refused(self, pushing: Pushing, body):
        who = pushing.worker_friend()
        item = pushing.seed.submission(contributor=who, status="published")
        answer = pushing.client.put(
            f"/api/v1/submissions/{item.id}/reactions",
            json=body,
            headers=bearer(pushing.seed.token("reviewer")),
        )
        assert answer.status_code == 422

    def test_reactions_only_for_a_published_item_and_not_by_a_viewer(self, pushing: Pushing):
        item = pushing.seed.submission(status="approved")
        url = f"/api/v1/submissions/{item.id}/reactions"
        reviewer, viewer = pushing.seed.token("reviewer"), pushing.seed.token("viewer")
        assert (
            pushing.client.put(url, json={"count": 1}, headers=bearer(reviewer)).status_code == 409
        )
        assert pushing.client.put(url, json={"count": 1}, headers=bearer(viewer)).status_code == 403

    def test_thanks_goes_only_with_published(self, pushing: Pushing):
        item = pushing.seed.submission()
        answer = pushing.client.patch(
            f"/api/v1/submissions/{item.id}",
            json={"status": "approved", "thanks": "ありがとう"},
            headers=bearer(pushing.seed.token("reviewer")),
        )
        assert answer.status_code == 422

    def test_a_worker_who_turned_notices_off_or_blocked_gets_nothing(self, pushing: Pushing):
        quiet = pushing.worker_friend(notices="none")
        blocked = pushing.worker_friend()
        token = pushing.seed.token("reviewer")
        for who in (quiet, blocked):
            publish(pushing, pushing.seed.submission(contributor=who).id, token)
        with pushing.db.write() as s:
            from storage import contributors

            contributors.set_following(s, blocked[0], following=False, now=pushing.clock())
        pushing.drain()
        assert pushing.texts(quiet[1]) == [] and pushing.texts(blocked[1]) == []
        assert [r.state for r in rows(pushing)] == ["skipped", "skipped"]
        assert pushing.sim.platform.calls("/v2/bot/message/push") == []


class TestRetryKey:
    def test_an_answer_lost_after_sending_is_retried_with_the_same_key_and_arrives_once(
        self, pushing: Pushing
    ):
        who = pushing.worker_friend()
        token = pushing.seed.token("reviewer")
        publish(pushing, pushing.seed.submission(contributor=who).id, token)
        # LINE takes the push, then the answer is lost: a 500 after processing.
        pushing.sim.platform.script("push", [Fail(500, after_processing=True)])
        pushing.drain()
        (row,) = rows(pushing)
        assert row.state == "pending" and row.attempts == 1
        pushing.clock.advance(minutes=5)  # past the backoff
        pushing.drain()
        calls = pushing.sim.platform.calls("/v2/bot/message/push")
        assert [c.status for c in calls] == [500, 409]
        assert {c.headers["x-line-retry-key"] for c in calls} == {row.retry_key}
        assert calls[0].body == calls[1].body  # the identical body, as LINE asks
        assert len(pushing.texts(who[1])) == 1  # delivered once
        (row,) = rows(pushing)
        assert (row.state, row.cost) == ("sent", 1)

    def test_a_timeout_is_retried_and_a_refusal_is_final(self, pushing: Pushing):
        late, refused = pushing.worker_friend(), pushing.worker_friend()
        token = pushing.seed.token("reviewer")
        publish(pushing, pushing.seed.submission(contributor=late).id, token)
        pushing.sim.platform.script("push", [Timeout(delay=4, processed=True)])
        pushing.drain()
        pushing.clock.advance(minutes=5)
        pushing.drain()
        assert len(pushing.texts(late[1])) == 1
        publish(pushing, pushing.seed.submission(contributor=refused).id, token)
        pushing.sim.platform.script("push", [Fail(400, "The property, 'to', is invalid")])
        pushing.drain()
        pushing.clock.advance(minutes=5)
        assert pushing.drain() == 0
        assert [r.state for r in rows(pushing)] == ["sent", "failed"]
        assert pushing.texts(refused[1]) == []


@pytest.fixture
def tight(database_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Pushing]:
    """A budget of 2 messages a month, no quiet hours."""
    yield from make_pushing(
        database_url,
        tmp_path,
        clock,
        GENBA_PUSH_MONTHLY_BUDGET="2",
        GENBA_QUIET_HOURS="none",
    )


class TestBudget:
    def test_over_budget_pushes_wait_and_go_out_when_the_month_turns(self, tight: Pushing):
        friends = [tight.worker_friend() for _ in range(3)]
        token = tight.seed.token("reviewer")
        for who in friends:
            publish(tight, tight.seed.submission(contributor=who).id, token)
        tight.drain()
        assert [len(tight.texts(w[1])) for w in friends] == [1, 1, 0]
        assert [r.state for r in rows(tight)] == ["sent", "sent", "pending"]
        assert rows(tight)[2].waiting_for_budget
        budget = tight.client.get("/api/v1/pushes/budget", headers=bearer(token)).json()
        assert budget | {"month": "2026-11"} == {
            "month": "2026-11",
            "used": 2,
            "budget": 2,
            "waiting": 1,
            "pending": 1,
            "failed": 0,
        }
        tight.clock.advance(days=1)  # still November in Tokyo: still waiting
        tight.drain()
        assert len(tight.texts(friends[2][1])) == 0
        tight.clock.now = datetime(2026, 11, 30, 15, 0, 1, tzinfo=UTC)  # 1 Dec 00:00 JST
        tight.drain()
        assert len(tight.texts(friends[2][1])) == 1
        assert [r.state for r in rows(tight)] == ["sent", "sent", "sent"]

    def test_a_raised_budget_lets_a_waiting_push_go_at_its_next_look(self, tight: Pushing):
        friends = [tight.worker_friend() for _ in range(3)]
        token = tight.seed.token("reviewer")
        for who in friends:
            publish(tight, tight.seed.submission(contributor=who).id, token)
        tight.drain()
        assert len(tight.texts(friends[2][1])) == 0
        # The operator raises GENBA_PUSH_MONTHLY_BUDGET and restarts: the new settings.
        tight.services.settings = tight.services.settings.model_copy(
            update={"push_monthly_budget": 10}
        )
        tight.clock.advance(seconds=599)
        tight.drain()
        assert len(tight.texts(friends[2][1])) == 0  # not looked at again yet
        tight.clock.advance(seconds=1)
        tight.drain()
        assert len(tight.texts(friends[2][1])) == 1
        assert [r.state for r in rows(tight)] == ["sent", "sent", "sent"]

    def test_a_push_is_counted_per_recipient_not_per_message(self, tight: Pushing):
        who = tight.worker_friend()
        token = tight.seed.token("reviewer")
        # Two message objects (the link and the thanks) to one worker: one message for LINE.
        publish(tight, tight.seed.submission(contributor=who).id, token, thanks="ありがとう")
        tight.drain()
        assert len(tight.texts(who[1])) == 2
        assert rows(tight)[0].cost == 1

    def test_the_dashboard_shows_the_budget(self, tight: Pushing):
        from tests.app.workspace_kit import person, signed_in

        signed_in(tight.client, person(tight.db, tight.clock, "viewer"))
        page = tight.client.get("/admin")
        assert 'id="push-budget"' in page.text and "of 2 messages" in page.text


def test_the_outbox_refuses_impossible_rows(pushing: Pushing):
    with pushing.db.write() as s:
        with pytest.raises(ValueError):
            pushes.add(
                s,
                kind="x",
                recipients=[],
                messages=[{"type": "text", "text": "a"}],
                not_before=pushing.clock(),
                now=pushing.clock(),
            )
        with pytest.raises(ValueError):
            pushes.add(
                s,
                kind="x",
                recipients=["a"] * 501,
                messages=[{"type": "text", "text": "a"}],
                not_before=pushing.clock(),
                now=pushing.clock(),
            )
        with pytest.raises(ValueError):
            pushes.add(
                s,
                kind="x",
                recipients=["a"],
                messages=[{"type": "text", "text": "a"}] * 6,
                not_before=pushing.clock(),
                now=pushing.clock(),
            )
        assert json.loads("[]") == []
