"""Which days courts work: weekends and public holidays from the `holidays` package,
and judicial vacations / suspensions of time limits as data.

No holiday list is written here: a jurisdiction names its `holiday_country` and the
package knows the rest, including changes by statute (Ukraine has had no public
holidays since martial law began, 2022).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache, lru_cache

import holidays
from holidays.registry import COUNTRIES

from tracker.deadlines.enums import BlockingDays
from tracker.jurisdictions.enums import VacationEffect

SATURDAY, SUNDAY = 5, 6


@dataclass(frozen=True)
class Vacation:
    """A yearly period (e.g. 1 July – 31 August) with an effect on time limits."""

    name: str
    effect: VacationEffect
    start: tuple[int, int]
    end: tuple[int, int]
    #: for `extend`: the (month, day) to which a period is extended
    extend_to: tuple[int, int] | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    source: str = ""

    def period(self, year: int) -> tuple[dt.date, dt.date]:
        return dt.date(year, *self.start), dt.date(year, *self.end)

    def contains(self, day: dt.date) -> bool:
        first, last = self.period(day.year)
        in_force = (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )
        return in_force and first <= day <= last

    def describe(self, year: int) -> str:
        first, last = self.period(year)
        return f"{self.name} ({first:%-d %B}–{last:%-d %B})"


@dataclass(frozen=True)
class Calendar:
    """The working days of one jurisdiction."""

    code: str
    holiday_country: str | None = None
    subdivision: str | None = None
    vacations: tuple[Vacation, ...] = field(default=())
    #: where the court sits (IANA): a time of day on a last day is read there
    timezone: str = "UTC"

    @property
    def weekend(self) -> frozenset[int]:
        if self.holiday_country is None:
            return frozenset({SATURDAY, SUNDAY})
        return frozenset(_holidays(self.holiday_country, self.subdivision, 2000).weekend)

    def holiday(self, day: dt.date) -> str | None:
        """The name of the public holiday on that day, if any."""
        if self.holiday_country is None:
            return None
        return _holidays(self.holiday_country, self.subdivision, day.year).get(day)

    def day_off(self, day: dt.date, blocking: BlockingDays) -> str | None:
        """Why a time limit cannot end on that day, or None if it can."""
        name = self.holiday(day)
        if name:
            return f"public holiday: {name}"
        closure = self.vacation(day, VacationEffect.closed)
        if closure:
            return f"closed: {closure.name}"
        if blocking is BlockingDays.holidays_and_sundays:
            return "Sunday" if day.weekday() == SUNDAY else None
        return "weekend" if day.weekday() in self.weekend else None

    def vacation(self, day: dt.date, effect: VacationEffect) -> Vacation | None:
        return next((v for v in self.vacations if v.effect is effect and v.contains(day)), None)


@lru_cache(maxsize=512)
def _holidays(country: str, subdivision: str | None, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(
        country, subdiv=subdivision, years=year, categories=(holidays.PUBLIC,)
    )


@cache
def holiday_countries() -> frozenset[str]:
    """The country codes the `holidays` package knows (a jurisdiction's holiday country)."""
    return frozenset(holidays.list_supported_countries())


@cache
def subdivisions(country: str | None) -> frozenset[str]:
    """The regions of a country with holidays of their own ("6AE": Alsace), by code."""
    if country is None:
        return frozenset()
    return frozenset(holidays.country_holidays(country).subdivisions)


@cache
def holiday_country_choices() -> tuple[tuple[str, str], ...]:
    """(code, "Belgium (BE)") for every country of the holidays package, by name."""
    named = {
        entry[1]: f"{module.replace('_', ' ').title()} ({entry[1]})"
        for module, entry in COUNTRIES.items()
        if entry[1] in holiday_countries()
    }
    return tuple(sorted(named.items(), key=lambda item: item[1]))
