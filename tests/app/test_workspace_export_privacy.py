"""The /admin export page and privacy page: roles, CSRF, limits, and what they do."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from app.admin import exports
from storage import erasure
from tests.app.conftest import Served
from tests.app.workspace_kit import person, signed_in


def as_(web: TestClient, served: Served, role: str) -> str:
    return signed_in(web, person(served.db, served.clock, role))


def codes_in_zip(body: bytes) -> list[str]:
    z = zipfile.ZipFile(io.BytesIO(body))
    return [i["code"] for i in json.loads(z.read("manifest.json"))["items"]]


def files(served: Served) -> list[str]:
    return [b.key for b in served.services.blobs.listing()]


class TestExportPage:
    def test_a_reviewer_ticks_items_and_downloads_them(self, served, web, seed_served) -> None:
        a = seed_served.submission(status="approved", theme=None, comment="朝礼")
        b = seed_served.submission(status="published", theme=None)
        new = seed_served.submission(status="new", theme=None)
        csrf = as_(web, served, "reviewer")
        page = web.get("/admin/export")
        assert page.status_code == 200
        assert a.code in page.text and b.code in page.text and new.code not in page.text
        r = web.post(
            "/admin/export", data={"csrf_token": csrf, "scope": "selected", "id": [b.id, a.id]}
        )
        assert r.status_code == 200
        assert r.headers["Content-Type"] == "application/zip"
        assert codes_in_zip(r.content) == [b.code, a.code]

    def test_all_matching_takes_the_filter_from_the_address(self, served, web, seed_served) -> None:
        seed_served.submission(status="approved", theme=None, comment="朝礼")
        wanted = seed_served.submission(status="approved", theme=None, comment="フォークリフト")
        csrf = as_(web, served, "reviewer")
        r = web.post("/admin/export?q=フォーク", data={"csrf_token": csrf, "scope": "all"})
        assert r.status_code == 200
        assert codes_in_zip(r.content) == [wanted.code]

    def test_the_gallery_links_to_the_export_with_its_filters(
        self, served, web, seed_served
    ) -> None:
        as_(web, served, "reviewer")
        page = web.get("/admin", params={"q": "朝礼", "status": "new"}).text
        assert 'href="/admin/export?q=%E6%9C%9D%E7%A4%BC"' in page

    def test_an_item_page_offers_its_own_export(self, served, web, seed_served) -> None:
        a = seed_served.submission(status="approved", theme=None)
        n = seed_served.submission(status="new", theme=None)
        as_(web, served, "reviewer")
        assert 'id="export-item"' in web.get(f"/admin/items/{a.id}").text
        assert 'id="export-item"' not in web.get(f"/admin/items/{n.id}").text

    def test_nothing_ticked_is_422_and_nothing_exportable_is_404(
        self, served, web, seed_served
    ) -> None:
        w = seed_served.submission(status="withdrawn", theme=None)
        csrf = as_(web, served, "reviewer")
        r = web.post("/admin/export", data={"csrf_token": csrf, "scope": "selected"})
        assert r.status_code == 422 and "tick at least one" in r.text
        r = web.post("/admin/export", data={"csrf_token": csrf, "id": [w.id]})
        assert r.status_code == 404
        assert "Traceback" not in r.text

    def test_selection_limits_are_capped(self, served, web, seed_served) -> None:
        a = seed_served.submission(status="approved", theme=None)
        csrf = as_(web, served, "reviewer")
        over = web.post(
            "/admin/export", data={"csrf_token": csrf, "id": [a.id] * (exports.MAX_ITEMS + 1)}
        )
        assert over.status_code == 422
        flood = web.post(
            "/admin/export", data={"csrf_token": csrf, "id": [a.id] * (exports.MAX_ITEMS + 40)}
        )
        assert flood.status_code == 400
        ok = web.post("/admin/export", data={"csrf_token": csrf, "id": [a.id] * exports.MAX_ITEMS})
        assert ok.status_code == 200 and codes_in_zip(ok.content) == [a.code]

    @pytest.mark.parametrize("token", [None, "", "forged"])
    def test_without_the_sessions_csrf_token_it_is_refused(
        self, served, web, seed_served, token
    ) -> None:
        a = seed_served.submission(status="approved", theme=None)
        as_(web, served, "reviewer")
        data = {"id": a.id} if token is None else {"csrf_token": token, "id": a.id}
        r = web.post("/admin/export", data=data)
        assert r.status_code == 403
        assert "zip" not in r.headers["Content-Type"]

    def test_a_viewer_can_neither_see_nor_use_it(self, served, web, seed_served) -> None:
        a = seed_served.submission(status="approved", theme=None)
        csrf = as_(web, served, "viewer")
        assert web.get("/admin/export").status_code == 403
        assert web.post("/admin/export", data={"csrf_token": csrf, "id": a.id}).status_code == 403
        assert 'href="/admin/export"' not in web.get("/admin").text
        assert 'id="export-item"' not in web.get(f"/admin/items/{a.id}").text

    def test_without_a_session_it_leads_to_sign_in(self, served, web, seed_served) -> None:
        r = web.get("/admin/export", follow_redirects=False)
        assert r.status_code == 303 and r.headers["Location"] == "/admin/sign-in"


class TestPrivacyPage:
    def test_an_admin_checks_first_then_confirms(self, served, web, seed_served) -> None:
        gone = seed_served.submission(status="approved", theme=None, photos=2)
        kept = seed_served.submission(status="approved", theme=None)
        csrf = as_(web, served, "admin")
        item = web.get(f"/admin/items/{gone.id}").text
        assert f"/admin/privacy?worker={gone.code}" in item
        page = web.get(f"/admin/privacy?worker={gone.code}")
        assert page.status_code == 200 and f'value="{gone.code}"' in page.text

        plan = web.post("/admin/privacy/erase", data={"csrf_token": csrf, "worker": gone.code})
        assert plan.status_code == 200
        assert "This would delete 1 submission, 2 photos" in plan.text
        assert 'id="erase-confirm"' in plan.text
        assert len(files(served)) == 6  # nothing yet

        done = web.post(
            "/admin/privacy/erase", data={"csrf_token": csrf, "worker": gone.code, "confirm": "yes"}
        )
        assert done.status_code == 200
        assert erasure.reference_of(gone.contributor_id) in done.text
        assert sorted(files(served)) == sorted(kept.media[0].keys.values())
        assert web.get(f"/admin/items/{gone.id}").status_code == 404

        again = web.post(
            "/admin/privacy/erase",
            data={"csrf_token": csrf, "worker": gone.contributor_id, "confirm": "yes"},
        )
        assert again.status_code == 200 and "deleted already" in again.text

    def test_retention_purge_from_the_page(self, served, web, seed_served) -> None:
        t = served.clock()
        old = seed_served.submission(status="rejected", theme=None, at=t - timedelta(days=60))
        csrf = as_(web, served, "admin")
        plan = web.post("/admin/privacy/purge", data={"csrf_token": csrf, "days": "30"})
        assert "This would purge 1 rejected item" in plan.text
        assert len(files(served)) == 2
        done = web.post(
            "/admin/privacy/purge", data={"csrf_token": csrf, "days": "30", "confirm": "yes"}
        )
        assert "Purged 1 rejected item" in done.text
        assert files(served) == []
        assert web.get(f"/admin/items/{old.id}").status_code == 404

    @pytest.mark.parametrize("days", ["", "0", "3651", "x", "1e3"])
    def test_purge_days_out_of_range_are_422(self, served, web, seed_served, days) -> None:
        csrf = as_(web, served, "admin")
        r = web.post(
            "/admin/privacy/purge", data={"csrf_token": csrf, "days": days, "confirm": "yes"}
        )
        assert r.status_code == 422

    @pytest.mark.parametrize("worker", ["", "x" * 65, "a\x01b", "ZZZ-ZZZ"])
    def test_odd_worker_values_delete_nothing(self, served, web, seed_served, worker) -> None:
        seed_served.submission(theme=None)
        csrf = as_(web, served, "admin")
        r = web.post(
            "/admin/privacy/erase", data={"csrf_token": csrf, "worker": worker, "confirm": "yes"}
        )
        assert r.status_code in (404, 422)
        assert len(files(served)) == 2

    @pytest.mark.parametrize("role", ["viewer", "reviewer"])
    def test_below_admin_cannot_delete_a_worker_or_purge(
        self, served, web, seed_served, role
    ) -> None:
        s = seed_served.submission(
            status="rejected", theme=None, at=served.clock() - timedelta(days=90)
        )
        csrf = as_(web, served, role)
        assert web.get("/admin/privacy").status_code == 403
        r = web.post(
            "/admin/privacy/erase", data={"csrf_token": csrf, "worker": s.code, "confirm": "yes"}
        )
        assert r.status_code == 403
        r = web.post(
            "/admin/privacy/purge", data={"csrf_token": csrf, "days": "1", "confirm": "yes"}
        )
        assert r.status_code == 403
        assert len(files(served)) == 2

    def test_without_the_csrf_token_nothing_is_deleted(self, served, web, seed_served) -> None:
        s = seed_served.submission(theme=None)
        as_(web, served, "admin")
        r = web.post("/admin/privacy/erase", data={"worker": s.code, "confirm": "yes"})
        assert r.status_code == 403
        r = web.post(
            "/admin/privacy/erase", data={"csrf_token": "x", "worker": s.code, "confirm": "yes"}
        )
        assert r.status_code == 403
        assert len(files(served)) == 2


class TestPrivacyApi:
    def test_reviewers_are_refused_admins_may(self, served, web, seed_served) -> None:
        s = seed_served.submission(theme=None)
        reviewer, admin = seed_served.token("reviewer"), seed_served.token("admin")
        body = {"worker": s.contributor_id}
        r = web.post(
            "/api/v1/privacy/erasures", json=body, headers={"Authorization": f"Bearer {reviewer}"}
        )
        assert r.status_code == 403
        r = web.post(
            "/api/v1/privacy/purge",
            json={"days": 1},
            headers={"Authorization": f"Bearer {reviewer}"},
        )
        assert r.status_code == 403
        assert len(files(served)) == 2
        h = {"Authorization": f"Bearer {admin}"}
        dry = web.post("/api/v1/privacy/erasures", json={**body, "dry_run": True}, headers=h)
        assert dry.status_code == 200 and dry.json()["dry_run"] and dry.json()["submissions"] == 1
        done = web.post("/api/v1/privacy/erasures", json=body, headers=h)
        assert done.status_code == 200
        assert done.json() | {"reference": "-"} == {
            "reference": "-",
            "found": True,
            "already": False,
            "submissions": 1,
            "media": 1,
            "events": 0,
            "jobs": 0,
            "files": 2,
            "dry_run": False,
        }
        again = web.post("/api/v1/privacy/erasures", json=body, headers=h)
        assert again.json()["already"] is True and again.json()["found"] is False

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"worker": ""},
            {"worker": "x" * 65},
            {"worker": "a\x00b"},
            {"worker": 5},
            {"worker": "a", "extra": 1},
        ],
    )
    def test_malformed_erasure_orders_are_422(self, served, web, seed_served, body) -> None:
        admin = seed_served.token("admin")
        r = web.post(
            "/api/v1/privacy/erasures", json=body, headers={"Authorization": f"Bearer {admin}"}
        )
        assert r.status_code == 422

    def test_purge_needs_days_or_the_setting(self, served, web, seed_served) -> None:
        h = {"Authorization": f"Bearer {seed_served.token('admin')}"}
        assert web.post("/api/v1/privacy/purge", json={}, headers=h).status_code == 422
        for days in (0, 3651, "x"):
            assert (
                web.post("/api/v1/privacy/purge", json={"days": days}, headers=h).status_code == 422
            )
        r = web.post("/api/v1/privacy/purge", json={"days": 30, "dry_run": True}, headers=h)
        assert r.status_code == 200 and r.json()["cutoff"].endswith("Z")
