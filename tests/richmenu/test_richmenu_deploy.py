"""Deploying the menu to linesim over real HTTP: create, upload, default; nothing; replace."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from menu_images import png
from PIL import Image
from typer.testing import CliRunner

from app.cli import cli
from linesim import Fail
from richmenu.client import RichMenuApiError
from richmenu.deploy import NAME_PREFIX, build, deploy
from richmenu.layout import MENU

runner = CliRunner()


def _deploy(api, deployment) -> tuple[bool, list[str]]:
    said: list[str] = []
    changed = deploy(api, deployment, said.append)
    return changed, said


def _foreign_menu(api, name: str = "made in the LINE console") -> str:
    """A menu genba did not make, with an image, as another tool would leave it."""
    request = {
        "size": {"width": 2500, "height": 843},
        "selected": False,
        "name": name,
        "chatBarText": "Tap",
        "areas": [
            {
                "bounds": {"x": 0, "y": 0, "width": 2500, "height": 843},
                "action": {"type": "message", "text": "hi"},
            }
        ],
    }
    menu_id = api.create(request)
    api.upload(menu_id, png(2500, 843), "image/png")
    return menu_id


class TestDeploy:
    def test_first_run_creates_uploads_and_sets_the_default(self, line, api, deployment) -> None:
        changed, said = _deploy(api, deployment)
        [menu] = line.platform.richmenus.all()
        assert changed
        assert menu.body["name"] == deployment.name and menu.body["name"].startswith(NAME_PREFIX)
        assert menu.image == deployment.image and menu.content_type == "image/png"
        assert line.platform.richmenus.default == menu.menu_id
        assert menu.body["areas"] == deployment.request["areas"]
        assert line.writes() == [
            ("POST", "/v2/bot/richmenu"),
            ("POST", f"/v2/bot/richmenu/{menu.menu_id}/content"),
            ("POST", f"/v2/bot/user/all/richmenu/{menu.menu_id}"),
        ]
        assert any("created" in line_ for line_ in said)

    def test_second_run_changes_nothing_and_says_so(self, line, api, deployment) -> None:
        _deploy(api, deployment)
        before = line.writes()
        changed, said = _deploy(api, deployment)
        assert not changed
        assert line.writes() == before  # only reads the second time
        assert said == [said[0]] and "up to date" in said[0] and "no change" in said[0]

    def test_a_changed_layout_replaces_the_old_menu_and_deletes_it(
        self, line, api, deployment, japanese_fonts
    ) -> None:
        _deploy(api, deployment)
        [old] = line.platform.richmenus.all()
        changed_layout = replace(MENU, chat_bar_text="メニュー")
        newer = build(japanese_fonts, changed_layout)
        assert newer.name != deployment.name

        changed, said = _deploy(api, newer)

        [new] = line.platform.richmenus.all()
        assert changed and new.menu_id != old.menu_id
        assert new.body["chatBarText"] == "メニュー" and new.body["name"] == newer.name
        assert line.platform.richmenus.default == new.menu_id
        assert any(f"deleted genba's earlier rich menu {old.menu_id}" in s for s in said)
        # The new menu is the default before the old one goes, so users never lose the menu.
        writes = line.writes()
        assert writes.index(("POST", f"/v2/bot/user/all/richmenu/{new.menu_id}")) < writes.index(
            ("DELETE", f"/v2/bot/richmenu/{old.menu_id}")
        )

    def test_menus_genba_did_not_make_are_left_alone(self, line, api, deployment) -> None:
        theirs = _foreign_menu(api)
        api.set_default(theirs)
        _changed, said = _deploy(api, deployment)
        menus = {m.menu_id for m in line.platform.richmenus.all()}
        assert theirs in menus and len(menus) == 2
        assert line.platform.richmenus.default != theirs
        assert any("was not made by genba" in s for s in said)

    def test_a_failed_upload_leaves_no_half_made_menu_and_the_next_run_succeeds(
        self, line, api, deployment
    ) -> None:
        line.platform.script("richmenu_upload", [Fail(500)])
        with pytest.raises(RichMenuApiError, match="LINE answered 500"):
            _deploy(api, deployment)
        assert line.platform.richmenus.all() == []
        changed, _ = _deploy(api, deployment)
        assert changed and len(line.platform.richmenus.all()) == 1

    def test_a_menu_left_without_its_image_is_replaced(self, line, api, deployment) -> None:
        # As if a run stopped between create and upload (and could not clean up).
        half = api.create(deployment.request)
        changed, _ = _deploy(api, deployment)
        [menu] = line.platform.richmenus.all()
        assert changed and menu.menu_id != half and menu.image == deployment.image
        assert line.platform.richmenus.default == menu.menu_id

    def test_a_menu_made_but_not_yet_default_is_reused(self, line, api, deployment) -> None:
        # As if a run stopped after the upload: the menu is complete, only the default is missing.
        made = api.create(deployment.request)
        api.upload(made, deployment.image, deployment.content_type)
        changed, said = _deploy(api, deployment)
        assert changed and [m.menu_id for m in line.platform.richmenus.all()] == [made]
        assert line.platform.richmenus.default == made
        assert not any("created" in s for s in said)


def _env(monkeypatch, tmp_path: Path, **values: str) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GENBA_DATA_DIR", str(tmp_path / "var"))
    for name in ("LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "LINE_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)


class TestCommands:
    def test_deploy_then_deploy_again_against_linesim(self, line, monkeypatch, tmp_path) -> None:
        _env(
            monkeypatch,
            tmp_path,
            LINE_CHANNEL_ACCESS_TOKEN=line.token,
            LINE_API_BASE_URL=line.base_url,
        )
        first = runner.invoke(cli, ["richmenu", "deploy"])
        assert first.exit_code == 0, first.output
        [menu] = line.platform.richmenus.all()
        assert line.platform.richmenus.default == menu.menu_id and menu.image is not None
        assert "created rich menu" in first.output and "set " in first.output

        second = runner.invoke(cli, ["richmenu", "deploy"])
        assert second.exit_code == 0, second.output
        assert "up to date" in second.output and "created" not in second.output
        assert [m.menu_id for m in line.platform.richmenus.all()] == [menu.menu_id]

    def test_deploy_without_an_access_token_says_what_is_missing(
        self, monkeypatch, tmp_path
    ) -> None:
        _env(monkeypatch, tmp_path)
        result = runner.invoke(cli, ["richmenu", "deploy"])
        assert result.exit_code == 2
        assert "LINE_CHANNEL_ACCESS_TOKEN is not set" in result.output
        assert "render" in result.output  # points to what works without one

    def test_deploy_with_a_wrong_token_shows_lines_answer(
        self, line, monkeypatch, tmp_path
    ) -> None:
        _env(
            monkeypatch,
            tmp_path,
            LINE_CHANNEL_ACCESS_TOKEN="wrong",
            LINE_API_BASE_URL=line.base_url,
        )
        result = runner.invoke(cli, ["richmenu", "deploy"])
        assert result.exit_code == 2
        assert "listing the rich menus: LINE answered 401: Authentication failed" in result.output
        assert line.platform.richmenus.all() == []

    def test_deploy_with_line_unreachable_says_so(self, monkeypatch, tmp_path) -> None:
        # Port 9 (discard) on the loopback: nothing listens, the connection is refused.
        _env(
            monkeypatch,
            tmp_path,
            LINE_CHANNEL_ACCESS_TOKEN="any-token",
            LINE_API_BASE_URL="http://127.0.0.1:9",
        )
        result = runner.invoke(cli, ["richmenu", "deploy"])
        assert result.exit_code == 2
        assert "LINE did not answer: ConnectError" in result.output

    def test_render_writes_the_png_that_deploy_uploads(
        self, monkeypatch, tmp_path, deployment
    ) -> None:
        _env(monkeypatch, tmp_path)
        out = tmp_path / "menu.png"
        result = runner.invoke(cli, ["richmenu", "render", "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.read_bytes() == deployment.image
        with Image.open(out) as image:
            assert image.size == (2500, 1686)
        assert "2500×1686 image/png" in result.output and deployment.name in result.output

    @pytest.mark.parametrize(
        ("out", "expected"),
        [
            ("missing/menu.png", "the folder missing does not exist"),
            (".", "is a folder"),
            ("menu.jpg", "give a file name ending in .png"),
        ],
    )
    def test_render_refuses_a_bad_out_path_clearly(
        self, monkeypatch, tmp_path, out, expected
    ) -> None:
        _env(monkeypatch, tmp_path)
        result = runner.invoke(cli, ["richmenu", "render", "--out", out])
        assert result.exit_code == 2
        assert expected in result.output
        assert list(tmp_path.iterdir()) == []

    def test_render_into_a_read_only_folder_says_it_cannot_write(
        self, monkeypatch, tmp_path
    ) -> None:
        _env(monkeypatch, tmp_path)
        result = runner.invoke(cli, ["richmenu", "render", "--out", "/proc/menu.png"])
        assert result.exit_code == 2
        assert "cannot write it" in result.output

    def test_render_needs_out(self, monkeypatch, tmp_path) -> None:
        _env(monkeypatch, tmp_path)
        result = runner.invoke(cli, ["richmenu", "render"])
        assert result.exit_code == 2 and "--out" in result.output
