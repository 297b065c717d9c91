"""`/api/v1/tokens`: an admin lists, creates (secret shown once) and revokes tokens; tokens end."""

from __future__ import annotations

import pytest

from storage import audit
from tests.app.conftest import bearer


class TestCreate:
    def test_an_admin_creates_a_token_that_works_at_once_and_sees_its_secret_once(
        self, client, as_role, db
    ) -> None:
        r = client.post(
            "/api/v1/tokens",
            json={"name": "広報 田中", "role": "reviewer", "expires_in_days": 30},
            headers=as_role("admin"),
        )
        assert r.status_code == 201, r.text
        assert r.headers["cache-control"] == "no-store"
        made = r.json()
        assert made["token"].startswith("gba_")
        assert (made["name"], made["role"], made["status"]) == ("広報 田中", "reviewer", "active")
        assert made["created_at"] == "2026-11-27T09:00:00Z"
        assert made["expires_at"] == "2026-12-27T09:00:00Z"
        assert made["last_used_at"] is None and made["revoked_at"] is None
        use = client.get("/api/v1/submissions", headers=bearer(made["token"]))
        assert use.status_code == 200

        listing = client.get("/api/v1/tokens", headers=as_role("admin")).json()["items"]
        (mine,) = [t for t in listing if t["id"] == made["id"]]
        assert "token" not in mine and "token_hash" not in mine
        assert made["token"] not in str(listing)
        with db.read() as s:
            (entry,) = audit.for_target(s, "api_token", made["id"])
        assert (entry.action, entry.actor) == ("create_token", "admin-alice")

    def test_without_an_end_a_token_never_expires(self, client, as_role) -> None:
        r = client.post(
            "/api/v1/tokens", json={"name": "ci", "role": "viewer"}, headers=as_role("admin")
        )
        assert r.status_code == 201
        assert r.json()["expires_at"] is None

    @pytest.mark.parametrize(
        "body",
        [
            {"name": "x", "role": "superuser"},
            {"name": "x", "role": "admin", "expires_in_days": -1},
            {"name": "x", "role": "admin", "expires_in_days": 0},
            {"name": "x", "role": "admin", "expires_in_days": 100_000},
            {"name": "x", "role": "admin", "expires_in_days": "soon"},
            {"name": "", "role": "admin"},
            {"name": "   ", "role": "admin"},
            {"name": "x" * 10_000, "role": "admin"},
            {"name": "a\x1b[2Jb", "role": "admin"},
            {"name": "a\u202eb", "role": "admin"},
            {"name": "x", "role": "admin", "token_hash": "0" * 64},
            {"role": "admin"},
        ],
    )
    def test_hostile_bodies_get_422_and_make_nothing(self, client, as_role, body) -> None:
        before = client.get("/api/v1/tokens", headers=as_role("admin")).json()["items"]
        r = client.post("/api/v1/tokens", json=body, headers=as_role("admin"))
        assert r.status_code == 422, r.text
        assert "x" * 200 not in r.text
        after = client.get("/api/v1/tokens", headers=as_role("admin")).json()["items"]
        assert after == before


class TestRevoke:
    def test_a_revoked_token_gets_401_and_the_list_shows_when(self, client, as_role, seed) -> None:
        victim = seed.token("reviewer", name="lost laptop")
        assert client.get("/api/v1/themes", headers=bearer(victim)).status_code == 200
        token_id = seed.token_row(victim).id
        r = client.delete(f"/api/v1/tokens/{token_id}", headers=as_role("admin"))
        assert r.status_code == 200
        assert r.json()["status"] == "revoked"
        assert r.json()["revoked_at"] == "2026-11-27T09:00:00Z"
        assert client.get("/api/v1/themes", headers=bearer(victim)).status_code == 401
        again = client.delete(f"/api/v1/tokens/{token_id}", headers=as_role("admin"))
        assert again.status_code == 200 and again.json() == r.json()

    @pytest.mark.parametrize("token_id", ["01JD0000000000000000000000", "x" * 500, "a%00b"])
    def test_an_unknown_id_is_a_404(self, client, as_role, token_id) -> None:
        r = client.delete(f"/api/v1/tokens/{token_id}", headers=as_role("admin"))
        assert r.status_code == 404


class TestEnds:
    def test_a_token_stops_working_at_its_end(self, client, as_role, clock) -> None:
        made = client.post(
            "/api/v1/tokens",
            json={"name": "temp", "role": "viewer", "expires_in_days": 1},
            headers=as_role("admin"),
        ).json()
        clock.advance(hours=23, minutes=59)
        assert client.get("/api/v1/themes", headers=bearer(made["token"])).status_code == 200
        clock.advance(minutes=1)
        r = client.get("/api/v1/themes", headers=bearer(made["token"]))
        assert r.status_code == 401
        assert r.headers["WWW-Authenticate"] == "Bearer"
        listing = client.get("/api/v1/tokens", headers=as_role("admin")).json()["items"]
        assert next(t for t in listing if t["id"] == made["id"])["status"] == "expired"

    def test_a_refusal_hints_that_tokens_belong_to_one_database(self, client) -> None:
        r = client.get("/api/v1/themes", headers=bearer("gba_made-in-another-database"))
        assert r.status_code == 401
        assert "GENBA_DATA_DIR" in r.json()["detail"]
