"""What PR staff read on the gallery and item pages: company time, plain words, fitting actions.

The company's time zone is the default, Asia/Tokyo (JST, UTC+9); the API keeps UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from storage import submissions
from tests.app.conftest import Seeder, Served, bearer
from tests.app.workspace_kit import person, signed_in

# 08:30 on 4 December in Tokyo is still 3 December in UTC.
MORNING_IN_TOKYO = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)


def codes(html: str) -> list[str]:
    return re.findall(r'<span class="code">([^<]+)</span>', html)


def visible_text(html: str) -> str:
    """What a person reads: the page without its tags and attribute values."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", html))


def review(web: TestClient, item_id: str, token: str, **fields: str):
    return web.post(
        f"/admin/items/{item_id}/review",
        data={"csrf_token": token, **fields},
        follow_redirects=False,
    )


class TestCompanyTime:
    def test_pages_show_company_time_with_its_zone_and_the_api_keeps_utc(
        self, served: Served, web: TestClient, seed_served: Seeder
    ) -> None:
        item = seed_served.submission(at=MORNING_IN_TOKYO)
        signed_in(web, person(served.db, served.clock, "viewer"))
        gallery = visible_text(web.get("/admin").text)
        assert "2026-12-04 08:30 JST" in gallery and "2026-12-03 23:30" not in gallery
        page = visible_text(web.get(f"/admin/items/{item.id}").text)
        assert "Sent 2026-12-04 08:30 JST" in page  # the details
        assert "Chosen at 2026-12-04 08:30 JST" in page  # the consent record
        assert "2026-12-04 08:30:00 JST" in page  # the audit trail
        assert "UTC" not in page and "23:30" not in page
        api = web.get(f"/api/v1/submissions/{item.id}", headers=bearer(seed_served.token("viewer")))
        assert api.json()["submitted_at"] == "2026-12-03T23:30:00Z"

    def test_the_date_filter_counts_company_days(
        self, served: Served, web: TestClient, seed_served: Seeder
    ) -> None:
        morning = seed_served.submission(at=MORNING_IN_TOKYO)
        # 23:30 in Tokyo on the 3rd (14:30 UTC): on the 3rd, not the 4th.
        late = seed_served.submission(at=datetime(2026, 12, 3, 14, 30, tzinfo=UTC))
        signed_in(web, person(served.db, served.clock, "viewer"))
        fourth = web.get("/admin", params={"since": "2026-12-04", "until": "2026-12-04"}).text
        assert codes(fourth) == [morning.code]
        third = web.get("/admin", params={"since": "2026-12-03", "until": "2026-12-03"}).text
        assert codes(third) == [late.code]


class TestPlainWords:
    def test_the_gallery_and_item_speak_plain_words(
        self, served: Served, web: TestClient, seed_served: Seeder
    ) -> None:
        variants = ("original", "thumbnail", "blurred", "blurred_thumb")
        item = seed_served.submission(face="no_face", variants=variants, faces=1)
        seed_served.submission(face="blur", variants=variants, faces=2, status="in_review")
        token = signed_in(web, person(served.db, served.clock, "reviewer"))
        gallery = web.get("/admin").text
        shown = visible_text(gallery)
        for code in ("no_face", "in_review", "face(s)", "none"):
            assert code not in shown, code
        assert "1 face found" in shown and "2 faces found" in shown
        assert "No faces in it" in shown and "In review" in shown
        assert '<option value="none" >No face choice (comment only)</option>' in gallery
        assert web.post(
            f"/admin/items/{item.id}/media/{item.media[0].id}/check",
            data={"csrf_token": token},
            follow_redirects=False,
        ).is_redirect
        assert review(web, item.id, token, action="approve").is_redirect
        page = visible_text(web.get(f"/admin/items/{item.id}").text)
        for code in ("no_face", "face(s)", "from=", "status=", "check=", "submission="):
            assert code not in page, code
        assert "New → Approved" in page  # the history and the audit trail
        assert "Face check result: blur confirmed by a reviewer; faces found: 1" in page

    def test_a_refused_upload_says_why_in_words_not_codes(
        self, served: Served, web: TestClient, seed_served: Seeder
    ) -> None:
        item = seed_served.submission(face="blur", faces=0)
        token = signed_in(web, person(served.db, served.clock, "reviewer"))
        answer = web.post(
            f"/admin/items/{item.id}/media/{item.media[0].id}/blurred",
            data={"csrf_token": token},
            files={"image": ("page.jpg", b"<!doctype html><p>not a photo</p>", "image/jpeg")},
        )
        assert answer.status_code == 415
        said = re.search(r'role="alert" id="error">([^<]*)<', answer.text)
        assert said is not None and "not a photo genba accepts" in said.group(1)
        assert "unsupported_type" not in answer.text


