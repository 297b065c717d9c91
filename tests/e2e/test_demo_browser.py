"""`genba demo` in a real browser (Debian's chromium through Playwright): chat, then admin API."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.photos import phone_jpeg
from tests.e2e.waiting import wait_until


def tap(page: Page, label: str) -> None:
    button = page.locator("#quick button", has_text=label)
    expect(button).to_be_visible(timeout=20_000)
    button.click()


@pytest.mark.browser
def test_a_newcomer_sends_a_photo_in_the_demo_and_sees_it_in_the_admin_api(
    demo: tuple[str, str, str], page: Page, tmp_path: Path
) -> None:
    chat_url, bot_url, token = demo
    photo = tmp_path / "genba.jpg"
    photo.write_bytes(phone_jpeg())
    page.goto(chat_url)
    expect(page.locator(".row.bot .bubble").first).to_be_visible(timeout=20_000)  # the welcome
    page.set_input_files("#file", str(photo))
    tap(page, "毎日の仕事")
    tap(page, "顔は写っていない")
    page.fill("#text", "ラインの朝の準備です")
    page.click("#send")
    receipt = page.locator(".row.bot .bubble").last
    expect(receipt).to_contain_text(re.compile(r"[A-Z0-9]{3}-[A-Z0-9]{3}"), timeout=20_000)
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
