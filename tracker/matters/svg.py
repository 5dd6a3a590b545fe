"""The dossier's timeline as an SVG picture: pure, plain values in, markup out.

One horizontal lane per jurisdiction; each proceeding is a bar from the day it
opened to the day it closed (or today while it is open); hearings, postponements
(from -> to, or sine die), decisions and other events are marks on its bar; a
proceeding's parent (appeal of, stage of) and origin (requested by, built on) are
drawn as arrows, across lanes too. Bars of one lane are packed into rows so that
none overlaps another, whatever the number of proceedings.

Dates known only to the month or year are drawn as a paler band over the whole
period; a proceeding whose opening date is unknown starts at its first known fact,
behind a dashed lead with a question mark; one that ended on an unknown day ends
at its last known fact, with a dashed tail.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from html import escape

# --- what the caller gives ---------------------------------------------------------------


@dataclass(frozen=True)
class Lane:
    key: str
    label: str


@dataclass(frozen=True)
class Bar:
    """A proceeding."""

    id: int
    lane: str
    label: str
    href: str
    #: None: the opening date is unknown
    start: dt.date | None
    #: "day", "month" or "year": how precisely `start` is known
    precision: str = "day"
    #: the day it closed; None while open, or when it ended on an unknown day
    end: dt.date | None = None
    open: bool = True
    status: str = "pending"
    tooltip: str = ""


@dataclass(frozen=True)
class Mark:
    """A fact on a proceeding's bar: hearing, postponement, decision or event."""

    kind: str
    bar: int
    on: dt.date
    label: str
    href: str
    #: a postponement's new date; None with kind "postponement": sine die
    to: dt.date | None = None
    #: a hearing's status (scheduled, held, postponed, cancelled)
    state: str = ""


@dataclass(frozen=True)
class Link:
    """`target` is an appeal or stage of `source` (kind "parent"), or based on it ("origin")."""

    source: int
    target: int
    kind: str = "parent"
    tooltip: str = ""


# --- geometry ----------------------------------------------------------------------------

WIDTH = 1100
GUTTER = 130  # lane labels
RIGHT = 24
TOP = 34  # the axis
ROW = 40
LANE_PAD = 6
LEGEND = 64
LEAD = 22  # the dashed lead of a bar whose opening is unknown
TAIL = 14  # the dashed tail of a bar that ended on an unknown day
LABEL_SIZE = 11  # px, the labels of the bars and the lanes' names
LABEL_WIDTH = 270  # px, the longest label of a bar (about 44 characters)
LANE_KEY_SIZE = 13  # px, bold
LANE_TEXT = 10  # where the lane labels start
LANE_WIDTH = GUTTER - LANE_TEXT - 10  # px, the room of a lane's labels, left of the bars

COLORS = {
    "open": "#1f5fbf",
    "decided": "#1e7b4a",
    "ended": "#8a93a3",
    "hearing": "#17233a",
    "postponed": "#9a5b00",
    "cancelled": "#8a93a3",
    "decision": "#7a2e8e",
    "event": "#3f4756",
    "origin": "#b3261e",
    "parent": "#5b6474",
    "today": "#b3261e",
    "grid": "#e3e7ee",
    "lane": "#f7f8fa",
    "ink": "#1d2330",
    "muted": "#5b6474",
}

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass
class _Placed:
    bar: Bar
    start: dt.date
    end: dt.date
    #: the opening is unknown / the end is unknown / the bar goes on past today
    lead: bool
    tail: bool
    marks: list[Mark] = field(default_factory=list)
    row: int = 0
    y: float = 0.0

    @property
    def cy(self) -> float:
        return self.y + 19


class _Scale:
    def __init__(self, first: dt.date, last: dt.date):
        self.t0 = dt.date(first.year, 1, 1)
        self.t1 = dt.date(last.year + 1, 1, 1)
        self.days = (self.t1 - self.t0).days
        self.width = WIDTH - GUTTER - RIGHT

    def x(self, day: dt.date) -> float:
        return round(GUTTER + (day - self.t0).days / self.days * self.width, 1)

    @property
    def per_month(self) -> float:
        return self.width / (self.days / 30.44)


