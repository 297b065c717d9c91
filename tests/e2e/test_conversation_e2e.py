"""What a worker notices in the chat, with the bot and linesim running for real."""

from __future__ import annotations

import httpx
import pytest

from app.settings import Settings
from linesim import Fail, LineSim
from tests.e2e.chat import Worker, labels
from tests.e2e.photos import phone_jpeg
from tests.e2e.waiting import Peek, wait_until


@pytest.fixture
def peek(bot_settings: Settings):
    p = Peek(bot_settings.effective_database_url)
    yield p
    p.close()


def test_follow_gets_a_warm_welcome_with_camera_and_album(sim: LineSim, bot) -> None:
    worker = Worker(sim)
    worker.send(sim.events.follow(worker.user_id))
    welcome, agree = worker.reply()
    assert "広報チームが必ず全部確認します" in welcome.message["text"]
    assert "同意する" in labels(agree)  # one tap, never a gate
    kinds = {i["action"]["type"] for i in agree.message["quickReply"]["items"]}
    assert {"camera", "cameraRoll"} <= kinds


def test_an_idea_without_a_photo_becomes_a_comment_only_submission(
    sim: LineSim, bot, peek: Peek
) -> None:
    worker = Worker(sim)
    worker.say("休憩室に季節の花を飾っています。写真に撮りたいです")
    worker.tap(worker.question(), "アイデアとして送る")
    worker.tap(worker.question(), "季節のひとこま")
    receipt = worker.question()
    (submission,) = wait_until(lambda: [s for s in peek.submissions() if s.status == "new"])
    assert submission.code in receipt.message["text"]
    assert submission.face is None and submission.kind == "idea"
    assert submission.comment == "休憩室に季節の花を飾っています。写真に撮りたいです"


def test_cancel_ends_the_draft_and_removes_its_photo(sim: LineSim, bot, peek: Peek) -> None:
    worker = Worker(sim)
    worker.send(sim.events.image(worker.user_id, phone_jpeg()))
    worker.question()
    wait_until(lambda: [m for m in peek.media() if m.status == "ready"])
    worker.say("キャンセル")
    assert "キャンセルしました" in worker.question().message["text"]
    wait_until(lambda: peek.submissions() == [] and peek.media() == [], what="draft removed")


def test_unexpected_input_re_asks_with_help_and_never_loops(sim: LineSim, bot) -> None:
    worker = Worker(sim)
    worker.send(sim.events.image(worker.user_id, phone_jpeg()))
    question = worker.question()
    worker.say("えーと")
    again = worker.question()
    assert labels(again) == labels(question)  # the same buttons, with a hint
    worker.say("？？")
    worker.question()
    worker.say("わからない")
    paused = worker.question()
    assert "続ける" in labels(paused) and "消す" in labels(paused)


def test_a_video_is_taken_like_a_photo_and_a_sticker_gets_a_kind_pointer(sim: LineSim, bot) -> None:
    worker = Worker(sim)
    worker.send(sim.events.video(worker.user_id, b"\x00\x00\x00\x18ftypmp42"))
    assert "毎日の仕事" in labels(worker.question())  # the theme question, as for a photo
    worker.send(sim.events.sticker(worker.user_id))
    said = "".join(d.message["text"] for d in worker.reply())
    assert "写真・動画と文字だけ" in said


def test_withdrawing_removes_the_photos_and_marks_the_submission(
    sim: LineSim, bot, bot_settings: Settings, peek: Peek
) -> None:
    worker = Worker(sim)
    worker.send(sim.events.image(worker.user_id, phone_jpeg()))
    worker.tap(worker.question(), "毎日の仕事")
    worker.tap(worker.question(), "顔は写っていない")
    worker.question()
    (media,) = wait_until(lambda: [m for m in peek.media() if m.status == "ready"])
    worker.say("よろしくお願いします")
    worker.tap(worker.question(), "取り下げる")
    worker.tap(worker.question(), "はい、取り下げる")
    assert "取り下げました" in worker.question().message["text"]
    (submission,) = peek.submissions()
    assert submission.status == "withdrawn"
    folder = bot_settings.media_dir / "media" / media.id
    wait_until(lambda: not folder.exists(), what="files purged")
    assert [m.status for m in peek.media()] == ["deleted"]


def test_an_unsent_photo_is_deleted_from_storage(
    sim: LineSim, bot, bot_settings: Settings, peek: Peek
) -> None:
    worker = Worker(sim)
    photo = sim.events.image(worker.user_id, phone_jpeg())
    worker.send(photo)
    worker.question()
    (media,) = wait_until(lambda: [m for m in peek.media() if m.status == "ready"])
    worker.send(sim.events.unsend(worker.user_id, photo["message"]["id"]))
    folder = bot_settings.media_dir / "media" / media.id
    wait_until(lambda: not folder.exists(), what="files purged")
    # It was the draft's only photo: the draft goes with it, never sent empty.
    assert peek.media() == [] and peek.submissions() == []


def test_a_failing_profile_call_never_blocks_the_conversation(
    sim: LineSim, bot, peek: Peek
) -> None:
    worker = Worker(sim, name="佐藤 一郎")
    sim.platform.script("profile", [Fail(500)])
    worker.send(sim.events.image(worker.user_id, phone_jpeg()))
    assert "毎日の仕事" in labels(worker.question())
    # The profile job tries again in the background and fills the name in.
    from sqlalchemy import select

    from storage.models import Contributor

    def named() -> bool:
        with peek.db.read() as s:
            return s.execute(select(Contributor.display_name)).scalar() == "佐藤 一郎"

    wait_until(named, what="display name from the retried profile call")


