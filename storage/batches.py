"""Long id lists cut into slices, one statement each: under every backend's parameter limit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

BATCH = 500  # ids per statement: well under every backend's parameter limit

Item = TypeVar("Item")


def chunks(ids: Sequence[Item], size: int = BATCH) -> list[Sequence[Item]]:
    """The ids in slices of at most `size`."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]
