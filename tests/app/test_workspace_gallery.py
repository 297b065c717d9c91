"""The gallery, one item and its review at /admin, by the admin API's own rules."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import text

from app.admin.review import MAX_LIMIT
from storage import audit, submissions
from tests.app.conftest import Seeder, Served
from tests.app.workspace_kit import person, signed_in

NO_FACE_FOUND = "No face found — check by eye, and upload a blurred image if needed"


def error_of(html: str) -> str:
    """The problem an item page shows."""
    found = re.search(r'<p class="problem" role="alert" id="error">([^<]*)</p>', html)
    assert found, "the page shows no problem"
    return found.group(1)


def codes(html: str) -> list[str]:
    return re.findall(r'<span class="code">([^<]+)</span>', html)


def test_the_gallery_lists_newest_first_with_counts_and_filters(
    served: Served, web: TestClient, seed_served: Seeder
) -> None:
    t = served.clock()
    old = seed_served.submission(at=t - timedelta(days=3), comment="フォークリフト点検")
    mid = seed_served.submission(at=t - timedelta(days=2), status="approved", face="no_face")
    new = seed_served.submission(at=t - timedelta(days=1), comment="朝礼", theme="daily")
    signed_in(web, person(served.db, served.clock, "viewer"))
    page = web.get("/admin").text
    assert codes(page) == [new.code, mid.code, old.code]
    assert re.search(r"New <b>2</b>", page) and re.search(r"Approved <b>1</b>", page)
    assert codes(web.get("/admin", params={"status": "approved"}).text) == [mid.code]
    assert codes(web.get("/admin", params={"face": "no_face"}).text) == [mid.code]
    assert codes(web.get("/admin", params={"q": "フォーク"}).text) == [old.code]
    day = (t - timedelta(days=2)).date().isoformat()
    assert codes(web.get("/admin", params={"since": day, "until": day}).text) == [mid.code]
    assert 'id="f-site"' in page  # sites exist: a real filter, no "not yet"
    # Nonsense in the query is dropped with a note, never an error page.
    odd = web.get(
        "/admin",
        params={"status": "<script>", "since": "yesterday", "face": "\x00", "theme": "da\x00ily"},
    )
    assert odd.status_code == 200 and "<script>" not in odd.text
    assert codes(odd.text) == [new.code, mid.code, old.code]


def test_paging_follows_the_cursor_and_the_page_size_is_capped(
    served: Served, web: TestClient, seed_served: Seeder
) -> None:
    seed_served.ideas(
        MAX_LIMIT + 5, at=served.clock() - timedelta(days=1), step=timedelta(seconds=1)
    )
    signed_in(web, person(served.db, served.clock, "viewer"))
    huge = web.get("/admin", params={"limit": "100000"}).text
    assert len(codes(huge)) == MAX_LIMIT
    first = web.get("/admin", params={"limit": "3"}).text
    link = re.search(r'href="/admin\?([^"]+)">Older items', first)
    assert link is not None
    second = web.get("/admin?" + link.group(1).replace("&amp;", "&")).text
    assert len(codes(second)) == 3 and not set(codes(first)) & set(codes(second))
    damaged = web.get("/admin", params={"cursor": "not-a-cursor", "limit": "3"})
    assert damaged.status_code == 200 and codes(damaged.text) == codes(first)


def test_a_blur_item_never_shows_its_unblurred_thumbnail(
    served: Served, web: TestClient, seed_served: Seeder
) -> None:
    pending = seed_served.submission(face="blur")
    blurred = seed_served.submission(face="blur", variants=("original", "thumbnail", "blurred"))
    signed_in(web, person(served.db, served.clock, "admin"))
    page = web.get("/admin").text
    assert NO_FACE_FOUND in page  # the detector found no face, so made no blurred image
    assert f"/admin/media/{blurred.media[0].id}/blurred" in page
    for item in (pending, blurred):
        mid = item.media[0].id
        assert f"/admin/media/{mid}/thumbnail" not in page
        assert web.get(f"/admin/media/{mid}/thumbnail").status_code == 403
        assert web.get(f"/admin/media/{mid}/original").status_code == 403
    shown = web.get(f"/admin/media/{blurred.media[0].id}/blurred")
    assert shown.status_code == 200 and shown.content == blurred.media[0].files["blurred"]
    detail = web.get(f"/admin/items/{pending.id}").text
    assert NO_FACE_FOUND in detail and '/original"' not in detail  # no img, no link


def test_the_item_page_shows_photos_consent_history_and_audit(
    served: Served, web: TestClient, seed_served: Seeder
) -> None:
    item = seed_served.submission(photos=2, status="approved")
    signed_in(web, person(served.db, served.clock, "viewer"))
    page = web.get(f"/admin/items/{item.id}").text
    for m in item.media:
        assert f"/admin/media/{m.id}/original" in page
        assert web.get(f"/admin/media/{m.id}/original").content == m.files["original"]
    assert "Face choice" in page and "Faces may be shown" in page
    assert "Guideline version agreed" in page and "not yet" in page
    assert "New → Approved" in page  # the history
    assert "Face choice made" in page and "Review" in page  # the audit trail


def test_items_name_their_theme_by_its_title_not_its_slug(
    served: Served, web: TestClient, seed_served: Seeder
) -> None:
    # PR staff know "毎日の仕事", the title workers tapped; the slug is only the theme's id.
    item = seed_served.submission(theme="daily-work", status="approved")
    signed_in(web, person(served.db, served.clock, "reviewer"))
    for url in ("/admin", f"/admin/items/{item.id}", "/admin/export"):
        page = web.get(url).text
        assert "毎日の仕事" in page.split("</select>")[-1], url  # outside the filter's options


def test_a_viewer_cannot_approve(served: Served, web: TestClient, seed_served: Seeder) -> None:
    item = seed_served.submission()
    token = signed_in(web, person(served.db, served.clock, "viewer"))
    page = web.get(f"/admin/items/{item.id}").text
    assert 'id="approve"' not in page
    answer = web.post(
        f"/admin/items/{item.id}/review", data={"csrf_token": token, "action": "approve"}
    )
    assert answer.status_code == 403
    with served.db.read() as s:
        assert submissions.get(s, item.id).submission.status == "new"  # type: ignore[union-attr]


def test_a_reviewer_approves_rejects_and_publishes_by_the_api_rules(
    served: Served, web: TestClient, seed_served: Seeder
) -> None:
    item = seed_served.submission()
    email = person(served.db, served.clock, "reviewer")
    token = signed_in(web, email)
    url = f"/admin/items/{item.id}/review"
    no_csrf = web.post(url, data={"action": "approve"})
    assert no_csrf.status_code == 403
    approved = web.post(
        url, data={"csrf_token": token, "action": "approve"}, follow_redirects=False
    )
    assert approved.status_code == 303
    publish_without_url = web.post(
        url, data={"csrf_token": token, "action": "publish", "platform": "instagram"}
    )
    assert "platform and url" in error_of(publish_without_url.text)
    bad_url = web.post(
        url,
        data={"csrf_token": token, "action": "publish", "platform": "x", "url": "javascript:1"},
    )
    assert "url" in error_of(bad_url.text)
    published = web.post(
        url,
        data={
            "csrf_token": token,
            "action": "publish",
            "platform": "instagram",
            "url": "https://example.com/p/1",
        },
        follow_redirects=False,
    )
    assert published.status_code == 303
    # published → approved is not a move the API allows; the page says so with the same 409.
    again = web.post(url, data={"csrf_token": token, "action": "approve"})
    assert "cannot move from published to approved" in error_of(again.text)
    with served.db.read() as s:
        record = submissions.get(s, item.id)
        assert record is not None and record.submission.status == "published"
        assert record.submission.published_url == "https://example.com/p/1"
        actors = {
            e.actor for e in audit.for_target(s, "submission", item.id) if e.action == "review"
        }
    assert actors == {email}
    other = seed_served.submission()
    no_reason = web.post(
        f"/admin/items/{other.id}/review", data={"csrf_token": token, "action": "reject"}
    )
    assert "give a reason to reject" in error_of(no_reason.text)
    rejected = web.post(
        f"/admin/items/{other.id}/review",
        data={"csrf_token": token, "action": "reject", "note": "ピンぼけ"},
        follow_redirects=False,
    )
    assert rejected.status_code == 303
    assert "ピンぼけ" in web.get(f"/admin/items/{other.id}").text


def test_error_pages_are_plain_html_without_tracebacks(
    served: Served, web: TestClient, seed_served: Seeder
) -> None:
    seed_served.submission()
    signed_in(web, person(served.db, served.clock, "viewer"))
    missing = web.get("/admin/items/01JDOESNOTEXIST0000000000000")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    with served.db.write() as s:
        s.execute(text("DROP TABLE media_variant"))  # a broken database: the gallery fails
    broken = web.get("/admin")
    assert broken.status_code == 500
    assert broken.headers["content-type"].startswith("text/html")
    assert "Traceback" not in broken.text and "media_variant" not in broken.text
    assert "Something went wrong" in broken.text


def test_the_pages_show_the_face_check_and_refuse_approval_like_the_api(
    served: Served, web: TestClient, seed_served: Seeder
) -> None:
    variants = ("original", "thumbnail", "blurred", "blurred_thumb")
    item = seed_served.submission(face="blur", variants=variants, faces=2)
    flagged = seed_served.submission(face="no_face", variants=variants, faces=1)
    token = signed_in(web, person(served.db, served.clock, "reviewer"))
    gallery = web.get("/admin").text
    assert gallery.count("face check needed") == 2
    needed = web.get("/admin", params={"check": "needed"}).text
    assert set(codes(needed)) == {item.code, flagged.code}
    assert f"/admin/media/{item.media[0].id}/blurred_thumb" in gallery
    assert f"/admin/media/{flagged.media[0].id}/thumbnail" not in gallery
    page = web.get(f"/admin/items/{item.id}").text
    assert "faces found: 2" in page and "Face check: confirm the blur" in page
    assert "Not ready to approve or publish" in page
    review = f"/admin/items/{item.id}/review"
    assert 'id="approve"' not in page  # not offered while the check is not done
    refused = web.post(review, data={"csrf_token": token, "action": "approve"})
    assert "confirm the blur" in error_of(refused.text)
    check = f"/admin/items/{item.id}/media/{item.media[0].id}/check"
    assert web.post(check, data={}).status_code == 403  # no CSRF token
    confirmed = web.post(check, data={"csrf_token": token}, follow_redirects=False)
    assert confirmed.status_code == 303
    page = web.get(f"/admin/items/{item.id}").text
    assert "Face check: done" in page and "Not ready" not in page
    approved = web.post(
        review, data={"csrf_token": token, "action": "approve"}, follow_redirects=False
    )
    assert approved.status_code == 303
    # Confirming a photo with nothing to confirm is refused on the page, too.
    shown = seed_served.submission(face="show")
    nothing = web.post(
        f"/admin/items/{shown.id}/media/{shown.media[0].id}/check", data={"csrf_token": token}
    )
    assert nothing.status_code == 409 and "nothing to confirm" in nothing.text


def test_a_viewer_cannot_confirm_a_face_check(
    served: Served, web: TestClient, seed_served: Seeder
) -> None:
    item = seed_served.submission(face="blur", variants=("original", "thumbnail", "blurred"))
    token = signed_in(web, person(served.db, served.clock, "viewer"))
    assert "The blur covers every face" not in web.get(f"/admin/items/{item.id}").text
    answer = web.post(
        f"/admin/items/{item.id}/media/{item.media[0].id}/check", data={"csrf_token": token}
    )
    assert answer.status_code == 403


def test_confirming_a_photo_of_another_submission_is_not_found(
    served: Served, web: TestClient, seed_served: Seeder
) -> None:
    variants = ("original", "thumbnail", "blurred", "blurred_thumb")
    mine = seed_served.submission(face="blur", variants=variants, faces=2)
    other = seed_served.submission(face="blur", variants=variants, faces=2)
    token = signed_in(web, person(served.db, served.clock, "reviewer"))

    def checked(item_id: str) -> str | None:
        with served.db.read() as s:
            record = submissions.get(s, item_id)
            assert record is not None
            return record.media[0].media.face_check

    def audited(media_id: str) -> list[str]:
        with served.db.read() as s:
            return [e.action for e in audit.for_target(s, "media", media_id)]

    for submission_id, media_id in (
        (mine.id, other.media[0].id),
        (mine.id, "01JD0000000000000000000000"),
        ("01JD0000000000000000000000", mine.media[0].id),
        ("bad id!", mine.media[0].id),
    ):
        answer = web.post(
            f"/admin/items/{submission_id}/media/{media_id}/check", data={"csrf_token": token}
        )
        assert answer.status_code == 404, (submission_id, media_id)
        assert answer.headers["content-type"].startswith("text/html")
    assert checked(mine.id) is None and checked(other.id) is None
    assert "face_check" not in audited(mine.media[0].id) + audited(other.media[0].id)
    # The photo with its own submission is confirmed: the 404s above were about the pairing.
    confirmed = web.post(
        f"/admin/items/{mine.id}/media/{mine.media[0].id}/check",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == f"/admin/items/{mine.id}"
    assert checked(mine.id) == "confirmed" and checked(other.id) is None


def test_an_admin_gets_a_blur_original_only_with_a_reason_and_it_is_audited(
    served: Served, web: TestClient, seed_served: Seeder
) -> None:
    blurred = ("original", "thumbnail", "blurred", "blurred_thumb")
    item = seed_served.submission(face="blur", variants=blurred, faces=1)
    media_id = item.media[0].id
    url = f"/admin/media/{media_id}/original/override"
    reviewer = signed_in(web, person(served.db, served.clock, "reviewer"))
    assert "Unblurred original" not in web.get(f"/admin/items/{item.id}").text
    assert web.post(url, data={"csrf_token": reviewer, "reason": "press"}).status_code == 403
    web.post("/admin/sign-out", data={"csrf_token": reviewer})
    admin = signed_in(web, person(served.db, served.clock, "admin"))
    assert "Unblurred original" in web.get(f"/admin/items/{item.id}").text
    assert web.post(url, data={"reason": "press"}).status_code == 403  # no CSRF token
    assert web.post(url, data={"csrf_token": admin, "reason": "  \t "}).status_code == 422
    got = web.post(url, data={"csrf_token": admin, "reason": "the worker asked for it back"})
    assert got.status_code == 200 and got.content == item.media[0].files["original"]
    assert "attachment" in got.headers["content-disposition"]
    with served.db.read() as s:
        entries = [
            e for e in audit.for_target(s, "media", media_id) if e.action == "download_original"
        ]
    assert len(entries) == 1 and "the worker asked for it back" in entries[0].detail
    assert entries[0].actor == "admin@example.com"
    # The plain image route still never shows it, whatever the role.
    assert web.get(f"/admin/media/{media_id}/original").status_code == 403
