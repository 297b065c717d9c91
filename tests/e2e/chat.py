"""Talking to the bot through linesim as a worker would: send, wait for the answer, tap."""

from __future__ import annotations

from typing import Any

from linesim import Delivery, LineSim


class Worker:
    """One LINE user chatting with the bot."""

    def __init__(self, sim: LineSim, name: str = "山田 花子", language: str = "ja") -> None:
        self.sim = sim
        self.user_id = sim.platform.add_user(display_name=name, language=language)
        self.seen = 0

    def send(self, *events: dict[str, Any]) -> None:
        """Post events in one webhook request; the bot must acknowledge with 200."""
        response = self.sim.sender.send(*events)
        assert response.status_code == 200, response.text

    def reply(self, timeout: float = 20) -> list[Delivery]:
        """Wait for the bot's next reply (one API call, up to five messages) and return it."""
        got = self.sim.platform.wait_for_deliveries(self.user_id, self.seen + 1, timeout)
        request = got[self.seen].request_id
        new = [d for d in got[self.seen :] if d.request_id == request]
        self.seen += len(new)
        return new

    def question(self, timeout: float = 20) -> Delivery:
        """Wait for the next reply and return its last message (the one with the buttons)."""
        return self.reply(timeout)[-1]

    def all_answers(self) -> list[Delivery]:
        """Every message the bot delivered to this worker."""
        return self.sim.platform.deliveries(self.user_id)

    def tap(self, delivery: Delivery, label_part: str) -> None:
        """Tap the quick-reply button whose label contains `label_part`."""
        for item in delivery.message.get("quickReply", {}).get("items", []):
            action = item["action"]
            if label_part in action.get("label", ""):
                assert action["type"] == "postback", action
                self.send(self.sim.events.postback(self.user_id, action["data"]))
                return
        raise AssertionError(f"no button {label_part!r} in {delivery.message}")

    def say(self, text: str) -> None:
        """Type a text message."""
        self.send(self.sim.events.text(self.user_id, text))


def labels(delivery: Delivery) -> list[str]:
    """The quick-reply labels under a message."""
    return [
        i["action"].get("label", "")
        for i in delivery.message.get("quickReply", {}).get("items", [])
    ]
