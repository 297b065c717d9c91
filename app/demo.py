"""`genba demo`: the bot wired to linesim (a local LINE platform), on the embedded default.

Nothing here is needed in production: it is the one place the product imports linesim. The
demo keeps its data under `$GENBA_DATA_DIR/demo`, makes up a channel secret and access token
for the simulated channel, and prints the chat page, the admin API and a ready admin token.
"""

from __future__ import annotations

import secrets
import shlex
import shutil
import sys
from pathlib import Path

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


def demo_settings(
    base: Settings, line_url: str, secret: str, token: str, public_url: str | None = None
) -> Settings:
    """The settings of the demo bot: base settings, pointed at linesim and the demo folder.

    `public_url` is where the chat page fetches example thumbnails (this bot, on this machine).
    """
    data_dir = base.data_dir / "demo"
    return base.model_copy(
        update={
            "data_dir": data_dir,
            "database_url": None,  # always the embedded SQLite, under the demo folder
            "media_store_url": None,
            "line_api_base_url": line_url,
            "line_channel_secret": SecretStr(secret),
            "line_channel_access_token": SecretStr(token),
            "public_url": base.public_url or public_url,
        }
    )


def genba_program() -> str:
    """How to run this same genba from a shell in the current folder."""
    program = Path(sys.argv[0])
    if program.name == "genba":
        on_path = shutil.which("genba")
        if on_path and Path(on_path).resolve() == program.resolve():
            return "genba"
        return shlex.quote(str(program))
    return f"{shlex.quote(sys.executable)} -m app"


def token_command(base: Settings, demo: Settings, program: str = "genba") -> str:
    """The command that makes another token in the demo's own database."""
    if base.database_url is None:
        # The demo's database is the embedded one under its data folder.
        where = f"GENBA_DATA_DIR={shlex.quote(str(demo.data_dir))}"
    else:  # DATABASE_URL is set around us, and would win over GENBA_DATA_DIR
        where = f"DATABASE_URL={shlex.quote(demo.effective_database_url)}"
    return f'{where} {program} admin create-token --name "PR team" --role reviewer'


def run_demo(base: Settings, *, host: str, port: int) -> None:
    """Start linesim and the bot, print where to go, and serve until Ctrl-C."""
    secret, token = secrets.token_hex(16), secrets.token_urlsafe(48)
    bot_url = f"http://{host}:{port}"
    platform = LinePlatform(secret, token, webhook_url=f"{bot_url}/callback")
    sim = LineSim(platform, host=host, port=port + 1 if port < 65535 else 0)
    try:
        settings = demo_settings(base, sim.base_url, secret, token, public_url=bot_url)
        configure_logging(settings.log_level, secrets=[secret, token])
        services = build_services(settings)
        prepare_database(services.db)
        with services.db.write() as session:
            admin_token = tokens.create(session, name="demo", role="admin", now=system_clock())
        app = create_app(services)
        typer.echo(
            "\n".join(
                [
                    "",
                    "genba demo: the bot is talking to a simulated LINE platform on this machine.",
                    f"  chat page (open it in a browser):  {sim.chat_url}",
                    f"  admin API (try it out in /docs):   {bot_url}/docs",
                    f"  data folder:                       {settings.data_dir.resolve()}",
                    "  another token, in the demo's own database (without the variable,",
                    "  `genba admin` would use another database, which this demo never reads):",
                    f"    {token_command(base, settings, genba_program())}",
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
