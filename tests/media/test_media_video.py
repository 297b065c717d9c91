"""Videos: remuxed without location or device metadata, a poster frame, limits on what they hold."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import av
import pytest

from media.errors import MediaRejected, Reason
from media.thumbnails import make_thumbnail
from media.video import VideoLimits, sanitize_video
from tests.video_samples import (
    APPLE_LOCATION,
    GPS,
    lying_about_duration,
    lying_about_frame_size,
    make_apple_tagged_mp4,
    make_video,
    with_xyz_atom,
)

Writer = Callable[[bytes], Path]


def test_a_phone_mov_with_a_gps_atom_comes_out_as_mp4_without_it(
    write_input: Writer, dest_dir: Path
) -> None:
    source = make_video("mov", tagged=True)
    assert b"\xa9xyz" in source and GPS.encode() in source and b"iPhone" in source
    video = sanitize_video(write_input(source), dest_dir, limits=VideoLimits())
    out = video.path.read_bytes()
    for leak in (b"\xa9xyz", GPS.encode(), b"35.6895", b"iPhone", b"Apple", b"Lavf"):
        assert leak not in out
    with av.open(str(video.path)) as container:
        assert "location" not in container.metadata and "model" not in container.metadata
        assert container.format.name.startswith("mov,mp4")
        assert [s.type for s in container.streams] == ["video"]
    assert (video.width, video.height, video.content_type) == (64, 48, "video/mp4")
    assert video.source_type == "video/quicktime" and 900 <= video.duration_ms <= 1100
    assert video.byte_count == len(out)


def test_an_mp4_with_apple_location_keys_and_a_xyz_atom_loses_both(
    write_input: Writer, dest_dir: Path
) -> None:
    source = with_xyz_atom(make_apple_tagged_mp4())
    assert b"\xa9xyz" in source and APPLE_LOCATION.encode() in source and b"+139.69" in source
    with av.open(str(write_input(source))) as container:
        assert APPLE_LOCATION in container.metadata and "location" in container.metadata
    video = sanitize_video(write_input(source), dest_dir, limits=VideoLimits())
    out = video.path.read_bytes()
    for leak in (b"\xa9xyz", APPLE_LOCATION.encode(), b"+139.69", b"iPhone", b"mdta"):
        assert leak not in out
    assert video.source_type == "video/mp4"


def test_the_poster_frame_makes_a_thumbnail(write_input: Writer, dest_dir: Path) -> None:
    video = sanitize_video(write_input(make_video("mp4")), dest_dir, limits=VideoLimits())
    thumb = make_thumbnail(video.poster, dest_dir / "thumb.jpg")
    assert (thumb.width, thumb.height, thumb.content_type) == (64, 48, "image/jpeg")


def test_an_upright_phone_video_keeps_its_rotation_and_gets_an_upright_poster(
    write_input: Writer, dest_dir: Path
) -> None:
    source = make_video("mov", tagged=True, rotation=90)
    video = sanitize_video(write_input(source), dest_dir, limits=VideoLimits())
    with av.open(str(video.path)) as container:
        frame = next(container.decode(video=0))
        assert frame.rotation == 90 and (frame.width, frame.height) == (64, 48)
    assert (video.width, video.height) == (48, 64)
    thumb = make_thumbnail(video.poster, dest_dir / "thumb.jpg")
    assert (thumb.width, thumb.height) == (48, 64)


def test_a_video_over_the_duration_cap_is_too_long(write_input: Writer, dest_dir: Path) -> None:
    with pytest.raises(MediaRejected) as caught:
        sanitize_video(
            write_input(make_video(seconds=4)), dest_dir, limits=VideoLimits(max_seconds=2)
        )
    assert caught.value.reason is Reason.TOO_LONG


def test_a_header_that_claims_a_short_video_is_caught_on_the_packets(
    write_input: Writer, dest_dir: Path
) -> None:
    lying = lying_about_duration(make_video(seconds=4))
    with av.open(str(write_input(lying))) as container:
        assert (container.duration or 0) < 1_000_000  # FFmpeg believes the header
    with pytest.raises(MediaRejected) as caught:
        sanitize_video(write_input(lying), dest_dir, limits=VideoLimits(max_seconds=2))
    assert caught.value.reason is Reason.TOO_LONG
    assert "header says 0.0 s" in caught.value.detail


def test_a_header_that_claims_a_huge_frame_is_judged_by_the_stream(
    write_input: Writer, dest_dir: Path
) -> None:
    lying = lying_about_frame_size(make_video())
    video = sanitize_video(write_input(lying), dest_dir, limits=VideoLimits())
    assert (video.width, video.height) == (64, 48)


def test_frames_over_the_pixel_cap_are_refused(write_input: Writer, dest_dir: Path) -> None:
    with pytest.raises(MediaRejected) as caught:
        sanitize_video(write_input(make_video()), dest_dir, limits=VideoLimits(max_pixels=1000))
    assert caught.value.reason is Reason.TOO_MANY_PIXELS


@pytest.mark.parametrize("keep", [0.3, 0.7, 0.95])
def test_a_truncated_mp4_is_truncated(write_input: Writer, dest_dir: Path, keep: float) -> None:
    data = make_video("mov", tagged=True)
    with pytest.raises(MediaRejected) as caught:
        sanitize_video(write_input(data[: int(len(data) * keep)]), dest_dir, limits=VideoLimits())
    assert caught.value.reason is Reason.TRUNCATED


def test_a_box_claiming_more_bytes_than_the_file_has_is_truncated(
    write_input: Writer, dest_dir: Path
) -> None:
    data = bytearray(make_video())
    moov = data.find(b"moov") - 4
    data[moov : moov + 4] = (10**9).to_bytes(4, "big")
    with pytest.raises(MediaRejected) as caught:
        sanitize_video(write_input(bytes(data)), dest_dir, limits=VideoLimits())
    assert caught.value.reason is Reason.TRUNCATED


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<!DOCTYPE html><html><body>Not found</body></html>", Reason.UNSUPPORTED_TYPE),
        (b"", Reason.EMPTY),
        (b"\xff\xd8\xff\xe0" + bytes(100), Reason.UNSUPPORTED_TYPE),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(64), Reason.TRUNCATED),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2\x00\x00\x00\x10moov" + b"x" * 8,
         Reason.CORRUPT),
    ],
    ids=["html-named-mp4", "empty", "jpeg", "ftyp-then-garbage", "empty-moov"],
)  # fmt: skip
def test_hostile_files_get_a_clear_reason(
    write_input: Writer, dest_dir: Path, data: bytes, reason: Reason
) -> None:
    with pytest.raises(MediaRejected) as caught:
        sanitize_video(write_input(data), dest_dir, limits=VideoLimits())
    assert caught.value.reason is reason


def test_a_file_over_the_byte_cap_is_refused_before_parsing(
    write_input: Writer, dest_dir: Path
) -> None:
    data = make_video()
    with pytest.raises(MediaRejected) as caught:
        sanitize_video(write_input(data), dest_dir, limits=VideoLimits(max_bytes=len(data) - 1))
    assert caught.value.reason is Reason.TOO_LARGE
