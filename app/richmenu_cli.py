"""`genba richmenu render|deploy`: the rich menu's image on disk, or the menu on LINE."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from app.settings import SettingsError, load_settings

if TYPE_CHECKING:
    from richmenu.deploy import Deployment

richmenu_cli = typer.Typer(
    help="The rich menu under the chat: render its image, or deploy it to LINE.",
    no_args_is_help=True,
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"genba richmenu: {message}", err=True)
    return typer.Exit(code=2)


def _build() -> Deployment:
    """Find the font, render and check the menu, or explain why not."""
    from richmenu import fonts
    from richmenu.deploy import build
    from richmenu.rules import RichMenuInvalid

    try:
        return build(fonts.find())
    except (fonts.FontMissing, RichMenuInvalid) as exc:
        raise _fail(str(exc)) from None


def _describe(deployment: Deployment) -> str:
    size = deployment.request["size"]
    return (
        f"{size['width']}×{size['height']} {deployment.content_type}, "
        f"{len(deployment.image):,} bytes, {len(deployment.request['areas'])} areas, "
        f"name {deployment.name!r}"
    )


@richmenu_cli.command()
def render(
    out: Annotated[Path, typer.Option("--out", help="The PNG file to write.", show_default=False)],
) -> None:
    """Draw the menu's image (no LINE credentials needed) and check it against LINE's rules."""
    if out.is_dir():
        raise _fail(f"--out {out} is a folder; give a file name ending in .png")
    if not out.parent.is_dir():
        raise _fail(f"--out {out}: the folder {out.parent} does not exist")
    if out.suffix.lower() != ".png":
        raise _fail(f"--out {out}: the image is a PNG; give a file name ending in .png")
    deployment = _build()
    try:
        out.write_bytes(deployment.image)
    except OSError as exc:
        raise _fail(f"--out {out}: cannot write it ({exc.strerror or exc})") from None
    typer.echo(f"wrote {out}: {_describe(deployment)}")


@richmenu_cli.command()
def deploy() -> None:
    """Make this menu every user's default on LINE; a second run with no change does nothing."""
    from richmenu.client import HttpRichMenuApi, RichMenuApiError
    from richmenu.deploy import deploy as deploy_menu

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise _fail(str(exc)) from None
    if settings.line_channel_access_token is None:
        raise _fail(
            "LINE_CHANNEL_ACCESS_TOKEN is not set: deploying the rich menu needs the channel's "
            "long-lived access token (LINE Developers Console, 'Messaging API' tab). "
            "`genba richmenu render --out menu.png` needs none."
        )
    deployment = _build()
    typer.echo(f"menu: {_describe(deployment)}")
    api = HttpRichMenuApi(
        settings.line_channel_access_token.get_secret_value(),
        base_url=settings.line_api_base_url,
        timeout=settings.line_timeout_seconds,
    )
    try:
        deploy_menu(api, deployment, typer.echo)
    except RichMenuApiError as exc:
        raise _fail(str(exc)) from None
    finally:
        api.close()
