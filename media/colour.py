"""Bringing any decoded image to 8-bit sRGB in one of the modes L, LA, RGB or RGBA.

The output carries no ICC profile: every viewer assumes sRGB for untagged images, and a
profile is one more block of bytes nobody asked to keep.
"""

from __future__ import annotations

import io

from PIL import Image, ImageCms

# Profiles Pillow can hand us that lcms refuses to parse or to use are ignored, as browsers do:
# a photo with a broken profile is still a good photo.
_PROFILE_ERRORS = (OSError, ValueError, TypeError, ImageCms.PyCMSError)
# ICC colour spaces (the header's data colour space field) and the Pillow mode they describe.
_PROFILE_BASE_MODE = {"RGB": "RGB", "GRAY": "L", "CMYK": "CMYK"}
_ALPHA_OF = {"L": "LA", "RGB": "RGBA"}


def to_srgb(im: Image.Image) -> Image.Image:
    """Return `im` as 8-bit sRGB in mode L, LA, RGB or RGBA (consumes `im`; may return it)."""
    icc = im.info.get("icc_profile")
    im = superseding(im, _normalise_mode(im))
    if isinstance(icc, bytes) and icc:
        converted = _apply_profile(im, icc)
        if converted is not None:
            return superseding(im, converted)
    if im.mode == "CMYK":
        # No usable profile: Pillow's naive formula. Adobe's inverted CMYK and YCCK JPEGs are
        # already undone by the JPEG plugin (rawmode "CMYK;I") and libjpeg.
        return superseding(im, im.convert("RGB"))
    return im


def superseding(old: Image.Image, new: Image.Image) -> Image.Image:
    """Return `new`, releasing `old`'s pixel memory now rather than at garbage collection."""
    # So a chain of conversions holds two full-size copies during a step and one between steps.
    if new is not old:
        old.close()
    return new


def has_real_transparency(im: Image.Image) -> bool:
    """True when some pixel is not fully opaque (an alpha band that is all 255 does not count)."""
    if im.mode not in ("LA", "RGBA"):
        return False
    low = im.getchannel("A").getextrema()[0]  # a single 8-bit band: (min, max) as ints
    return not isinstance(low, tuple) and low < 255


def drop_alpha(im: Image.Image) -> Image.Image:
    """Return `im` without its alpha band, as L or RGB (consumes `im`)."""
    return superseding(im, im.convert(im.mode[:-1])) if im.mode in ("LA", "RGBA") else im


def _normalise_mode(im: Image.Image) -> Image.Image:
    """Map every mode the accepted decoders produce to L, LA, RGB, RGBA or CMYK (8 bits)."""
    mode = im.mode
    if mode in ("LA", "RGBA", "CMYK"):
        return im
    if mode in ("L", "RGB"):
        # A PNG tRNS colour key: promote it to a real alpha band so the key colour becomes
        # transparent (Pillow does this in convert() for these modes).
        return im.convert(_ALPHA_OF[mode]) if "transparency" in im.info else im
    if mode in ("P", "PA"):
        # PNG palettes are always RGB; tRNS gives palette entries their alpha.
        return im.convert("RGBA" if mode == "PA" or "transparency" in im.info else "RGB")
    if mode == "1":
        return im.convert("L")
    if mode.startswith("I"):
        # 16-bit greyscale PNGs open as I;16. Pillow's convert("L") clips everything above 255
        # to white instead of scaling, so scale 0..65535 down to 0..255 first (point() with a
        # function is a linear transform that keeps the wide mode), then narrow.
        wide = im if mode in ("I", "I;16") else im.convert("I")
        scaled = wide.point(lambda v: v / 257)
        if wide is not im:
            wide.close()
        return superseding(scaled, scaled.convert("L"))
    if mode in ("La", "RGBa"):  # premultiplied alpha
        return im.convert(mode.upper())
    return im.convert("RGBA" if "A" in mode else "RGB")


def _apply_profile(im: Image.Image, icc: bytes) -> Image.Image | None:
    """Convert `im` from its embedded profile to sRGB; None if the profile cannot be used."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        space = source.profile.xcolor_space.strip()
        base_mode = _PROFILE_BASE_MODE.get(space)
        if base_mode is None or im.mode.removesuffix("A") != base_mode:
            return None  # the profile does not describe these pixels (e.g. an RGB profile on L)
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
        intent = ImageCms.Intent.PERCEPTUAL
        if base_mode == "RGB":
            # RGB(A) to RGB(A): transform in place, so no second full-size copy is made;
            # Pillow copies the alpha band through untouched.
            transform = ImageCms.buildTransform(source, srgb, im.mode, im.mode, intent)
            ImageCms.applyTransform(im, transform, inPlace=True)
            return im
        alpha = im.getchannel("A") if im.mode == "LA" else None
        base = im.convert(base_mode) if alpha is not None else im
        transform = ImageCms.buildTransform(source, srgb, base_mode, "RGB", intent)
        converted = ImageCms.applyTransform(base, transform)
    except _PROFILE_ERRORS:
        return None
    if converted is None:  # pragma: no cover - only in-place transforms return None
        return None
    if alpha is not None:
        converted.putalpha(alpha)
    return converted
