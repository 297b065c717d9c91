"""linesim's rich-menu endpoints take what LINE takes and refuse what LINE refuses, LINE's way."""

from __future__ import annotations

import copy
import functools
import io
import re

import pytest
from linebot.v3.messaging import (
    ApiException,
    PostbackAction,
    RichMenuArea,
    RichMenuBounds,
    RichMenuRequest,
    RichMenuSize,
)
from PIL import Image, PngImagePlugin

from linesim.richmenus import MAX_MENUS

MENU = {
    "size": {"width": 2500, "height": 1686},
    "selected": True,
    "name": "genba-richmenu test",
    "chatBarText": "メニュー / Menu",
    "areas": [
        {
            "bounds": {"x": 0, "y": 0, "width": 1250, "height": 1686},
            "action": {"type": "postback", "data": "g1|send"},
        },
        {
            "bounds": {"x": 1250, "y": 0, "width": 1250, "height": 1686},
            "action": {"type": "uri", "uri": "https://example.com/"},
        },
    ],
}


@functools.cache
def png(width: int = 2500, height: int = 1686, *, padding: int = 0) -> bytes:
    info = PngImagePlugin.PngInfo()
    if padding:
        info.add_text("padding", "x" * padding)
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 80)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


@functools.cache
def jpeg(width: int = 2500, height: int = 1686) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 80)).save(out, "JPEG")
    return out.getvalue()


def _create(http, body=None) -> str:
    response = http.post("/v2/bot/richmenu", json=body or MENU)
    assert response.status_code == 200, response.text
    return response.json()["richMenuId"]


def _upload(http, menu_id: str, data: bytes, content_type: str = "image/png"):
    return http.post(
        f"/v2/bot/richmenu/{menu_id}/content", content=data, headers={"Content-Type": content_type}
    )


def _with(**changes):
    body = copy.deepcopy(MENU)
    body.update(changes)
    return body


def _area(bounds=None, action=None):
    return {
        "bounds": bounds or {"x": 0, "y": 0, "width": 100, "height": 100},
        "action": action or {"type": "postback", "data": "d"},
    }


