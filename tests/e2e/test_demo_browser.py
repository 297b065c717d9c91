"""`genba demo` in a real browser (Debian's chromium through Playwright): chat, then admin API.

The worker's journey test also takes the README's screenshots ("what the worker sees"): into
a temporary folder on every run, and into the folder `GENBA_SCREENSHOTS` names when set
(`GENBA_SCREENSHOTS=docs/screenshots scripts/run-tests tests/e2e/test_demo_browser.py`).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from flows.menu import MenuButton, menu_data
from tests.e2e.browser import PHONE, browser_page, save_screenshot
from tests.e2e.conftest import REPO
from tests.e2e.photos import phone_jpeg
from tests.e2e.waiting import wait_until

MAX_SCREENSHOT_BYTES = 150_000  # the README stays light


@pytest.fixture
def phone() -> Iterator[Page]:
    with browser_page(PHONE) as page:
        yield page


def tap(page: Page, label: str) -> None:
    button = page.locator("#quick button", has_text=label)
    expect(button).to_be_visible()
    button.click()


@pytest.mark.browser
def test_a_newcomer_sends_a_photo_in_the_demo_and_sees_it_in_the_admin_api(
    demo: tuple[str, str, str], page: Page, tmp_path: Path
) -> None:
    chat_url, bot_url, token = demo
    photo = tmp_path / "genba.jpg"
    photo.write_bytes(phone_jpeg())
    page.goto(chat_url)
    expect(page.locator(".row.bot .bubble").first).to_be_visible()  # the welcome
    page.set_input_files("#file", str(photo))
    tap(page, "毎日の仕事")
    tap(page, "顔は写っていない")
    page.fill("#text", "ラインの朝の準備です")
    page.click("#send")
    receipt = page.locator(".row.bot .bubble").last
    expect(receipt).to_contain_text(re.compile(r"[A-Z0-9]{3}-[A-Z0-9]{3}"))
    code = re.search(r"[A-Z0-9]{3}-[A-Z0-9]{3}", receipt.inner_text())
    assert code is not None

    headers = {"Authorization": f"Bearer {token}"}

    def listed() -> list[dict] | None:
        items = httpx.get(f"{bot_url}/api/v1/submissions", headers=headers).json()["items"]
        ready = [i for i in items if i["media"] and i["media"][0]["status"] == "ready"]
        return ready or None

    (submission,) = wait_until(listed, what="the submission in the admin API")
    assert submission["code"] == code.group(0)
    assert (submission["theme"], submission["face"]) == ("daily-work", "no_face")
    assert submission["comment"] == "ラインの朝の準備です"
    assert submission["contributor"]["display_name"]
    media = submission["media"][0]
    thumb = httpx.get(f"{bot_url}/api/v1/media/{media['id']}/thumbnail", headers=headers)
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"


def tap_menu(page: Page, button: MenuButton) -> None:
    """Tap the middle of a rich-menu area, found by its postback data in the menu LINE holds."""
    user = page.evaluate("localStorage.getItem('linesim.user')")
    menu = httpx.get(page.url.split("/chat")[0] + f"/_sim/users/{user}/richmenu").json()
    (area,) = [a for a in menu["areas"] if a["action"].get("data") == menu_data(button)]
    image = page.locator("#menuimage")
    expect(image).to_be_visible()
    box = image.bounding_box()
    assert box is not None
    scale = box["width"] / menu["size"]["width"]  # the image is scaled to the page's width
    bounds = area["bounds"]
    x = (bounds["x"] + bounds["width"] / 2) * scale
    y = (bounds["y"] + bounds["height"] / 2) * scale
    image.click(position={"x": x, "y": y})


def last_row_is_the_bot_with_buttons(page: Page) -> None:
    """The newest message is the bot's, and its quick replies show under it."""
    expect(page.locator("#log .row").last).to_have_class(re.compile(r"\bbot\b"))
    expect(page.locator("#quick button").first).to_be_visible()


