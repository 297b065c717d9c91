"""The fake rich-menu endpoints: create, validate, list, get, delete, image, default menu."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from linesim.platform import LinePlatform
from linesim.responses import bad_request, content_response, json_object, line_error
from linesim.richmenus import NO_IMAGE, image_problem, validate_rich_menu

Handler = Callable[[Request, LinePlatform, bytes], Awaitable[Response]]


def _menu_id(request: Request) -> str:
    return str(request.path_params["rich_menu_id"])


async def create(_request: Request, platform: LinePlatform, raw: bytes) -> Response:
    """POST /v2/bot/richmenu."""
    body = json_object(raw)
    if isinstance(body, Response):
        return body
    details = validate_rich_menu(body)
    if details:
        return bad_request(details)
    menu_id = platform.richmenus.create(body)
    if menu_id is None:
        return line_error(400, "The maximum number of rich menus has been reached")
    return JSONResponse({"richMenuId": menu_id})


async def validate(_request: Request, _platform: LinePlatform, raw: bytes) -> Response:
    """POST /v2/bot/richmenu/validate: the create checks, creating nothing."""
    body = json_object(raw)
    if isinstance(body, Response):
        return body
    details = validate_rich_menu(body)
    return bad_request(details) if details else JSONResponse({})


async def listing(_request: Request, platform: LinePlatform, _raw: bytes) -> Response:
    """GET /v2/bot/richmenu/list."""
    return JSONResponse({"richmenus": [m.response() for m in platform.richmenus.all()]})


async def get(request: Request, platform: LinePlatform, _raw: bytes) -> Response:
    """GET /v2/bot/richmenu/{richMenuId}."""
    menu = platform.richmenus.get(_menu_id(request))
    return line_error(404) if menu is None else JSONResponse(menu.response())


async def delete(request: Request, platform: LinePlatform, _raw: bytes) -> Response:
    """DELETE /v2/bot/richmenu/{richMenuId}."""
    if not platform.richmenus.delete(_menu_id(request)):
        return line_error(404)
    return JSONResponse({})


async def upload(request: Request, platform: LinePlatform, raw: bytes) -> Response:
    """POST (api-data) /v2/bot/richmenu/{richMenuId}/content."""
    menu = platform.richmenus.get(_menu_id(request))
    if menu is None:
        return line_error(404)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    problem = image_problem(raw, content_type, menu)
    if problem is not None:
        return line_error(*problem)
    outcome = platform.richmenus.set_image(menu.menu_id, raw, content_type)
    if outcome == "unknown":
        return line_error(404)
    if outcome == "already":
        return line_error(400, "An image has already been uploaded to the richmenu")
    return JSONResponse({})


async def image(request: Request, platform: LinePlatform, _raw: bytes) -> Response:
    """GET (api-data) /v2/bot/richmenu/{richMenuId}/content."""
    menu = platform.richmenus.get(_menu_id(request))
    if menu is None or menu.image is None or menu.content_type is None:
        return line_error(404)
    return content_response(menu.image, menu.content_type)


async def set_default(request: Request, platform: LinePlatform, _raw: bytes) -> Response:
    """POST /v2/bot/user/all/richmenu/{richMenuId}."""
    outcome = platform.richmenus.set_default(_menu_id(request))
    if outcome == "unknown":
        return line_error(404)
    if outcome == "no_image":
        return line_error(400, NO_IMAGE)
    return JSONResponse({})


async def get_default(_request: Request, platform: LinePlatform, _raw: bytes) -> Response:
    """GET /v2/bot/user/all/richmenu."""
    menu_id = platform.richmenus.default
    if menu_id is None:
        return line_error(404, "no default richmenu")
    return JSONResponse({"richMenuId": menu_id})


async def clear_default(_request: Request, platform: LinePlatform, _raw: bytes) -> Response:
    """DELETE /v2/bot/user/all/richmenu."""
    platform.richmenus.clear_default()
    return JSONResponse({})


# Fixed paths come before `{rich_menu_id}`, so `list` and `validate` are never taken for ids.
RICHMENU_ROUTES: list[tuple[str, str, str, Handler]] = [
    ("POST", "/v2/bot/richmenu", "richmenu_create", create),
    ("POST", "/v2/bot/richmenu/validate", "richmenu_validate", validate),
    ("GET", "/v2/bot/richmenu/list", "richmenu_list", listing),
    ("GET", "/v2/bot/richmenu/{rich_menu_id}", "richmenu_get", get),
    ("DELETE", "/v2/bot/richmenu/{rich_menu_id}", "richmenu_delete", delete),
    ("POST", "/v2/bot/richmenu/{rich_menu_id}/content", "richmenu_upload", upload),
    ("GET", "/v2/bot/richmenu/{rich_menu_id}/content", "richmenu_image", image),
    ("POST", "/v2/bot/user/all/richmenu/{rich_menu_id}", "richmenu_set_default", set_default),
    ("GET", "/v2/bot/user/all/richmenu", "richmenu_default", get_default),
    ("DELETE", "/v2/bot/user/all/richmenu", "richmenu_clear_default", clear_default),
]
