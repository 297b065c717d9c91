"""The menu as built: its layout, its image, and LINE's rules checked before any upload."""

from __future__ import annotations

import copy
import io
from dataclasses import replace
from pathlib import Path

import pytest
from menu_images import jpeg, png
from PIL import Image

from flows.intents import parse
from flows.menu import MenuButton, menu_data
from richmenu import fonts, rules
from richmenu import render as palette
from richmenu.deploy import NAME_PREFIX, build, content_name
from richmenu.layout import MENU, Area, Bounds, Icon, grid
from richmenu.render import render


class TestLayout:
    def test_six_areas_tile_the_whole_image_without_overlap(self) -> None:
        assert (MENU.width, MENU.height) == (2500, 1686)
        covered = [[0] * MENU.width for _ in range(2)]  # two rows of cells, checked by column
        for area in MENU.areas:
            b = area.bounds
            row = 0 if b.y == 0 else 1
            assert b.height == (843 if row == 0 else 1686 - 843)
            for x in range(b.x, b.x + b.width):
                covered[row][x] += 1
        assert all(count == 1 for row in covered for count in row)

    def test_every_menu_button_is_on_the_menu_once_and_send_comes_first(self) -> None:
        assert [a.button for a in MENU.areas].count(MenuButton.SEND) == 1
        assert {a.button for a in MENU.areas} == set(MenuButton)
        assert len(MENU.areas) == len(MenuButton)
        assert MENU.areas[0].button is MenuButton.SEND and MENU.areas[0].primary

    def test_areas_send_the_postback_data_the_flows_define(self) -> None:
        for area in MENU.areas:
            assert area.action() == {"type": "postback", "data": menu_data(area.button)}
        # Send and help are understood today (the others fall to the unknown-button answer).
        assert parse(MENU.areas[0].action()["data"]) is not None

    def test_labels_are_japanese_with_an_english_line(self) -> None:
        for area in MENU.areas:
            assert any(ord(ch) > 0x3000 for ch in area.title), area.title
            assert area.subtitle.isascii() and area.subtitle[0].isupper(), area.subtitle

    def test_grid_gives_the_odd_pixels_to_inner_cells_and_adds_up(self) -> None:
        cells = grid(2500, 843, 3, 1)
        assert [c.width for c in cells] == [833, 834, 833]
        assert sum(c.width for c in cells) == 2500


class TestImage:
    def test_the_rendered_image_is_a_png_of_the_menu_size_under_1_mb(self, deployment) -> None:
        with Image.open(io.BytesIO(deployment.image)) as image:
            assert image.format == "PNG"
            assert image.size == (2500, 1686)
        assert len(deployment.image) < 1_000_000
        assert deployment.content_type == "image/png"

    def test_rendering_is_repeatable_so_an_unchanged_menu_keeps_its_name(
        self, japanese_fonts, deployment
    ) -> None:
        assert render(MENU, japanese_fonts) == deployment.image

    def test_the_send_card_is_green_the_others_white_and_text_reads_well_on_both(
        self, deployment
    ) -> None:
        with Image.open(io.BytesIO(deployment.image)) as image:
            rgb = image.convert("RGB")
            send_card, other_card = rgb.getpixel((60, 800)), rgb.getpixel((900, 800))
        assert _near(send_card, palette.PRIMARY) and _near(other_card, palette.CARD)
        # WCAG AA asks 4.5:1 for text; the labels are large, the English line is not.
        for text, card in [
            (palette.TITLE, other_card),
            (palette.SUBTITLE, other_card),
            (palette.CARD, send_card),
            (palette.PRIMARY_SUBTITLE, send_card),
        ]:
            assert _contrast(text, card) >= 4.5, (text, card)

    def test_the_name_carries_a_hash_of_the_layout_and_the_image(self, deployment) -> None:
        request = copy.deepcopy(deployment.request)
        assert deployment.name.startswith(NAME_PREFIX) and len(deployment.name) <= 300
        assert content_name(request, deployment.image) == deployment.name
        assert content_name(request, deployment.image + b"x") != deployment.name
        request["chatBarText"] = "メニュー"
        assert content_name(request, deployment.image) != deployment.name


def _near(got, want, tolerance: int = 4) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(got, want, strict=True))


