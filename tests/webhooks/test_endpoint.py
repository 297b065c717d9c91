"""`POST /callback` over real HTTP semantics (ASGI), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlmodel import SQLModel

from storage import inbox
from storage.db import Database, sqlite_url
from storage.inbox_writer import InboxWriter
from storage.models import Job, WebhookEvent
from tests.frozen_proxy import FrozenProxy, proxied, upstream_of
from webhooks.endpoint import LineWebhook, WebhookDeps
from webhooks.signature import sign

SECRET = b"0123456789abcdef0123456789abcdef"
USER = "U" + "a" * 32
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def event(n: int, **over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": "message",
        "mode": "active",
        "timestamp": 1764230400000 + n,
        "source": {"type": "user", "userId": USER},
        "webhookEventId": f"01JDEVENT{n:017d}",
        "deliveryContext": {"isRedelivery": False},
        "replyToken": f"token-{n}",
        "message": {
            "id": str(1000 + n),
            "type": "text",
            "quoteToken": "q",
            "text": f"こんにちは {n}",
        },
    }
    base.update(over)
    return base


def body_of(*events: dict[str, Any]) -> bytes:
    return json.dumps({"destination": "U" + "0" * 32, "events": list(events)}).encode()


def make_app(db: Database, **writer_options: Any) -> FastAPI:
    app = FastAPI()
    writer = InboxWriter(db, max_attempts=8, **writer_options)
    app.add_middleware(
        LineWebhook, deps=WebhookDeps(channel_secret=SECRET, inbox=writer, clock=lambda: NOW)
    )
    app.state.writer = writer
    return app


@pytest.fixture
async def client(db: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = make_app(db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as c:
        yield c
    app.state.writer.close()


async def post(
    client: httpx.AsyncClient, raw: bytes, signature: str | bytes | None = "sign"
) -> httpx.Response:
    headers: dict[str, str | bytes] = {"content-type": "application/json"}
    if signature == "sign":
        headers["x-line-signature"] = sign(SECRET, raw)
    elif signature is not None:
        headers["x-line-signature"] = signature
    return await client.post("/callback", content=raw, headers=headers)


def rows(db: Database) -> list[WebhookEvent]:
    with db.read() as s:
        return list(s.execute(select(WebhookEvent).order_by(WebhookEvent.id)).scalars())  # type: ignore[arg-type]


def job_rows(db: Database) -> list[Job]:
    with db.read() as s:
        return list(s.execute(select(Job).order_by(Job.id)).scalars())  # type: ignore[arg-type]


class TestSignature:
    async def test_a_signed_body_is_stored_with_one_job_per_user_in_event_order(
        self, client, db
    ) -> None:
        other = "U" + "b" * 32
        theirs = event(3, source={"type": "user", "userId": other})
        r = await post(client, body_of(event(2), theirs, event(1)))
        assert r.status_code == 200
        assert [e.status for e in rows(db)] == ["queued", "queued", "queued"]
        jobs = job_rows(db)
        assert [(j.kind, j.ordering_key) for j in jobs] == [
            ("event", f"user:{USER}"),
            ("event", f"user:{other}"),
        ]
        # Each user's events in the order the body gave them, not sorted by id.
        assert json.loads(jobs[0].payload) == {
            "event_ids": [event(2)["webhookEventId"], event(1)["webhookEventId"]]
        }
        assert json.loads(jobs[1].payload) == {"event_ids": [theirs["webhookEventId"]]}

    async def test_a_redelivery_with_one_new_event_queues_only_that_one(self, client, db) -> None:
        assert (await post(client, body_of(event(1)))).status_code == 200
        assert (await post(client, body_of(event(1), event(2)))).status_code == 200
        payloads = [json.loads(j.payload) for j in job_rows(db)]
        assert payloads == [
            {"event_ids": [event(1)["webhookEventId"]]},
            {"event_ids": [event(2)["webhookEventId"]]},
        ]

    @pytest.mark.parametrize("signature", [None, "", "bm90IHRoZSBzaWduYXR1cmU=", "署名".encode()])
    async def test_a_bad_or_missing_signature_is_400_and_stores_nothing(
        self, client, db, signature
    ) -> None:
        r = await post(client, body_of(event(1)), signature=signature)
        assert r.status_code == 400
        assert r.json() == {"detail": "invalid or missing x-line-signature"}
        assert rows(db) == [] and job_rows(db) == []

    async def test_one_changed_byte_breaks_the_signature(self, client, db) -> None:
        raw = body_of(event(1))
        good = sign(SECRET, raw)
        r = await post(client, raw.replace(b"\\u3053", b"\\u3054", 1), signature=good)
        assert r.status_code == 400
        assert rows(db) == []

    async def test_raw_japanese_bytes_are_verified_as_sent(self, client, db) -> None:
        raw = json.dumps({"destination": "U0", "events": [event(1)]}, ensure_ascii=False).encode()
        assert "こんにちは".encode() in raw
        assert (await post(client, raw)).status_code == 200
        assert "こんにちは" in rows(db)[0].payload

    async def test_the_consoles_verify_request_is_200_with_no_side_effects(
        self, client, db
    ) -> None:
        r = await post(client, body_of())
        assert r.status_code == 200
        assert rows(db) == [] and job_rows(db) == []


class TestSize:
    async def test_a_body_over_one_mebibyte_is_413(self, client, db) -> None:
        raw = body_of(event(1, message={"type": "text", "id": "1", "text": "x" * (1024 * 1024)}))
        r = await post(client, raw)
        assert r.status_code == 413
        assert rows(db) == []

    async def test_the_cap_holds_without_a_content_length(self, client, db) -> None:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(20):
                yield b"x" * 65536

        r = await client.post(
            "/callback", content=chunks(), headers={"x-line-signature": "irrelevant"}
        )
        assert r.status_code == 413
        assert rows(db) == []

    async def test_a_body_of_exactly_the_limit_is_read(self, client, db) -> None:
        raw = body_of(event(1))
        raw = raw[:-1] + b" " * (1024 * 1024 - len(raw)) + raw[-1:]
        assert len(raw) == 1024 * 1024
        assert (await post(client, raw)).status_code == 200


class TestDuplicates:
    async def test_the_same_webhook_three_times_stores_one_event_and_one_job(
        self, client, db
    ) -> None:
        raw = body_of(event(1))
        for _ in range(3):
            assert (await post(client, raw)).status_code == 200
        redelivered = event(1, deliveryContext={"isRedelivery": True})
        assert (await post(client, body_of(redelivered))).status_code == 200
        assert len(rows(db)) == 1 and len(job_rows(db)) == 1

    async def test_a_duplicate_inside_one_body_is_kept_once(self, client, db) -> None:
        assert (await post(client, body_of(event(1), event(1), event(2)))).status_code == 200
        assert len(rows(db)) == 2
        (job,) = job_rows(db)
        ids = [event(1)["webhookEventId"], event(2)["webhookEventId"]]
        assert json.loads(job.payload) == {"event_ids": ids}

    async def test_an_event_without_an_id_is_keyed_by_its_content(self, client, db) -> None:
        loose = event(1)
        del loose["webhookEventId"]
        for _ in range(2):
            assert (await post(client, body_of(loose))).status_code == 200
        stored = rows(db)
        assert len(stored) == 1 and stored[0].id.startswith("sha256:")


class TestOddEvents:
    async def test_standby_events_are_stored_and_never_queued(self, client, db) -> None:
        standby = event(1, mode="standby")
        del standby["replyToken"]
        assert (await post(client, body_of(standby))).status_code == 200
        assert [(e.status, e.note) for e in rows(db)] == [("ignored", "standby")]
        assert job_rows(db) == []

    async def test_unknown_and_malformed_events_never_harm_the_others(self, client, db) -> None:
        weird = event(2, type="messageEdited")
        no_source = event(3)
        del no_source["source"]
        raw = body_of(event(1), weird, no_source, "not an object", event(4))  # type: ignore[arg-type]
        assert (await post(client, raw)).status_code == 200
        by_status = sorted(e.status for e in rows(db))
        assert by_status == ["ignored", "queued", "queued", "unparseable", "unparseable"]
        (job,) = job_rows(db)
        ids = [event(1)["webhookEventId"], event(4)["webhookEventId"]]
        assert json.loads(job.payload) == {"event_ids": ids}

    async def test_group_messages_keep_no_content_and_no_member_id(self, client, db) -> None:
        group = event(1, source={"type": "group", "groupId": "C" + "1" * 32, "userId": USER})
        assert (await post(client, body_of(group))).status_code == 200
        (stored,) = rows(db)
        assert USER not in stored.payload and "こんにちは" not in stored.payload
        assert json.loads(stored.payload)["replyToken"] == "token-1"
        assert [j.ordering_key for j in job_rows(db)] == ["chat:C" + "1" * 32]

    @pytest.mark.parametrize(
        "raw", [b"not json", b"\xff\xfe\x00garbage", b"[1, 2, 3]", b'{"events": "nope"}', b"null"]
    )
    async def test_a_signed_body_that_is_not_a_webhook_is_kept_for_an_operator(
        self, client, db, raw
    ) -> None:
        assert (await post(client, raw)).status_code == 200
        (stored,) = rows(db)
        assert stored.status == "unparseable" and job_rows(db) == []


class TestDatabaseDown:
    async def test_503_while_the_database_cannot_take_the_events(self, tmp_path: Path) -> None:
        folder = tmp_path / "a-folder-not-a-file"
        folder.mkdir()
        broken = Database(sqlite_url(folder))
        transport = httpx.ASGITransport(app=make_app(broken))
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as c:
            r = await post(c, body_of(event(1)))
        assert r.status_code == 503
        assert r.json() == {"detail": "database unavailable, please retry"}

    async def test_503_when_postgresql_is_unreachable(self) -> None:
        broken = Database("postgresql://nobody@127.0.0.1:9/none")
        transport = httpx.ASGITransport(app=make_app(broken))
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as c:
            r = await post(c, body_of(event(1)))
        assert r.status_code == 503

    async def test_503_while_postgresql_stops_answering_and_nothing_acknowledged_is_lost(
        self, postgres_url: str
    ) -> None:
        direct = Database(postgres_url)
        SQLModel.metadata.create_all(direct.engine)
        with FrozenProxy(upstream_of(postgres_url)) as proxy:
            db = Database(proxied(postgres_url, proxy.port))
            app = make_app(db, answer_deadline_s=0.5)
            transport = httpx.ASGITransport(app=app)
            answers: dict[int, int] = {}
            async with httpx.AsyncClient(transport=transport, base_url="http://bot") as c:

                async def deliver(n: int) -> int:
                    # A generous bound: that the webhook is answered at all is what counts.
                    r = await asyncio.wait_for(post(c, body_of(event(n))), timeout=120)
                    answers[n] = r.status_code
                    return r.status_code

                assert await deliver(1) == 200
                proxy.freeze()  # connections stay open, no byte comes back
                assert [await deliver(2), await deliver(3)] == [503, 503]
                proxy.thaw()
                for n in (2, 3, 4):  # LINE redelivers until it hears 200
                    for _ in range(600):
                        if await deliver(n) == 200:
                            break
                        await asyncio.sleep(0.1)
            app.state.writer.close()
            db.dispose()
        acknowledged = [
            event(n)["webhookEventId"] for n, status in answers.items() if status == 200
        ]
        assert sorted(acknowledged) == [event(n)["webhookEventId"] for n in (1, 2, 3, 4)]
        with direct.read() as s:
            assert all(inbox.get(s, event_id) is not None for event_id in acknowledged)
        direct.dispose()


async def test_fifty_concurrent_webhooks_are_all_stored(db: Database) -> None:
    transport = httpx.ASGITransport(app=make_app(db))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as c:
        answers = await asyncio.gather(*(post(c, body_of(event(n))) for n in range(50)))
    assert {r.status_code for r in answers} == {200}
    assert len(rows(db)) == 50 and len(job_rows(db)) == 50


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payload=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    ["type", "mode", "source", "webhookEventId", "events", "userId", "x"]
                ),
                children,
                max_size=5,
            )
        ),
        max_leaves=15,
    )
)
def test_any_signed_json_is_answered_200_and_kept(tmp_path_factory, payload) -> None:
    database = Database(sqlite_url(tmp_path_factory.mktemp("h") / "h.db"))
    SQLModel.metadata.create_all(database.engine)

    async def go() -> int:
        transport = httpx.ASGITransport(app=make_app(database))
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as c:
            raw = json.dumps({"destination": "U0", "events": [payload, event(1)]}).encode()
            return (await post(c, raw)).status_code

    assert asyncio.run(go()) == 200
    with database.read() as s:
        assert inbox.get(s, event(1)["webhookEventId"]) is not None  # the good event survived
    database.dispose()


async def test_only_post_is_allowed_on_the_webhook(client) -> None:
    r = await client.get("/callback")
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    assert r.json() == {"detail": "only POST"}


async def test_a_client_that_hangs_up_mid_body_stores_nothing(db: Database) -> None:
    app = make_app(db)
    sent: list[dict] = []
    partial = {"type": "http.request", "body": b'{"events": [', "more_body": True}
    messages = iter([partial, {"type": "http.disconnect"}])

    async def receive() -> dict:
        return next(messages)

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/callback",
        "raw_path": b"/callback",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"x-line-signature", b"x")],
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 1),
    }
    await app(scope, receive, send)
    assert sent == [] and rows(db) == []
    app.state.writer.close()
