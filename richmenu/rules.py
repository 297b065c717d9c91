"""LINE's rules for a rich menu and its image, checked before anything is sent.

From LINE's reference (line-platform.md §5, messaging-api.yml): size 800–2500 wide, at least 250
high, width/height at least 1.45; name up to 300 characters, chat-bar text up to 14; at most 20
areas, each inside the image; JPEG or PNG of exactly the menu's size, at most 1 MB. Lengths are
counted in UTF-16 units, as LINE counts them. Where LINE's limit is unclear we stay under it: 1 MB
is taken as 1,000,000 bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from typing import Any

from PIL import Image, UnidentifiedImageError

MIN_WIDTH, MAX_WIDTH, MIN_HEIGHT, MIN_RATIO = 800, 2500, 250, 1.45
MAX_AREAS = 20
MAX_NAME = 300
MAX_CHAT_BAR = 14
MAX_IMAGE_BYTES = 1_000_000
MAX_DATA = 300
MAX_LABEL = 20
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
# Camera, album and location buttons work only in quick replies, never in a rich menu.
RICH_MENU_ACTIONS = ("postback", "message", "uri", "datetimepicker", "richmenuswitch", "clipboard")
URI_SCHEMES = ("http://", "https://", "line://", "tel:")


class RichMenuInvalid(Exception):
    """The menu or its image breaks LINE's rules; `problems` lists each, naming the field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("the rich menu breaks LINE's rules:\n  " + "\n  ".join(problems))
        self.problems = problems


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _text(value: Any, prop: str, high: int, *, required: bool = True) -> Iterator[str]:
    if value is None:
        if required:
            yield f"{prop}: missing"
        return
    if not isinstance(value, str):
        yield f"{prop}: must be text"
    elif not 1 <= _units(value) <= high:
        yield f"{prop}: must be 1 to {high} characters (is {_units(value)})"


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _size(size: Any) -> Iterator[str]:
    dimensions = _dimensions(size)
    if dimensions is None:
        yield "size: must have whole-number width and height"
        return
    width, height = dimensions
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        yield f"size.width: must be {MIN_WIDTH} to {MAX_WIDTH} pixels (is {width})"
    if height < MIN_HEIGHT:
        yield f"size.height: must be at least {MIN_HEIGHT} pixels (is {height})"
    elif width / height < MIN_RATIO:
        yield f"size: width/height must be at least {MIN_RATIO} (is {width / height:.2f})"


def _dimensions(size: Any) -> tuple[int, int] | None:
    if isinstance(size, Mapping) and _int(size.get("width")) and _int(size.get("height")):
        return size["width"], size["height"]
    return None


def _bounds(bounds: Any, prop: str, image: tuple[int, int] | None) -> Iterator[str]:
    keys = ("x", "y", "width", "height")
    if not isinstance(bounds, Mapping) or not all(_int(bounds.get(k)) for k in keys):
        yield f"{prop}: must have whole-number x, y, width and height"
        return
    x, y, w, h = (bounds[k] for k in keys)
    if x < 0 or y < 0 or w < 1 or h < 1:
        yield f"{prop}: x and y must be 0 or more, width and height 1 or more"
        return
    if image is not None and (x + w > image[0] or y + h > image[1]):
        yield f"{prop}: ({x},{y}) {w}×{h} reaches outside the {image[0]}×{image[1]} image"


def _action(action: Any, prop: str) -> Iterator[str]:
    if not isinstance(action, Mapping):
        yield f"{prop}: missing"
        return
    kind = action.get("type")
    if kind not in RICH_MENU_ACTIONS:
        allowed = ", ".join(RICH_MENU_ACTIONS)
        yield f"{prop}.type: {kind!r} cannot be used in a rich menu (use one of {allowed})"
        return
    yield from _text(action.get("label"), f"{prop}.label", MAX_LABEL, required=False)
    if kind in ("postback", "datetimepicker", "richmenuswitch"):
        yield from _text(action.get("data"), f"{prop}.data", MAX_DATA)
    if kind == "postback":
        yield from _text(action.get("displayText"), f"{prop}.displayText", 300, required=False)
    elif kind == "message":
        yield from _text(action.get("text"), f"{prop}.text", 300)
    elif kind == "uri":
        uri = action.get("uri")
        yield from _text(uri, f"{prop}.uri", 1000)
        if isinstance(uri, str) and uri and not uri.startswith(URI_SCHEMES):
            yield f"{prop}.uri: must be an http, https, line or tel URI"
    elif kind == "datetimepicker" and action.get("mode") not in ("date", "time", "datetime"):
        yield f"{prop}.mode: must be date, time or datetime"
    elif kind == "richmenuswitch":
        yield from _text(action.get("richMenuAliasId"), f"{prop}.richMenuAliasId", 32)
    elif kind == "clipboard":
        yield from _text(action.get("clipboardText"), f"{prop}.clipboardText", 1000)


def menu_problems(request: Mapping[str, Any]) -> list[str]:
    """List how a "create rich menu" body breaks LINE's rules (empty when it keeps them)."""
    found = list(_size(request.get("size")))
    if not isinstance(request.get("selected"), bool):
        found.append("selected: must be true or false")
    found += _text(request.get("name"), "name", MAX_NAME)
    found += _text(request.get("chatBarText"), "chatBarText", MAX_CHAT_BAR)
    areas = request.get("areas")
    if not isinstance(areas, list) or not 1 <= len(areas) <= MAX_AREAS:
        count = len(areas) if isinstance(areas, list) else "none"
        found.append(f"areas: must be 1 to {MAX_AREAS} areas (has {count})")
        return found
    for i, area in enumerate(areas):
        prop = f"areas[{i}]"
        if not isinstance(area, Mapping):
            found.append(f"{prop}: must be an object")
            continue
        found += _bounds(area.get("bounds"), f"{prop}.bounds", _dimensions(request.get("size")))
        found += _action(area.get("action"), f"{prop}.action")
    return found


def image_problems(image: bytes, size: Mapping[str, Any]) -> list[str]:
    """List how an image breaks LINE's rules for a menu of this size (empty when it keeps them)."""
    found = []
    if len(image) > MAX_IMAGE_BYTES:
        found.append(f"image: {len(image):,} bytes is over LINE's 1 MB ({MAX_IMAGE_BYTES:,} bytes)")
    try:
        with Image.open(io.BytesIO(image)) as opened:
            kind, dimensions = opened.format, opened.size
    except (UnidentifiedImageError, OSError):
        return [*found, "image: not a PNG or JPEG image"]
    if kind not in IMAGE_TYPES:
        found.append(f"image: must be PNG or JPEG (is {kind})")
    expected = (size.get("width"), size.get("height"))
    if dimensions != expected:
        found.append(
            f"image: is {dimensions[0]}×{dimensions[1]} pixels, "
            f"the menu is {expected[0]}×{expected[1]}"
        )
    return found


def content_type(image: bytes) -> str:
    """Return the Content-Type LINE wants for an image that passed `image_problems`."""
    with Image.open(io.BytesIO(image)) as opened:
        return IMAGE_TYPES[str(opened.format)]


def check(request: Mapping[str, Any], image: bytes) -> None:
    """Raise RichMenuInvalid listing every broken rule of the menu and its image."""
    found = menu_problems(request)
    size = request.get("size")
    found += image_problems(image, size if isinstance(size, Mapping) else {})
    if found:
        raise RichMenuInvalid(found)
