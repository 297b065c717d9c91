"""Reading a browser's `multipart/form-data` upload: small text fields and one file.

The body is already in a private temporary file (app/admin/face_checks.receive_upload, capped);
this finds the parts in it without loading it into memory and copies the file part to its own
temporary file in the same folder. Anything unexpected is a `FormError` (a 400 on the page).
"""

from __future__ import annotations

import mmap
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MAX_PARTS = 10
MAX_HEADER_BYTES = 4096
MAX_FIELD_BYTES = 1024
WRAPPING = 16 * 1024
"""Bytes a form may add to its file: boundaries, part headers, a long file name, the token."""

_BOUNDARY = re.compile(r"""boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))""", re.IGNORECASE)
_NAME = re.compile(r"""(?:^|;)\s*name="([^"]*)\"""", re.IGNORECASE)
_FILENAME = re.compile(r"""(?:^|;)\s*filename="([^"]*)\"""", re.IGNORECASE)


class FormError(ValueError):
    """The body is not the multipart form the page sends."""


@dataclass
class Form:
    """The text fields of a form and the one file it carried (None: no file part)."""

    fields: dict[str, str] = field(default_factory=dict)
    file: Path | None = None
    filename: str = ""


def boundary_of(content_type: str) -> bytes:
    """The boundary of a `multipart/form-data` content type; `FormError` for anything else."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise FormError("the form was not sent as a file upload")
    found = _BOUNDARY.search(content_type)
    if found is None:
        raise FormError("the form has no boundary")
    return (found.group(1) or found.group(2)).encode("latin-1")


def read_form(body: Path, boundary: bytes, *, file_field: str) -> Form:
    """The fields of this multipart body; the `file_field` part copied to a file beside it."""
    form = Form()
    if body.stat().st_size == 0:
        raise FormError("the form is empty")
    try:
        with body.open("rb") as fp, mmap.mmap(fp.fileno(), 0, access=mmap.ACCESS_READ) as data:
            _parts(data, b"--" + boundary, form, body.parent, file_field)
    except BaseException:
        if form.file is not None:
            form.file.unlink(missing_ok=True)
        raise
    return form


def _parts(data: mmap.mmap, delimiter: bytes, form: Form, folder: Path, file_field: str) -> None:
    at = data.find(delimiter)
    if at < 0:
        raise FormError("the form has no parts")
    for _ in range(MAX_PARTS):
        at += len(delimiter)
        if data[at : at + 2] == b"--":
            return  # the closing delimiter
        if data[at : at + 2] != b"\r\n":
            raise FormError("the form is damaged")
        head_end = data.find(b"\r\n\r\n", at + 2, at + 2 + MAX_HEADER_BYTES)
        if head_end < 0:
            raise FormError("a part of the form has no end to its headers")
        headers = data[at + 2 : head_end].decode("utf-8", errors="replace")
        start = head_end + 4
        end = data.find(b"\r\n" + delimiter, start)
        if end < 0:
            raise FormError("the form was cut short")
        disposition = next(
            (
                line.split(":", 1)[1]
                for line in headers.split("\r\n")
                if line.lower().startswith("content-disposition:")
            ),
            "",
        )
        name = _NAME.search(disposition)
        if name is None:
            raise FormError("a part of the form has no name")
        if name.group(1) == file_field:
            if form.file is not None:
                raise FormError("send one file at a time")
            filename = _FILENAME.search(disposition)
            form.filename = filename.group(1) if filename else ""
            form.file = _copy(data, start, end, folder)
        elif end - start <= MAX_FIELD_BYTES:
            form.fields[name.group(1)] = data[start:end].decode("utf-8", errors="replace")
        else:
            raise FormError(f"the field {name.group(1)[:40]!r} is too long")
        at = end + 2
    raise FormError("the form has too many parts")


def _copy(data: mmap.mmap, start: int, end: int, folder: Path) -> Path:
    """Bytes `start:end` in a new private temporary file in `folder` (chunks: no large copy)."""
    fd, name = tempfile.mkstemp(prefix="genba-upload-", dir=folder)
    path = Path(name)
    try:
        with open(fd, "wb") as out:
            for offset in range(start, end, 1 << 20):
                out.write(data[offset : min(offset + (1 << 20), end)])
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path
