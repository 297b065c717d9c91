"""Videos and refused files over real HTTP (linesim ⇄ bot): transcoding, remux, one notice.

A video is taken like a photo; the media job asks LINE's transcoding status first (202 and
`processing` mean "come back later"). A file that cannot be used gets a clear status and reason
on the submission, and its sender hears about it exactly once, by push, even when the push is
retried.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from sqlalchemy import select

from app.settings import Settings, load_settings
from linesim import LineSim
from linesim.faults import Fail
from linesim.server import RunningServer
from storage import tokens
from storage.models import Contributor, Job
from tests.e2e.chat import Worker
from tests.e2e.conftest import bot_env
from tests.e2e.photos import phone_jpeg
from tests.e2e.waiting import Peek, wait_until
from tests.video_samples import GPS, make_video


@pytest.fixture
def bot_settings(sim: LineSim, migrated_url: str, tmp_path: Path) -> Settings:
    """A bot with a 2-second video cap, so a 4-second test video is too long."""
    env = bot_env(sim, migrated_url, tmp_path / "var") | {"GENBA_MAX_VIDEO_SECONDS": "2"}
    return load_settings(_env_file=None, **env)


@pytest.fixture
def peek(bot_settings: Settings) -> Iterator[Peek]:
    p = Peek(bot_settings.effective_database_url)
    yield p
    p.close()


def api(bot: RunningServer, peek: Peek, role: str = "viewer") -> httpx.Client:
    with peek.db.write() as s:
        token = tokens.create(s, name=f"pr-{role}", role=role, now=datetime.now(UTC))
    return httpx.Client(
        base_url=f"{bot.base_url}/api/v1", headers={"Authorization": f"Bearer {token}"}
    )


def submit(worker: Worker, face: str = "顔は写っていない") -> None:
    """Answer the three questions after the first media of a draft."""
    worker.tap(worker.question(), "毎日の仕事")
    worker.tap(worker.question(), face)
    worker.tap(worker.question(), "コメントなし")


def pushes(sim: LineSim, worker: Worker) -> list[dict[str, Any]]:
    return [d.message for d in worker.all_answers() if d.api == "push"]


def only_submission(client: httpx.Client) -> dict[str, Any]:
    r = client.get("/submissions")
    assert r.status_code == 200, r.text
    (item,) = r.json()["items"]
    return dict(item)


def test_a_phone_video_waits_for_transcoding_and_is_stored_without_its_location(
    sim: LineSim, bot: RunningServer, peek: Peek
) -> None:
    worker = Worker(sim)
    event = sim.events.video(
        worker.user_id, make_video("mov", tagged=True), transcoding="processing"
    )
    message_id = event["message"]["id"]
    worker.send(event)
    submit(worker, face="顔をぼかして")
    # The receipt says what the worker sent: one video, not "写真：1枚".
    said = [d.message.get("text", "") for d in worker.reply()]
    (summary,) = [t for t in said if t.startswith("受け付けた内容")]
    assert "・送ったもの：動画1本\n" in summary and "写真" not in summary
    transcoding = f"/v2/bot/message/{message_id}/content/transcoding"
    content = f"/v2/bot/message/{message_id}/content"
    wait_until(lambda: sim.platform.calls(transcoding), what="the transcoding status asked")
    assert [m.status for m in peek.media()] == ["pending"]
    assert not sim.platform.calls(content), "downloaded before LINE had prepared it"
    sim.platform.messages.set_transcoding(message_id, "succeeded")
    (media,) = wait_until(lambda: [m for m in peek.media() if m.status == "ready"])
    assert media.kind == "video" and media.content_type == "video/mp4"
    assert media.duration_ms is not None and 900 <= media.duration_ms <= 1100
    assert {v.name for v in peek.variants(media.id)} == {"original", "thumbnail"}

    client = api(bot, peek)
    item = only_submission(client)
    (shown,) = item["media"]
    assert shown["kind"] == "video" and shown["needs_editing"] is True
    assert item["media_failed"] == 0 and shown["reason"] is None
    # PR downloads the video as the admin route serves it: no location, device or encoder.
    admin = api(bot, peek, role="admin")
    r = admin.get(f"/media/{media.id}/thumbnail", params={"reason": "check the poster"})
    assert r.status_code == 200 and r.content[:3] == b"\xff\xd8\xff"
    r = admin.get(f"/media/{media.id}/original", params={"reason": "check the remux"})
    assert r.status_code == 200, r.text
    body = r.content
    assert body[4:8] == b"ftyp" and b"moov" in body
    assert b"\xa9xyz" not in body and GPS.encode() not in body and b"iPhone" not in body
    with av.open(io.BytesIO(body)) as container:
        assert "location" not in container.metadata
    assert pushes(sim, worker) == []


@pytest.mark.parametrize(
    ("make_event", "reason"),
    [
        (lambda sim, uid: sim.events.video(uid, make_video(seconds=4)), "too_long"),
        (lambda sim, uid: sim.events.video(uid, make_video()[:-400]), "truncated"),
        (
            lambda sim, uid: sim.events.video(uid, b"<!DOCTYPE html><html>nope</html>"),
            "unsupported_type",
        ),
        (lambda sim, uid: sim.events.video(uid, make_video(), transcoding="failed"),
         "transcoding_failed"),
    ],
    ids=["too-long", "truncated", "html-named-mp4", "transcoding-failed"],
)  # fmt: skip
def test_a_refused_video_is_told_once_and_shown_to_pr(
    sim: LineSim, bot: RunningServer, peek: Peek, make_event: Any, reason: str
) -> None:
    worker = Worker(sim)
    worker.send(make_event(sim, worker.user_id))
    submit(worker)
    (media,) = wait_until(lambda: [m for m in peek.media() if m.notice_sent_at])
    assert media.status == "failed" and media.error == reason
    # Queued in the push outbox when notice_sent_at is set; the push job sends it next.
    (notice,) = wait_until(lambda: pushes(sim, worker))
    assert "もう一度" in notice["text"] and "quickReply" not in notice
    item = only_submission(api(bot, peek))
    assert item["media_failed"] == 1
    assert item["media"][0]["reason"] == reason and item["media"][0]["notice_sent_at"]


def test_an_album_with_an_mp4_and_an_html_page_as_photos_is_one_push(
    sim: LineSim, bot: RunningServer, peek: Peek
) -> None:
    worker = Worker(sim)
    files = [phone_jpeg(), make_video(), b"<!DOCTYPE html><html>error</html>"]
    worker.send(*sim.events.imageset(worker.user_id, files))
    submit(worker)

    def settled() -> list[Any]:
        media = peek.media()
        done = all(m.status == "ready" or m.notice_sent_at for m in media)
        return media if done and len(media) == 3 else []

    media = wait_until(settled)
    wait_until(lambda: all(j.state in ("done", "dead") for j in peek_all(peek, Job)))
    assert [(m.kind, m.status, m.error) for m in media] == [
        ("image", "ready", None),
        ("image", "failed", "unsupported_type"),
        ("image", "failed", "unsupported_type"),
    ]
    (notice,) = pushes(sim, worker)
    assert "2件" in notice["text"] and "開けませんでした" in notice["text"]
    item = only_submission(api(bot, peek))
    assert item["media_failed"] == 2
    assert [m["reason"] for m in item["media"]] == [None, "unsupported_type", "unsupported_type"]


def test_the_notice_arrives_once_when_the_push_is_retried(
    sim: LineSim, bot: RunningServer, peek: Peek
) -> None:
    worker = Worker(sim)
    # LINE takes the push but the answer is lost, then answers 500: the job retries twice with
    # the same retry key; the third attempt gets 409 (key already accepted), counted as sent.
    sim.platform.script(
        "push", [Fail(500, after_processing=True), Fail(503), Fail(500, after_processing=True)]
    )
    worker.send(sim.events.video(worker.user_id, b"<html><body>404</body></html>"))
    submit(worker)
    (media,) = wait_until(lambda: [m for m in peek.media() if m.notice_sent_at])
    # The outbox's push job retries until LINE answers 409 (the key it accepted before).
    wait_until(
        lambda: [c for c in sim.platform.calls("/v2/bot/message/push") if c.status == 409],
    )
    calls = sim.platform.calls("/v2/bot/message/push")
    assert len(calls) == 4 and [c.status for c in calls] == [500, 503, 500, 409]
    assert len(pushes(sim, worker)) == 1
    keys = {d.retry_key for d in worker.all_answers() if d.api == "push"}
    assert len(keys) == 1 and media.error == "unsupported_type"


def test_a_202_from_the_content_endpoint_is_tried_again(
    sim: LineSim, bot: RunningServer, peek: Peek
) -> None:
    worker = Worker(sim)
    # The status said succeeded, yet the content answers 202 (still preparing) twice.
    sim.platform.script("content", [Fail(202), Fail(202)])
    event = sim.events.video(worker.user_id, make_video("mp4"))
    worker.send(event)
    submit(worker)
    (media,) = wait_until(lambda: [m for m in peek.media() if m.status == "ready"])
    content = f"/v2/bot/message/{event['message']['id']}/content"
    assert [c.status for c in sim.platform.calls(content)] == [202, 202, 200]
    assert media.kind == "video" and pushes(sim, worker) == []


def test_a_video_sent_to_a_blocked_account_fails_silently(
    sim: LineSim, bot: RunningServer, peek: Peek
) -> None:
    worker = Worker(sim)
    event = sim.events.video(worker.user_id, make_video(), transcoding="processing")
    worker.send(event)
    submit(worker)
    worker.send(sim.events.unfollow(worker.user_id))
    wait_until(lambda: not any(c.following for c in peek_all(peek, Contributor)))
    sim.platform.messages.set_transcoding(event["message"]["id"], "failed")
    wait_until(lambda: [m for m in peek.media() if m.status == "failed"])
    wait_until(lambda: all(j.state in ("done", "dead") for j in peek_all(peek, Job)))
    assert [j.kind for j in peek_all(peek, Job) if j.kind == "notice"] == ["notice"]
    assert pushes(sim, worker) == []
    assert [m.notice_sent_at for m in peek.media()] == [None]


def peek_all(peek: Peek, table: Any) -> list[Any]:
    with peek.db.read() as s:
        return list(s.execute(select(table)).scalars())
