"""Create or drop the PostgreSQL database of one test run (used by scripts/run-tests)."""

from __future__ import annotations

import re
import sys

import psycopg


def main(argv: list[str]) -> int:
    """Create or drop a database named NAME on the server at URL."""
    if len(argv) != 3 or argv[0] not in ("create", "drop") or not re.fullmatch(r"\w+", argv[2]):
        sys.stderr.write("usage: python -m tests.pg_fresh create|drop SERVER_URL NAME\n")
        return 2
    action, server, name = argv
    try:
        with psycopg.connect(server, autocommit=True, connect_timeout=5) as conn:
            if action == "create":
                conn.execute(f"CREATE DATABASE {name}")
            else:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    except psycopg.Error as exc:
        sys.stderr.write(f"PostgreSQL at {server} is required for the tests: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