class TestCreate:
    def test_a_valid_menu_gets_an_id_and_is_listed_and_readable(self, http) -> None:
        menu_id = _create(http)
        assert re.fullmatch(r"richmenu-[0-9a-f]{32}", menu_id)
        listed = http.get("/v2/bot/richmenu/list").json()["richmenus"]
        assert listed == [{"richMenuId": menu_id, **MENU}]
        assert http.get(f"/v2/bot/richmenu/{menu_id}").json() == {"richMenuId": menu_id, **MENU}

    def test_the_official_sdk_can_create_one(self, api) -> None:
        request = RichMenuRequest(
            size=RichMenuSize(width=2500, height=843),
            selected=False,
            name="sdk",
            chat_bar_text="Menu",
            areas=[
                RichMenuArea(
                    bounds=RichMenuBounds(x=0, y=0, width=2500, height=843),
                    action=PostbackAction(data="g1|help"),
                )
            ],
        )
        created = api.create_rich_menu(request)
        assert created.rich_menu_id in [m.rich_menu_id for m in api.get_rich_menu_list().richmenus]

    @pytest.mark.parametrize(
        ("body", "prop", "message"),
        [
            (_with(chatBarText="メ" * 15), "chatBarText", "Length must be between 1 and 14"),
            (_with(chatBarText=""), "chatBarText", "Length must be between 1 and 14"),
            (_with(name="n" * 301), "name", "Length must be between 1 and 300"),
            (_with(name=None), "name", "must be specified"),
            (_with(selected=None), "selected", "must be specified"),
            (_with(size={"width": 2501, "height": 1686}), "size.width", "between 800 and 2500"),
            (_with(size={"width": 799, "height": 250}), "size.width", "between 800 and 2500"),
            (_with(size={"width": 2500, "height": 249}), "size.height", "greater than or equal"),
            (_with(size={"width": 1000, "height": 800}), "size", "aspect ratio"),
            (_with(size=None), "size", "must be specified"),
            (_with(areas=None), "areas", "must be specified"),
            (_with(areas=[_area()] * 21), "areas", "Size must be between 0 and 20"),
            (
                _with(areas=[_area({"x": 2400, "y": 0, "width": 101, "height": 10})]),
                "areas[0].bounds",
                "within the rich menu's size",
            ),
            (
                _with(areas=[_area({"x": 0, "y": 1600, "width": 10, "height": 87})]),
                "areas[0].bounds",
                "within the rich menu's size",
            ),
            (
                _with(areas=[_area({"x": -1, "y": 0, "width": 10, "height": 10})]),
                "areas[0].bounds.x",
                "greater than or equal to 0",
            ),
            (
                _with(areas=[_area({"x": 0, "y": 0, "width": 0, "height": 10})]),
                "areas[0].bounds.width",
                "greater than or equal to 1",
            ),
            (
                _with(areas=[_area(action={"type": "camera", "label": "Camera"})]),
                "areas[0].action.type",
                "only be used in quick reply",
            ),
            (
                _with(areas=[_area(action={"type": "postback", "data": "d" * 301})]),
                "areas[0].action.data",
                "Length must be between 1 and 300",
            ),
            (
                _with(areas=[_area(action={"type": "richmenuswitch", "data": "d"})]),
                "areas[0].action.richMenuAliasId",
                "must be specified",
            ),
            (_with(areas=[{"bounds": _area()["bounds"]}]), "areas[0].action", "must be specified"),
        ],
    )
    def test_what_line_refuses_is_a_400_naming_the_property(
        self, http, body, prop, message
    ) -> None:
        response = http.post("/v2/bot/richmenu", json=body)
        assert response.status_code == 400
        error = response.json()
        assert error["message"].startswith("The request body has")
        assert any(d["property"] == prop and message in d["message"] for d in error["details"]), (
            error
        )
        assert http.get("/v2/bot/richmenu/list").json() == {"richmenus": []}

    def test_a_rich_menu_switch_is_allowed_in_a_rich_menu(self, http) -> None:
        action = {"type": "richmenuswitch", "data": "tab=b", "richMenuAliasId": "tab-b"}
        _create(http, _with(areas=[_area(action=action)]))

    def test_a_body_that_is_no_json_is_refused(self, http) -> None:
        response = http.post("/v2/bot/richmenu", content=b"{", headers={"Content-Type": "x"})
        assert response.status_code == 400
        assert "could not be parsed as JSON" in response.json()["message"]

    def test_validate_checks_the_same_and_creates_nothing(self, http) -> None:
        assert http.post("/v2/bot/richmenu/validate", json=MENU).status_code == 200
        bad = http.post("/v2/bot/richmenu/validate", json=_with(chatBarText="x" * 15))
        assert bad.status_code == 400 and bad.json()["details"][0]["property"] == "chatBarText"
        assert http.get("/v2/bot/richmenu/list").json() == {"richmenus": []}

    def test_the_channel_holds_at_most_1000_menus(self, http, platform) -> None:
        for _ in range(MAX_MENUS - 1):
            platform.richmenus.create(MENU)
        _create(http)
        response = http.post("/v2/bot/richmenu", json=MENU)
        assert response.status_code == 400
        assert "maximum number of rich menus" in response.json()["message"]

    def test_without_the_access_token_it_is_401(self, sim) -> None:
        import httpx

        response = httpx.post(f"{sim.base_url}/v2/bot/richmenu", json=MENU, timeout=10)
        assert response.status_code == 401


