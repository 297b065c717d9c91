"""`GET /api/v1/media/{id}/{variant}`: bytes, headers, 404s and the blur-original override."""

from __future__ import annotations

import json

import pytest

from storage import audit, drafts


def url(media_id: str, variant: str) -> str:
    return f"/api/v1/media/{media_id}/{variant}"


def downloads(db, media_id: str) -> list:
    with db.read() as s:
        return [
            e for e in audit.for_target(s, "media", media_id) if e.action == "download_original"
        ]


class TestDownload:
    def test_the_original_with_its_type_and_safe_headers(self, client, seed, as_role) -> None:
        s = seed.submission(face="show")
        m = s.media[0]
        r = client.get(url(m.id, "original"), headers=as_role("viewer"))
        assert r.status_code == 200
        assert r.content == m.files["original"]
        assert r.headers["Content-Type"] == "image/jpeg"
        assert r.headers["Content-Disposition"] == f'attachment; filename="{s.code}-1-original.jpg"'
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Content-Length"] == str(len(m.files["original"]))
        assert "no-store" in r.headers["Cache-Control"]

    def test_the_thumbnail_has_its_own_real_type(self, client, seed, as_role) -> None:
        s = seed.submission()
        m = s.media[0]
        r = client.get(url(m.id, "thumbnail"), headers=as_role("viewer"))
        assert r.status_code == 200
        assert r.content == m.files["thumbnail"]
        assert r.headers["Content-Type"] == "image/webp"
        assert (
            r.headers["Content-Disposition"] == f'attachment; filename="{s.code}-1-thumbnail.webp"'
        )

    def test_the_number_in_the_file_name_follows_the_media_order(
        self, client, seed, as_role
    ) -> None:
        s = seed.submission(photos=3)
        r = client.get(url(s.media[2].id, "original"), headers=as_role("viewer"))
        assert r.headers["Content-Disposition"] == f'attachment; filename="{s.code}-3-original.jpg"'

    def test_a_blurred_variant_when_it_exists(self, client, seed, as_role) -> None:
        s = seed.submission(face="blur", variants=("original", "thumbnail", "blurred"))
        r = client.get(url(s.media[0].id, "blurred"), headers=as_role("viewer"))
        assert r.status_code == 200
        assert r.content == s.media[0].files["blurred"]


class TestNotFound:
    def test_a_variant_that_was_not_made_is_404(self, client, seed, as_role) -> None:
        s = seed.submission()
        r = client.get(url(s.media[0].id, "blurred"), headers=as_role("admin"))
        assert r.status_code == 404
        assert isinstance(r.json()["detail"], str)

    def test_an_unknown_media_id_is_404(self, client, seed, as_role) -> None:
        seed.submission()
        r = client.get(url("01JUNKNOWN0000000000000000", "original"), headers=as_role("admin"))
        assert r.status_code == 404

    def test_an_unknown_variant_name_is_422(self, client, seed, as_role) -> None:
        s = seed.submission()
        for name in ("raw", "ORIGINAL", "thumb", "original.jpg"):
            r = client.get(url(s.media[0].id, name), headers=as_role("admin"))
            assert r.status_code == 422, name

    def test_media_of_a_draft_is_404(self, client, seed, as_role) -> None:
        s = seed.submission(status="draft")
        assert (
            client.get(url(s.media[0].id, "original"), headers=as_role("admin")).status_code == 404
        )

    def test_media_of_a_withdrawn_submission_is_404(self, client, seed, as_role) -> None:
        s = seed.submission(status="withdrawn")
        for variant in ("original", "thumbnail"):
            r = client.get(url(s.media[0].id, variant), headers=as_role("admin"))
            assert r.status_code == 404

    def test_an_unsent_photo_is_404_while_its_sibling_stays(
        self, client, seed, as_role, db, clock
    ) -> None:
        s = seed.submission(photos=2)
        with db.write() as session:
            # The worker unsent the first photo in LINE.
            from storage.models import Media

            first = session.get(Media, s.media[0].id)
            drafts.withdraw_photo(
                session,
                message_id=first.line_message_id,
                contributor_id=s.contributor_id,
                now=clock(),
            )
        assert (
            client.get(url(s.media[0].id, "original"), headers=as_role("admin")).status_code == 404
        )
        assert (
            client.get(url(s.media[1].id, "original"), headers=as_role("admin")).status_code == 200
        )

    def test_pending_media_is_404(self, client, seed, as_role) -> None:
        s = seed.submission(variants=())  # attached, never processed
        assert (
            client.get(url(s.media[0].id, "original"), headers=as_role("admin")).status_code == 404
        )

    def test_a_file_missing_from_the_store_is_404(self, client, seed, as_role, blobs) -> None:
        s = seed.submission()
        blobs.delete_prefix(f"media/{s.media[0].id}/")
        assert (
            client.get(url(s.media[0].id, "original"), headers=as_role("admin")).status_code == 404
        )


