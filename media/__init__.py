"""Image safety and variants: type sniffing, limits, orientation, metadata stripping, thumbnails.

No network I/O and no project imports: the worker streams LINE content to a temporary file and
hands over its path. Everything that can go wrong with the *content* raises `MediaRejected`
with a stable `Reason`; trouble with the local disk stays an `OSError` (worth a retry).
"""

from media.encode import ImageVariant
from media.errors import MediaRejected, Reason
from media.images import DEFAULT_LIMITS, SanitizedImage, sanitize_image
from media.limits import ImageLimits
from media.sniff import ACCEPTED_IMAGE_TYPES, MediaKind, Sniffed, sniff, sniff_file
from media.thumbnails import make_thumbnail

__all__ = [
    "ACCEPTED_IMAGE_TYPES",
    "DEFAULT_LIMITS",
    "ImageLimits",
    "ImageVariant",
    "MediaKind",
    "MediaRejected",
    "Reason",
    "SanitizedImage",
    "Sniffed",
    "make_thumbnail",
    "sanitize_image",
    "sniff",
    "sniff_file",
]
