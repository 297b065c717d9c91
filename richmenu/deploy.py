"""Build the menu (layout, image, checks) and make it LINE's default, doing only what is needed.

A menu genba made is named `NAME_PREFIX` + a hash of its body and image, so a deployment
recognises its own menus in LINE's list, and knows whether the one in use is the one it would
make. A second run with the same layout and image finds it and changes nothing; a changed one
is created, given its image, made the default, and the menus genba made before are deleted.
Menus made by anything else are never deleted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from richmenu import rules
from richmenu.client import RichMenuApi, RichMenuApiError
from richmenu.fonts import Fonts
from richmenu.layout import MENU, Layout
from richmenu.render import render

NAME_PREFIX = "genba-richmenu "
DIGEST_CHARS = 24


@dataclass(frozen=True)
class Deployment:
    """A checked menu ready to send: LINE's request body (name included) and its image."""

    request: dict[str, Any]
    image: bytes
    content_type: str

    @property
    def name(self) -> str:
        """The menu's name, which carries its content hash."""
        return str(self.request["name"])


def content_name(request: dict[str, Any], image: bytes) -> str:
    """Return the name naming this body (name aside) and image: the prefix and a hash."""
    body = {k: v for k, v in request.items() if k != "name"}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode())
    digest.update(hashlib.sha256(image).digest())
    return NAME_PREFIX + digest.hexdigest()[:DIGEST_CHARS]


def build(fonts: Fonts, layout: Layout = MENU) -> Deployment:
    """Render the image and check menu and image against LINE's rules (raises RichMenuInvalid)."""
    image = render(layout, fonts)
    request = layout.request(content_name(layout.request(""), image))
    rules.check(request, image)
    return Deployment(request, image, rules.content_type(image))


def _is_ours(menu: dict[str, Any]) -> bool:
    return str(menu.get("name", "")).startswith(NAME_PREFIX)


def deploy(api: RichMenuApi, deployment: Deployment, say: Callable[[str], None]) -> bool:
    """Make the deployment's menu the default and delete genba's older menus; True if it changed."""
    ours = [m for m in api.list() if _is_ours(m) and isinstance(m.get("richMenuId"), str)]
    default = api.default()
    changed = False
    target = None
    for menu in ours:
        # A same-named menu without its image is a run that stopped half way: it is replaced.
        if menu["name"] == deployment.name and (
            menu["richMenuId"] == default or api.has_image(menu["richMenuId"])
        ):
            target = menu["richMenuId"]
            break
    if target is None:
        target = api.create(deployment.request)
        say(f"created rich menu {target} ({deployment.name})")
        try:
            api.upload(target, deployment.image, deployment.content_type)
        except RichMenuApiError:
            _forget(api, target, say)
            raise
        say(f"uploaded its image ({len(deployment.image):,} bytes, {deployment.content_type})")
        changed = True
    if default != target:
        api.set_default(target)
        say(f"set {target} as the default rich menu (was {default or 'none'})")
        if default is not None and default not in {m["richMenuId"] for m in ours}:
            say(f"note: the previous default {default} was not made by genba; it was left in place")
        changed = True
    for menu in ours:
        if menu["richMenuId"] != target:
            api.delete(menu["richMenuId"])
            say(f"deleted genba's earlier rich menu {menu['richMenuId']} ({menu['name']})")
            changed = True
    if not changed:
        say(f"the rich menu is up to date: {target} ({deployment.name}) is the default; no change")
    return changed


def _forget(api: RichMenuApi, menu_id: str, say: Callable[[str], None]) -> None:
    """Delete a menu whose image could not be set, so no half-made menu is left behind."""
    try:
        api.delete(menu_id)
    except RichMenuApiError as exc:
        say(f"could not delete the half-made menu {menu_id} ({exc}); the next deploy will")
