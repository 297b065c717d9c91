"""`genba demo`: the bot wired to linesim (a local LINE platform), on the embedded default.

Nothing here is needed in production: it is the one place the product imports linesim. The
demo keeps its data under `$GENBA_DATA_DIR/demo`, makes up a channel secret and access token
for the simulated channel, puts the rich menu under the chat the way `genba richmenu deploy`
does on LINE (through linesim's rich-menu API), and prints the chat page, the admin API and a
ready admin token.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import typer
import uvicorn
from pydantic import SecretStr

from app.clock import system_clock
from app.database import prepare_database
from app.factory import create_app
from app.logs import configure_logging
from app.services import build_services
from app.settings import Settings
from linesim import LinePlatform, LineSim
from storage import tokens


def demo_settings(base: Settings, line_url: str, secret: str, token: str) -> Settings:
    """The settings of the demo bot: base settings, pointed at linesim and the demo folder."""
    data_dir = base.data_dir / "demo"
    return base.model_copy(
        update={
            "data_dir": data_dir,
            "database_url": None,  # always the embedded SQLite, under the demo folder
            "media_store_url": None,
            "line_api_base_url": line_url,
            "line_channel_secret": SecretStr(secret),
            "line_channel_access_token": SecretStr(token),
        }
    )


def deploy_rich_menu(line_url: str, token: str, say: Callable[[str], None]) -> bool:
    """Deploy the rich menu to the simulated channel, as on LINE; False (said why) if it can't."""
    from richmenu import fonts
    from richmenu.client import HttpRichMenuApi, RichMenuApiError
    from richmenu.deploy import build, deploy
    from richmenu.rules import RichMenuInvalid

    try:
        deployment = build(fonts.find())
    except (fonts.FontMissing, RichMenuInvalid) as exc:
        say(f"  rich menu: not shown under the chat: {exc}")
        return False
    api = HttpRichMenuApi(token, base_url=line_url, timeout=10.0)
    try:
        deploy(api, deployment, lambda _line: None)
    except RichMenuApiError as exc:
        say(f"  rich menu: not shown under the chat: {exc}")
        return False
    finally:
        api.close()
    return True


def run_demo(base: Settings, *, host: str, port: int) -> None:
    """Start linesim and the bot, print where to go, and serve until Ctrl-C."""
    secret, token = secrets.token_hex(16), secrets.token_urlsafe(48)
    bot_url = f"http://{host}:{port}"
    platform = LinePlatform(secret, token, webhook_url=f"{bot_url}/callback")
    sim = LineSim(platform, host=host, port=port + 1 if port < 65535 else 0)
    try:
        settings = demo_settings(base, sim.base_url, secret, token)
        configure_logging(settings.log_level, secrets=[secret, token])
        services = build_services(settings)
        prepare_database(services.db)
        with services.db.write() as session:
            admin_token = tokens.create(session, name="demo", role="admin", now=system_clock())
        app = create_app(services)
        menu = deploy_rich_menu(sim.base_url, token, typer.echo)
        typer.echo(
            "\n".join(
                [
                    "",
                    "genba demo: the bot is talking to a simulated LINE platform on this machine.",
                    f"  chat page (open it in a browser):  {sim.chat_url}",
                    *(["  rich menu: under the chat, deployed as on LINE"] if menu else []),
                    f"  admin API (try it out in /docs):   {bot_url}/docs",
                    f"  data folder:                       {settings.data_dir.resolve()}",
                    "  list submissions:",
                    f'    curl -H "Authorization: Bearer {admin_token}" \\',
                    f"         {bot_url}/api/v1/submissions",
                    "  admin token (Authorize in /docs with it):",
                    admin_token,
                    "",
                ]
            )
        )
        uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)
    finally:
        sim.close()
