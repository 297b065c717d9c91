"""The rich menu's buttons: the postback data each area sends, named in one place.

`send`, `help`, `guideline`, `month_theme`, `examples` and `mine` are intents the flows handle
(see `flows.guide`, `flows.showcase` and `flows.mine`); a menu already deployed keeps working
because each area's data names the intent's value. Data `intents.parse` does not know (a menu
from a newer or older version) is an unknown button, which `fallbacks.malformed` answers like any
other: at IDLE it points to the camera and album; during a question it keeps the draft and asks
the question again (counting, like any unexpected answer, towards the pause).
"""

from __future__ import annotations

from enum import StrEnum

from flows.intents import VERSION, Intent


class MenuButton(StrEnum):
    """The intent each rich-menu area carries in its postback data."""

    SEND = Intent.SEND.value  # camera and album buttons
    GUIDELINE = Intent.GUIDELINE.value
    MONTH_THEME = Intent.MONTH_THEME.value
    EXAMPLES = Intent.EXAMPLES.value
    MINE = Intent.MINE.value  # my submissions
    HELP = Intent.HELP.value  # help; settings will be reached from its answer


def menu_data(button: MenuButton) -> str:
    """Return the postback data of a rich-menu area (`g1|<intent>`, as `intents.encode` writes)."""
    return f"{VERSION}|{button.value}"
