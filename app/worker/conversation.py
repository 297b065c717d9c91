"""Event jobs: each webhook event becomes one conversation step (design.md §5).

A job carries one user's events of one webhook. For each, load the state, call the pure flow,
and commit in ONE transaction the new state, the effects (submission rows, media jobs), the
rendered replies (the outbox, with a reply job) and the inbox row marked handled; the reply
jobs go back to the runner, which runs them right after the job. A re-run of the job (after a
crash) finds the rows of events done handled and skips them.

An album check (`CheckBatchLater`, see flows/photos.py) is an event job too, delayed with
`run_at` and carrying no webhook event of its own: it feeds `BatchDue` to the flow and answers
with the reply token of the photo it checks. Its ordering key is its own, so waiting for it
never holds up the worker's next messages; a check that races a step of the same worker loses
the conversation's version check and runs again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session
from ulid import ULID

from app.public_media import signer_for
from app.worker.base import JobEnv
from app.worker.effects import apply_effects
from app.worker.profiles import ensure_contributor
from app.worker.views import example_cards, guideline_view, offered_themes, theme_view
from flows import intents
from flows.group import group_notice
from flows.machine import step
from flows.mine import MAX_CARDS
from flows.types import (
    BatchDue,
    CheckBatchLater,
    Context,
    Conversation,
    DraftKind,
    Effect,
    Face,
    Input,
    PostbackReceived,
    Reply,
    SetLanguage,
    Site,
    SubmissionRef,
    SubmissionStatus,
    Unsent,
)
from storage import conversations, drafts, groups, inbox, jobs, outbox, receipts, sites, themes
from storage.jobs import ClaimedJob, JobSpec
from storage.models import Contributor, Submission, WebhookEvent
from storage.states import InboxStatus
from webhooks.events import ChatEvent, UserEvent, parse_event, translate
from webhooks.privacy import user_ref
from webhooks.render import render, to_outbox

log = logging.getLogger("genba.conversation")


BATCH_DUE = "batch_due"  # the payload key of an album check


def handle_event(job: ClaimedJob, env: JobEnv) -> list[int]:
    """Run the conversation step of each stored event the job carries; returns reply jobs."""
    if BATCH_DUE in job.payload:
        reply = _batch_due_step(env, job.payload[BATCH_DUE])
        return [reply] if reply is not None else []
    replies: list[int] = []
    for event_id in inbox.event_ids(job.payload):
        try:
            reply = _handle_one(env, event_id)
        except Exception as exc:
            if not job.last_attempt or env.should_stop():
                raise  # retried whole (or handed back at shutdown); handled events are skipped
            # Out of attempts: this event fails on its own, in a dead job of its own that an
            # operator can retry, and the events after it (the rest of the same webhook) run,
            # as they would have in jobs of their own.
            log.exception("event %s failed on the job's last attempt", event_id)
            _bury(env, job, event_id, f"{type(exc).__name__}: {exc}")
            continue
        if reply is not None:
            replies.append(reply)
    return replies


def _bury(env: JobEnv, job: ClaimedJob, event_id: str, reason: str) -> None:
    now = env.services.clock()
    with env.services.db.write() as session:
        inbox.mark(session, event_id, status=InboxStatus.FAILED, now=now, note=reason[:500])
        jobs.enqueue_dead(
            session,
            JobSpec(
                kind=jobs.EVENT,
                payload=json.dumps({"event_ids": [event_id]}),
                ordering_key=job.ordering_key,
            ),
            now=now,
            error=reason,
            attempts=job.attempts,
        )


def _handle_one(env: JobEnv, event_id: str) -> int | None:
    services = env.services
    with services.db.read() as session:
        row = inbox.get(session, event_id)
    if row is None or row.status != InboxStatus.QUEUED:
        return None
    parsed = parse_event(json.loads(row.payload))
    translated = None if parsed is None else translate(parsed)
    if translated is None:
        status = InboxStatus.UNPARSEABLE if parsed is None else InboxStatus.IGNORED
        with services.db.write() as session:
            inbox.mark(session, event_id, status=status, now=services.clock())
        if parsed is None:
            log.warning("event %s kept but not handled: line-bot-sdk cannot parse it", event_id)
        return None
    if isinstance(translated, ChatEvent):
        return _chat_step(env, row, translated)
    return _user_step(env, row, translated)


def _user_step(env: JobEnv, row: WebhookEvent, event: UserEvent) -> int | None:
    services = env.services
    contributor = ensure_contributor(env, event.user_id)
    now = services.clock()
    with services.db.write() as session:
        if not inbox.take(session, row.id, now=now):
            return None  # another run of this job got here first
        return _step(env, session, row, event, contributor, event.input, now)


def _step(
    env: JobEnv,
    session: Session,
    row: WebhookEvent,
    event: UserEvent,
    contributor: Contributor,
    received: Input,
    now: datetime,
) -> int | None:
    """Run one flow step in the caller's transaction; return the reply job, if any."""
    services = env.services
    settings = services.settings
    ctx = _context(env, session, contributor, event.user_id, received, now)
    try:
        loaded = conversations.load(session, contributor.id)
    except conversations.UnreadableConversation as exc:
        log.exception(
            "conversation state of %s unreadable; starting afresh", user_ref(event.user_id)
        )
        loaded = conversations.Loaded(Conversation(), exc.version)
    before = loaded.conversation
    outcome = step(before, received, ctx)
    made = apply_effects(
        session,
        outcome.effects,
        contributor_id=contributor.id,
        now=now,
        max_attempts=settings.job_max_attempts,
    )
    made += _schedule_checks(env, session, row, outcome.effects, now)
    # Raises if another step saved meanwhile: this one rolls back and its job runs again.
    conversations.save(
        session, contributor.id, outcome.conversation, version=loaded.version, now=now
    )
    # A language chosen in this very step already speaks the answer.
    chosen = [e.language for e in outcome.effects if isinstance(e, SetLanguage)]
    language = chosen[-1] if chosen else contributor.chosen_language or contributor.language
    reply_job = _queue_replies(env, session, row, event.reply_token, outcome.replies, language, now)
    log.info(
        "event %s %s %s: %s -> %s, effects [%s], %d replies",
        row.id,
        user_ref(event.user_id),
        type(received).__name__,
        before.step.value,
        outcome.conversation.step.value,
        ", ".join(type(e).__name__ for e in outcome.effects),
        len(outcome.replies),
    )
    if made:
        services.doorbell.ring()
    return reply_job


