"""linesim's chat page after a reload, in a real browser: what LINE's app would show again."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from linesim import LineSim
from tests.e2e.browser import PHONE, browser_page


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
    expect(photos).to_have_count(1, timeout=10_000)
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
    expect(newest).to_be_visible(timeout=10_000)
    page.wait_for_function("[...document.images].every(i => i.complete)")
    page.wait_for_timeout(300)  # let the last image's layout settle before measuring
    assert page.evaluate(AT_THE_END) <= 2
    expect(newest).to_be_in_viewport()
