"""The servers a benchmark compares: the bare baseline and `genba serve` in its set-ups."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bench.procs import Child, python

# Variables genba reads; none may leak in from the caller's shell into a measured server.
REPO = Path(__file__).resolve().parents[1]
_GENBA_PREFIXES = ("LINE_", "GENBA_", "DATABASE_URL", "MEDIA_STORE_URL", "AWS_")


@dataclass(frozen=True)
class Setup:
    """One server configuration: a column of the results."""

    label: str
    genba: bool = True
    # A server that is not genba: the module serving it, and whether it is the baseline the
    # ratios are taken against.
    module: str = "bench.bare_app"
    baseline: bool = False
    worker: bool = False
    synchronous: str = "FULL"
    postgres: bool = False


BARE = Setup("bare FastAPI", genba=False, baseline=True)
PLAIN_INBOX = Setup(
    "plain durable inbox (SQLite FULL)", genba=False, module="bench.plain_inbox_app"
)
NO_WORKER_FULL = Setup("genba --no-worker (SQLite FULL)")
NO_WORKER_NORMAL = Setup("genba --no-worker (SQLite NORMAL*)", synchronous="NORMAL")
NO_WORKER_PG = Setup("genba --no-worker (PostgreSQL)", postgres=True)
EMBEDDED = Setup("genba + in-process worker (SQLite FULL)", worker=True)


@dataclass(frozen=True)
class Line:
    """How a genba process reaches LINE (linesim) and what it must accept."""

    channel_secret: str
    access_token: str
    api_base_url: str


def clean_environ() -> dict[str, str]:
    """This process's environment without anything genba would read."""
    return {k: v for k, v in os.environ.items() if not k.startswith(_GENBA_PREFIXES)}


def genba_env(
    line: Line, data_dir: Path, *, synchronous: str = "FULL", database_url: str | None = None
) -> dict[str, str]:
    """The environment of a benchmarked `genba serve`."""
    env = clean_environ() | {
        "LINE_CHANNEL_SECRET": line.channel_secret,
        "LINE_CHANNEL_ACCESS_TOKEN": line.access_token,
        "LINE_API_BASE_URL": line.api_base_url,
        "GENBA_DATA_DIR": str(data_dir),
        "GENBA_SQLITE_SYNCHRONOUS": synchronous,
        "GENBA_SHUTDOWN_GRACE_SECONDS": "2",
        "PYTHONUNBUFFERED": "1",
    }
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return env


def start_reference(
    setup: Setup, line: Line, port: int, *, work_dir: Path, core: int | None
) -> Child:
    """A server that is not genba (the bare baseline, the plain inbox) on 127.0.0.1:port."""
    env = clean_environ() | {"LINE_CHANNEL_SECRET": line.channel_secret}
    args = ["-m", setup.module, "--port", str(port)]
    if setup is PLAIN_INBOX:
        args += ["--db", str(work_dir / "plain.db")]
    return Child(
        setup.label,
        python(*args),
        log=work_dir / "reference.log",
        env=env,
        cwd=REPO,
        core=core,
    )


def start_genba(
    env: dict[str, str],
    port: int,
    *,
    worker: bool,
    work_dir: Path,
    core: int | None,
) -> Child:
    """`genba serve` (python -m app) on 127.0.0.1:port, run from `work_dir` (no stray .env)."""
    args = ["-m", "app", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if not worker:
        args.append("--no-worker")
    return Child(
        "genba serve", python(*args), log=work_dir / "genba.log", env=env, cwd=work_dir, core=core
    )


def sqlite_counts(data_dir: Path) -> dict[str, int]:
    """Stored events, and jobs per state, in the embedded database (after the server stopped)."""
    with sqlite3.connect(data_dir / "genba.db") as conn:
        events = conn.execute("SELECT count(*) FROM webhook_event").fetchone()[0]
        states = dict(conn.execute("SELECT state, count(*) FROM job GROUP BY state").fetchall())
    return {"events": int(events), **{f"jobs_{k}": int(v) for k, v in states.items()}}
