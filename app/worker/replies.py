"""Reply jobs: send a committed outbox entry with its reply token, at most once.

A reply token works once and for about a minute. So: past its expiry the entry is dropped with a
log line (no push fallback); LINE's "Invalid reply token" means it was used or expired, and is
final too; 5xx, 429 and timeouts are retried while the token can still be valid. After a crash
the job simply runs again: a token that already worked is refused by LINE, so nothing is ever
sent twice.
"""

from __future__ import annotations

import json
import logging

from app.worker.base import JobEnv, RetryLater
from storage import outbox
from storage.jobs import ClaimedJob
from webhooks.line_api import LineApiError

log = logging.getLogger("genba.reply")


def handle_reply(job: ClaimedJob, env: JobEnv) -> None:
    """Send one outbox entry."""
    services = env.services
    outbox_id = int(job.payload["outbox_id"])
    with services.db.read() as session:
        row = outbox.get(session, outbox_id)
    if row is None or row.state != outbox.PENDING:
        return None
    now = services.clock()
    if now >= row.expires_at:
        _finish(env, outbox_id, outbox.EXPIRED, "reply token too old to use")
        log.warning("reply %s dropped: its reply token expired before it could be sent", outbox_id)
        return None
    assert services.line is not None, "the worker needs a LINE client"
    try:
        services.line.reply(row.reply_token, json.loads(row.messages))
    except LineApiError as exc:
        if exc.status == 400 and "reply token" in exc.message.lower():
            _finish(env, outbox_id, outbox.DROPPED, exc.message)
            log.warning("reply %s dropped: LINE says the reply token is used or expired", outbox_id)
            return None
        if exc.retryable:
            # Never schedule a retry the token cannot live to see: it would only hold back
            # this chat's later replies before being dropped.
            left = (row.expires_at - services.clock()).total_seconds()
            if left < 1:
                _finish(env, outbox_id, outbox.EXPIRED, f"token expired while retrying: {exc}")
                log.warning("reply %s dropped: LINE failed until its token expired", outbox_id)
                return None
            base = services.settings.job_backoff_base_seconds
            wait = min(base * 2 ** (job.attempts - 1), left / 2)
            raise RetryLater(str(exc), delay=wait) from None
        _finish(env, outbox_id, outbox.FAILED, exc.message)
        log.error("reply %s refused by LINE: %s", outbox_id, exc)
        return None
    _finish(env, outbox_id, outbox.SENT, None)
    return None


def _finish(env: JobEnv, outbox_id: int, state: str, error: str | None) -> None:
    with env.services.db.write() as session:
        outbox.finish(session, outbox_id, state=state, now=env.services.clock(), error=error)


def give_up_reply(job: ClaimedJob, env: JobEnv, reason: str) -> None:
    """After the last attempt, record that the reply was never sent."""
    _finish(env, int(job.payload["outbox_id"]), outbox.FAILED, reason)
