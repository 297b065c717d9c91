"""The `genba` command (also `python -m app`): serve, worker, demo, admin and db tasks."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from app.privacy_cli import privacy_cli
from app.richmenu_cli import richmenu_cli
from app.settings import Settings, SettingsError, load_settings
from storage import audit, tokens
from storage.db import Database, normalise_url
from storage.models import ApiToken

if TYPE_CHECKING:
    from app.services import Services

cli = typer.Typer(
    name="genba",
    help="genba: photos from the shop floor to the PR team, over LINE.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
admin_cli = typer.Typer(
    help="Administrative tasks: admin API tokens and accounts.", no_args_is_help=True
)
db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
cli.add_typer(admin_cli, name="admin")
cli.add_typer(db_cli, name="db")
cli.add_typer(richmenu_cli, name="richmenu")
cli.add_typer(privacy_cli, name="privacy")

log = logging.getLogger("genba")
CLI_ACTOR = "command line"  # the audit log's actor for `genba admin` changes

Host = Annotated[str, typer.Option(help="Address to listen on.")]
Port = Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"genba: {message}", err=True)
    return typer.Exit(code=code)


def settings_or_fail() -> Settings:
    """The settings, or a clear message and exit code 2."""
    try:
        return load_settings()
    except SettingsError as exc:
        raise _fail(str(exc)) from None


def _line_services() -> Services:
    """Settings, services and a ready database for `serve` and `worker`, or a clear refusal."""
    from app.database import prepare_database
    from app.logs import configure_logging
    from app.services import build_services

    settings = settings_or_fail()
    try:
        secrets = settings.require_line_credentials()
        services = build_services(settings)
        prepare_database(services.db)
    except SettingsError as exc:
        raise _fail(str(exc)) from None
    configure_logging(settings.log_level, secrets=secrets)
    return services


def _load_face_detector(services: Services) -> None:
    """Build the media jobs' face detector now, or refuse to start with how to install it."""
    from media import FaceModelError, load_face_detector

    try:
        services.faces = load_face_detector()
    except FaceModelError as exc:
        services.close()
        raise _fail(str(exc)) from None


@cli.command()
def serve(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="Web tier only; run `genba worker` elsewhere.")
    ] = False,
) -> None:
    """Run the webhook, the admin API and (unless --no-worker) the job worker."""
    import uvicorn

    from app.factory import create_app

    services = _line_services()
    settings = services.settings
    if not no_worker:
        _load_face_detector(services)
    app = create_app(services, run_worker=not no_worker)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        loop="uvloop",
        http="httptools",
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds) + 5,
    )


@cli.command()
def worker() -> None:
    """Run the job worker alone (SIGTERM finishes or releases running jobs)."""
    from app.worker.kinds import build_worker

    services = _line_services()
    _load_face_detector(services)
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        log.info("signal %d received: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    running = build_worker(services)
    running.start()
    stop.wait()
    running.stop()
    services.close()


@cli.command()
def demo(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port of the bot.")] = 8000,
    host: Host = "127.0.0.1",
) -> None:
    """Run genba against a local LINE platform, with a chat page to try it in a browser."""
    from app.demo import PortBusy, run_demo

    try:
        run_demo(settings_or_fail(), host=host, port=port)
    except (SettingsError, PortBusy) as exc:
        raise _fail(str(exc)) from None


def _shown(text: str, limit: int = 60) -> str:
    """Text from the database or the command line, safe to print on a terminal."""
    visible = "".join("?" if unicodedata.category(c)[0] in "CZ" and c != " " else c for c in text)
    return visible if len(visible) <= limit else visible[: limit - 1] + "…"


def _minute(value: datetime | None) -> str:
    return "-" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%MZ")


@contextmanager
def admin_database(made: str = "A token works") -> Iterator[Database]:
    """The database the server would use, migrated, with a line on stderr saying which it is.

    `made` names what the command makes, for the warning that it is useless on another database.
    """
    from sqlalchemy.engine import make_url

    from app.database import prepare_database

    settings = settings_or_fail()
    url = make_url(normalise_url(settings.effective_database_url))
    is_file = url.get_backend_name() == "sqlite" and bool(url.database)
    sqlite_file = Path(str(url.database)) if is_file else None
    fresh = sqlite_file is not None and not sqlite_file.exists()
    db = Database(settings.effective_database_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        prepare_database(db)
        where = str(sqlite_file) if sqlite_file else url.render_as_string(hide_password=True)
        typer.echo(f"genba: database {where}", err=True)
        if fresh:
            typer.echo(
                f"genba: no database was there, so a new, empty one was made. {made} only "
                "on the server using this same database: run this command with the server's "
                "GENBA_DATA_DIR or DATABASE_URL (`genba demo` prints its own).",
                err=True,
            )
        yield db
    except SettingsError as exc:
        raise _fail(str(exc)) from None
    finally:
        db.dispose()


@admin_cli.command("create-user")
def create_user(
    email: Annotated[str, typer.Option(help="The person's e-mail address (their sign-in name).")],
    role: Annotated[str, typer.Option(help="viewer, reviewer or admin.")],
) -> None:
    """Create an account for the /admin pages; the password is read from standard input."""
    from app.clock import system_clock
    from app.workspace import accounts

    try:
        email = accounts.clean_email(email)
        accounts.check_role(role)
    except accounts.AccountError as exc:
        raise _fail(str(exc)) from None
    password = _read_password()
    try:
        accounts.check_password(password)
    except accounts.AccountError as exc:
        raise _fail(f"{exc} (the password is read from standard input)") from None
    with admin_database("The account can sign in") as db:
        try:
            accounts.create_person(
                db,
                email=email,
                role=role,
                password=password,
                actor=CLI_ACTOR,
                now=system_clock(),
            )
        except accounts.AccountError as exc:
            raise _fail(str(exc), code=1) from None
    typer.echo(f"Created the account {_shown(email)} (role {role}): sign in at /admin.")


def _read_password() -> str:
    """One password: typed twice at a terminal, else the first line of standard input."""
    # Never an argument: those end up in shell history and in the process list.
    import getpass

    from app.workspace.accounts import MAX_PASSWORD_CHARS

    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Again: "):
            raise _fail("the two passwords differ")
        return first
    try:
        line = sys.stdin.readline(MAX_PASSWORD_CHARS + 2)
    except UnicodeDecodeError:
        raise _fail("the password on standard input is not UTF-8 text") from None
    return line.removesuffix("\n").removesuffix("\r")


@admin_cli.command("create-token")
def create_token(
    name: Annotated[str, typer.Option(help="Who or what the token is for (1-100 characters).")],
    role: Annotated[str, typer.Option(help="viewer, reviewer or admin.")],
    expires_in_days: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=tokens.MAX_DAYS,
            help="It stops working after this many days (default: never).",
        ),
    ] = None,
) -> None:
    """Create an admin API token; it is printed once, alone on the last line."""
    from app.clock import system_clock

    if role not in tokens.ROLES:
        raise _fail(f"--role must be one of: {', '.join(tokens.ROLES)}")
    try:
        name = tokens.clean_name(name)
    except ValueError as exc:
        raise _fail(f"--name: {exc}") from None
    now = system_clock()
    ends = None if expires_in_days is None else now + timedelta(days=expires_in_days)
    with admin_database() as db, db.write() as session:
        made = tokens.issue(session, name=name, role=role, now=now, expires_at=ends)
        audit.record(
            session,
            actor=CLI_ACTOR,
            action="create_token",
            target_type="api_token",
            target_id=made.id,
            detail={"name": name, "role": role},
            now=now,
        )
    until = "it never expires" if ends is None else f"it expires {_minute(ends)}"
    typer.echo(f"Created a {role} token named {_shown(name)!r} (id {made.id}; {until}).")
    typer.echo("Keep it secret; it is not shown again:")
    typer.echo(made.secret)