def period_end(start: dt.date, precision: str) -> dt.date:
    """The last day of the period a partial date stands for."""
    if precision == "year":
        return dt.date(start.year, 12, 31)
    if precision == "month":
        following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return start


def _mark_days(mark: Mark) -> list[dt.date]:
    return [mark.on] + ([mark.to] if mark.to else [])


def place(bars: Sequence[Bar], marks: Iterable[Mark], today: dt.date) -> list[_Placed]:
    """Each bar's drawn extent: known dates, else its facts, else today."""
    by_bar: dict[int, list[Mark]] = {bar.id: [] for bar in bars}
    for mark in marks:
        if mark.bar in by_bar:
            by_bar[mark.bar].append(mark)
    placed = []
    for bar in bars:
        facts = sorted(day for mark in by_bar[bar.id] for day in _mark_days(mark))
        past = [day for day in facts if day <= today] or facts
        start = bar.start or (facts[0] if facts else bar.end or today)
        if bar.end:
            end, tail = bar.end, False
        elif bar.open:
            end, tail = max(today, start), False
        else:  # decided or closed, on a day nobody recorded: at least its opening period
            vague = period_end(start, bar.precision) if bar.start else start
            end, tail = max([start, vague, *past[-1:]]), True
        placed.append(_Placed(bar, start, max(end, start), bar.start is None, tail, by_bar[bar.id]))
    return placed


def _pack(lane: list[_Placed], scale: _Scale) -> int:
    """Put the bars of one lane in rows so that no bar or label overlaps; returns the rows."""
    ends: list[float] = []
    for item in sorted(lane, key=lambda p: (p.start, p.bar.id)):
        x0 = scale.x(item.start) - (LEAD if item.lead else 0)
        x0 = min(x0, _label_x(x0, item.bar.label))
        last = max([item.end, *(d for m in item.marks for d in _mark_days(m))])
        x1 = max(scale.x(last) + (TAIL if item.tail else 6), x0 + _label_width(item.bar.label))
        for row, taken in enumerate(ends):
            if taken + 10 < x0:
                item.row, ends[row] = row, x1
                break
        else:
            item.row = len(ends)
            ends.append(x1)
    return max(len(ends), 1)


# --- the width of a label ------------------------------------------------------------------
#
# The picture is drawn without a browser, so a label's width is reckoned from its
# characters: each counts as wide as the widest of its class in DejaVu Sans (Verdana's
# metrics, wider than Segoe UI, San Francisco, Roboto or Noto Sans). A label cut to fit
# at those widths fits in any of these fonts; the whole text is in its <title>.

#: em widths by class of ASCII character (the widest of the class, in bold up to 1.12 times)
_ASCII_EM = {
    **dict.fromkeys("iIjJl.,:;'|", 0.40),
    **dict.fromkeys(' !"()*-/?[\\]_`frt', 0.52),
    **dict.fromkeys("DGHNOQUw#&+<=>^~", 0.84),
    **dict.fromkeys("mMW@%", 1.0),
}
_DEFAULT_EM = 0.70  # the other letters and digits
_OTHER_EM = 1.0  # a letter of another script (Cyrillic, Greek, Arabic...), a CJK ideograph
_SYMBOL_EM = 1.3  # an emoji or other symbol
BOLD = 1.12
ELLIPSIS = "…"


@cache
def _em(char: str) -> float:
    if char.isascii():
        return _ASCII_EM.get(char, _DEFAULT_EM)
    category = unicodedata.category(char)
    if category in ("Mn", "Me", "Cf"):  # combining accents, zero-width marks
        return 0.0
    if category == "So":
        return _SYMBOL_EM
    base = unicodedata.normalize("NFD", char)[0]  # é -> e
    return _em(base) if base.isascii() and base != char else _OTHER_EM


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The most `text` measures, in px, at font size `size`."""
    return sum(_em(char) for char in text) * size * (BOLD if bold else 1.0)


def fit(text: str, width: float, size: float = LABEL_SIZE, *, bold: bool = False) -> str:
    """`text` if it fits in `width` px, else as much of it as fits followed by "…"."""
    if text_width(text, size, bold=bold) <= width:
        return text
    room = width / (size * (BOLD if bold else 1.0)) - _em(ELLIPSIS)
    used = 0.0
    for end, char in enumerate(text):
        used += _em(char)
        if used > room:
            return text[:end].rstrip() + ELLIPSIS
    return text  # not reached: the text is wider than the room


def _label(text: str) -> str:
    return fit(text, LABEL_WIDTH)


def _label_width(text: str) -> float:
    return text_width(_label(text), LABEL_SIZE)


def _label_x(x: float, text: str) -> float:
    """Where a bar's label starts: at the bar, unless it would run off the right edge."""
    return max(GUTTER, min(x, WIDTH - RIGHT - _label_width(text)))


