"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL.

Every test that takes `db` runs twice, once per backend. PostgreSQL comes from
GENBA_TEST_POSTGRES_URL (default: the local server on 127.0.0.1:5432, database `test`); each test
gets its own schema there, so tests never see each other's rows. If PostgreSQL is unreachable
the PostgreSQL half fails loudly: it is never skipped.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from media import FaceDetector, load_face_detector
from storage.db import Database, normalise_url, sqlite_url
from tests.s3_server import Bucket, MotoServer, new_bucket

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_base_url() -> str:
    """The PostgreSQL server the suite uses."""
    return os.environ.get("GENBA_TEST_POSTGRES_URL", DEFAULT_PG)


def _with_search_path(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


@contextmanager
def fresh_postgres_schema() -> Iterator[str]:
    """A URL whose connections live in a new, empty schema (dropped afterwards)."""
    base = normalise_url(postgres_base_url())
    schema = "t_" + secrets.token_hex(6)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # pragma: no cover - the loud failure CI relies on
        admin.dispose()
        pytest.fail(f"PostgreSQL is required for the postgres half of the suite ({base}): {exc}")
    try:
        yield _with_search_path(postgres_base_url(), schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of each backend, dropped after the test."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "genba.db")
        return
    with fresh_postgres_schema() as url:
        yield url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL to an empty PostgreSQL schema, for behaviour that exists only there."""
    with fresh_postgres_schema() as url:
        yield url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A Database with every table created from the models."""
    database = Database(database_url)
    SQLModel.metadata.create_all(database.engine)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """One S3-protocol server (moto, a child process on 127.0.0.1) for the whole run."""
    server = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log").start()
    yield server
    server.stop()


@pytest.fixture
def s3_bucket(s3_server: MotoServer) -> Bucket:
    """A fresh, empty bucket on the test S3 server."""
    return new_bucket(s3_server)


@pytest.fixture(scope="session")
def face_detector() -> FaceDetector:
    """The face detector as the worker builds it: the installed model, hash-checked.

    One for the whole run, as `genba serve` has one per process: a detector per test's bot held
    ~200 MB of network buffers each, which the run never got back (13 GB by the e2e tests).
    """
    return load_face_detector()
