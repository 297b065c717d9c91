"""Charts drawn on the server as HTML rows with inline SVG bars: no script, no library.

Each chart is a list of rows: the label and the number are HTML text (so they keep their size on
a phone, where a scaled-down SVG would shrink its text to a few pixels), the bar between them is
an SVG stretched to the row's width. Hand-written rather than a plotting library: two chart
shapes (stacked weekly bars, plain bars) are a few lines, and a library would bring a renderer,
fonts and scripts the pages must not load. The page prints the same numbers as a table too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from markupsafe import Markup

# Colour-blind-safe (Okabe-Ito), then grey for the rest.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
OTHER = "#999999"
SPAN = 1000  # the bar's user units; preserveAspectRatio="none" stretches them to the row


def colour(i: int) -> str:
    """The colour of the i-th series."""
    return PALETTE[i] if i < len(PALETTE) else OTHER


def stacked_weeks(title: str, weeks: Sequence[str], series: Mapping[str, Sequence[int]]) -> Markup:
    """One row per week (its Monday), one stacked bar of a colour per series (theme, site)."""
    names = list(series)
    totals = [sum(series[n][i] for n in names) for i in range(len(weeks))]
    top = max([1, *totals])
    rows = []
    for i, week in enumerate(weeks):
        x = 0.0
        parts = []
        for j, name in enumerate(names):
            count = series[name][i]
            if not count:
                continue
            width = SPAN * count / top
            parts.append(_rect(x, width, colour(j), f"{week} {name}: {count}"))
            x += width
        rows.append(_row(week[5:], parts, totals[i], f"week of {week}"))
    return _chart(title, rows)


def bars(title: str, values: Mapping[str, int | float | None]) -> Markup:
    """One row per key: its label, its bar and its value."""
    shown = {k: float(v or 0) for k, v in values.items()}
    top = max([1, *shown.values()])
    rows = [
        _row(key, [_rect(0, SPAN * value / top, colour(i), f"{key}: {value:g}")], value, key)
        for i, (key, value) in enumerate(shown.items())
    ]
    return _chart(title, rows)


def _chart(title: str, rows: list[str]) -> Markup:
    return Markup(  # noqa: S704  (every text inside went through escape())
        f'<figure class="chart" aria-label="{escape(title)}"><ol class="bars">'
        f"{''.join(rows)}</ol></figure>"
    )


def _row(label: str, parts: list[str], value: float, name: str) -> str:
    return (
        f'<li><span class="bar-label" title="{escape(name)}">{escape(label)}</span>'
        f'<svg class="bar" viewBox="0 0 {SPAN} 10" preserveAspectRatio="none" '
        f'aria-hidden="true" focusable="false">{"".join(parts)}</svg>'
        f'<span class="bar-value">{value:g}</span></li>'
    )


def _rect(x: float, width: float, fill: str, tip: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="0" width="{width:.1f}" height="10" fill="{fill}">'
        f"<title>{escape(tip)}</title></rect>"
    )
