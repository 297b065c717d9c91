"""Helpers for the /admin page tests: accounts, signing in, reading CSRF tokens from forms."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.workspace import accounts
from storage.db import Database
from tests.app.conftest import FakeClock

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def person(db: Database, clock: FakeClock, role: str, email: str | None = None) -> str:
    """An account of this role; returns its e-mail address."""
    email = email or f"{role}@example.com"
    accounts.create_person(db, email=email, role=role, password=PASSWORD, actor="test", now=clock())
    return email


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD):
    """Fill in the sign-in form the way a browser does; returns the answer (not followed)."""
    form = client.get("/admin/sign-in")
    return client.post(
        "/admin/sign-in",
        data={"csrf_token": csrf_of(form.text), "email": email, "password": password},
        follow_redirects=False,
    )


def signed_in(client: TestClient, email: str) -> str:
    """Sign in; returns the CSRF token of the session."""
    assert sign_in(client, email).status_code == 303
    return csrf_of(client.get("/admin").text)