@admin_cli.command("list-tokens")
def list_tokens(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array, for scripts.")] = False,
) -> None:
    """List every API token (never the token itself): role, dates, last use, revoked or not."""
    from app.clock import system_clock

    now = system_clock()
    with admin_database() as db, db.read() as session:
        rows = [
            {
                "id": t.id,
                "name": t.name,
                "role": t.role,
                "status": tokens.state(t, now),
                "created": _minute(t.created_at),
                "expires": _minute(t.expires_at),
                "last_used": _minute(t.last_used_at),
                "revoked": _minute(t.revoked_at),
            }
            for t in tokens.list_all(session)
        ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if not rows:
        typer.echo("No tokens yet: `genba admin create-token --name NAME --role ROLE` makes one.")
        return
    table = [[h.upper().replace("_", " ") for h in rows[0]]]
    table += [[_shown(str(v), 40) for v in row.values()] for row in rows]
    widths = [max(_width(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        cells = [cell + " " * (w - _width(cell)) for cell, w in zip(line, widths, strict=True)]
        typer.echo("  ".join(cells).rstrip())


def _width(text: str) -> int:
    # Wide (CJK) characters take two columns on a terminal.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@admin_cli.command("revoke-token")
def revoke_token(
    token: Annotated[str, typer.Argument(help="The token's id, or its name.")],
) -> None:
    """Revoke an API token by its id or its name; it stops working at once."""
    from app.clock import system_clock

    now = system_clock()
    with admin_database() as db, db.write() as session:
        found = tokens.find(session, token)
        live = [t for t in found if t.revoked_at is None]
        if not found:
            raise _fail(
                f"no token has the id or name {_shown(token)!r} (see `genba admin list-tokens`)",
                code=1,
            )
        if not live:
            when = _minute(found[0].revoked_at)
            typer.echo(f"{_describe(found[0])} was revoked already ({when}).")
            return
        if len(live) > 1:
            ids = ", ".join(t.id for t in live)
            raise _fail(
                f"{len(live)} tokens are named {_shown(token)!r}; revoke one by its id: {ids}",
                code=1,
            )
        (chosen,) = live
        tokens.revoke(session, chosen.id, now=now)
        audit.record(
            session,
            actor=CLI_ACTOR,
            action="revoke_token",
            target_type="api_token",
            target_id=chosen.id,
            detail={},
            now=now,
        )
    typer.echo(f"Revoked {_describe(chosen)}; it no longer works.")


def _describe(row: ApiToken) -> str:
    return f"the {_shown(row.role)} token {_shown(row.name)!r} (id {row.id})"


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema to this version (and seed the guideline when empty)."""
    from app.database import seed_guideline
    from storage import migrate
    from storage.db import Database

    settings = settings_or_fail()
    db = Database(settings.effective_database_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        migrate.upgrade(db)
        seed_guideline(db)
        typer.echo(f"database is at revision {migrate.current_revision(db)}")
    finally:
        db.dispose()


def main() -> None:
    """Entry point of the console script."""
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)
