"""The menu as data: six areas in a 3×2 grid on LINE's full size, each with its postback."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flows.menu import MenuButton, menu_data

WIDTH, HEIGHT = 2500, 1686  # LINE's full-size rich menu
CHAT_BAR_TEXT = "メニュー / Menu"  # the bar that opens and closes the menu (≤ 14 characters)


class Icon(StrEnum):
    """The pictogram drawn on an area (see `richmenu.icons`)."""

    CAMERA = "camera"
    GUIDELINE = "guideline"
    CALENDAR = "calendar"
    GALLERY = "gallery"
    PERSON = "person"
    GEAR = "gear"


@dataclass(frozen=True)
class Bounds:
    """A rectangle in image pixels, as LINE's bounds object."""

    x: int
    y: int
    width: int
    height: int

    def as_json(self) -> dict[str, int]:
        """Return LINE's bounds object."""
        return {"x": self.x, "y": self.y, "width": self.width, "height": self.height}


@dataclass(frozen=True)
class Area:
    """One tappable area: where it is, what it sends, and what the image shows there."""

    bounds: Bounds
    button: MenuButton
    title: str  # Japanese, large
    subtitle: str  # English, beneath
    icon: Icon
    primary: bool = False  # the main action, drawn in the strong colour

    def action(self) -> dict[str, Any]:
        """Return LINE's action object for this area."""
        return {"type": "postback", "data": menu_data(self.button)}


@dataclass(frozen=True)
class Layout:
    """A whole rich menu; `selected` opens it when the chat opens."""

    width: int
    height: int
    chat_bar_text: str
    areas: tuple[Area, ...]
    selected: bool = True

    def request(self, name: str) -> dict[str, Any]:
        """Return the body of LINE's "create rich menu" request."""
        return {
            "size": {"width": self.width, "height": self.height},
            "selected": self.selected,
            "name": name,
            "chatBarText": self.chat_bar_text,
            "areas": [{"bounds": a.bounds.as_json(), "action": a.action()} for a in self.areas],
        }


def grid(width: int, height: int, columns: int, rows: int) -> list[Bounds]:
    """Split the image into cells row by row, the last pixels going to the middle cells."""
    xs = [round(width * i / columns) for i in range(columns + 1)]
    ys = [round(height * j / rows) for j in range(rows + 1)]
    return [
        Bounds(xs[i], ys[j], xs[i + 1] - xs[i], ys[j + 1] - ys[j])
        for j in range(rows)
        for i in range(columns)
    ]


def _menu() -> Layout:
    cells = grid(WIDTH, HEIGHT, 3, 2)
    content = [
        (MenuButton.SEND, "写真を送る", "Send a photo", Icon.CAMERA),
        (MenuButton.GUIDELINE, "ガイドライン", "Photo rules", Icon.GUIDELINE),
        (MenuButton.MONTH_THEME, "今月のテーマ", "Theme of the month", Icon.CALENDAR),
        (MenuButton.EXAMPLES, "投稿の例", "Examples", Icon.GALLERY),
        (MenuButton.MINE, "自分の投稿", "My submissions", Icon.PERSON),
        (MenuButton.HELP, "ヘルプ・設定", "Help & settings", Icon.GEAR),
    ]
    areas = tuple(
        Area(cell, button, title, subtitle, icon, primary=button is MenuButton.SEND)
        for cell, (button, title, subtitle, icon) in zip(cells, content, strict=True)
    )
    return Layout(WIDTH, HEIGHT, CHAT_BAR_TEXT, areas)


MENU = _menu()
