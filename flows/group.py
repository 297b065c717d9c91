"""Groups and rooms: the bot works in 1:1 chats, says so once per group, and stores nothing else.

The caller keeps one flag per group or room ("already noticed") and passes LINE's event type.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.keys import Key
from flows.types import Reply

# LINE event types in a group or room that carry a reply token and come from a person's action.
ANSWERABLE = frozenset({"join", "message", "postback", "memberJoined"})


@dataclass(frozen=True)
class GroupNotice:
    """What to say (None: nothing) and the flag to store for the group afterwards."""

    reply: Reply | None
    noticed: bool


def group_notice(*, already_noticed: bool, event_type: str) -> GroupNotice:
    """Decide whether to tell a group or room, once, that the bot works in 1:1 chats."""
    if event_type == "leave":
        # The bot was removed: if it is invited again, it says it once more.
        return GroupNotice(None, noticed=False)
    if already_noticed or event_type not in ANSWERABLE:
        return GroupNotice(None, noticed=already_noticed)
    return GroupNotice(Reply(Key.GROUP_NOTICE), noticed=True)
