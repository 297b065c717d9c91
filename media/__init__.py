"""Image safety and variants: type sniffing, limits, orientation, metadata stripping, thumbnails,
face detection and blurring.

No network I/O and no project imports: the worker streams LINE content to a temporary file and
hands over its path. Everything that can go wrong with the *content* raises `MediaRejected`
with a stable `Reason`; trouble with the local disk stays an `OSError` (worth a retry).
"""

from media.blur import blur_faces, face_region
from media.encode import ImageVariant
from media.errors import MediaRejected, Reason
from media.face_variants import BlurredImage, find_faces, make_blurred, write_blurred
from media.faces import (
    FaceBox,
    FaceDetector,
    FaceModelError,
    face_model_path,
    load_face_detector,
    read_face_model,
)
from media.images import DEFAULT_LIMITS, SanitizedImage, sanitize_image
from media.limits import ImageLimits
from media.sniff import ACCEPTED_IMAGE_TYPES, MediaKind, Sniffed, sniff, sniff_file
from media.thumbnails import make_thumbnail

__all__ = [
    "ACCEPTED_IMAGE_TYPES",
    "DEFAULT_LIMITS",
    "BlurredImage",
    "FaceBox",
    "FaceDetector",
    "FaceModelError",
    "ImageLimits",
    "ImageVariant",
    "MediaKind",
    "MediaRejected",
    "Reason",
    "SanitizedImage",
    "Sniffed",
    "blur_faces",
    "face_model_path",
    "face_region",
    "find_faces",
    "load_face_detector",
    "make_blurred",
    "make_thumbnail",
    "read_face_model",
    "sanitize_image",
    "sniff",
    "sniff_file",
    "write_blurred",
]
