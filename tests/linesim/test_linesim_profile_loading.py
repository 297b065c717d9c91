"""Profile and loading-animation endpoints, and LINE's shape for every error and unknown path."""

from __future__ import annotations

import pytest
from linebot.v3.messaging import ShowLoadingAnimationRequest
from linebot.v3.messaging.exceptions import NotFoundException


def test_profile_omits_unset_fields(platform, http):
    bare = platform.add_user(display_name="田中", language=None)
    full = platform.add_user(
        display_name="鈴木",
        language="en",
        picture_url="https://p.example/s.jpg",
        status_message="hi",
    )
    assert http.get(f"/v2/bot/profile/{bare}").json() == {"displayName": "田中", "userId": bare}
    assert http.get(f"/v2/bot/profile/{full}").json() == {
        "displayName": "鈴木",
        "userId": full,
        "language": "en",
        "pictureUrl": "https://p.example/s.jpg",
        "statusMessage": "hi",
    }


def test_profile_through_the_sdk(api, user):
    profile = api.get_profile(user)
    assert profile.display_name == "現場花子" and profile.language == "ja"


def test_unknown_profile_is_404(api):
    with pytest.raises(NotFoundException) as missing:
        api.get_profile("U" + "f" * 32)
    assert missing.value.status == 404
    assert missing.value.body == '{"message":"Not found"}'


def test_profile_failures_can_be_scripted(platform, http, user):
    platform.script("profile", [500])
    assert http.get(f"/v2/bot/profile/{user}").status_code == 500
    assert http.get(f"/v2/bot/profile/{user}").status_code == 200


def test_loading_animation_is_202_and_recorded(platform, api, user):
    response = api.show_loading_animation_with_http_info(
        ShowLoadingAnimationRequest(chat_id=user, loading_seconds=10)
    )
    assert response.status_code == 202 and response.data is not None
    [call] = platform.loading_calls(user)
    assert call.seconds == 10


def test_loading_default_is_20_seconds(platform, http, user):
    assert http.post("/v2/bot/chat/loading/start", json={"chatId": user}).status_code == 202
    assert platform.loading_calls(user)[0].seconds == 20


@pytest.mark.parametrize("seconds", [0, 3, 7, 65, "10", True])
def test_loading_seconds_must_be_5_to_60_in_steps_of_5(platform, http, user, seconds):
    response = http.post(
        "/v2/bot/chat/loading/start", json={"chatId": user, "loadingSeconds": seconds}
    )
    assert response.status_code == 400
    assert response.json()["details"][0]["property"] == "loadingSeconds"
    assert platform.loading_calls() == []


def test_loading_in_a_group_is_400(platform, http):
    group = platform.add_group()
    response = http.post("/v2/bot/chat/loading/start", json={"chatId": group})
    assert response.status_code == 400
    assert response.json()["details"][0]["property"] == "chatId"


def test_unknown_path_and_method_are_line_shaped(http):
    unknown = http.get("/v2/bot/does/not/exist")
    wrong_method = http.get("/v2/bot/message/reply")
    assert unknown.status_code == 404 and unknown.json() == {"message": "Not found"}
    assert wrong_method.status_code == 405 and set(wrong_method.json()) == {"message"}
    assert "x-line-request-id" in unknown.headers and "x-line-request-id" in wrong_method.headers


def test_body_over_2mb_is_413(platform, http, user):
    huge = (
        b'{"to":"' + user.encode() + b'","messages":[],"pad":"' + b"x" * (2 * 1024 * 1024) + b'"}'
    )
    response = http.post(
        "/v2/bot/message/push", content=huge, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413 and "message" in response.json()
