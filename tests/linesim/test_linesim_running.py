"""Running linesim: the LineSim harness, `python -m linesim`, and waiting for the bot's messages."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from linesim import LinePlatform, LineSim

ROOT = Path(__file__).resolve().parents[2]


def test_linesim_harness_serves_api_and_chat_page():
    with LineSim(LinePlatform(access_token="tok")) as sim:
        user = sim.platform.add_user(display_name="ハーネス")
        profile = httpx.get(
            f"{sim.base_url}/v2/bot/profile/{user}", headers={"Authorization": "Bearer tok"}
        )
        assert profile.json()["displayName"] == "ハーネス"
        assert httpx.get(sim.chat_url).status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(sim.chat_url)


def test_python_dash_m_linesim_prints_its_chat_url():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("LINE_CHANNEL_SECRET", None)
    env.pop("LINE_CHANNEL_ACCESS_TOKEN", None)
    command = [
        sys.executable,
        "-m",
        "linesim",
        "--port",
        "0",
        "--webhook-url",
        "http://127.0.0.1:9/cb",
    ]
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) as proc:
        try:
            lines = [proc.stdout.readline() for _ in range(5)]
            chat_url = lines[-1].split()[-1]
            assert lines[-1].startswith("linesim: chat page")
            assert any("channel secret" in line for line in lines)
            assert "<html" in httpx.get(chat_url, timeout=10).text
            config = httpx.get(chat_url.replace("/chat", "/_sim/config"), timeout=10).json()
            assert config["webhookUrl"] == "http://127.0.0.1:9/cb"
        finally:
            proc.terminate()
        assert proc.wait(timeout=20) == 0


def test_wait_for_deliveries_returns_when_the_bot_has_answered(sim, http, user):
    body = {"to": user, "messages": [{"type": "text", "text": "あとで届く"}]}
    later = threading.Timer(0.05, lambda: http.post("/v2/bot/message/push", json=body))
    later.start()
    try:
        [delivery] = sim.platform.wait_for_deliveries(user, 1, timeout=10)
    finally:
        later.join()
    assert delivery.message["text"] == "あとで届く"


def test_wait_for_deliveries_says_what_arrived_on_timeout(sim, user):
    with pytest.raises(TimeoutError, match="got 0 of 1"):
        sim.platform.wait_for_deliveries(user, 1, timeout=0.01)


def test_push_to_a_group_reaches_the_group(sim, http, user):
    group = sim.platform.add_group()
    body = {"to": group, "messages": [{"type": "text", "text": "皆さんへ"}]}
    assert http.post("/v2/bot/message/push", json=body).status_code == 200
    assert [d.message["text"] for d in sim.platform.deliveries(group)] == ["皆さんへ"]