def scene(colour: tuple[int, int, int]) -> bytes:
    """A small landscape picture standing in for a photo of the shop floor."""
    image = Image.new("RGB", (320, 220), (232, 236, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 150, 320, 220), fill=(150, 150, 156))  # the floor
    draw.rectangle((40, 70, 280, 150), fill=colour)  # a machine
    draw.rectangle((70, 90, 130, 130), fill=(250, 250, 250))
    draw.ellipse((190, 88, 240, 138), fill=(60, 60, 66))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


class Shots:
    """Screenshots of the journey: always into tmp, into GENBA_SCREENSHOTS when it is set."""

    def __init__(self, page: Page, tmp: Path) -> None:
        self.page = page
        wanted = os.environ.get("GENBA_SCREENSHOTS")
        self.folders = [tmp, *([REPO / wanted] if wanted else [])]

    def take(self, name: str) -> None:
        self.page.wait_for_function("[...document.images].every(i => i.complete)")
        for folder in self.folders:
            size = save_screenshot(self.page, folder / f"{name}.png")
            assert size <= MAX_SCREENSHOT_BYTES, f"{name}.png is {size:,} bytes"


@pytest.mark.browser
def test_the_worker_journey_in_the_demo_chat(
    demo: tuple[str, str, str], phone: Page, tmp_path: Path
) -> None:
    chat_url, bot_url, token = demo
    page, shots = phone, Shots(phone, tmp_path)
    photos = []
    for i, colour in enumerate([(214, 140, 60), (70, 130, 190), (96, 160, 96)]):
        photos.append(tmp_path / f"album-{i}.jpg")
        photos[-1].write_bytes(scene(colour))
    page.goto(chat_url)
    expect(page.locator(".row.bot .bubble").first).to_contain_text("友だち追加")
    expect(page.locator("#chatbar")).to_contain_text("メニュー")
    shots.take("1-welcome-and-menu")

    # The rich menu's areas send what LINE would: "help", then "send a photo".
    tap_menu(page, MenuButton.HELP)
    expect(page.locator(".row.bot .bubble").last).to_contain_text("使い方")
    tap_menu(page, MenuButton.SEND)
    expect(page.locator(".row.bot .bubble").last).to_contain_text("アルバム")
    expect(page.locator("#quick button", has_text="アルバム")).to_be_visible()

    # Three photos at once from the album: the question comes after the last one.
    page.set_input_files("#file", [str(p) for p in photos])
    expect(page.locator("#log .row.bot .bubble", has_text="写真3枚")).to_be_visible()
    expect(page.locator(".row.user img")).to_have_count(3)
    last_row_is_the_bot_with_buttons(page)
    expect(page.locator("#quick button", has_text="毎日の仕事")).to_be_visible()
    page.click("#chatbar")  # fold the menu away, as a worker does to see the chat
    shots.take("2-album-then-the-theme-question")

    tap(page, "毎日の仕事")
    tap(page, "顔をぼかして")
    expect(page.locator("#quick button", has_text="コメントなし")).to_be_visible()
    page.fill("#text", "朝礼のあと、ラインを準備しているところです")
    page.click("#send")
    receipt = page.locator(".row.bot .bubble").last
    expect(receipt).to_contain_text(re.compile(r"[A-Z0-9]{3}-[A-Z0-9]{3}"))
    code = re.search(r"[A-Z0-9]{3}-[A-Z0-9]{3}", receipt.inner_text())
    assert code is not None
    expect(page.locator(".row.bot .bubble", has_text="送ったもの：写真3枚")).to_be_visible()
    last_row_is_the_bot_with_buttons(page)
    shots.take("3-receipt")

    # Typed, not tapped: the worker takes it back.
    page.fill("#text", "取り下げたい")
    page.click("#send")
    confirm = page.locator(".row.bot .bubble").last
    expect(confirm).to_contain_text(code.group(0))
    expect(confirm).to_contain_text("取り下げますか")
    shots.take("4-withdraw-by-typing")
    tap(page, "はい、取り下げる")
    expect(page.locator(".row.bot .bubble").last).to_contain_text("取り下げました")

    headers = {"Authorization": f"Bearer {token}"}
    (submission,) = httpx.get(f"{bot_url}/api/v1/submissions", headers=headers).json()["items"]
    assert (submission["code"], submission["status"]) == (code.group(0), "withdrawn")


