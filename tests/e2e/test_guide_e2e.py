"""Through linesim over real HTTP: agree, look up the guideline, send for the month's theme,
and see the PR team's example with its picture fetched from the bot's signed address."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from app.factory import create_app
from app.services import build_services
from app.settings import load_settings
from linesim import Delivery, LineSim, start_server
from linesim.server import RunningServer
from media import FaceDetector
from storage import tokens
from storage.db import Database
from tests.e2e.chat import Worker, labels
from tests.e2e.conftest import bot_env
from tests.e2e.photos import phone_jpeg
from tests.e2e.waiting import Peek, free_port, wait_until


@pytest.fixture
def public_bot(
    sim: LineSim, migrated_url: str, tmp_path: Path, face_detector: FaceDetector
) -> Iterator[RunningServer]:
    """The bot, with its public address (for example thumbnails) on this machine."""
    port = free_port()
    env = bot_env(sim, migrated_url, tmp_path / "var")
    settings = load_settings(_env_file=None, GENBA_PUBLIC_URL=f"http://127.0.0.1:{port}", **env)
    services = build_services(settings, faces=face_detector)
    server = start_server(create_app(services), "127.0.0.1", port)
    sim.platform.webhook_url = f"{server.base_url}/callback"
    try:
        yield server
    finally:
        server.stop()
        services.close()


def token(url: str, role: str) -> dict[str, str]:
    db = Database(url)
    try:
        with db.write() as s:
            made = tokens.create(s, name=f"{role}-e2e", role=role, now=datetime.now(UTC))
    finally:
        db.dispose()
    return {"Authorization": f"Bearer {made}"}


def bubbles(delivery: Delivery) -> list[dict[str, Any]]:
    contents = delivery.message["contents"]
    return contents["contents"] if contents["type"] == "carousel" else [contents]


def tap_card(worker: Worker, delivery: Delivery, card: int = 0) -> None:
    action = bubbles(delivery)[card]["footer"]["contents"][0]["action"]
    worker.send(worker.sim.events.postback(worker.user_id, action["data"]))


def test_guideline_theme_card_and_example_end_to_end(
    sim: LineSim, public_bot: RunningServer, migrated_url: str
) -> None:
    base = public_bot.base_url
    month = datetime.now(ZoneInfo("Asia/Tokyo")).strftime("%Y-%m")  # GENBA_TIMEZONE default
    admin, reviewer = token(migrated_url, "admin"), token(migrated_url, "reviewer")
    theme = {
        "slug": "month-e2e",
        "title": "今月：職人の手元",
        "translations": {"en": "This month: skilled hands"},
        "descriptions": {"en": "Close-ups of hands at work."},
        "examples": {"en": "Hands sharpening a knife"},
        "month": month,
        "sort_order": -10,
    }
    with httpx.Client(base_url=base) as api:
        assert api.post("/api/v1/themes", json=theme, headers=admin).status_code == 201

    worker = Worker(sim, name="Maria Santos", language="en")
    worker.send(sim.events.follow(worker.user_id))
    prompt = worker.question()
    assert labels(prompt)[:2] == ["I agree", "Read the guideline"]
    worker.tap(prompt, "I agree")
    assert "recorded" in worker.question().message["text"]

    worker.send(sim.events.postback(worker.user_id, "g1|guideline"))
    cards = worker.question()
    assert cards.message["type"] == "flex" and len(bubbles(cards)) == 8
    worker.tap(cards, "Search a word")
    worker.question()
    worker.say("badge")
    found = worker.question()
    assert bubbles(found)[0]["body"]["contents"][-2]["text"] == "Keep name badges out"

    worker.send(sim.events.postback(worker.user_id, "g1|month_theme"))
    card = worker.question()
    assert bubbles(card)[0]["body"]["contents"][0]["text"] == "This month: skilled hands"
    tap_card(worker, card)
    assert labels(worker.question()) == ["Camera", "Album"]
    worker.send(sim.events.image(worker.user_id, phone_jpeg()))
    face = worker.reply()[-1]
    assert "face" in face.message["text"].lower()  # the theme question is skipped
    worker.tap(face, "No faces")
    worker.tap(worker.question(), "No comment")
    receipt = worker.question()
    assert labels(receipt)[0] == "Withdraw"

    peek = Peek(migrated_url)
    try:
        (sub,) = wait_until(lambda: [s for s in peek.submissions() if s.status == "new"])
        assert sub.theme == "month-e2e" and sub.face == "no_face"
        (media,) = wait_until(lambda: [m for m in peek.media() if m.status == "ready"])
    finally:
        peek.close()
    with httpx.Client(base_url=base) as api:
        shown = api.get(f"/api/v1/submissions/{sub.id}", headers=reviewer).json()
        assert shown["guideline"]["agreed"] is True and shown["guideline"]["version"] == 1
        r = api.patch(f"/api/v1/submissions/{sub.id}", json={"example": True}, headers=reviewer)
        assert r.status_code == 200 and r.json()["example"] is True

    worker.send(sim.events.postback(worker.user_id, "g1|examples"))
    examples = worker.question()
    (example,) = bubbles(examples)
    url = example["hero"]["url"]
    assert url.startswith(f"{base}/public/examples/{media.id}.jpg?e=")
    picture = httpx.get(url)
    assert picture.status_code == 200 and picture.headers["content-type"].startswith("image/")
    # The same picture without the signature is not there for anyone.
    assert httpx.get(url.split("?")[0]).status_code == 404

    # The PR team edits an entry: at the next message the answer comes first, then the re-ask
    # naming the new version and the entry that changed.
    edited = {
        "category": "ok",
        "texts": {
            "ja": {"title": "手元・道具はOK", "body": "作業する手や道具は撮ってください。"},
            "en": {"title": "Hands and tools are fine", "body": "Working hands and tools."},
        },
    }
    with httpx.Client(base_url=base) as api:
        r = api.put("/api/v1/guideline/entries/ok-1", json=edited, headers=admin)
        assert r.status_code == 200
    worker.send(sim.events.postback(worker.user_id, "g1|help"))
    *answer, reask = worker.reply()
    assert "updated (version 2)" in reask.message["text"]
    assert "・Hands and tools are fine" in reask.message["text"]
    assert labels(reask)[0] == "I agree" and answer
