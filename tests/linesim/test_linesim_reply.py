"""Reply API: single-use tokens, expiry, the redelivery rule; a bad request sends nothing."""

from __future__ import annotations

from typing import Any

import pytest
from linebot.v3.messaging import ApiException, ReplyMessageRequest, TextMessage

from linesim import Fail


def texts(*values: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": v} for v in values]


def reply(http, token: str, messages: list[dict[str, Any]], **extra: Any):
    return http.post(
        "/v2/bot/message/reply", json={"replyToken": token, "messages": messages, **extra}
    )


def test_reply_delivers_and_token_works_once(sim, http, user, api):
    event = sim.events.text(user, "こんにちは")
    sim.platform.mark_delivered([event])

    sent = api.reply_message(
        ReplyMessageRequest(reply_token=event["replyToken"], messages=[TextMessage(text="どうも")])
    )
    assert len(sent.sent_messages) == 1 and sent.sent_messages[0].id.isdigit()
    with pytest.raises(ApiException) as again:
        api.reply_message(
            ReplyMessageRequest(
                reply_token=event["replyToken"], messages=[TextMessage(text="2回目")]
            )
        )
    assert again.value.status == 400
    assert '"Invalid reply token"' in again.value.body
    delivered = sim.platform.deliveries(user)
    assert [d.message["text"] for d in delivered] == ["どうも"]
    assert delivered[0].api == "reply" and delivered[0].reply_token == event["replyToken"]


def test_unknown_token_is_invalid(http, user):
    response = reply(http, "no-such-token", texts("x"))
    assert response.status_code == 400
    assert response.json() == {"message": "Invalid reply token"}
    assert "x-line-request-id" in response.headers


def test_token_expires_after_ttl(sim, http, user):
    event = sim.events.text(user, "a")
    sim.platform.mark_delivered([event])
    sim.platform.advance(sim.platform.reply_token_ttl + 1)
    response = reply(http, event["replyToken"], texts("遅すぎた"))
    assert response.status_code == 400
    assert response.json()["message"] == "Invalid reply token"
    assert sim.platform.deliveries(user) == []


def test_token_window_starts_at_delivery_not_at_build(sim, http, user):
    event = sim.events.text(user, "a")
    sim.platform.advance(50)
    sim.platform.mark_delivered([event])
    sim.platform.advance(50)
    assert reply(http, event["replyToken"], texts("間に合った")).status_code == 200


def test_redelivered_token_usable_within_a_minute_of_redelivery(sim, http, user):
    event = sim.events.text(user, "a")
    sim.platform.mark_delivered([event])
    sim.platform.advance(5 * 60)  # the first token died unused
    again = sim.platform.redelivered(event)
    assert again["webhookEventId"] == event["webhookEventId"]
    assert again["replyToken"] == event["replyToken"]
    assert again["deliveryContext"] == {"isRedelivery": True}
    sim.platform.mark_delivered([again])
    sim.platform.advance(30)
    assert reply(http, event["replyToken"], texts("再送で返信")).status_code == 200


def test_redelivered_token_dies_a_minute_after_redelivery(sim, http, user):
    event = sim.events.text(user, "a")
    sim.platform.advance(5 * 60)
    sim.platform.mark_delivered([sim.platform.redelivered(event)])
    sim.platform.advance(61)
    assert reply(http, event["replyToken"], texts("x")).status_code == 400


def test_redelivered_token_dies_twenty_minutes_after_the_event(sim, http, user):
    event = sim.events.text(user, "a")
    sim.platform.advance(19 * 60 + 30)
    sim.platform.mark_delivered([sim.platform.redelivered(event)])
    sim.platform.advance(40)  # within a minute of redelivery, but 20m10s after the event
    response = reply(http, event["replyToken"], texts("x"))
    assert response.status_code == 400
    assert response.json()["message"] == "Invalid reply token"


def test_redelivery_does_not_revive_a_used_token(sim, http, user):
    event = sim.events.text(user, "a")
    sim.platform.mark_delivered([event])
    assert reply(http, event["replyToken"], texts("一度目")).status_code == 200
    sim.platform.mark_delivered([sim.platform.redelivered(event)])
    assert reply(http, event["replyToken"], texts("二度目")).status_code == 400
    assert [d.message["text"] for d in sim.platform.deliveries(user)] == ["一度目"]


def test_bad_or_missing_bearer_token_is_401_and_sends_nothing(sim, http, user):
    event = sim.events.text(user, "a")
    body = {"replyToken": event["replyToken"], "messages": texts("x")}
    wrong = http.post("/v2/bot/message/reply", json=body, headers={"Authorization": "Bearer nope"})
    missing = http.post("/v2/bot/message/reply", json=body, headers={"Authorization": ""})
    assert wrong.status_code == 401 and "access token" in wrong.json()["message"]
    assert (
        missing.status_code == 401 and "Authorization header required" in missing.json()["message"]
    )
    assert sim.platform.deliveries(user) == []
    assert reply(http, event["replyToken"], texts("正しいトークン")).status_code == 200


def test_retry_key_on_reply_is_400(sim, http, user):
    event = sim.events.text(user, "a")
    response = http.post(
        "/v2/bot/message/reply",
        json={"replyToken": event["replyToken"], "messages": texts("x")},
        headers={"X-Line-Retry-Key": "123e4567-e89b-12d3-a456-426614174000"},
    )
    assert response.status_code == 400
    assert sim.platform.reply_token(event["replyToken"]).used is False


@pytest.mark.parametrize("count", [0, 6])
def test_message_count_must_be_1_to_5(sim, http, user, count):
    event = sim.events.text(user, "a")
    response = reply(http, event["replyToken"], texts(*["x"] * count))
    assert response.status_code == 400
    assert response.json()["details"] == [
        {"message": "Size must be between 1 and 5", "property": "messages"}
    ]
    # A token that hit a validation error is not used up.
    assert reply(http, event["replyToken"], texts(*["x"] * 5)).status_code == 200
    assert len(sim.platform.deliveries(user)) == 5


def test_text_length_counts_utf16_units(sim, http, user):
    emoji = "😀"  # outside the BMP: two UTF-16 code units, one code point
    event = sim.events.text(user, "a")
    too_long = reply(http, event["replyToken"], texts("a" * 4999 + emoji))
    assert too_long.status_code == 400
    assert too_long.json()["details"][0]["property"] == "messages[0].text"
    assert reply(http, event["replyToken"], texts(emoji * 2500)).status_code == 200


def test_empty_text_is_rejected(sim, http, user):
    event = sim.events.text(user, "a")
    response = reply(http, event["replyToken"], [{"type": "text", "text": ""}])
    assert response.status_code == 400
    assert response.json()["details"][0]["property"] == "messages[0].text"


def _quick(*items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "text", "text": "選んでください", "quickReply": {"items": list(items)}}


def _postback_item(label: str = "テーマA", data: str = "theme=a", **more: Any) -> dict[str, Any]:
    return {"type": "action", "action": {"type": "postback", "label": label, "data": data, **more}}


@pytest.mark.parametrize(
    ("message", "prop"),
    [
        (_quick(*[_postback_item()] * 14), "messages[0].quickReply.items"),
        (_quick(_postback_item(label="あ" * 21)), "messages[0].quickReply.items[0].action.label"),
        (
            _quick({"type": "action", "action": {"type": "camera"}}),
            "messages[0].quickReply.items[0].action.label",
        ),
        (_quick(_postback_item(data="d" * 301)), "messages[0].quickReply.items[0].action.data"),
        (
            _quick(_postback_item(displayText="表" * 301)),
            "messages[0].quickReply.items[0].action.displayText",
        ),
        (
            _quick(
                {"type": "action", "action": {"type": "message", "label": "m", "text": "t" * 301}}
            ),
            "messages[0].quickReply.items[0].action.text",
        ),
        (
            _quick({"type": "action", "action": {"type": "teleport", "label": "x"}}),
            "messages[0].quickReply.items[0].action.type",
        ),
        ({"type": "hologram"}, "messages[0].type"),
        (
            {"type": "flex", "altText": "a" * 401, "contents": {"type": "bubble"}},
            "messages[0].altText",
        ),
        (
            {
                "type": "template",
                "altText": "カメラ",
                "template": {
                    "type": "buttons",
                    "text": "撮る",
                    "actions": [{"type": "camera", "label": "カメラ"}],
                },
            },
            "messages[0].template.actions[0].type",
        ),
    ],
)
def test_limits_give_400_with_the_offending_property(sim, http, user, message, prop):
    event = sim.events.text(user, "a")
    response = reply(http, event["replyToken"], [message])
    assert response.status_code == 400
    body = response.json()
    assert prop in [d["property"] for d in body["details"]]
    assert body["message"].startswith("The request body has")
    assert sim.platform.deliveries(user) == []
    assert not sim.platform.reply_token(event["replyToken"]).used


def test_quick_reply_at_the_limits_is_accepted(sim, http, user):
    items = [_postback_item(label="あ" * 20, data="d" * 300, displayText="表" * 300)] * 13
    items[0] = {"type": "action", "action": {"type": "cameraRoll", "label": "アルバム"}}
    event = sim.events.text(user, "a")
    response = reply(http, event["replyToken"], [_quick(*items)])
    assert response.status_code == 200, response.text
    assert sim.platform.deliveries(user)[0].message["quickReply"]["items"][0]["action"]["type"] == (
        "cameraRoll"
    )


def test_malformed_json_is_400_and_recorded(sim, http, user):
    response = http.post(
        "/v2/bot/message/reply", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"message"}
    call = sim.platform.calls("/v2/bot/message/reply")[-1]
    assert call.status == 400 and call.body == "{not json"


def test_flex_message_is_accepted_and_recorded_as_sent(sim, http, user):
    bubble = {
        "type": "bubble",
        "body": {
            "type": "box",
            "layout": "vertical",
            "contents": [{"type": "text", "text": "受付"}],
        },
    }
    event = sim.events.text(user, "a")
    response = reply(
        http, event["replyToken"], [{"type": "flex", "altText": "受付", "contents": bubble}]
    )
    assert response.status_code == 200, response.text
    call = sim.platform.calls("/v2/bot/message/reply")[-1]
    assert call.headers["authorization"] == "Bearer <valid>"
    assert call.body["messages"][0]["altText"] == "受付"


@pytest.mark.parametrize(
    "scripted",
    [
        Fail(200, body="<html>upstream hiccup</html>", after_processing=True),
        {"status": 200, "body": "<html>upstream hiccup</html>", "afterProcessing": True},
    ],
)
def test_a_reply_answered_with_an_unparseable_200_is_still_delivered(sim, http, user, scripted):
    event = sim.events.text(user, "a")
    sim.platform.mark_delivered([event])
    sim.platform.script("reply", [scripted])
    response = reply(http, event["replyToken"], texts("届いた"))
    assert (response.status_code, response.text) == (200, "<html>upstream hiccup</html>")
    assert [d.message["text"] for d in sim.platform.deliveries(user)] == ["届いた"]
    assert reply(http, event["replyToken"], texts("二度目")).status_code == 400  # token used
