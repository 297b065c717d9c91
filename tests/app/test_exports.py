"""`POST /api/v1/exports`: the streamed ZIP, its manifests, the allowed variant, and the limits."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from app.admin import exports
from app.admin.export_api import zip_response
from storage import audit, drafts, media
from storage.states import FaceCheck


def archive(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


def manifest(z: zipfile.ZipFile) -> tuple[list[dict[str, str]], dict]:
    raw = z.read("manifest.csv")
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so spreadsheets read Japanese right
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    return rows, json.loads(z.read("manifest.json"))


def export(client, as_role, role: str = "reviewer", **order):
    return client.post("/api/v1/exports", json=order, headers=as_role(role))


class TestArchive:
    def test_selected_approved_items_with_their_files_and_both_manifests(
        self, client, seed, as_role
    ) -> None:
        a = seed.submission(status="approved", face="show", photos=2, comment="朝礼の様子です")
        b = seed.submission(status="published", face="no_face", theme=None, comment=None)
        z = archive(export(client, as_role, ids=[a.id, b.id]))
        assert z.testzip() is None
        assert z.read(f"{a.code}/{a.code}-1-original.jpg") == a.media[0].files["original"]
        assert z.read(f"{a.code}/{a.code}-2-original.jpg") == a.media[1].files["original"]
        assert z.read(f"{b.code}/{b.code}-1-original.jpg") == b.media[0].files["original"]
        # Only the allowed variant: never the thumbnail alongside.
        assert not [n for n in z.namelist() if "thumbnail" in n]
        rows, doc = manifest(z)
        assert [r["code"] for r in rows] == [a.code, b.code]
        first = rows[0]
        assert first["status"] == "approved"
        assert first["theme"] == "daily"
        assert first["face"] == "show"
        assert first["consent_time"] == "2026-11-27T09:00:00Z"
        assert first["guideline_version"] == "not yet"
        assert first["credit_line"] == "anonymous (not chosen)"
        assert first["comment"] == "朝礼の様子です"
        assert first["files"].split() == [
            f"{a.code}/{a.code}-1-original.jpg",
            f"{a.code}/{a.code}-2-original.jpg",
        ]
        assert first["note"] == ""
        assert rows[1]["theme"] == "" and rows[1]["comment"] == ""
        assert [i["code"] for i in doc["items"]] == [a.code, b.code]
        assert doc["items"][0]["consent_time"] == "2026-11-27T09:00:00Z"
        assert doc["not_ready"] == []
        assert doc["exported_at"] == "2026-11-27T09:00:00Z"

    def test_the_headers_make_it_a_private_download(self, client, seed, as_role) -> None:
        a = seed.submission(status="approved")
        r = export(client, as_role, ids=[a.id])
        assert r.headers["Content-Disposition"].startswith('attachment; filename="genba-export-')
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in r.headers["Cache-Control"]

    def test_a_blur_item_leaves_only_blurred(self, client, seed, as_role) -> None:
        s = seed.submission(
            status="approved",
            face="blur",
            variants=("original", "thumbnail", "blurred", "blurred_thumb"),
            faces=1,
        )
        # Until a reviewer confirms the blur, not even the blurred file leaves.
        unchecked = archive(export(client, as_role, ids=[s.id]))
        assert [n for n in unchecked.namelist() if not n.startswith("manifest")] == []
        with seed.db.write() as session:
            assert media.record_face_check(
                session, s.media[0].id, FaceCheck.CONFIRMED, actor="r", now=seed.clock()
            )
        z = archive(export(client, as_role, ids=[s.id]))
        names = [n for n in z.namelist() if not n.startswith("manifest")]
        assert names == [f"{s.code}/{s.code}-1-blurred.jpg"]
        assert z.read(names[0]) == s.media[0].files["blurred"]
        assert s.media[0].files["original"] not in b"".join(z.read(n) for n in z.namelist())

    def test_a_blur_item_without_its_blurred_variant_is_not_ready_and_not_in_the_zip(
        self, client, seed, as_role
    ) -> None:
        ready = seed.submission(status="approved", face="show")
        waiting = seed.submission(
            status="approved", face="blur", variants=("original", "thumbnail")
        )
        z = archive(export(client, as_role, ids=[ready.id, waiting.id]))
        assert not [n for n in z.namelist() if n.startswith(waiting.code)]
        rows, doc = manifest(z)
        assert rows[1]["code"] == waiting.code
        assert rows[1]["files"] == ""
        assert rows[1]["note"].startswith("not ready")
        assert [i["code"] for i in doc["not_ready"]] == [waiting.code]
        assert [i["code"] for i in doc["items"]] == [ready.code]

    def test_an_idea_is_in_the_manifest_without_files(self, client, seed, as_role) -> None:
        idea = seed.submission(status="approved", photos=0, face=None, comment="安全週間の標語")
        z = archive(export(client, as_role, ids=[idea.id]))
        rows, _ = manifest(z)
        assert rows[0]["comment"] == "安全週間の標語" and rows[0]["files"] == ""
        assert rows[0]["note"] == ""

    def test_a_file_gone_from_the_store_keeps_the_item_out_whole(
        self, client, seed, as_role, blobs
    ) -> None:
        s = seed.submission(status="approved", photos=2)
        blobs.delete_prefix(f"media/{s.media[1].id}/")
        z = archive(export(client, as_role, ids=[s.id]))
        assert not [n for n in z.namelist() if n.startswith(s.code)]
        rows, _ = manifest(z)
        assert rows[0]["note"].startswith("not ready")

    def test_each_export_is_in_the_audit_log(self, client, seed, as_role, db) -> None:
        a = seed.submission(status="approved")
        archive(export(client, as_role, ids=[a.id]))
        with db.read() as s:
            (entry,) = [e for e in audit.for_target(s, "submission", a.id) if e.action == "export"]
        assert entry.actor == "reviewer-alice"


class TestWhatNeverLeaves:
    @pytest.mark.parametrize("status", ["new", "in_review", "rejected", "withdrawn", "draft"])
    def test_items_not_approved_are_left_out(self, client, seed, as_role, status) -> None:
        ok = seed.submission(status="approved")
        other = seed.submission(status=status)
        z = archive(export(client, as_role, ids=[other.id, ok.id]))
        assert not [n for n in z.namelist() if n.startswith(other.code)]
        rows, _ = manifest(z)
        assert [r["code"] for r in rows] == [ok.code]

    def test_only_unexportable_ids_is_404(self, client, seed, as_role) -> None:
        s = seed.submission(status="withdrawn")
        r = export(client, as_role, ids=[s.id, "nonsense", "../../etc"])
        assert r.status_code == 404
        assert isinstance(r.json()["detail"], str)

    def test_an_item_withdrawn_while_the_archive_streams_is_left_out_from_then_on(
        self, db, blobs, seed, clock
    ) -> None:
        first = seed.submission(status="approved")
        second = seed.submission(status="approved")
        chosen = exports.choose(db, ids=[first.id, second.id])
        stream = exports.export_zip(db, blobs, chosen, export_id="X", clock=clock)
        body = next(stream)  # the first item is on its way
        with db.write() as s:
            drafts.withdraw(
                s, submission_id=second.id, contributor_id=second.contributor_id, now=clock()
            )
        body += b"".join(stream)
        z = zipfile.ZipFile(io.BytesIO(body))
        assert [n for n in z.namelist() if n.startswith(first.code)]
        assert not [n for n in z.namelist() if n.startswith(second.code)]
        rows, doc = manifest(z)
        assert [r["code"] for r in rows] == [first.code]
        assert second.code not in json.dumps(doc)


class TestFilters:
    def test_a_filter_takes_approved_and_published_newest_first(
        self, client, seed, as_role, clock
    ) -> None:
        old = seed.submission(status="approved", comment="フォークリフト")
        clock.advance(minutes=1)
        new = seed.submission(status="published", comment="フォークリフト点検")
        seed.submission(status="new", comment="フォークリフト")
        seed.submission(status="approved", comment="朝礼")
        z = archive(export(client, as_role, q="フォーク"))
        rows, _ = manifest(z)
        assert [r["code"] for r in rows] == [new.code, old.code]
        z = archive(export(client, as_role, status="published"))
        assert [r["code"] for r in manifest(z)[0]] == [new.code]

    def test_a_filter_limit_is_clamped_to_the_cap(self, client, seed, as_role, db) -> None:
        ids = seed.ideas(3)
        with db.write() as s:
            from storage import submissions

            for i in ids:
                submissions.change_review(
                    s,
                    i,
                    expected_status="new",
                    values={"status": "approved"},
                    actor="t",
                    now=seed.clock(),
                )
        z = archive(export(client, as_role, limit=10_000))
        assert len(manifest(z)[0]) == 3
        assert exports.choose(db, wanted=None, limit=10_000).ids.__len__() == 3

    @pytest.mark.parametrize(
        "order",
        [
            {"status": "new"},
            {"status": "withdrawn"},
            {"limit": 0},
            {"face": "maybe"},
            {"since": "2026-11-27"},
            {"q": "x" * 201},
            {"q": "a\x00b"},
            {"ids": ["x" * 65]},
            {"ids": "not a list"},
            {"unknown": 1},
        ],
    )
    def test_hostile_orders_are_422(self, client, seed, as_role, order) -> None:
        seed.submission(status="approved")
        r = export(client, as_role, **order)
        assert r.status_code == 422, order

    def test_more_ids_than_the_cap_is_422_and_the_cap_itself_is_fine(
        self, client, seed, as_role
    ) -> None:
        a = seed.submission(status="approved")
        too_many = [a.id] * (exports.MAX_ITEMS + 1)
        assert export(client, as_role, ids=too_many).status_code == 422
        z = archive(export(client, as_role, ids=[a.id] * exports.MAX_ITEMS))
        # Repeated ids are one item.
        assert [r["code"] for r in manifest(z)[0]] == [a.code]


class TestWhoMayExport:
    def test_a_viewer_may_not_export(self, client, seed, as_role, db) -> None:
        a = seed.submission(status="approved")
        r = export(client, as_role, "viewer", ids=[a.id])
        assert r.status_code == 403
        with db.read() as s:
            assert not [e for e in audit.for_target(s, "submission", a.id) if e.action == "export"]

    def test_no_token_is_401(self, client, seed) -> None:
        a = seed.submission(status="approved")
        assert client.post("/api/v1/exports", json={"ids": [a.id]}).status_code == 401

    def test_an_admin_may(self, client, seed, as_role) -> None:
        a = seed.submission(status="approved")
        archive(export(client, as_role, "admin", ids=[a.id]))


class TestFormulaSafety:
    @pytest.mark.parametrize("comment", ['=HYPERLINK("http://x.test")', "+1+1", "-2", "@SUM(A1)"])
    def test_a_comment_never_becomes_a_spreadsheet_formula(
        self, client, seed, as_role, comment
    ) -> None:
        a = seed.submission(status="approved", comment=comment)
        rows, doc = manifest(archive(export(client, as_role, ids=[a.id])))
        assert rows[0]["comment"] == "'" + comment
        assert doc["items"][0]["comment"] == comment  # JSON keeps the text as it is


def test_zip_response_refuses_an_empty_selection(db, blobs, clock) -> None:
    from fastapi import HTTPException

    with pytest.raises(HTTPException) as err:
        zip_response(db, blobs, exports.Chosen(ids=(), refused=0), actor="t", clock=clock)
    assert err.value.status_code == 404


class TestOddItems:
    def test_an_unsent_photo_is_left_out_and_its_sibling_goes(
        self, client, seed, as_role, db, clock
    ) -> None:
        from storage.models import Media

        s = seed.submission(status="approved", photos=2)
        with db.write() as session:
            first = session.get(Media, s.media[0].id)
            drafts.withdraw_photo(
                session,
                message_id=first.line_message_id,
                contributor_id=s.contributor_id,
                now=clock(),
            )
        z = archive(export(client, as_role, ids=[s.id]))
        names = [n for n in z.namelist() if not n.startswith("manifest")]
        assert names == [f"{s.code}/{s.code}-1-original.jpg"]
        assert z.read(names[0]) == s.media[1].files["original"]

    def test_a_photo_still_being_fetched_makes_the_item_not_ready(
        self, client, seed, as_role
    ) -> None:
        s = seed.submission(status="approved", variants=())
        rows, doc = manifest(archive(export(client, as_role, ids=[s.id])))
        assert rows[0]["note"].startswith("not ready") and doc["items"] == []

    def test_a_hostile_code_cannot_make_a_path_outside_the_archive(
        self, client, seed, as_role
    ) -> None:
        s = seed.submission(status="approved", code="../../x/EVIL")
        z = archive(export(client, as_role, ids=[s.id]))
        for name in z.namelist():
            assert ".." not in name and not name.startswith("/"), name
        assert [n for n in z.namelist() if n.startswith("xEVIL/")]
