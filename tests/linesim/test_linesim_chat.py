"""Chat page and /_sim/ API over HTTP: the page is served; its actions become signed webhooks."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from linebot.v3 import WebhookParser

SECRET = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def web(sim):
    with httpx.Client(base_url=sim.base_url, timeout=10) as client:
        yield client


def events_received(bot):
    found = []
    for got in bot.received:
        found += WebhookParser(SECRET).parse(got.body.decode(), got.headers["x-line-signature"])
    return found


def test_chat_page_is_self_contained_html(web):
    response = web.get("/chat")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<input type="file" id="file" accept="image/*,video/*" multiple' in page
    assert "送信" in page
    # Offline machine: nothing may load from another host.
    assert not re.search(r"""(src|href)=["']https?://""", page)
    assert "innerHTML" not in page


def test_start_adds_a_demo_friend_and_sends_follow(web, bot, platform):
    started = web.post("/_sim/chat/start", json={}).json()
    assert started["status"] == 200 and started["displayName"] == "デモ太郎"
    [follow] = events_received(bot)
    assert follow.type == "follow" and follow.source.user_id == started["userId"]
    assert platform.user(started["userId"]).language == "ja"


QUICK_OK = {
    "type": "action",
    "action": {"type": "postback", "label": "OK", "data": "ok", "displayText": "OKです"},
}


def test_text_from_the_page_reaches_the_bot_and_its_reply_shows(web, bot, sim):
    user = web.post("/_sim/chat/start", json={}).json()["userId"]
    reply = {"type": "text", "text": "<b>受け取りました</b>", "quickReply": {"items": [QUICK_OK]}}

    async def answer(body):
        headers = {"Authorization": f"Bearer {sim.platform.access_token}"}
        async with httpx.AsyncClient(base_url=sim.base_url, headers=headers) as client:
            for event in body["events"]:
                if event["type"] == "message":
                    payload = {"replyToken": event["replyToken"], "messages": [reply]}
                    await client.post("/v2/bot/message/reply", json=payload)

    bot.on_webhook = answer
    sent = web.post(f"/_sim/users/{user}/text", json={"text": "写真を送ります"}).json()
    assert sent["status"] == 200
    assert events_received(bot)[-1].message.text == "写真を送ります"

    entries = web.get(f"/_sim/users/{user}/chat").json()["entries"]
    assert [(e["from"], e["message"]["type"]) for e in entries] == [
        ("user", "text"),
        ("bot", "text"),
    ]
    # The timeline keeps the bot's text as data; the page renders it with textContent.
    assert entries[1]["message"] == reply
    later = web.get(f"/_sim/users/{user}/chat", params={"after": entries[0]["seq"]}).json()
    assert [e["seq"] for e in later["entries"]] == [entries[1]["seq"]]


def test_photos_become_one_image_set(web, bot):
    user = web.post("/_sim/chat/start", json={}).json()["userId"]
    for index in (1, 2):
        web.post(
            f"/_sim/users/{user}/image",
            params={"set": "abc", "index": index, "total": 2},
            content=b"\xff\xd8 photo %d" % index,
            headers={"Content-Type": "image/jpeg"},
        )
    images = [e for e in events_received(bot) if e.type == "message"]
    assert {e.message.image_set.id for e in images} == {images[0].message.image_set.id}
    assert [(e.message.image_set.index, e.message.image_set.total) for e in images] == [
        (1, 2),
        (2, 2),
    ]
    entries = web.get(f"/_sim/users/{user}/chat").json()["entries"]
    assert web.get(entries[0]["message"]["url"]).content == b"\xff\xd8 photo 1"


