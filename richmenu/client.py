"""LINE's rich-menu endpoints over httpx: list, create, upload the image, default, delete.

The image goes to the api-data host, the rest to the api host; with LINE_API_BASE_URL set, both
go to that base URL (as the SDK does). Redirects are never followed.
"""

from __future__ import annotations

import json
import re
from typing import Any, Protocol

import httpx

API_HOST = "https://api.line.me"
DATA_HOST = "https://api-data.line.me"
MENU_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")  # LINE's are `richmenu-` and 32 hex digits


class RichMenuApiError(Exception):
    """LINE refused a call or could not be reached; the message carries LINE's own words."""

    def __init__(self, what: str, status: int | None, message: str) -> None:
        answer = f"LINE answered {status}" if status is not None else "LINE did not answer"
        super().__init__(f"{what}: {answer}: {message}")
        self.status = status


class RichMenuApi(Protocol):
    """The rich-menu calls a deployment makes."""

    def list(self) -> list[dict[str, Any]]:
        """Every rich menu of the channel, as LINE's rich menu objects."""

    def create(self, request: dict[str, Any]) -> str:
        """Create a menu and return its id."""

    def upload(self, menu_id: str, image: bytes, content_type: str) -> None:
        """Attach the image (LINE allows this once per menu)."""

    def has_image(self, menu_id: str) -> bool:
        """Tell whether a menu has its image."""

    def default(self) -> str | None:
        """The id of the default menu, None when there is none."""

    def set_default(self, menu_id: str) -> None:
        """Make a menu every user's default."""

    def delete(self, menu_id: str) -> None:
        """Delete a menu."""


def _menu(menu_id: str) -> str:
    """Return a menu id safe to put in a path (ids come from LINE's answers)."""
    if not MENU_ID.fullmatch(menu_id):
        raise RichMenuApiError("using a rich menu id", None, f"{menu_id[:100]!r} is no menu id")
    return menu_id


def _reason(response: httpx.Response) -> str:
    """LINE's error message and details, in one line."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return response.text[:300] or response.reason_phrase
    if not isinstance(body, dict):
        return str(body)[:300]
    reason = str(body.get("message", response.reason_phrase))[:300]
    details = body.get("details")
    if isinstance(details, list) and details:
        parts = [
            f"{d.get('property', '?')}: {d.get('message', '?')}"
            for d in details
            if isinstance(d, dict)
        ]
        reason += " (" + "; ".join(parts[:20]) + ")"
    return reason


class HttpRichMenuApi:
    """RichMenuApi over httpx with a channel access token."""

    def __init__(self, access_token: str, *, base_url: str | None, timeout: float) -> None:
        self._api = base_url or API_HOST
        self._data = base_url or DATA_HOST
        self._http = httpx.Client(
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            follow_redirects=False,
        )

    def _call(
        self, what: str, method: str, url: str, *, ok: tuple[int, ...] = (200,), **kwargs: Any
    ) -> httpx.Response:
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise RichMenuApiError(what, None, f"{type(exc).__name__} calling {url}") from None
        if response.status_code not in ok:
            raise RichMenuApiError(what, response.status_code, _reason(response))
        return response

    def _json(self, response: httpx.Response, what: str) -> dict[str, Any]:
        try:
            body = response.json()
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            raise RichMenuApiError(what, response.status_code, "the answer is not a JSON object")
        return body

    def list(self) -> list[dict[str, Any]]:
        """Every rich menu of the channel."""
        what = "listing the rich menus"
        body = self._json(self._call(what, "GET", f"{self._api}/v2/bot/richmenu/list"), what)
        menus = body.get("richmenus")
        if not isinstance(menus, list):
            raise RichMenuApiError(what, 200, "the answer has no richmenus list")
        return [m for m in menus if isinstance(m, dict)]

    def create(self, request: dict[str, Any]) -> str:
        """Create a menu and return its id."""
        what = "creating the rich menu"
        body = json.dumps(request, ensure_ascii=False).encode()
        response = self._call(
            what,
            "POST",
            f"{self._api}/v2/bot/richmenu",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        menu_id = self._json(response, what).get("richMenuId")
        if not isinstance(menu_id, str) or not menu_id:
            raise RichMenuApiError(what, response.status_code, "the answer has no richMenuId")
        return menu_id

    def upload(self, menu_id: str, image: bytes, content_type: str) -> None:
        """Attach the image to a menu."""
        self._call(
            f"uploading the image of {menu_id}",
            "POST",
            f"{self._data}/v2/bot/richmenu/{_menu(menu_id)}/content",
            content=image,
            headers={"Content-Type": content_type},
        )

    def has_image(self, menu_id: str) -> bool:
        """Tell whether a menu has its image (LINE answers 404 when it has none)."""
        url = f"{self._data}/v2/bot/richmenu/{_menu(menu_id)}/content"
        response = self._call(f"checking the image of {menu_id}", "GET", url, ok=(200, 404))
        return response.status_code == 200

    def default(self) -> str | None:
        """The default menu's id, None when LINE answers 404 (no default)."""
        what = "reading the default rich menu"
        url = f"{self._api}/v2/bot/user/all/richmenu"
        response = self._call(what, "GET", url, ok=(200, 404))
        if response.status_code == 404:
            return None
        menu_id = self._json(response, what).get("richMenuId")
        return menu_id if isinstance(menu_id, str) and menu_id else None

    def set_default(self, menu_id: str) -> None:
        """Make a menu the default for every user."""
        url = f"{self._api}/v2/bot/user/all/richmenu/{_menu(menu_id)}"
        self._call(f"setting {menu_id} as the default", "POST", url)

    def delete(self, menu_id: str) -> None:
        """Delete a menu."""
        url = f"{self._api}/v2/bot/richmenu/{_menu(menu_id)}"
        self._call(f"deleting {menu_id}", "DELETE", url)

    def close(self) -> None:
        """Release the connections."""
        self._http.close()
