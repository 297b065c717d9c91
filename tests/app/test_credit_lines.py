"""The credit a contributor chose, where the PR team meets it: API, item page, export, stats."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from storage import credits, sites
from tests.app.conftest import FakeClock, Seeder, Served, bearer
from tests.app.push_kit import Pushing, make_pushing
from tests.app.workspace_kit import person, signed_in


def choose(seed: Seeder, contributor_id: str, choice: str) -> None:
    with seed.db.write() as s:
        credits.set_credit(s, contributor_id, choice, now=seed.clock())


def at_site(seed: Seeder, contributor_id: str, name: str) -> None:
    with seed.db.write() as s:
        site = sites.create(s, name=name, actor="t", now=seed.clock())
        assert sites.set_worker_site(s, contributor_id, site_id=site.id, now=seed.clock())


class TestApi:
    def test_the_submission_read_gives_the_choice_and_the_line(self, client, seed, as_role):
        who = seed.contributor("山田 花子")
        item = seed.submission(contributor=who)
        url = f"/api/v1/submissions/{item.id}"
        body = client.get(url, headers=as_role("viewer")).json()
        assert (body["credit"], body["credit_line"]) == (None, "anonymous (not chosen)")
        choose(seed, who[0], "name")
        body = client.get(url, headers=as_role("viewer")).json()
        assert (body["credit"], body["credit_line"]) == ("name", "山田 花子")
        listed = client.get("/api/v1/submissions", headers=as_role("viewer")).json()
        assert [(i["credit"], i["credit_line"]) for i in listed["items"]] == [("name", "山田 花子")]
        choose(seed, who[0], "site")  # no site anywhere: the line falls back to anonymous
        body = client.get(url, headers=as_role("viewer")).json()
        assert (body["credit"], body["credit_line"]) == ("site", "anonymous")

    def test_the_credit_is_read_only_in_a_review_change(self, client, seed, as_role):
        item = seed.submission()
        answer = client.patch(
            f"/api/v1/submissions/{item.id}",
            json={"credit": "name", "credit_line": "Someone else"},
            headers=as_role("admin"),
        )
        assert answer.status_code == 422
        body = client.get(f"/api/v1/submissions/{item.id}", headers=as_role("viewer")).json()
        assert body["credit"] is None

    def test_the_schema_documents_the_fields(self, client):
        schema = client.get("/openapi.json").json()["components"]["schemas"]["SubmissionRead"]
        assert {"credit", "credit_line"} <= set(schema["properties"])


def manifest(response) -> tuple[list[dict[str, str]], dict]:
    assert response.status_code == 200, response.text
    z = zipfile.ZipFile(io.BytesIO(response.content))
    rows = list(csv.DictReader(io.StringIO(z.read("manifest.csv").decode("utf-8-sig"))))
    return rows, json.loads(z.read("manifest.json"))


def test_the_export_manifest_carries_the_credit_line_each_contributor_chose(
    client, seed, as_role
) -> None:
    named, sited, anon = seed.contributor("Ana Souza"), seed.contributor(), seed.contributor()
    hostile = seed.contributor('=HYPERLINK("http://evil")')
    at_site(seed, sited[0], "第二工場")
    for who, choice in ((named, "name"), (sited, "site"), (anon, "anonymous"), (hostile, "name")):
        choose(seed, who[0], choice)
    quiet = seed.contributor("名無し")  # never chose
    items = [
        seed.submission(status="approved", contributor=who)
        for who in (named, sited, anon, quiet, hostile)
    ]
    rows, doc = manifest(
        client.post(
            "/api/v1/exports", json={"ids": [i.id for i in items]}, headers=as_role("reviewer")
        )
    )
    lines = {r["code"]: r["credit_line"] for r in rows}
    assert [lines[i.code] for i in items] == [
        "Ana Souza",
        "第二工場",
        "anonymous",
        "anonymous (not chosen)",
        '\'=HYPERLINK("http://evil")',  # a formula stays text in a spreadsheet
    ]
    by_code = {i["code"]: i["credit_line"] for i in doc["items"]}
    assert by_code[items[0].code] == "Ana Souza"
    assert by_code[items[4].code] == '=HYPERLINK("http://evil")'  # JSON is not a spreadsheet


def test_the_item_page_shows_the_credit_line_escaped(served: Served, seed_served: Seeder) -> None:
    who = seed_served.contributor("<script>alert(1)</script>")
    item = seed_served.submission(contributor=who)
    quiet = seed_served.submission()
    with TestClient(served.app, raise_server_exceptions=False) as web:
        signed_in(web, person(served.db, served.clock, "viewer"))
        assert "anonymous (not chosen)" in web.get(f"/admin/items/{quiet.id}").text
        choose(seed_served, who[0], "name")
        page = web.get(f"/admin/items/{item.id}").text
    assert "Credit line" in page and "(chosen: their LINE name)" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page


@pytest.fixture
def pushing(database_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Pushing]:
    yield from make_pushing(database_url, tmp_path, clock, GENBA_QUIET_HOURS="none")


def test_stats_recognise_contributors_only_as_openly_as_they_chose(pushing: Pushing) -> None:
    seed = pushing.seed
    named = seed.contributor("Ana Souza")
    choose(seed, named[0], "name")
    team = [seed.contributor(f"w{i}") for i in range(2)]
    at_site(seed, team[0][0], "第二工場")
    with seed.db.write() as s:  # the second worker at the same site
        site_id = sites.list_all(s)[0].id
        assert sites.set_worker_site(s, team[1][0], site_id=site_id, now=seed.clock())
    for who in team:
        choose(seed, who[0], "site")
    anon, quiet = seed.contributor("匿名希望"), seed.contributor("未選択")
    choose(seed, anon[0], "anonymous")
    for who in (named, named, *team, team[0], anon, quiet):
        seed.submission(contributor=who)
    withdrawn_only = seed.contributor("取り下げた人")
    choose(seed, withdrawn_only[0], "name")
    seed.submission(contributor=withdrawn_only, status="withdrawn")

    token = seed.token("viewer")
    body = pushing.client.get("/api/v1/stats", headers=bearer(token)).json()
    assert body["recognition"] == {
        "named": [{"name": "Ana Souza", "submissions": 2}],
        "sites": [{"site": "第二工場", "contributors": 2, "submissions": 3}],
        "anonymous": 1,
        "not_chosen": 1,
    }
    assert "not_yet" not in body  # sites and recognition are both real now
    text = pushing.client.get("/api/v1/stats.csv", headers=bearer(token)).text
    rows = list(csv.DictReader(io.StringIO(text)))
    wanted = {
        ("recognition_name", "Ana Souza", "2"),
        ("recognition_site", "第二工場", "3"),
        ("recognition_site_contributors", "第二工場", "2"),
        ("recognition_anonymous", "contributors", "1"),
        ("recognition_not_chosen", "contributors", "1"),
    }
    assert wanted <= {(r["section"], r["key"], r["value"]) for r in rows}
    for name in ("匿名希望", "未選択", "w0", "w1", "取り下げた人"):
        assert name not in text

    signed_in(pushing.client, person(pushing.db, pushing.clock, "viewer"))
    page = pushing.client.get("/admin/stats").text
    assert "Ana Souza: 2 sent" in page and "第二工場: 3 sent by 2 people" in page
    assert "Anonymous: 1 person; not chosen yet: 1." in page
    for name in ("匿名希望", "未選択", "取り下げた人", "not yet: workers cannot"):
        assert name not in page