class TestImage:
    def test_a_png_or_jpeg_of_the_menu_size_is_taken_once(self, http) -> None:
        menu_id = _create(http)
        assert _upload(http, menu_id, png()).status_code == 200
        again = _upload(http, menu_id, png())
        assert again.status_code == 400 and "already been uploaded" in again.json()["message"]
        got = http.get(f"/v2/bot/richmenu/{menu_id}/content")
        assert got.status_code == 200 and got.content == png()
        assert got.headers["content-type"] == "image/png"
        other = _create(http)
        assert _upload(http, other, jpeg(), "image/jpeg").status_code == 200

    def test_the_official_sdk_can_upload_it(self, http, blob) -> None:
        menu_id = _create(http)
        blob.set_rich_menu_image(menu_id, body=png(), _headers={"Content-Type": "image/png"})
        assert bytes(blob.get_rich_menu_image(menu_id)) == png()

    @pytest.mark.parametrize(
        ("data", "content_type", "status", "message"),
        [
            (png(), "image/gif", 415, "image/jpeg or image/png"),
            (png(), "text/plain", 415, "image/jpeg or image/png"),
            (png(), "", 415, "image/jpeg or image/png"),
            (png(), "image/jpeg", 400, "not image/jpeg"),
            (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png", 400, "could not be read"),
            (png(padding=1024 * 1024), "image/png", 400, "1 MB or smaller"),
            (png(2500, 843), "image/png", 400, "rich menu's size is 2500x1686"),
            (png(2600, 1686), "image/png", 400, "800 to 2500 pixels wide"),
            (png(2500, 1725), "image/png", 400, "1.45 times as wide"),
        ],
    )
    def test_what_line_refuses_is_refused(self, http, data, content_type, status, message) -> None:
        menu_id = _create(http)
        response = _upload(http, menu_id, data, content_type)
        assert response.status_code == status
        assert message in response.json()["message"]
        assert http.get(f"/v2/bot/richmenu/{menu_id}/content").status_code == 404

    def test_over_2_mb_the_request_itself_is_refused(self, http) -> None:
        menu_id = _create(http)
        assert _upload(http, menu_id, png(padding=2 * 1024 * 1024 + 1)).status_code == 413

    def test_an_unknown_menu_is_404(self, http) -> None:
        response = _upload(http, "richmenu-" + "0" * 32, png())
        assert response.status_code == 404
        assert http.get(f"/v2/bot/richmenu/{'richmenu-' + '0' * 32}/content").status_code == 404


class TestDefault:
    def test_none_at_first(self, http) -> None:
        response = http.get("/v2/bot/user/all/richmenu")
        assert response.status_code == 404
        assert response.json()["message"] == "no default richmenu"

    def test_a_menu_needs_its_image_before_it_can_be_the_default(self, http) -> None:
        menu_id = _create(http)
        refused = http.post(f"/v2/bot/user/all/richmenu/{menu_id}")
        assert refused.status_code == 400
        assert "must upload richmenu image" in refused.json()["message"]
        _upload(http, menu_id, png())
        assert http.post(f"/v2/bot/user/all/richmenu/{menu_id}").status_code == 200
        assert http.get("/v2/bot/user/all/richmenu").json() == {"richMenuId": menu_id}

    def test_an_unknown_menu_cannot_be_the_default(self, http) -> None:
        assert http.post("/v2/bot/user/all/richmenu/richmenu-nope").status_code == 404

    def test_cancelling_the_default(self, http) -> None:
        menu_id = _create(http)
        _upload(http, menu_id, png())
        http.post(f"/v2/bot/user/all/richmenu/{menu_id}")
        assert http.delete("/v2/bot/user/all/richmenu").status_code == 200
        assert http.get("/v2/bot/user/all/richmenu").status_code == 404
        assert http.get(f"/v2/bot/richmenu/{menu_id}").status_code == 200

    def test_the_official_sdk_reads_and_sets_it(self, http, api) -> None:
        menu_id = _create(http)
        _upload(http, menu_id, png())
        api.set_default_rich_menu(menu_id)
        assert api.get_default_rich_menu_id().rich_menu_id == menu_id
        api.cancel_default_rich_menu()
        with pytest.raises(ApiException) as caught:
            api.get_default_rich_menu_id()
        assert caught.value.status == 404


class TestDelete:
    def test_deleting_a_menu_removes_it_and_its_default(self, http) -> None:
        menu_id = _create(http)
        _upload(http, menu_id, png())
        http.post(f"/v2/bot/user/all/richmenu/{menu_id}")
        assert http.delete(f"/v2/bot/richmenu/{menu_id}").status_code == 200
        assert http.get(f"/v2/bot/richmenu/{menu_id}").status_code == 404
        assert http.get("/v2/bot/user/all/richmenu").status_code == 404
        assert http.get("/v2/bot/richmenu/list").json() == {"richmenus": []}

    def test_deleting_an_unknown_menu_is_404(self, http) -> None:
        assert http.delete("/v2/bot/richmenu/richmenu-nope").status_code == 404

    def test_scripted_faults_reach_the_rich_menu_endpoints(self, http, platform) -> None:
        platform.script("richmenu_create", [503])
        assert http.post("/v2/bot/richmenu", json=MENU).status_code == 503
        assert http.get("/v2/bot/richmenu/list").json() == {"richmenus": []}
