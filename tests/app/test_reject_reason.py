"""A rejection's reason, sent to the contributor in kind words: page, API, linesim over HTTP."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from storage import drafts, pushes
from storage.models import PushMessage
from tests.app.conftest import FakeClock, bearer
from tests.app.push_kit import Pushing, make_pushing
from tests.app.workspace_kit import person, signed_in

TOKYO = ZoneInfo("Asia/Tokyo")  # the default company time zone; quiet hours 21-8
REASON = "Khuôn mặt của đồng nghiệp hiện rõ quá, lần sau hãy chụp từ phía sau nhé."
# The first words of notice.rejected in each language: the worker's own words, not Japanese.
OPENINGS = {
    "ja": "送ってくださって、ありがとうございます",
    "ja-x-easy": "送（おく）ってくれて",
    "en": "Thank you for what you sent",
    "vi": "Cảm ơn bạn đã gửi",
    "id": "Terima kasih sudah mengirim",
    "pt-BR": "Obrigado pelo seu envio",
    "tl": "Salamat sa ipinadala mo",
    "zh-Hans": "谢谢您发来的投稿",
}


@pytest.fixture
def pushing(database_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Pushing]:
    """The default budget and quiet hours (the fake clock is in the company's daytime)."""
    yield from make_pushing(database_url, tmp_path, clock)


def reject(p: Pushing, submission_id: str, token: str, **extra: object) -> dict[str, Any]:
    answer = p.client.patch(
        f"/api/v1/submissions/{submission_id}",
        json={"status": "rejected", "note": REASON, **extra},
        headers=bearer(token),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "rejected"
    return dict(answer.json())


def review_again(p: Pushing, submission_id: str, token: str) -> None:
    back = p.client.patch(
        f"/api/v1/submissions/{submission_id}", json={"status": "in_review"}, headers=bearer(token)
    )
    assert back.status_code == 200, back.text


def rows(p: Pushing) -> list[PushMessage]:
    with p.db.read() as s:
        return list(s.exec(select(PushMessage).order_by(PushMessage.id)))  # type: ignore[arg-type]


class TestApi:
    def test_the_reason_reaches_the_worker_in_their_language_with_code_and_theme(
        self, pushing: Pushing
    ):
        who = pushing.worker_friend(language="vi")
        item = pushing.seed.submission(contributor=who)
        reject(pushing, item.id, pushing.seed.token("reviewer"), send_reason=True)
        assert pushing.texts(who[1]) == []  # decided with the rejection, sent by the worker
        pushing.drain()
        (text,) = pushing.texts(who[1])
        assert text.startswith(OPENINGS["vi"])
        assert f"mã số {item.code}" in text and "日々の仕事" in text  # no Vietnamese title
        assert f"“{REASON}”" in text
        assert item.id not in text  # the receipt code names it, never our internal id
        (row,) = rows(pushing)
        assert (row.kind, row.state, row.cost) == ("rejection", "sent", 1)
        (call,) = pushing.sim.platform.calls("/v2/bot/message/push")
        assert call.headers["x-line-retry-key"] == row.retry_key
        uuid.UUID(row.retry_key)

    def test_the_longest_reason_is_accepted_by_line(self, pushing: Pushing):
        who = pushing.worker_friend(language="tl")
        item = pushing.seed.submission(contributor=who)
        longest = "😀" * 2000  # the note's cap (2,000 characters), 4,000 UTF-16 units
        answer = pushing.client.patch(
            f"/api/v1/submissions/{item.id}",
            json={"status": "rejected", "note": longest, "send_reason": True},
            headers=bearer(pushing.seed.token("reviewer")),
        )
        assert answer.status_code == 200, answer.text
        pushing.drain()
        (text,) = pushing.texts(who[1])  # linesim refuses a text over LINE's 5,000 units
        assert text.startswith(OPENINGS["tl"]) and longest in text  # whole, kind words too
        assert [r.state for r in rows(pushing)] == [pushes.SENT]

    def test_every_language_has_its_own_kind_words(self, pushing: Pushing):
        token = pushing.seed.token("reviewer")
        for language, opening in OPENINGS.items():
            who = pushing.worker_friend(language=language)
            item = pushing.seed.submission(contributor=who)
            reject(pushing, item.id, token, send_reason=True)
            pushing.drain()
            (text,) = pushing.texts(who[1])
            assert text.startswith(opening), (language, text)
            assert REASON in text and item.code in text
        english = pushing.worker_friend(language="en")
        item = pushing.seed.submission(contributor=english)
        reject(pushing, item.id, token, send_reason=True)
        pushing.drain()
        (text,) = pushing.texts(english[1])
        assert f'code {item.code}, theme "Daily work"' in text  # the theme's English title

    @pytest.mark.parametrize("extra", [{}, {"send_reason": False}, {"send_reason": None}])
    def test_without_send_reason_nothing_is_sent(self, pushing: Pushing, extra):
        who = pushing.worker_friend(language="en")
        item = pushing.seed.submission(contributor=who)
        reject(pushing, item.id, pushing.seed.token("reviewer"), **extra)
        pushing.drain()
        assert pushing.texts(who[1]) == [] and rows(pushing) == []
        assert pushing.sim.platform.calls("/v2/bot/message/push") == []

    def test_a_second_rejection_never_sends_twice(self, pushing: Pushing):
        who = pushing.worker_friend(language="en")
        item = pushing.seed.submission(contributor=who)
        token = pushing.seed.token("reviewer")
        url = f"/api/v1/submissions/{item.id}"
        reject(pushing, item.id, token, send_reason=True)
        pushing.drain()
        reject(pushing, item.id, token, send_reason=True)  # the same status: nothing changes
        back = pushing.client.patch(url, json={"status": "in_review"}, headers=bearer(token))
        assert back.status_code == 200
        reject(pushing, item.id, token, send_reason=True)  # rejected again, for real
        pushing.drain()
        assert len(pushing.texts(who[1])) == 1 and len(rows(pushing)) == 1

    def test_the_answer_says_whether_the_reason_was_queued(self, pushing: Pushing):
        who = pushing.worker_friend(language="en")
        item = pushing.seed.submission(contributor=who)
        token = pushing.seed.token("reviewer")
        assert reject(pushing, item.id, token, send_reason=True)["reason_push"] == "queued"
        again = reject(pushing, item.id, token, send_reason=True)  # the same status
        assert again["reason_push"] == "unchanged"
        pushing.drain()
        review_again(pushing, item.id, token)
        second = reject(pushing, item.id, token, note="Blurred.", send_reason=True)
        assert second["reason_push"] == "already_queued_once"  # never a silent 200
        review_again(pushing, item.id, token)
        assert reject(pushing, item.id, token)["reason_push"] is None  # not asked
        pushing.drain()
        assert len(pushing.texts(who[1])) == 1

    @pytest.mark.parametrize(
        "body",
        [
            {"status": "approved", "send_reason": True},
            {"status": "in_review", "note": "later", "send_reason": True},
            {"status": "rejected", "send_reason": True},  # no reason to send
            {"status": "rejected", "note": REASON, "send_reason": "yes"},
            {"status": "rejected", "note": REASON, "send_reason": 1},
        ],
    )
    def test_send_reason_goes_only_with_a_rejection_and_its_note(self, pushing: Pushing, body):
        who = pushing.worker_friend()
        item = pushing.seed.submission(contributor=who)
        answer = pushing.client.patch(
            f"/api/v1/submissions/{item.id}",
            json=body,
            headers=bearer(pushing.seed.token("reviewer")),
        )
        assert answer.status_code == 422, answer.text
        pushing.drain()
        assert pushing.texts(who[1]) == [] and rows(pushing) == []

    def test_the_field_is_documented_in_openapi(self, pushing: Pushing):
        doc = pushing.client.get("/openapi.json").json()
        field = doc["components"]["schemas"]["ReviewChange"]["properties"]["send_reason"]
        assert "rejected" in field["description"] and "kind words" in field["description"]
        patch = doc["paths"]["/api/v1/submissions/{submission_id}"]["patch"]
        assert "send_reason" in patch["description"] and "reason_push" in patch["description"]
        answer = doc["components"]["schemas"]["ReviewRead"]["properties"]["reason_push"]
        assert "already_queued_once" in answer["description"]
        kinds = {v for option in answer["anyOf"] for v in option.get("enum", [])}
        assert kinds == {"queued", "already_queued_once", "unchanged", "unavailable"}


class TestNotTold:
    """What changed between the decision and the send: the worker's send job looks again."""

    def test_a_worker_who_turned_feedback_off_gets_nothing(self, pushing: Pushing):
        who = pushing.worker_friend(language="en", notices="none")
        item = pushing.seed.submission(contributor=who)
        reject(pushing, item.id, pushing.seed.token("reviewer"), send_reason=True)
        pushing.drain()
        assert pushing.texts(who[1]) == []
        assert [r.state for r in rows(pushing)] == [pushes.SKIPPED]

    def test_an_item_withdrawn_before_the_push_went_is_not_told(self, pushing: Pushing):
        who = pushing.worker_friend(language="en")
        item = pushing.seed.submission(contributor=who)
        reject(pushing, item.id, pushing.seed.token("reviewer"), send_reason=True)
        with pushing.db.write() as s:  # the worker withdraws it before the worker process runs
            assert drafts.withdraw(
                s, submission_id=item.id, contributor_id=who[0], now=pushing.clock()
            )
        pushing.drain()
        assert pushing.texts(who[1]) == []
        assert [r.state for r in rows(pushing)] == [pushes.SKIPPED]

    def test_an_item_taken_back_into_review_is_not_told(self, pushing: Pushing):
        who = pushing.worker_friend(language="en")
        item = pushing.seed.submission(contributor=who)
        token = pushing.seed.token("reviewer")
        reject(pushing, item.id, token, send_reason=True)
        back = pushing.client.patch(
            f"/api/v1/submissions/{item.id}", json={"status": "in_review"}, headers=bearer(token)
        )
        assert back.status_code == 200
        pushing.drain()
        assert pushing.texts(who[1]) == []

    def test_a_reason_held_by_quiet_hours_then_reviewed_again_never_goes(self, pushing: Pushing):
        who = pushing.worker_friend(language="en")
        item = pushing.seed.submission(contributor=who)
        token = pushing.seed.token("reviewer")
        pushing.clock.now = datetime(2026, 12, 1, 22, 0, tzinfo=TOKYO)  # quiet hours
        reject(pushing, item.id, token, note="Note A: too dark.", send_reason=True)
        pushing.drain()  # held back until 08:00
        review_again(pushing, item.id, token)
        answer = reject(pushing, item.id, token, note="Note B: a face shows.", send_reason=True)
        pushing.clock.now = datetime(2026, 12, 2, 8, 0, tzinfo=TOKYO)
        pushing.drain()
        (text,) = pushing.texts(who[1])
        assert "Note A" not in text and "Note B: a face shows." in text
        assert answer["reason_push"] == "queued"  # A never went: B is the item's one reason
        assert [(r.state, r.cost) for r in rows(pushing)] == [(pushes.SENT, 1)]

    def test_a_reason_reviewed_again_and_rejected_without_one_never_goes(self, pushing: Pushing):
        who = pushing.worker_friend(language="en")
        item = pushing.seed.submission(contributor=who)
        token = pushing.seed.token("reviewer")
        pushing.clock.now = datetime(2026, 12, 1, 22, 0, tzinfo=TOKYO)
        reject(pushing, item.id, token, note="Note A: too dark.", send_reason=True)
        review_again(pushing, item.id, token)
        reject(pushing, item.id, token, note="Note B, for PR only.")
        pushing.clock.now = datetime(2026, 12, 2, 8, 0, tzinfo=TOKYO)
        pushing.drain()
        assert pushing.texts(who[1]) == [] and rows(pushing) == []
        assert pushing.sim.platform.calls("/v2/bot/message/push") == []

    def test_a_purged_item_is_not_told(self, pushing: Pushing):
        who = pushing.worker_friend(language="en")
        item = pushing.seed.submission(contributor=who)
        reject(pushing, item.id, pushing.seed.token("reviewer"), send_reason=True)
        pushing.clock.advance(days=3)  # the worker process was down; the retention purge ran
        purged = pushing.client.post(
            "/api/v1/privacy/purge", json={"days": 1}, headers=bearer(pushing.seed.token("admin"))
        )
        assert purged.status_code == 200 and purged.json()["rejected"] == 1
        pushing.drain()
        assert pushing.texts(who[1]) == []
        assert rows(pushing) == []  # unsent, it went with the item (its note, its code)

    def test_a_deleted_worker_is_not_told(self, pushing: Pushing):
        who = pushing.worker_friend(language="en")
        item = pushing.seed.submission(contributor=who)
        reject(pushing, item.id, pushing.seed.token("reviewer"), send_reason=True)
        erased = pushing.client.post(
            "/api/v1/privacy/erasures",
            json={"worker": who[1]},
            headers=bearer(pushing.seed.token("admin")),
        )
        assert erased.status_code == 200, erased.text
        pushing.drain()
        assert pushing.texts(who[1]) == [] and rows(pushing) == []
        assert pushing.sim.platform.calls("/v2/bot/message/push") == []

    def test_a_withdrawn_item_cannot_be_rejected_at_all(self, pushing: Pushing):
        who = pushing.worker_friend(language="en")
        item = pushing.seed.submission(contributor=who, status="withdrawn")
        answer = pushing.client.patch(
            f"/api/v1/submissions/{item.id}",
            json={"status": "rejected", "note": REASON, "send_reason": True},
            headers=bearer(pushing.seed.token("reviewer")),
        )
        assert answer.status_code == 409
        pushing.drain()
        assert pushing.texts(who[1]) == [] and rows(pushing) == []


class TestPage:
    def test_the_reject_form_offers_the_checkbox_unticked_with_its_hint(self, pushing: Pushing):
        item = pushing.seed.submission()
        signed_in(pushing.client, person(pushing.db, pushing.clock, "reviewer"))
        page = pushing.client.get(f"/admin/items/{item.id}").text
        reject_form = re.search(r"<form[^>]*>(?:(?!</form>).)*id=\"reject\".*?</form>", page, re.S)
        assert reject_form, page
        box = re.search(r'<input type="checkbox" id="send-reason"[^>]*>', reject_form.group(0))
        assert box and 'name="send_reason"' in box.group(0) and "checked" not in box.group(0)
        assert "Send the reason to the contributor" in reject_form.group(0)
        assert "on LINE, in their language" in reject_form.group(0)

    def test_ticked_the_worker_gets_the_reason_in_their_language(self, pushing: Pushing):
        who = pushing.worker_friend(language="pt-BR")
        item = pushing.seed.submission(contributor=who)
        csrf = signed_in(pushing.client, person(pushing.db, pushing.clock, "reviewer"))
        answer = pushing.client.post(
            f"/admin/items/{item.id}/review",
            data={"csrf_token": csrf, "action": "reject", "note": REASON, "send_reason": "yes"},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        pushing.drain()
        (text,) = pushing.texts(who[1])
        assert text.startswith(OPENINGS["pt-BR"]) and f"código {item.code}" in text
        assert REASON in text
        page = pushing.client.get(f"/admin/items/{item.id}").text
        assert "Reason to the contributor</dt><dd>sent on LINE" in page
        assert 'id="send-reason"' not in page  # a rejected item offers no second rejection
        again = pushing.client.post(
            f"/admin/items/{item.id}/review",
            data={"csrf_token": csrf, "action": "in-review"},
            follow_redirects=False,
        )
        assert again.status_code == 303
        page = pushing.client.get(f"/admin/items/{item.id}").text
        box = re.search(r'<input type="checkbox" id="send-reason"[^>]*>', page)
        assert box and "disabled" in box.group(0)  # once per item: the page says so
        assert "it is never sent twice" in page

    def test_unticked_nothing_is_sent(self, pushing: Pushing):
        who = pushing.worker_friend(language="en")
        item = pushing.seed.submission(contributor=who)
        csrf = signed_in(pushing.client, person(pushing.db, pushing.clock, "reviewer"))
        answer = pushing.client.post(
            f"/admin/items/{item.id}/review",
            data={"csrf_token": csrf, "action": "reject", "note": REASON},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        pushing.drain()
        assert pushing.texts(who[1]) == [] and rows(pushing) == []
        assert "Reason to the contributor" not in pushing.client.get(f"/admin/items/{item.id}").text

    def test_without_the_csrf_token_nothing_is_rejected_or_sent(self, pushing: Pushing):
        who = pushing.worker_friend(language="en")
        item = pushing.seed.submission(contributor=who)
        signed_in(pushing.client, person(pushing.db, pushing.clock, "reviewer"))
        answer = pushing.client.post(
            f"/admin/items/{item.id}/review",
            data={"action": "reject", "note": REASON, "send_reason": "yes"},
            follow_redirects=False,
        )
        assert answer.status_code == 403
        pushing.drain()
        assert pushing.texts(who[1]) == [] and rows(pushing) == []

    def test_a_viewer_cannot_reject_or_send(self, pushing: Pushing):
        who = pushing.worker_friend(language="en")
        item = pushing.seed.submission(contributor=who)
        csrf = signed_in(pushing.client, person(pushing.db, pushing.clock, "viewer"))
        answer = pushing.client.post(
            f"/admin/items/{item.id}/review",
            data={"csrf_token": csrf, "action": "reject", "note": REASON, "send_reason": "yes"},
            follow_redirects=False,
        )
        assert answer.status_code == 403
        pushing.drain()
        assert pushing.texts(who[1]) == [] and rows(pushing) == []
