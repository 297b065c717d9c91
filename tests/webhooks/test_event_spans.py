"""Cutting each event's JSON text out of a webhook body, and what the inbox keeps of it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webhooks.event_spans import split_events
from webhooks.ingest import _entry, _user_entry, classify

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
FORMATS = st.sampled_from(
    [
        {},
        {"ensure_ascii": False},
        {"indent": 2},
        {"separators": (",", ":")},
        {"indent": "\t", "ensure_ascii": False},
    ]
)


@given(
    st.lists(JSON, max_size=5),
    st.dictionaries(st.text(), JSON, max_size=3),
    FORMATS,
)
def test_each_event_comes_back_as_its_own_text_in_the_body(
    events: list[Any], others: dict[str, Any], fmt: dict[str, Any]
) -> None:
    body = json.dumps({**others, "events": events}, **fmt).encode()
    texts = split_events(body)
    assert texts is not None
    assert [json.loads(text) for text in texts] == json.loads(body)["events"]
    position = 0
    for text in texts:
        position = body.decode().index(text, position) + len(text)  # in the body, in order


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'"events"',
        b'{"events": {"a": 1}}',
        b'{"events": [1, 2] ',
        b'{"events": [1, 2]} trailing',
        b'{"events": [1 2]}',
        b'{"events": [1, 2],}',
        b'{"a" 1, "events": []}',
        b"{events: []}",
        b'\xef\xbb\xbf{"events": []}',  # a byte-order mark: json.loads copes, so it decides
        '{"events": []}'.encode("utf-16"),
        b'{"events": ["\xff"]}',
        b"",
        b'{"events": [], "x": Infinity}',  # Python's json extension, not JSON: json.loads decides
    ],
)
def test_anything_but_the_usual_shape_is_left_to_the_plain_parser(body: bytes) -> None:
    assert split_events(body) is None


def test_a_repeated_events_key_counts_the_last_time_as_json_loads_does() -> None:
    assert split_events(b'{"events": [1], "events": [2]}') == ["2"]
    assert split_events(b'{"events": [1], "events": null}') is None
    assert json.loads(b'{"events": [1], "events": null}')["events"] is None


def test_events_nested_elsewhere_are_not_taken_for_the_body_s() -> None:
    body = b'{"destination": {"events": [9]}, "events": [{"events": [8]}]}'
    assert split_events(body) == ['{"events": [8]}']


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
    tight = json.dumps({"events": [event]}, separators=(",", ":")).encode()
    loose = json.dumps({"events": [event]}, indent=4).encode()
    assert classify(tight)[0].id == classify(loose)[0].id
    assert classify(tight)[0].id.startswith("sha256:")


def test_a_body_the_fast_path_declines_is_classified_all_the_same() -> None:
    event = {"type": "follow", "webhookEventId": "01B", "source": {"type": "user", "userId": "U1"}}
    plain = json.dumps({"events": [event]}).encode()
    with_bom = b"\xef\xbb\xbf" + plain
    assert [(e.id, e.status) for e in classify(with_bom)] == [("01B", "queued")]
    assert json.loads(classify(with_bom)[0].payload) == json.loads(classify(plain)[0].payload)


def test_nesting_deeper_than_the_stack_is_kept_as_an_unparseable_body() -> None:
    deep = b'{"events": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}"
    assert split_events(deep) is None
    [entry] = classify(deep)
    assert entry.status == "unparseable" and entry.id.startswith("sha256:")


def test_what_genba_writes_itself_from_a_body_is_always_storable_text() -> None:
    group = {
        "type": "message",
        "webhookEventId": "01C",
        "replyToken": "\ud800",
        "source": {"type": "group", "groupId": "C1", "userId": "U1"},
    }
    escaped = json.dumps({"events": [group]}).encode()  # the surrogate travels as "\ud800"
    raw_bytes = '{"events": [{"type": "follow", "source": {"type": "user", "userId": "U1"},'
    raw_bytes += ' "x": "\ud800"}]}'
    smuggled = raw_bytes.encode("utf-8", "surrogatepass")  # not UTF-8: json.loads takes it
    for body in (escaped, smuggled):
        [entry] = classify(body)
        entry.payload.encode("utf-8")  # a lone surrogate here would be a 503 forever
        assert entry.id.encode("utf-8")


ODD = st.none() | st.booleans() | st.integers() | st.text(max_size=90)


def usually(good: st.SearchStrategy[Any], odd: st.SearchStrategy[Any] = ODD) -> Any:
    """`good` six times in seven, else `odd`: both readings of an event get exercised."""
    return st.sampled_from([True] * 6 + [False]).flatmap(lambda ok: good if ok else odd)


# Ids of every length up to past the limit, and now and then empty or unprintable ones.
ID = usually(st.from_regex(r"[0-9A-Za-z]{1,90}", fullmatch=True), st.text(max_size=90))


SOURCES = st.fixed_dictionaries(
    {"type": usually(st.sampled_from(["user", "user", "group", "room"])), "userId": usually(ID)}
)
EVENTS = st.fixed_dictionaries(
    {
        "webhookEventId": usually(ID),
        "source": usually(SOURCES),
        "type": usually(st.sampled_from(["message", "follow", "unsend", "beacon"])),
        "mode": usually(st.sampled_from(["active", "standby"])),
        "deliveryContext": usually(st.fixed_dictionaries({"isRedelivery": usually(st.booleans())})),
    },
    optional={"message": JSON},
)


@given(EVENTS)
def test_the_quick_reading_of_a_user_s_event_agrees_with_the_general_rules(
    event: dict[str, Any],
) -> None:
    text = json.dumps(event, ensure_ascii=False)
    quick = _user_entry(text)
    if quick is not None:  # declining is always allowed: the general rules then decide
        assert quick == _entry(event, text, ascii_only=False)


def test_a_user_s_usual_event_takes_the_quick_reading() -> None:
    text = (
        '{"type":"message","mode":"active","timestamp":1,"webhookEventId":"01J0",'
        '"source":{"type":"user","userId":"U1"},"deliveryContext":{"isRedelivery":true},'
        '"replyToken":"r","message":{"id":"5","type":"image"}}'
    )
    quick = _user_entry(text)
    assert quick is not None and quick.redelivery and quick.ordering_key == "user:U1"
    assert quick == _entry(json.loads(text), text, ascii_only=False)


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
    body = f'{{"events":[{user},{group},{anonymous},{usual}]}}'.encode()
    entries = {e.payload: e for e in classify(body)}
    assert entries[user].status == "queued"
    # The worker reads events with the json module: none of these may reach it.
    assert [entries[t].status for t in (group, anonymous, usual)] == ["unparseable"] * 3


def test_nesting_near_the_parsers_limits_never_raises_nor_takes_the_quick_reading() -> None:
    # Around the json module's recursion limit the two parsers and the re-serialisation of an
    # event for its hash id each give up at slightly different depths: sweep across them.
    for depth in range(900, 1010):
        nested = "[" * depth + "]" * depth
        with_id = (
            '{"type":"message","webhookEventId":"01A","source":{"type":"user","userId":"U1"},'
            f'"message":{nested}}}'
        )
        without_id = f'{{"type":"follow","source":{{"type":"user","userId":"U1"}},"x":{nested}}}'
        assert _user_entry(with_id) is None  # the worker's json.loads might refuse it
        for event in (with_id, without_id, nested):
            entries = classify(f'{{"events":[{event}]}}'.encode())
            assert len(entries) == 1 and entries[0].payload  # kept, whatever the verdict
