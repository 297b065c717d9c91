"""The reminder, digest, reactions and stats pages: roles, CSRF, the forms, charts as inline SVG."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from storage import sites
from storage.models import Submission
from tests.app.conftest import FakeClock, bearer
from tests.app.push_kit import Pushing, make_pushing
from tests.app.workspace_kit import csrf_of, person, signed_in


@pytest.fixture
def pushing(database_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Pushing]:
    yield from make_pushing(database_url, tmp_path, clock, GENBA_QUIET_HOURS="none")


def as_role(p: Pushing, role: str) -> str:
    """Sign the client in with a new account of this role; returns the CSRF token."""
    return signed_in(p.client, person(p.db, p.clock, role))


class TestSecurity:
    @pytest.mark.parametrize("role", ["viewer", "reviewer"])
    def test_only_an_admin_sends_reminders_and_digests(self, pushing: Pushing, role):
        pushing.worker_friend(notices="all")
        token = as_role(pushing, role)
        for path, data in (("/admin/reminders", {}), ("/admin/digests", {"month": "2026-11"})):
            answer = pushing.client.post(path, data={"csrf_token": token, **data})
            assert answer.status_code == 403
            assert "Traceback" not in answer.text
        assert (
            pushing.client.post(
                "/api/v1/reminders", json={}, headers=bearer(pushing.seed.token(role))
            ).status_code
            == 403
        )
        pushing.drain()
        assert pushing.sim.platform.deliveries() == []

    def test_a_form_without_its_csrf_token_is_refused(self, pushing: Pushing):
        (_, line_id) = pushing.worker_friend(notices="all")
        as_role(pushing, "admin")
        for data in ({}, {"csrf_token": "forged"}):
            assert pushing.client.post("/admin/reminders", data=data).status_code == 403
        item = pushing.seed.submission(status="published")
        answer = pushing.client.post(f"/admin/items/{item.id}/reactions", data={"count": "5"})
        assert answer.status_code == 403
        pushing.drain()
        assert pushing.texts(line_id) == []

    def test_without_a_session_every_page_leads_to_sign_in(self, pushing: Pushing):
        for path in ("/admin/stats", "/admin/stats.csv", "/admin/reminders"):
            answer = pushing.client.get(path, follow_redirects=False)
            assert answer.status_code == 303 and answer.headers["location"] == "/admin/sign-in"


OUTREACH_ROUTES = {
    ("GET", "/api/v1/pushes/budget"): "viewer",
    ("GET", "/api/v1/campaigns"): "viewer",
    ("GET", "/api/v1/reminders/preview"): "viewer",
    ("POST", "/api/v1/reminders"): "admin",
    ("POST", "/api/v1/digests"): "admin",
    ("GET", "/api/v1/stats"): "viewer",
    ("GET", "/api/v1/stats.csv"): "viewer",
}


def test_each_outreach_route_declares_its_role_and_lower_roles_get_403(pushing: Pushing):
    doc = pushing.client.app.openapi()  # type: ignore[attr-defined]
    found = {
        (method.upper(), path): op.get("x-required-role")
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if (method.upper(), path) in OUTREACH_ROUTES
    }
    assert found == OUTREACH_ROUTES
    for (method, path), role in OUTREACH_ROUTES.items():
        for lower in {"admin": ("viewer", "reviewer"), "viewer": ()}[role]:
            answer = pushing.client.request(
                method, path, json={}, headers=bearer(pushing.seed.token(lower))
            )
            assert answer.status_code == 403, (method, path, lower)
        assert pushing.client.request(method, path).status_code == 401


class TestReminderPage:
    def test_a_viewer_sees_the_preview_but_no_send_button(self, pushing: Pushing):
        friends = [pushing.worker_friend(notices="all")[1] for _ in range(3)]
        as_role(pushing, "viewer")
        page = pushing.client.get("/admin/reminders")
        assert page.status_code == 200
        assert re.search(r'id="audience"><b>3</b> workers who', page.text)
        assert 'id="send-reminder"' not in page.text
        assert not any(f in page.text for f in friends)
        assert f"{friends[0][:5]}…" in page.text

    def test_an_admin_schedules_a_reminder_that_the_worker_sends(self, pushing: Pushing):
        (_, line_id) = pushing.worker_friend(notices="all")
        token = as_role(pushing, "admin")
        answer = pushing.client.post("/admin/reminders", data={"csrf_token": token, "at": ""})
        assert answer.status_code == 200 and 'id="scheduled"' in answer.text
        # One worker, one message, in company time (the test clock is 09:00 UTC = 18:00 JST).
        said = re.search(r'id="scheduled">([^<]*)<', answer.text)
        assert said is not None
        assert "Scheduled for 1 worker in 1 message, from 2026-11-27 18:00 JST" in said.group(1)
        again = pushing.client.post("/admin/reminders", data={"csrf_token": token})
        assert again.status_code == 409 and "already" in again.text
        pushing.drain()
        assert len(pushing.texts(line_id)) == 1

    @pytest.mark.parametrize("at", ["soon", "2026-13-01T10:00", "\x00"])
    def test_a_bad_time_is_shown_not_crashed(self, pushing: Pushing, at):
        pushing.worker_friend(notices="all")
        token = as_role(pushing, "admin")
        answer = pushing.client.post("/admin/reminders", data={"csrf_token": token, "at": at})
        assert answer.status_code == 422 and "not a time" in answer.text

    def test_the_digest_preview_shows_pictures_only_where_the_face_choice_allows(
        self, pushing: Pushing
    ):
        token = pushing.seed.token("reviewer")
        made = {}
        item = pushing.seed.submission(face="show", status="approved")
        pushing.client.patch(
            f"/api/v1/submissions/{item.id}",
            json={"status": "published", "platform": "x", "url": "https://x.test/show"},
            headers=bearer(token),
        )
        made["show"] = item
        # A blur item published with no checked blurred file (as before face checks existed;
        # the review rules refuse that now): the digest shows it as text only.
        made["blur"] = pushing.seed.submission(face="blur", status="published")
        with pushing.db.write() as s:
            s.execute(
                update(Submission)
                .where(Submission.id == made["blur"].id)  # type: ignore[arg-type]
                .values(published_at=pushing.clock())
            )
        as_role(pushing, "admin")
        page = pushing.client.get("/admin/reminders?month=2026-11")
        assert f"/admin/media/{made['show'].media[0].id}/thumbnail" in page.text
        assert f"/admin/media/{made['blur'].media[0].id}/" not in page.text
        assert "blur pending: text only" in page.text
        hostile = pushing.client.get("/admin/reminders?month=<script>")
        assert hostile.status_code == 200 and "<script>" not in hostile.text


class TestPublishAndReactionsPage:
    def test_publish_with_thanks_then_reactions(self, pushing: Pushing):
        who = pushing.worker_friend(language="en")
        item = pushing.seed.submission(contributor=who, status="approved")
        as_role(pushing, "reviewer")
        token = csrf_of(pushing.client.get(f"/admin/items/{item.id}").text)
        answer = pushing.client.post(
            f"/admin/items/{item.id}/review",
            data={
                "csrf_token": token,
                "action": "publish",
                "platform": "instagram",
                "url": "https://insta.test/p/9",
                "thanks": "The whole team loved it.",
            },
        )
        assert answer.status_code == 200 and 'id="save-reactions"' in answer.text
        answer = pushing.client.post(
            f"/admin/items/{item.id}/reactions", data={"csrf_token": token, "count": "17"}
        )
        assert answer.status_code == 200 and "<dd>17</dd>" in answer.text
        pushing.drain()
        texts = pushing.texts(who[1])
        assert len(texts) == 3
        assert "The whole team loved it." in texts[1] and "17 reactions" in texts[2]

    @pytest.mark.parametrize("count", ["-3", "many", "", "1e3", "99999999999"])
    def test_a_bad_count_is_refused(self, pushing: Pushing, count):
        item = pushing.seed.submission(status="published")
        token = as_role(pushing, "reviewer")
        answer = pushing.client.post(
            f"/admin/items/{item.id}/reactions", data={"csrf_token": token, "count": count}
        )
        assert answer.status_code == 422 and "Traceback" not in answer.text


class TestStats:
    def seed_week(self, p: Pushing) -> None:
        start = p.clock()
        with p.db.write() as s:
            plant = sites.create(s, name="Kawasaki plant", actor="t", now=start)
        worker = p.seed.contributor()
        with p.db.write() as s:
            sites.set_worker_site(s, worker[0], site_id=plant.id, now=start)
        p.seed.submission(
            face="show", status="approved", at=start - timedelta(days=8), contributor=worker
        )
        p.seed.submission(face="blur", status="rejected", at=start)
        p.seed.submission(face="no_face", status="new", theme=None, at=start)
        p.seed.submission(face=None, photos=0, at=start)

    def test_the_api_gives_the_numbers_as_json_and_csv(self, pushing: Pushing):
        self.seed_week(pushing)
        token = pushing.seed.token("viewer")
        body = pushing.client.get("/api/v1/stats?weeks=4", headers=bearer(token)).json()
        assert len(body["weeks"]) == 4 and body["total"] == 4
        assert body["by_theme"]["daily"] == [0, 0, 1, 2]
        assert body["faces"] == {"show": 1, "blur": 1, "no_face": 1, "idea": 1}
        assert body["outcomes"]["approved"] == 1 and body["outcomes"]["rejected"] == 1
        # The seeded moves were reviewed at the moment they were sent.
        assert body["reviewed"] == 2 and body["review_hours_median"] == 0.0
        assert body["active_contributors"] == [0, 0, 1, 3]
        assert body["by_site"] == {"(no site picked)": [0, 0, 0, 3], "Kawasaki plant": [0, 0, 1, 0]}
        text = pushing.client.get("/api/v1/stats.csv?weeks=4", headers=bearer(token)).text
        rows = list(csv.DictReader(io.StringIO(text)))
        assert {"section": "face", "key": "blur", "week": "", "value": "1"} in rows
        assert sum(int(r["value"]) for r in rows if r["section"] == "submissions_by_theme") == 4
        assert {
            "section": "submissions_by_site",
            "key": "Kawasaki plant",
            "week": body["weeks"][2],
            "value": "1",
        } in rows

    @pytest.mark.parametrize("weeks", ["0", "105", "x", "-1"])
    def test_the_api_caps_the_weeks(self, pushing: Pushing, weeks):
        answer = pushing.client.get(
            f"/api/v1/stats?weeks={weeks}", headers=bearer(pushing.seed.token("viewer"))
        )
        assert answer.status_code == 422

    def test_time_to_review_counts_from_sending_to_the_first_review(self, pushing: Pushing):
        item = pushing.seed.submission()
        pushing.clock.advance(hours=5)
        pushing.client.patch(
            f"/api/v1/submissions/{item.id}",
            json={"status": "approved"},
            headers=bearer(pushing.seed.token("reviewer")),
        )
        body = pushing.client.get(
            "/api/v1/stats", headers=bearer(pushing.seed.token("viewer"))
        ).json()
        assert body["reviewed"] == 1 and body["review_hours_median"] == 5.0

    def test_a_theme_that_looks_like_a_formula_is_defused_in_the_csv(self, pushing: Pushing):
        pushing.seed.theme("=cmd", "evil")
        pushing.seed.submission(theme="=cmd")
        text = pushing.client.get(
            "/api/v1/stats.csv", headers=bearer(pushing.seed.token("viewer"))
        ).text
        assert "\n=cmd" not in text and ",=cmd" not in text and "'=cmd" in text

    def test_the_page_draws_inline_svg_charts_from_this_host_only(self, pushing: Pushing):
        self.seed_week(pushing)
        pushing.seed.theme("<b>x</b>", "<i>hostile</i>")
        pushing.seed.submission(theme="<b>x</b>")
        as_role(pushing, "viewer")
        page = pushing.client.get("/admin/stats")
        assert page.status_code == 200
        assert page.text.count('<figure class="chart"') == 5  # theme, site, faces, outcomes, people
        assert "<i>hostile</i>" not in page.text and "&lt;i&gt;hostile&lt;/i&gt;" in page.text
        assert "<b>x</b>" not in page.text
        assert "<script" not in page.text
        assert not re.search(r'(src|href)="(https?:)?//', page.text)
        assert 'id="by-site"' in page.text  # "not yet" until sites exist
        csv_page = pushing.client.get("/admin/stats.csv")
        assert csv_page.headers["content-type"].startswith("text/csv")


def visible_text(html: str) -> str:
    """What a person reads: the page without its tags and attribute values."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", html))


