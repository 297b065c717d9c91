"""`genba demo`: the bot wired to linesim (a local LINE platform), on the embedded default.

Nothing here is needed in production: it is the one place the product imports linesim. The
demo keeps its data under `$GENBA_DATA_DIR/demo`, makes up a channel secret and access token
for the simulated channel, puts the rich menu under the chat the way `genba richmenu deploy`
does on LINE (through linesim's rich-menu API), and prints the chat page, the PR workspace
with a demo admin's password, the admin API and a ready admin token.
"""

from __future__ import annotations

import secrets
import shlex
import shutil
import socket
import sys
from collections.abc import Callable
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
from app.workspace import accounts
from linesim import LinePlatform, LineSim
from storage import tokens
from storage.db import Database

DEMO_EMAIL = "demo@example.com"
DEMO_TOKEN_LABEL = "demo"  # noqa: S105 (a label, not a secret)


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


def demo_admin(db: Database) -> str:
    """Make (or reset) the demo's admin account with a new random password, and return it."""
    password = secrets.token_urlsafe(12)
    now = system_clock()
    if not accounts.set_password(db, DEMO_EMAIL, password, actor="genba demo", now=now):
        accounts.create_person(
            db, email=DEMO_EMAIL, role="admin", password=password, actor="genba demo", now=now
        )
    return password


def demo_token(db: Database) -> str:
    """A new admin token for this demo run; the previous runs' demo tokens stop working."""
    now = system_clock()
    with db.write() as session:
        for old in tokens.find(session, DEMO_TOKEN_LABEL):
            tokens.revoke(session, old.id, now=now)
        return tokens.create(session, name=DEMO_TOKEN_LABEL, role="admin", now=now)


class PortBusy(Exception):
    """The bot's port is taken; the message says which and what to do."""


def bot_socket(host: str, port: int) -> socket.socket:
    """The bot's listening socket, bound before anything is printed, or PortBusy."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise PortBusy(
            f"port {port} on {host} is in use ({exc.strerror}); "
            f"another program (an earlier genba demo?) listens there: "
            f"stop it, or choose another port with --port"
        ) from None
    return sock


def start_linesim(platform: LinePlatform, host: str, port: int) -> LineSim:
    """linesim on the port after the bot's, or on any free port when that one is taken."""
    if port < 65535:
        try:
            return LineSim(platform, host=host, port=port + 1)
        except OSError:
            pass  # taken by another program or an outgoing connection: the banner shows the URL
    return LineSim(platform, host=host, port=0)


def run_demo(base: Settings, *, host: str, port: int) -> None:
    """Start linesim and the bot, print where to go, and serve until Ctrl-C."""
    secret, token = secrets.token_hex(16), secrets.token_urlsafe(48)
    bot_url = f"http://{host}:{port}"
    listening = bot_socket(host, port)
    platform = LinePlatform(secret, token, webhook_url=f"{bot_url}/callback")
    try:
        sim = start_linesim(platform, host, port)
    except BaseException:
        listening.close()
        raise
    try:
        settings = demo_settings(base, sim.base_url, secret, token, public_url=bot_url)
        configure_logging(settings.log_level, secrets=[secret, token])
        services = build_services(settings)
        prepare_database(services.db)
        admin_token = demo_token(services.db)
        password = demo_admin(services.db)
        app = create_app(services)
        menu = deploy_rich_menu(sim.base_url, token, typer.echo)
        typer.echo(
            "\n".join(
                [
                    "",
                    "genba demo: the bot is talking to a simulated LINE platform on this machine.",
                    f"  chat page (open it in a browser):  {sim.chat_url}",
                    f"  PR workspace (sign in):            {bot_url}/admin",
                    f"    e-mail {DEMO_EMAIL}  password {password}",
                    *(["  rich menu: under the chat, deployed as on LINE"] if menu else []),
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
        server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False))
        server.run(sockets=[listening])
    finally:
        sim.close()
        listening.close()
