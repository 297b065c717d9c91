"""The one-time notice in group and room chats."""

from __future__ import annotations

import pytest

from flows.group import ANSWERABLE, group_notice
from flows.keys import Key


@pytest.mark.parametrize("event_type", sorted(ANSWERABLE))
def test_first_answerable_event_gets_the_notice(event_type):
    decision = group_notice(already_noticed=False, event_type=event_type)
    assert decision.reply is not None and decision.reply.key == Key.GROUP_NOTICE
    assert decision.reply.choices == ()
    assert decision.noticed


@pytest.mark.parametrize("event_type", sorted(ANSWERABLE))
def test_said_only_once(event_type):
    decision = group_notice(already_noticed=True, event_type=event_type)
    assert decision.reply is None and decision.noticed


@pytest.mark.parametrize("event_type", ["memberLeft", "unsend", "unknown"])
def test_events_without_a_reply_token_get_nothing(event_type):
    decision = group_notice(already_noticed=False, event_type=event_type)
    assert decision.reply is None and not decision.noticed


def test_leaving_forgets_the_notice_so_a_new_invitation_hears_it_again():
    assert not group_notice(already_noticed=True, event_type="leave").noticed
    assert group_notice(already_noticed=False, event_type="join").reply is not None
