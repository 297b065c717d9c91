"""The demo chat page and the user-side actions behind it (also usable from other processes)."""

from __future__ import annotations

import functools
import hashlib
import ssl
from importlib import resources
from typing import Any

import httpx
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from linesim.control import json_object
from linesim.events import Events
from linesim.platform import LinePlatform
from linesim.records import JSON, ChatEntry
from linesim.sender import AsyncWebhookSender

DEMO_NAMES = ("デモ太郎", "デモ花子", "デモ次郎", "デモ桜", "デモ健太", "デモ美咲")
MAX_UPLOAD = 20 * 1024 * 1024


def chat_page_html() -> str:
    """Return the chat page (one self-contained HTML file shipped with linesim)."""
    return resources.files("linesim").joinpath("static/chat.html").read_text("utf-8")


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every webhook the page sends (building one costs ~40 ms)."""
    return httpx.create_ssl_context()


async def _send(platform: LinePlatform, event: JSON, shown: JSON | None = None) -> JSON:
    """Show the user's bubble, post the event to the bot, and report how the bot answered."""
    message_id = str(event.get("message", {}).get("id", ""))
    if shown is not None:
        platform.record_user_message(_chat_of(event), shown, message_id)
    result: JSON = {"event": event, "messageId": message_id or None}
    if not platform.webhook_url:
        return {**result, "status": None, "error": "webhook URL is not set"}
    try:
        client = httpx.AsyncClient(verify=_tls(), timeout=10.0)
        async with AsyncWebhookSender(platform, client=client) as sender, client:
            response = await sender.send(event)
    except httpx.HTTPError as exc:
        return {**result, "status": None, "error": f"{type(exc).__name__}: {exc}"}
    return {**result, "status": response.status_code}


def _chat_of(event: JSON) -> str:
    source = event["source"]
    return str(source.get("groupId") or source.get("roomId") or source["userId"])


