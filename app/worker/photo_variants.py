"""The files made from one downloaded photo, and the faces found in it (docs/faces.md).

Every photo gets `original` (sanitised: upright, sRGB, no metadata) and `thumbnail`. Faces are
counted in every photo, whatever the worker chose: the media job usually runs before the worker
has answered the face question, and a `no_face` photo with faces in it must be flagged too. A
photo with faces also gets `blurred` and `blurred_thumb`; a photo with none gets no blurred
variant at all, because it would be the unblurred picture under a name that promises a blur.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from media import (
    FaceBox,
    FaceDetector,
    ImageLimits,
    ImageVariant,
    SanitizedImage,
    find_faces,
    make_thumbnail,
    sanitize_image,
    write_blurred,
)
from storage.media import FoundFaces

ORIGINAL = "original"
THUMBNAIL = "thumbnail"
BLURRED = "blurred"
BLURRED_THUMB = "blurred_thumb"  # variant names are at most 16 characters


@dataclass(frozen=True)
class PhotoFiles:
    """The written variants of one photo (by name) and the faces found in it."""

    original: SanitizedImage
    variants: dict[str, ImageVariant]
    faces: tuple[FaceBox, ...]

    def found(self) -> FoundFaces:
        """The faces as the media record keeps them."""
        return FoundFaces(tuple(box.as_dict() for box in self.faces))


def make_photo_files(
    download: Path, work: Path, detector: FaceDetector, *, limits: ImageLimits
) -> PhotoFiles:
    """Sanitise `download` into `work` and make every variant; MediaRejected for bad content."""
    original = sanitize_image(download, work, limits=limits)
    variants: dict[str, ImageVariant] = {
        ORIGINAL: original,
        THUMBNAIL: make_thumbnail(original.path, work / "thumbnail.jpg", limits=limits),
    }
    # Found on a reduced-size decode; the blur then decodes the original once at full size.
    faces = tuple(find_faces(original.path, detector, limits=limits))
    if faces:
        blurred = write_blurred(original.path, work / "blurred", faces, limits=limits)
        variants[BLURRED] = blurred.variant
        variants[BLURRED_THUMB] = make_thumbnail(
            blurred.variant.path, work / "blurred_thumb.jpg", limits=limits
        )
    return PhotoFiles(original=original, variants=variants, faces=faces)
