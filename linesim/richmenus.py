"""Rich menus as LINE keeps them (objects, images, the default one) and the checks LINE makes.

Rules from LINE's reference: the menu's size is 800–2500 wide, at least 250 high, width/height at
least 1.45; name 1–300 characters, chatBarText 1–14; at most 20 areas, inside the menu; an image
is JPEG or PNG, at most 1 MB, set once. linesim also refuses an image whose pixel size differs
from the menu's (LINE's documentation asks for it; whether LINE refuses is unconfirmed), so a
client that gets it wrong learns here rather than on a phone.
"""

from __future__ import annotations

import copy
import io
import secrets
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeGuard

from PIL import Image, UnidentifiedImageError

from linesim.records import JSON
from linesim.validation import Detail, rich_menu_action, text_length

MAX_MENUS = 1000
MAX_AREAS = 20
MIN_WIDTH, MAX_WIDTH, MIN_HEIGHT, MIN_RATIO = 800, 2500, 250, 1.45
MAX_IMAGE_BYTES = 1024 * 1024
IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG"}
NO_IMAGE = "must upload richmenu image before applying it to user"
FIELDS = ("size", "selected", "name", "chatBarText", "areas")


@dataclass
class RichMenu:
    """One rich menu: LINE's object (without its id) and, once uploaded, its image."""

    menu_id: str
    body: JSON
    image: bytes | None = None
    content_type: str | None = None

    def response(self) -> JSON:
        """Return LINE's rich menu response object."""
        return {"richMenuId": self.menu_id, **copy.deepcopy(self.body)}


def _int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _size(size: Any) -> Iterator[Detail]:
    if not isinstance(size, Mapping):
        yield ("must be specified", "size")
        return
    width, height = size.get("width"), size.get("height")
    if not _int(width) or not MIN_WIDTH <= width <= MAX_WIDTH:
        yield (f"must be between {MIN_WIDTH} and {MAX_WIDTH}", "size.width")
    if not _int(height) or height < MIN_HEIGHT:
        yield (f"must be greater than or equal to {MIN_HEIGHT}", "size.height")
    elif _int(width) and width / height < MIN_RATIO:
        yield (f"aspect ratio (width / height) must be {MIN_RATIO} or more", "size")


def _bounds(bounds: Any, prop: str, size: Any) -> Iterator[Detail]:
    if not isinstance(bounds, Mapping):
        yield ("must be specified", prop)
        return
    values = {}
    for key, low in (("x", 0), ("y", 0), ("width", 1), ("height", 1)):
        value = bounds.get(key)
        if not _int(value) or value < low:
            yield (f"must be greater than or equal to {low}", f"{prop}.{key}")
        else:
            values[key] = value
    if len(values) < 4 or not isinstance(size, Mapping):
        return
    width, height = size.get("width"), size.get("height")
    if not (_int(width) and _int(height)):
        return
    if values["x"] + values["width"] > width or values["y"] + values["height"] > height:
        yield ("must be within the rich menu's size", prop)


def validate_rich_menu(body: Mapping[str, Any]) -> list[Detail]:
    """Return LINE-style error details for a rich menu object (empty when LINE would take it)."""
    details = list(_size(body.get("size")))
    if not isinstance(body.get("selected"), bool):
        details.append(("must be specified", "selected"))
    details += text_length(body.get("name"), "name", 1, 300)
    details += text_length(body.get("chatBarText"), "chatBarText", 1, 14)
    areas = body.get("areas")
    if not isinstance(areas, list):
        details.append(("must be specified", "areas"))
        return details
    if len(areas) > MAX_AREAS:
        details.append((f"Size must be between 0 and {MAX_AREAS}", "areas"))
    for i, area in enumerate(areas):
        prop = f"areas[{i}]"
        if not isinstance(area, Mapping):
            details.append(("must be an object", prop))
            continue
        details += _bounds(area.get("bounds"), f"{prop}.bounds", body.get("size"))
        details += rich_menu_action(area.get("action"), f"{prop}.action")
    return details


def image_problem(data: bytes, content_type: str, menu: RichMenu) -> tuple[int, str] | None:
    """Return (status, message) for an image LINE would refuse for this menu, else None."""
    if content_type not in IMAGE_TYPES:
        return 415, "Unsupported Media Type: the image must be image/jpeg or image/png"
    if len(data) > MAX_IMAGE_BYTES:
        return 400, "The image must be 1 MB or smaller"
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return 400, "The image could not be read"
    if kind != IMAGE_TYPES[content_type]:
        return 400, f"The image is not {content_type}"
    if not MIN_WIDTH <= width <= MAX_WIDTH or height < MIN_HEIGHT or width / height < MIN_RATIO:
        return 400, (
            f"The image must be {MIN_WIDTH} to {MAX_WIDTH} pixels wide, at least {MIN_HEIGHT} "
            f"high, and at least {MIN_RATIO} times as wide as high (it is {width}x{height})"
        )
    size = menu.body["size"]
    if (width, height) != (size["width"], size["height"]):
        return 400, (
            f"The image is {width}x{height}; the rich menu's size is "
            f"{size['width']}x{size['height']}"
        )
    return None


class RichMenus:
    """The channel's rich menus and its default one, safe to use from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._menus: dict[str, RichMenu] = {}
        self._default: str | None = None

    def create(self, body: Mapping[str, Any]) -> str | None:
        """Keep a valid rich menu object and return its new id; None when the channel is full."""
        with self._lock:
            if len(self._menus) >= MAX_MENUS:
                return None
            menu_id = "richmenu-" + secrets.token_hex(16)
            kept = {key: copy.deepcopy(body[key]) for key in FIELDS}
            self._menus[menu_id] = RichMenu(menu_id, kept)
            return menu_id

    def get(self, menu_id: str) -> RichMenu | None:
        """Return a menu, None if unknown."""
        with self._lock:
            return self._menus.get(menu_id)

    def all(self) -> list[RichMenu]:
        """Return every menu, oldest first."""
        with self._lock:
            return list(self._menus.values())

    def delete(self, menu_id: str) -> bool:
        """Delete a menu (and stop it being the default); False if unknown."""
        with self._lock:
            if self._menus.pop(menu_id, None) is None:
                return False
            if self._default == menu_id:
                self._default = None
            return True

    def set_image(
        self, menu_id: str, data: bytes, content_type: str
    ) -> Literal["ok", "unknown", "already"]:
        """Attach an image, which LINE allows once per menu."""
        with self._lock:
            menu = self._menus.get(menu_id)
            if menu is None:
                return "unknown"
            if menu.image is not None:
                return "already"
            menu.image, menu.content_type = data, content_type
            return "ok"

    def set_default(self, menu_id: str) -> Literal["ok", "unknown", "no_image"]:
        """Make a menu the default for every user; it needs its image first."""
        with self._lock:
            menu = self._menus.get(menu_id)
            if menu is None:
                return "unknown"
            if menu.image is None:
                return "no_image"
            self._default = menu_id
            return "ok"

    @property
    def default(self) -> str | None:
        """The default menu's id, None when none is set."""
        with self._lock:
            return self._default

    def clear_default(self) -> None:
        """Unset the default menu."""
        with self._lock:
            self._default = None