def test_a_video_from_the_page_is_a_video_message_outside_any_image_set(web, bot, http):
    user = web.post("/_sim/chat/start", json={}).json()["userId"]
    sent = web.post(
        f"/_sim/users/{user}/video",
        content=b"\x00\x00\x00\x18ftypmp42",
        headers={"Content-Type": "video/mp4"},
    ).json()
    (video,) = [e for e in events_received(bot) if e.type == "message"]
    assert video.message.type == "video" and video.message.id == sent["messageId"]
    transcoding = http.get(f"/v2/bot/message/{sent['messageId']}/content/transcoding").json()
    assert transcoding == {"status": "succeeded"}
    assert http.get(f"/v2/bot/message/{sent['messageId']}/content").content.startswith(b"\x00")
    entries = web.get(f"/_sim/users/{user}/chat").json()["entries"]
    assert [e["message"]["type"] for e in entries] == ["video"]
    assert web.post(f"/_sim/users/{user}/video", content=b"").status_code == 400


def test_postback_shows_display_text_and_sends_postback(web, bot):
    user = web.post("/_sim/chat/start", json={}).json()["userId"]
    web.post(f"/_sim/users/{user}/postback", json={"data": "face=blur", "displayText": "ぼかす"})
    web.post(f"/_sim/users/{user}/postback", json={"data": "silent"})
    postbacks = [e for e in events_received(bot) if e.type == "postback"]
    assert [p.postback.data for p in postbacks] == ["face=blur", "silent"]
    entries = web.get(f"/_sim/users/{user}/chat").json()["entries"]
    assert [e["message"]["text"] for e in entries] == ["ぼかす"]


def test_non_200_from_the_bot_is_reported(web, bot):
    bot.status = 500
    user = web.post("/_sim/chat/start", json={}).json()["userId"]
    assert web.post(f"/_sim/users/{user}/text", json={"text": "a"}).json()["status"] == 500


def test_unreachable_bot_is_reported(web, platform):
    platform.webhook_url = "http://127.0.0.1:9/callback"
    result = web.post("/_sim/chat/start", json={}).json()
    assert result["status"] is None and "Connect" in result["error"]


def test_unsend_from_the_page(web, bot, platform):
    user = web.post("/_sim/chat/start", json={}).json()["userId"]
    image = web.post(
        f"/_sim/users/{user}/image", content=b"img", headers={"Content-Type": "image/png"}
    ).json()
    web.post(f"/_sim/users/{user}/unsend", json={"messageId": image["messageId"]})
    assert events_received(bot)[-1].unsend.message_id == image["messageId"]
    assert platform.messages.get(image["messageId"]).unsent


def test_unknown_user_is_404(web):
    assert web.post("/_sim/users/U" + "0" * 32 + "/text", json={"text": "a"}).status_code == 404


def test_control_api_drives_the_platform(web, sim, http):
    user = web.post("/_sim/users", json={"displayName": "遠隔"}).json()["userId"]
    assert http.get(f"/v2/bot/profile/{user}").json()["displayName"] == "遠隔"

    assert (
        web.put(
            "/_sim/content/42", content=b"bytes", headers={"Content-Type": "image/gif"}
        ).status_code
        == 204
    )
    web.post(
        "/_sim/script", json={"endpoint": "/v2/bot/message/42/content", "responses": [503, "ok"]}
    )
    assert [http.get("/v2/bot/message/42/content").status_code for _ in range(3)] == [503, 200, 200]
    assert http.get("/v2/bot/message/42/content").headers["content-type"] == "image/gif"

    before = web.get("/_sim/config").json()
    assert "channelSecret" not in json.dumps(
        before
    ) and sim.platform.channel_secret not in json.dumps(before)
    after = web.post("/_sim/clock/advance", json={"seconds": 3600}).json()["now"]
    assert after - before["now"] >= 3600 * 1000

    http.post(
        "/v2/bot/message/push", json={"to": user, "messages": [{"type": "text", "text": "遠"}]}
    )
    [delivery] = web.get(f"/_sim/users/{user}/deliveries").json()["deliveries"]
    assert delivery["api"] == "push" and delivery["message"]["text"] == "遠"
    calls = web.get("/_sim/calls", params={"path": "/v2/bot/message/push"}).json()["calls"]
    assert calls[0]["status"] == 200 and calls[0]["headers"]["authorization"] == "Bearer <valid>"


def test_control_api_rejects_bad_scripts(web):
    response = web.post("/_sim/script", json={"endpoint": "nonsense", "responses": [500]})
    assert response.status_code == 400 and "message" in response.json()
