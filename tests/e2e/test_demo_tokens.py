"""Tried as a new user would: beside a running `genba demo`, make another token and use it."""

from __future__ import annotations

import re
import subprocess
import sys

import httpx

from tests.e2e.conftest import REPO, RunningDemo


def run(command: list[str] | str, demo: RunningDemo) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        shell=isinstance(command, str),
        cwd=REPO,
        env=demo.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def themes(demo: RunningDemo, token: str) -> httpx.Response:
    return httpx.get(
        f"{demo.bot_url}/api/v1/themes", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def test_the_command_the_demo_prints_makes_a_token_the_demo_accepts(
    running_demo: RunningDemo,
) -> None:
    found = re.search(r"^\s+(\S.* admin create-token .*)$", running_demo.banner, re.M)
    assert found, running_demo.banner
    made = run(found.group(1), running_demo)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("gba_")
    assert "demo" in made.stderr.splitlines()[0]  # genba: database …/var/demo/genba.db
    assert themes(running_demo, token).status_code == 200


def test_a_bare_create_token_says_it_used_another_database_and_the_401_hints_why(
    running_demo: RunningDemo,
) -> None:
    made = run(
        [sys.executable, "-m", "app", "admin", "create-token", "--name", "x", "--role", "admin"],
        running_demo,
    )
    assert made.returncode == 0, made.stderr
    assert "/demo/" not in made.stderr
    assert "a new, empty one was made" in made.stderr
    refused = themes(running_demo, made.stdout.strip().splitlines()[-1])
    assert refused.status_code == 401
    assert "GENBA_DATA_DIR" in refused.json()["detail"]
