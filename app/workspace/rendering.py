"""Rendering a /admin page with the headers every page carries."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.workspace.sessions import Visitor

NOT_YET = "not yet"


def render_page(
    templates: Jinja2Templates,
    request: Request,
    name: str,
    visitor: Visitor | None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The template as a page no cache keeps, no frame shows, and nothing foreign runs in."""
    page = templates.TemplateResponse(
        request, name, {"visitor": visitor, "not_yet": NOT_YET, **context}, status_code=status
    )
    page.headers["Cache-Control"] = "no-store"
    page.headers["X-Frame-Options"] = "DENY"
    page.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self'; style-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    )
    return page