# --- markup ------------------------------------------------------------------------------


def _a(value: object) -> str:
    return escape(str(value), quote=True)


def _title(text: str) -> str:
    return f"<title>{_a(text)}</title>"


def render(
    *,
    title: str,
    lanes: Sequence[Lane],
    bars: Sequence[Bar],
    marks: Sequence[Mark] = (),
    links: Sequence[Link] = (),
    today: dt.date,
    description: str = "",
    ident: str = "timeline",
) -> str:
    """The SVG markup of a matter's timeline."""
    placed = place(bars, marks, today)
    days = [today] + [d for p in placed for d in (p.start, p.end)]
    days += [d for m in marks for d in _mark_days(m)]
    scale = _Scale(min(days), max(days))

    body: list[str] = []
    y = TOP
    lane_rows: list[tuple[Lane, float, float]] = []
    by_lane = {lane.key: [p for p in placed if p.bar.lane == lane.key] for lane in lanes}
    for lane in lanes:
        rows = _pack(by_lane[lane.key], scale)
        height = rows * ROW + 2 * LANE_PAD
        for item in by_lane[lane.key]:
            item.y = y + LANE_PAD + item.row * ROW
        lane_rows.append((lane, y, height))
        y += height
    bottom = y
    total = bottom + LEGEND
    where = {p.bar.id: p for p in placed if p.bar.lane in by_lane}

    body += _lanes(lane_rows)
    body += _axis(scale, bottom)
    body += _links(links, where, scale)
    for item in where.values():
        body += _bar(item, scale)
    body += _today(scale, today, bottom)
    body += _legend(bottom + 14)

    description = description or (
        f"{len(where)} proceeding{'s' if len(where) != 1 else ''} in {len(lanes)} "
        f"jurisdiction{'s' if len(lanes) != 1 else ''}, "
        f"{scale.t0.year} to {scale.t1.year - 1}; the same facts are listed in the table below."
    )
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {total:g}" '
        f'role="img" aria-labelledby="{_a(ident)}-title {_a(ident)}-desc" class="timeline-svg" '
        f'font-family="system-ui, sans-serif" font-size="11">'
        f'<title id="{_a(ident)}-title">{_a(title)}</title>'
        f'<desc id="{_a(ident)}-desc">{_a(description)}</desc>' + _defs()
    )
    return head + "".join(body) + "</svg>"


def _defs() -> str:
    def arrow(name: str, color: str) -> str:
        return (
            f'<marker id="arrow-{name}" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" '
            f'fill="{color}"/></marker>'
        )

    return (
        "<defs>"
        + arrow("parent", COLORS["parent"])
        + arrow("origin", COLORS["origin"])
        + arrow("postponed", COLORS["postponed"])
        + "</defs>"
    )


def _lanes(lane_rows: list[tuple[Lane, float, float]]) -> list[str]:
    out = []
    for index, (lane, top, height) in enumerate(lane_rows):
        fill = COLORS["lane"] if index % 2 == 0 else "#ffffff"
        out.append(
            f'<g class="lane" data-lane="{_a(lane.key)}">'
            f'<rect x="0" y="{top:g}" width="{WIDTH}" height="{height:g}" fill="{fill}"/>'
            f'<line x1="0" x2="{WIDTH}" y1="{top:g}" y2="{top:g}" stroke="{COLORS["grid"]}"/>'
            f'<g class="lane-label">{_title(f"{lane.key} — {lane.label}")}'
            f'<text x="{LANE_TEXT}" y="{top + 18:g}" font-weight="700" '
            f'font-size="{LANE_KEY_SIZE}" fill="{COLORS["ink"]}">'
            f"{_a(fit(lane.key, LANE_WIDTH, LANE_KEY_SIZE, bold=True))}</text>"
            f'<text x="{LANE_TEXT}" y="{top + 33:g}" font-size="{LABEL_SIZE}" '
            f'fill="{COLORS["muted"]}">{_a(fit(lane.label, LANE_WIDTH))}</text></g></g>'
        )
    return out


