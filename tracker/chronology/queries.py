"""The builder: a matter's dossier read once, laid out as a `Chronology`.

A constant number of queries whatever the size of the dossier: the matter's
chronology (`tracker.matters.timeline`: proceedings, hearings with their moves,
events), its open delay flags, the proceedings it is linked to elsewhere, the
client, and — pseudonymised — the names to hide. Figures of the delays paragraph
come from the postponement ledger (`tracker.hearings.ledger`) and the delay rules'
own notion of a request still waiting (`tracker.delays.rules`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.chronology.document import Chronology, Item, Note, Section, in_words, period_end
from tracker.chronology.privacy import masker
from tracker.chronology.schemas import ChronologyQuery, Privacy
from tracker.core import labels
from tracker.core.actors import Actor
from tracker.core.dates import Precision, in_zone
from tracker.core.errors import Invalid
from tracker.delays import rules
from tracker.delays.models import DelayFlag
from tracker.hearings.enums import HearingStatus, OutcomeResult
from tracker.hearings.ledger import ledger
from tracker.hearings.models import Hearing, Postponement
from tracker.matters import timeline
from tracker.matters.enums import ProceedingKind
from tracker.matters.models import Event, Matter, Person, Proceeding
from tracker.users import access
from tracker.users.models import User

#: kinds of proceeding that are requested by their origin (the others are based on it)
REQUESTED = frozenset(
    {
        ProceedingKind.extradition_request,
        ProceedingKind.mla_request,
        ProceedingKind.european_arrest_warrant,
        ProceedingKind.interpol_notice,
        ProceedingKind.wanted_listing,
    }
)
#: kinds of proceeding that are an appeal of their parent (the others are a stage of it)
APPEALS = frozenset({ProceedingKind.appeal, ProceedingKind.cassation})
#: the first address in a source
URL = re.compile(r"https?://[^\s<>\"]+")
#: at the same date: the hearing set for it, its move, then facts
ORDER = {"event": 0, "decision": 0, "hearing": 1, "postponement": 2}


def build(
    session: so.Session, actor: Actor, matter: Matter, options: ChronologyQuery, today: dt.date
) -> Chronology:
    """The chronology of `matter` as `options` ask, as of `today`."""
    found = timeline.entries(session, matter)
    proceedings = [e.row for e in found if e.type == "proceeding"]
    chosen = _chosen(proceedings, options.proceedings)
    ids = [p.id for p in chosen]
    mask = masker(_names(session)) if options.privacy is Privacy.pseudonymised else _same
    notes = _Notes(mask)
    flags = _open_flags(session, ids)
    linked = _linked(session, actor, chosen)
    facts = _facts_by_proceeding(found)
    sections = []
    for proceeding in sorted(chosen, key=_opening):
        rows = facts[proceeding.id]
        kept = [pair for pair in _items(rows, mask) if _within(pair[0], options)]
        kept.sort(key=lambda pair: (pair[0].date, ORDER[pair[0].type]))
        # numbered in the order the document cites them
        items = [replace(i, note=notes.number(source)) if source else i for i, source in kept]
        sections.append(
            _section(proceeding, items, linked, flags[proceeding.id], rows, mask, today)
        )
    client = matter.subject.name if matter.subject else ""
    return Chronology(
        title=mask(matter.title),
        client=mask(client) if client else "—",
        period=_period(options, chosen, sections, today),
        made_on=today,
        pseudonymised=options.privacy is Privacy.pseudonymised,
        sections=tuple(sections),
        notes=tuple(notes.found),
    )


def _same(text: str) -> str:
    return text


def _chosen(proceedings: list[Proceeding], wanted: list[int] | None) -> list[Proceeding]:
    if wanted is None:
        return proceedings
    ours = {p.id for p in proceedings}
    foreign = [i for i in wanted if i not in ours]
    if foreign:
        raise Invalid(f"no proceeding {foreign[0]} in this matter", field="proceedings")
    return [p for p in proceedings if p.id in set(wanted)]


def _opening(proceeding: Proceeding) -> tuple[dt.date, int]:
    """In order of opening; one whose opening is unknown comes last."""
    return (proceeding.opened_on or dt.date.max, proceeding.id)


@dataclass
class _Facts:
    hearings: list[Hearing] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


def _facts_by_proceeding(found: list[timeline.Entry]) -> dict[int, _Facts]:
    facts: dict[int, _Facts] = defaultdict(_Facts)
    for entry in found:
        if entry.type == "hearing":
            facts[entry.row.proceeding_id].hearings.append(entry.row)
        elif entry.type == "event":
            facts[entry.row.proceeding_id].events.append(entry.row)
    return facts


# --- the queries besides the timeline's ------------------------------------------------------


def _names(session: so.Session) -> Iterable[str]:
    """Every person's name (clients and others), and every user's: one query."""
    union = sa.union_all(sa.select(Person.name), sa.select(User.name).where(User.name != ""))
    return [name for name in session.scalars(sa.select(union.subquery().c[0])) if name]


def _open_flags(session: so.Session, ids: list[int]) -> dict[int, list[DelayFlag]]:
    found: dict[int, list[DelayFlag]] = defaultdict(list)
    if not ids:
        return found
    statement = (
        sa.select(DelayFlag)
        .where(DelayFlag.proceeding_id.in_(ids), DelayFlag.resolved_at.is_(None))
        .order_by(DelayFlag.proceeding_id, DelayFlag.began_on, DelayFlag.id)
    )
    for flag in session.scalars(statement):
        found[flag.proceeding_id].append(flag)
    return found


def _linked(
    session: so.Session, actor: Actor, chosen: list[Proceeding]
) -> dict[int, Proceeding | None]:
    """The origins and parents of the chosen proceedings, by id; None for one in a matter
    the actor may not see (named without its details)."""
    wanted = {p.origin_id for p in chosen} | {p.parent_id for p in chosen}
    wanted.discard(None)
    if not wanted:
        return {}
    statement = (
        sa.select(Proceeding)
        .where(Proceeding.id.in_(wanted), access.matter_filter(actor, Proceeding.matter_id))
        .options(so.joinedload(Proceeding.jurisdiction))
    )
    seen = {p.id: p for p in session.scalars(statement)}
    return {i: seen.get(i) for i in wanted if i is not None}


# --- a section ---------------------------------------------------------------------------


def _section(
    proceeding: Proceeding,
    items: list[Item],
    linked: dict[int, Proceeding | None],
    flags: list[DelayFlag],
    facts: _Facts,
    mask: Callable[[str], str],
    today: dt.date,
) -> Section:
    country = proceeding.jurisdiction.name
    return Section(
        proceeding_id=proceeding.id,
        title=mask(proceeding.title),
        heading=f"{country}: {mask(proceeding.title)}",
        country=country,
        authority=mask(proceeding.authority.name) if proceeding.authority else "",
        reference=proceeding.reference or "",
        role=labels.words(proceeding.client_role),
        kind=labels.words(proceeding.kind),
        period=_proceeding_period(proceeding),
        links=tuple(_links(proceeding, linked, mask)),
        items=tuple(items),
        delays=mask(_delays(proceeding, facts, flags, today)),
    )


def _proceeding_period(proceeding: Proceeding) -> str:
    opened = (
        in_words(proceeding.opened_on, proceeding.opened_precision)
        if proceeding.opened_on
        else "on a date not known"
    )
    end = labels.words(proceeding.status).lower()
    if proceeding.closed_on is not None:
        end += " " + in_words(proceeding.closed_on, proceeding.closed_precision)
    return f"opened {opened} – {end}"


def _links(
    proceeding: Proceeding, linked: dict[int, Proceeding | None], mask: Callable[[str], str]
) -> Iterable[str]:
    if proceeding.origin_id is not None:
        verb = "requested by" if proceeding.kind in REQUESTED else "based on a proceeding in"
        yield _link(verb, linked.get(proceeding.origin_id), mask)
    if proceeding.parent_id is not None:
        verb = "appeal of" if proceeding.kind in APPEALS else "a stage of"
        yield _link(f"{verb} a proceeding in", linked.get(proceeding.parent_id), mask)


def _link(verb: str, other: Proceeding | None, mask: Callable[[str], str]) -> str:
    if other is None:
        return f"{verb} another country, in a dossier not shown here"
    about = f"case no. {other.reference}" if other.reference else f"“{mask(other.title)}”"
    return f"{verb} {other.jurisdiction.name} in connection with {about}"


# --- the dated items ------------------------------------------------------------------------


def _items(facts: _Facts, mask: Callable[[str], str]) -> Iterable[tuple[Item, str | None]]:
    """Each dated item, with the source it cites (if any)."""
    for hearing in facts.hearings:
        if hearing.status is not HearingStatus.postponed:  # sine die: its move says so
            yield _hearing(hearing, mask), None
        for move in hearing.moves:  # standing moves only
            yield _move(hearing, move, mask), None
    for event in facts.events:  # standing events only
        kind = "decision" if timeline.is_decision(event.kind) else "event"
        text = labels.words(event.kind) + (f": {mask(event.summary)}" if event.summary else "")
        yield Item(event.occurred_on, Precision(event.precision), kind, text), event.source


def _hearing(hearing: Hearing, mask: Callable[[str], str]) -> Item:
    local = hearing.local_start
    text = _named(hearing, mask)
    if hearing.location:
        text += f" ({mask(hearing.location)})"
    if hearing.status is HearingStatus.held:
        text += " held"
        if hearing.outcome not in (None, OutcomeResult.held):  # "held; outcome: held"
            text += f"; outcome: {labels.words(hearing.outcome).lower()}"
        if hearing.outcome_summary:
            text += f": {mask(hearing.outcome_summary)}"
    elif hearing.status is HearingStatus.cancelled:
        text += " cancelled"
    else:
        text += " scheduled" + (f" at {local:%H:%M}" if hearing.time_known else "")
    return Item(local.date(), Precision.day, "hearing", text)


def _move(hearing: Hearing, move: Postponement, mask: Callable[[str], str]) -> Item:
    zone = hearing.timezone
    start = in_zone(move.from_starts_at, zone).date()
    text = f"{_named(hearing, mask)} set for this day "
    if move.to_starts_at is None:
        text += "postponed sine die (no new date)"
    else:
        to = in_words(in_zone(move.to_starts_at, zone).date())
        text += f"{'postponed' if move.delays else 'brought forward'} to {to}"
    if move.decided_on is not None:
        text += f" (decided {in_words(move.decided_on)})"
    if move.reason:
        text += f"; reason: {mask(move.reason)}"
    return Item(start, Precision.day, "postponement", text)


def _named(hearing: Hearing, mask: Callable[[str], str]) -> str:
    """ "Hearing", or "Hearing “Extradition hearing”" when it has a title of its own."""
    if hearing.title.strip().casefold() in ("", "hearing"):
        return "Hearing"
    return f"Hearing “{mask(hearing.title)}”"


def _within(item: Item, options: ChronologyQuery) -> bool:
    """Whether the item's period meets the range (a date known to the year is kept when
    any day of that year is in the range)."""
    if options.to is not None and item.date > options.to:
        return False
    return options.from_ is None or period_end(item.date, item.precision) >= options.from_


# --- delays --------------------------------------------------------------------------------


def _delays(proceeding: Proceeding, facts: _Facts, flags: list[DelayFlag], today: dt.date) -> str:
    """Times postponed, days lost to postponements, days a request has waited, open flags."""
    said = []
    ledgers = [ledger(h) for h in facts.hearings]
    postponed = sum(one.count for one in ledgers)
    if postponed:
        lost = sum(one.slip_days for one in ledgers if one.slip_days and one.slip_days > 0)
        moved = sum(1 for one in ledgers if one.count)
        said.append(
            f"Hearings were postponed {labels.count(postponed, 'time')}"
            f" ({labels.count(moved, 'hearing')}), {labels.count(lost, 'day')} lost to"
            " postponements"
        )
        sine_die = sum(1 for one in ledgers if one.sine_die)
        if sine_die:
            said[-1] += f"; {labels.count(sine_die, 'hearing')} adjourned sine die"
    waited = _waited(proceeding, facts, today)
    if waited is not None:
        since = in_words(proceeding.opened_on, proceeding.opened_precision)  # type: ignore[arg-type]
        said.append(
            f"The request has waited {labels.count(waited, 'day')} without a decision"
            f" (since {since})"
        )
    said += [f"Flagged: {flag.message}" for flag in flags]
    return "".join(f"{sentence}. " for sentence in said).strip()


def _waited(proceeding: Proceeding, facts: _Facts, today: dt.date) -> int | None:
    """Days an open extradition or MLA request has waited with no decision (the
    `request_unanswered` rule's reading: from its opening, to the first decision)."""
    if proceeding.kind not in rules.REQUEST_KINDS or not proceeding.is_open:
        return None
    if proceeding.opened_on is None:
        return None
    if any(e.kind in rules.DECISION_KINDS and e.occurred_on <= today for e in facts.events):
        return None
    return (today - proceeding.opened_on).days


# --- the period covered, the notes ------------------------------------------------------------


def _period(
    options: ChronologyQuery, chosen: list[Proceeding], sections: list[Section], today: dt.date
) -> str:
    if options.from_ or options.to:
        start = in_words(options.from_) if options.from_ else "the beginning"
        return f"{start} – {in_words(options.to or today)}"
    starts = [(p.opened_on, p.opened_precision) for p in chosen if p.opened_on]
    starts += [(i.date, i.precision) for s in sections for i in s.items]
    if not starts:
        return f"until {in_words(today)}"
    first, precision = min(starts, key=lambda start: start[0])
    return f"{in_words(first, precision)} – {in_words(today)}"


class _Notes:
    """The sources, numbered in the order they are first cited; one source cited twice
    keeps its number."""

    def __init__(self, mask: Callable[[str], str]):
        self.mask = mask
        self.found: list[Note] = []
        self._numbers: dict[str, int] = {}

    def number(self, source: str) -> int:
        source = source.strip()
        if source not in self._numbers:
            self._numbers[source] = len(self.found) + 1
            self.found.append(self._note(len(self.found) + 1, source))
        return self._numbers[source]

    def _note(self, number: int, source: str) -> Note:
        address = URL.search(source)
        url = address[0].rstrip(".,;)") if address else None
        if url is not None and self.mask(url) != url:
            url = None  # the address itself names someone: cited as text, without it
            source = URL.sub("(address withheld)", source)
        return Note(number, self.mask(source), url)
