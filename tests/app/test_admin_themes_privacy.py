"""`GET /api/v1/themes`, and what no admin response may ever contain (LINE ids, storage paths)."""

from __future__ import annotations

import json

from storage import jobs

PUBLICATION = {"platform": "x", "url": "https://x.test/post/1"}


class TestThemes:
    def test_themes_in_display_order_with_translations(self, client, seed, as_role) -> None:
        seed.theme("event", "イベント", sort_order=-1, month="2026-11", description="行事の写真")
        seed.theme("old", "昔の写真", sort_order=5, active=False, translations="not json")
        r = client.get("/api/v1/themes", headers=as_role("viewer"))
        assert r.status_code == 200
        plain = {"descriptions", "examples", "starts_on", "ends_on", "sort_order"}
        items = [{k: v for k, v in t.items() if k not in plain} for t in r.json()["items"]]
        assert {"items": items} == {
            "items": [
                {
                    "slug": "event",
                    "title": "イベント",
                    "translations": {},
                    "description": "行事の写真",
                    "month": "2026-11",
                    "active": True,
                },
                {
                    "slug": "daily",
                    "title": "日々の仕事",
                    "translations": {"en": "Daily work"},
                    "description": "",
                    "month": None,
                    "active": True,
                },
                {
                    "slug": "old",
                    "title": "昔の写真",
                    "translations": {},  # damaged JSON shows as none, not as a 500
                    "description": "",
                    "month": None,
                    "active": False,
                },
            ]
        }


class TestNothingPrivateLeaks:
    def test_no_line_user_id_or_storage_path_in_any_admin_response(
        self, client, seed, as_role, db, tmp_path
    ) -> None:
        shown = seed.submission(
            status="approved", face="blur", variants=("original", "thumbnail", "blurred")
        )
        idea = seed.submission(photos=0, face=None)
        with db.write() as s:
            jobs.enqueue(
                s,
                jobs.JobSpec(kind=jobs.PROFILE, payload=json.dumps({"user": shown.line_user_id})),
                now=seed.clock(),
            )
        admin = as_role("admin")
        responses = [
            client.get("/api/v1/themes", headers=admin),
            client.get("/api/v1/submissions", headers=admin),
            client.get("/api/v1/submissions", params={"q": shown.code}, headers=admin),
            client.get(f"/api/v1/submissions/{shown.id}", headers=admin),
            client.get(f"/api/v1/submissions/{idea.id}", headers=admin),
            client.post(f"/api/v1/media/{shown.media[0].id}/check", headers=admin),
            client.patch(
                f"/api/v1/submissions/{shown.id}",
                json={"status": "published", **PUBLICATION},
                headers=admin,
            ),
            client.patch(f"/api/v1/submissions/{idea.id}", json={"status": "new"}, headers=admin),
            client.get("/api/v1/jobs", headers=admin),
            client.get(
                f"/api/v1/media/{shown.media[0].id}/thumbnail",
                params={"reason": "crop check"},
                headers=admin,
            ),
            client.get(f"/api/v1/media/{shown.media[0].id}/original", headers=admin),  # 403
        ]
        assert [r.status_code for r in responses] == [200] * 10 + [403]
        assert seed.line_user_ids  # the check below is not vacuous
        private = [*seed.line_user_ids, str(tmp_path), *shown.media[0].keys.values(), "line_"]
        for r in responses:
            text = r.text if r.headers["Content-Type"].startswith("application/json") else ""
            text += json.dumps(dict(r.headers))
            for secret in private:
                assert secret not in text, (r.request.url, secret)
