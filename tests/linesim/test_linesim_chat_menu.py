"""The chat page's view of the channel: the default rich menu (object and image), unsent photos."""

from __future__ import annotations

import httpx
import pytest

from tests.linesim.test_linesim_richmenu import MENU, _create, _upload, png


@pytest.fixture
def web(sim):
    with httpx.Client(base_url=sim.base_url, timeout=10) as client:
        yield client


def test_no_menu_is_shown_until_a_default_with_its_image_is_set(web, http, user) -> None:
    assert web.get(f"/_sim/users/{user}/richmenu").status_code == 404
    menu_id = _create(http)
    assert web.get(f"/_sim/users/{user}/richmenu").status_code == 404
    assert _upload(http, menu_id, png()).status_code == 200
    assert http.post(f"/v2/bot/user/all/richmenu/{menu_id}").status_code == 200
    shown = web.get(f"/_sim/users/{user}/richmenu").json()
    assert shown["richMenuId"] == menu_id and shown["areas"] == MENU["areas"]
    assert shown["size"] == MENU["size"] and shown["chatBarText"] == MENU["chatBarText"]
    image = web.get(shown["imageUrl"])  # the page needs no access token for it
    assert image.status_code == 200 and image.content == png()
    assert image.headers["content-type"] == "image/png"


def test_unknown_users_and_menus_are_404(web, user) -> None:
    assert web.get("/_sim/users/Uffffffffffffffffffffffffffffffff/richmenu").status_code == 404
    assert web.get("/_sim/richmenus/richmenu-nope/image").status_code == 404


def test_an_unsent_photo_leaves_the_timeline(web) -> None:
    user = web.post("/_sim/chat/start", json={}).json()["userId"]
    sent = web.post(
        f"/_sim/users/{user}/image", content=png(800, 400), headers={"content-type": "image/png"}
    ).json()
    web.post(f"/_sim/users/{user}/text", json={"text": "あとの言葉"})
    web.post(f"/_sim/users/{user}/unsend", json={"messageId": sent["messageId"]})
    entries = web.get(f"/_sim/users/{user}/chat").json()["entries"]
    assert [e["message"].get("text") for e in entries if e["from"] == "user"] == ["あとの言葉"]
