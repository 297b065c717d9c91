"""Charts drawn on the server as inline SVG: no script, no library, nothing from another host.

Hand-written rather than a plotting library: two chart shapes (stacked weekly bars, plain
bars) are ~100 lines, and a library would bring a renderer, fonts and scripts the pages must not
load. Every chart carries a <title> and <desc>; the page prints the same numbers as a table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from markupsafe import Markup

# Colour-blind-safe (Okabe-Ito), then grey for the rest.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
OTHER = "#999999"
WIDTH, HEIGHT, PAD, AXIS = 640, 240, 8, 28


def colour(i: int) -> str:
    """The colour of the i-th series."""
    return PALETTE[i] if i < len(PALETTE) else OTHER


def _frame(title: str, desc: str, body: list[str], height: int = HEIGHT) -> Markup:
    return Markup(  # noqa: S704  (every text inside went through escape())
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="t" class="chart">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>{''.join(body)}</svg>"
    )


def stacked_weeks(title: str, weeks: Sequence[str], series: Mapping[str, Sequence[int]]) -> Markup:
    """One stacked bar per week, one colour per series (theme, site)."""
    names = list(series)
    totals = [sum(series[n][i] for n in names) for i in range(len(weeks))]
    top = max([1, *totals])
    plot_h = HEIGHT - AXIS - PAD
    slot = (WIDTH - 2 * PAD) / max(1, len(weeks))
    bar = max(2.0, slot * 0.7)
    body = [_baseline(plot_h + PAD), _label(PAD, PAD + 10, f"max {top}", "start")]
    for i, week in enumerate(weeks):
        x = PAD + i * slot + (slot - bar) / 2
        y = float(plot_h + PAD)
        for j, name in enumerate(names):
            count = series[name][i]
            if not count:
                continue
            h = plot_h * count / top
            y -= h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colour(j)}"><title>{escape(f"{week} {name}: {count}")}</title></rect>'
            )
        if len(weeks) <= 16 or i % 2 == 0:
            body.append(_label(x + bar / 2, HEIGHT - 10, week[5:], "middle"))
    desc = "; ".join(f"{w}: {t}" for w, t in zip(weeks, totals, strict=True))
    return _frame(title, desc, body)


def bars(title: str, values: Mapping[str, int | float | None]) -> Markup:
    """One horizontal bar per key, its value written beside it."""
    shown = {k: float(v or 0) for k, v in values.items()}
    top = max([1, *shown.values()])
    row = 26
    height = PAD * 2 + row * max(1, len(shown))
    label_w = 140
    body = []
    for i, (key, value) in enumerate(shown.items()):
        y = PAD + i * row
        w = (WIDTH - label_w - 60) * value / top
        body.append(_label(label_w - 6, y + 17, key, "end"))
        body.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" '
            f'fill="{colour(i)}"/>'
        )
        body.append(_label(label_w + w + 6, y + 17, f"{value:g}", "start"))
    desc = "; ".join(f"{k}: {v:g}" for k, v in shown.items())
    return _frame(title, desc, body, height)


def _baseline(y: float) -> str:
    return f'<line x1="{PAD}" y1="{y:.1f}" x2="{WIDTH - PAD}" y2="{y:.1f}" stroke="#555"/>'


def _label(x: float, y: float, text: str, anchor: str) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="12" text-anchor="{anchor}" '
        f'fill="#222">{escape(text)}</text>'
    )
