"""`mount_workspace`: the /admin pages, their static files and their HTML error pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app.admin.face_checks import Uploads
from app.admin.throttle import LIMIT, FailureThrottle
from app.pushes.feedback import Feedback
from app.workspace import labels
from app.workspace.editor_pages import editor_router
from app.workspace.export_pages import export_router
from app.workspace.media_pages import media_router, readable_size, too_large
from app.workspace.outreach_pages import outreach_router
from app.workspace.pages import TEMPLATE_DIR, workspace_router
from app.workspace.privacy_pages import privacy_router
from app.workspace.rendering import renderer
from app.workspace.sessions import SIGN_IN, SessionKeeper, SignInRequired
from media import DEFAULT_LIMITS
from storage.blobs import BlobStore
from storage.db import Database

PREFIX = "/admin"
TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "Changed meanwhile",
    413: "Too large",
    422: "Not accepted",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Unavailable",
}


def is_page(path: str) -> bool:
    """True for a path under /admin (answered with HTML, not JSON)."""
    return path == PREFIX or path.startswith(PREFIX + "/")


def error_page(request: Request, status: int, detail: object) -> Response:
    """A plain HTML error page: the status and a short message, never a traceback."""
    message = detail if isinstance(detail, str) and status < 500 else None
    templates = getattr(request.app.state, "workspace_templates", None)
    if not isinstance(templates, Jinja2Templates):  # an app without the pages
        return HTMLResponse(f"<!doctype html><title>{status}</title><h1>{status}</h1>", status)
    page = templates.TemplateResponse(
        request,
        "error.html",
        {
            "visitor": None,
            "status": status,
            "title": TITLES.get(status, "Error"),
            "message": message or "Please go back and try again.",
        },
        status_code=status,
    )
    page.headers["Cache-Control"] = "no-store"
    return page


def mount_workspace(
    app: FastAPI,
    *,
    db: Database,
    blobs: BlobStore,
    clock: Callable[[], datetime],
    failure_limit: int = LIMIT,
    retention_days: int | None = None,
    feedback: Feedback | None = None,
    uploads: Uploads | None = None,
    zone: ZoneInfo | None = None,
) -> None:
    """Add the /admin pages; `/admin` without a session leads to the sign-in page.

    Without `feedback` nothing is pushed and the reminder and stats pages are left out;
    `uploads` is where and how large a corrected blurred image may be (the API's, by default);
    `zone` is the company's time zone the pages show times and days in (the push policy's, else
    UTC).
    """
    keeper = SessionKeeper(db, clock)
    throttle = FailureThrottle(clock, limit=failure_limit)
    templates = Jinja2Templates(directory=TEMPLATE_DIR)
    app.state.workspace_templates = templates
    zone = zone or (feedback.policy.zone if feedback else ZoneInfo("UTC"))
    app.state.workspace_zone = zone  # the gallery's date filter counts company days
    labels.install(templates.env, zone)
    uploads = uploads or Uploads(limits=DEFAULT_LIMITS)
    # The item page's upload forms state the limit, and their script refuses a larger file.
    max_bytes = uploads.limits.max_bytes
    templates.env.globals["upload_limit"] = {
        "bytes": max_bytes,
        "text": readable_size(max_bytes),
        "too_large": too_large(max_bytes),
    }
    app.include_router(
        workspace_router(
            db=db,
            clock=clock,
            keeper=keeper,
            throttle=throttle,
            templates=templates,
            feedback=feedback,
        )
    )
    app.include_router(
        media_router(
            db=db,
            blobs=blobs,
            clock=clock,
            keeper=keeper,
            render=renderer(templates),
            uploads=uploads,
        )
    )
    app.include_router(editor_router(db=db, clock=clock, keeper=keeper, render=renderer(templates)))
    app.include_router(
        export_router(db=db, blobs=blobs, clock=clock, keeper=keeper, templates=templates)
    )
    app.include_router(
        privacy_router(
            db=db,
            blobs=blobs,
            clock=clock,
            keeper=keeper,
            templates=templates,
            retention_days=retention_days,
        )
    )
    if feedback is not None:
        app.include_router(
            outreach_router(
                db=db, clock=clock, keeper=keeper, templates=templates, feedback=feedback
            )
        )
    app.mount(
        f"{PREFIX}/static",
        StaticFiles(directory=Path(__file__).parent / "static"),
        name="workspace-static",
    )

    @app.exception_handler(SignInRequired)
    async def to_sign_in(_request: Request, _exc: SignInRequired) -> Response:
        return RedirectResponse(SIGN_IN, status_code=303)
