"""Reading a browser's `multipart/form-data` upload: small text fields and one file.

The parsing is python-multipart's streaming `MultipartParser` (the parser Starlette uses); this
module only decides where the parts go. The file part is written, as it arrives, to a private
temporary file (0600, `tempfile.mkstemp`) in the scratch folder the service uses (under the data
folder), never to memory or the system's temporary folder: it is a photo of people. Text fields
are capped, as are the parts; anything unexpected is a `FormError` (a 400 on the page), and no
file is left behind.

Not Starlette's `request.form()`: it spools each file to a `SpooledTemporaryFile` in the
system's temporary folder (after up to 1 MB in memory), and its only way to another folder is
the process-wide `tempfile.tempdir`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

MAX_PARTS = 10
MAX_HEADERS = 8
MAX_HEADER_BYTES = 4096
MAX_FIELD_BYTES = 1024
WRAPPING = 16 * 1024
"""Bytes a form may add to its file: boundaries, part headers, a long file name, the token."""


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
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data":
        raise FormError("the form was not sent as a file upload")
    boundary = options.get(b"boundary", b"")
    if not 0 < len(boundary) <= 70:  # RFC 2046's limit
        raise FormError("the form has no boundary")
    return boundary


async def read_form(
    chunks: AsyncIterable[bytes], boundary: bytes, *, folder: Path | None, file_field: str
) -> Form:
    """The fields of this multipart body; the `file_field` part streamed to a file in `folder`."""
    reader = _Reader(folder, file_field)
    parser = MultipartParser(
        boundary,
        reader.callbacks(),
        max_header_count=MAX_HEADERS,
        max_header_size=MAX_HEADER_BYTES,
    )
    try:
        async for chunk in chunks:
            if reader.ended:
                break  # what follows the closing boundary is not part of the form
            reader.seen += len(chunk)
            parser.write(chunk)
        parser.finalize()
        if reader.seen == 0:
            raise FormError("the form is empty")
        if not reader.ended:
            raise FormError("the form was cut short")
    except FormParserError as exc:
        reader.discard()
        raise FormError("the form is damaged") from exc
    except BaseException:
        reader.discard()
        raise
    return reader.form


class _Reader:
    """The parser's callbacks: where each part's headers and bytes go."""

    def __init__(self, folder: Path | None, file_field: str) -> None:
        self.folder, self.file_field = folder, file_field
        self.form = Form()
        self.seen, self.parts, self.ended = 0, 0, False
        self.header_name, self.header_value, self.disposition = b"", b"", b""
        self.name: str | None = None
        self.value = bytearray()
        self.out: BinaryIO | None = None

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value_data,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
            "on_end": self.end,
        }

    def part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise FormError("the form has too many parts")
        self.disposition, self.name, self.value = b"", None, bytearray()
        self.header_name = self.header_value = b""

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def header_value_data(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def header_end(self) -> None:
        if self.header_name.strip().lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name = self.header_value = b""

    def headers_finished(self) -> None:
        kind, options = parse_options_header(self.disposition)
        name = options.get(b"name")
        if kind != b"form-data" or name is None:
            raise FormError("a part of the form has no name")
        self.name = name.decode("utf-8", errors="replace")
        if self.name != self.file_field:
            return
        if self.form.file is not None:
            raise FormError("send one file at a time")
        self.form.filename = options.get(b"filename", b"").decode("utf-8", errors="replace")
        fd, path = tempfile.mkstemp(prefix="genba-upload-", dir=self.folder)
        self.form.file = Path(path)
        self.out = os.fdopen(fd, "wb")

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self.out is not None:
            self.out.write(data[start:end])
            return
        self.value += data[start:end]
        if len(self.value) > MAX_FIELD_BYTES:
            raise FormError(f"the field {(self.name or '')[:40]!r} is too long")

    def part_end(self) -> None:
        if self.out is not None:
            self.out.close()
            self.out = None
        elif self.name is not None:
            self.form.fields[self.name] = self.value.decode("utf-8", errors="replace")

    def end(self) -> None:
        self.ended = True

    def discard(self) -> None:
        """Remove the file part written so far (the form was refused)."""
        if self.out is not None:
            self.out.close()
        if self.form.file is not None:
            self.form.file.unlink(missing_ok=True)
