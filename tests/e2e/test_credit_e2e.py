"""A worker chooses in the chat how the PR team may credit them; the admin API shows that line."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy import select

from app.settings import Settings
from linesim import LineSim
from storage import audit, sites, tokens
from storage.db import Database
from storage.models import Contributor
from tests.e2e.chat import Worker, labels
from tests.e2e.photos import phone_jpeg
from tests.e2e.waiting import Peek, wait_until


def _credit_question(worker: Worker):
    worker.say("ヘルプ")
    worker.tap(worker.question(), "設定")
    worker.tap(worker.question(), "名前の出し方")
    return worker.question()


def test_the_credit_a_worker_taps_is_the_line_the_pr_team_reads(
    sim: LineSim, bot, bot_settings: Settings
) -> None:
    db = Database(bot_settings.effective_database_url)
    with db.write() as s:
        sites.create(s, name="本店", actor="test", now=datetime.now(UTC))
        token = tokens.create(s, name="pr", role="viewer", now=datetime.now(UTC))
    worker = Worker(sim, name="山田 花子")
    worker.send(sim.events.follow(worker.user_id))
    worker.tap(worker.question(), "同意する")
    worker.tap(worker.question(), "本店")
    assert "本店" in worker.question().message["text"]
    worker.send(sim.events.image(worker.user_id, phone_jpeg((10, 100, 200))))
    worker.tap(worker.question(), "毎日の仕事")
    worker.tap(worker.question(), "顔OK")
    worker.tap(worker.question(), "なし")
    assert "受付番号" in worker.question().message["text"]
    peek = Peek(bot_settings.effective_database_url)
    (sent,) = wait_until(lambda: [s for s in peek.submissions() if s.status == "new"])
    peek.close()

    def credit_line() -> tuple[str | None, str]:
        answer = httpx.get(
            f"{bot.base_url}/api/v1/submissions/{sent.id}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        return answer.json()["credit"], answer.json()["credit_line"]

    assert credit_line() == (None, "anonymous (not chosen)")
    asked = _credit_question(worker)
    assert labels(asked) == ["LINEの名前", "職場・チーム名", "匿名"]
    worker.tap(asked, "LINEの名前")
    assert "LINEの表示名" in worker.question().message["text"]
    worker.tap(asked, "LINEの名前")  # a double tap: confirmed again, stored once
    assert "LINEの表示名" in worker.question().message["text"]
    assert credit_line() == ("name", "山田 花子")
    worker.tap(asked, "職場・チーム名")
    assert "「本店」" in worker.question().message["text"]
    assert credit_line() == ("site", "本店")

    # A forged choice is asked again and changes nothing.
    worker.send(sim.events.postback(worker.user_id, "g1|credit|everyone"))
    assert labels(worker.question()) == ["LINEの名前", "職場・チーム名", "匿名"]
    with db.read() as s:
        (who,) = list(s.execute(select(Contributor)).scalars())
        assert who.credit == "site"
        # The double tap left one entry: name once, then site.
        changes = [e.detail for e in audit.for_target(s, "contributor", who.id)]
    assert changes == ['{"from": null, "to": "name"}', '{"from": "name", "to": "site"}']
    db.dispose()
