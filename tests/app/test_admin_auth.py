"""Admin API authentication and roles: 401s, 403s per role on every route, declared roles."""

# No `from __future__ import annotations`: a route below uses a local dependency alias.

from datetime import timedelta
from typing import Annotated

import fastapi.routing
import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute

from app.admin.auth import (
    Caller,
    GuardedRoute,
    Guards,
    Role,
    required_role,
)

# The whole admin surface and each route's minimum role (design.md §7). A new route must be
# added here on purpose: this doubles as the route inventory (OWASP API9).
ROUTES = {
    ("GET", "/api/v1/themes"): "viewer",
    ("POST", "/api/v1/themes"): "admin",
    ("PATCH", "/api/v1/themes/{slug}"): "admin",
    ("GET", "/api/v1/guideline"): "viewer",
    ("GET", "/api/v1/guideline/agreements"): "viewer",
    ("PUT", "/api/v1/guideline/entries/{entry_id}"): "admin",
    ("DELETE", "/api/v1/guideline/entries/{entry_id}"): "admin",
    ("PUT", "/api/v1/guideline/categories/{slug}"): "admin",
    ("GET", "/api/v1/submissions"): "viewer",
    ("GET", "/api/v1/submissions/{submission_id}"): "viewer",
    ("PATCH", "/api/v1/submissions/{submission_id}"): "reviewer",
    ("PUT", "/api/v1/submissions/{submission_id}/reactions"): "reviewer",
    ("GET", "/api/v1/media/{media_id}/{variant}"): "viewer",
    ("POST", "/api/v1/media/{media_id}/check"): "reviewer",
    ("PUT", "/api/v1/media/{media_id}/blurred"): "reviewer",
    ("GET", "/api/v1/jobs"): "admin",
    ("POST", "/api/v1/jobs/{job_id}/retry"): "admin",
    ("GET", "/api/v1/tokens"): "admin",
    ("POST", "/api/v1/tokens"): "admin",
    ("DELETE", "/api/v1/tokens/{token_id}"): "admin",
    ("GET", "/api/v1/sites"): "admin",
    ("POST", "/api/v1/sites"): "admin",
    ("PATCH", "/api/v1/sites/{site_id}"): "admin",
    ("DELETE", "/api/v1/sites/{site_id}"): "admin",
    ("POST", "/api/v1/exports"): "reviewer",
    ("POST", "/api/v1/privacy/erasures"): "admin",
    ("POST", "/api/v1/privacy/purge"): "admin",
}
RANK = {"viewer": 1, "reviewer": 2, "admin": 3}


def concrete(path: str, seeded) -> str:
    """A route path with real ids filled in."""
    return (
        path.replace("{submission_id}", seeded.id)
        .replace("{media_id}", seeded.media[0].id)
        .replace("{variant}", "thumbnail")
        .replace("{job_id}", "1")
        .replace("{token_id}", "01JD0000000000000000000000")
    )


def call(client, method: str, url: str, headers: dict[str, str] | None = None):
    body = {
        "PATCH": {"status": "in_review"},
        "POST": {"name": "probe", "role": "viewer"} if url.endswith("/tokens") else None,
    }.get(method)
    return client.request(method, url, headers=headers or {}, json=body)


def admin_routes(app: FastAPI) -> list[APIRoute]:
    """Every APIRoute of the app under /api/v1, however FastAPI nests included routers."""
    found: list[APIRoute] = []
    contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    entries = (
        [(c.original_route, c.path) for c in contexts(app.routes)]
        if contexts is not None
        else [(r, getattr(r, "path", "")) for r in app.routes]
    )
    for route, path in entries:
        if isinstance(route, APIRoute) and (path or "").startswith("/api/v1"):
            found.append(route)
    return found