def _schedule_checks(
    env: JobEnv, session: Session, row: WebhookEvent, effects: Sequence[Effect], now: datetime
) -> int:
    """Queue the delayed album checks a step asked for; return how many."""
    specs = [
        JobSpec(
            kind=jobs.EVENT,
            # `event_ids` stays empty so that the queue's tools (retry) find no event to reopen.
            payload=json.dumps(
                {"event_ids": [], BATCH_DUE: {"event_id": row.id, "message_id": e.message_id}}
            ),
            ordering_key=f"batch:{row.source_id or row.id}",
            dedup_key=f"batch:{row.id}",
            run_at=now + e.delay,
        )
        for e in effects
        if isinstance(e, CheckBatchLater)
    ]
    jobs.enqueue_many(session, specs, now=now, max_attempts=env.services.settings.job_max_attempts)
    return len(specs)


def _batch_due_step(env: JobEnv, due: dict[str, object]) -> int | None:
    """Run an album check: the flow answers the photos if they still wait for it."""
    services = env.services
    with services.db.read() as session:
        row = inbox.get(session, str(due["event_id"]))
    parsed = None if row is None else parse_event(json.loads(row.payload))
    event = None if parsed is None else translate(parsed)
    if row is None or not isinstance(event, UserEvent):
        log.warning("album check for event %s: the event is gone; nothing to answer", due)
        return None
    contributor = ensure_contributor(env, event.user_id)
    now = services.clock()
    with services.db.write() as session:
        return _step(env, session, row, event, contributor, BatchDue(str(due["message_id"])), now)


def _ref(found: Submission, session: Session, env: JobEnv, language: str) -> SubmissionRef:
    """A submission as the flows see it: status, face choice, day sent and theme title."""
    zone = env.services.settings.zone
    sent = found.submitted_at or found.created_at
    theme = themes.get(session, found.theme) if found.theme else None
    title = theme_view(theme, language, "").title if theme is not None else found.theme or ""
    return SubmissionRef(
        id=found.id,
        code=found.code,
        status=SubmissionStatus(found.status),
        face=Face(found.face) if found.face in set(Face) else None,
        kind=DraftKind.IDEA if found.kind == DraftKind.IDEA.value else DraftKind.PHOTO,
        sent=sent.astimezone(zone).strftime("%Y-%m-%d"),
        theme=title,
    )


def _lookup(
    env: JobEnv,
    session: Session,
    contributor: Contributor,
    line_user_id: str,
    received: Input,
    language: str,
) -> SubmissionRef | None:
    """Find the submission an input asks about, among this worker's own only."""
    query = intents.submission_query(received)
    if query is None:
        return None
    if query.id:
        found = drafts.summary(session, submission_id=query.id, contributor_id=contributor.id)
        if found is None and drafts.exists(session, query.id):
            # A button naming someone else's submission: refused like an unknown one, and noted.
            log.warning(
                "%s tapped a button naming another worker's submission; refused",
                user_ref(line_user_id),
            )
        found = found if found is not None and found.status != SubmissionStatus.DRAFT else None
    elif query.code:
        found = receipts.own_by_code(session, code=query.code, contributor_id=contributor.id)
        if found is None and receipts.code_taken(session, query.code):
            # Someone typed another worker's code: they get "not found", and it is noted.
            log.warning(
                "%s typed the code of a submission that is not theirs", user_ref(line_user_id)
            )
    else:
        found = receipts.latest_withdrawable(session, contributor_id=contributor.id)
    if found is None:
        return None
    return _ref(found, session, env, language)


