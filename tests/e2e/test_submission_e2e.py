"""A worker's whole submission over real HTTP: linesim ⇄ bot (with its in-process worker)."""

from __future__ import annotations

import io
import time

from PIL import Image
from sqlalchemy import select

from app.settings import Settings
from linesim import LineSim
from storage.db import Database
from storage.models import Media, MediaVariant, Submission
from tests.e2e.chat import Worker, labels
from tests.e2e.photos import has_location_or_exif, phone_jpeg


def wait_until(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def submissions(settings: Settings) -> list[Submission]:
    db = Database(settings.effective_database_url)
    try:
        with db.read() as s:
            return list(s.execute(select(Submission)).scalars())
    finally:
        db.dispose()


def media_of(settings: Settings) -> list[tuple[Media, list[MediaVariant]]]:
    db = Database(settings.effective_database_url)
    try:
        with db.read() as s:
            found = list(s.execute(select(Media).order_by(Media.position)).scalars())  # type: ignore[arg-type]
            return [
                (m, list(s.execute(select(MediaVariant).where(MediaVariant.media_id == m.id)).scalars()))  # type: ignore[arg-type]
                for m in found
            ]
    finally:
        db.dispose()


def test_three_photos_as_an_image_set_become_one_clean_submission(
    sim: LineSim, bot, bot_settings: Settings
) -> None:
    worker = Worker(sim)
    photos = [phone_jpeg((40 * i, 100, 200)) for i in range(1, 4)]
    first, second, third = sim.events.imageset(worker.user_id, photos)
    # LINE may split a set over requests and deliver it in any order.
    worker.send(third)
    worker.send(first, second)

    theme_question = worker.question()
    assert "毎日の仕事" in labels(theme_question)
    worker.tap(theme_question, "毎日の仕事")
    worker.tap(worker.question(), "ぼかして")
    worker.question()  # the comment question
    worker.say("朝の段取りです")
    receipt = worker.question()

    (submission,) = wait_until(lambda: [s for s in submissions(bot_settings) if s.status == "new"])
    assert submission.code in receipt.message["text"]
    assert (submission.theme, submission.face, submission.comment) == (
        "daily-work",
        "blur",
        "朝の段取りです",
    )
    stored = wait_until(
        lambda: (m := media_of(bot_settings)) and all(x.status == "ready" for x, _ in m) and m
    )
    assert len(stored) == 3
    assert [x.position for x, _ in stored] == [1, 2, 3]
    media_dir = bot_settings.media_dir
    for media, variants in stored:
        assert {v.name for v in variants} == {"original", "thumbnail"}
        for v in variants:
            data = (media_dir / v.storage_key).read_bytes()
            assert not has_location_or_exif(data), v.storage_key
        with Image.open(io.BytesIO((media_dir / variants[0].storage_key).read_bytes())) as im:
            assert im.size == (48, 64)  # orientation 6 applied: portrait now
    # One question sequence for the whole set: four replies in all, none to photos 2 and 3.
    assert len({d.request_id for d in worker.all_answers()}) == 4
