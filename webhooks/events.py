"""From a stored raw event to what the flows understand, through line-bot-sdk's models.

Parsing happens here, per event, in the worker: an event the SDK cannot parse (unknown type, a
required field missing) is reported as None and kept, without costing any other event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from linebot.v3.webhooks import (
    Event,
    FollowEvent,
    GroupSource,
    ImageMessageContent,
    JoinEvent,
    LeaveEvent,
    MessageEvent,
    PostbackEvent,
    RoomSource,
    TextMessageContent,
    UnfollowEvent,
    UnsendEvent,
    UserSource,
    VideoMessageContent,
)

from flows.types import (
    Followed,
    ImageSet,
    Input,
    OtherReceived,
    PhotoReceived,
    PostbackReceived,
    TextReceived,
    Unfollowed,
    Unsent,
    VideoReceived,
)


@dataclass(frozen=True)
class UserEvent:
    """An event in a 1:1 chat, translated for the flows."""

    user_id: str
    input: Input
    reply_token: str | None


@dataclass(frozen=True)
class ChatEvent:
    """An event in a group or room: only whether to say the 1:1 notice, or forget the chat."""

    chat_id: str
    kind: str  # join | leave | message
    reply_token: str | None


def parse_event(raw: dict[str, Any]) -> Event | None:
    """The SDK model of one event, or None when the SDK cannot make sense of it."""
    try:
        event = Event.from_dict(raw)
    except (ValueError, TypeError, KeyError):  # pydantic's ValidationError is a ValueError
        return None
    return event if isinstance(event, Event) else None


def translate(event: Event) -> UserEvent | ChatEvent | None:
    """The flow input (or chat notice) for a parsed event; None for events the bot ignores."""
    source = event.source
    if isinstance(source, GroupSource | RoomSource):
        chat_id = source.group_id if isinstance(source, GroupSource) else source.room_id
        kind = {JoinEvent: "join", LeaveEvent: "leave", MessageEvent: "message"}.get(type(event))
        if kind is None or not chat_id:
            return None
        token = getattr(event, "reply_token", None)
        return ChatEvent(chat_id=chat_id, kind=kind, reply_token=token)
    if not isinstance(source, UserSource) or not source.user_id:
        return None
    made = _input(event)
    if made is None:
        return None
    return UserEvent(
        user_id=source.user_id, input=made, reply_token=getattr(event, "reply_token", None)
    )


def _input(event: Event) -> Input | None:
    if isinstance(event, MessageEvent):
        message = event.message
        if isinstance(message, ImageMessageContent):
            image_set = None
            if message.image_set is not None and message.image_set.id:
                image_set = ImageSet(
                    id=message.image_set.id,
                    index=message.image_set.index,
                    total=message.image_set.total,
                )
            provider = message.content_provider
            return PhotoReceived(
                message_id=message.id,
                image_set=image_set,
                external=provider is not None and provider.type == "external",
            )
        if isinstance(message, VideoMessageContent):
            provider = message.content_provider
            external = provider is not None and provider.type == "external"
            return VideoReceived(message_id=message.id, external=external)
        if isinstance(message, TextMessageContent):
            return TextReceived(text=message.text)
        return OtherReceived(kind=str(getattr(message, "type", "unknown")))
    if isinstance(event, PostbackEvent):
        return PostbackReceived(data=event.postback.data or "")
    if isinstance(event, FollowEvent):
        return Followed(unblocked=bool(event.follow and event.follow.is_unblocked))
    if isinstance(event, UnfollowEvent):
        return Unfollowed()
    if isinstance(event, UnsendEvent):
        return Unsent(message_id=event.unsend.message_id)
    return None
