"""Export in a real browser (Debian's chromium): a worker sends a photo in the demo's chat, a
PR person signs in, filters, opens the item, approves it, exports it, and the downloaded ZIP
holds the photo (the same bytes the admin API serves) and both manifests with its consent.
Then the worker's deletion request: the admin confirms it on the page and the files go."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import reload_until
from tests.e2e.conftest import RunningDemo
from tests.e2e.photos import phone_jpeg
from tests.e2e.test_workspace_browser import UNLABELLED, send_photo, sign_in


@pytest.mark.browser
def test_sign_in_filter_open_approve_export_read_the_zip_then_delete_the_worker(
    running_demo: RunningDemo, page: Page, tmp_path: Path
) -> None:
    photo = tmp_path / "genba.jpg"
    photo.write_bytes(phone_jpeg())
    comment = "検査ラインの新しい治具"
    code = send_photo(page, running_demo.chat_url, photo, comment)
    sign_in(page, running_demo)

    page.get_by_label("Text in comments").fill("治具")
    page.get_by_role("button", name="Filter").click()
    card = page.locator(".item", has_text=code)
    expect(card).to_be_visible()
    reload_until(page, lambda: card.locator("img").count(), "the stored photo")
    expect(card.locator("img")).to_be_visible()
    card.locator("a").click()
    expect(page.get_by_role("heading", name=re.compile(code))).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("h1 .badge")).to_have_text("Approved")

    page.get_by_role("link", name="Export").click()
    expect(page.get_by_role("heading", name="Export")).to_be_visible()
    assert page.evaluate(UNLABELLED) == []
    page.get_by_label("Text in comments").fill("治具")
    page.get_by_role("button", name="Filter").click()
    page.locator(".item", has_text=code).get_by_role("checkbox").check()
    _screenshot(page, "export-phone", 390, 780)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download ZIP of the ticked items").click()
    download = info.value
    assert download.suggested_filename.startswith("genba-export-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    z = zipfile.ZipFile(saved)
    assert z.testzip() is None
    photos = [n for n in z.namelist() if not n.startswith("manifest")]
    assert photos == [f"{code}/{code}-1-original.jpg"]
    # The bytes are the sanitised original the admin API serves, nothing else.
    headers = {"Authorization": f"Bearer {running_demo.token}"}
    listed = httpx.get(
        f"{running_demo.bot_url}/api/v1/submissions", params={"q": code}, headers=headers
    ).json()["items"]
    (item,) = listed
    original = httpx.get(
        f"{running_demo.bot_url}/api/v1/media/{item['media'][0]['id']}/original", headers=headers
    )
    assert z.read(photos[0]) == original.content
    assert z.read(photos[0])[:2] == b"\xff\xd8"

    rows = list(csv.DictReader(io.StringIO(z.read("manifest.csv").decode("utf-8-sig"))))
    (row,) = rows
    assert row["code"] == code and row["status"] == "approved"
    assert row["face"] == "no_face" and row["comment"] == comment
    assert row["consent_time"].endswith("Z")
    assert row["guideline_version"] == "not yet" and row["files"] == photos[0]
    document = json.loads(z.read("manifest.json"))
    assert [i["code"] for i in document["items"]] == [code] and document["not_ready"] == []

    # The worker asks for their data to be deleted: an admin does it from the item, confirming.
    media_id = item["media"][0]["id"]
    data_dir = Path(running_demo.env["GENBA_DATA_DIR"])
    assert [p for p in data_dir.rglob(media_id) if p.is_dir()]
    page.goto(f"{running_demo.bot_url}/admin/items/{item['id']}")
    page.get_by_role("link", name=re.compile("Delete all data of this item's contributor")).click()
    expect(page.get_by_label("Submission code or contributor id")).to_have_value(code)
    assert page.evaluate(UNLABELLED) == []
    page.get_by_role("button", name="Show what would be deleted").click()
    expect(page.get_by_role("status")).to_contain_text("This would delete 1 submission,")
    page.get_by_role("button", name="Delete everything of this worker").click()
    expect(page.get_by_role("status")).to_contain_text("Deleted: 1 submission, 1 photo,")
    assert not list(data_dir.rglob(media_id))
    page.goto(f"{running_demo.bot_url}/admin?q={code}")
    expect(page.locator(".item", has_text=code)).to_have_count(0)
    page.goto(f"{running_demo.bot_url}/admin/export?q={code}")
    expect(page.get_by_text("No approved items match.")).to_be_visible()


def _screenshot(page: Page, name: str, width: int, height: int) -> None:
    """With GENBA_SCREENSHOTS=<folder>, the page at this size (how docs/screenshots/ is made)."""
    folder = os.environ.get("GENBA_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": height})
    page.screenshot(path=str(Path(folder) / f"{name}.png"))
    page.set_viewport_size({"width": 1280, "height": 800})
