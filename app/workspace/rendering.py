"""Rendering a /admin page with the headers every page carries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from app.workspace.sessions import Visitor

NOT_YET = "not yet"
# Nothing from another host, no inline script, and no framing (clickjacking on the forms).
CSP = (
    "default-src 'self'; img-src 'self'; style-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

Render = Callable[..., HTMLResponse]


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
    page.headers["Content-Security-Policy"] = CSP
    return page


def renderer(templates: Jinja2Templates) -> Render:
    """`render(request, template, visitor, status=200, **context)` bound to these templates."""

    def render(
        request: Request, name: str, visitor: Visitor | None, status: int = 200, **context: Any
    ) -> HTMLResponse:
        return render_page(templates, request, name, visitor, status, **context)

    return render


def problems_of(error: ValidationError) -> str:
    """A form's validation errors as one line a person can act on."""
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'form'}: {e['msg']}" for e in error.errors()
    )