class TestStatsInPlainWords:
    def seed(self, p: Pushing) -> None:
        start = p.clock()
        p.seed.submission(face="no_face", status="new", at=start)
        p.seed.submission(face="blur", status="rejected", at=start)
        p.seed.submission(face="show", status="approved", at=start)
        p.seed.submission(face=None, photos=0, at=start)

    def test_chart_labels_are_words_and_the_csv_keeps_the_codes(self, pushing: Pushing):
        self.seed(pushing)
        as_role(pushing, "viewer")
        page = pushing.client.get("/admin/stats").text
        shown = visible_text(page)
        for code in ("no_face", "in_review", "show", "blur", "idea", "new"):
            assert f">{code}<" not in page and f" {code} " not in shown, code
        for words in ("No faces in it", "Blur the faces", "In review", "No face choice (an idea)"):
            assert words in shown, words
        csv_text = pushing.client.get("/admin/stats.csv").text
        assert "face,no_face,,1" in csv_text and "outcome,in_review,,0" in csv_text
        api = pushing.client.get(
            "/api/v1/stats", headers=bearer(pushing.seed.token("viewer"))
        ).json()
        assert api["faces"]["no_face"] == 1 and "in_review" in api["outcomes"]

    def test_every_chart_has_a_table_with_the_same_numbers(self, pushing: Pushing):
        self.seed(pushing)
        as_role(pushing, "viewer")
        page = pushing.client.get("/admin/stats").text
        sections = page.split('<section class="card">')[1:6]  # the five charts
        assert len(sections) == 5
        for section in sections:
            assert '<figure class="chart"' in section
            assert "<details><summary>As a table</summary>" in section and "<table>" in section
        faces = sections[2]
        assert re.search(r'<th scope="row">No faces in it</th><td>1</td>', faces)
        outcomes = sections[3]
        assert re.search(r'<th scope="row">Rejected</th><td>1</td>', outcomes)

    def test_a_submission_without_a_theme_is_a_dash_in_the_theme_table(self, pushing: Pushing):
        pushing.seed.submission(face="show", status="new", theme=None, at=pushing.clock())
        as_role(pushing, "viewer")
        page = pushing.client.get("/admin/stats").text
        theme_table = page.split('<section class="card">')[1]
        assert '<th scope="row">—</th>' in theme_table
        assert "None" not in theme_table

    def test_chart_text_is_html_not_shrinking_svg_text(self, pushing: Pushing):
        # SVG text scales down with its viewBox (12 units drew ~6 px on a 390 px phone):
        # labels and numbers are HTML text, the SVG only draws the bars.
        self.seed(pushing)
        as_role(pushing, "viewer")
        page = pushing.client.get("/admin/stats").text
        assert "<text" not in page
        assert page.count('<span class="bar-label"') >= 4