def _context(
    env: JobEnv,
    session: Session,
    contributor: Contributor,
    line_user_id: str,
    received: Input,
    now: datetime,
) -> Context:
    settings = env.services.settings
    language = env.services.catalogue.negotiate(contributor.chosen_language or contributor.language)
    offered = offered_themes(session, now, settings.zone, language)
    ref = _lookup(env, session, contributor, line_user_id, received, language)
    mine: tuple[SubmissionRef, ...] = ()
    if isinstance(received, PostbackReceived):
        tap = intents.parse(received.data)
        if tap is not None and tap.intent is intents.Intent.MINE:
            recent = drafts.recent(session, contributor_id=contributor.id, limit=MAX_CARDS)
            mine = tuple(_ref(s, session, env, language) for s in recent)
    last = drafts.last_face(session, contributor_id=contributor.id)
    active = tuple(Site(id=x.id, name=x.name) for x in sites.list_all(session))
    mine_site = next((x for x in active if x.id == contributor.site_id), None)
    unsent = (
        drafts.unsent_media(session, message_id=received.message_id, contributor_id=contributor.id)
        if isinstance(received, Unsent)
        else None
    )
    return Context(
        now=now,
        themes=offered,
        new_draft_id=str(ULID()),
        new_code=drafts.unused_code(session),
        idle_timeout=timedelta(minutes=settings.idle_timeout_minutes),
        max_media=settings.max_media_per_submission,
        submission=ref,
        guideline=guideline_view(session, contributor, language),
        examples=example_cards(session, language, signer_for(settings), now),
        last_face=Face(last) if last in set(Face) else None,
        mine=mine,
        contact=settings.pr_contact,
        sites=active,
        site=mine_site,
        # A site the worker had was retired: they are asked again (it is not an unknown id).
        site_gone=contributor.site_id is not None and mine_site is None,
        credit=contributor.credit,
        cancel_words=env.services.catalogue.cancel_words,
        unsent_from=unsent[0] if unsent else None,
        unsent_video=unsent[1] if unsent else False,
    )


def _queue_replies(
    env: JobEnv,
    session: Session,
    row: WebhookEvent,
    reply_token: str | None,
    replies: tuple[Reply, ...],
    language: str | None,
    now: datetime,
) -> int | None:
    """Put the rendered replies in the outbox with a reply job; return the job id."""
    if not replies or not reply_token:
        return None
    services = env.services
    catalogue = services.catalogue
    messages = to_outbox(
        render(replies, language=catalogue.negotiate(language), catalogue=catalogue)
    )
    # LINE counts the token's minute from when it delivered the webhook: our receipt time.
    expires = row.received_at + timedelta(seconds=services.settings.reply_token_ttl_seconds)
    outbox_id = outbox.add(
        session,
        event_id=row.id,
        reply_token=reply_token,
        messages=messages,
        expires_at=expires,
        now=now,
    )
    if outbox_id is None:
        return None
    source = row.source_id or row.id
    return jobs.enqueue(
        session,
        JobSpec(
            kind=jobs.REPLY,
            payload=json.dumps({"outbox_id": outbox_id}),
            # Replies to one chat leave in order, but never wait for that chat's later events.
            ordering_key=f"reply:{source}",
            dedup_key=f"reply:{row.id}",
        ),
        now=now,
        max_attempts=services.settings.job_max_attempts,
    )


def _chat_step(env: JobEnv, row: WebhookEvent, event: ChatEvent) -> int | None:
    services = env.services
    now = services.clock()
    with services.db.write() as session:
        if not inbox.take(session, row.id, now=now):
            return None
        reply_job = None
        if event.kind == "leave":
            groups.forget(session, event.chat_id)
        else:
            first = groups.claim_notice(session, event.chat_id, now=now)
            notice = group_notice(already_noticed=not first, event_type=event.kind)
            if notice.reply is not None:
                reply_job = _queue_replies(
                    env, session, row, event.reply_token, (notice.reply,), None, now
                )
    return reply_job


def give_up_event(job: ClaimedJob, env: JobEnv, reason: str) -> None:
    """After the last attempt, mark the job's unhandled events failed so an operator finds them."""
    now = env.services.clock()
    with env.services.db.write() as session:
        for event_id in inbox.event_ids(job.payload):
            inbox.mark(session, event_id, status=InboxStatus.FAILED, now=now, note=reason[:500])
