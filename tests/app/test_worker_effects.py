"""A step's effects: one the worker does not know fails the step instead of vanishing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.worker.effects import apply_effects
from flows.types import DraftKind, StartDraft
from storage import contributors
from storage.db import Database
from storage.models import Submission

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class PinPhoto:
    """An effect a newer flow could return before the worker learnt to carry it out."""

    message_id: str


def test_an_unknown_effect_fails_the_step_and_undoes_its_other_effects(db: Database) -> None:
    with db.write() as session:
        owner, _ = contributors.ensure(session, "U" + "a" * 32, now=T0)
    effects = [StartDraft("D1", "K7F-3QX", DraftKind.PHOTO), PinPhoto("m1")]
    with pytest.raises(AssertionError), db.write() as session:
        apply_effects(
            session,
            effects,  # type: ignore[arg-type]
            contributor_id=owner.id,
            now=T0,
            max_attempts=3,
        )
    with db.read() as session:
        assert list(session.exec(select(Submission))) == []