class TestBlurOriginal:
    """design.md §4: the unblurred original of a `blur` submission needs an admin and a reason."""

    @pytest.mark.parametrize("role", ["viewer", "reviewer"])
    @pytest.mark.parametrize("reason", [None, "press release"])
    def test_below_admin_gets_403_with_or_without_a_reason(
        self, client, seed, as_role, db, role, reason
    ) -> None:
        s = seed.submission(face="blur")
        params = {} if reason is None else {"reason": reason}
        r = client.get(url(s.media[0].id, "original"), params=params, headers=as_role(role))
        assert r.status_code == 403
        assert r.content != s.media[0].files["original"]
        assert downloads(db, s.media[0].id) == []

    @pytest.mark.parametrize("reason", [None, "", "   "])
    def test_an_admin_without_a_reason_gets_403(self, client, seed, as_role, db, reason) -> None:
        s = seed.submission(face="blur")
        params = {} if reason is None else {"reason": reason}
        r = client.get(url(s.media[0].id, "original"), params=params, headers=as_role("admin"))
        assert r.status_code == 403
        assert downloads(db, s.media[0].id) == []

    def test_an_admin_with_a_reason_gets_it_and_the_audit_log_says_so(
        self, client, seed, as_role, db, clock
    ) -> None:
        s = seed.submission(face="blur")
        m = s.media[0]
        reason = "本人の同意を再確認済み、社内報に使用"
        r = client.get(url(m.id, "original"), params={"reason": reason}, headers=as_role("admin"))
        assert r.status_code == 200
        assert r.content == m.files["original"]
        (entry,) = downloads(db, m.id)
        assert entry.actor == "admin-alice"
        assert entry.at == clock.now
        detail = json.loads(entry.detail)
        assert detail["reason"] == reason
        assert detail["submission"] == s.id

    def test_a_reason_over_500_characters_is_422(self, client, seed, as_role, db) -> None:
        s = seed.submission(face="blur")
        r = client.get(
            url(s.media[0].id, "original"), params={"reason": "x" * 501}, headers=as_role("admin")
        )
        assert r.status_code == 422
        assert downloads(db, s.media[0].id) == []
        ok = client.get(
            url(s.media[0].id, "original"), params={"reason": "x" * 500}, headers=as_role("admin")
        )
        assert ok.status_code == 200

    def test_the_blurred_variant_needs_no_reason(self, client, seed, as_role, db) -> None:
        s = seed.submission(face="blur", variants=("original", "thumbnail", "blurred"))
        r = client.get(url(s.media[0].id, "blurred"), headers=as_role("viewer"))
        assert r.status_code == 200
        assert downloads(db, s.media[0].id) == []

    def test_the_thumbnail_shows_faces_too_so_it_follows_the_original_rule(
        self, client, seed, as_role, db
    ) -> None:
        s = seed.submission(face="blur", variants=("original", "thumbnail"))
        m = s.media[0]
        assert client.get(url(m.id, "thumbnail"), headers=as_role("viewer")).status_code == 403
        assert client.get(url(m.id, "thumbnail"), headers=as_role("admin")).status_code == 403
        ok = client.get(
            url(m.id, "thumbnail"), params={"reason": "check the crop"}, headers=as_role("admin")
        )
        assert ok.status_code == 200 and ok.content == m.files["thumbnail"]
        (entry,) = downloads(db, m.id)
        assert json.loads(entry.detail)["variant"] == "thumbnail"

    @pytest.mark.parametrize("face", ["show", "no_face"])
    def test_originals_of_other_face_choices_are_open_to_viewers_and_not_logged(
        self, client, seed, as_role, db, face
    ) -> None:
        s = seed.submission(face=face)
        r = client.get(url(s.media[0].id, "original"), headers=as_role("viewer"))
        assert r.status_code == 200
        assert downloads(db, s.media[0].id) == []
