"""The statistics page's charts as SVG: pure, plain values in, markup out.

One horizontal bar chart per measure, a bar per group (country, kind, or both), each
with its value written beside it (a group without a value says "n/a"); and a small
multiple of postponements per year, one little column chart per group on a shared
scale. Every chart has a <title> and a <desc> that say in words what it draws, and
every figure is written as text: a reader that cannot see the bars loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH = 640
LABEL = 170
ROW = 22
BAR = 14
TOP = 10
INK = "#1f2933"
BAR_FILL = "#3b6ea8"
MUTED = "#6b7280"
#: the small multiples: one panel per group, this many a row
PANEL_WIDTH = 150
PANEL_HEIGHT = 110
PANELS_A_ROW = 4


def _a(text: str) -> str:
    return escape(text, quote=True)


def _number(value: float | int) -> str:
    return f"{value:,.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"


def _svg(ident: str, width: int, height: int, title: str, desc: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{_a(ident)}-title {_a(ident)}-desc" class="chart" '
        f'font-family="system-ui, sans-serif" font-size="11" id="{_a(ident)}">'
        f'<title id="{_a(ident)}-title">{_a(title)}</title>'
        f'<desc id="{_a(ident)}-desc">{_a(desc)}</desc>' + "".join(body) + "</svg>"
    )


def bars(ident: str, title: str, values: Sequence[tuple[str, float | int | None]]) -> str:
    """A horizontal bar chart: `values` are (group label, value or None)."""
    known = [value for _label, value in values if value is not None]
    top = max([*known, 0]) or 1
    span = WIDTH - LABEL - 70
    height = TOP * 2 + ROW * max(len(values), 1)
    body = []
    words = []
    for row, (label, value) in enumerate(values):
        y = TOP + row * ROW
        shown = "n/a" if value is None else _number(value)
        words.append(f"{label}: {shown}")
        body.append(
            f'<g class="bar"><title>{_a(f"{label}: {shown}")}</title>'
            f'<text x="{LABEL - 6}" y="{y + BAR - 3}" text-anchor="end" fill="{INK}">'
            f"{_a(label)}</text>"
        )
        width = 0.0 if value is None else max(value, 0) / top * span
        if width:
            body.append(
                f'<rect x="{LABEL}" y="{y}" width="{width:.1f}" height="{BAR}" fill="{BAR_FILL}"/>'
            )
        fill = MUTED if value is None else INK
        body.append(
            f'<text x="{LABEL + width + 4:.1f}" y="{y + BAR - 3}" fill="{fill}">{_a(shown)}</text>'
            "</g>"
        )
    if not values:
        body.append(f'<text x="{LABEL}" y="{TOP + BAR - 3}" fill="{MUTED}">no data</text>')
    desc = "; ".join(words) or "no data"
    return _svg(ident, WIDTH, height, title, desc, body)


def per_year(
    ident: str, title: str, groups: Sequence[tuple[str, dict[int, int]]], years: Sequence[int]
) -> str:
    """Small multiples: per group, a column per year of `years` (postponements)."""
    top = max([count for _label, counts in groups for count in counts.values()] + [1])
    rows = max(1, -(-len(groups) // PANELS_A_ROW))
    width = PANEL_WIDTH * PANELS_A_ROW
    height = PANEL_HEIGHT * rows
    body, words = [], []
    for n, (label, counts) in enumerate(groups):
        x0, y0 = (n % PANELS_A_ROW) * PANEL_WIDTH, (n // PANELS_A_ROW) * PANEL_HEIGHT
        body.append(_panel(x0, y0, label, counts, years, top))
        listed = ", ".join(f"{year}: {counts.get(year, 0)}" for year in years)
        words.append(f"{label} ({listed})")
    if not groups:
        body.append(f'<text x="10" y="20" fill="{MUTED}">no data</text>')
    return _svg(ident, width, height, title, "; ".join(words) or "no data", body)


def _panel(x0: int, y0: int, label: str, counts: dict[int, int], years: Sequence[int], top: int):
    base = y0 + PANEL_HEIGHT - 22
    span = PANEL_HEIGHT - 52
    step = (PANEL_WIDTH - 20) / max(len(years), 1)
    out = [
        f'<g class="panel"><title>{_a(label)}</title>'
        f'<text x="{x0 + 6}" y="{y0 + 14}" font-weight="700" fill="{INK}">{_a(label)}</text>'
        f'<line x1="{x0 + 6}" y1="{base}" x2="{x0 + PANEL_WIDTH - 10}" y2="{base}" '
        f'stroke="{MUTED}"/>'
    ]
    for i, year in enumerate(years):
        count = counts.get(year, 0)
        x = x0 + 8 + i * step
        h = count / top * span
        out.append(
            f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{max(step - 4, 2):.1f}" '
            f'height="{h:.1f}" fill="{BAR_FILL}"><title>{year}: {count}</title></rect>'
            f'<text x="{x + step / 2 - 2:.1f}" y="{base - h - 3:.1f}" text-anchor="middle" '
            f'font-size="9" fill="{INK}">{count}</text>'
        )
        if len(years) <= 6 or i in (0, len(years) - 1):
            out.append(
                f'<text x="{x + step / 2 - 2:.1f}" y="{base + 12}" text-anchor="middle" '
                f'font-size="9" fill="{MUTED}">{year}</text>'
            )
    out.append("</g>")
    return "".join(out)
