"""`/themes`: what the PR team asks workers for."""

# No `from __future__ import annotations`: see app/admin/submissions.py.

from typing import Annotated

from fastapi import APIRouter, Depends

from app.admin.auth import Caller, GuardedRoute, Guards
from app.admin.schemas import ThemeList, theme_read
from storage import themes
from storage.db import Database


def theme_routes(*, db: Database, guards: Guards) -> APIRouter:
    """The theme routes."""
    router = APIRouter(route_class=GuardedRoute, tags=["themes"])
    Viewer = Annotated[Caller, Depends(guards.viewer)]

    @router.get("/themes")
    def list_themes(_caller: Viewer) -> ThemeList:
        """List every theme in display order."""
        with db.read() as session:
            return ThemeList(items=[theme_read(t) for t in themes.list_all(session)])

    return router
