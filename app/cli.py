"""The `genba` command (also `python -m app`): serve, worker, demo, admin and db tasks."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from typing import TYPE_CHECKING, Annotated

import typer

from app.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from app.services import Services

cli = typer.Typer(
    name="genba",
    help="genba: photos from the shop floor to the PR team, over LINE.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
admin_cli = typer.Typer(help="Administrative tasks.", no_args_is_help=True)
db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
cli.add_typer(admin_cli, name="admin")
cli.add_typer(db_cli, name="db")

log = logging.getLogger("genba")

Host = Annotated[str, typer.Option(help="Address to listen on.")]
Port = Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"genba: {message}", err=True)
    return typer.Exit(code=2)


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise _fail(str(exc)) from None


def _line_services() -> Services:
    """Settings, services and a ready database for `serve` and `worker`, or a clear refusal."""
    from app.database import prepare_database
    from app.logs import configure_logging
    from app.services import build_services

    settings = _settings()
    try:
        secrets = settings.require_line_credentials()
        services = build_services(settings)
        prepare_database(services.db)
    except SettingsError as exc:
        raise _fail(str(exc)) from None
    configure_logging(settings.log_level, secrets=secrets)
    return services


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
    from app.demo import run_demo

    try:
        run_demo(_settings(), host=host, port=port)
    except SettingsError as exc:
        raise _fail(str(exc)) from None


@admin_cli.command("create-token")
def create_token(
    name: Annotated[str, typer.Option(help="Who or what the token is for.")],
    role: Annotated[str, typer.Option(help="viewer, reviewer or admin.")],
) -> None:
    """Create an admin API token; it is printed once, alone on the last line."""
    from app.database import prepare_database
    from storage import tokens
    from storage.db import Database

    if role not in tokens.ROLES:
        raise _fail(f"--role must be one of: {', '.join(tokens.ROLES)}")
    name = name.strip()
    if not name or len(name) > 100:
        raise _fail("--name must be 1 to 100 characters")
    settings = _settings()
    db = Database(settings.effective_database_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        prepare_database(db)
        from app.clock import system_clock

        with db.write() as session:
            token = tokens.create(session, name=name, role=role, now=system_clock())
    except SettingsError as exc:
        raise _fail(str(exc)) from None
    finally:
        db.dispose()
    typer.echo(f"Created a {role} token named {name!r}. Keep it secret; it is not shown again:")
    typer.echo(token)


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema to this version."""
    from storage import migrate
    from storage.db import Database

    settings = _settings()
    db = Database(settings.effective_database_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        migrate.upgrade(db)
        typer.echo(f"database is at revision {migrate.current_revision(db)}")
    finally:
        db.dispose()


def main() -> None:
    """Entry point of the console script."""
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)
