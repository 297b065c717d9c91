"""Webhook event builders: LINE-shaped dicts (webhook.yml), wired to the platform's state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from linesim import ids
from linesim.platform import LinePlatform
from linesim.records import JSON, MessageRecord, TranscodingStatus

Mode = Literal["active", "standby"]
ImageSet = tuple[str, int | None, int | None]
QUOTABLE_CONTENT = ("text", "image", "video", "sticker")


class Events:
    """Build webhook events for a platform; replyable ones get a reply token it will accept."""

    def __init__(self, platform: LinePlatform) -> None:
        self.platform = platform

    # -- plumbing --------------------------------------------------------------------------
    def _source(
        self, user_id: str | None, group_id: str | None, room_id: str | None, with_user: bool
    ) -> tuple[JSON, str]:
        if user_id is not None and self.platform.user(user_id) is None:
            self.platform.add_user(user_id)
        if group_id is not None:
            self.platform.add_group(group_id)
            source: JSON = {"type": "group", "groupId": group_id}
        elif room_id is not None:
            self.platform.add_room(room_id)
            source = {"type": "room", "roomId": room_id}
        elif user_id is not None:
            return {"type": "user", "userId": user_id}, user_id
        else:
            raise ValueError("an event needs a user_id, a group_id or a room_id")
        # LINE puts userId in a group or room source only on message events.
        if with_user and user_id is not None:
            source["userId"] = user_id
        return source, group_id or room_id or ""

    def _event(
        self,
        kind: str,
        user_id: str | None,
        *,
        group_id: str | None = None,
        room_id: str | None = None,
        mode: Mode = "active",
        replyable: bool = True,
        user_in_source: bool = False,
        **fields: Any,
    ) -> JSON:
        source, chat_id = self._source(user_id, group_id, room_id, user_in_source)
        now = self.platform.now()
        event: JSON = {
            "type": kind,
            "mode": mode,
            "timestamp": int(now * 1000),
            "source": source,
            "webhookEventId": ids.new_event_id(now),
            "deliveryContext": {"isRedelivery": False},
        }
        if replyable and mode == "active":
            # A standby channel must not answer, so LINE gives it no reply token.
            event["replyToken"] = self.platform.issue_reply_token(
                chat_id, event["webhookEventId"], now
            )
        event.update(fields)
        return event

    def _message(
        self,
        user_id: str,
        content: JSON,
        group_id: str | None,
        room_id: str | None,
        mode: Mode,
        record: MessageRecord | None = None,
    ) -> JSON:
        message_id = self.platform.messages.new_id()
        message: JSON = {"id": message_id, **content}
        if content["type"] in QUOTABLE_CONTENT:
            message["quoteToken"] = ids.new_token()
        message["markAsReadToken"] = ids.new_token()
        chat_id = group_id or room_id or user_id
        if record is None:
            record = MessageRecord(message_id, content["type"])
        record.message_id, record.chat_id = message_id, chat_id
        self.platform.messages.add(record)
        return self._event(
            "message",
            user_id,
            group_id=group_id,
            room_id=room_id,
            mode=mode,
            user_in_source=True,
            message=message,
        )

    def _media(
        self,
        kind: str,
        user_id: str,
        data: bytes | None,
        content_type: str,
        extra: JSON,
        provider: Literal["line", "external"],
        original_content_url: str | None,
        preview_image_url: str | None,
        group_id: str | None,
        room_id: str | None,
        mode: Mode,
        transcoding: TranscodingStatus = "succeeded",
    ) -> JSON:
        record = MessageRecord("", kind, content_type=content_type, transcoding=transcoding)
        if provider == "external":
            # External content lives elsewhere; LINE's content API cannot serve it.
            record.external = True
            content_provider: JSON = {
                "type": "external",
                "originalContentUrl": original_content_url or "https://example.com/original.jpg",
                "previewImageUrl": preview_image_url or "https://example.com/preview.jpg",
            }
        else:
            if data is None:
                raise ValueError(f"a {kind} from LINE needs its bytes")
            record.content = bytes(data)
            content_provider = {"type": "line"}
        content = {"type": kind, "contentProvider": content_provider, **extra}
        return self._message(user_id, content, group_id, room_id, mode, record)

    # -- message events --------------------------------------------------------------------
    def text(
        self,
        user_id: str,
        text: str,
        *,
        group_id: str | None = None,
        room_id: str | None = None,
        mode: Mode = "active",
        quoted_message_id: str | None = None,
        emojis: Sequence[Mapping[str, Any]] | None = None,
        mention: Mapping[str, Any] | None = None,
    ) -> JSON:
        """A text message event."""
        content: JSON = {"type": "text", "text": text}
        if emojis:
            content["emojis"] = [dict(e) for e in emojis]
        if mention:
            content["mention"] = dict(mention)
        if quoted_message_id:
            content["quotedMessageId"] = quoted_message_id
        return self._message(user_id, content, group_id, room_id, mode)

    def image(
        self,
        user_id: str,
        data: bytes | None = None,
        *,
        content_type: str = "image/jpeg",
        image_set: ImageSet | None = None,
        provider: Literal["line", "external"] = "line",
        original_content_url: str | None = None,
        preview_image_url: str | None = None,
        group_id: str | None = None,
        room_id: str | None = None,
        mode: Mode = "active",
    ) -> JSON:
        """An image message event; its bytes become downloadable under the new message id."""
        extra: JSON = {}
        if image_set is not None:
            set_id, index, total = image_set
            # LINE for Android 11.15 and older sends imageSet without index and total.
            extra["imageSet"] = {
                "id": set_id,
                **({"index": index} if index is not None else {}),
                **({"total": total} if total is not None else {}),
            }
        return self._media(
            "image", user_id, data, content_type, extra, provider, original_content_url,
            preview_image_url, group_id, room_id, mode,
        )  # fmt: skip

    def imageset(
        self,
        user_id: str,
        images: Sequence[bytes],
        *,
        content_type: str = "image/jpeg",
        set_id: str | None = None,
        with_index: bool = True,
    ) -> list[JSON]:
        """One image event per picture of a set sent at once (shared id, index 1..n)."""
        set_id = set_id or ids.new_image_set_id()
        total = len(images)
        return [
            self.image(
                user_id,
                data,
                content_type=content_type,
                image_set=(set_id, i if with_index else None, total if with_index else None),
            )
            for i, data in enumerate(images, start=1)
        ]

    def video(
        self,
        user_id: str,
        data: bytes | None = None,
        *,
        content_type: str = "video/mp4",
        duration: int | None = 5000,
        transcoding: TranscodingStatus = "succeeded",
        provider: Literal["line", "external"] = "line",
        original_content_url: str | None = None,
        preview_image_url: str | None = None,
        group_id: str | None = None,
        room_id: str | None = None,
        mode: Mode = "active",
    ) -> JSON:
        """A video message event; content answers 202 while transcoding is `processing`."""
        extra: JSON = {} if duration is None else {"duration": duration}
        return self._media(
            "video", user_id, data, content_type, extra, provider, original_content_url,
            preview_image_url, group_id, room_id, mode, transcoding,
        )  # fmt: skip

    def audio(
        self,
        user_id: str,
        data: bytes,
        *,
        content_type: str = "audio/x-m4a",
        duration: int = 3000,
        transcoding: TranscodingStatus = "succeeded",
        mode: Mode = "active",
    ) -> JSON:
        """An audio message event."""
        return self._media(
            "audio", user_id, data, content_type, {"duration": duration}, "line", None, None,
            None, None, mode, transcoding,
        )  # fmt: skip

    def file(
        self,
        user_id: str,
        data: bytes,
        *,
        file_name: str = "file.bin",
        content_type: str = "application/octet-stream",
        mode: Mode = "active",
    ) -> JSON:
        """A file message event."""
        record = MessageRecord("", "file", content=bytes(data), content_type=content_type)
        content = {"type": "file", "fileName": file_name, "fileSize": len(data)}
        return self._message(user_id, content, None, None, mode, record)

    def location(
        self,
        user_id: str,
        *,
        latitude: float = 35.681236,
        longitude: float = 139.767125,
        title: str | None = None,
        address: str | None = None,
        mode: Mode = "active",
    ) -> JSON:
        """A location message event (defaults to Tokyo Station)."""
        content: JSON = {"type": "location", "latitude": latitude, "longitude": longitude}
        if title is not None:
            content["title"] = title
        if address is not None:
            content["address"] = address
        return self._message(user_id, content, None, None, mode)

    def sticker(
        self,
        user_id: str,
        *,
        package_id: str = "446",
        sticker_id: str = "1988",
        resource_type: str = "STATIC",
        keywords: Sequence[str] | None = None,
        text: str | None = None,
        group_id: str | None = None,
        mode: Mode = "active",
    ) -> JSON:
        """A sticker message event."""
        content: JSON = {
            "type": "sticker",
            "packageId": package_id,
            "stickerId": sticker_id,
            "stickerResourceType": resource_type,
        }
        if keywords is not None:
            content["keywords"] = list(keywords)[:15]
        if text is not None:
            content["text"] = text
        return self._message(user_id, content, group_id, None, mode)

    # -- other events ----------------------------------------------------------------------
    def postback(
        self,
        user_id: str,
        data: str,
        *,
        params: Mapping[str, str] | None = None,
        group_id: str | None = None,
        room_id: str | None = None,
        mode: Mode = "active",
    ) -> JSON:
        """A postback event (params as a datetimepicker or richmenuswitch sets them)."""
        postback: JSON = {"data": data}
        if params is not None:
            postback["params"] = dict(params)
        return self._event(
            "postback", user_id, group_id=group_id, room_id=room_id, mode=mode, postback=postback
        )

    def follow(self, user_id: str, *, is_unblocked: bool = False, mode: Mode = "active") -> JSON:
        """A follow event: a new friend, or (is_unblocked) a friend who unblocked the bot."""
        event = self._event("follow", user_id, mode=mode, follow={"isUnblocked": is_unblocked})
        self.platform.set_blocked(user_id, False)
        return event

    def unfollow(self, user_id: str, *, mode: Mode = "active") -> JSON:
        """An unfollow event; the user counts as blocking the bot from now on."""
        event = self._event("unfollow", user_id, mode=mode, replyable=False)
        self.platform.set_blocked(user_id, True)
        return event

    def unsend(self, user_id: str, message_id: str, *, mode: Mode = "active") -> JSON:
        """An unsend event; the message's content answers 410 from now on."""
        self.platform.messages.unsend(message_id)
        return self._event(
            "unsend", user_id, mode=mode, replyable=False, unsend={"messageId": message_id}
        )

    def join(
        self, *, group_id: str | None = None, room_id: str | None = None, mode: Mode = "active"
    ) -> JSON:
        """A join event: the bot was added to a group or room."""
        group_id, room_id = _one_chat(group_id, room_id)
        return self._event("join", None, group_id=group_id, room_id=room_id, mode=mode)

    def leave(
        self, *, group_id: str | None = None, room_id: str | None = None, mode: Mode = "active"
    ) -> JSON:
        """A leave event: the bot was removed from a group or room."""
        group_id, room_id = _one_chat(group_id, room_id)
        return self._event(
            "leave", None, group_id=group_id, room_id=room_id, mode=mode, replyable=False
        )


def _one_chat(group_id: str | None, room_id: str | None) -> tuple[str | None, str | None]:
    if group_id is None and room_id is None:
        return ids.new_group_id(), None
    return group_id, room_id
