"""The PR workspace at /admin in a real browser (Debian's chromium): sign in, filter, approve.

With GENBA_SCREENSHOTS=<folder> the gallery is also photographed at phone and laptop width
(that is how docs/screenshots/ was made).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import reload_until
from tests.e2e.conftest import RunningDemo, started_demo
from tests.e2e.photos import phone_jpeg
from tests.e2e.test_demo_browser import tap
from tests.e2e.waiting import free_port

UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
    .filter(e => e.type !== 'hidden' && e.labels.length === 0)
    .map(e => e.name || e.id)"""


def send_photo(
    page: Page, chat_url: str, photo: Path, comment: str, face: str = "顔は写っていない"
) -> str:
    """A worker sends one photo through the demo's chat page; returns its code."""
    page.goto(chat_url)
    expect(page.locator(".row.bot .bubble").first).to_be_visible()
    page.set_input_files("#file", str(photo))
    tap(page, "毎日の仕事")
    tap(page, face)
    page.fill("#text", comment)
    page.click("#send")
    receipt = page.locator(".row.bot .bubble").last
    expect(receipt).to_contain_text(re.compile(r"[A-Z0-9]{3}-[A-Z0-9]{3}"))
    code = re.search(r"[A-Z0-9]{3}-[A-Z0-9]{3}", receipt.inner_text())
    assert code is not None
    return code.group(0)


@pytest.mark.browser
def test_a_reviewer_signs_in_filters_opens_an_item_and_approves_it_by_keyboard(
    running_demo: RunningDemo, page: Page, tmp_path: Path
) -> None:
    photo = tmp_path / "genba.jpg"
    photo.write_bytes(phone_jpeg())
    code = send_photo(page, running_demo.chat_url, photo, "ラインの朝の準備です")
    found = re.search(r"e-mail (\S+)\s+password (\S+)", running_demo.banner)
    assert found, running_demo.banner
    email, password = found.groups()
    assert f"{running_demo.bot_url}/admin" in running_demo.banner

    page.goto(f"{running_demo.bot_url}/admin")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.evaluate(UNLABELLED) == []
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Gallery")).to_be_visible()
    assert page.evaluate(UNLABELLED) == []

    page.get_by_label("Status", exact=True).select_option("new")
    page.get_by_label("Text in comments").fill("朝の準備")
    page.get_by_role("button", name="Filter").click()
    card = page.locator(".item", has_text=code)
    expect(card).to_be_visible()
    reload_until(page, lambda: card.locator("img").count(), "the thumbnail")
    expect(card.locator("img")).to_be_visible()
    _screenshots(page)

    card.locator("a").click()
    expect(page.get_by_role("heading", name=re.compile(code))).to_be_visible()
    expect(page.locator(".photos img").first).to_be_visible()
    assert page.evaluate(UNLABELLED) == []
    # Keyboard only: Tab reaches the approve button, Enter presses it.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "approve":
            break
    assert page.evaluate("document.activeElement.id") == "approve"
    page.keyboard.press("Enter")
    expect(page.locator("h1 .badge")).to_have_text("Approved")
    expect(page.locator(".history")).to_contain_text("New → Approved")


def sign_in(page: Page, running_demo: RunningDemo) -> None:
    """Sign in at /admin with the demo's reviewer account (printed in its banner)."""
    found = re.search(r"e-mail (\S+)\s+password (\S+)", running_demo.banner)
    assert found, running_demo.banner
    email, password = found.groups()
    page.goto(f"{running_demo.bot_url}/admin")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Gallery")).to_be_visible()


@pytest.fixture
def small_limit_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningDemo]:
    """A running `genba demo` whose photos may have at most 1 MB (a larger one is quick to make)."""
    monkeypatch.setenv("GENBA_MAX_IMAGE_BYTES", "1000000")
    with started_demo(tmp_path, free_port()) as running:
        yield running


@pytest.mark.browser
def test_the_pr_team_uploads_a_corrected_blurred_image_on_a_phone_and_approves(
    small_limit_demo: RunningDemo, page: Page, tmp_path: Path
) -> None:
    running_demo = small_limit_demo
    photo = tmp_path / "genba.jpg"
    photo.write_bytes(phone_jpeg())  # no face in it: the detector finds none to blur
    code = send_photo(page, running_demo.chat_url, photo, "ぼかしてください", face="顔をぼかして")
    page.set_viewport_size({"width": 390, "height": 780})  # a phone
    sign_in(page, running_demo)
    page.goto(f"{running_demo.bot_url}/admin?q=" + "ぼかして")
    page.locator(".item", has_text=code).locator("a").click()
    expect(page.get_by_role("heading", name=re.compile(code))).to_be_visible()
    label = "Upload a corrected blurred image of photo 1"
    # The form appears once the photo is processed (faces counted) in the background.
    reload_until(page, lambda: page.get_by_label(label).count(), "the upload form")
    expect(page.locator(".check")).to_contain_text("check by eye")
    assert page.evaluate(UNLABELLED) == []
    # A file over the limit: the page says so as it is chosen, and by keyboard the form is not
    # sent (the server's own 413 page is unit-tested: a browser still sending when it answers
    # may see a reset connection instead). Nothing is sent, nothing changes.
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    huge = tmp_path / "huge.jpg"
    huge.write_bytes(phone_jpeg() + b"\x00" * 3_000_000)
    page.get_by_label(label).set_input_files(str(huge))
    too_large = "Photo 1: the corrected blurred image was not saved: the file is larger than 1 MB"
    expect(page.locator("#blurred-size-1")).to_contain_text(too_large)
    expect(page.get_by_label(label)).to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="Save the blurred image").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label(label)).to_be_focused()  # to choose another file
    expect(page.locator("#blurred-size-1")).to_contain_text("the previous blurred image")
    assert posts == []
    page.reload()
    expect(page.locator(".check")).to_contain_text("check by eye")
    expect(page.locator(".photos img")).to_have_count(0)  # no blurred image was stored
    blurred = tmp_path / "blurred-by-hand.jpg"
    blurred.write_bytes(phone_jpeg((40, 40, 40), size=(120, 90)))
    # The right file, from a page without JavaScript: the form needs no script.
    assert page.context.browser is not None
    plain = page.context.browser.new_page(
        java_script_enabled=False, viewport={"width": 390, "height": 780}
    )
    sign_in(plain, running_demo)
    plain.goto(page.url)

    plain.get_by_label(label).set_input_files(str(blurred))
    plain.get_by_role("button", name="Save the blurred image").click()

    expect(plain.locator("#saved")).to_contain_text("corrected blurred image saved")
    expect(plain.locator(".check")).to_contain_text("Face check: done")
    expect(plain.locator(".photos img").first).to_be_visible()  # the blurred image, shown now
    plain.get_by_role("button", name="Approve").click()
    expect(plain.locator("h1 .badge")).to_have_text("Approved")


def _screenshots(page: Page) -> None:
    folder = os.environ.get("GENBA_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for name, width, height in (("gallery-phone", 390, 780), ("gallery-laptop", 1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(Path(folder) / f"{name}.png"))
    page.set_viewport_size({"width": 1280, "height": 800})
