"""Submission detail and the review PATCH: moves, conflicts, audit, no mass assignment."""

from __future__ import annotations

import json

import pytest

from storage import audit
from storage import submissions as submission_store

ALLOWED = {
    ("new", "in_review"),
    ("new", "approved"),
    ("new", "rejected"),
    ("in_review", "approved"),
    ("in_review", "rejected"),
    ("approved", "published"),
    ("approved", "rejected"),
    ("rejected", "in_review"),
}
LISTED = ["new", "in_review", "approved", "published", "rejected", "withdrawn"]
TARGETS = [*LISTED, "draft"]
PUBLICATION = {"platform": "instagram", "url": "https://www.instagram.com/p/abc123/"}


def url(submission_id: str) -> str:
    return f"/api/v1/submissions/{submission_id}"


def review_entries(db, submission_id: str) -> list:
    with db.read() as s:
        return [e for e in audit.for_target(s, "submission", submission_id) if e.action == "review"]


class Row(dict):
    """A stored submission's columns; `.status` for brevity."""

    @property
    def status(self) -> str:
        return self["status"]


def stored(db, submission_id: str) -> Row:
    with db.read() as s:
        record = submission_store.get(s, submission_id)
        assert record is not None
        return Row(record.submission.model_dump())


class TestDetail:
    def test_one_submission(self, client, seed, as_role) -> None:
        s = seed.submission(comment="検品の手元")
        r = client.get(url(s.id), headers=as_role("viewer"))
        assert r.status_code == 200
        body = r.json()
        assert (body["id"], body["code"], body["comment"]) == (s.id, s.code, "検品の手元")
        assert body["media"][0]["variants"] == ["original", "thumbnail"]

    def test_a_draft_is_404(self, client, seed, as_role) -> None:
        draft = seed.submission(status="draft")
        r = client.get(url(draft.id), headers=as_role("admin"))
        assert r.status_code == 404
        assert r.json() == {"detail": "submission not found"}

    def test_an_unknown_id_is_404(self, client, seed, as_role) -> None:
        assert (
            client.get(url("01JUNKNOWN0000000000000000"), headers=as_role("admin")).status_code
            == 404
        )

    def test_a_withdrawn_submission_shows_with_its_media_deleted(
        self, client, seed, as_role
    ) -> None:
        s = seed.submission(status="withdrawn")
        body = client.get(url(s.id), headers=as_role("viewer")).json()
        assert body["status"] == "withdrawn"
        assert [(m["status"], m["variants"]) for m in body["media"]] == [("deleted", [])]


