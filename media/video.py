"""The one safe path from untrusted video bytes to a stored video: `sanitize_video`.

The video is remuxed, not re-encoded: its audio and video packets are copied into a fresh MP4
whose container and streams carry no metadata, so a phone's location (`©xyz`, Apple's `mdta`
keys), make, model and creation time never survive, and data or timecode tracks are dropped.
The limits are checked on what the file holds, not only on what its header claims: a header
may say one second while the packets run for an hour.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.error

from media.errors import MediaRejected, Reason
from media.iso_boxes import check_boxes
from media.sniff import SNIFF_BYTES, MediaKind, sniff

MIB = 1024 * 1024
POSTER_AT_SECONDS = 1.0
"""Where the poster frame is taken (or the first frame of a shorter video)."""
DEMUXER = "mov"
"""FFmpeg's demuxer for MP4, MOV and 3GP: the only one a sniffed video may reach."""
_SLACK_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class VideoLimits:
    """Ceilings for one video; the defaults fit a few minutes of phone video."""

    max_bytes: int = 200 * MIB
    """Largest file accepted (LINE lets a bot send videos of up to 200 MB)."""
    max_seconds: float = 300.0
    """Longest running time accepted, measured on the packets."""
    max_pixels: int = 40_000_000
    """Largest frame (width x height) accepted; 8K is 33 MP."""

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_seconds", "max_pixels"):
            if getattr(self, name) <= 0:
                raise ValueError(f"VideoLimits.{name} must be positive")


@dataclass(frozen=True, slots=True)
class SanitizedVideo:
    """The remuxed MP4 and the poster frame (a JPEG) taken from it."""

    path: Path
    content_type: str
    width: int
    height: int
    byte_count: int
    sha256: str
    duration_ms: int
    poster: Path
    source_type: str


def sanitize_video(src: Path, dest_dir: Path, *, limits: VideoLimits) -> SanitizedVideo:
    """Turn an untrusted file into a metadata-free MP4 plus a poster JPEG, or reject it.

    Raises MediaRejected for anything wrong with the content, OSError for the local disk.
    """
    source_type = check_video_file(src, limits)
    out = dest_dir / "video.mp4"
    poster = dest_dir / "poster.png"
    try:
        width, height, seconds = _remux(src, out, limits)
        rotation = _write_poster(out, poster, width, height)
    except av.error.FFmpegError as exc:
        # Raised by FFmpeg for the content (bad data, unsupported codec in MP4 and the like).
        raise MediaRejected(Reason.CORRUPT, f"FFmpeg: {exc}"[:300]) from None
    if rotation % 180:  # a phone held upright: the PR team sees the frame turned
        width, height = height, width
    return SanitizedVideo(
        path=out,
        content_type="video/mp4",
        width=width,
        height=height,
        byte_count=out.stat().st_size,
        sha256=_sha256(out),
        duration_ms=round(seconds * 1000),
        poster=poster,
        source_type=source_type,
    )


def check_video_file(src: Path, limits: VideoLimits) -> str:
    """Check size, sniffed type and box structure; return the sniffed MIME type."""
    size = os.path.getsize(src)
    if size == 0:
        raise MediaRejected(Reason.EMPTY, "the file is empty")
    if size > limits.max_bytes:
        raise MediaRejected(Reason.TOO_LARGE, f"{size} bytes; the limit is {limits.max_bytes}")
    with src.open("rb") as fp:
        sniffed = sniff(fp.read(SNIFF_BYTES))
    if sniffed.kind is not MediaKind.VIDEO:
        raise MediaRejected(
            Reason.UNSUPPORTED_TYPE, f"{sniffed.content_type} is a photo, not a video"
        )
    check_boxes(src)
    return sniffed.content_type


def _remux(src: Path, out: Path, limits: VideoLimits) -> tuple[int, int, float]:
    with av.open(str(src), format=DEMUXER, metadata_errors="ignore") as inp:
        if not inp.streams.video:
            raise MediaRejected(Reason.CORRUPT, "no video stream")
        video = inp.streams.video[0]
        width, height = video.codec_context.width, video.codec_context.height
        if width <= 0 or height <= 0:
            raise MediaRejected(Reason.CORRUPT, f"frame size {width}x{height}")
        if width * height > limits.max_pixels:
            raise MediaRejected(
                Reason.TOO_MANY_PIXELS, f"{width}x{height}; the limit is {limits.max_pixels}"
            )
        claimed = (inp.duration or 0) / av.time_base
        if claimed > limits.max_seconds:
            raise MediaRejected(
                Reason.TOO_LONG, f"{claimed:.1f} s; the limit is {limits.max_seconds:.0f} s"
            )
        audio = inp.streams.audio[:1]
        kept = [video, *audio]
        seconds = 0.0
        # bitexact: no "Lavf" encoder tag either; nothing is copied into the new metadata.
        options = {"movflags": "+faststart", "fflags": "+bitexact"}
        with av.open(str(out), "w", format="mp4", options=options) as dst:
            mapping = {s.index: dst.add_stream_from_template(s) for s in kept}
            for new in mapping.values():
                new.metadata.clear()
            rotation = _rotation(src)
            if rotation:  # how the phone was held: display data, not metadata, so it is kept
                mapping[video.index].set_display_rotation(rotation)  # type: ignore[attr-defined]
            for packet in inp.demux(kept):
                if packet.dts is None or packet.pts is None or packet.time_base is None:
                    continue  # the empty packet that flushes the demuxer
                end = float((packet.pts + (packet.duration or 0)) * Fraction(packet.time_base))
                seconds = max(seconds, end)
                if seconds > limits.max_seconds + _SLACK_SECONDS:
                    raise MediaRejected(
                        Reason.TOO_LONG,
                        f"runs past {limits.max_seconds:.0f} s though the header says "
                        f"{claimed:.1f} s",
                    )
                packet.stream = mapping[packet.stream.index]
                dst.mux(packet)
    return width, height, seconds


def _rotation(src: Path) -> int:
    """The display rotation of the first video frame (degrees counter-clockwise), or 0."""
    with av.open(str(src), format=DEMUXER, metadata_errors="ignore") as container:
        for frame in container.decode(video=0):
            return int(frame.rotation) % 360
    return 0


def _write_poster(video_path: Path, dest: Path, width: int, height: int) -> int:
    """Save one decoded frame (about a second in), upright, as a PNG; return its rotation."""
    with av.open(str(video_path), format=DEMUXER) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        chosen = None
        for frame in container.decode(stream):
            if (frame.width, frame.height) != (width, height):
                raise MediaRejected(
                    Reason.INCONSISTENT,
                    f"the header says {width}x{height}, a frame is {frame.width}x{frame.height}",
                )
            chosen = frame
            if frame.time is not None and frame.time >= POSTER_AT_SECONDS:
                break
        if chosen is None:
            raise MediaRejected(Reason.CORRUPT, "no frame could be decoded")
        # PyAV leaves to_image untyped; it returns a Pillow image.
        image = chosen.to_image()  # type: ignore[no-untyped-call]
        rotation = int(chosen.rotation) % 360
        if rotation:
            image = image.rotate(rotation, expand=True)
        image.save(dest, format="PNG")
        return rotation


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fp:
        for block in iter(lambda: fp.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()
