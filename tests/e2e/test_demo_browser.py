"""`genba demo` in a real browser (Debian's chromium through Playwright): chat, then admin API."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.conftest import REPO
from tests.e2e.photos import phone_jpeg
from tests.e2e.waiting import free_port, wait_until

CHROMIUM = os.environ.get("GENBA_TEST_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """A running `genba demo`; yields (chat URL, bot URL, admin token)."""
    port = free_port()
    log = tmp_path / "demo.log"
    env = {**os.environ, "GENBA_DATA_DIR": str(tmp_path / "var"), "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app", "demo", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:

        def banner() -> str | None:
            text = log.read_text()
            return text if re.search(r"^gba_\S+$", text, re.M) else None

        text = wait_until(banner, what="the demo's banner")
        chat = re.search(r"chat page.*?(http://\S+)", text)
        token = re.search(r"^(gba_\S+)$", text, re.M)
        assert chat and token, text
        bot = f"http://127.0.0.1:{port}"
        wait_until(lambda: _ready(bot), what="the bot")
        yield chat.group(1), bot, token.group(1)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield browser.new_page()
        finally:
            browser.close()


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
