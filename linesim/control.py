"""The /_sim/ control API: drive linesim from another process (users, content, faults, clock)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from linesim.faults import ScriptItem
from linesim.platform import LinePlatform
from linesim.records import JSON, Delivery


async def json_object(request: Request) -> dict[str, Any]:
    """Return the request's JSON object body ({} when empty), or raise a 400."""
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise HTTPException(400, "The request body could not be parsed as JSON") from exc
    if not isinstance(body, dict):
        raise HTTPException(400, "The request body must be a JSON object")
    return body


def delivery_json(delivery: Delivery) -> JSON:
    """Return a delivery in camelCase JSON."""
    return {
        "seq": delivery.seq,
        "at": int(delivery.at * 1000),
        "chatId": delivery.chat_id,
        "api": delivery.api,
        "message": delivery.message,
        "replyToken": delivery.reply_token,
        "retryKey": delivery.retry_key,
        "requestId": delivery.request_id,
        "sentId": delivery.sent_id,
        "quoteToken": delivery.quote_token,
        "notificationDisabled": delivery.notification_disabled,
    }


def control_routes(platform: LinePlatform) -> list[Route]:
    """Return the /_sim/ control routes for platform."""

    async def config(request: Request) -> Response:
        if request.method == "PUT":
            body = await json_object(request)
            if "webhookUrl" in body:
                platform.webhook_url = body["webhookUrl"] or None
            if "replyTokenTtl" in body:
                platform.reply_token_ttl = float(body["replyTokenTtl"])
            if "timeoutDelay" in body:
                platform.timeout_delay = float(body["timeoutDelay"])
        # The channel secret and access token stay out of this answer on purpose.
        return JSONResponse(
            {
                "botUserId": platform.bot_user_id,
                "webhookUrl": platform.webhook_url,
                "replyTokenTtl": platform.reply_token_ttl,
                "timeoutDelay": platform.timeout_delay,
                "now": platform.now_ms(),
            }
        )

    async def add_user(request: Request) -> Response:
        body = await json_object(request)
        try:
            user_id = platform.add_user(
                body.get("userId"),
                display_name=body.get("displayName", "テストユーザー"),
                language=body.get("language", "ja"),
                picture_url=body.get("pictureUrl"),
                status_message=body.get("statusMessage"),
            )
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from exc
        return JSONResponse({"userId": user_id}, status_code=201)

    async def get_user(request: Request) -> Response:
        user = platform.user(request.path_params["user_id"])
        if user is None:
            raise HTTPException(404)
        return JSONResponse({**user.profile(), "blocked": user.blocked})

    async def deliveries(request: Request) -> Response:
        found = platform.deliveries(request.path_params["user_id"])
        return JSONResponse({"deliveries": [delivery_json(d) for d in found]})

    async def put_content(request: Request) -> Response:
        message_id = request.path_params["message_id"]
        content_type = request.headers.get("content-type", "application/octet-stream")
        kind = request.query_params.get("type", "image")
        platform.messages.upload(message_id, await request.body(), content_type, kind)
        return Response(status_code=204)

    async def put_transcoding(request: Request) -> Response:
        status = (await json_object(request)).get("status")
        if status not in ("processing", "succeeded", "failed"):
            raise HTTPException(400, "status must be processing, succeeded or failed")
        try:
            platform.messages.set_transcoding(request.path_params["message_id"], status)
        except KeyError as exc:
            raise HTTPException(404) from exc
        return Response(status_code=204)

    async def script(request: Request) -> Response:
        if request.method == "DELETE":
            platform.scripts.clear()
            return Response(status_code=204)
        body = await json_object(request)
        responses: list[ScriptItem] = body.get("responses", [])
        try:
            platform.script(str(body.get("endpoint", "")), responses)
        except (ValueError, KeyError, TypeError) as exc:
            raise HTTPException(400, str(exc)) from exc
        return Response(status_code=204)

    async def advance(request: Request) -> Response:
        seconds = (await json_object(request)).get("seconds")
        if not isinstance(seconds, int | float) or isinstance(seconds, bool):
            raise HTTPException(400, "seconds must be a number")
        platform.advance(float(seconds))
        return JSONResponse({"now": platform.now_ms()})

    async def calls(request: Request) -> Response:
        found = platform.calls(request.query_params.get("path"), request.query_params.get("method"))
        return JSONResponse({"calls": [asdict(c) for c in found]})

    async def webhooks(_request: Request) -> Response:
        return JSONResponse({"attempts": [asdict(a) for a in platform.webhook_attempts()]})

    async def loading(request: Request) -> Response:
        found = platform.loading_calls(request.query_params.get("chatId"))
        return JSONResponse({"calls": [asdict(c) for c in found]})

    return [
        Route("/_sim/config", config, methods=["GET", "PUT"]),
        Route("/_sim/users", add_user, methods=["POST"]),
        Route("/_sim/users/{user_id}", get_user, methods=["GET"]),
        Route("/_sim/users/{user_id}/deliveries", deliveries, methods=["GET"]),
        Route("/_sim/content/{message_id}", put_content, methods=["PUT"]),
        Route("/_sim/content/{message_id}/transcoding", put_transcoding, methods=["PUT"]),
        Route("/_sim/script", script, methods=["POST", "DELETE"]),
        Route("/_sim/clock/advance", advance, methods=["POST"]),
        Route("/_sim/calls", calls, methods=["GET"]),
        Route("/_sim/webhooks", webhooks, methods=["GET"]),
        Route("/_sim/loading", loading, methods=["GET"]),
    ]
