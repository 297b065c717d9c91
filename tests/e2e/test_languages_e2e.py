"""The language of a worker's LINE app decides the bot's words, from the welcome to the receipt."""

from __future__ import annotations

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


def test_a_vietnamese_worker_is_answered_in_vietnamese(sim: LineSim, bot, peek: Peek) -> None:
    worker = Worker(sim, name="Nguyễn Thị Lan", language="vi")
    worker.send(sim.events.follow(worker.user_id))
    welcome, agree = worker.reply()
    assert welcome.message["text"].startswith("Cảm ơn bạn đã kết bạn")
    assert "hướng dẫn chụp ảnh" in agree.message["text"]
    assert labels(agree) == ["Tôi đồng ý", "Xem hướng dẫn", "Camera", "Album"]

    worker.send(sim.events.image(worker.user_id, phone_jpeg()))
    thanks, theme = worker.reply()
    assert thanks.message["text"] == "Cảm ơn bạn đã gửi ảnh!"
    assert "chủ đề" in theme.message["text"] and labels(theme)[-1] == "Hủy"
    # The default themes speak Vietnamese too (migration 0005): no Japanese button to guess at.
    assert "Công việc hằng ngày" in labels(theme) and "毎日の仕事" not in labels(theme)
    worker.tap(theme, "Công việc hằng ngày")

    face = worker.question()
    assert labels(face) == ["Mặt OK (đều đồng ý)", "Làm mờ mặt", "Không có mặt người", "Hủy"]
    worker.tap(face, "Làm mờ mặt")
    worker.tap(worker.question(), "Không ghi chú")
    receipt = worker.question()
    assert "nhóm truyền thông luôn kiểm tra" in receipt.message["text"]
    # Not agreed to the guideline yet: never stopped, only pointed to it.
    assert labels(receipt) == ["Rút lại", "Xem hướng dẫn", "Gửi thêm", "Album"]

    (submission,) = wait_until(lambda: [s for s in peek.submissions() if s.status == "new"])
    assert submission.face == "blur" and submission.comment is None
    assert submission.code in receipt.message["text"]


def test_traditional_chinese_gets_simplified_and_korean_gets_japanese(sim: LineSim, bot) -> None:
    taiwan = Worker(sim, name="陳美玲", language="zh-TW")
    korea = Worker(sim, name="김민지", language="ko")
    for worker in (taiwan, korea):
        worker.say("cancel")
    assert taiwan.question().message["text"] == "现在没有可以取消的内容。"
    assert korea.question().message["text"] == "いま、キャンセルするものはありません。"
