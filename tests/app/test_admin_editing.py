"""Admins create, edit, schedule and retire themes, edit the guideline, and mark examples."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage import audit, guideline

THEME = {
    "slug": "craft-12",
    "title": "12月：職人の手元",
    "translations": {"en": "December: skilled hands", "vi": "Tháng 12: đôi tay khéo léo"},
    "description": "手元のアップを送ってください。",
    "descriptions": {"en": "Send close-ups of hands at work."},
    "examples": {"ja": "包丁を研ぐ手", "en": "Hands sharpening a knife"},
    "month": "2026-12",
    "starts_on": "2026-12-01",
    "ends_on": "2026-12-31",
}


def entries(db, target_type: str, target_id: str) -> list[str]:
    with db.read() as s:
        return [e.action for e in audit.for_target(s, target_type, target_id)]


class TestThemes:
    def test_an_admin_creates_a_theme_with_translations_and_a_period(
        self, client, seed, as_role, db
    ) -> None:
        r = client.post("/api/v1/themes", json=THEME, headers=as_role("admin"))
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["translations"]["vi"] == "Tháng 12: đôi tay khéo léo"
        assert body["examples"]["en"] == "Hands sharpening a knife"
        assert (body["starts_on"], body["ends_on"], body["month"]) == (
            "2026-12-01",
            "2026-12-31",
            "2026-12",
        )
        assert entries(db, "theme", "craft-12") == ["theme_create"]
        listed = client.get("/api/v1/themes", headers=as_role("viewer")).json()["items"]
        assert "craft-12" in [t["slug"] for t in listed]

    def test_a_reviewer_cannot_create_or_change_themes(self, client, seed, as_role) -> None:
        assert (
            client.post("/api/v1/themes", json=THEME, headers=as_role("reviewer")).status_code
            == 403
        )
        r = client.patch(
            "/api/v1/themes/daily", json={"active": False}, headers=as_role("reviewer")
        )
        assert r.status_code == 403

    def test_a_taken_slug_is_409(self, client, seed, as_role) -> None:
        r = client.post("/api/v1/themes", json={**THEME, "slug": "daily"}, headers=as_role("admin"))
        assert r.status_code == 409

    @pytest.mark.parametrize(
        ("change", "says"),
        [
            ({"slug": "Bad Slug"}, "slug"),
            ({"title": ""}, "title"),
            ({"translations": {"xx": "?"}}, "unknown languages"),
            ({"month": "2026-13"}, "YYYY-MM"),
            ({"starts_on": "2026-12-31", "ends_on": "2026-12-01"}, "ends_on is before starts_on"),
            ({"starts_on": "tomorrow"}, "date"),
            ({"title": "a\x00b"}, "control characters"),
            ({"owner": "me"}, "Extra inputs"),
        ],
    )
    def test_bad_themes_get_a_clear_422(self, client, seed, as_role, change, says) -> None:
        r = client.post("/api/v1/themes", json={**THEME, **change}, headers=as_role("admin"))
        assert r.status_code == 422
        assert says in r.text

    def test_an_admin_schedules_edits_and_retires_a_theme(self, client, seed, as_role, db) -> None:
        admin = as_role("admin")
        r = client.patch(
            "/api/v1/themes/daily",
            json={"starts_on": "2027-01-01", "examples": {"ja": "朝礼"}},
            headers=admin,
        )
        assert r.status_code == 200 and r.json()["starts_on"] == "2027-01-01"
        assert r.json()["examples"] == {"ja": "朝礼"} and r.json()["title"] == "日々の仕事"
        r = client.patch("/api/v1/themes/daily", json={"active": False}, headers=admin)
        assert r.json()["active"] is False
        assert entries(db, "theme", "daily") == ["theme_change", "theme_change"]

    def test_a_patch_that_would_end_before_the_start_is_422(self, client, seed, as_role) -> None:
        admin = as_role("admin")
        client.patch("/api/v1/themes/daily", json={"starts_on": "2027-01-10"}, headers=admin)
        r = client.patch("/api/v1/themes/daily", json={"ends_on": "2027-01-01"}, headers=admin)
        assert r.status_code == 422 and "before" in r.text

    def test_null_for_a_required_field_is_422_not_500(self, client, seed, as_role) -> None:
        r = client.patch("/api/v1/themes/daily", json={"active": None}, headers=as_role("admin"))
        assert r.status_code == 422 and "active" in r.text

    def test_an_unknown_theme_is_404(self, client, seed, as_role) -> None:
        r = client.patch("/api/v1/themes/nope", json={"active": False}, headers=as_role("admin"))
        assert r.status_code == 404


ENTRY = {
    "category": "badges",
    "texts": {
        "ja": {
            "title": "名札は外して",
            "body": "撮る前に名札を外しましょう。",
            "keywords": ["名札"],
        },
        "en": {"title": "Take badges off", "body": "Take badges off first.", "keywords": ["badge"]},
    },
}


@pytest.fixture
def seeded_guide(db):
    with db.write() as s:
        guideline.seed(s, now=datetime(2026, 11, 27, tzinfo=UTC))


class TestGuideline:
    def test_the_seed_has_every_category_in_eight_languages(
        self, client, seeded_guide, seed, as_role
    ) -> None:
        body = client.get("/api/v1/guideline", headers=as_role("viewer")).json()
        assert body["version"] == 1
        slugs = [c["slug"] for c in body["categories"]]
        assert slugs == [
            "ok",
            "customers",
            "badges",
            "screens",
            "people",
            "places",
            "good_photo",
            "ask",
        ]
        for entry in body["entries"]:
            assert len(entry["texts"]) == 8, entry["id"]

    def test_an_edit_bumps_the_version_and_is_audited(
        self, client, seeded_guide, seed, as_role, db
    ) -> None:
        r = client.put("/api/v1/guideline/entries/badges-2", json=ENTRY, headers=as_role("admin"))
        assert r.status_code == 200, r.text
        assert r.json()["version"] == 2
        r = client.delete("/api/v1/guideline/entries/badges-2", headers=as_role("admin"))
        assert r.json()["version"] == 3
        assert entries(db, "guideline", "badges-2") == [
            "guideline_entry",
            "guideline_entry_delete",
        ]

    @pytest.mark.parametrize(
        ("body", "says"),
        [
            ({**ENTRY, "category": "nope"}, "no category"),
            ({**ENTRY, "texts": {"en": ENTRY["texts"]["en"]}}, "Japanese"),
            ({**ENTRY, "texts": {**ENTRY["texts"], "fr": ENTRY["texts"]["en"]}}, "unknown"),
            ({**ENTRY, "extra": 1}, "Extra inputs"),
        ],
    )
    def test_bad_entries_get_a_clear_422_and_no_new_version(
        self, client, seeded_guide, seed, as_role, body, says
    ) -> None:
        r = client.put("/api/v1/guideline/entries/x-1", json=body, headers=as_role("admin"))
        assert r.status_code == 422 and says in r.text
        assert client.get("/api/v1/guideline", headers=as_role("viewer")).json()["version"] == 1

    def test_only_an_admin_edits(self, client, seeded_guide, seed, as_role) -> None:
        r = client.put("/api/v1/guideline/entries/x-1", json=ENTRY, headers=as_role("reviewer"))
        assert r.status_code == 403


class TestSubmissionFields:
    def test_guideline_consent_shows_not_yet_then_the_version_and_time(
        self, client, seed, as_role, db
    ) -> None:
        s = seed.submission()
        body = client.get(f"/api/v1/submissions/{s.id}", headers=as_role("viewer")).json()
        assert body["guideline"] == {"agreed": False, "version": None, "agreed_at": None}
        with db.write() as session:
            guideline.agree(
                session, s.contributor_id, agreed=3, now=datetime(2026, 12, 1, tzinfo=UTC)
            )
        body = client.get(f"/api/v1/submissions/{s.id}", headers=as_role("viewer")).json()
        assert body["guideline"] == {
            "agreed": True,
            "version": 3,
            "agreed_at": "2026-12-01T00:00:00Z",
        }

    def test_a_reviewer_marks_an_example_once_audited(self, client, seed, as_role, db) -> None:
        s = seed.submission(status="approved")
        reviewer = as_role("reviewer")
        for _ in range(2):  # a double click: one change, one audit entry
            r = client.patch(
                f"/api/v1/submissions/{s.id}", json={"example": True}, headers=reviewer
            )
            assert r.status_code == 200 and r.json()["example"] is True
        assert entries(db, "submission", s.id).count("example") == 1
        assert r.json()["status"] == "approved"

    def test_a_withdrawn_submission_cannot_be_an_example(self, client, seed, as_role) -> None:
        s = seed.submission(status="withdrawn")
        r = client.patch(
            f"/api/v1/submissions/{s.id}", json={"example": True}, headers=as_role("reviewer")
        )
        assert r.status_code == 409

    def test_example_must_be_a_boolean(self, client, seed, as_role) -> None:
        s = seed.submission()
        r = client.patch(
            f"/api/v1/submissions/{s.id}", json={"example": "yes"}, headers=as_role("reviewer")
        )
        assert r.status_code == 422

    def test_a_viewer_cannot_mark_examples(self, client, seed, as_role) -> None:
        s = seed.submission()
        r = client.patch(
            f"/api/v1/submissions/{s.id}", json={"example": True}, headers=as_role("viewer")
        )
        assert r.status_code == 403