class TestReviewActions:
    def test_a_published_item_offers_no_review_action(
        self, served: Served, web: TestClient, seed_served: Seeder
    ) -> None:
        item = seed_served.submission(status="published")
        signed_in(web, person(served.db, served.clock, "reviewer"))
        page = web.get(f"/admin/items/{item.id}").text
        for button in ('id="approve"', 'id="reject"', 'id="publish"', 'id="in-review"'):
            assert button not in page, button
        assert "Published: nothing left to review." in page
        assert 'id="save-reactions"' in page  # what is left to do on it

    def test_a_new_item_offers_approve_and_reject_but_not_publish(
        self, served: Served, web: TestClient, seed_served: Seeder
    ) -> None:
        item = seed_served.submission()
        signed_in(web, person(served.db, served.clock, "reviewer"))
        page = web.get(f"/admin/items/{item.id}").text
        assert 'id="approve"' in page and 'id="reject"' in page
        assert 'id="publish"' not in page  # new → published is not a move the rules allow

    def test_an_approved_item_offers_publish_and_reject(
        self, served: Served, web: TestClient, seed_served: Seeder
    ) -> None:
        item = seed_served.submission(status="approved")
        signed_in(web, person(served.db, served.clock, "reviewer"))
        page = web.get(f"/admin/items/{item.id}").text
        assert 'id="publish"' in page and 'id="reject"' in page and 'id="approve"' not in page

    def test_a_rejected_item_can_be_reviewed_again(
        self, served: Served, web: TestClient, seed_served: Seeder
    ) -> None:
        item = seed_served.submission(status="rejected")
        token = signed_in(web, person(served.db, served.clock, "reviewer"))
        page = web.get(f"/admin/items/{item.id}").text
        assert 'id="in-review"' in page and 'id="approve"' not in page
        assert review(web, item.id, token, action="in-review").is_redirect
        with served.db.read() as s:
            assert submissions.get(s, item.id).submission.status == "in_review"  # type: ignore[union-attr]

    def test_a_blur_item_without_its_blurred_image_offers_no_approve(
        self, served: Served, web: TestClient, seed_served: Seeder
    ) -> None:
        item = seed_served.submission(face="blur", faces=0)  # the detector made no blurred image
        signed_in(web, person(served.db, served.clock, "reviewer"))
        page = web.get(f"/admin/items/{item.id}").text
        assert 'id="approve"' not in page and 'id="reject"' in page
        assert "Not ready to approve or publish" in page


class TestNoFaceFound:
    def test_a_blur_item_with_no_face_found_asks_for_a_check_by_eye(
        self, served: Served, web: TestClient, seed_served: Seeder
    ) -> None:
        item = seed_served.submission(face="blur", faces=0)
        signed_in(web, person(served.db, served.clock, "reviewer"))
        wanted = "No face found — check by eye, and upload a blurred image if needed"
        for url in ("/admin", f"/admin/items/{item.id}"):
            page = web.get(url).text
            assert wanted in page and "blur pending" not in page, url


class TestPostRedirectGet:
    def test_a_refused_review_redirects_and_shows_its_problem_once(
        self, served: Served, web: TestClient, seed_served: Seeder
    ) -> None:
        item = seed_served.submission(status="published")
        token = signed_in(web, person(served.db, served.clock, "reviewer"))
        refused = review(web, item.id, token, action="approve")
        assert refused.status_code == 303
        assert refused.headers["location"].startswith(f"/admin/items/{item.id}")
        page = web.get(refused.headers["location"])
        said = re.search(r'role="alert" id="error">([^<]*)<', page.text)
        assert said is not None and "cannot move from published to approved" in said.group(1)
        # Reloading the page reads it again: nothing is sent twice, and the problem is gone.
        again = web.get(refused.headers["location"])
        assert again.status_code == 200 and 'id="error"' not in again.text

    def test_a_reject_without_a_reason_redirects_with_the_problem(
        self, served: Served, web: TestClient, seed_served: Seeder
    ) -> None:
        item = seed_served.submission()
        other = seed_served.submission()
        token = signed_in(web, person(served.db, served.clock, "reviewer"))
        refused = review(web, item.id, token, action="reject")
        assert refused.status_code == 303
        # The message belongs to that item's page, not to the next page opened.
        assert 'id="error"' not in web.get(f"/admin/items/{other.id}").text
        page = web.get(refused.headers["location"]).text
        assert "give a reason to reject" in page
        with served.db.read() as s:
            assert submissions.get(s, item.id).submission.status == "new"  # type: ignore[union-attr]
