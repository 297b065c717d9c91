"""A one-time message carried across a redirect (Post/Redirect/Get) in a short-lived cookie.

A refused form redirects to the page it came from instead of answering the POST with a page:
reloading that page then only reads it again, it never sends the form a second time.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from fastapi import Request, Response

from app.workspace.sessions import set_cookie

COOKIE = "genba_flash"
MAX_CHARS = 1000  # a cookie holds about 4 KB; the messages are a sentence or two


def put(response: Response, request: Request, about: str, message: str) -> None:
    """Keep `message` for the next page about `about` (an item id)."""
    set_cookie(response, request, COOKIE, quote(f"{about}\n{message[:MAX_CHARS]}"), max_age=300)


def take(request: Request, about: str) -> str | None:
    """The message kept for the page about `about`, if any (the caller then clears it)."""
    kept = unquote(request.cookies.get(COOKIE, ""))
    target, _, message = kept.partition("\n")
    return message if target == about and message else None


def clear(response: Response) -> None:
    """Forget the message: it is shown once."""
    response.delete_cookie(COOKIE, path="/admin")
