"""The one reading of each webhook event (`webhooks.ingest`), against usual and hostile input."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from storage.inbox import InboxEntry
from storage.models import Job, WebhookEvent
from webhooks.ingest import (
    CHAT_EVENT_TYPES,
    EVENT_ID_CHARS,
    ORDERING_ID_CHARS,
    SOURCE_ID_CHARS,
    USER_EVENT_TYPES,
    classify,
    read_event,
)

USUAL = (
    '{"type":"message","mode":"active","timestamp":1,"webhookEventId":"01J0",'
    '"source":{"type":"user","userId":"U1"},"deliveryContext":{"isRedelivery":true},'
    '"replyToken":"r","message":{"id":"5","type":"image"}}'
)


def body(*events: Any, **fmt: Any) -> bytes:
    return json.dumps({"destination": "U0", "events": list(events)}, **fmt).encode(
        "utf-8", "surrogatepass"
    )


def test_a_user_s_usual_event_is_queued_for_its_user_as_line_sent_it() -> None:
    assert read_event(USUAL) == InboxEntry(
        id="01J0",
        payload=USUAL,
        status="queued",
        event_type="message",
        mode="active",
        source_type="user",
        source_id="U1",
        redelivery=True,
        ordering_key="user:U1",
        wants_job=True,
    )


def test_the_inbox_keeps_each_event_exactly_as_line_sent_it() -> None:
    sent = (
        '{"destination":"U0","events":[ {"type": "message",  "webhookEventId": "01A",'
        ' "source": {"type": "user", "userId": "Uabc"},'
        ' "message": {"type": "text", "text": "\\u3053\\u3093 ok"}} ]}'
    )
    [entry] = classify(sent.encode())
    assert entry.payload == sent[sent.index("[ ") + 2 : sent.rindex(" ]")]
    assert entry.status == "queued" and entry.ordering_key == "user:Uabc"


def test_an_event_without_an_id_is_the_same_event_however_it_is_spaced() -> None:
    event = {"type": "message", "source": {"type": "user", "userId": "Uabc"}}
    tight = body(event, separators=(",", ":"))
    loose = body(event, indent=4)
    assert classify(tight)[0].id == classify(loose)[0].id
    assert classify(tight)[0].id.startswith("sha256:")


def test_a_body_split_the_plain_way_is_classified_all_the_same() -> None:
    event = {"type": "follow", "webhookEventId": "01B", "source": {"type": "user", "userId": "U1"}}
    plain = body(event)
    with_bom = b"\xef\xbb\xbf" + plain
    assert [(e.id, e.status) for e in classify(with_bom)] == [("01B", "queued")]
    assert json.loads(classify(with_bom)[0].payload) == json.loads(classify(plain)[0].payload)


def test_duplicates_inside_one_body_collapse_to_the_first() -> None:
    first = {"type": "follow", "webhookEventId": "01D", "source": {"type": "user", "userId": "U1"}}
    again = {**first, "deliveryContext": {"isRedelivery": True}}
    entries = classify(body(first, again, "x", "x"))
    assert [(e.id, e.redelivery) for e in entries[:1]] == [("01D", False)]
    assert len(entries) == 2 and entries[1].status == "unparseable"


def test_standby_events_are_kept_and_never_answered() -> None:
    entry = read_event(USUAL.replace('"active"', '"standby"'))
    assert (entry.status, entry.note, entry.wants_job, entry.ordering_key) == (
        "ignored",
        "standby",
        False,
        None,
    )
    assert entry.source_id == "U1" and entry.payload  # kept whole


def test_a_group_message_keeps_only_what_the_notice_needs() -> None:
    group = {
        "type": "message",
        "mode": "active",
        "timestamp": 7,
        "webhookEventId": "01G",
        "replyToken": "tok",
        "deliveryContext": {"isRedelivery": False, "member": "Umember"},
        "source": {"type": "group", "groupId": "C1", "userId": "Umember"},
        "message": {"type": "text", "id": "9", "text": "秘密"},
    }
    [entry] = classify(body(group, ensure_ascii=False))
    assert json.loads(entry.payload) == {
        "type": "message",
        "mode": "active",
        "timestamp": 7,
        "webhookEventId": "01G",
        "deliveryContext": {"isRedelivery": False},
        "replyToken": "tok",
        "source": {"type": "group", "groupId": "C1"},
    }
    assert (entry.status, entry.ordering_key, entry.source_id) == ("queued", "chat:C1", "C1")


def test_nesting_deeper_than_the_stack_is_kept_as_an_unparseable_body() -> None:
    deep = b'{"events": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}"
    [entry] = classify(deep)
    assert entry.status == "unparseable" and entry.id.startswith("sha256:")


def test_what_genba_writes_itself_from_a_body_is_always_storable_text() -> None:
    group = {
        "type": "message",
        "webhookEventId": "01C",
        "replyToken": "\ud800",
        "source": {"type": "group", "groupId": "C1", "userId": "U1"},
    }
    good = {"type": "follow", "webhookEventId": "01E", "source": {"type": "user", "userId": "U2"}}
    escaped = body(group, good)  # the surrogate travels as "\ud800"
    smuggled = body(group, good, ensure_ascii=False)  # not UTF-8: json.loads takes it
    for raw in (escaped, smuggled):
        bad, ok = classify(raw)
        for entry in (bad, ok):
            entry.payload.encode("utf-8")  # a lone surrogate here would be a 503 forever
            entry.id.encode("utf-8")
        assert bad.status == "unparseable" and "\\ud800" in bad.payload
        assert (ok.id, ok.status) == ("01E", "queued")  # the body's other events are unharmed


def test_a_number_too_long_for_the_json_module_costs_only_its_own_event() -> None:
    huge = "9" * 5000  # json.loads refuses numbers past 4,300 digits; msgspec passes over them
    user = '{"type":"message","webhookEventId":"01A","source":{"type":"user","userId":"U1"}}'
    group = (
        '{"type":"message","webhookEventId":"01B","source":{"type":"group","groupId":"C1"},'
        f'"x":{huge}}}'
    )
    anonymous = f'{{"type":"follow","source":{{"type":"user","userId":"U2"}},"x":{huge}}}'
    usual = (
        '{"type":"follow","webhookEventId":"01C","source":{"type":"user","userId":"U3"},'
        f'"x":{huge}}}'
    )
    raw = f'{{"events":[{user},{group},{anonymous},{usual}]}}'.encode()
    entries = {e.payload: e for e in classify(raw)}
    assert entries[user].status == "queued"
    # The worker reads events with the json module: none of these may reach it.
    assert [entries[t].status for t in (group, anonymous, usual)] == ["unparseable"] * 3


def test_nesting_near_the_parsers_limits_never_raises_nor_reaches_the_worker_unread() -> None:
    # Around the json module's recursion limit the two parsers and the re-serialisation of an
    # event for its hash id each give up at slightly different depths: sweep across them.
    for depth in range(900, 1010):
        nested = "[" * depth + "]" * depth
        with_id = (
            '{"type":"message","webhookEventId":"01A","source":{"type":"user","userId":"U1"},'
            f'"message":{nested}}}'
        )
        without_id = f'{{"type":"follow","source":{{"type":"user","userId":"U1"}},"x":{nested}}}'
        for event in (with_id, without_id, nested):
            entries = classify(f'{{"events":[{event}]}}'.encode())
            assert len(entries) == 1 and entries[0].payload  # kept, whatever the verdict
            if entries[0].wants_job:
                json.loads(entries[0].payload)  # what the worker does first


def test_an_event_id_up_to_the_limit_is_kept_a_longer_one_hashed() -> None:
    for length, kept in [(EVENT_ID_CHARS, True), (EVENT_ID_CHARS + 1, False)]:
        event_id = "E" * length
        entry = read_event(USUAL.replace('"01J0"', f'"{event_id}"'))
        assert (entry.id == event_id) is kept and entry.status == "queued"
        assert kept or entry.id.startswith("sha256:")


def test_the_id_limits_fit_the_columns_the_entries_go_to() -> None:
    columns = WebhookEvent.__table__.c  # type: ignore[attr-defined]
    assert columns.id.type.length >= EVENT_ID_CHARS
    assert columns.source_id.type.length >= SOURCE_ID_CHARS
    key_width = Job.__table__.c.ordering_key.type.length  # type: ignore[attr-defined]
    assert len("user:") + ORDERING_ID_CHARS <= key_width
    assert len("chat:") + ORDERING_ID_CHARS <= key_width


# ---- Hostile events: every field now and then of the wrong type, too long, or unprintable.

ODD = st.none() | st.booleans() | st.integers() | st.text(max_size=90) | st.lists(st.integers())


def usually(good: st.SearchStrategy[Any], odd: st.SearchStrategy[Any] = ODD) -> Any:
    """`good` six times in seven, else `odd`: every branch of the reading gets exercised."""
    return st.sampled_from([True] * 6 + [False]).flatmap(lambda ok: good if ok else odd)


# Ids of every length up to past the limits, and now and then empty or unprintable ones.
ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ID = usually(
    st.integers(1, 90).flatmap(lambda n: st.text(ALNUM, min_size=n, max_size=n)),
    st.text(max_size=90),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
SOURCES = st.fixed_dictionaries(
    {"type": usually(st.sampled_from(["user", "user", "group", "room"]))},
    optional={"userId": usually(ID), "groupId": usually(ID), "roomId": usually(ID)},
)
EVENTS = st.fixed_dictionaries(
    {
        "webhookEventId": usually(ID),
        "source": usually(SOURCES),
        "type": usually(st.sampled_from(["message", "follow", "join", "unsend", "beacon"])),
        "mode": usually(st.sampled_from(["active", "standby"])),
        "deliveryContext": usually(st.fixed_dictionaries({"isRedelivery": usually(st.booleans())})),
    },
    optional={"message": JSON, "replyToken": ODD, "timestamp": ODD},
)
SPELLINGS = st.sampled_from(
    [
        {},
        {"ensure_ascii": False},
        {"indent": 2},
        {"separators": (",", ":")},
        {"indent": "\t", "ensure_ascii": False},
    ]
)


def _text_or_none(value: Any, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) and value[:limit].isprintable() else None


def _usable(value: Any) -> bool:
    return isinstance(value, str) and value != "" and value[:ORDERING_ID_CHARS].isprintable()


def _plain_json(event: Any) -> bool:
    try:
        json.dumps(event, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except ValueError:  # a lone surrogate somewhere (UnicodeEncodeError), or an infinity
        return False
    return True


def expected(event: dict[str, Any]) -> dict[str, Any]:
    """What the README promises for an event: the specification the one reading is held to."""
    if not _plain_json(event):
        return {"status": "unparseable", "wants_job": False, "ordering_key": None}
    event_type, mode = _text_or_none(event["type"], 40), _text_or_none(event["mode"], 16)
    source = event["source"]
    delivery = event["deliveryContext"]
    common = {
        "event_type": event_type,
        "mode": mode,
        "redelivery": isinstance(delivery, dict) and delivery.get("isRedelivery") is True,
    }
    if not isinstance(source, dict):
        return common | {"status": "unparseable", "wants_job": False, "ordering_key": None}
    kind = source["type"]
    chat = kind in ("group", "room")
    own_id = source.get(f"{kind}Id" if chat else "userId")
    if kind not in ("user", "group", "room") or not _usable(own_id):
        return common | {"status": "unparseable", "wants_job": False, "ordering_key": None}
    if kind == "user" and mode == "standby":
        return common | {"status": "ignored", "note": "standby", "wants_job": False}
    wanted = event_type in (CHAT_EVENT_TYPES if chat else USER_EVENT_TYPES) and mode != "standby"
    return common | {
        "status": "queued" if wanted else "ignored",
        "wants_job": wanted,
        "source_id": own_id[:SOURCE_ID_CHARS],
        "ordering_key": ("chat:" if chat else "user:") + own_id[:ORDERING_ID_CHARS],
    }


def check_storable(entry: InboxEntry) -> None:
    """What every entry must be, whatever came in: text the database takes, within its columns."""
    entry.id.encode("utf-8")
    entry.payload.encode("utf-8")
    assert 0 < len(entry.id) <= EVENT_ID_CHARS and entry.id.isprintable()
    for value, width in [
        (entry.event_type, 40),
        (entry.mode, 16),
        (entry.source_type, 16),
        (entry.source_id, SOURCE_ID_CHARS),
        (entry.ordering_key, 80),
    ]:
        assert value is None or (len(value) <= width and value.isprintable())
    if entry.wants_job:  # the worker reads it with the json module first
        assert isinstance(json.loads(entry.payload), dict)
    if entry.status == "unparseable":
        assert entry.note and not entry.wants_job


@settings(max_examples=300)
@given(EVENTS, SPELLINGS)
def test_every_hostile_event_gets_the_verdict_the_rules_promise(
    event: dict[str, Any], spelling: dict[str, Any]
) -> None:
    neighbour = {"type": "follow", "webhookEventId": "~n", "source": {"type": "user"}}
    got, after = classify(body(event, neighbour, **spelling))
    assert (after.id, after.note) == ("~n", "user source without a usable userId")
    check_storable(got)
    for field, value in expected(event).items():
        assert getattr(got, field) == value, field
    event_id = event["webhookEventId"]
    usable_id = isinstance(event_id, str) and 0 < len(event_id) <= EVENT_ID_CHARS
    if usable_id and event_id.isprintable() and _plain_json(event):
        assert got.id == event_id
    else:
        assert got.id.startswith("sha256:")
    if got.source_type in ("group", "room"):  # no message content, no member ids
        kept = json.loads(got.payload)
        if kept:
            chat_key = f"{got.source_type}Id"
            assert kept["source"] == {"type": got.source_type, chat_key: event["source"][chat_key]}
            assert set(kept) == {
                "type",
                "mode",
                "timestamp",
                "webhookEventId",
                "deliveryContext",
                "replyToken",
                "source",
            }


@settings(max_examples=200)
@given(EVENTS, SPELLINGS, SPELLINGS)
def test_an_event_reads_the_same_however_it_is_spelled(
    event: dict[str, Any], one: dict[str, Any], other: dict[str, Any]
) -> None:
    first, second = classify(body(event, **one)), classify(b"\xef\xbb\xbf" + body(event, **other))
    if _plain_json(event):  # (one with a lone surrogate is kept as sent: its payload differs)
        assert [(e.id, e.status, e.ordering_key, e.note) for e in first] == [
            (e.id, e.status, e.ordering_key, e.note) for e in second
        ]


@given(st.lists(JSON, max_size=6), SPELLINGS)
def test_any_json_in_events_gives_one_storable_entry_per_distinct_event(
    events: list[Any], spelling: dict[str, Any]
) -> None:
    entries = classify(body(*events, **spelling))
    assert len(entries) <= len(events) and (entries or not events)
    assert len({e.id for e in entries}) == len(entries)
    for entry in entries:
        check_storable(entry)


@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "replace")))
def test_any_signed_bytes_are_kept_never_raised_on(raw: bytes) -> None:
    for entry in classify(raw):
        check_storable(entry)
