"""A bot whose pushes go over real HTTP to linesim, with a fake clock and a worker run by hand.

`Pushing.drain()` runs the real worker's claim-and-run loop until no job is due by the fake
clock: the tests decide when time passes, so waits (quiet hours, budget, backoff) are exact.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.testclient import TestClient

from app.factory import create_app
from app.services import Services, build_services
from app.settings import Settings, load_settings
from app.worker.kinds import build_worker
from app.worker.runner import Worker
from linesim import LineSim
from storage import contributors, jobs, migrate, pushes
from storage.blobs import LocalBlobStore
from storage.db import Database
from tests.app.conftest import FakeClock, Seeder


@dataclass
class Pushing:
    """linesim, the app (TestClient), its services and worker, a seeder, the fake clock."""

    sim: LineSim
    services: Services
    client: TestClient
    worker: Worker
    seed: Seeder
    clock: FakeClock
    _n: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def db(self) -> Database:
        return self.services.db

    def drain(self, limit: int = 200) -> int:
        """Run every job that is due now; returns how many ran."""
        ran = 0
        while ran < limit:
            job = self.worker._claim(jobs.ALL_KINDS)
            if job is None:
                return ran
            self.worker._run(job)
            ran += 1
        raise AssertionError(f"more than {limit} jobs: a job keeps coming back")

    def worker_friend(self, *, language: str = "ja", notices: str = "feedback") -> tuple[str, str]:
        """A contributor linesim knows as a friend; returns (our id, LINE id)."""
        line_id = "U" + hashlib.md5(f"friend{next(self._n)}".encode()).hexdigest()
        self.sim.platform.add_user(line_id, language=language)
        with self.db.write() as s:
            row, _ = contributors.ensure(s, line_id, now=self.clock())
            contributors.set_profile(
                s, row.id, display_name="Worker", language=language, now=self.clock()
            )
            pushes.set_notices(s, row.id, notices, now=self.clock())
            return row.id, line_id

    def texts(self, line_id: str) -> list[str]:
        """The texts linesim delivered to this user, oldest first."""
        return [d.message.get("text", "") for d in self.sim.platform.deliveries(line_id)]


def make_pushing(
    database_url: str,
    tmp_path: Path,
    clock: FakeClock,
    adjust: Callable[[Settings, LineSim], Settings] | None = None,
    **env: str,
) -> Iterator[Pushing]:
    """A Pushing over a migrated database of `database_url` (env: extra settings; `adjust`
    changes the settings read, as `genba demo` does)."""
    migrated = Database(database_url)
    migrate.upgrade(migrated)
    migrated.dispose()
    with LineSim() as sim:
        settings = load_settings(
            _env_file=None,
            LINE_CHANNEL_SECRET=sim.platform.channel_secret,
            LINE_CHANNEL_ACCESS_TOKEN=sim.platform.access_token,
            LINE_API_BASE_URL=sim.base_url,
            DATABASE_URL=database_url,
            GENBA_DATA_DIR=str(tmp_path / "var"),
            GENBA_LINE_TIMEOUT_SECONDS="3",
            **env,
        )
        if adjust is not None:
            settings = adjust(settings, sim)
        blobs = LocalBlobStore(tmp_path / "blobs")
        services = build_services(settings, clock=clock, blobs=blobs)
        scratch = tmp_path / "scratch"
        scratch.mkdir()
        seed = Seeder(db=services.db, blobs=blobs, clock=clock, scratch=scratch)
        seed.theme("daily", "日々の仕事", translations=json.dumps({"en": "Daily work"}))
        app = create_app(services, run_worker=False)
        with TestClient(app) as client:
            yield Pushing(
                sim=sim,
                services=services,
                client=client,
                worker=build_worker(services, name="w-test"),
                seed=seed,
                clock=clock,
            )