def test_a_429_from_the_reply_api_is_retried_and_the_reply_arrives_once(
    sim: LineSim, bot, peek: Peek
) -> None:
    worker = Worker(sim)
    sim.platform.script("reply", [Fail(429), Fail(500)])
    worker.send(sim.events.image(worker.user_id, phone_jpeg()))
    worker.question()
    statuses = wait_until(
        lambda: (
            (s := [c.status for c in sim.platform.calls("/v2/bot/message/reply")])
            and None not in s
            and s
        )
    )
    assert statuses == [429, 500, 200]
    assert len({d.request_id for d in worker.all_answers()}) == 1
    (entry,) = wait_until(lambda: [o for o in peek.outbox() if o.state != "pending"])
    assert entry.state == "sent"


def test_a_reply_line_took_but_answered_with_a_garbled_200_is_sent_once(
    sim: LineSim, bot, peek: Peek
) -> None:
    worker = Worker(sim)
    garbled = Fail(200, body="<html>proxy says hi</html>", after_processing=True)
    sim.platform.script("reply", [garbled])
    worker.send(sim.events.image(worker.user_id, phone_jpeg()))
    worker.question()
    (entry,) = wait_until(lambda: [o for o in peek.outbox() if o.state != "pending"])
    assert (entry.state, entry.error) == ("sent", None)
    calls = wait_until(
        lambda: (s := sim.platform.calls("/v2/bot/message/reply")) and s[-1].status and s
    )
    assert [c.status for c in calls] == [200]  # sent once: never tried again
    assert len({d.request_id for d in worker.all_answers()}) == 1


def test_an_expired_reply_token_is_logged_and_dropped(sim: LineSim, bot, peek: Peek) -> None:
    worker = Worker(sim)
    sim.platform.script("reply", [Fail(400, "Invalid reply token")])
    worker.send(sim.events.image(worker.user_id, phone_jpeg()))
    (entry,) = wait_until(lambda: [o for o in peek.outbox() if o.state != "pending"])
    assert entry.state == "dropped"
    assert worker.all_answers() == []  # no push fallback in this version


def test_metrics_count_webhooks_and_show_the_queue(sim: LineSim, bot) -> None:
    worker = Worker(sim)
    worker.say("こんにちは")
    worker.question()
    assert sim.sender.send_tampered(sim.events.text(worker.user_id, "x")).status_code == 400
    text = httpx.get(f"{bot.base_url}/metrics").text
    assert 'genba_http_requests_total{route="/callback",status="200"} 1.0' in text
    assert 'genba_http_requests_total{route="/callback",status="400"} 1.0' in text
    assert 'genba_jobs{state="done"}' in text


def test_an_unsent_photo_is_not_counted_and_an_emptied_draft_is_never_sent(
    sim: LineSim, bot, peek: Peek
) -> None:
    worker = Worker(sim)
    first = sim.events.image(worker.user_id, phone_jpeg())
    worker.send(first)
    worker.tap(worker.question(), "毎日の仕事")
    face = worker.question()
    second = sim.events.image(worker.user_id, phone_jpeg())
    worker.send(second)
    worker.question()
    worker.send(sim.events.unsend(worker.user_id, second["message"]["id"]))
    worker.tap(face, "顔は写っていない")
    worker.question()
    worker.say("よろしくお願いします")
    receipt = "".join(d.message.get("text", "") for d in worker.reply())
    assert "写真1枚" in receipt and "写真2枚" not in receipt
    # A second submission whose only photo is unsent: dropped, and the worker is told why.
    only = sim.events.image(worker.user_id, phone_jpeg())
    worker.send(only)
    worker.tap(worker.question(), "毎日の仕事")
    face = worker.question()
    worker.send(sim.events.unsend(worker.user_id, only["message"]["id"]))
    # The unsend has no reply to wait for: wait until the draft is gone (one submission left).
    wait_until(lambda: len(peek.submissions()) == 1, what="emptied draft dropped")
    worker.tap(face, "顔は写っていない")
    assert "送るものがなくなりました" in worker.question().message["text"]
    sent = [s for s in peek.submissions() if s.status == "new"]
    assert len(sent) == 1


def test_a_cancel_word_in_the_workers_own_language_cancels(sim: LineSim, bot, peek: Peek) -> None:
    worker = Worker(sim)
    worker.send(sim.events.image(worker.user_id, phone_jpeg()))
    worker.tap(worker.question(), "毎日の仕事")
    worker.tap(worker.question(), "顔は写っていない")
    worker.question()
    worker.say("hủy")
    assert "キャンセルしました" in worker.question().message["text"]
    wait_until(lambda: peek.submissions() == [], what="draft removed")


def test_no_need_at_the_comment_question_sends_the_post(sim: LineSim, bot, peek: Peek) -> None:
    """Typed "算了" ("forget it") answers "anything to add?": it used to cancel the post."""
    worker = Worker(sim)
    worker.send(sim.events.image(worker.user_id, phone_jpeg()))
    worker.tap(worker.question(), "毎日の仕事")
    worker.tap(worker.question(), "顔は写っていない")
    worker.question()
    worker.say("算了")
    receipt = "".join(d.message.get("text", "") for d in worker.reply())
    assert "キャンセルしました" not in receipt and "写真1枚" in receipt
    (submission,) = wait_until(lambda: [s for s in peek.submissions() if s.status == "new"])
    assert submission.code in receipt and submission.comment == "算了"