class TestMoves:
    @pytest.mark.parametrize("target", TARGETS)
    @pytest.mark.parametrize("current", LISTED)
    def test_the_move_table(self, client, seed, as_role, db, current, target) -> None:
        s = seed.submission(status=current)
        entries_before = len(review_entries(db, s.id))
        before = stored(db, s.id)
        body: dict[str, str] = {"status": target, "note": "checked"}
        if target == "published":
            body |= PUBLICATION
        r = client.patch(url(s.id), json=body, headers=as_role("reviewer"))
        after = stored(db, s.id)
        entries = review_entries(db, s.id)
        if (current, target) in ALLOWED:
            assert r.status_code == 200, r.text
            assert r.json()["status"] == target
            assert r.json()["review_note"] == "checked"
            assert after.status == target
            assert len(entries) == entries_before + 1
            assert entries[-1].actor == "reviewer-alice"
            detail = json.loads(entries[-1].detail)
            assert (detail["from"], detail["status"]) == (current, target)
        elif current == target:
            assert r.status_code == 200, r.text
            assert r.json()["status"] == current
            assert after == before  # nothing written: not the note, not updated_at
            assert len(entries) == entries_before
        else:
            assert r.status_code == 409, r.text
            assert isinstance(r.json()["detail"], str)
            assert after == before
            assert len(entries) == entries_before

    def test_publishing_records_where(self, client, seed, as_role, db) -> None:
        s = seed.submission(status="approved")
        r = client.patch(
            url(s.id), json={"status": "published", **PUBLICATION}, headers=as_role("admin")
        )
        assert r.status_code == 200
        body = r.json()
        assert body["published_platform"] == "instagram"
        assert body["published_url"] == PUBLICATION["url"]
        entry = review_entries(db, s.id)[-1]
        assert entry.actor == "admin-alice"
        assert json.loads(entry.detail)["published_url"] == PUBLICATION["url"]

    @pytest.mark.parametrize(
        "missing",
        [{}, {"platform": "instagram"}, {"url": "https://x.test/p/1"}],
    )
    def test_published_without_platform_and_url_is_422(
        self, client, seed, as_role, db, missing
    ) -> None:
        s = seed.submission(status="approved")
        r = client.patch(
            url(s.id), json={"status": "published", **missing}, headers=as_role("reviewer")
        )
        assert r.status_code == 422
        assert stored(db, s.id).status == "approved"

    @pytest.mark.parametrize(
        "bad_url",
        [
            "javascript:alert(1)",
            "ftp://files.test/x",
            "instagram.com/p/1",
            "https://",
            "http://a b.test/",
        ],
    )
    def test_the_url_must_be_http_or_https(self, client, seed, as_role, db, bad_url) -> None:
        s = seed.submission(status="approved")
        r = client.patch(
            url(s.id),
            json={"status": "published", "platform": "web", "url": bad_url},
            headers=as_role("reviewer"),
        )
        assert r.status_code == 422
        assert stored(db, s.id).status == "approved"

    def test_platform_and_url_only_go_with_published(self, client, seed, as_role, db) -> None:
        s = seed.submission(status="new")
        r = client.patch(
            url(s.id), json={"status": "approved", **PUBLICATION}, headers=as_role("reviewer")
        )
        assert r.status_code == 422
        assert stored(db, s.id).status == "new"

    @pytest.mark.parametrize("target", ["approved", "published"])
    def test_a_blur_submission_without_a_checked_blurred_image_is_neither_approved_nor_published(
        self, client, seed, as_role, db, target
    ) -> None:
        # Replaces the old test that let a blur item be published with only its unblurred
        # original and thumbnail (issue 9, point 6).
        s = seed.submission(status="new" if target == "approved" else "approved", face="blur")
        before = stored(db, s.id).status
        r = client.patch(
            url(s.id),
            json={"status": target, **(PUBLICATION if target == "published" else {})},
            headers=as_role("reviewer"),
        )
        assert r.status_code == 409
        assert "photo 1" in r.json()["detail"] and "check by eye" in r.json()["detail"]
        assert stored(db, s.id).status == before

    def test_no_status_changes_nothing(self, client, seed, as_role, db) -> None:
        s = seed.submission(status="in_review")
        before = stored(db, s.id)
        entries = len(review_entries(db, s.id))
        r = client.patch(url(s.id), json={"note": "just a note"}, headers=as_role("reviewer"))
        assert r.status_code == 200
        assert r.json()["status"] == "in_review"
        assert stored(db, s.id) == before
        assert len(review_entries(db, s.id)) == entries

    def test_a_move_keeps_the_earlier_note_when_none_is_given(self, client, seed, as_role) -> None:
        s = seed.submission()
        headers = as_role("reviewer")
        client.patch(
            url(s.id), json={"status": "rejected", "note": "顔が写っています"}, headers=headers
        )
        r = client.patch(url(s.id), json={"status": "in_review"}, headers=headers)
        assert r.json()["review_note"] == "顔が写っています"

    def test_a_move_someone_else_made_first_is_409(
        self, client, seed, as_role, db, monkeypatch
    ) -> None:
        s = seed.submission(status="new")
        with db.read() as session:
            stale = submission_store.get(session, s.id)
        # Another reviewer rejects it between our read and our write.
        with db.write() as session:
            submission_store.change_review(
                session,
                s.id,
                expected_status="new",
                values={"status": "rejected"},
                actor="bob",
                now=seed.clock(),
            )
        monkeypatch.setattr(submission_store, "get", lambda _session, _id: stale)
        r = client.patch(url(s.id), json={"status": "approved"}, headers=as_role("reviewer"))
        assert r.status_code == 409
        monkeypatch.undo()
        assert stored(db, s.id).status == "rejected"

    def test_unknown_and_draft_ids_are_404(self, client, seed, as_role) -> None:
        draft = seed.submission(status="draft")
        for ident in (draft.id, "01JUNKNOWN0000000000000000"):
            r = client.patch(url(ident), json={"status": "approved"}, headers=as_role("reviewer"))
            assert r.status_code == 404

    def test_a_viewer_cannot_review(self, client, seed, as_role, db) -> None:
        s = seed.submission()
        r = client.patch(url(s.id), json={"status": "approved"}, headers=as_role("viewer"))
        assert r.status_code == 403
        assert stored(db, s.id).status == "new"


class TestBody:
    @pytest.mark.parametrize(
        "extra",
        [
            {"line_user_id": "U0000000000000000000000000000000"},
            {"created_at": "2020-01-01T00:00:00Z"},
            {"contributor": {"id": "x", "display_name": "y"}},
            {"contributor_id": "x"},
            {"code": "AAA-AAA"},
            {"id": "other"},
            {"face": "show"},
            {"review_note": "sneaky"},
            {"published_url": "https://x.test"},
            {"consent": True},
        ],
    )
    def test_unknown_fields_are_refused_and_nothing_changes(
        self, client, seed, as_role, db, extra
    ) -> None:
        s = seed.submission()
        before = stored(db, s.id)
        r = client.patch(url(s.id), json={"status": "approved", **extra}, headers=as_role("admin"))
        assert r.status_code == 422
        assert stored(db, s.id) == before
        assert review_entries(db, s.id) == []

    @pytest.mark.parametrize(
        "body",
        [
            {"status": "archived"},
            {"status": "APPROVED"},
            {"status": 3},
            {"note": "x" * 2001},
            {"note": "a\u0000b"},
            {"note": "\ud800"},
            {"\ud800": "hostile key"},
            {"status": "published", "platform": "x" * 41, "url": "https://x.test"},
            {"status": "published", "platform": "", "url": "https://x.test"},
            [],
            "approved",
        ],
    )
    def test_invalid_bodies_are_422(self, client, seed, as_role, db, body) -> None:
        s = seed.submission(status="approved")
        # json.dumps escapes non-ASCII, so a lone surrogate travels as the JSON text "\ud800".
        r = client.patch(
            url(s.id),
            content=json.dumps(body).encode(),
            headers={**as_role("admin"), "Content-Type": "application/json"},
        )
        assert r.status_code == 422
        assert stored(db, s.id).status == "approved"

    def test_a_body_that_is_not_json_is_422(self, client, seed, as_role) -> None:
        s = seed.submission()
        r = client.patch(
            url(s.id),
            content=b"{not json",
            headers={**as_role("admin"), "Content-Type": "application/json"},
        )
        assert r.status_code == 422
