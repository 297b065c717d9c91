"""Multicast API: 1 to 500 user ids, the retry-key ledger, groups refused, blocked users skipped."""

from __future__ import annotations

import uuid

import pytest
from linebot.v3.messaging import ApiException, MulticastRequest, TextMessage


def multicast(http, to, key: str | None = None, text: str = "お知らせ"):
    headers = {"X-Line-Retry-Key": key} if key else {}
    body = {"to": to, "messages": [{"type": "text", "text": text}]}
    return http.post("/v2/bot/message/multicast", json=body, headers=headers)


def test_multicast_delivers_to_each_user_and_answers_an_empty_object(sim, api, platform):
    users = [platform.add_user() for _ in range(3)]
    api.multicast(MulticastRequest(to=users, messages=[TextMessage(text="今月の投稿")]))
    for user in users:
        [delivery] = platform.deliveries(user)
        assert delivery.api == "multicast" and delivery.message["text"] == "今月の投稿"


def test_same_retry_key_gives_409_and_nothing_twice(sim, http, platform):
    users = [platform.add_user() for _ in range(2)]
    key = str(uuid.uuid4())
    first, second = multicast(http, users, key), multicast(http, users, key)
    assert (first.status_code, first.json()) == (200, {})
    assert second.status_code == 409
    assert second.json()["message"] == "The retry key is already accepted"
    assert second.headers["x-line-accepted-request-id"] == first.headers["x-line-request-id"]
    assert [len(platform.deliveries(u)) for u in users] == [1, 1]


def test_sdk_sees_the_409(api, platform):
    request = MulticastRequest(to=[platform.add_user()], messages=[TextMessage(text="一度")])
    key = str(uuid.uuid4())
    api.multicast(request, x_line_retry_key=key)
    with pytest.raises(ApiException) as conflict:
        api.multicast(request, x_line_retry_key=key)
    assert conflict.value.status == 409


@pytest.mark.parametrize("count", [0, 501])
def test_to_holds_1_to_500_ids(http, platform, count):
    user = platform.add_user()
    answer = multicast(http, [user] * count)
    assert answer.status_code == 400
    assert platform.deliveries(user) == []


def test_500_ids_are_fine(http, platform):
    users = [platform.add_user() for _ in range(500)]
    assert multicast(http, users).status_code == 200
    assert len(platform.deliveries()) == 500


@pytest.mark.parametrize(
    "to", [["C" + "0" * 32], "U" + "0" * 32, [None], ["u" + "0" * 32], [{"id": 1}]]
)
def test_groups_rooms_and_junk_are_refused(http, to):
    assert multicast(http, to).status_code == 400


def test_blocked_and_unknown_users_are_skipped_quietly(http, platform):
    friend, blocked = platform.add_user(), platform.add_user()
    platform.set_blocked(blocked, True)
    stranger = "U" + "f" * 32
    assert multicast(http, [friend, blocked, stranger]).status_code == 200
    assert [d.chat_id for d in platform.deliveries()] == [friend]


def test_a_bad_retry_key_and_a_bad_message_are_refused(http, platform):
    user = platform.add_user()
    assert multicast(http, [user], key="not-a-uuid").status_code == 400
    assert multicast(http, [user], text="").status_code == 400
    assert platform.deliveries(user) == []
