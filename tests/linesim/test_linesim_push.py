"""Push API: the X-Line-Retry-Key ledger, unknown receivers, blocked users, lost answers."""

from __future__ import annotations

import uuid

import httpx
import pytest
from linebot.v3.messaging import ApiException, PushMessageRequest, TextMessage

from linesim import Fail, Timeout


def push(http, to: str, text: str, key: str | None = None):
    headers = {"X-Line-Retry-Key": key} if key else {}
    body = {"to": to, "messages": [{"type": "text", "text": text}]}
    return http.post("/v2/bot/message/push", json=body, headers=headers)


def test_push_delivers_to_the_user(sim, api, user):
    sent = api.push_message(PushMessageRequest(to=user, messages=[TextMessage(text="お知らせ")]))
    [delivery] = sim.platform.deliveries(user)
    assert delivery.api == "push" and delivery.message["text"] == "お知らせ"
    assert delivery.sent_id == sent.sent_messages[0].id


def test_same_retry_key_gives_409_with_accepted_request_id(sim, http, user):
    key = str(uuid.uuid4())
    first = push(http, user, "採用されました", key)
    second = push(http, user, "採用されました", key)
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.headers["x-line-accepted-request-id"] == first.headers["x-line-request-id"]
    assert second.json() == {
        "message": "The retry key is already accepted",
        "sentMessages": first.json()["sentMessages"],
    }
    assert len(sim.platform.deliveries(user)) == 1
    assert sim.platform.deliveries(user)[0].retry_key == key


def test_sdk_sees_409_as_api_exception_with_header(api, user):
    key = str(uuid.uuid4())
    request = PushMessageRequest(to=user, messages=[TextMessage(text="一度だけ")])
    api.push_message(request, x_line_retry_key=key)
    with pytest.raises(ApiException) as conflict:
        api.push_message(request, x_line_retry_key=key)
    assert conflict.value.status == 409
    assert conflict.value.headers["x-line-accepted-request-id"]


def test_retry_key_is_forgotten_after_24_hours(sim, http, user):
    key = str(uuid.uuid4())
    assert push(http, user, "1日目", key).status_code == 200
    sim.platform.advance(24 * 60 * 60 + 1)
    assert push(http, user, "2日目", key).status_code == 200
    assert len(sim.platform.deliveries(user)) == 2


def test_retry_key_must_be_a_uuid(sim, http, user):
    response = push(http, user, "x", "not-a-uuid")
    assert response.status_code == 400
    assert "X-Line-Retry-Key" in response.json()["message"]
    assert sim.platform.deliveries(user) == []


def test_push_to_unknown_user_is_400(sim, http):
    response = push(http, "U" + "0" * 32, "だれ？")
    assert response.status_code == 400
    assert response.json()["message"].startswith(
        "The property, 'to', in the request body is invalid"
    )


def test_push_to_blocked_user_is_200_but_not_delivered(sim, http, user):
    sim.events.unfollow(user)
    assert push(http, user, "届かない").status_code == 200
    assert sim.platform.deliveries(user) == []


def test_failed_push_does_not_accept_the_key(sim, http, user):
    sim.platform.script("push", [500])
    key = str(uuid.uuid4())
    failed = push(http, user, "x", key)
    assert failed.status_code == 500 and failed.json() == {"message": "Internal Server Error"}
    assert push(http, user, "x", key).status_code == 200
    assert len(sim.platform.deliveries(user)) == 1


def test_500_after_processing_then_retry_is_409(sim, http, user):
    sim.platform.script("push", [Fail(500, after_processing=True)])
    key = str(uuid.uuid4())
    assert push(http, user, "x", key).status_code == 500
    assert push(http, user, "x", key).status_code == 409
    assert len(sim.platform.deliveries(user)) == 1


def test_timed_out_push_retried_with_same_key_is_delivered_once(sim, user):
    sim.platform.script("push", [Timeout(delay=30)])
    key = str(uuid.uuid4())
    headers = {"Authorization": f"Bearer {sim.platform.access_token}", "X-Line-Retry-Key": key}
    body = {"to": user, "messages": [{"type": "text", "text": "一通だけ"}]}
    with httpx.Client(base_url=sim.base_url, headers=headers) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.post("/v2/bot/message/push", json=body, timeout=0.5)
        sim.platform.wait_for_deliveries(user, 1)  # linesim took it; only the answer was lost
        retry = client.post("/v2/bot/message/push", json=body, timeout=10)
    assert retry.status_code == 409
    assert [d.message["text"] for d in sim.platform.deliveries(user)] == ["一通だけ"]


def test_push_validates_messages_like_reply(sim, http, user):
    response = http.post("/v2/bot/message/push", json={"to": user, "messages": []})
    assert response.status_code == 400
    assert response.json()["details"][0]["property"] == "messages"
