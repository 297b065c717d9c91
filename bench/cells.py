"""One measured cell: start a server set-up, drive it with the load generator, stop it."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import pg
from bench.procs import Child, free_port, python
from bench.servers import REPO, Line, Setup, genba_env, sqlite_counts, start_genba, start_reference


@dataclass(frozen=True)
class LoadPlan:
    """How hard and how long to push each cell."""

    connections: int = 32
    warmup: float = 2.0
    duration: float = 10.0
    server_core: int | None = None
    load_core: int | None = None


@dataclass
class CellResult:
    """The load generator's figures plus what the database held afterwards."""

    kind: str
    setup: Setup
    load: dict[str, Any]
    stored: dict[str, int] = field(default_factory=dict)


@contextlib.contextmanager
def _server(
    setup: Setup, line: Line, work: Path, plan: LoadPlan, postgres: str | None
) -> Iterator[tuple[Child, int, dict[str, int]]]:
    """Yield a started server, its port, and (filled in after it stops) the stored counts."""
    port = free_port()
    stored: dict[str, int] = {}
    if not setup.genba:
        server = start_reference(setup, line, port, work_dir=work, core=plan.server_core)
        try:
            server.wait_port(port)
            yield server, port, stored
        finally:
            server.stop()
        return
    data_dir = work / "var"
    with contextlib.ExitStack() as stack:
        url = (
            stack.enter_context(pg.scratch_database(postgres))
            if setup.postgres and postgres
            else None
        )
        env = genba_env(line, data_dir, synchronous=setup.synchronous, database_url=url)
        if url is not None:
            _upgrade(env, work)
        server = start_genba(env, port, worker=setup.worker, work_dir=work, core=plan.server_core)
        try:
            server.wait_port(port)
            yield server, port, stored
        finally:
            server.stop()
        stored.update(pg.counts(url) if url is not None else sqlite_counts(data_dir))
        stored.update(log_counts(server.log))


def log_counts(log: Path) -> dict[str, int]:
    """Lines of a genba log worth a look: errors, and SQLite lock timeouts (in any message)."""
    text = log.read_text(errors="replace") if log.exists() else ""
    lines = text.splitlines()
    return {
        "log_errors": sum(" ERROR " in line for line in lines),
        "log_db_locked": sum("database is locked" in line for line in lines),
    }


def _upgrade(env: dict[str, str], work: Path) -> None:
    """`genba db upgrade` (a PostgreSQL database must be migrated before `serve`)."""
    done = subprocess.run(
        python("-m", "app", "db", "upgrade"),
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"genba db upgrade failed:\n{done.stderr[-3000:]}")


def drive(
    requests: Path,
    port: int,
    server_pid: int,
    plan: LoadPlan,
    work: Path,
    jobs_db: Path | None = None,
) -> dict[str, Any]:
    """Run the load generator (pinned to its own core) once and return its JSON figures."""
    args = ["-m", "bench.loadgen", "--requests", str(requests), "--port", str(port)]
    args += ["--connections", str(plan.connections), "--warmup", str(plan.warmup)]
    args += ["--duration", str(plan.duration), "--server-pid", str(server_pid)]
    if jobs_db is not None:
        args += ["--jobs-db", str(jobs_db)]
    gen = Child(
        "load generator",
        python(*args),
        log=work / "loadgen.log",
        cwd=REPO,
        core=plan.load_core,
        stdout_pipe=True,
    )
    try:
        assert gen.proc.stdout is not None
        out, _ = gen.proc.communicate(timeout=plan.warmup + plan.duration + 75)
    finally:
        gen.stop()
    if gen.proc.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{gen.log_tail()}")
    result: dict[str, Any] = json.loads(out)
    return result


def measure(
    kind: str,
    setup: Setup,
    requests: Path,
    line: Line,
    plan: LoadPlan,
    *,
    postgres: str | None,
    keep: Path | None,
) -> CellResult:
    """Measure one set-up with one kind of body, on a fresh database."""
    work = Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=keep))
    try:
        with _server(setup, line, work, plan, postgres) as (server, port, stored):
            jobs_db = work / "var" / "genba.db" if setup.worker else None
            load = drive(requests, port, server.pid, plan, work, jobs_db)
            if not server.alive():
                raise RuntimeError(f"{server.name} died during the run:\n{server.log_tail()}")
        return CellResult(kind, setup, load, stored)
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
