"""linesim's chat page after a reload, in a real browser: what LINE's app would show again."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from linesim import LineSim, start_server
from tests.e2e.browser import PHONE, browser_page
from tests.e2e.waiting import wait_until


def tall_jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 400), colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def page() -> Iterator[Page]:
    with browser_page(PHONE) as page:
        yield page


@pytest.fixture
def web(sim: LineSim) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.base_url, timeout=10) as client:
        yield client


def new_user(web: httpx.Client) -> str:
    return str(web.post("/_sim/chat/start", json={}).json()["userId"])


def send_photo(web: httpx.Client, user: str, colour: tuple[int, int, int]) -> str:
    sent = web.post(
        f"/_sim/users/{user}/image",
        content=tall_jpeg(colour),
        headers={"content-type": "image/jpeg"},
    ).json()
    return str(sent["messageId"])


BROKEN_IMAGES = (
    "[...document.images].filter(i => i.getAttribute('src') && i.naturalWidth === 0).length"
)
AT_THE_END = "(() => { const l = document.getElementById('log');"
AT_THE_END += " return l.scrollHeight - l.scrollTop - l.clientHeight; })()"


@pytest.mark.browser
def test_an_unsent_photo_is_gone_after_a_reload_not_broken(
    sim: LineSim, web: httpx.Client, page: Page
) -> None:
    user = new_user(web)
    kept = send_photo(web, user, (30, 160, 60))
    unsent = send_photo(web, user, (200, 40, 40))
    web.post(f"/_sim/users/{user}/unsend", json={"messageId": unsent})
    page.goto(f"{sim.chat_url}?user={user}")
    photos = page.locator(".row.user img")
    expect(photos).to_have_count(1)
    assert photos.first.get_attribute("src") == f"/_sim/content/{kept}"
    page.wait_for_function("[...document.images].every(i => i.complete)")
    assert page.evaluate(BROKEN_IMAGES) == 0


@pytest.mark.browser
def test_after_a_reload_the_view_is_at_the_newest_message(
    sim: LineSim, web: httpx.Client, page: Page
) -> None:
    user = new_user(web)
    for i in range(8):
        send_photo(web, user, (30 * i, 100, 150))
    web.post(f"/_sim/users/{user}/text", json={"text": "いちばん新しいメッセージ"})
    page.goto(f"{sim.chat_url}?user={user}")
    newest = page.locator(".row.user .bubble", has_text="いちばん新しいメッセージ")
    expect(newest).to_be_visible()
    page.wait_for_function(
        "[...document.images].filter(i => i.getAttribute('src'))"
        ".every(i => i.complete && i.naturalWidth)"
    )
    # Every image is in: the view must be (or come) at the very end.
    page.wait_for_function(f"{AT_THE_END} <= 2", timeout=5_000)
    expect(newest).to_be_in_viewport()


class Recorder:
    """A stand-in bot that only records the events linesim posts to it."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    async def callback(self, request: Request) -> Response:
        self.events += (await request.json())["events"]
        return Response(status_code=200)


@pytest.fixture
def recorder(sim: LineSim) -> Iterator[Recorder]:
    recorder = Recorder()
    app = Starlette(routes=[Route("/callback", recorder.callback, methods=["POST"])])
    with start_server(app) as server:
        sim.platform.webhook_url = f"{server.base_url}/callback"
        yield recorder


def postback(label: str, data: str) -> dict[str, str]:
    return {"type": "postback", "label": label, "data": data, "displayText": label}


def card(title: str, text: str, data: str) -> dict[str, Any]:
    return {
        "type": "bubble",
        "hero": {"type": "image", "url": "https://example.invalid/hero.jpg", "size": "full"},
        "body": {
            "type": "box",
            "layout": "vertical",
            "contents": [
                {"type": "text", "text": title, "weight": "bold", "size": "lg"},
                {"type": "text", "text": text, "wrap": True},
            ],
        },
        "footer": {
            "type": "box",
            "layout": "vertical",
            "contents": [{"type": "button", "action": postback(f"{title}を開く", data)}],
        },
    }


BOT_SENDS = [
    {
        "type": "flex",
        "altText": "ガイドライン",
        "contents": {
            "type": "carousel",
            "contents": [
                card("名札", "名札が読める写真は送らないでください。", "g1|guide|badge"),
                card("お客様", "お客様の顔が写らないようにしてください。", "g1|guide|customer"),
            ],
        },
    },
    {
        "type": "template",
        "altText": "今月のテーマ",
        "template": {
            "type": "buttons",
            "title": "今月のテーマ：職人の手元",
            "text": "手元のアップを送ってください",
            "actions": [
                postback("このテーマで送る", "g1|month_theme|send"),
                {"type": "message", "label": "例を見る", "text": "例を見せて"},
            ],
        },
    },
    {
        "type": "template",
        "altText": "確認",
        "template": {
            "type": "confirm",
            "text": "取り下げますか？",
            "actions": [postback("はい", "g1|yes"), postback("いいえ", "g1|no")],
        },
    },
    {
        "type": "image",
        "originalContentUrl": "https://example.invalid/photo.jpg",
        "previewImageUrl": "https://example.invalid/preview.jpg",
    },
]


@pytest.mark.browser
def test_cards_carousels_and_images_from_the_bot_are_readable_and_their_buttons_work(
    sim: LineSim, web: httpx.Client, page: Page, recorder: Recorder
) -> None:
    user = new_user(web)
    headers = {"Authorization": f"Bearer {sim.platform.access_token}"}
    pushed = web.post(
        "/v2/bot/message/push", json={"to": user, "messages": BOT_SENDS}, headers=headers
    )
    assert pushed.status_code == 200, pushed.text
    page.goto(f"{sim.chat_url}?user={user}")
    carousel = page.locator(".row.bot .carousel")
    expect(carousel.locator(".card")).to_have_count(2)
    expect(carousel).to_contain_text("名札が読める写真は送らないでください。")
    expect(carousel.locator(".line.bold", has_text="お客様")).to_be_visible()
    expect(page.locator(".card .title", has_text="今月のテーマ：職人の手元")).to_be_visible()
    expect(page.locator(".card", has_text="取り下げますか？").locator("button")).to_have_count(2)
    # Images that cannot load (offline) say so in words, never as a broken picture.
    page.wait_for_function("[...document.images].every(i => i.complete)")
    assert page.evaluate(BROKEN_IMAGES) == 0
    expect(page.locator(".gone").first).to_be_visible()

    carousel.locator("button", has_text="お客様を開く").click()
    expect(page.locator(".row.user .bubble", has_text="お客様を開く")).to_be_visible()
    page.locator("button", has_text="例を見る").click()
    expect(page.locator(".row.user .bubble", has_text="例を見せて")).to_be_visible()
    wait_until(lambda: len(recorder.events) >= 3, what="the taps at the bot")
    tapped = [
        (e["type"], e.get("postback", {}).get("data") or e.get("message", {}).get("text"))
        for e in recorder.events
        if e["type"] in ("postback", "message")
    ]
    assert tapped == [("postback", "g1|guide|customer"), ("message", "例を見せて")]