#: the years between two labels (or two lines) of the axis, the first that leaves room
YEAR_STEPS = (1, 2, 5, 10, 20, 50, 100)


def _axis(scale: _Scale, bottom: float) -> list[str]:
    out = ['<g class="axis">']
    per_month = scale.per_month
    # a label needs about 34 px: over a long span (a dossier can reach from 1900 to
    # 2199) label, and draw a line at, every 2nd, 5th, 10th … year only
    year_step = next((step for step in YEAR_STEPS if per_month * 12 * step >= 34), 100)
    line_step = next((step for step in YEAR_STEPS if per_month * 12 * step >= 6), 100)
    month_labels = 1 if per_month >= 30 else 3 if per_month >= 12 else 0
    for year in range(scale.t0.year, scale.t1.year + 1):
        x = scale.x(dt.date(year, 1, 1))
        if year % line_step == 0 or year in (scale.t0.year, scale.t1.year):
            out.append(
                f'<line x1="{x:g}" x2="{x:g}" y1="{TOP - 8}" y2="{bottom:g}" stroke="#c9d0db"/>'
            )
        if year < scale.t1.year and year % year_step == 0:
            out.append(
                f'<text x="{x + 3:g}" y="{TOP - 12}" font-weight="600" '
                f'fill="{COLORS["ink"]}">{year}</text>'
            )
        if year == scale.t1.year or per_month < 4:
            continue
        for month in range(2, 13):
            mx = scale.x(dt.date(year, month, 1))
            out.append(
                f'<line x1="{mx:g}" x2="{mx:g}" y1="{TOP - 4}" y2="{TOP}" stroke="#c9d0db"/>'
            )
            if month_labels and (month - 1) % month_labels == 0:
                out.append(
                    f'<text x="{mx + 2:g}" y="{TOP - 12}" fill="{COLORS["muted"]}">'
                    f"{MONTHS[month - 1]}</text>"
                )
    out.append(f'<line x1="{GUTTER}" x2="{WIDTH - RIGHT}" y1="{TOP}" y2="{TOP}" stroke="#9aa3b2"/>')
    out.append("</g>")
    return out


def _bar_color(bar: Bar) -> str:
    if bar.open:
        return COLORS["open"]
    return COLORS["decided"] if bar.status == "decided" else COLORS["ended"]


def _bar(item: _Placed, scale: _Scale) -> list[str]:
    bar = item.bar
    color = _bar_color(bar)
    x0, x1 = scale.x(item.start), scale.x(item.end)
    top = item.y + 14
    tip = bar.tooltip or bar.label
    unknown = (' data-start-unknown="true"' if item.lead else "") + (
        ' data-end-unknown="true"' if item.tail else ""
    )
    out = [
        f'<a href="{_a(bar.href)}" class="bar" data-proceeding="{bar.id}" '
        f'data-start="{item.start.isoformat()}" data-end="{item.end.isoformat()}"'
        f"{unknown}>"
        + _title(tip)
        + f'<text x="{_label_x(x0 - (LEAD if item.lead else 0), bar.label):g}" '
        f'y="{item.y + 10:g}" font-size="{LABEL_SIZE}" '
        f'fill="{COLORS["ink"]}">{_a(_label(bar.label))}</text>'
    ]
    if item.lead:
        out.append(
            f'<line x1="{x0 - LEAD:g}" x2="{x0:g}" y1="{item.cy:g}" y2="{item.cy:g}" '
            f'stroke="{color}" stroke-width="3" stroke-dasharray="3 3"/>'
            f'<text x="{x0 - LEAD - 9:g}" y="{item.cy + 4:g}" font-weight="700" '
            f'fill="{color}">?</text>'
        )
    vague = period_end(item.start, bar.precision) if bar.start else item.start
    solid = min(max(vague, item.start), item.end)
    if bar.start and bar.precision != "day" and solid > item.start:
        out.append(
            f'<rect class="vague" x="{x0:g}" y="{top:g}" width="{scale.x(solid) - x0:g}" '
            f'height="10" rx="2" fill="{color}" fill-opacity="0.35"/>'
        )
        x0 = scale.x(solid)
    out.append(
        f'<rect class="span" x="{x0:g}" y="{top:g}" width="{max(x1 - x0, 3):g}" height="10" '
        f'rx="2" fill="{color}"/>'
    )
    if item.tail:
        out.append(
            f'<line x1="{x1:g}" x2="{x1 + TAIL:g}" y1="{item.cy:g}" y2="{item.cy:g}" '
            f'stroke="{color}" stroke-width="3" stroke-dasharray="2 3"/>'
        )
    out.append("</a>")
    for mark in sorted(item.marks, key=lambda m: (m.on, m.kind)):
        out.append(_mark(mark, item, scale))
    return out


