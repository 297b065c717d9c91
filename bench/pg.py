"""A throw-away PostgreSQL database per measurement, created and dropped by the benchmark."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import psycopg
from sqlalchemy.engine import make_url

_serial = 0


def _plain(url: str) -> str:
    """A libpq URL (psycopg wants no SQLAlchemy driver suffix)."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


@contextlib.contextmanager
def scratch_database(admin_url: str) -> Iterator[str]:
    """Create an empty database next to `admin_url`'s, yield its URL, drop it afterwards."""
    global _serial
    _serial += 1
    name = f"genba_bench_{os.getpid()}_{_serial}"
    with psycopg.connect(_plain(admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(_plain(admin_url)).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_plain(admin_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def counts(url: str) -> dict[str, int]:
    """Stored events, and jobs per state, in a benchmark database."""
    with psycopg.connect(_plain(url)) as conn:
        row = conn.execute("SELECT count(*) FROM webhook_event").fetchone()
        states = conn.execute("SELECT state, count(*) FROM job GROUP BY state").fetchall()
    return {"events": int(row[0]) if row else 0, **{f"jobs_{k}": int(v) for k, v in states}}
