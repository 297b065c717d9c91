"""linesim: a local LINE platform (fake Messaging API, signed webhooks, chat page).

    with LineSim(LinePlatform(secret, token, webhook_url=bot_url)) as sim:
        user = sim.platform.add_user(display_name="現場太郎")
        sim.sender.send(sim.events.image(user, jpeg_bytes))   # signed, like LINE
        [reply] = sim.platform.wait_for_deliveries(user, 1)   # what the bot answered

Point the bot's LINE API base URL at sim.base_url; the chat page is at sim.chat_url.
"""

from linesim.app import create_app
from linesim.events import Events
from linesim.faults import Fail, Pass, Redirect, Timeout, Truncate
from linesim.harness import LineSim
from linesim.platform import LinePlatform
from linesim.records import ApiCall, Delivery, MessageRecord, ReplyToken, User, WebhookAttempt
from linesim.sender import AsyncWebhookSender, WebhookSender, webhook_body
from linesim.server import RunningServer, start_server
from linesim.signature import sign

__all__ = [
    "ApiCall",
    "AsyncWebhookSender",
    "Delivery",
    "Events",
    "Fail",
    "LinePlatform",
    "LineSim",
    "MessageRecord",
    "Pass",
    "Redirect",
    "ReplyToken",
    "RunningServer",
    "Timeout",
    "Truncate",
    "User",
    "WebhookAttempt",
    "WebhookSender",
    "create_app",
    "sign",
    "start_server",
    "webhook_body",
]