def _mark(mark: Mark, item: _Placed, scale: _Scale) -> str:
    x, cy = scale.x(mark.on), item.cy
    attrs = f'class="mark {_a(mark.kind)}" data-kind="{_a(mark.kind)}" data-on="{mark.on}"'
    if mark.kind == "hearing":
        fill = {
            "held": COLORS["hearing"],
            "postponed": COLORS["postponed"],
            "cancelled": "#ffffff",
        }.get(mark.state, "#ffffff")
        stroke = COLORS["cancelled"] if mark.state == "cancelled" else COLORS["hearing"]
        shape = (
            f'<circle cx="{x:g}" cy="{cy:g}" r="5.5" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="2"/>'
        )
    elif mark.kind == "postponement":
        color = COLORS["postponed"]
        if mark.to is not None:
            x2 = scale.x(mark.to)
            mid = (x + x2) / 2
            shape = (
                f'<path d="M{x:g},{cy + 6:g} Q{mid:g},{cy + 20:g} {x2:g},{cy + 6:g}" '
                f'fill="none" stroke="{color}" stroke-width="1.6" '
                f'marker-end="url(#arrow-postponed)"/>'
            )
        else:
            shape = (
                f'<path d="M{x:g},{cy + 6:g} q8,12 22,12" fill="none" stroke="{color}" '
                f'stroke-width="1.6" stroke-dasharray="3 2"/>'
                f'<text x="{x + 24:g}" y="{cy + 21:g}" fill="{color}" font-size="9">sine die</text>'
            )
        attrs += f' data-to="{mark.to or ""}"'
    elif mark.kind == "decision":
        shape = (
            f'<path d="M{x:g},{cy - 7:g} L{x + 7:g},{cy:g} L{x:g},{cy + 7:g} L{x - 7:g},{cy:g} z" '
            f'fill="{COLORS["decision"]}" stroke="#ffffff" stroke-width="1"/>'
        )
    else:
        shape = (
            f'<rect x="{x - 3.5:g}" y="{cy - 3.5:g}" width="7" height="7" '
            f'fill="{COLORS["event"]}" stroke="#ffffff" stroke-width="1"/>'
        )
    return f'<a href="{_a(mark.href)}" {attrs}>{_title(mark.label)}{shape}</a>'


def _links(links: Sequence[Link], where: dict[int, _Placed], scale: _Scale) -> list[str]:
    out = []
    for link in links:
        source, target = where.get(link.source), where.get(link.target)
        if source is None or target is None:
            continue
        tx = scale.x(target.start) - (LEAD if target.lead else 0)
        sx = min(max(tx, scale.x(source.start)), scale.x(source.end))
        sy, ty = source.cy, target.cy
        if abs(sy - ty) < 1:  # same row: a loop over the bars
            d = f"M{sx:g},{sy - 6:g} C{sx:g},{sy - 22:g} {tx:g},{ty - 22:g} {tx:g},{ty - 6:g}"
        else:
            towards = 6 if ty > sy else -6
            my = (sy + ty) / 2
            d = f"M{sx:g},{sy + towards:g} C{sx:g},{my:g} {tx - 14:g},{ty:g} {tx - 2:g},{ty:g}"
        color = COLORS["origin"] if link.kind == "origin" else COLORS["parent"]
        dash = ' stroke-dasharray="5 3"' if link.kind == "origin" else ""
        out.append(
            f'<g class="link {_a(link.kind)}" data-source="{link.source}" '
            f'data-target="{link.target}">{_title(link.tooltip or link.kind)}'
            f'<path d="{d}" fill="none" stroke="{color}" stroke-width="1.6"{dash} '
            f'marker-end="url(#arrow-{_a(link.kind)})"/></g>'
        )
    return out