def chat_routes(platform: LinePlatform) -> list[Route]:
    """Return GET /chat and the /_sim/ routes the page (or a remote test) acts through."""
    events = Events(platform)
    page = chat_page_html()

    def known_user(request: Request) -> str:
        user_id: str = request.path_params["user_id"]
        if platform.user(user_id) is None:
            raise HTTPException(404, "Unknown user; start a new chat")
        return user_id

    async def chat_page(_request: Request) -> Response:
        return HTMLResponse(page)

    async def start(request: Request) -> Response:
        body = await json_object(request)
        name = body.get("displayName") or DEMO_NAMES[len(platform.users()) % len(DEMO_NAMES)]
        user_id = platform.add_user(display_name=name, language=body.get("language", "ja"))
        result = await _send(platform, events.follow(user_id))
        return JSONResponse({**result, "userId": user_id, "displayName": name})

    def unsent(entry: ChatEntry) -> bool:
        record = platform.messages.get(entry.message_id) if entry.sender == "user" else None
        return record is not None and record.unsent

    async def timeline(request: Request) -> Response:
        user_id = known_user(request)
        after = _int_param(request.query_params.get("after")) or 0
        # A message the user unsent is gone from their chat, as in LINE (a reload included).
        entries = [e.to_json() for e in platform.timeline(user_id, after) if not unsent(e)]
        loading = platform.loading_calls(user_id)
        until = int((loading[-1].at + loading[-1].seconds) * 1000) if loading else None
        user = platform.user(user_id)
        assert user is not None
        return JSONResponse(
            {"user": user.profile(), "entries": entries, "loadingUntil": until,
             "now": platform.now_ms()}
        )  # fmt: skip

    async def text(request: Request) -> Response:
        user_id = known_user(request)
        value = (await json_object(request)).get("text")
        if not isinstance(value, str) or not value:
            raise HTTPException(400, "text must be a non-empty string")
        event = events.text(user_id, value)
        return JSONResponse(await _send(platform, event, {"type": "text", "text": value}))

    async def image(request: Request) -> Response:
        user_id = known_user(request)
        data = await request.body()
        if not data or len(data) > MAX_UPLOAD:
            raise HTTPException(400, f"an image of 1 byte to {MAX_UPLOAD} bytes is needed")
        content_type = request.headers.get("content-type", "image/jpeg")
        image_set = _image_set(user_id, request.query_params)
        event = events.image(user_id, data, content_type=content_type, image_set=image_set)
        url = f"/_sim/content/{event['message']['id']}"
        return JSONResponse(await _send(platform, event, {"type": "image", "url": url}))

    async def video(request: Request) -> Response:
        user_id = known_user(request)
        data = await request.body()
        if not data or len(data) > MAX_UPLOAD:
            raise HTTPException(400, f"a video of 1 byte to {MAX_UPLOAD} bytes is needed")
        content_type = request.headers.get("content-type", "video/mp4")
        event = events.video(user_id, data, content_type=content_type)
        return JSONResponse(await _send(platform, event, {"type": "video"}))

    async def postback(request: Request) -> Response:
        user_id = known_user(request)
        body = await json_object(request)
        if not isinstance(body.get("data"), str):
            raise HTTPException(400, "data must be a string")
        event = events.postback(user_id, body["data"], params=body.get("params"))
        shown = body.get("displayText")
        # LINE shows a postback's displayText as the user's own message; otherwise nothing.
        bubble = {"type": "text", "text": shown} if isinstance(shown, str) and shown else None
        return JSONResponse(await _send(platform, event, bubble))

    async def location(request: Request) -> Response:
        user_id = known_user(request)
        body = await json_object(request)
        event = events.location(
            user_id,
            latitude=float(body.get("latitude", 35.681236)),
            longitude=float(body.get("longitude", 139.767125)),
            title=body.get("title"),
            address=body.get("address"),
        )
        return JSONResponse(await _send(platform, event, dict(event["message"])))

    async def sticker(request: Request) -> Response:
        user_id = known_user(request)
        body = await json_object(request)
        event = events.sticker(
            user_id,
            package_id=str(body.get("packageId", "446")),
            sticker_id=str(body.get("stickerId", "1988")),
        )
        return JSONResponse(await _send(platform, event, {"type": "sticker"}))

    async def unsend(request: Request) -> Response:
        user_id = known_user(request)
        message_id = (await json_object(request)).get("messageId")
        if not isinstance(message_id, str):
            raise HTTPException(400, "messageId must be a string")
        return JSONResponse(await _send(platform, events.unsend(user_id, message_id)))

    async def follow(request: Request) -> Response:
        user_id = known_user(request)
        unblocked = bool((await json_object(request)).get("isUnblocked", False))
        return JSONResponse(await _send(platform, events.follow(user_id, is_unblocked=unblocked)))

    async def unfollow(request: Request) -> Response:
        user_id = known_user(request)
        return JSONResponse(await _send(platform, events.unfollow(user_id)))

    async def rich_menu(request: Request) -> Response:
        known_user(request)
        # Every user sees the default menu: linesim links no menus per user.
        menu_id = platform.richmenus.default
        menu = platform.richmenus.get(menu_id) if menu_id else None
        if menu is None or menu.image is None:
            raise HTTPException(404, "no rich menu is shown to this user")
        return JSONResponse({**menu.response(), "imageUrl": f"/_sim/richmenus/{menu_id}/image"})

    async def rich_menu_image(request: Request) -> Response:
        menu = platform.richmenus.get(request.path_params["menu_id"])
        if menu is None or menu.image is None or menu.content_type is None:
            raise HTTPException(404)
        return Response(menu.image, media_type=menu.content_type)

    async def own_content(request: Request) -> Response:
        record = platform.messages.get(request.path_params["message_id"])
        if record is None or record.content is None or record.unsent:
            raise HTTPException(404)
        return Response(record.content, media_type=record.content_type)

    return [
        Route("/chat", chat_page, methods=["GET"]),
        Route("/_sim/chat/start", start, methods=["POST"]),
        Route("/_sim/users/{user_id}/chat", timeline, methods=["GET"]),
        Route("/_sim/users/{user_id}/text", text, methods=["POST"]),
        Route("/_sim/users/{user_id}/image", image, methods=["POST"]),
        Route("/_sim/users/{user_id}/video", video, methods=["POST"]),
        Route("/_sim/users/{user_id}/postback", postback, methods=["POST"]),
        Route("/_sim/users/{user_id}/location", location, methods=["POST"]),
        Route("/_sim/users/{user_id}/sticker", sticker, methods=["POST"]),
        Route("/_sim/users/{user_id}/unsend", unsend, methods=["POST"]),
        Route("/_sim/users/{user_id}/follow", follow, methods=["POST"]),
        Route("/_sim/users/{user_id}/unfollow", unfollow, methods=["POST"]),
        Route("/_sim/users/{user_id}/richmenu", rich_menu, methods=["GET"]),
        Route("/_sim/richmenus/{menu_id}/image", rich_menu_image, methods=["GET"]),
        Route("/_sim/content/{message_id}", own_content, methods=["GET"]),
    ]


def _image_set(user_id: str, query: Any) -> tuple[str, int | None, int | None] | None:
    """Map the page's own set key to a LINE-shaped imageSet id (64 upper-case hex)."""
    key = query.get("set")
    if not key:
        return None
    set_id = hashlib.sha256(f"{user_id}:{key}".encode()).hexdigest().upper()
    return (set_id, _int_param(query.get("index")), _int_param(query.get("total")))


def _int_param(value: str | None) -> int | None:
    """Parse an optional integer query parameter, or answer 400."""
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise HTTPException(400, f"not an integer: {value!r}") from exc
