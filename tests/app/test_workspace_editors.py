"""Themes and the guideline kept from the pages, by the admin API's own rules; examples and
sites on the item page and the gallery."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from storage import audit, guideline, sites, submissions, themes
from tests.app.conftest import Seeder, Served
from tests.app.workspace_kit import person, signed_in


def version(served: Served) -> int:
    with served.db.read() as s:
        return guideline.version(s)


class TestThemes:
    def test_an_admin_creates_translates_schedules_and_retires_a_theme(
        self, served: Served, web: TestClient
    ) -> None:
        token = signed_in(web, person(served.db, served.clock, "admin"))
        made = web.post(
            "/admin/themes",
            data={
                "csrf_token": token,
                "slug": "summer-safety",
                "title": "夏の安全対策",
                "description": "暑さ対策の工夫を送ってください",
                "example-ja": "冷却ベストを着た様子",
                "month": "2026-07",
            },
            follow_redirects=False,
        )
        assert made.status_code == 303 and made.headers["location"] == "/admin/themes/summer-safety"
        fields = {f"title-{x}": "" for x in ("ja-x-easy", "vi", "pt-BR", "id", "tl", "zh-Hans")}
        changed = web.post(
            "/admin/themes/summer-safety",
            data={
                **fields,
                "csrf_token": token,
                "title-ja": "夏の安全対策",
                "title-en": "Summer safety",
                "description-ja": "暑さ対策の工夫を送ってください",
                "example-en": "Someone wearing a cooling vest",
                "month": "2026-07",
                "starts_on": "2026-07-01",
                "ends_on": "2026-07-31",
                "sort_order": "-1",
            },
            follow_redirects=False,
        )
        assert changed.status_code == 303
        api = web.get("/api/v1/themes", headers=served_token(served, web)).json()["items"]
        theme = next(t for t in api if t["slug"] == "summer-safety")
        assert theme["translations"] == {"en": "Summer safety"}
        assert theme["examples"] == {"en": "Someone wearing a cooling vest"}
        assert (theme["starts_on"], theme["ends_on"], theme["month"]) == (
            "2026-07-01",
            "2026-07-31",
            "2026-07",
        )
        retired = web.post(
            "/admin/themes/summer-safety", data={"csrf_token": token, "action": "retire"}
        )
        assert retired.status_code == 200 and "Offer it again" in retired.text
        with served.db.read() as s:
            found = themes.get(s, "summer-safety")
            assert found is not None and found.active is False
            actions = [e.action for e in audit.for_target(s, "theme", "summer-safety")]
        assert actions == ["theme_create", "theme_change", "theme_change"]

    def test_bad_forms_are_answered_on_the_page_and_change_nothing(
        self, served: Served, web: TestClient
    ) -> None:
        token = signed_in(web, person(served.db, served.clock, "admin"))
        with served.db.read() as s:
            before = [t.slug for t in themes.list_all(s)]
        bad_slug = web.post(
            "/admin/themes", data={"csrf_token": token, "slug": "Bad Slug!", "title": "x"}
        )
        assert bad_slug.status_code == 422 and "slug" in bad_slug.text
        backwards = web.post(
            "/admin/themes",
            data={
                "csrf_token": token,
                "slug": "later",
                "title": "<script>alert(1)</script>",
                "starts_on": "2026-08-01",
                "ends_on": "2026-07-01",
            },
        )
        assert backwards.status_code == 422 and "before" in backwards.text
        assert "<script>alert(1)</script>" not in backwards.text  # the refilled form is escaped
        taken = web.post(
            "/admin/themes", data={"csrf_token": token, "slug": before[0], "title": "x"}
        )
        assert taken.status_code == 409 and "exists already" in taken.text
        no_csrf = web.post("/admin/themes", data={"slug": "sneaky", "title": "x"})
        assert no_csrf.status_code == 403
        huge = web.post(
            f"/admin/themes/{before[0]}",
            data={"csrf_token": token, "title-ja": "x" * 5000, "sort_order": "1"},
        )
        assert huge.status_code in (413, 422)
        assert web.post("/admin/themes/no-such", data={"csrf_token": token}).status_code == 404
        with served.db.read() as s:
            assert [t.slug for t in themes.list_all(s)] == before

    def test_a_viewer_sees_the_themes_but_cannot_change_them(
        self, served: Served, web: TestClient
    ) -> None:
        token = signed_in(web, person(served.db, served.clock, "reviewer"))
        page = web.get("/admin/themes")
        assert page.status_code == 200 and "New theme" not in page.text
        refused = web.post("/admin/themes", data={"csrf_token": token, "slug": "x", "title": "x"})
        assert refused.status_code == 403


class TestGuideline:
    def test_an_admin_adds_edits_and_deletes_entries_each_a_new_version(
        self, served: Served, web: TestClient
    ) -> None:
        token = signed_in(web, person(served.db, served.clock, "admin"))
        start = version(served)
        form = web.get("/admin/guideline/new").text
        category = re.search(r'<option value="([a-z0-9-]+)"', form)
        assert category is not None
        added = web.post(
            "/admin/guideline/entries",
            data={
                "csrf_token": token,
                "entry_id": "forklift-zone",
                "category": category.group(1),
                "title-ja": "フォークリフト通路",
                "body-ja": "通路で撮るときは立ち止まってから。",
                "keywords-ja": "フォークリフト, 通路",
                "title-en": "Forklift lanes",
                "body-en": "Stop before you take a photo in a lane.",
            },
            follow_redirects=False,
        )
        assert added.status_code == 303
        assert version(served) == start + 1
        page = web.get("/admin/guideline").text
        assert "フォークリフト通路" in page and f"version {start + 1}" in page
        edit = web.get("/admin/guideline/entries/forklift-zone").text
        assert "Forklift lanes" in edit and "フォークリフト, 通路" in edit
        again = web.post(
            "/admin/guideline/entries",
            data={"csrf_token": token, "entry_id": "forklift-zone", "category": category.group(1)},
        )
        assert again.status_code == 422  # no Japanese text: every language's fallback
        duplicate = web.post(
            "/admin/guideline/entries",
            data={
                "csrf_token": token,
                "entry_id": "forklift-zone",
                "category": category.group(1),
                "title-ja": "別物",
                "body-ja": "上書きしない",
            },
        )
        assert duplicate.status_code == 409  # a new entry never replaces one by accident
        deleted = web.post(
            "/admin/guideline/entries/forklift-zone/delete",
            data={"csrf_token": token},
            follow_redirects=False,
        )
        assert deleted.status_code == 303 and version(served) == start + 2
        with served.db.read() as s:
            assert guideline.get_entry(s, "forklift-zone") is None
        gone = web.post("/admin/guideline/entries/forklift-zone/delete", data={"csrf_token": token})
        assert gone.status_code == 404 and version(served) == start + 2

    def test_the_page_and_the_api_say_who_agreed_to_which_version(
        self, served: Served, web: TestClient, seed_served: Seeder
    ) -> None:
        current = version(served)
        agreed, _ = seed_served.contributor("佐藤 一郎")
        older, _ = seed_served.contributor("Nguyen Van An")
        seed_served.contributor("未同意 太郎")
        with served.db.write() as s:
            guideline.agree(s, agreed, agreed=current, now=served.clock())
            guideline.agree(s, older, agreed=current - 1, now=served.clock())
        signed_in(web, person(served.db, served.clock, "viewer"))
        page = web.get("/admin/guideline").text
        assert "佐藤 一郎" in page and "Nguyen Van An" in page and "未同意 太郎" in page
        assert "Edit" not in page and "Add an entry" not in page
        api = web.get("/api/v1/guideline/agreements", headers=served_token(served, web)).json()
        assert api["version"] == current
        counts = {row["version"]: row["workers"] for row in api["by_version"]}
        assert counts == {None: 1, current - 1: 1, current: 1}
        assert all(not w["contributor"].startswith("U") for w in api["workers"])  # never LINE ids
        assert web.get("/admin/guideline/new").status_code == 403


class TestItemPage:
    def test_a_reviewer_marks_an_example_and_takes_it_back(
        self, served: Served, web: TestClient, seed_served: Seeder
    ) -> None:
        item = seed_served.submission(status="approved")
        token = signed_in(web, person(served.db, served.clock, "reviewer"))
        url = f"/admin/items/{item.id}/review"
        assert web.post(url, data={"csrf_token": token, "action": "example"}).status_code == 200
        with served.db.read() as s:
            assert submissions.get(s, item.id).submission.example is True  # type: ignore[union-attr]
        page = web.get(f"/admin/items/{item.id}").text
        assert "yes: shown in LINE" in page and "Stop showing as an example" in page
        web.post(url, data={"csrf_token": token, "action": "not-example"})
        with served.db.read() as s:
            assert submissions.get(s, item.id).submission.example is False  # type: ignore[union-attr]
        odd = web.post(url, data={"csrf_token": token, "action": "<b>"})
        assert odd.status_code == 422

    def test_a_withdrawn_item_cannot_become_an_example(
        self, served: Served, web: TestClient, seed_served: Seeder
    ) -> None:
        item = seed_served.submission(status="withdrawn")
        token = signed_in(web, person(served.db, served.clock, "reviewer"))
        answer = web.post(
            f"/admin/items/{item.id}/review", data={"csrf_token": token, "action": "example"}
        )
        assert answer.status_code == 200 and "cannot be an example" in answer.text

    def test_the_site_shows_on_the_item_and_filters_the_gallery(
        self, served: Served, web: TestClient, seed_served: Seeder
    ) -> None:
        with served.db.write() as s:
            plant = sites.create(s, name="Kawasaki plant", actor="t", now=served.clock())
        worker = seed_served.contributor()
        with served.db.write() as s:
            sites.set_worker_site(s, worker[0], site_id=plant.id, now=served.clock())
        there = seed_served.submission(contributor=worker)
        elsewhere = seed_served.submission()
        signed_in(web, person(served.db, served.clock, "viewer"))
        assert "Kawasaki plant" in web.get(f"/admin/items/{there.id}").text
        assert "none picked" in web.get(f"/admin/items/{elsewhere.id}").text
        filtered = web.get("/admin", params={"site": plant.id}).text
        assert there.code in filtered and elsewhere.code not in filtered
        odd = web.get("/admin", params={"site": "../../etc"})
        assert odd.status_code == 200 and "unknown site" in odd.text


def served_token(served: Served, web: TestClient) -> dict[str, str]:
    """A bearer header for the admin API of the same app."""
    from storage import tokens

    with served.db.write() as s:
        secret = tokens.create(s, name="pages-test", role="admin", now=served.clock())
    return {"Authorization": f"Bearer {secret}"}
