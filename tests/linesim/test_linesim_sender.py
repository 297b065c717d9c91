"""Webhook sender: LINE's signature over the exact bytes, hostile variants, redelivery."""

from __future__ import annotations

import asyncio
import json

import pytest
from linebot.v3 import SignatureValidator, WebhookParser
from linebot.v3.exceptions import InvalidSignatureError

from linesim import AsyncWebhookSender, Events, WebhookSender, sign

SECRET = "0123456789abcdef0123456789abcdef"


def test_signature_verifies_with_the_sdk(sim, bot, user):
    response = sim.sender.send(sim.events.text(user, "署名"))
    assert response.status_code == 200
    [got] = bot.received
    assert SignatureValidator(SECRET).validate(got.body.decode(), got.headers["x-line-signature"])
    [event] = WebhookParser(SECRET).parse(got.body.decode(), got.headers["x-line-signature"])
    assert event.message.text == "署名"


def test_sign_matches_known_value():
    assert sign("secret", b"{}") == "dzJZAsrKgS3CWXM6rNBGtzgXNyx3e42VtAJkdHRRbhM="


def test_tampered_body_fails_the_signature_but_stays_json(sim, bot, user):
    sim.sender.send_tampered(sim.events.text(user, "改ざん"))
    [got] = bot.received
    assert not SignatureValidator(SECRET).validate(
        got.body.decode(), got.headers["x-line-signature"]
    )
    with pytest.raises(InvalidSignatureError):
        WebhookParser(SECRET).parse(got.body.decode(), got.headers["x-line-signature"])
    assert json.loads(got.body)["events"][0]["message"]["text"] == "改ざん"


def test_unsigned_has_no_signature_header(sim, bot, user):
    sim.sender.send_unsigned(sim.events.text(user, "a"))
    assert "x-line-signature" not in bot.received[0].headers


def test_send_body_posts_exact_bytes(sim, bot):
    raw = b"\xff\xfe not json"
    sim.sender.send_body(raw, signature="bogus")
    assert bot.received[0].body == raw and bot.received[0].headers["x-line-signature"] == "bogus"
    sim.sender.send_body(raw)
    assert bot.received[1].headers["x-line-signature"] == sign(SECRET, raw)


def test_verify_sends_signed_empty_events(sim, bot):
    sim.sender.verify()
    [got] = bot.received
    assert json.loads(got.body) == {"destination": sim.platform.bot_user_id, "events": []}
    assert got.headers["x-line-signature"] == sign(SECRET, got.body)


def test_redeliver_keeps_id_and_token(sim, bot, user):
    event = sim.events.postback(user, "theme=a")
    sim.sender.send(event)
    sim.sender.redeliver(event)
    first, second = (json.loads(r.body)["events"][0] for r in bot.received)
    assert second["deliveryContext"] == {"isRedelivery": True}
    assert first["deliveryContext"] == {"isRedelivery": False}
    assert (second["webhookEventId"], second["replyToken"], second["timestamp"]) == (
        first["webhookEventId"],
        first["replyToken"],
        first["timestamp"],
    )


def test_bot_status_is_recorded(sim, bot, user):
    bot.status = 503
    event = sim.events.text(user, "a")
    assert sim.sender.send(event).status_code == 503
    [attempt] = sim.platform.webhook_attempts()
    assert attempt.status == 503 and attempt.event_ids == [event["webhookEventId"]]


def test_explicit_target_url_and_several_users(platform, bot):
    alice, bob = platform.add_user(display_name="A"), platform.add_user(display_name="B")
    events = Events(platform)
    with WebhookSender(platform, bot.url) as sender:
        sender.send(events.text(alice, "a"), events.text(bob, "b"))
    sources = [e["source"]["userId"] for e in json.loads(bot.received[0].body)["events"]]
    assert sources == [alice, bob]


def test_async_sender(sim, bot, user):
    async def go():
        async with AsyncWebhookSender(sim.platform) as sender:
            return await sender.send(sim.events.text(user, "非同期"))

    assert asyncio.run(go()).status_code == 200
    assert bot.received[0].headers["x-line-signature"] == sign(SECRET, bot.received[0].body)
