"""The stats page in Debian's chromium: signed in, charts drawn, nothing fetched from elsewhere.

With GENBA_SCREENSHOTS=<folder> the page is also saved there as stats-laptop.png (that is how
docs/screenshots/stats-laptop.png was made); otherwise into the test's temporary folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.factory import create_app
from app.services import build_services
from app.settings import load_settings
from app.workspace import accounts
from linesim import LineSim, start_server
from linesim.server import RunningServer
from storage import credits, sites
from storage.blobs import LocalBlobStore
from storage.db import sqlite_url
from tests.app.conftest import FakeClock, Seeder
from tests.e2e.browser import save_screenshot
from tests.e2e.test_workspace_browser import UNLABELLED

PASSWORD = "correct horse battery"
THEMES = (("daily-work", 5), ("events", 2), ("craft", 3), ("seasons", 1))


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[RunningServer]:
    """The bot on 127.0.0.1 over a SQLite database holding eight weeks of submissions."""
    with LineSim() as sim:
        settings = load_settings(
            _env_file=None,
            LINE_CHANNEL_SECRET=sim.platform.channel_secret,
            LINE_CHANNEL_ACCESS_TOKEN=sim.platform.access_token,
            LINE_API_BASE_URL=sim.base_url,
            DATABASE_URL=sqlite_url(tmp_path / "genba.db"),
            GENBA_DATA_DIR=str(tmp_path / "var"),
        )
        services = build_services(settings)
        server = start_server(create_app(services, run_worker=False), "127.0.0.1", 0)
        try:
            _seed(services.db, tmp_path)
            yield server
        finally:
            server.stop()


def _seed(db, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    seed = Seeder(
        db=db, blobs=LocalBlobStore(tmp_path / "blobs"), clock=FakeClock(now), scratch=scratch
    )
    people = [seed.contributor(f"worker {i}") for i in range(6)]
    # How each lets the PR team credit them: named, two at one site, anonymous, two not chosen.
    with db.write() as s:
        site = sites.create(s, name="Osaka plant", actor="test", now=now)
        for who in people[1:3]:
            assert sites.set_worker_site(s, who[0], site_id=site.id, now=now)
        for who, choice in zip(people, ("name", "site", "site", "anonymous"), strict=False):
            credits.set_credit(s, who[0], choice, now=now)
    faces = ("show", "no_face", "blur", "show", "no_face")
    statuses = ("new", "approved", "published", "rejected", "approved", "in_review")
    n = 0
    for week in range(8):
        for theme, weight in THEMES:
            for _ in range((weight + week) % 4):
                n += 1
                seed.submission(
                    at=now - timedelta(weeks=week, hours=n),
                    theme=theme,
                    face=faces[n % len(faces)],
                    status=statuses[n % len(statuses)],
                    contributor=people[n % len(people)],
                    photos=1,
                )
    accounts.create_person(
        db, email="pr@example.com", role="viewer", password=PASSWORD, actor="test", now=now
    )
    accounts.create_person(
        db, email="rev@example.com", role="reviewer", password=PASSWORD, actor="test", now=now
    )


@pytest.mark.browser
def test_the_stats_page_shows_its_charts_without_any_other_host(
    workspace: RunningServer, page: Page, tmp_path: Path
) -> None:
    base = workspace.base_url
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/admin/stats")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("E-mail address").fill("pr@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Stats").click()
    expect(page.get_by_role("heading", name="Stats", exact=True)).to_be_visible()
    charts = page.locator(".chart")
    expect(charts).to_have_count(5)
    for i in range(5):
        expect(charts.nth(i)).to_be_visible()
        assert charts.nth(i).bounding_box()["height"] > 50  # type: ignore[index]
    assert page.locator(".chart rect").count() > 20
    expect(page.locator("#by-site .chart")).to_be_visible()
    expect(page.locator("#recognition-named")).to_contain_text("worker 0")
    expect(page.locator("#recognition-sites")).to_contain_text("Osaka plant")
    expect(page.locator("#recognition-sites")).to_contain_text("by 2 people")
    expect(page.locator("#recognition-anonymous")).to_contain_text("Anonymous: 1 person")
    expect(page.locator("#recognition-anonymous")).to_contain_text("not chosen yet: 2")
    for hidden in ("worker 1", "worker 3", "worker 4"):
        expect(page.get_by_text(hidden)).to_have_count(0)
    assert page.evaluate(UNLABELLED) == []
    page.get_by_label("Weeks").select_option("4")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".chart").first.locator("rect")).not_to_have_count(0)
    page.get_by_label("Weeks").select_option("12")
    page.get_by_role("button", name="Show").click()
    assert [url for url in asked if not url.startswith(base)] == []
    folder = Path(os.environ.get("GENBA_SCREENSHOTS") or tmp_path)
    size = save_screenshot(page, folder / "stats-laptop.png")
    assert size < 300_000


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/admin")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Gallery")).to_be_visible()


# The smallest rendered text of each chart, in CSS px as the screen shows it.
SMALLEST_CHART_TEXT = """() => [...document.querySelectorAll('.chart')].map(chart => {
  const texts = [...chart.querySelectorAll('.bar-label, .bar-value, text')];
  return Math.min(...texts.map(t => t.getBoundingClientRect().height));
})"""
# Whether the chosen option's text fits the select box (padding and the arrow included).
OPTION_FITS = """(id) => {
  const s = document.getElementById(id);
  const style = getComputedStyle(s);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = style.font;
  const text = ctx.measureText(s.options[s.selectedIndex].text).width;
  const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
  return {text, room};
}"""


@pytest.mark.browser
def test_chart_text_is_readable_on_a_phone_and_the_export_filter_fits_a_laptop(
    workspace: RunningServer, page: Page
) -> None:
    base = workspace.base_url
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, base, "rev@example.com")
    page.goto(f"{base}/admin/stats")
    expect(page.locator(".chart")).to_have_count(5)
    smallest = page.evaluate(SMALLEST_CHART_TEXT)
    assert len(smallest) == 5 and min(smallest) >= 12, smallest  # was ~6 px
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    tables = page.get_by_text("As a table")
    expect(tables).to_have_count(5)
    tables.nth(2).click()  # the face choices, without any script
    expect(page.locator("details[open] table")).to_contain_text("No faces in it")

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{base}/admin/export")
    fits = page.evaluate(OPTION_FITS, "f-status")
    assert fits["text"] <= fits["room"], fits
