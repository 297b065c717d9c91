"""Each `genba demo` start prints a new admin token; the ones printed before stop working, so a
demo left running for weeks does not collect live admin tokens in its database."""

from __future__ import annotations

from app.clock import system_clock
from app.demo import demo_token
from storage import tokens
from storage.db import Database


def test_a_new_demo_run_revokes_the_demo_tokens_of_earlier_runs_only(db: Database) -> None:
    with db.write() as session:
        kept = tokens.create(session, name="PR team", role="reviewer", now=system_clock())
    first = demo_token(db)
    second = demo_token(db)
    now = system_clock()
    with db.read() as session:
        assert tokens.lookup(session, first, now=now) is None
        assert tokens.lookup(session, second, now=now) is not None
        assert tokens.lookup(session, kept, now=now) is not None
