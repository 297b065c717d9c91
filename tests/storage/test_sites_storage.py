"""Sites in storage: only an active site can be picked; a submission keeps its site's name."""

from __future__ import annotations

from datetime import UTC, datetime

from storage import contributors, drafts, sites
from storage.db import Database
from storage.models import Submission

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_a_submission_keeps_the_name_of_its_site_through_rename_and_retirement(
    db: Database,
) -> None:
    with db.write() as s:
        me, _ = contributors.ensure(s, "Ume", now=NOW)
        site = sites.create(s, name="本店", actor="t", now=NOW)
        assert sites.set_worker_site(s, me.id, site_id=site.id, now=NOW)
        drafts.start(s, draft_id="s1", code="A-1", kind="photo", contributor_id=me.id, now=NOW)
        drafts.submit(s, draft_id="s1", contributor_id=me.id, now=NOW)
        assert sites.rename(s, site.id, name="駅前店", actor="t", now=NOW)
        assert sites.retire(s, site.id, actor="t", now=NOW)
        assert sites.retire(s, site.id, actor="t", now=NOW)  # twice: no error
        assert not sites.retire(s, "nope", actor="t", now=NOW)
        drafts.start(s, draft_id="s2", code="A-2", kind="photo", contributor_id=me.id, now=NOW)
        drafts.submit(s, draft_id="s2", contributor_id=me.id, now=NOW)
    with db.read() as s:
        first, second = s.get(Submission, "s1"), s.get(Submission, "s2")
        assert sites.list_all(s) == []
        assert [x.name for x in sites.list_all(s, retired=True)] == ["駅前店"]
    assert first is not None and (first.site_id, first.site_name) == (site.id, "本店")
    assert second is not None and second.site_id is None  # a retired site is stamped on nothing


def test_a_retired_or_unknown_site_cannot_be_picked(db: Database) -> None:
    with db.write() as s:
        me, _ = contributors.ensure(s, "Ume", now=NOW)
        site = sites.create(s, name="本店", actor="t", now=NOW)
        sites.retire(s, site.id, actor="t", now=NOW)
        assert not sites.set_worker_site(s, me.id, site_id=site.id, now=NOW)
        assert not sites.set_worker_site(s, me.id, site_id="unknown", now=NOW)
        assert sites.set_worker_site(s, me.id, site_id=None, now=NOW)


def test_sites_are_listed_with_numbers_as_numbers(db: Database) -> None:
    with db.write() as s:
        for name in ("第10工場", "第1工場", "第2工場"):
            sites.create(s, name=name, actor="t", now=NOW)
    with db.read() as s:
        assert [x.name for x in sites.list_all(s)] == ["第1工場", "第2工場", "第10工場"]
