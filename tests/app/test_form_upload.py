"""Reading the item page's multipart form: what browsers send, and what they never would."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.workspace.form_upload import MAX_PARTS, FormError, boundary_of, read_form


def encoded(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[str, bytes]:
    """The content type and body httpx sends for this form (as a browser would)."""
    request = httpx.Request("POST", "http://x.test/", data=fields, files=files)
    return request.headers["content-type"], request.read()


def parse(folder: Path, content_type: str, body: bytes, chunk: int = 65536):
    """The form read from `body` arriving in pieces of `chunk` bytes (as a server hands it on)."""

    async def pieces() -> AsyncIterator[bytes]:
        for at in range(0, len(body), chunk):
            yield body[at : at + chunk]

    boundary = boundary_of(content_type)
    return asyncio.run(read_form(pieces(), boundary, folder=folder, file_field="image"))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.binary(max_size=3000)
    | st.lists(st.sampled_from([b"\r\n", b"--", b"\r\n--", b"x", b"\r\n\r\n"])).map(b"".join),
    token=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", max_size=60),
    chunk=st.integers(min_value=1, max_value=4000),
)
def test_the_file_and_the_token_come_back_exactly(
    tmp_path: Path, data: bytes, token: str, chunk: int
) -> None:
    content_type, body = encoded({"csrf_token": token}, {"image": ("a.jpg", data, "image/jpeg")})
    form = parse(tmp_path, content_type, body, chunk)
    assert form.fields == {"csrf_token": token} and form.filename == "a.jpg"
    assert form.file is not None and form.file.read_bytes() == data
    assert form.file.parent == tmp_path  # in the private scratch folder it was given
    assert stat.S_IMODE(form.file.stat().st_mode) == 0o600  # only genba reads it
    form.file.unlink()


def test_a_quoted_boundary_and_a_form_without_the_file(tmp_path: Path) -> None:
    body = b'--a b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\nt\r\n--a b--\r\n'
    form = parse(tmp_path, 'multipart/form-data; boundary="a b"', body)
    assert form.fields == {"csrf_token": "t"} and form.file is None


@pytest.mark.parametrize(
    ("content_type", "body", "problem"),
    [
        ("application/x-www-form-urlencoded", b"csrf_token=t", "not sent as a file upload"),
        ("multipart/form-data", b"--x\r\n", "no boundary"),
        ("multipart/form-data; boundary=x", b"", "empty"),
        ("multipart/form-data; boundary=x", b"no parts here", "damaged"),
        ("multipart/form-data; boundary=x", b"--xjunk", "damaged"),
        ("multipart/form-data; boundary=x", b"--x\nX: y\n\nv\n--x--", "damaged"),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="image"\r\n\r\nabc',
            "cut short",
        ),
        ("multipart/form-data; boundary=x", b"--x\r\n" + b"h" * 5000, "damaged"),
        (
            "multipart/form-data; boundary=x",
            b"--x\r\n" + b"X: y\r\n" * 20 + b"\r\nv\r\n--x--",
            "damaged",
        ),
        ("multipart/form-data; boundary=x", b"--x\r\nX: y\r\n\r\nv\r\n--x--", "no name"),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="note"\r\n\r\n'
            + b"n" * 2000
            + b"\r\n--x--",
            "too long",
        ),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="image"; filename="a"\r\n\r\n1\r\n'
            b'--x\r\nContent-Disposition: form-data; name="image"; filename="b"\r\n\r\n2\r\n--x--',
            "one file at a time",
        ),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="f"\r\n\r\nv\r\n' * (MAX_PARTS + 1),
            "too many parts",
        ),
    ],
)
def test_what_no_browser_sends_is_a_form_error_and_leaves_no_file(
    tmp_path: Path, content_type: str, body: bytes, problem: str
) -> None:
    for chunk in (len(body) or 1, 7):
        with pytest.raises(FormError, match=problem):
            parse(tmp_path, content_type, body, chunk)
        assert list(tmp_path.iterdir()) == []  # no part of a file is left
