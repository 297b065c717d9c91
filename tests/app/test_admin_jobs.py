"""`GET /api/v1/jobs` and `POST /api/v1/jobs/{id}/retry`: what an operator sees and can redo."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from storage import audit, inbox, jobs, media
from storage.inbox import InboxEntry
from storage.jobs import JobSpec

LINE_USER = "U4af4980629f1a2b3c4d5e6f708192a3b"


@pytest.fixture
def make_job(db, clock):
    """`make_job(dead=True, error=...)` → the id of a job queued (and optionally killed) now."""

    def make(*, dead: bool = False, error: str = "content download failed: 500") -> int:
        clock.advance(seconds=1)
        with db.write() as s:
            job_id = jobs.enqueue(
                s, JobSpec(kind=jobs.MEDIA, payload="{}"), now=clock(), max_attempts=1
            )
        assert job_id is not None
        if dead:
            with db.write() as s:
                claimed = jobs.claim(
                    s, worker_id="w1", now=clock(), lease=timedelta(seconds=30), job_id=job_id
                )
                assert claimed is not None
                assert jobs.fail(
                    s, claimed, worker_id="w1", now=clock(), error=error, retry_at=None
                )
        return job_id

    return make


class TestList:
    def test_jobs_newest_first_with_string_ids_and_z_times(
        self, client, seed, as_role, make_job
    ) -> None:
        first, second = make_job(), make_job(dead=True)
        r = client.get("/api/v1/jobs", headers=as_role("admin"))
        assert r.status_code == 200
        body = r.json()
        assert [j["id"] for j in body["items"]] == [str(second), str(first)]
        assert body["next_cursor"] is None
        dead = body["items"][0]
        assert set(dead) == {
            "id",
            "kind",
            "state",
            "attempts",
            "max_attempts",
            "last_error",
            "run_at",
            "created_at",
            "updated_at",
        }
        assert (dead["kind"], dead["state"], dead["attempts"], dead["max_attempts"]) == (
            "media",
            "dead",
            1,
            1,
        )
        assert dead["last_error"] == "content download failed: 500"
        assert dead["created_at"].endswith("Z")

    @pytest.mark.parametrize("state", ["queued", "dead"])
    def test_the_state_filter(self, client, seed, as_role, make_job, state) -> None:
        queued, dead = make_job(), make_job(dead=True)
        r = client.get("/api/v1/jobs", params={"state": state}, headers=as_role("admin"))
        assert [j["id"] for j in r.json()["items"]] == [str(queued if state == "queued" else dead)]

    def test_an_unknown_state_is_422(self, client, seed, as_role) -> None:
        for state in ("failed", "DEAD", ""):
            r = client.get("/api/v1/jobs", params={"state": state}, headers=as_role("admin"))
            assert r.status_code == 422

    def test_paging_through_jobs(self, client, seed, as_role, make_job) -> None:
        made = [make_job(dead=i % 2 == 0) for i in range(5)]
        seen, cursor, pages = [], None, 0
        while True:
            params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            body = client.get("/api/v1/jobs", params=params, headers=as_role("admin")).json()
            seen += [int(j["id"]) for j in body["items"]]
            pages += 1
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert pages == 3
        assert seen == sorted(made, reverse=True)

    @pytest.mark.parametrize("cursor", ["12", "garbage", "am9iOi0x", "\x00"])
    def test_an_invalid_cursor_is_422(self, client, seed, as_role, cursor) -> None:
        r = client.get("/api/v1/jobs", params={"cursor": cursor}, headers=as_role("admin"))
        assert r.status_code == 422

    def test_limits_are_clamped_and_validated(self, client, seed, as_role, make_job) -> None:
        make_job()
        assert client.get("/api/v1/jobs?limit=100000", headers=as_role("admin")).status_code == 200
        assert client.get("/api/v1/jobs?limit=0", headers=as_role("admin")).status_code == 422

    def test_line_ids_in_an_error_are_redacted(self, client, seed, as_role, make_job) -> None:
        make_job(dead=True, error=f"profile of {LINE_USER} could not be fetched")
        r = client.get("/api/v1/jobs", headers=as_role("admin"))
        assert LINE_USER not in r.text
        assert r.json()["items"][0]["last_error"].startswith("profile of U4af4")


class TestRetry:
    def test_a_dead_job_goes_back_to_the_queue(
        self, client, seed, as_role, db, make_job, clock
    ) -> None:
        job_id = make_job(dead=True)
        r = client.post(f"/api/v1/jobs/{job_id}/retry", headers=as_role("admin"))
        assert r.status_code == 200
        body = r.json()
        # `new`, under a new id: the next claim admits it behind its user's jobs stored so far
        assert (body["state"], body["attempts"]) == ("new", 0)
        assert int(body["id"]) > job_id
        with db.read() as s:
            assert jobs.get(s, int(body["id"])).state == "new"
            assert jobs.get(s, job_id) is None
            (entry,) = audit.for_target(s, "job", str(job_id))
        assert (entry.action, entry.actor) == ("retry_job", "admin-alice")
        assert json.loads(entry.detail)["kind"] == "media"
        assert json.loads(entry.detail)["new_id"] == body["id"]
        listed = client.get("/api/v1/jobs", headers=as_role("admin")).json()["items"]
        assert [(j["id"], j["state"]) for j in listed] == [(body["id"], "new")]

    def test_a_dead_event_job_brings_back_the_events_it_gave_up(
        self, client, seed, as_role, db, clock
    ) -> None:
        entries = [
            InboxEntry(
                id=f"ev-{n}",
                payload="{}",
                status="queued",
                source_id=LINE_USER,
                ordering_key=f"user:{LINE_USER}",
                wants_job=True,
            )
            for n in (1, 2)
        ]
        with db.write() as s:
            inbox.store(s, entries, now=clock(), max_attempts=1)
            (job,) = jobs.list_jobs(s, state=None, limit=10)
            inbox.take(s, "ev-1", now=clock())  # the first event was handled before it died
            claimed = jobs.claim(s, worker_id="w1", now=clock(), lease=timedelta(seconds=30))
            assert claimed is not None and claimed.id == job.id
            jobs.fail(s, claimed, worker_id="w1", now=clock(), error="boom", retry_at=None)
            for event_id in inbox.event_ids(claimed.payload):  # what giving up does
                inbox.mark(s, event_id, status="failed", now=clock(), note="boom")
        r = client.post(f"/api/v1/jobs/{job.id}/retry", headers=as_role("admin"))
        assert r.status_code == 200
        with db.read() as s:
            assert [inbox.get(s, f"ev-{n}").status for n in (1, 2)] == ["handled", "queued"]

    @pytest.mark.parametrize(
        ("before", "after"),
        [("failed", "pending"), ("ready", "ready"), ("deleted", "deleted"), ("expired", "expired")],
    )
    def test_a_dead_photo_job_fetches_again_only_a_photo_it_gave_up(
        self, client, seed, as_role, db, clock, before, after
    ) -> None:
        (photo,) = seed.submission(status="withdrawn" if before == "deleted" else "new").media
        with db.write() as s:
            if before in ("failed", "expired"):
                s.execute(media.M.update().values(status=before, error="gave up"))
            spec = JobSpec(kind=jobs.MEDIA, payload=json.dumps({"media_id": photo.id}))
            dead = jobs.enqueue_dead(s, spec, now=clock(), error="LINE 500", attempts=1)
        r = client.post(f"/api/v1/jobs/{dead}/retry", headers=as_role("admin"))
        assert r.status_code == 200
        with db.read() as s:
            row = media.get(s, photo.id)
            assert row.status == after  # `pending`: the job downloads it again
            assert row.error is None or after != "pending"

    def test_a_job_that_is_not_dead_is_409(self, client, seed, as_role, db, make_job) -> None:
        job_id = make_job(dead=True)
        first = client.post(f"/api/v1/jobs/{job_id}/retry", headers=as_role("admin"))
        assert first.is_success
        new_id = first.json()["id"]
        again = client.post(f"/api/v1/jobs/{job_id}/retry", headers=as_role("admin"))
        assert again.status_code == 409  # a double click names the job it became
        assert again.json() == {"detail": f"already retried: it is job {new_id} now"}
        waiting = client.post(f"/api/v1/jobs/{new_id}/retry", headers=as_role("admin"))
        assert waiting.status_code == 409
        assert waiting.json() == {"detail": "only a dead job can be retried"}
        queued = make_job()
        assert (
            client.post(f"/api/v1/jobs/{queued}/retry", headers=as_role("admin")).status_code == 409
        )

    @pytest.mark.parametrize("job_id", ["999999", "abc", "1.0", "-1", "9" * 30, "0x10"])
    def test_unknown_and_non_numeric_ids_are_404(self, client, seed, as_role, job_id) -> None:
        r = client.post(f"/api/v1/jobs/{job_id}/retry", headers=as_role("admin"))
        assert r.status_code == 404
        assert r.json() == {"detail": "job not found"}

    @pytest.mark.parametrize("role", ["viewer", "reviewer"])
    def test_only_admins_retry(self, client, seed, as_role, db, make_job, role) -> None:
        job_id = make_job(dead=True)
        r = client.post(f"/api/v1/jobs/{job_id}/retry", headers=as_role(role))
        assert r.status_code == 403
        with db.read() as s:
            assert jobs.get(s, job_id).state == "dead"
