"""Repeated failed token attempts from one client get 429 with Retry-After; nobody else waits.

Run against the whole application (create_app), so the webhook beside the admin API is there.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from app.admin.throttle import FailureThrottle, client_key
from storage import tokens
from tests.app.conftest import WEBHOOK_SECRET, bearer
from webhooks.signature import sign

ATTACKER = "203.0.113.7"
OFFICE = "198.51.100.20"


@contextmanager
def from_address(served, address: str) -> Iterator[TestClient]:
    with TestClient(served.app, client=(address, 40000)) as client:
        yield client


def valid_token(served, role: str = "viewer") -> str:
    with served.db.write() as s:
        return tokens.create(s, name=f"{role}-ok", role=role, now=served.clock())


def guess(client: TestClient, n: int):
    return [
        client.get("/api/v1/themes", headers=bearer(f"gba_guess{i}")).status_code for i in range(n)
    ]


class TestSlowDown:
    def test_the_eleventh_attempt_in_a_minute_waits_with_retry_after(self, served) -> None:
        with from_address(served, ATTACKER) as attacker:
            assert guess(attacker, 10) == [401] * 10
            r = attacker.get("/api/v1/themes", headers=bearer("gba_guess11"))
            assert r.status_code == 429
            assert 1 <= int(r.headers["Retry-After"]) <= 60
            assert "too many failed attempts" in r.json()["detail"]

    def test_while_it_waits_even_a_right_guess_gets_429(self, served) -> None:
        good = valid_token(served)
        with from_address(served, ATTACKER) as attacker:
            guess(attacker, 10)
            # Else a 200 among the 429s would tell the attacker which guess was right.
            assert attacker.get("/api/v1/themes", headers=bearer(good)).status_code == 429

    def test_another_client_with_a_valid_token_is_not_slowed(self, served) -> None:
        good = valid_token(served)
        with from_address(served, ATTACKER) as attacker, from_address(served, OFFICE) as office:
            guess(attacker, 25)
            assert office.get("/api/v1/themes", headers=bearer(good)).status_code == 200
            assert office.get("/api/v1/themes", headers=bearer("gba_typo")).status_code == 401

    def test_the_webhook_is_never_held_back(self, served) -> None:
        raw = json.dumps({"destination": "U" + "0" * 32, "events": []}).encode()
        signed = {"x-line-signature": sign(WEBHOOK_SECRET.encode(), raw)}
        with from_address(served, ATTACKER) as attacker:
            guess(attacker, 10)
            assert attacker.get("/api/v1/themes").status_code == 429
            assert attacker.post("/callback", content=raw, headers=signed).status_code == 200

    def test_the_client_may_try_again_after_the_wait(self, served) -> None:
        good = valid_token(served)
        with from_address(served, ATTACKER) as attacker:
            guess(attacker, 10)
            wait = int(attacker.get("/api/v1/themes").headers["Retry-After"])
            served.clock.advance(seconds=wait)
            assert attacker.get("/api/v1/themes", headers=bearer(good)).status_code == 200

    def test_a_request_without_a_token_is_not_a_guess(self, served) -> None:
        with from_address(served, OFFICE) as office:
            codes = [office.get("/api/v1/themes").status_code for _ in range(30)]
        assert codes == [401] * 30

    def test_failures_spread_over_minutes_never_block(self, served) -> None:
        with from_address(served, OFFICE) as office:
            for _ in range(5):
                assert guess(office, 9) == [401] * 9
                served.clock.advance(seconds=61)


class TestBoundedMemory:
    def test_made_up_addresses_cannot_grow_the_counts_past_the_capacity(self) -> None:
        now = datetime(2026, 11, 27, tzinfo=UTC)
        throttle = FailureThrottle(lambda: now, capacity=100)
        for i in range(10_000):
            throttle.failed(client_key(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}"))
        assert len(throttle) == 100

    def test_a_blocked_client_stays_blocked_while_others_come_and_go_within_capacity(
        self,
    ) -> None:
        clock = [datetime(2026, 11, 27, tzinfo=UTC)]
        throttle = FailureThrottle(lambda: clock[0], limit=3, capacity=100)
        for _ in range(3):
            throttle.failed("attacker")
        for i in range(50):
            throttle.failed(f"passer-by {i}")
        assert throttle.wait_seconds("attacker") == 60
        clock[0] += timedelta(seconds=45)
        assert throttle.wait_seconds("attacker") == 15

    def test_one_ipv6_host_counts_as_its_64_network(self) -> None:
        assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:ffff::9")
        assert client_key("2001:db8:1:2::1") != client_key("2001:db8:1:3::1")
        assert client_key("::ffff:192.0.2.1") == client_key("192.0.2.1") == "192.0.2.1"
        assert client_key(None) == "unknown"
