"""Small real MP4/MOV files made with PyAV (x264), and byte patches that make them lie.

Nothing binary is committed: each sample is encoded on demand, a second of 64x48 frames.
"""

from __future__ import annotations

import io
from functools import cache

import av
import numpy as np

GPS = "+35.6895+139.6917/"
"""The ISO 6709 location a phone writes into `©xyz` (Tokyo)."""


@cache
def make_video(
    fmt: str = "mp4", *, seconds: int = 1, fps: int = 10, tagged: bool = False, rotation: int = 0
) -> bytes:
    """Encode a small H.264 video; `tagged` adds location, make and model like a phone.

    `rotation` is the display rotation a phone held upright writes (counter-clockwise degrees).
    """
    buf = io.BytesIO()
    with av.open(buf, "w", format=fmt) as out:
        if tagged:
            out.metadata.update({"location": GPS, "make": "Apple", "model": "iPhone 15 Pro"})
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        if rotation:
            stream.set_display_rotation(rotation)
        for i in range(seconds * fps):
            pixels = np.full((48, 64, 3), (i * 25) % 256, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buf.getvalue()


APPLE_LOCATION = "com.apple.quicktime.location.ISO6709"


@cache
def make_apple_tagged_mp4() -> bytes:
    """An MP4 whose `meta` box holds Apple's `mdta` keys (location, make, model), like an iPhone."""
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4", options={"movflags": "use_metadata_tags"}) as out:
        out.metadata.update(
            {
                APPLE_LOCATION: "+35.6895+139.6917+040.000/",
                "com.apple.quicktime.make": "Apple",
                "com.apple.quicktime.model": "iPhone 15 Pro",
            }
        )
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(10):
            pixels = np.full((48, 64, 3), i * 20, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buf.getvalue()


def with_xyz_atom(data: bytes) -> bytes:
    """The same MP4 with a `udta` box holding a QuickTime `©xyz` location atom added to `moov`."""
    text = GPS.encode()
    xyz = (12 + len(text)).to_bytes(4, "big") + b"\xa9xyz" + len(text).to_bytes(2, "big")
    xyz += b"\x15\xc7" + text  # language code, then the ISO 6709 string
    udta = (8 + len(xyz)).to_bytes(4, "big") + b"udta" + xyz
    at = data.find(b"moov") - 4
    size = int.from_bytes(data[at : at + 4], "big")
    moov = (size + len(udta)).to_bytes(4, "big") + data[at + 4 : at + size] + udta
    # moov comes after mdat in PyAV's default layout, so no chunk offset moves.
    assert data.find(b"mdat") < at, "moov before mdat: the chunk offsets would need fixing"
    return data[:at] + moov + data[at + size :]


def patch_box(data: bytes, box: bytes, offset: int, value: int, *, width: int = 4) -> bytes:
    """Overwrite a field `offset` bytes after every `box` type tag (version-0 boxes only)."""
    out = bytearray(data)
    at = out.find(box)
    assert at != -1, box
    while at != -1:
        assert out[at + 4] == 0, "a version-1 box: the offsets differ"
        out[at + offset : at + offset + width] = value.to_bytes(width, "big")
        at = out.find(box, at + 1)
    return bytes(out)


def lying_about_duration(data: bytes) -> bytes:
    """The same video with every header duration (mvhd, mdhd, tkhd) set to one tick."""
    data = patch_box(data, b"mvhd", 20, 1)
    data = patch_box(data, b"mdhd", 20, 1)
    return patch_box(data, b"tkhd", 24, 1)


def lying_about_frame_size(data: bytes) -> bytes:
    """The same video whose sample entry (avc1 in stsd) claims 20000x20000 pixels."""
    out = bytearray(data)
    at = out.find(b"avc1", out.find(b"stsd"))
    out[at + 28 : at + 32] = (20000).to_bytes(2, "big") * 2
    return bytes(out)
