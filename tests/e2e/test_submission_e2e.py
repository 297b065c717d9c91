"""A worker's whole submission over real HTTP: linesim ⇄ bot (with its in-process worker)."""

from __future__ import annotations

import io

from PIL import Image

from app.settings import Settings
from linesim import LineSim
from tests.e2e.chat import Worker, labels
from tests.e2e.photos import has_location_or_exif, phone_jpeg
from tests.e2e.waiting import Peek, wait_until


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

    peek = Peek(bot_settings.effective_database_url)
    (submission,) = wait_until(lambda: [s for s in peek.submissions() if s.status == "new"])
    assert submission.code in receipt.message["text"]
    assert (submission.theme, submission.face, submission.comment) == (
        "daily-work",
        "blur",
        "朝の段取りです",
    )
    stored = wait_until(lambda: (m := peek.media()) and all(x.status == "ready" for x in m) and m)
    assert len(stored) == 3
    assert [x.position for x in stored] == [1, 2, 3]
    media_dir = bot_settings.media_dir
    for media in stored:
        variants = peek.variants(media.id)
        assert {v.name for v in variants} == {"original", "thumbnail"}
        for v in variants:
            data = (media_dir / v.storage_key).read_bytes()
            assert not has_location_or_exif(data), v.storage_key
        with Image.open(io.BytesIO((media_dir / variants[0].storage_key).read_bytes())) as im:
            assert im.size == (48, 64)  # orientation 6 applied: portrait now
    # One question sequence for the whole set: four replies in all, none to photos 2 and 3.
    assert len({d.request_id for d in worker.all_answers()}) == 4
    peek.close()
