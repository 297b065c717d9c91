"""Signing in at /admin: sessions in the database, cookies, CSRF, lock-out, roles."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.workspace import accounts
from app.workspace.sessions import COOKIE
from storage import people
from tests.app.conftest import Served
from tests.app.workspace_kit import PASSWORD, csrf_of, person, sign_in, signed_in


def test_admin_without_a_session_leads_to_the_sign_in_page(web: TestClient) -> None:
    answer = web.get("/admin", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/sign-in"
    page = web.get("/admin")
    assert "<h1>Sign in</h1>" in page.text
    assert 'type="password"' in page.text


def test_signing_in_sets_a_session_cookie_scripts_cannot_read(
    served: Served, web: TestClient
) -> None:
    email = person(served.db, served.clock, "viewer")
    answer = sign_in(web, email)
    assert answer.status_code == 303 and answer.headers["location"] == "/admin"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(f"{COOKIE}="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/admin" in cookie
    assert "Secure" not in cookie  # plain http here
    page = web.get("/admin")
    assert page.status_code == 200 and "viewer@example.com" in page.text


def test_over_https_the_cookie_is_secure(served: Served) -> None:
    email = person(served.db, served.clock, "viewer")
    with TestClient(served.app, base_url="https://testserver") as web:
        answer = sign_in(web, email)
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(COOKIE))
    assert "Secure" in cookie


def test_a_session_id_planted_before_sign_in_is_never_used(served: Served, web: TestClient) -> None:
    email = person(served.db, served.clock, "viewer")
    web.cookies.set(COOKIE, "planted-by-an-attacker", domain="testserver.local", path="/admin")
    assert sign_in(web, email).status_code == 303
    fresh = [c for c in web.cookies.jar if c.name == COOKIE and c.value != "planted-by-an-attacker"]
    assert fresh, "sign-in must issue a new session id"
    # Signing in again replaces the session: the first id stops working.
    first = fresh[0].value
    assert sign_in(web, email).status_code == 303
    with TestClient(served.app) as other:
        other.cookies.set(COOKIE, first)
        assert other.get("/admin", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session_on_the_server(served: Served, web: TestClient) -> None:
    email = person(served.db, served.clock, "viewer")
    token = signed_in(web, email)
    stolen = web.cookies.get(COOKIE)
    answer = web.post("/admin/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303
    with TestClient(served.app) as other:
        other.cookies.set(COOKIE, stolen or "")
        assert other.get("/admin", follow_redirects=False).status_code == 303


def test_sessions_end_after_idle_time_and_after_their_absolute_lifetime(
    served: Served, web: TestClient
) -> None:
    email = person(served.db, served.clock, "viewer")
    signed_in(web, email)
    served.clock.advance(hours=1, minutes=59)
    assert web.get("/admin").status_code == 200  # active: the idle end moves on
    served.clock.advance(hours=2)
    assert web.get("/admin", follow_redirects=False).status_code == 303  # idle too long
    signed_in(web, email)
    for _ in range(12):
        served.clock.advance(hours=1)
        web.get("/admin")
    assert web.get("/admin", follow_redirects=False).status_code == 303  # 12 h, however busy


def test_a_wrong_password_is_refused_and_five_in_a_row_lock_the_account(
    served: Served, web: TestClient
) -> None:
    email = person(served.db, served.clock, "viewer")
    for _ in range(accounts.LOCK_AFTER):
        answer = sign_in(web, email, "wrong password!!")
        assert answer.status_code == 401
        assert "wrong e-mail address or password" in answer.text
    locked = sign_in(web, email)
    assert locked.status_code == 401 and "too many wrong passwords" in locked.text
    served.clock.advance(minutes=16)
    assert sign_in(web, email).status_code == 303


def test_a_client_guessing_across_accounts_is_slowed_down(served: Served, web: TestClient) -> None:
    for n in range(served.services.settings.auth_failure_limit):
        assert sign_in(web, f"nobody{n}@example.com").status_code == 401
    answer = sign_in(web, "viewer@example.com")
    assert answer.status_code == 429 and int(answer.headers["retry-after"]) > 0


def test_the_sign_in_form_without_its_csrf_token_is_refused(
    served: Served, web: TestClient
) -> None:
    email = person(served.db, served.clock, "viewer")
    web.get("/admin/sign-in")
    answer = web.post(
        "/admin/sign-in", data={"email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 403
    assert web.cookies.get(COOKIE) is None


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(
    served: Served, web: TestClient
) -> None:
    person(served.db, served.clock, "admin")
    email = person(served.db, served.clock, "reviewer")
    signed_in(web, email)
    with served.db.read() as s:
        pid = people.by_email(s, email).id  # type: ignore[union-attr]
    accounts.update_person(
        served.db, pid, role=None, disabled=True, actor="test", now=served.clock()
    )
    assert web.get("/admin", follow_redirects=False).status_code == 303
    answer = sign_in(web, email)
    assert answer.status_code == 401 and "disabled" in answer.text


def test_admins_manage_people_and_reviewers_cannot(served: Served, web: TestClient) -> None:
    person(served.db, served.clock, "admin")
    reviewer = person(served.db, served.clock, "reviewer")
    token = signed_in(web, reviewer)
    assert web.get("/admin/people").status_code == 403
    refused = web.post(
        "/admin/people",
        data={"csrf_token": token, "email": "x@example.com", "role": "admin", "password": "p" * 12},
    )
    assert refused.status_code == 403
    token = signed_in(web, "admin@example.com")
    made = web.post(
        "/admin/people",
        data={
            "csrf_token": token,
            "email": "New@Example.com",
            "role": "viewer",
            "password": "a long enough one",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    page = web.get("/admin/people").text
    assert "new@example.com" in page
    with served.db.read() as s:
        new = people.by_email(s, "new@example.com")
        assert new is not None and new.role == "viewer"
        assert not new.password_hash.startswith("a long")
        assert new.password_hash.startswith("$argon2id$")
    changed = web.post(
        f"/admin/people/{new.id}",
        data={"csrf_token": token, "role": "reviewer"},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    short = web.post(
        "/admin/people",
        data={"csrf_token": token, "email": "y@example.com", "role": "viewer", "password": "short"},
    )
    assert short.status_code == 422 and "at least 12 characters" in short.text
    with served.db.read() as s:
        assert people.by_email(s, "new@example.com").role == "reviewer"  # type: ignore[union-attr]
    hostile = web.post("/admin/people/%00%27", data={"csrf_token": token, "role": "viewer"})
    assert hostile.status_code == 404


def test_the_last_admin_cannot_demote_or_disable_themself(served: Served, web: TestClient) -> None:
    email = person(served.db, served.clock, "admin")
    token = signed_in(web, email)
    with served.db.read() as s:
        pid = people.by_email(s, email).id  # type: ignore[union-attr]
    answer = web.post(f"/admin/people/{pid}", data={"csrf_token": token, "account": "disable"})
    assert answer.status_code == 422 and "last admin" in answer.text
    assert web.get("/admin").status_code == 200


def test_a_form_without_the_sessions_csrf_token_is_refused(served: Served, web: TestClient) -> None:
    signed_in(web, person(served.db, served.clock, "viewer"))
    assert web.post("/admin/sign-out", data={}).status_code == 403
    assert web.post("/admin/sign-out", data={"csrf_token": "guess"}).status_code == 403
    assert web.get("/admin").status_code == 200  # still signed in
    assert csrf_of(web.get("/admin").text)