def bot_says(page: Page, words: str) -> None:
    """Wait until the newest bot message says these words."""
    expect(page.locator(".row.bot").last).to_contain_text(words)


@pytest.mark.browser
def test_the_whole_journey_agree_site_guideline_theme_card_my_submissions_withdraw(
    demo: tuple[str, str, str], phone: Page, tmp_path: Path
) -> None:
    chat_url, bot_url, token = demo
    page, shots = phone, Shots(phone, tmp_path)
    headers = {"Authorization": f"Bearer {token}"}
    api = httpx.Client(base_url=f"{bot_url}/api/v1", headers=headers)
    # What an admin sets up first: the sites, and a theme for this month (company time zone).
    for name in ("本社工場", "駅前店", "物流センター"):
        assert api.post("/sites", json={"name": name}).status_code == 201
    month = datetime.now(ZoneInfo("Asia/Tokyo")).strftime("%Y-%m")
    theme = {
        "slug": "hands",
        "title": "職人の手元",
        "translations": {"en": "Skilled hands"},
        "description": "作業中の手元のアップを送ってください。",
        "examples": {"ja": "部品を組む手、工具を持つ手"},
        "month": month,
    }
    assert api.post("/themes", json=theme).status_code == 201
    photo = tmp_path / "hands.jpg"
    photo.write_bytes(scene((190, 120, 80)))

    # Follow: the welcome asks for one tap on the guideline, then where the worker works.
    page.goto(chat_url)
    expect(page.locator(".row.bot .bubble").first).to_contain_text("友だち追加")
    bot_says(page, "同意")
    tap(page, "同意する")
    bot_says(page, "職場")
    page.click("#chatbar")
    shots.take("5-agree-then-site")
    tap(page, "駅前店")
    bot_says(page, "駅前店")

    # The guideline from the rich menu, as cards; then a word typed to search it.
    page.click("#chatbar")
    tap_menu(page, MenuButton.GUIDELINE)
    expect(page.locator(".row.bot").last.locator(".card").first).to_be_visible()
    tap(page, "言葉で探す")
    bot_says(page, "調べたい言葉")
    page.fill("#text", "名札")
    page.click("#send")
    found = page.locator(".row.bot").last
    expect(found.locator(".card")).to_have_count(1)  # the name-badge entry only
    expect(found).to_contain_text("名札・社員証は写さない")
    shots.take("6-guideline-search")

    # The theme of the month: "send for this theme", a photo, then only face and comment.
    tap_menu(page, MenuButton.MONTH_THEME)
    card = page.locator(".card", has_text="職人の手元").last
    expect(card).to_be_visible()
    page.click("#chatbar")
    shots.take("7-theme-card")
    card.locator("button", has_text="このテーマで送る").click()
    bot_says(page, "職人の手元")
    page.set_input_files("#file", str(photo))
    tap(page, "顔は写っていない")  # tap 1 after the photo: no theme question
    tap(page, "コメントなし")  # tap 2
    receipt = page.locator(".row.bot .bubble").last
    expect(receipt).to_contain_text(re.compile(r"[A-Z0-9]{3}-[A-Z0-9]{3}"))
    code = re.search(r"[A-Z0-9]{3}-[A-Z0-9]{3}", receipt.inner_text())
    assert code is not None

    # My submissions: the card with its status in words, and withdraw from it.
    page.click("#chatbar")
    tap_menu(page, MenuButton.MINE)
    mine = page.locator(".card", has_text=code.group(0)).last
    expect(mine).to_be_visible()
    expect(mine).to_contain_text("受け付けました")
    page.click("#chatbar")
    shots.take("8-my-submissions")
    mine.locator("button", has_text="取り下げる").click()
    bot_says(page, "取り下げますか")
    tap(page, "はい、取り下げる")
    bot_says(page, "取り下げました")

    (sent,) = api.get("/submissions").json()["items"]
    assert (sent["code"], sent["status"], sent["theme"]) == (code.group(0), "withdrawn", "hands")
    assert sent["site"]["name"] == "駅前店"
    assert sent["guideline"]["agreed"] is True
    api.close()