class TestDeclaredRoles:
    def test_every_admin_route_declares_a_role(self, admin_app: FastAPI) -> None:
        routes = admin_routes(admin_app)
        assert len(routes) == len(ROUTES)
        for route in routes:
            assert required_role(route.dependant) is not None, route.path

    def test_the_openapi_document_lists_exactly_these_routes_and_roles(
        self, admin_app: FastAPI
    ) -> None:
        doc = admin_app.openapi()
        found = {
            (method.upper(), path): op.get("x-required-role")
            for path, ops in doc["paths"].items()
            if path.startswith("/api/v1")
            for method, op in ops.items()
        }
        assert found == ROUTES

    def test_a_route_without_a_role_cannot_even_be_built(self, db, clock) -> None:
        router = APIRouter(route_class=GuardedRoute)
        with pytest.raises(RuntimeError, match="declares no role"):

            @router.get("/open")
            def wide_open() -> dict[str, str]:
                """Forgot the guard."""
                return {}

    def test_the_highest_guard_of_a_route_is_its_role(self, db, clock) -> None:
        guards = Guards.build()
        router = APIRouter(route_class=GuardedRoute)

        @router.get("/x")
        def both(
            _a: Annotated[Caller, Depends(guards.viewer)],
            _b: Annotated[Caller, Depends(guards.admin)],
        ) -> dict[str, str]:
            """Two guards."""
            return {}

        route = router.routes[0]
        assert isinstance(route, APIRoute)
        assert required_role(route.dependant) is Role.ADMIN

    def test_summaries_come_from_the_docstrings(self, admin_app: FastAPI) -> None:
        doc = admin_app.openapi()
        summary = doc["paths"]["/api/v1/submissions"]["get"]["summary"]
        assert summary == "List submissions, newest first, with filters and cursor paging."
        assert doc["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


class TestUnauthenticated:
    @pytest.mark.parametrize(
        "header",
        [
            None,
            "",
            "garbage",
            "Bearer",
            "Bearer ",
            "Bearer two words",
            "Bearer tok\u00e9n".encode(),  # raw UTF-8 bytes on the wire
            "Bearer " + "a" * 300,
            "Basic dXNlcjpwYXNz",
            "Token gba_whatever",
            "Bearer gba_unknown-token",
        ],
    )
    def test_a_missing_malformed_or_unknown_token_gets_401_with_a_challenge(
        self, client, seed, header
    ) -> None:
        headers = {} if header is None else {"Authorization": header}
        r = client.get("/api/v1/themes", headers=headers)
        assert r.status_code == 401
        assert r.headers["WWW-Authenticate"] == "Bearer"
        assert isinstance(r.json()["detail"], str)

    def test_a_revoked_token_gets_401(self, client, seed) -> None:
        token = seed.token("admin")
        assert client.get("/api/v1/themes", headers={"Authorization": f"Bearer {token}"}).is_success
        seed.revoke(token)
        r = client.get("/api/v1/themes", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401
        assert r.headers["WWW-Authenticate"] == "Bearer"

    def test_the_scheme_is_case_insensitive(self, client, seed) -> None:
        token = seed.token("viewer")
        assert client.get("/api/v1/themes", headers={"Authorization": f"bearer {token}"}).is_success

    def test_a_line_signature_is_no_admin_credential(self, client, seed) -> None:
        r = client.get("/api/v1/themes", headers={"X-Line-Signature": "c2lnbmF0dXJl"})
        assert r.status_code == 401

    @pytest.mark.parametrize(("method", "path"), sorted(ROUTES))
    def test_every_route_answers_401_without_a_token(self, client, seed, method, path) -> None:
        r = call(client, method, concrete(path, seed.submission()))
        assert r.status_code == 401
        assert r.headers["WWW-Authenticate"] == "Bearer"

    def test_bad_query_parameters_from_an_anonymous_caller_get_401_not_422(
        self, client, seed
    ) -> None:
        assert client.get("/api/v1/submissions?limit=-5&status=bogus").status_code == 401

    def test_a_broken_body_from_an_anonymous_caller_gets_401_not_422(self, client, seed) -> None:
        s = seed.submission()
        r = client.patch(
            f"/api/v1/submissions/{s.id}",
            content=b'{"status": "approved", "note": ',
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 401

    def test_routes_mounted_without_the_token_gate_let_nobody_in(
        self, db, blobs, clock, seed
    ) -> None:
        from fastapi.testclient import TestClient

        from app.admin.router import admin_router

        bare = FastAPI()
        bare.include_router(admin_router(db=db, blobs=blobs, clock=clock), prefix="/api/v1")
        token = seed.token("admin")
        with TestClient(bare) as c:
            r = c.get("/api/v1/themes", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401


class TestRoles:
    @pytest.mark.parametrize(("method", "path"), sorted(ROUTES))
    @pytest.mark.parametrize("role", ["viewer", "reviewer", "admin"])
    def test_each_role_gets_403_below_the_routes_minimum_and_in_at_or_above_it(
        self, client, seed, as_role, method, path, role
    ) -> None:
        r = call(client, method, concrete(path, seed.submission()), as_role(role))
        if RANK[role] < RANK[ROUTES[(method, path)]]:
            assert r.status_code == 403
            assert "role" in r.json()["detail"]
        else:
            # Let in: whatever the route answers, it is not an auth failure.
            assert r.status_code not in (401, 403)

    def test_an_unknown_stored_role_reaches_nothing(self, client, seed, db) -> None:
        token = seed.token("viewer")
        from storage.models import ApiToken
        from storage.tokens import lookup

        with db.write() as s:
            row = s.get(ApiToken, lookup(s, token, now=seed.clock()).id)
            row.role = "superuser"
        r = client.get("/api/v1/themes", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 403


class TestUnexpectedVerbs:
    @pytest.mark.parametrize("method", ["DELETE", "PUT", "TRACE", "POST"])
    def test_verbs_a_route_does_not_serve_get_405(self, client, seed, as_role, method) -> None:
        s = seed.submission()
        r = client.request(method, f"/api/v1/submissions/{s.id}", headers=as_role("admin"))
        assert r.status_code == 405


class TestLastUsed:
    def test_use_is_recorded_at_most_once_a_minute(self, client, seed, clock) -> None:
        token = seed.token("viewer")
        headers = {"Authorization": f"Bearer {token}"}
        assert seed.token_row(token).last_used_at is None
        first = clock.now
        assert client.get("/api/v1/themes", headers=headers).is_success
        assert seed.token_row(token).last_used_at == first

        clock.advance(seconds=30)
        assert client.get("/api/v1/themes", headers=headers).is_success
        assert seed.token_row(token).last_used_at == first  # no write within the minute

        clock.advance(seconds=31)
        assert client.get("/api/v1/themes", headers=headers).is_success
        assert seed.token_row(token).last_used_at == first + timedelta(seconds=61)

    def test_a_refused_token_is_not_marked_used(self, client, seed) -> None:
        token = seed.token("viewer")
        seed.revoke(token)
        client.get("/api/v1/themes", headers={"Authorization": f"Bearer {token}"})
        assert seed.token_row(token).last_used_at is None
