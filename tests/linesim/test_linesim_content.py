"""Content API: streamed bytes, unknown and unsent ids, scripted faults, transcoding, preview."""

from __future__ import annotations

import io
import os
import socket

import httpx
import pytest
from PIL import Image

from linesim import Redirect, Timeout


def jpeg(width: int = 640, height: int = 480) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def content_path(message_id: str) -> str:
    return f"/v2/bot/message/{message_id}/content"


def test_large_content_streams_in_chunks(sim, http, user):
    data = os.urandom(8 * 1024 * 1024 + 123)
    event = sim.events.image(user, data, content_type="image/png")
    with http.stream("GET", content_path(event["message"]["id"])) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/png"
        assert response.headers["content-length"] == str(len(data))
        chunks = list(response.iter_raw())
    assert b"".join(chunks) == data
    assert len(chunks) > 1


def test_sdk_blob_api_reads_content(sim, blob, user):
    data = jpeg()
    event = sim.events.image(user, data)
    assert bytes(blob.get_message_content(event["message"]["id"])) == data


def test_unknown_message_is_404(http):
    response = http.get(content_path("999"))
    assert response.status_code == 404
    assert response.json() == {"message": "Not found"}


def test_unsent_message_is_410(sim, http, user):
    event = sim.events.image(user, jpeg())
    sim.events.unsend(user, event["message"]["id"])
    assert http.get(content_path(event["message"]["id"])).status_code == 410


def test_external_image_cannot_be_fetched(sim, http, user):
    event = sim.events.image(
        user, provider="external", original_content_url="https://10.0.0.1/a.jpg"
    )
    assert event["message"]["contentProvider"]["originalContentUrl"] == "https://10.0.0.1/a.jpg"
    assert http.get(content_path(event["message"]["id"])).status_code == 404


def test_scripted_500_500_then_bytes(sim, http, user):
    data = jpeg()
    event = sim.events.image(user, data)
    sim.platform.fail_content(event["message"]["id"], [500, 500])
    statuses = [http.get(content_path(event["message"]["id"])).status_code for _ in range(3)]
    assert statuses == [500, 500, 200]
    assert http.get(content_path(event["message"]["id"])).content == data
    calls = sim.platform.calls(content_path(event["message"]["id"]))
    assert [c.status for c in calls] == [500, 500, 200, 200]


def test_scripted_statuses_are_line_shaped(sim, http, user):
    event = sim.events.image(user, jpeg())
    sim.platform.script("content", [429, 401, 202])
    path = content_path(event["message"]["id"])
    too_many, unauthorized, preparing = (http.get(path) for _ in range(3))
    assert too_many.status_code == 429 and too_many.json() == {"message": "Too Many Requests"}
    assert unauthorized.status_code == 401 and "message" in unauthorized.json()
    assert preparing.status_code == 202 and preparing.content == b""


def test_truncated_content_drops_the_connection(sim, http, user):
    data = os.urandom(1024 * 1024)
    event = sim.events.image(user, data)
    sim.platform.fail_content(event["message"]["id"], ["truncate"])
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(content_path(event["message"]["id"]))
    assert http.get(content_path(event["message"]["id"])).content == data
    assert sim.platform.calls(content_path(event["message"]["id"]))[0].outcome == "truncated"


def test_timeout_holds_the_answer_then_next_call_succeeds(sim, http, user, eventually):
    data = jpeg()
    event = sim.events.image(user, data)
    sim.platform.fail_content(event["message"]["id"], [Timeout(delay=30)])
    with pytest.raises(httpx.ReadTimeout):
        http.get(content_path(event["message"]["id"]), timeout=0.5)
    eventually(lambda: sim.platform.scripts.pending() == 0)  # the held call did arrive
    assert http.get(content_path(event["message"]["id"])).content == data


def test_never_answering_timeout(sim, http, user):
    event = sim.events.image(user, jpeg())
    sim.platform.fail_content(event["message"]["id"], [Timeout(delay=0.1, then="never")])
    with pytest.raises(httpx.ReadTimeout):
        http.get(content_path(event["message"]["id"]), timeout=0.5)


def test_redirect_points_to_another_host(sim, http, user):
    event = sim.events.image(user, jpeg())
    sim.platform.fail_content(event["message"]["id"], [Redirect("http://169.254.169.254/x")])
    response = http.get(content_path(event["message"]["id"]))
    assert response.status_code == 302
    assert response.headers["location"] == "http://169.254.169.254/x"


def test_video_is_202_while_processing_then_served(sim, http, user):
    data = os.urandom(5000)
    event = sim.events.video(user, data, transcoding="processing")
    message_id = event["message"]["id"]
    assert http.get(content_path(message_id)).status_code == 202
    assert http.get(content_path(message_id) + "/transcoding").json() == {"status": "processing"}
    sim.platform.messages.set_transcoding(message_id, "succeeded")
    assert http.get(content_path(message_id) + "/transcoding").json() == {"status": "succeeded"}
    response = http.get(content_path(message_id))
    assert response.content == data and response.headers["content-type"] == "video/mp4"


def test_transcoding_of_an_image_is_400(sim, http, user):
    event = sim.events.image(user, jpeg())
    assert http.get(content_path(event["message"]["id"]) + "/transcoding").status_code == 400


def test_preview_is_a_small_jpeg(sim, http, user):
    event = sim.events.image(user, jpeg(1600, 1200))
    response = http.get(content_path(event["message"]["id"]) + "/preview")
    assert response.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(response.content)) as preview:
        assert max(preview.size) <= 240


def test_content_needs_the_access_token(sim, user):
    event = sim.events.image(user, jpeg())
    response = httpx.get(sim.base_url + content_path(event["message"]["id"]))
    assert response.status_code == 401


def test_held_call_is_on_record_while_pending_then_dropped(sim, user, eventually):
    event = sim.events.image(user, jpeg())
    path = content_path(event["message"]["id"])
    sim.platform.fail_content(event["message"]["id"], [Timeout(delay=30, then="never")])
    host, port = sim.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as raw:
        raw.sendall(
            f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {sim.platform.access_token}"
            "\r\n\r\n".encode()
        )
        eventually(lambda: [c.outcome for c in sim.platform.calls(path)] == ["pending"])
    # The client hung up: the call ends on record as dropped, with no status.
    eventually(lambda: sim.platform.calls(path)[0].outcome == "dropped")
    assert sim.platform.calls(path)[0].status is None
