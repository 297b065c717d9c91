"""Percentiles and the printed table."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by the nearest-rank method; NaN when there is nothing."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return float(sorted_values[rank - 1])


def summarise(values: Sequence[float]) -> dict[str, float]:
    """count, mean, p50, p90, p99, p99.9 and max of the values."""
    ordered = sorted(values)
    n = len(ordered)
    return {
        "count": float(n),
        "mean": sum(ordered) / n if n else math.nan,
        "p50": percentile(ordered, 50),
        "p90": percentile(ordered, 90),
        "p99": percentile(ordered, 99),
        "p99.9": percentile(ordered, 99.9),
        "max": float(ordered[-1]) if n else math.nan,
    }


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, left: int = 1) -> str:
    """A plain fixed-width table: the first `left` columns left-aligned, the others right."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        out = [str(c).ljust(w) for c, w in zip(cells[:left], widths[:left], strict=True)]
        out += [str(c).rjust(w) for c, w in zip(cells[left:], widths[left:], strict=True)]
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])
