"""A walk over the top-level boxes of an ISO media file (MP4, MOV, HEIC), before a decoder sees it.

FFmpeg opens a truncated MP4 whose index (`moov`) came first and quietly plays what is there, so
"the file was cut short" would pass as a shorter video; libheif (from 1.2x, as bundled in
pillow-heif 1.9) likewise decodes a HEIC whose image data is cut short into a picture padded
with grey. The box sizes say how long the file should be: a last box running past the end of the
file is a truncated upload, whichever library reads it next.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from media.errors import MediaRejected, Reason

MAX_TOP_LEVEL_BOXES = 10_000
"""A real file has a handful; thousands of tiny boxes are a hostile file made to waste time."""


def top_level_boxes(fp: BinaryIO) -> list[bytes]:
    """Return the top-level box types of an ISO media file, or raise MediaRejected(truncated)."""
    size = fp.seek(0, os.SEEK_END)
    found: list[bytes] = []
    offset = 0
    while offset < size:
        if len(found) >= MAX_TOP_LEVEL_BOXES:
            raise MediaRejected(Reason.CORRUPT, f"more than {MAX_TOP_LEVEL_BOXES} boxes")
        fp.seek(offset)
        header = fp.read(16)
        if len(header) < 8:
            raise MediaRejected(Reason.TRUNCATED, f"a box header is cut at byte {offset}")
        box_size = int.from_bytes(header[:4], "big")
        kind = header[4:8]
        if box_size == 1:  # a 64-bit size follows the type
            if len(header) < 16:
                raise MediaRejected(Reason.TRUNCATED, f"a box header is cut at byte {offset}")
            box_size = int.from_bytes(header[8:16], "big")
            minimum = 16
        elif box_size == 0:  # "to the end of the file"
            box_size = size - offset
            minimum = 8
        else:
            minimum = 8
        if box_size < minimum:
            raise MediaRejected(Reason.CORRUPT, f"box {kind!r} declares {box_size} bytes")
        if offset + box_size > size:
            raise MediaRejected(
                Reason.TRUNCATED,
                f"box {kind.decode('latin-1')!r} needs {offset + box_size} bytes, "
                f"the file has {size}",
            )
        found.append(kind)
        offset += box_size
    fp.seek(0)
    return found


def check_boxes(path: Path) -> list[bytes]:
    """Return the top-level box types of an MP4/MOV file; raise MediaRejected if it can't play."""
    with path.open("rb") as fp:
        found = top_level_boxes(fp)
    if b"moov" not in found:
        raise MediaRejected(Reason.TRUNCATED, "no moov box: the file is incomplete")
    return found
