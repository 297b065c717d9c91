"""A worker's own submissions: face changes (audited, once), the latest face, the recent list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import audit, contributors, drafts
from storage.db import Database
from storage.models import Contributor, Submission

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def _sent(db: Database, owner: str, sid: str, face: str | None, minutes: int) -> None:
    at = NOW + timedelta(minutes=minutes)
    with db.write() as s:
        drafts.start(s, draft_id=sid, code=f"C-{sid}", kind="photo", contributor_id=owner, now=at)
        if face is not None:
            drafts.set_face(s, draft_id=sid, contributor_id=owner, face=face, now=at)
        drafts.submit(s, draft_id=sid, contributor_id=owner, now=at)


def _worker(db: Database, line_id: str) -> str:
    with db.write() as s:
        found, _ = contributors.ensure(s, line_id, now=NOW)
        return found.id


def test_a_face_change_is_recorded_once_with_time_and_audit(db: Database) -> None:
    me = _worker(db, "Ume")
    _sent(db, me, "s1", "show", 0)
    later = NOW + timedelta(hours=1)
    args = {"submission_id": "s1", "face": "no_face", "was": "show", "status": "new"}
    with db.write() as s:
        first = drafts.change_face(s, contributor_id=me, now=later, **args)
        second = drafts.change_face(s, contributor_id=me, now=later, **args)  # a double tap
    assert (first, second) == (True, False)
    with db.read() as s:
        row = s.get(Submission, "s1")
        entries = [e for e in audit.for_target(s, "submission", "s1") if e.action == "face_change"]
    assert row is not None and row.face == "no_face" and row.face_chosen_at == later
    assert len(entries) == 1 and '"from": "show"' in entries[0].detail


def test_nobody_changes_another_workers_face_choice(db: Database) -> None:
    me, other = _worker(db, "Ume"), _worker(db, "Uother")
    _sent(db, me, "s1", "show", 0)
    with db.write() as s:
        changed = drafts.change_face(
            s,
            submission_id="s1",
            contributor_id=other,
            face="no_face",
            was="show",
            status="new",
            now=NOW,
        )
        assert drafts.summary(s, submission_id="s1", contributor_id=other) is None
        assert drafts.exists(s, "s1") and not drafts.exists(s, "nope")
    assert not changed
    with db.read() as s:
        row = s.get(Submission, "s1")
    assert row is not None and row.face == "show"


def test_latest_face_and_recent_list_are_the_workers_own(db: Database) -> None:
    me, other = _worker(db, "Ume"), _worker(db, "Uother")
    _sent(db, me, "s1", "blur", 0)
    _sent(db, me, "s2", None, 1)  # an idea: no face
    _sent(db, other, "s3", "show", 2)
    with db.read() as s:
        assert drafts.last_face(s, contributor_id=me) == "blur"
        assert [r.id for r in drafts.recent(s, contributor_id=me, limit=10)] == ["s2", "s1"]


def test_a_chosen_language_is_kept_apart_from_the_profile(db: Database) -> None:
    me = _worker(db, "Ume")
    with db.write() as s:
        contributors.set_language(s, me, language="vi", now=NOW)
        contributors.set_profile(s, me, display_name="A", language="ja", now=NOW)
    with db.read() as s:
        row = s.get(Contributor, me)
    assert row is not None and (row.language, row.chosen_language) == ("ja", "vi")
