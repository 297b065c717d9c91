"""The words stored and shown for each status are design.md §7's: other tools rely on them."""

from __future__ import annotations

from flows.types import Face, SubmissionStatus
from storage.states import InboxStatus, JobState, MediaStatus


def test_the_vocabularies_keep_the_contracts_words() -> None:
    assert [s.value for s in SubmissionStatus] == [
        "draft",
        "new",
        "in_review",
        "approved",
        "published",
        "rejected",
        "withdrawn",
    ]
    assert [f.value for f in Face] == ["show", "blur", "no_face"]
    assert [m.value for m in MediaStatus] == ["pending", "ready", "failed", "expired", "deleted"]
    assert [j.value for j in JobState] == ["new", "queued", "running", "done", "dead"]
    assert {i.value for i in InboxStatus} == {
        "queued",
        "handled",
        "ignored",
        "unparseable",
        "failed",
    }
