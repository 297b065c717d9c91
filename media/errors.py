"""Why a piece of media was refused: a stable code for the PR team, a detail for operators."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Stable rejection codes; stored with the media item, so never rename one."""

    EMPTY = "empty"
    """The file has no bytes at all."""
    TOO_LARGE = "too_large"
    """The file is bigger than `ImageLimits.max_bytes`."""
    UNSUPPORTED_TYPE = "unsupported_type"
    """The bytes are not an accepted type (GIF, AVIF, SVG, an HTML error page, noise...)."""
    TOO_MANY_PIXELS = "too_many_pixels"
    """The image declares more pixels than allowed (a decompression bomb or simply too big)."""
    TOO_COMPLEX = "too_complex"
    """Decoding would cost too much CPU or memory (e.g. hundreds of progressive JPEG scans)."""
    CORRUPT = "corrupt"
    """The bytes claim an accepted type but cannot be decoded (truncated, damaged, hostile)."""
    TOO_LONG = "too_long"
    """A video runs longer than `VideoLimits.max_seconds` (whatever its header claims)."""
    TRUNCATED = "truncated"
    """A video's boxes claim more bytes than the file has: an upload or copy was cut short."""
    INCONSISTENT = "inconsistent"
    """A video's header disagrees with its content (frame size), so it is not trusted."""
    TRANSCODING_FAILED = "transcoding_failed"
    """LINE could not prepare the video, so there is nothing to download."""


class MediaRejected(Exception):
    """The content can never become a stored image; retrying the same bytes will not help."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail

    def __reduce__(self) -> tuple[type[MediaRejected], tuple[Reason, str]]:
        # Exceptions pickle their `args` (here the message); rebuild from the real fields so a
        # rejection survives a trip through a process pool.
        return (type(self), (self.reason, self.detail))
