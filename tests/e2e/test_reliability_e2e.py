"""Redeliveries, bad signatures, flaky LINE and crashes, over real HTTP (design.md §6)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.settings import Settings
from linesim import Fail, LineSim, Timeout
from storage.models import Job
from tests.e2e.chat import Worker
from tests.e2e.conftest import BotProcess, bot_env
from tests.e2e.photos import phone_jpeg
from tests.e2e.waiting import Peek, free_port, wait_until


def test_the_same_webhook_three_times_makes_one_submission_and_one_reply(
    sim: LineSim, bot, bot_settings: Settings
) -> None:
    worker = Worker(sim)
    photo = sim.events.image(worker.user_id, phone_jpeg())
    worker.send(photo)
    worker.send(photo)
    assert sim.sender.redeliver(photo).status_code == 200
    worker.question()
    peek = Peek(bot_settings.effective_database_url)
    wait_until(lambda: all(m.status == "ready" for m in peek.media()) and peek.media())
    assert len(peek.submissions()) == 1
    assert len(peek.media()) == 1
    assert len(peek.events()) == 1
    assert len({d.request_id for d in worker.all_answers()}) == 1
    peek.close()


def test_a_bad_signature_is_400_and_nothing_is_stored(sim: LineSim, bot, bot_settings) -> None:
    worker = Worker(sim)
    photo = sim.events.image(worker.user_id, phone_jpeg())
    assert sim.sender.send_tampered(photo).status_code == 400
    assert sim.sender.send_unsigned(photo).status_code == 400
    peek = Peek(bot_settings.effective_database_url)
    assert peek.events() == [] and peek.submissions() == []
    assert worker.all_answers() == []
    peek.close()


def test_content_failing_twice_then_answering_is_stored_once(
    sim: LineSim, bot, bot_settings: Settings
) -> None:
    worker = Worker(sim)
    photo = sim.events.image(worker.user_id, phone_jpeg())
    message_id = photo["message"]["id"]
    sim.platform.fail_content(message_id, [Fail(500), Fail(503)])
    worker.send(photo)
    worker.question()
    peek = Peek(bot_settings.effective_database_url)
    (media,) = wait_until(lambda: [m for m in peek.media() if m.status == "ready"], what="photo")
    path = f"/v2/bot/message/{message_id}/content"
    statuses = wait_until(
        lambda: (s := [c.status for c in sim.platform.calls(path)]) and None not in s and s
    )
    assert statuses == [500, 503, 200]
    files = list((bot_settings.media_dir / "media" / media.id).iterdir())
    assert sorted(f.name for f in files) == ["original", "thumbnail"]
    peek.close()


def test_content_gone_from_line_marks_the_photo_expired(sim: LineSim, bot, bot_settings) -> None:
    worker = Worker(sim)
    photo = sim.events.image(worker.user_id, phone_jpeg())
    sim.platform.fail_content(photo["message"]["id"], [Fail(404)])
    worker.send(photo)
    worker.question()
    peek = Peek(bot_settings.effective_database_url)
    (media,) = wait_until(lambda: [m for m in peek.media() if m.status != "pending"])
    assert media.status == "expired"
    peek.close()


def test_a_group_hears_once_that_the_bot_works_in_one_to_one_chats(
    sim: LineSim, bot, bot_settings
) -> None:
    group = sim.platform.add_group()
    worker = Worker(sim)
    sim.sender.send(sim.events.join(group_id=group))
    sim.platform.wait_for_deliveries(group, 1)
    sim.sender.send(sim.events.text(worker.user_id, "こんにちは", group_id=group))
    sim.sender.send(sim.events.image(worker.user_id, phone_jpeg(), group_id=group))
    peek = Peek(bot_settings.effective_database_url)
    wait_until(lambda: all(e.status != "queued" for e in peek.events()) and len(peek.events()) == 3)
    assert len(sim.platform.deliveries(group)) == 1
    assert peek.submissions() == [] and peek.media() == []
    assert all(worker.user_id not in e.payload for e in peek.events())
    peek.close()


# ---- crashes: the bot as a child process, killed with SIGKILL -----------------------------


@pytest.fixture
def spawn(sim: LineSim, migrated_url: str, tmp_path: Path):
    started: list[BotProcess] = []
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sim.platform.webhook_url = f"{base}/callback"

    def start(*extra: str, **overrides: str) -> BotProcess:
        env = bot_env(sim, migrated_url, tmp_path / "var") | overrides
        proc = BotProcess(env, ["serve", "--port", str(port), *extra], tmp_path / "bot.log")
        started.append(proc.start())
        proc.wait_ready(base)
        return proc

    yield start
    for proc in started:
        proc.stop()


def test_killed_right_after_the_ack_the_photo_still_arrives(
    sim: LineSim, spawn, migrated_url: str
) -> None:
    web = spawn("--no-worker")
    worker = Worker(sim)
    photo = sim.events.image(worker.user_id, phone_jpeg())
    worker.send(photo)  # acknowledged: committed before the 200
    web.kill9()
    spawn()  # restarted, with its worker this time
    worker.question()
    peek = Peek(migrated_url)
    wait_until(lambda: [m for m in peek.media() if m.status == "ready"], what="photo")
    assert len(peek.submissions()) == 1
    assert len({d.request_id for d in worker.all_answers()}) == 1
    peek.close()


def test_killed_mid_download_the_photo_arrives_after_restart(
    sim: LineSim, spawn, migrated_url: str
) -> None:
    bot = spawn()
    worker = Worker(sim)
    photo = sim.events.image(worker.user_id, phone_jpeg())
    message_id = photo["message"]["id"]
    sim.platform.fail_content(message_id, [Timeout(delay=120, then="never", processed=False)])
    worker.send(photo)
    worker.question()
    wait_until(lambda: any(c.path.endswith(f"/{message_id}/content") for c in sim.platform.calls()))
    bot.kill9()
    spawn()
    peek = Peek(migrated_url)
    wait_until(lambda: [m for m in peek.media() if m.status == "ready"], what="photo")
    assert len(peek.media()) == 1
    assert len({d.request_id for d in worker.all_answers()}) == 1
    peek.close()


@pytest.mark.parametrize("line_processed_it", [False, True])
def test_killed_between_a_steps_commit_and_its_reply_no_reply_is_sent_twice(
    sim: LineSim, spawn, migrated_url: str, line_processed_it: bool
) -> None:
    bot = spawn()
    worker = Worker(sim)
    sim.platform.script("reply", [Timeout(delay=120, then="never", processed=line_processed_it)])
    worker.send(sim.events.image(worker.user_id, phone_jpeg()))
    # The step is committed and its reply call is hanging in "LINE": kill the bot now.
    wait_until(lambda: sim.platform.calls("/v2/bot/message/reply"), what="reply call")
    bot.kill9()
    spawn()
    peek = Peek(migrated_url)
    wait_until(lambda: [o for o in peek.outbox() if o.state != "pending"], what="outbox settled")
    wait_until(lambda: [m for m in peek.media() if m.status == "ready"], what="photo")
    (entry,) = peek.outbox()
    replies = {d.request_id for d in worker.all_answers()}
    assert len(replies) == 1  # exactly one reply reached the worker
    assert entry.state == ("dropped" if line_processed_it else "sent")
    peek.close()


def test_sigterm_hands_a_running_download_back_to_the_queue(
    sim: LineSim, spawn, migrated_url: str
) -> None:
    # The download stalls; the LINE timeout (2 s) ends it within the shutdown grace (3 s),
    # which a lease of 9 s outlasts.
    bot = spawn(
        GENBA_LINE_TIMEOUT_SECONDS="2",
        GENBA_SHUTDOWN_GRACE_SECONDS="3",
        GENBA_JOB_LEASE_SECONDS="9",
    )
    worker = Worker(sim)
    photo = sim.events.image(worker.user_id, phone_jpeg())
    sim.platform.fail_content(photo["message"]["id"], [Timeout(delay=120, then="never")])
    worker.send(photo)
    worker.question()
    wait_until(lambda: sim.platform.calls(f"/v2/bot/message/{photo['message']['id']}/content"))
    # uvicorn re-raises SIGTERM after its graceful shutdown, so the exit status says "signal".
    assert bot.terminate() in (0, -15)
    log = bot.log.read_text()
    assert "handed back at shutdown" in log and "stopped" in log
    peek = Peek(migrated_url)
    with peek.db.read() as s:
        media_jobs = [j for j in s.execute(select(Job)).scalars() if j.kind == "media"]
    assert [(j.state, j.attempts) for j in media_jobs] == [("queued", 0)]  # not counted
    spawn()  # and the next start fetches it
    wait_until(lambda: [m for m in peek.media() if m.status == "ready"], what="photo")
    peek.close()


def test_a_content_timeout_is_retried_and_the_photo_stored(
    sim: LineSim, bot, bot_settings: Settings
) -> None:
    worker = Worker(sim)
    photo = sim.events.image(worker.user_id, phone_jpeg())
    message_id = photo["message"]["id"]
    # Longer than the bot's 3 s LINE timeout in these tests: the first download times out.
    sim.platform.fail_content(message_id, [Timeout(delay=6, then="never", processed=False)])
    worker.send(photo)
    worker.question()
    peek = Peek(bot_settings.effective_database_url)
    wait_until(lambda: [m for m in peek.media() if m.status == "ready"], what="photo")
    assert len(sim.platform.calls(f"/v2/bot/message/{message_id}/content")) == 2
    peek.close()


def test_an_external_photo_url_is_never_fetched(sim: LineSim, bot, bot_settings) -> None:
    worker = Worker(sim)
    trap = f"{sim.base_url}/trap/photo.jpg"
    photo = sim.events.image(
        worker.user_id,
        provider="external",
        original_content_url=trap,
        preview_image_url=trap,
    )
    worker.send(photo)
    answer = worker.question()
    assert "カメラ" in answer.message["text"] or "アルバム" in answer.message["text"]
    assert not [c for c in sim.platform.calls() if "/trap/" in c.path or "/content" in c.path]
    peek = Peek(bot_settings.effective_database_url)
    assert peek.media() == []
    peek.close()


def test_logs_hold_no_secret_token_or_full_user_id(
    sim: LineSim, bot, bot_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    worker = Worker(sim)
    worker.send(sim.events.follow(worker.user_id))
    worker.question()
    worker.send(sim.events.image(worker.user_id, phone_jpeg()))
    worker.tap(worker.question(), "毎日の仕事")
    worker.question()
    assert sim.sender.send_tampered(sim.events.text(worker.user_id, "x")).status_code == 400
    peek = Peek(bot_settings.effective_database_url)
    wait_until(lambda: [m for m in peek.media() if m.status == "ready"], what="photo")
    peek.close()
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "webhook stored" in text  # the logs did record the traffic
    for secret in (worker.user_id, sim.platform.channel_secret, sim.platform.access_token):
        assert secret not in text
