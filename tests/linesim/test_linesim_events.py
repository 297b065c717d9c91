"""Event builders: every event parses with line-bot-sdk into its class, with LINE's fields."""

from __future__ import annotations

import json
import re

import pytest
from linebot.v3 import WebhookParser
from linebot.v3.webhook import UnknownEvent
from linebot.v3.webhooks import (
    AudioMessageContent,
    FileMessageContent,
    FollowEvent,
    GroupSource,
    ImageMessageContent,
    JoinEvent,
    LeaveEvent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    RoomSource,
    StickerMessageContent,
    TextMessageContent,
    UnfollowEvent,
    UnsendEvent,
    UserSource,
    VideoMessageContent,
)
from ulid import ULID

from linesim import sign, webhook_body

SECRET = "0123456789abcdef0123456789abcdef"


def parse(platform, *events):
    body = webhook_body(platform, events).decode()
    return WebhookParser(SECRET).parse(body, sign(SECRET, body.encode()))


BUILDERS = {
    "text": (lambda ev, u: ev.text(u, "テキスト"), MessageEvent, TextMessageContent),
    "image": (lambda ev, u: ev.image(u, b"\xff\xd8\xff"), MessageEvent, ImageMessageContent),
    "video": (lambda ev, u: ev.video(u, b"\x00\x00"), MessageEvent, VideoMessageContent),
    "audio": (lambda ev, u: ev.audio(u, b"\x00"), MessageEvent, AudioMessageContent),
    "file": (lambda ev, u: ev.file(u, b"pdf", file_name="a.pdf"), MessageEvent, FileMessageContent),
    "location": (lambda ev, u: ev.location(u, title="工場"), MessageEvent, LocationMessageContent),
    "sticker": (lambda ev, u: ev.sticker(u, keywords=["hi"]), MessageEvent, StickerMessageContent),
    "postback": (lambda ev, u: ev.postback(u, "face=blur"), PostbackEvent, None),
    "follow": (lambda ev, u: ev.follow(u), FollowEvent, None),
    "unfollow": (lambda ev, u: ev.unfollow(u), UnfollowEvent, None),
    "unsend": (lambda ev, u: ev.unsend(u, "123"), UnsendEvent, None),
    "join": (lambda ev, u: ev.join(), JoinEvent, None),
    "leave": (lambda ev, u: ev.leave(), LeaveEvent, None),
}


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_every_builder_parses_into_its_class(sim, user, kind):
    build, event_class, content_class = BUILDERS[kind]
    event = build(sim.events, user)
    [parsed] = parse(sim.platform, event)
    assert type(parsed) is event_class and not isinstance(parsed, UnknownEvent)
    if content_class is not None:
        assert type(parsed.message) is content_class
        assert re.fullmatch(r"\d+", event["message"]["id"])
    assert str(ULID.from_str(event["webhookEventId"])) == event["webhookEventId"]
    assert event["mode"] == "active" and event["deliveryContext"] == {"isRedelivery": False}
    assert abs(event["timestamp"] - sim.platform.now_ms()) < 60_000
    replyable = kind not in ("unfollow", "unsend", "leave")
    assert ("replyToken" in event) is replyable
    if replyable:
        assert sim.platform.reply_token(event["replyToken"]) is not None


def test_message_tokens_are_present_where_line_sends_them(sim, user):
    text, image, sticker = (
        sim.events.text(user, "a"),
        sim.events.image(user, b"x"),
        sim.events.sticker(user),
    )
    for event in (text, image, sticker):
        assert event["message"]["quoteToken"] and event["message"]["markAsReadToken"]
    assert image["message"]["contentProvider"] == {"type": "line"}


def test_timestamp_follows_the_platform_clock(sim, user):
    before = sim.events.text(user, "a")["timestamp"]
    sim.platform.advance(3600)
    assert sim.events.text(user, "b")["timestamp"] - before >= 3600 * 1000


def test_image_set_is_shared_and_indexed(sim, user):
    events = sim.events.imageset(user, [b"1", b"2", b"3"])
    sets = [e["message"]["imageSet"] for e in events]
    assert len({s["id"] for s in sets}) == 1 and re.fullmatch(r"[0-9A-F]{64}", sets[0]["id"])
    assert [(s["index"], s["total"]) for s in sets] == [(1, 3), (2, 3), (3, 3)]
    # Each image is its own event; they can go out split and in any order.
    parsed = parse(sim.platform, events[2]) + parse(sim.platform, events[0], events[1])
    assert [p.message.image_set.index for p in parsed] == [3, 1, 2]


def test_image_set_without_index_like_old_android(sim, user):
    events = sim.events.imageset(user, [b"1", b"2"], with_index=False)
    assert all(set(e["message"]["imageSet"]) == {"id"} for e in events)
    assert all(p.message.image_set.index is None for p in parse(sim.platform, *events))


def test_image_bytes_are_uploaded_under_the_message_id(sim, user):
    event = sim.events.image(user, b"\xff\xd8data", content_type="image/jpeg")
    record = sim.platform.messages.get(event["message"]["id"])
    assert record.content == b"\xff\xd8data" and record.content_type == "image/jpeg"


def test_group_message_carries_group_and_user(sim, user):
    group = sim.platform.add_group()
    event = sim.events.text(user, "みなさん", group_id=group)
    [parsed] = parse(sim.platform, event)
    assert isinstance(parsed.source, GroupSource)
    assert parsed.source.group_id == group and parsed.source.user_id == user
    assert sim.platform.reply_token(event["replyToken"]).chat_id == group


def test_room_postback_has_no_user_in_source(sim, user):
    room = sim.platform.add_room()
    event = sim.events.postback(user, "x", room_id=room)
    [parsed] = parse(sim.platform, event)
    assert isinstance(parsed.source, RoomSource) and parsed.source.user_id is None


def test_standby_events_carry_no_reply_token(sim, user):
    event = sim.events.text(user, "a", mode="standby")
    assert "replyToken" not in event
    [parsed] = parse(sim.platform, event)
    assert parsed.mode.value == "standby"


def test_postback_params_and_follow_unblocked(sim, user):
    postback = sim.events.postback(user, "when", params={"date": "2026-04-01"})
    follow = sim.events.follow(user, is_unblocked=True)
    parsed_postback, parsed_follow = parse(sim.platform, postback, follow)
    assert parsed_postback.postback.params == {"date": "2026-04-01"}
    assert parsed_follow.follow.is_unblocked is True
    assert isinstance(parsed_follow.source, UserSource)


def test_unfollow_blocks_and_follow_unblocks(sim, http, user):
    sim.events.unfollow(user)
    assert http.get(f"/v2/bot/profile/{user}").status_code == 404
    sim.events.follow(user, is_unblocked=True)
    assert http.get(f"/v2/bot/profile/{user}").status_code == 200


def test_external_image_parses_with_urls(sim, user):
    event = sim.events.image(user, provider="external")
    [parsed] = parse(sim.platform, event)
    assert parsed.message.content_provider.type == "external"
    assert parsed.message.content_provider.original_content_url.startswith("https://")


def test_body_is_compact_utf8(sim, user):
    body = webhook_body(sim.platform, [sim.events.text(user, "現場")])
    assert "現場".encode() in body and b": " not in body
    assert json.loads(body)["destination"] == sim.platform.bot_user_id
