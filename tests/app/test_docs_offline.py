"""The interactive docs (/docs, /redoc) are served from this server alone: no CDN, no other host.

Admins paste tokens into /docs, and a server without internet must still show it. (That the
page really renders offline is checked in a browser: tests/e2e/test_docs_browser.py.)
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


class References(HTMLParser):
    """Every URL a page loads or links to (src, href), and its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.scripts.append(data)


def references(html: str) -> References:
    found = References()
    found.feed(html)
    return found


@pytest.fixture
def client(served):
    with TestClient(served.app) as c:
        yield c


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_reference_only_this_server(client, page) -> None:
    r = client.get(page)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    found = references(r.text)
    assert found.urls, r.text
    for url in found.urls:
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == ("", ""), url
        assert url.startswith("/"), url
    for script in found.scripts:
        assert not re.search(r"https?://|//[a-z0-9]", script, re.I), script


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_every_asset_the_docs_load_is_served_with_its_type(client, page) -> None:
    found = references(client.get(page).text)
    assets = [u for u in found.urls if not u.endswith(".json")]
    assert any(u.endswith(".js") for u in assets)
    for url in assets:
        r = client.get(url)
        assert r.status_code == 200, url
        suffix = url[url.rindex(".") :]
        assert r.headers["content-type"].startswith(TYPES[suffix]), (url, r.headers)
        assert len(r.content) > 1000 or suffix == ".png"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_browser_is_told_to_load_nothing_from_elsewhere(client, page) -> None:
    policy = client.get(page).headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert "http" not in policy


def test_the_openapi_document_the_docs_read_is_served(client) -> None:
    r = client.get("/openapi.json")
    assert r.status_code == 200
    assert "/api/v1/tokens" in r.json()["paths"]
