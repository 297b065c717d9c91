"""The credit line a used photo carries: what the worker chose, never more than that."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.worker.effects import apply_effects
from flows.types import SetCredit
from storage import audit, contributors, credits, drafts, erasure, sites, submissions
from storage.db import Database
from storage.models import Contributor

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def _worker(db: Database, line_id: str, *, name: str | None = "山田 花子") -> str:
    with db.write() as s:
        me, _ = contributors.ensure(s, line_id, now=NOW)
        contributors.set_profile(s, me.id, display_name=name, language="ja", now=NOW)
    return me.id


def _submit(db: Database, owner: str, sid: str) -> None:
    with db.write() as s:
        drafts.start(s, draft_id=sid, code=f"K-{sid}", kind="photo", contributor_id=owner, now=NOW)
        drafts.submit(s, draft_id=sid, contributor_id=owner, now=NOW)


def _line(db: Database, sid: str) -> tuple[str | None, str]:
    with db.read() as s:
        record = submissions.get(s, sid)
    assert record is not None
    return record.credit, record.credit_line


def _choose(db: Database, owner: str, choice: str) -> None:
    with db.write() as s:
        apply_effects(s, [SetCredit(choice)], contributor_id=owner, now=NOW, max_attempts=3)


def test_not_chosen_says_so_plainly_and_anonymous_says_anonymous(db: Database) -> None:
    owner = _worker(db, "U1")
    _submit(db, owner, "s1")
    assert _line(db, "s1") == (None, "anonymous (not chosen)")
    _choose(db, owner, "anonymous")
    assert _line(db, "s1") == ("anonymous", "anonymous")


def test_name_is_the_line_display_name_and_follows_the_choice_back(db: Database) -> None:
    owner = _worker(db, "U1", name="  Nguyễn Văn An ")
    _submit(db, owner, "s1")
    _choose(db, owner, "name")
    assert _line(db, "s1") == ("name", "Nguyễn Văn An")
    _choose(db, owner, "anonymous")
    assert _line(db, "s1") == ("anonymous", "anonymous")


def test_name_without_a_known_display_name_falls_back_to_anonymous(db: Database) -> None:
    owner = _worker(db, "U1", name=None)
    _submit(db, owner, "s1")
    _choose(db, owner, "name")
    assert _line(db, "s1") == ("name", "anonymous")


def test_site_is_the_site_stamped_on_the_submission_else_the_current_one(db: Database) -> None:
    owner = _worker(db, "U1")
    _choose(db, owner, "site")
    _submit(db, owner, "before")  # sent before any site was picked
    assert _line(db, "before") == ("site", "anonymous")
    with db.write() as s:
        first = sites.create(s, name="本店", actor="t", now=NOW)
        assert sites.set_worker_site(s, owner, site_id=first.id, now=NOW)
    assert _line(db, "before") == ("site", "本店")  # the worker's site now
    _submit(db, owner, "stamped")
    with db.write() as s:
        second = sites.create(s, name="駅前店", actor="t", now=NOW)
        assert sites.set_worker_site(s, owner, site_id=second.id, now=NOW)
    assert _line(db, "stamped") == ("site", "本店")  # the site it was sent from
    assert _line(db, "before") == ("site", "駅前店")
    with db.write() as s:
        assert sites.retire(s, second.id, actor="t", now=NOW)
    assert _line(db, "before") == ("site", "anonymous")  # a retired site is nobody's now
    assert _line(db, "stamped") == ("site", "本店")


def test_the_choice_is_one_workers_only(db: Database) -> None:
    mine, theirs = _worker(db, "U1"), _worker(db, "U2", name="他人")
    _submit(db, mine, "s1")
    _submit(db, theirs, "s2")
    _choose(db, theirs, "name")
    assert _line(db, "s1") == (None, "anonymous (not chosen)")
    assert _line(db, "s2") == ("name", "他人")


@pytest.mark.parametrize("choice", ["", "NAME", "everyone", "site ", "x" * 40])
def test_an_unknown_choice_is_refused_and_nothing_is_stored(db: Database, choice: str) -> None:
    owner = _worker(db, "U1")
    _submit(db, owner, "s1")
    with pytest.raises(ValueError), db.write() as s:
        credits.set_credit(s, owner, choice, now=NOW)
    assert _line(db, "s1") == (None, "anonymous (not chosen)")


def test_the_line_never_invents_a_name_the_worker_did_not_allow() -> None:
    line = credits.credit_line
    assert line(None, display_name="花子", site_name="本店") == "anonymous (not chosen)"
    assert line("anonymous", display_name="花子", site_name="本店") == "anonymous"
    assert line("site", display_name="花子", site_name=None) == "anonymous"
    assert line("site", display_name="花子", site_name=" ", current_site="工場") == "工場"
    assert line("name", display_name=" ", site_name="本店") == "anonymous"
    assert line("hacked", display_name="花子", site_name="本店") == "anonymous (not chosen)"


def test_a_change_is_audited_once_and_a_repeat_changes_nothing(db: Database) -> None:
    owner = _worker(db, "U1")
    with db.write() as s:
        assert credits.set_credit(s, owner, "name", now=NOW)
        assert not credits.set_credit(s, owner, "name", now=NOW)  # a double tap raced past
        assert credits.set_credit(s, owner, "anonymous", now=NOW)
    with db.read() as s:
        entries = audit.for_target(s, "contributor", owner)
    assert [(e.action, e.actor) for e in entries] == [("credit_choice", "worker")] * 2
    details = sorted(e.detail for e in entries)
    assert details == sorted(
        ['{"from": null, "to": "name"}', '{"from": "name", "to": "anonymous"}']
    )


def test_erasing_the_worker_drops_the_choice_and_redacts_its_audit(db: Database) -> None:
    owner = _worker(db, "U1")
    _choose(db, owner, "name")
    with db.write() as s:
        erasure.erase_in(s, owner, actor="admin", now=NOW, dry_run=False)
    with db.read() as s:
        assert s.get(Contributor, owner) is None
        entries = audit.for_target(s, "contributor", owner)
    assert entries and all(e.detail == '{"redacted": true}' for e in entries)
