"""What a worker sees at the bottom of the chat, over real HTTP (linesim ⇄ bot).

LINE shows quick replies only under the newest message. These tests record each photo in the
chat the moment LINE hands it to the bot (as LINE's app shows it), and check that the bot's
buttons end up under the last message the worker sees.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from app.settings import Settings
from linesim import LineSim
from tests.e2e.chat import Worker, labels
from tests.e2e.photos import phone_jpeg
from tests.e2e.waiting import Peek, wait_until


@pytest.fixture
def peek(bot_settings: Settings):
    p = Peek(bot_settings.effective_database_url)
    yield p
    p.close()


def send_shown(worker: Worker, event: dict[str, Any]) -> None:
    """Show the worker's message in the chat, then deliver it, as LINE does."""
    message = event["message"]
    shown = {"type": "image"} if message["type"] == "image" else dict(message)
    worker.sim.platform.record_user_message(worker.user_id, shown, message["id"])
    worker.send(event)


def handled(peek: Peek, event: dict[str, Any]) -> bool:
    """The bot took the event, and sent whatever it answered at once."""
    taken = any(e.id == event["webhookEventId"] and e.status == "handled" for e in peek.events())
    return taken and all(o.state != "pending" for o in peek.outbox())


def last_seen(worker: Worker) -> dict[str, Any]:
    """The newest entry of the worker's chat, as the phone shows it."""
    entries = worker.sim.platform.timeline(worker.user_id)
    last = entries[-1]
    return {"from": last.sender, "message": last.message}


def test_album_arriving_in_pieces_leaves_the_buttons_under_the_last_photo(
    sim: LineSim, bot, peek: Peek
) -> None:
    worker = Worker(sim)
    photos = sim.events.imageset(worker.user_id, [phone_jpeg((60 * i, 90, 90)) for i in (1, 2, 3)])
    first, second, third = photos
    # Each photo reaches the chat and the bot on its own, photo 3 first; the bot has handled
    # each before the next one shows (slow uploads on a phone).
    for event in (third, first, second):
        send_shown(worker, event)
        wait_until(lambda e=event: handled(peek, e), what="the photo handled")
    question = worker.question()
    seen = last_seen(worker)
    assert seen["from"] == "bot", "the theme question came before the last photo"
    assert "毎日の仕事" in labels(question) and seen["message"] == question.message
    texts = [d.message["text"] for d in worker.all_answers()]
    assert "写真3枚" in texts[0]


def test_album_without_its_total_is_answered_after_a_quiet_moment(
    sim: LineSim, bot, peek: Peek
) -> None:
    worker = Worker(sim)
    # LINE for Android 11.15 and older: an imageSet id, but no index and no total.
    photos = sim.events.imageset(worker.user_id, [phone_jpeg(), phone_jpeg()], with_index=False)
    for event in photos:
        send_shown(worker, event)
        wait_until(lambda e=event: handled(peek, e), what="the photo handled")
    question = worker.question()
    assert last_seen(worker) == {"from": "bot", "message": question.message}
    assert "毎日の仕事" in labels(question)


def test_receipt_says_what_was_received(sim: LineSim, bot) -> None:
    worker = Worker(sim)
    for event in sim.events.imageset(worker.user_id, [phone_jpeg(), phone_jpeg()]):
        send_shown(worker, event)
    worker.tap(worker.question(), "毎日の仕事")
    worker.tap(worker.question(), "ぼかして")
    worker.tap(worker.question(), "コメントなし")
    # Before the receipt (last): the guideline, never agreed to (never a gate), and what arrived.
    *before, receipt = worker.reply()
    (summary,) = [m for m in before if "送ったもの：" in m.message["text"]]
    assert "送ったもの：写真2枚\n" in summary.message["text"]
    assert "毎日の仕事" in summary.message["text"]
    assert "ぼかして" in summary.message["text"]
    assert "取り下げる" in labels(receipt)


def submit_one(worker: Worker) -> str:
    """Send one photo through the three questions; return the receipt's text."""
    worker.send(worker.sim.events.image(worker.user_id, phone_jpeg()))
    worker.tap(worker.question(), "毎日の仕事")
    worker.tap(worker.question(), "顔は写っていない")
    worker.tap(worker.question(), "コメントなし")
    return str(worker.question().message["text"])


def test_typed_withdraw_wish_withdraws_the_workers_latest_submission(
    sim: LineSim, bot, peek: Peek
) -> None:
    worker = Worker(sim)
    submit_one(worker)
    wait_until(lambda: [s for s in peek.submissions() if s.status == "new"])
    worker.say("取り下げたい")
    confirm = worker.question()
    (mine,) = peek.submissions()
    assert mine.code in confirm.message["text"]
    assert "アイデア" not in confirm.message["text"]
    worker.tap(confirm, "はい、取り下げる")
    assert mine.code in worker.question().message["text"]
    wait_until(lambda: [s for s in peek.submissions() if s.status == "withdrawn"])


def test_typed_code_reaches_only_the_workers_own_submission(
    sim: LineSim, bot, peek: Peek, caplog: pytest.LogCaptureFixture
) -> None:
    owner, other = Worker(sim, "持ち主"), Worker(sim, "ほかの人")
    submit_one(owner)
    (theirs,) = wait_until(lambda: [s for s in peek.submissions() if s.status == "new"])
    with caplog.at_level(logging.WARNING, logger="genba.conversation"):
        other.say(theirs.code)
        refused = other.question()
        other.say("ZZZ-999")
        unknown = other.question()
    assert refused.message["text"] == unknown.message["text"].replace("ZZZ-999", theirs.code)
    assert "取り下げますか" not in refused.message["text"]
    assert "is not theirs" in caplog.text
    assert other.user_id not in caplog.text  # never a full LINE user id in the logs
    assert [s.status for s in peek.submissions()] == ["new"]
    # The owner typing the same code gets the confirmation.
    owner.say(theirs.code.lower())
    confirm = owner.question()
    assert theirs.code in confirm.message["text"] and "はい、取り下げる" in labels(confirm)
