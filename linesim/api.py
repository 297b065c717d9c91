"""The fake Messaging API: LINE's paths, LINE's rules, LINE-shaped answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from linesim import ids
from linesim.faults import ENDPOINTS, Fail, Pass, Redirect, Timeout, Truncate
from linesim.platform import LinePlatform
from linesim.preview import make_preview
from linesim.responses import (
    HeldResponse,
    TruncatedResponse,
    bad_request,
    content_response,
    fail_response,
    json_object,
    line_error,
)
from linesim.richmenu_api import RICHMENU_ROUTES
from linesim.validation import Detail, validate_messages

MAX_BODY = 2 * 1024 * 1024  # LINE answers 413 to a request body over 2 MB.
MEDIA_WITH_TRANSCODING = ("video", "audio")
Handler = Callable[[Request, LinePlatform, bytes], Awaitable[Response]]


def _request_id(request: Request) -> str:
    return str(request.scope.get("state", {}).get("line_request_id", ""))


def _check_auth(request: Request, platform: LinePlatform) -> Response | None:
    header = request.headers.get("authorization")
    if header is None or not header.startswith("Bearer "):
        return line_error(
            401,
            "Authorization header required. "
            "Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'",
        )
    if header != f"Bearer {platform.access_token}":
        return line_error(401)
    return None


def line_endpoint(platform: LinePlatform, name: str, handler: Handler) -> Callable[..., Any]:
    """Wrap a handler with what every LINE endpoint does: scripted faults, auth, body cap."""

    async def endpoint(request: Request) -> Response:
        raw = await request.body()
        scripted = platform.scripts.take(name, request.url.path)

        async def answer() -> Response:
            if len(raw) > MAX_BODY:
                return line_error(413)
            return _check_auth(request, platform) or await handler(request, platform, raw)

        if isinstance(scripted, Fail):
            if scripted.after_processing:
                await answer()
            return fail_response(scripted)
        if isinstance(scripted, Redirect):
            return line_error(scripted.status, "Found", headers={"Location": scripted.location})
        if isinstance(scripted, Timeout):
            delay = platform.timeout_delay if scripted.delay is None else scripted.delay
            if scripted.processed:
                done = await answer()
                return HeldResponse(delay, _ready(done) if scripted.then == "answer" else None)
            return HeldResponse(delay, answer if scripted.then == "answer" else None)
        response = await answer()
        if isinstance(scripted, Truncate):
            return TruncatedResponse(response, scripted.fraction)
        assert scripted is None or isinstance(scripted, Pass)
        return response

    return endpoint


def _ready(response: Response) -> Callable[[], Awaitable[Response]]:
    async def give() -> Response:
        return response

    return give


async def reply(request: Request, platform: LinePlatform, raw: bytes) -> Response:
    """POST /v2/bot/message/reply."""
    if "x-line-retry-key" in request.headers:
        # Only push, multicast, narrowcast and broadcast accept a retry key.
        return line_error(400, "The X-Line-Retry-Key header is not supported for this endpoint")
    body = json_object(raw)
    if isinstance(body, Response):
        return body
    details: list[Detail] = []
    token = body.get("replyToken")
    if not isinstance(token, str) or not token:
        details.append(("must be specified", "replyToken"))
    details += validate_messages(body.get("messages"))
    details += _notification_flag(body)
    if details:
        return bad_request(details)
    assert isinstance(token, str)
    sent = platform.reply(
        token, body["messages"], _request_id(request), bool(body.get("notificationDisabled"))
    )
    if sent is None:
        return line_error(400, "Invalid reply token")
    return JSONResponse({"sentMessages": sent})


async def push(request: Request, platform: LinePlatform, raw: bytes) -> Response:
    """POST /v2/bot/message/push."""
    retry_key = request.headers.get("x-line-retry-key")
    if retry_key is not None and not ids.UUID_RE.match(retry_key):
        return line_error(400, "The value of the 'X-Line-Retry-Key' header must be a UUID")
    body = json_object(raw)
    if isinstance(body, Response):
        return body
    details: list[Detail] = []
    if not isinstance(body.get("to"), str) or not body["to"]:
        details.append(("must be specified", "to"))
    details += validate_messages(body.get("messages"))
    details += _notification_flag(body)
    if details:
        return bad_request(details)
    result = platform.push(
        body["to"],
        body["messages"],
        _request_id(request),
        retry_key,
        bool(body.get("notificationDisabled")),
    )
    if result.kind == "conflict":
        assert result.accepted is not None
        return line_error(
            409,
            "The retry key is already accepted",
            headers={"X-Line-Accepted-Request-Id": result.accepted.request_id},
            sentMessages=result.sent_messages,
        )
    if result.kind == "bad_to":
        return line_error(
            400, "The property, 'to', in the request body is invalid (line: -, column: -)"
        )
    return JSONResponse({"sentMessages": result.sent_messages})


MAX_MULTICAST = 500


async def multicast(request: Request, platform: LinePlatform, raw: bytes) -> Response:
    """POST /v2/bot/message/multicast: 1..500 user ids, answered with {} on success."""
    retry_key = request.headers.get("x-line-retry-key")
    if retry_key is not None and not ids.UUID_RE.match(retry_key):
        return line_error(400, "The value of the 'X-Line-Retry-Key' header must be a UUID")
    body = json_object(raw)
    if isinstance(body, Response):
        return body
    details: list[Detail] = []
    to = body.get("to")
    if not isinstance(to, list) or not to:
        details.append(("must be specified", "to"))
    elif len(to) > MAX_MULTICAST:
        details.append((f"Size must be between 1 and {MAX_MULTICAST}", "to"))
    elif not all(ids.is_user_id(u) for u in to):
        # Multicast reaches users only: group and room ids are refused.
        details.append(("must be a valid user ID", "to"))
    details += validate_messages(body.get("messages"))
    details += _notification_flag(body)
    if details:
        return bad_request(details)
    assert isinstance(to, list)
    result = platform.multicast(
        to,
        body["messages"],
        _request_id(request),
        retry_key,
        bool(body.get("notificationDisabled")),
    )
    if result.kind == "conflict":
        assert result.accepted is not None
        return line_error(
            409,
            "The retry key is already accepted",
            headers={"X-Line-Accepted-Request-Id": result.accepted.request_id},
        )
    return JSONResponse({})


def _notification_flag(body: dict[str, Any]) -> list[Detail]:
    flag = body.get("notificationDisabled")
    if flag is not None and not isinstance(flag, bool):
        return [("must be a boolean", "notificationDisabled")]
    return []


async def content(request: Request, platform: LinePlatform, _raw: bytes) -> Response:
    """GET /v2/bot/message/{messageId}/content."""
    record = platform.messages.get(request.path_params["message_id"])
    if record is not None and record.unsent:
        return line_error(410)
    if record is None or record.content is None:
        return line_error(404)
    if record.type in MEDIA_WITH_TRANSCODING and record.transcoding == "processing":
        # LINE answers 202 with no body while it is still preparing a large video/audio.
        return Response(status_code=202)
    return content_response(record.content, record.content_type)


async def preview(request: Request, platform: LinePlatform, _raw: bytes) -> Response:
    """GET /v2/bot/message/{messageId}/content/preview."""
    record = platform.messages.get(request.path_params["message_id"])
    if record is not None and record.unsent:
        return line_error(410)
    if record is None or (record.content is None and record.type in ("image", "video")):
        return line_error(404)
    if record.type not in ("image", "video") or record.content is None:
        return line_error(400, "The message has no preview image")
    data = await run_in_threadpool(make_preview, record.content)
    return content_response(data, "image/jpeg")


async def transcoding(request: Request, platform: LinePlatform, _raw: bytes) -> Response:
    """GET /v2/bot/message/{messageId}/content/transcoding."""
    record = platform.messages.get(request.path_params["message_id"])
    if record is None or record.external:
        return line_error(404)
    if record.type not in MEDIA_WITH_TRANSCODING:
        return line_error(400, "Transcoding status is only available for video and audio")
    return JSONResponse({"status": record.transcoding})


async def profile(request: Request, platform: LinePlatform, _raw: bytes) -> Response:
    """GET /v2/bot/profile/{userId}."""
    user = platform.user(request.path_params["user_id"])
    if user is None or user.blocked:
        # LINE answers 404 for a user who blocked the bot or never befriended it.
        return line_error(404, "Not found")
    return JSONResponse(user.profile())


async def loading(_request: Request, platform: LinePlatform, raw: bytes) -> Response:
    """POST /v2/bot/chat/loading/start."""
    body = json_object(raw)
    if isinstance(body, Response):
        return body
    chat_id = body.get("chatId")
    if not ids.is_user_id(chat_id):
        # The loading animation exists only in one-to-one chats.
        return bad_request([("must be a user ID", "chatId")])
    seconds = body.get("loadingSeconds", 20)
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 5 <= seconds <= 60:
        return bad_request([("must be between 5 and 60", "loadingSeconds")])
    if seconds % 5:
        return bad_request([("must be a multiple of 5", "loadingSeconds")])
    assert isinstance(chat_id, str)
    platform.record_loading(chat_id, seconds)
    return JSONResponse({}, status_code=202)


def line_routes(platform: LinePlatform) -> list[Route]:
    """Return the Messaging API routes the bot uses, on LINE's paths."""
    table: list[tuple[str, str, str, Handler]] = [
        ("POST", "/v2/bot/message/reply", "reply", reply),
        ("POST", "/v2/bot/message/push", "push", push),
        ("POST", "/v2/bot/message/multicast", "multicast", multicast),
        ("GET", "/v2/bot/message/{message_id}/content", "content", content),
        ("GET", "/v2/bot/message/{message_id}/content/preview", "content_preview", preview),
        (
            "GET",
            "/v2/bot/message/{message_id}/content/transcoding",
            "content_transcoding",
            transcoding,
        ),
        ("GET", "/v2/bot/profile/{user_id}", "profile", profile),
        ("POST", "/v2/bot/chat/loading/start", "loading", loading),
        *RICHMENU_ROUTES,
    ]
    assert {name for _, _, name, _ in table} == set(ENDPOINTS), "faults.ENDPOINTS is stale"
    return [
        Route(path, line_endpoint(platform, name, handler), methods=[method], name=name)
        for method, path, name, handler in table
    ]