def _contrast(a, b) -> float:
    def luminance(rgb) -> float:
        linear = [c / 255 / 12.92 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _request(deployment) -> dict:
    return copy.deepcopy(deployment.request)


def _area(x=0, y=0, w=100, h=100, action=None) -> dict:
    return {
        "bounds": {"x": x, "y": y, "width": w, "height": h},
        "action": action or {"type": "postback", "data": "g1|help"},
    }


def _action(**action: object) -> dict:
    return {"areas": [_area(action=dict(action))]}


BROKEN_MENUS = [
    ({"size": {"width": 2501, "height": 1686}}, "size.width: must be 800 to 2500"),
    ({"size": {"width": 2500, "height": 249}}, "size.height: must be at least 250"),
    ({"size": {"width": 2500, "height": 1725}}, "size: width/height must be at least 1.45"),
    ({"size": {"width": "2500"}}, "size: must have whole-number"),
    ({"selected": "yes"}, "selected: must be true or false"),
    ({"name": "n" * 301}, "name: must be 1 to 300 characters (is 301)"),
    ({"name": None}, "name: missing"),
    ({"chatBarText": "メ" * 15}, "chatBarText: must be 1 to 14 characters (is 15)"),
    ({"chatBarText": ""}, "chatBarText: must be 1 to 14 characters (is 0)"),
    # An emoji outside the BMP counts two, as LINE counts.
    ({"chatBarText": "😀" + "x" * 13}, "chatBarText: must be 1 to 14 characters (is 15)"),
    ({"areas": [_area()] * 21}, "areas: must be 1 to 20 areas (has 21)"),
    ({"areas": []}, "areas: must be 1 to 20 areas (has 0)"),
    ({"areas": [_area(x=2400, w=101)]}, "areas[0].bounds: (2400,0) 101×100 reaches outside"),
    ({"areas": [_area(y=1600, h=87)]}, "areas[0].bounds: (0,1600) 100×87 reaches outside"),
    ({"areas": [_area(x=-1)]}, "areas[0].bounds: x and y must be 0 or more"),
    ({"areas": [_area(w=0)]}, "areas[0].bounds: x and y must be 0 or more, width and height"),
    (_action(type="camera"), "areas[0].action.type: 'camera' cannot be used in a rich menu"),
    (_action(type="postback", data="d" * 301), "areas[0].action.data: must be 1 to 300"),
    (_action(type="postback", data="d", label="l" * 21), "areas[0].action.label: must be 1 to 20"),
    (_action(type="message"), "areas[0].action.text: missing"),
    (_action(type="uri", uri="javascript:alert(1)"), "areas[0].action.uri: must be an http"),
    (
        _action(type="richmenuswitch", data="d", richMenuAliasId="a" * 33),
        "areas[0].action.richMenuAliasId: must be 1 to 32",
    ),
    ({"areas": [{"bounds": _area()["bounds"]}]}, "areas[0].action: missing"),
]


class TestRules:
    def test_the_real_menu_keeps_every_rule(self, deployment) -> None:
        assert rules.menu_problems(deployment.request) == []
        assert rules.image_problems(deployment.image, deployment.request["size"]) == []

    @pytest.mark.parametrize(("patch", "expected"), BROKEN_MENUS)
    def test_each_broken_rule_is_named(self, deployment, patch, expected) -> None:
        request = _request(deployment)
        request.update(patch)
        problems = rules.menu_problems(request)
        assert any(p.startswith(expected) for p in problems), problems
        with pytest.raises(rules.RichMenuInvalid, match="breaks LINE's rules"):
            rules.check(request, deployment.image)

    def test_all_problems_are_listed_at_once(self, deployment) -> None:
        request = _request(deployment)
        request.update(name="n" * 301, chatBarText="c" * 15)
        with pytest.raises(rules.RichMenuInvalid) as caught:
            rules.check(request, png(10, 10))
        fields = [p.split(":")[0] for p in caught.value.problems]
        assert fields == ["name", "chatBarText", "image"]

    @pytest.mark.parametrize(
        ("image", "expected"),
        [
            (png(2500, 1686, padding=1_000_000), "bytes is over LINE's 1 MB"),
            (png(2500, 843), "image: is 2500×843 pixels, the menu is 2500×1686"),
            (jpeg(1686, 2500), "image: is 1686×2500 pixels"),
            (b"GIF89a" + b"\0" * 100, "image: not a PNG or JPEG image"),
            (b"", "image: not a PNG or JPEG image"),
        ],
    )
    def test_images_line_refuses_are_refused_before_upload(self, image, expected) -> None:
        problems = rules.image_problems(image, {"width": 2500, "height": 1686})
        assert any(expected in p for p in problems), problems

    def test_a_gif_of_the_right_size_is_refused_for_its_format(self) -> None:
        out = io.BytesIO()
        Image.new("RGB", (2500, 1686)).save(out, "GIF")
        problems = rules.image_problems(out.getvalue(), {"width": 2500, "height": 1686})
        assert problems == ["image: must be PNG or JPEG (is GIF)"]

    def test_a_jpeg_of_the_right_size_passes_and_is_sent_as_jpeg(self) -> None:
        image = jpeg(2500, 843)
        assert rules.image_problems(image, {"width": 2500, "height": 843}) == []
        assert rules.content_type(image) == "image/jpeg"

    def test_a_layout_with_too_long_a_chat_bar_is_refused_by_build(self, japanese_fonts) -> None:
        layout = replace(MENU, chat_bar_text="メニューを開く / Open menu")
        with pytest.raises(rules.RichMenuInvalid, match="chatBarText: must be 1 to 14"):
            build(japanese_fonts, layout)

    def test_a_half_size_layout_builds_too(self, japanese_fonts) -> None:
        cells = grid(2500, 843, 2, 1)
        areas = (
            Area(cells[0], MenuButton.SEND, "写真を送る", "Send a photo", Icon.CAMERA, True),
            Area(cells[1], MenuButton.HELP, "ヘルプ", "Help", Icon.GEAR),
        )
        built = build(japanese_fonts, replace(MENU, height=843, areas=areas))
        with Image.open(io.BytesIO(built.image)) as image:
            assert image.size == (2500, 843)
        assert built.request["areas"][1]["bounds"] == Bounds(1250, 0, 1250, 843).as_json()


class TestFonts:
    def test_a_missing_font_says_how_to_install_it(self, tmp_path: Path) -> None:
        with pytest.raises(fonts.FontMissing) as caught:
            fonts.find([tmp_path])
        assert "scripts/install-fonts" in str(caught.value)
        assert "fonts-noto-cjk" in str(caught.value)

    def test_a_damaged_font_file_counts_as_missing(self, tmp_path: Path) -> None:
        for weight in ("Bold", "Regular"):
            (tmp_path / f"NotoSansCJK-{weight}.ttc").write_bytes(b"not a font")
        with pytest.raises(fonts.FontMissing):
            fonts.find([tmp_path])

    def test_the_installed_font_is_the_japanese_face(self, japanese_fonts) -> None:
        assert japanese_fonts.bold_at(20).getname() == ("Noto Sans CJK JP", "Bold")
        assert japanese_fonts.regular_at(20).getname() == ("Noto Sans CJK JP", "Regular")
