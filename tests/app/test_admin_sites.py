"""`/api/v1/sites`: an admin keeps the list; submissions carry the worker's site at the time."""

from __future__ import annotations

import pytest

from storage import audit, sites


def _create(client, as_role, name: str) -> dict:
    r = client.post("/api/v1/sites", json={"name": name}, headers=as_role("admin"))
    assert r.status_code == 201, r.text
    return r.json()


def test_an_admin_creates_renames_lists_and_retires_sites_each_audited(client, as_role, db) -> None:
    made = _create(client, as_role, "本店")
    other = _create(client, as_role, "第二工場")
    renamed = client.patch(
        f"/api/v1/sites/{made['id']}", json={"name": "本店（駅前）"}, headers=as_role("admin")
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "本店（駅前）"
    retired = client.delete(f"/api/v1/sites/{other['id']}", headers=as_role("admin"))
    assert retired.status_code == 200 and retired.json()["retired_at"] is not None
    again = client.delete(f"/api/v1/sites/{other['id']}", headers=as_role("admin"))
    assert again.status_code == 200  # retiring twice changes nothing
    listed = client.get("/api/v1/sites", headers=as_role("admin")).json()["items"]
    assert [s["name"] for s in listed] == ["本店（駅前）"]
    everything = client.get("/api/v1/sites?retired=true", headers=as_role("admin")).json()
    assert len(everything["items"]) == 2
    with db.read() as s:
        actions = [e.action for e in audit.for_target(s, "site", made["id"])]
        retires = [e.action for e in audit.for_target(s, "site", other["id"])]
    assert actions == ["site_create", "site_rename"]
    assert retires == ["site_create", "site_retire"]


@pytest.mark.parametrize("role", ["viewer", "reviewer"])
def test_only_an_admin_keeps_the_sites(client, as_role, role) -> None:
    assert client.get("/api/v1/sites", headers=as_role(role)).status_code == 403
    r = client.post("/api/v1/sites", json={"name": "x"}, headers=as_role(role))
    assert r.status_code == 403


@pytest.mark.parametrize(
    "body", [{"name": ""}, {"name": "x" * 101}, {"name": "a\x00b"}, {"name": "x", "id": "y"}, {}]
)
def test_a_bad_site_name_is_a_422(client, as_role, body) -> None:
    assert client.post("/api/v1/sites", json=body, headers=as_role("admin")).status_code == 422


def test_an_unknown_site_is_a_404(client, as_role) -> None:
    for path in ("/api/v1/sites/01ARZ3NDEKTSV4RRFFQ69G5FAV", "/api/v1/sites/..%2F"):
        assert client.delete(path, headers=as_role("admin")).status_code == 404


def test_a_submission_keeps_its_site_name_after_the_site_is_retired(
    client, as_role, seed, db
) -> None:
    site = _create(client, as_role, "第二工場")
    worker = seed.contributor()
    with db.write() as s:
        assert sites.set_worker_site(s, worker[0], site_id=site["id"], now=seed.clock())
    sent = seed.submission(contributor=worker)
    elsewhere = seed.submission()  # a worker with no site
    client.delete(f"/api/v1/sites/{site['id']}", headers=as_role("admin"))
    got = client.get(f"/api/v1/submissions/{sent.id}", headers=as_role("viewer")).json()
    assert got["site"] == {"id": site["id"], "name": "第二工場"}
    filtered = client.get(
        "/api/v1/submissions", params={"site": site["id"]}, headers=as_role("viewer")
    ).json()["items"]
    assert [i["id"] for i in filtered] == [sent.id]
    none = client.get(f"/api/v1/submissions/{elsewhere.id}", headers=as_role("viewer")).json()
    assert none["site"] is None
    # After retirement a new submission of that worker carries no site (they are asked again).
    later = seed.submission(contributor=worker)
    assert (
        client.get(f"/api/v1/submissions/{later.id}", headers=as_role("viewer")).json()["site"]
        is None
    )