def _today(scale: _Scale, today: dt.date, bottom: float) -> list[str]:
    x = scale.x(today)
    return [
        f'<g class="today">{_title(f"Today, {today.isoformat()}")}'
        f'<line x1="{x:g}" x2="{x:g}" y1="{TOP:g}" y2="{bottom:g}" stroke="{COLORS["today"]}" '
        f'stroke-width="1.2" stroke-dasharray="4 3"/>'
        f'<text x="{x:g}" y="{bottom + 11:g}" text-anchor="middle" '
        f'fill="{COLORS["today"]}" font-size="10">today</text></g>'
    ]


def _legend(y: float) -> list[str]:
    """What the colours and shapes mean, at the foot of the picture."""
    items: list[tuple[str, str]] = [
        (f'<rect x="0" y="-5" width="22" height="10" rx="2" fill="{COLORS["open"]}"/>', "open"),
        (
            f'<rect x="0" y="-5" width="22" height="10" rx="2" fill="{COLORS["decided"]}"/>',
            "decided",
        ),
        (
            f'<rect x="0" y="-5" width="22" height="10" rx="2" fill="{COLORS["ended"]}"/>',
            "closed or withdrawn",
        ),
        (
            f'<rect x="0" y="-5" width="22" height="10" rx="2" fill="{COLORS["open"]}" '
            'fill-opacity="0.35"/>',
            "known to the month or year",
        ),
        (
            f'<line x1="0" x2="22" y1="0" y2="0" stroke="{COLORS["open"]}" stroke-width="3" '
            'stroke-dasharray="3 3"/>',
            "date unknown",
        ),
        (
            f'<circle cx="8" cy="0" r="5" fill="#ffffff" stroke="{COLORS["hearing"]}" '
            'stroke-width="2"/>',
            "hearing",
        ),
        (
            f'<circle cx="8" cy="0" r="5" fill="{COLORS["hearing"]}" '
            f'stroke="{COLORS["hearing"]}" stroke-width="2"/>',
            "hearing held",
        ),
        (
            f'<path d="M0,-3 Q11,10 22,-3" fill="none" stroke="{COLORS["postponed"]}" '
            'stroke-width="1.6" marker-end="url(#arrow-postponed)"/>',
            "postponed",
        ),
        (
            f'<path d="M8,-7 L15,0 L8,7 L1,0 z" fill="{COLORS["decision"]}"/>',
            "decision",
        ),
        (f'<rect x="4" y="-3.5" width="7" height="7" fill="{COLORS["event"]}"/>', "event"),
        (
            f'<path d="M0,0 L20,0" stroke="{COLORS["parent"]}" stroke-width="1.6" '
            'marker-end="url(#arrow-parent)"/>',
            "appeal or stage of",
        ),
        (
            f'<path d="M0,0 L20,0" stroke="{COLORS["origin"]}" stroke-width="1.6" '
            'stroke-dasharray="5 3" marker-end="url(#arrow-origin)"/>',
            "requested by, based on",
        ),
    ]
    out = [f'<g class="legend" transform="translate({GUTTER},{y + 14:g})">']
    x = row = 0.0
    for symbol, label in items:
        width = 30 + len(label) * 6.6 + 22
        if x + width > WIDTH - GUTTER - RIGHT:
            x, row = 0.0, row + 20
        out.append(
            f'<g transform="translate({x:g},{row:g})">{symbol}'
            f'<text x="28" y="4" fill="{COLORS["muted"]}">{_a(label)}</text></g>'
        )
        x += width
    out.append("</g>")
    return out
