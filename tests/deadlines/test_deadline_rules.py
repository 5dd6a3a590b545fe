"""The shipped deadline rules, case by case: trigger → due date, with the reason in a comment.

Pure: the rules and calendars are built from `tracker.deadlines.catalogue`, no database.
Every expected date was derived by hand from the legal rule and a real calendar (weekdays
from `datetime`, holidays from the `holidays` package, public category), not copied from
the engine.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo

import pytest

from tracker.deadlines import catalogue
from tracker.deadlines.models import BlockingDays
from tracker.deadlines.rules import NotInForce, Rule, compute
from tracker.jurisdictions.calendars import Calendar, Vacation
from tracker.jurisdictions.enums import VacationEffect

D = dt.date.fromisoformat
#: what the pure engine takes of a catalogue entry (the rest is its citation)
FIELDS = frozenset(Rule.__dataclass_fields__)


# --- building rules and calendars from the catalogue ---------------------------------------


def _versions(code: str) -> list[tuple[Rule, str]]:
    """Every version of rule `code` in the catalogue, with its jurisdiction code."""
    return [
        (Rule(**{k: v for k, v in item.items() if k in FIELDS}), item["jurisdiction"])
        for item in catalogue.RULES
        if item["code"] == code
    ]


def _window_contains(rule: Rule, trigger: dt.date) -> bool:
    return (rule.valid_from is None or rule.valid_from <= trigger) and (
        rule.valid_to is None or trigger < rule.valid_to
    )


def rule_for(code: str, trigger: dt.date) -> tuple[Rule, Calendar]:
    """The version of `code` whose validity window contains `trigger`, and its calendar."""
    found = [(r, j) for r, j in _versions(code) if _window_contains(r, trigger)]
    assert len(found) == 1, f"{code} on {trigger}: {len(found)} versions in force"
    rule, jurisdiction = found[0]
    return rule, calendar_for(jurisdiction)


def calendar_for(jurisdiction: str) -> Calendar:
    ((zone, country, subdivision),) = [
        (z, c, s) for code, _name, z, c, s in catalogue.JURISDICTIONS if code == jurisdiction
    ]
    return Calendar(
        code=jurisdiction,
        holiday_country=country,
        subdivision=subdivision,
        timezone=zone,
        vacations=tuple(
            Vacation(
                name=v["name"],
                effect=v["effect"],
                start=v["start"],
                end=v["end"],
                extend_to=v["extend_to"],
                source=v["source"],
            )
            for v in catalogue.VACATIONS
            if v["jurisdiction"] == jurisdiction
        ),
    )


def due(code: str, trigger: str):
    rule, calendar = rule_for(code, D(trigger))
    return compute(rule, D(trigger), calendar)


# --- the table -----------------------------------------------------------------------------


def case(code: str, trigger: str, expected: str, bug: str | None = None):
    marks = [pytest.mark.xfail(strict=True, reason=f"BUG: {bug}")] if bug else []
    return pytest.param(code, trigger, expected, id=f"{code}-{trigger}", marks=marks)


BE_CRIM_APPEAL = [
    # validity: judgment on 2016-02-28 (last day of the old law) → 15 days → Mon 14 Mar
    case("BE-CRIM-APPEAL", "2016-02-28", "2016-03-14"),
    # validity: judgment on 2016-02-29 (first day of the new law) → 30 days → Wed 30 Mar
    case("BE-CRIM-APPEAL", "2016-02-29", "2016-03-30"),
    # the example: 30 days → Sat 22 Jul; Sun 23 → Mon 24
    case("BE-CRIM-APPEAL", "2023-06-22", "2023-07-24"),
    # New Year: 30 days → Mon 1 Jan 2024 (holiday) → Tue 2 Jan
    case("BE-CRIM-APPEAL", "2023-12-02", "2024-01-02"),
    # 21 July: 30 days → Fri 21 Jul 2023 (National Day; criminal: no vacation) → Sat, Sun → Mon 24
    case("BE-CRIM-APPEAL", "2023-06-21", "2023-07-24"),
    # 15 August: 30 days → Tue 15 Aug 2023 (Assumption; no vacation effect) → Wed 16 Aug
    case("BE-CRIM-APPEAL", "2023-07-16", "2023-08-16"),
    # Christmas: 30 days → Wed 25 Dec 2024 → Thu 26 Dec (not a Belgian legal holiday)
    case("BE-CRIM-APPEAL", "2024-11-25", "2024-12-26"),
    # plain: 30 days → Fri 31 Mar 2023, a working day
    case("BE-CRIM-APPEAL", "2023-03-01", "2023-03-31"),
    # Ascension: 30 days → Thu 9 May 2024 (Ascension) → Fri 10 May
    case("BE-CRIM-APPEAL", "2024-04-09", "2024-05-10"),
    # 1 November: 30 days → Fri 1 Nov 2024 (All Saints) → Sat, Sun → Mon 4 Nov
    case("BE-CRIM-APPEAL", "2024-10-02", "2024-11-04"),
]

BE_CRIM_OPPOSITION = [
    # Easter Monday: 15 days → Mon 10 Apr 2023 (Easter Monday) → Tue 11 Apr
    case("BE-CRIM-OPPOSITION", "2023-03-26", "2023-04-11"),
    # Easter chain: 15 days → Sat 30 Mar 2024 → Sun 31 (Easter) → Mon 1 Apr (Easter Mon) → Tue 2
    case("BE-CRIM-OPPOSITION", "2024-03-15", "2024-04-02"),
    # 1 May: 15 days → Mon 1 May 2023 (Labour Day) → Tue 2 May
    case("BE-CRIM-OPPOSITION", "2023-04-16", "2023-05-02"),
    # Whit Monday: 15 days → Mon 29 May 2023 (Whit Monday) → Tue 30 May
    case("BE-CRIM-OPPOSITION", "2023-05-14", "2023-05-30"),
    # 11 November: 15 days → Sat 11 Nov 2023 (Armistice, weekend) → Sun 12 → Mon 13
    case("BE-CRIM-OPPOSITION", "2023-10-27", "2023-11-13"),
    # weekend: 15 days → Sat 16 Sep 2023 → Sun 17 → Mon 18
    case("BE-CRIM-OPPOSITION", "2023-09-01", "2023-09-18"),
]

BE_CRIM_CASSATION = [
    # Ascension: 15 days → Thu 18 May 2023 (Ascension) → Fri 19 May
    case("BE-CRIM-CASSATION", "2023-05-03", "2023-05-19"),
    # 11 November: 15 days → Mon 11 Nov 2024 (Armistice) → Tue 12 Nov
    case("BE-CRIM-CASSATION", "2024-10-27", "2024-11-12"),
    # Christmas: 15 days → Sun 25 Dec 2022 (Christmas) → Mon 26 Dec (a working day in BE)
    case("BE-CRIM-CASSATION", "2022-12-10", "2022-12-26"),
    # New Year: 15 days → Sat 1 Jan 2022 (New Year) → Sun 2 → Mon 3 Jan
    case("BE-CRIM-CASSATION", "2021-12-17", "2022-01-03"),
    # 15 August inside the civil vacation, criminal: 15 days → Thu 15 Aug 2024 → Fri 16 Aug
    case("BE-CRIM-CASSATION", "2024-07-31", "2024-08-16"),
    # 21 July: 15 days → Sun 21 Jul 2024 (National Day) → Mon 22 Jul (no vacation effect)
    case("BE-CRIM-CASSATION", "2024-07-06", "2024-07-22"),
    # leap day: 15 days → Thu 29 Feb 2024, a working day
    case("BE-CRIM-CASSATION", "2024-02-14", "2024-02-29"),
    # Whit Monday chain: 15 days → Sat 18 May 2024 → Sun 19 (Pentecost) → Mon 20 (Whit Mon) → Tue 21
    case("BE-CRIM-CASSATION", "2024-05-03", "2024-05-21"),
]

BE_CIV_APPEAL = [
    # the example: starts Thu 6 Jul, 1 month → Sat 5 Aug, both in the vacation
    # → extended to Fri 15 Sep 2023
    case("BE-CIV-APPEAL", "2023-07-05", "2023-09-15"),
    # starts and ends inside (11 Jul → Sat 10 Aug 2024) → 15 Sep 2024 is a Sunday → Mon 16 Sep
    case("BE-CIV-APPEAL", "2024-07-10", "2024-09-16"),
    # starts and ends inside (17 Jul → Thu 16 Aug 2018) → 15 Sep 2018 is a Saturday → Mon 17 Sep
    case("BE-CIV-APPEAL", "2018-07-16", "2018-09-17"),
    # trigger on 30 June: the period starts 1 July; 1 month → Sun 30 Jul 2023 (inside)
    # → 15 Sep 2023 (Fri); the Sunday is never rolled first
    case("BE-CIV-APPEAL", "2023-06-30", "2023-09-15"),
    # trigger on 30 June 2024: starts 1 Jul → Tue 30 Jul (inside) → Sun 15 Sep → Mon 16 Sep
    case("BE-CIV-APPEAL", "2024-06-30", "2024-09-16"),
    # starts before (Fri 30 Jun) and ends inside (Sat 29 Jul 2023): no extension;
    # Sat 29 → Sun 30 → Mon 31 Jul
    case("BE-CIV-APPEAL", "2023-06-29", "2023-07-31"),
    # starts before (6 Jun), ends inside on Wed 5 Jul 2023: no extension, a working day
    case("BE-CIV-APPEAL", "2023-06-05", "2023-07-05"),
    # starts before, ends inside on Fri 21 Jul 2023 (National Day): no extension, the roll
    # applies → Sat, Sun → Mon 24 Jul
    case("BE-CIV-APPEAL", "2023-06-21", "2023-07-24"),
    # starts inside (11 Aug) and ends after 31 Aug: 1 month → Sun 10 Sep 2023 → Mon 11 Sep
    case("BE-CIV-APPEAL", "2023-08-10", "2023-09-11"),
    # starts inside (2 Aug), ends after on Fri 1 Sep 2023: no extension
    case("BE-CIV-APPEAL", "2023-08-01", "2023-09-01"),
    # starts 1 Aug, ends Thu 31 Aug 2023 (last day of the vacation): → Fri 15 Sep 2023
    case("BE-CIV-APPEAL", "2023-07-31", "2023-09-15"),
    # starts 1 Aug, ends Sat 31 Aug 2024: extended → Sun 15 Sep → Mon 16 Sep
    case("BE-CIV-APPEAL", "2024-07-31", "2024-09-16"),
    # 31 Aug + 1 month → 30 Sep 2023 (Sat) → Mon 2 Oct; starts 1 Sep, after the vacation
    case("BE-CIV-APPEAL", "2023-08-31", "2023-10-02"),
    # starts 31 Aug (inside), 30 Aug + 1 month → Mon 30 Sep 2024 (after): no extension
    case("BE-CIV-APPEAL", "2024-08-30", "2024-09-30"),
    # 31 Aug 2024 + 1 month → Mon 30 Sep 2024 (the month's last day)
    case("BE-CIV-APPEAL", "2024-08-31", "2024-09-30"),
    # month end, non-leap: 31 Jan + 1 month → Tue 28 Feb 2023
    case("BE-CIV-APPEAL", "2023-01-31", "2023-02-28"),
    # month end, leap: 31 Jan + 1 month → Thu 29 Feb 2024
    case("BE-CIV-APPEAL", "2024-01-31", "2024-02-29"),
    # 31 Mar + 1 month → Sun 30 Apr 2023 → Mon 1 May (Labour Day) → Tue 2 May
    case("BE-CIV-APPEAL", "2023-03-31", "2023-05-02"),
    # 31 Mar + 1 month → Tue 30 Apr 2024
    case("BE-CIV-APPEAL", "2024-03-31", "2024-04-30"),
    # 31 Oct + 1 month → Thu 30 Nov 2023
    case("BE-CIV-APPEAL", "2023-10-31", "2023-11-30"),
    # 31 May + 1 month → Sun 30 Jun 2024 → Mon 1 Jul (rolled into the vacation, starts
    # before it: no extension)
    case("BE-CIV-APPEAL", "2024-05-31", "2024-07-01"),
    # 11 November: 1 month → Sat 11 Nov 2023 (Armistice) → Sun → Mon 13 Nov
    case("BE-CIV-APPEAL", "2023-10-11", "2023-11-13"),
    # New Year: 1 month → Sun 1 Jan 2023 (New Year) → Mon 2 Jan
    case("BE-CIV-APPEAL", "2022-12-01", "2023-01-02"),
    # Christmas: 1 month → Wed 25 Dec 2024 → Thu 26 Dec
    case("BE-CIV-APPEAL", "2024-11-25", "2024-12-26"),
]

ECHR = [
    # validity: decision 2022-01-31 → 6 months → 31 Jul 2022, a Sunday, which stays
    case("ECHR-APPLICATION", "2022-01-31", "2022-07-31"),
    # validity: decision 2022-02-01 → 4 months → Wed 1 Jun 2022
    case("ECHR-APPLICATION", "2022-02-01", "2022-06-01"),
    # Sunday: 4 months → Sun 10 Sep 2023, stays (Sabri Güneş)
    case("ECHR-APPLICATION", "2023-05-10", "2023-09-10"),
    # Saturday: 4 months → Sat 16 Sep 2023, stays
    case("ECHR-APPLICATION", "2023-05-16", "2023-09-16"),
    # no holidays: 4 months → Mon 25 Dec 2023, stays
    case("ECHR-APPLICATION", "2023-08-25", "2023-12-25"),
    # month end, non-leap: 31 Oct + 4 months → Tue 28 Feb 2023
    case("ECHR-APPLICATION", "2022-10-31", "2023-02-28"),
    # month end, leap: 31 Oct + 4 months → Thu 29 Feb 2024
    case("ECHR-APPLICATION", "2023-10-31", "2024-02-29"),
    # 31 Aug + 4 months → Sat 31 Dec 2022, stays
    case("ECHR-APPLICATION", "2022-08-31", "2022-12-31"),
    # 30 Nov + 4 months → Sat 30 Mar 2024, stays
    case("ECHR-APPLICATION", "2023-11-30", "2024-03-30"),
    # 31 Aug + 4 months → Sun 31 Dec 2023, stays
    case("ECHR-APPLICATION", "2023-08-31", "2023-12-31"),
    # old law, month end, non-leap: 31 Aug 2021 + 6 months → Mon 28 Feb 2022
    case("ECHR-APPLICATION", "2021-08-31", "2022-02-28"),
    # old law, month end, leap: 31 Aug 2019 + 6 months → Sat 29 Feb 2020, stays
    case("ECHR-APPLICATION", "2019-08-31", "2020-02-29"),
]

FR_CE_EXTRADITION = [
    # month end, non-leap: 31 Jan + 1 month → Tue 28 Feb 2023
    case("FR-CE-EXTRADITION", "2023-01-31", "2023-02-28"),
    # month end, leap: 31 Jan + 1 month → Thu 29 Feb 2024
    case("FR-CE-EXTRADITION", "2024-01-31", "2024-02-29"),
    # 31 Mar + 1 month → Sun 30 Apr 2023 → Mon 1 May (Labour Day) → Tue 2 May
    case("FR-CE-EXTRADITION", "2023-03-31", "2023-05-02"),
    # 31 May + 1 month → Fri 30 Jun 2023
    case("FR-CE-EXTRADITION", "2023-05-31", "2023-06-30"),
    # 31 Aug + 1 month → Sat 30 Sep 2023 → Sun → Mon 2 Oct
    case("FR-CE-EXTRADITION", "2023-08-31", "2023-10-02"),
    # 30 Aug + 1 month → Sat 30 Sep 2023 → Sun → Mon 2 Oct
    case("FR-CE-EXTRADITION", "2023-08-30", "2023-10-02"),
    # 30 Aug + 1 month → Mon 30 Sep 2024
    case("FR-CE-EXTRADITION", "2024-08-30", "2024-09-30"),
    # 31 Dec + 1 month → Fri 31 Jan 2025
    case("FR-CE-EXTRADITION", "2024-12-31", "2025-01-31"),
    # 8 May: 1 month → Mon 8 May 2023 (Victory Day) → Tue 9 May
    case("FR-CE-EXTRADITION", "2023-04-08", "2023-05-09"),
    # 8 May then Ascension: → Wed 8 May 2024 → Thu 9 (Ascension) → Fri 10 May
    case("FR-CE-EXTRADITION", "2024-04-08", "2024-05-10"),
    # 14 July: → Fri 14 Jul 2023 (National Day) → Sat, Sun → Mon 17 Jul
    case("FR-CE-EXTRADITION", "2023-06-14", "2023-07-17"),
    # 14 July on a Sunday: → Sun 14 Jul 2024 → Mon 15 Jul
    case("FR-CE-EXTRADITION", "2024-06-14", "2024-07-15"),
    # Whit Monday: → Mon 29 May 2023 (Pentecost Monday) → Tue 30 May
    case("FR-CE-EXTRADITION", "2023-04-29", "2023-05-30"),
    # 15 August: → Tue 15 Aug 2023 (Assumption) → Wed 16 Aug
    case("FR-CE-EXTRADITION", "2023-07-15", "2023-08-16"),
    # 11 November: → Mon 11 Nov 2024 (Armistice) → Tue 12 Nov
    case("FR-CE-EXTRADITION", "2024-10-11", "2024-11-12"),
    # Christmas: → Wed 25 Dec 2024 → Thu 26 Dec (not a holiday outside Alsace-Moselle)
    case("FR-CE-EXTRADITION", "2024-11-25", "2024-12-26"),
    # New Year: → Mon 1 Jan 2024 → Tue 2 Jan
    case("FR-CE-EXTRADITION", "2023-12-01", "2024-01-02"),
]

IT_CRIM_APPEAL = [
    # Saturday is a working day: 15 days → Sat 18 Mar 2023, stays
    case("IT-CRIM-APPEAL-15", "2023-03-03", "2023-03-18"),
    # Sunday: 15 days → Sun 19 Mar 2023 → Mon 20 Mar
    case("IT-CRIM-APPEAL-15", "2023-03-04", "2023-03-20"),
    # 2 June: → Fri 2 Jun 2023 (Republic Day) → Sat 3 Jun, a working day
    case("IT-CRIM-APPEAL-15", "2023-05-18", "2023-06-03"),
    # 2 June on a Sunday: → Sun 2 Jun 2024 → Mon 3 Jun
    case("IT-CRIM-APPEAL-15", "2024-05-18", "2024-06-03"),
    # 8 December: → Fri 8 Dec 2023 (Immaculate Conception) → Sat 9 Dec
    case("IT-CRIM-APPEAL-15", "2023-11-23", "2023-12-09"),
    # 8 December on a Sunday: → Sun 8 Dec 2024 → Mon 9 Dec
    case("IT-CRIM-APPEAL-15", "2024-11-23", "2024-12-09"),
    # 25 April: → Tue 25 Apr 2023 (Liberation Day) → Wed 26 Apr
    case("IT-CRIM-APPEAL-15", "2023-04-10", "2023-04-26"),
    # Christmas: → Mon 25 Dec 2023 → Tue 26 (St Stephen) → Wed 27 Dec
    case("IT-CRIM-APPEAL-15", "2023-12-10", "2023-12-27"),
    # Christmas on a Sunday: → Sun 25 Dec 2022 → Mon 26 (St Stephen) → Tue 27 Dec
    case("IT-CRIM-APPEAL-15", "2022-12-10", "2022-12-27"),
    # Epiphany: → Fri 6 Jan 2023 → Sat 7 Jan, a working day
    case("IT-CRIM-APPEAL-15", "2022-12-22", "2023-01-07"),
    # Epiphany on a Saturday moves (a holiday): → Sat 6 Jan 2024 → Sun 7 → Mon 8 Jan
    case("IT-CRIM-APPEAL-15", "2023-12-22", "2024-01-08"),
    # Easter Monday: → Mon 1 Apr 2024 → Tue 2 Apr
    case("IT-CRIM-APPEAL-15", "2024-03-17", "2024-04-02"),
    # Easter chain: → Sun 31 Mar 2024 (Easter) → Mon 1 Apr (Easter Monday) → Tue 2 Apr
    case("IT-CRIM-APPEAL-15", "2024-03-16", "2024-04-02"),
    # 1 November: → Wed 1 Nov 2023 (All Saints) → Thu 2 Nov
    case("IT-CRIM-APPEAL-15", "2023-10-17", "2023-11-02"),
    # 4 October, a national holiday again from 2026: → Mon 4 Oct 2027 → Tue 5 Oct
    case("IT-CRIM-APPEAL-15", "2027-09-19", "2027-10-05"),
    # ends just before the suspension: 17–31 Jul = 15 days → Mon 31 Jul 2023
    case("IT-CRIM-APPEAL-15", "2023-07-16", "2023-07-31"),
    # straddles: 18–31 Jul = 14 days, August does not run, Fri 1 Sep 2023 = day 15
    case("IT-CRIM-APPEAL-15", "2023-07-17", "2023-09-01"),
    # straddles: 21–31 Jul = 11 days, pause, 1 Sep = day 12 → Mon 4 Sep 2023 = day 15
    case("IT-CRIM-APPEAL-15", "2023-07-20", "2023-09-04"),
    # straddles: 21–31 Jul = 11 days, pause, 1 Sep = day 12 → Wed 4 Sep 2024 = day 15
    case("IT-CRIM-APPEAL-15", "2024-07-20", "2024-09-04"),
    # straddles: 31 Jul = day 1, pause, Sun 1 Sep 2024 = day 2 (days run on Sundays)
    # → Sat 14 Sep 2024 = day 15, stays
    case("IT-CRIM-APPEAL-15", "2024-07-30", "2024-09-14"),
    # straddles, ends on a Sunday after the pause: 27–31 Jul = 5 days, 1 Sep = day 6
    # → Sun 10 Sep 2023 = day 15 → Mon 11 Sep
    case("IT-CRIM-APPEAL-15", "2023-07-26", "2023-09-11"),
    # trigger on 31 July: would start 1 Aug → starts 1 Sep (day 1) → Fri 15 Sep 2023
    case("IT-CRIM-APPEAL-15", "2023-07-31", "2023-09-15"),
    # starts in August: trigger 10 Aug → 1 Sep = day 1 → Fri 15 Sep 2023
    case("IT-CRIM-APPEAL-15", "2023-08-10", "2023-09-15"),
    # starts in August, ends on a Sunday: 1 Sep = day 1 → Sun 15 Sep 2024 → Mon 16 Sep
    case("IT-CRIM-APPEAL-15", "2024-08-10", "2024-09-16"),
    # trigger on 1 August: 1 Sep = day 1 → Fri 15 Sep 2023
    case("IT-CRIM-APPEAL-15", "2023-08-01", "2023-09-15"),
    # trigger on 31 August: 1 Sep = day 1 → Fri 15 Sep 2023 (same as an August start)
    case("IT-CRIM-APPEAL-15", "2023-08-31", "2023-09-15"),
]

UA_CRIM_APPEAL = [
    # former holiday: 30 days → Sun 30 Apr 2023 → Mon 1 May, no longer a day off (martial law)
    case("UA-CRIM-APPEAL", "2023-03-31", "2023-05-01"),
    # former holiday: 30 days → Mon 1 Jan 2024, a working day under martial law
    case("UA-CRIM-APPEAL", "2023-12-02", "2024-01-01"),
    # former holiday: 30 days → Thu 24 Aug 2023 (Independence Day), a working day
    case("UA-CRIM-APPEAL", "2023-07-25", "2023-08-24"),
    # former holiday: 30 days → Mon 25 Dec 2023 (Christmas), a working day
    case("UA-CRIM-APPEAL", "2023-11-25", "2023-12-25"),
    # before the holidays ended (package: last one 8 Mar 2022): → Tue 8 Mar 2022
    # (Women's Day) → Wed 9 Mar
    case("UA-CRIM-APPEAL", "2022-02-06", "2022-03-09"),
    # 2021: → Sat 25 Dec (Christmas) → Sun 26 → Mon 27 (Christmas, observed) → Tue 28 Dec
    case("UA-CRIM-APPEAL", "2021-11-25", "2021-12-28"),
    # 2021: → Mon 3 May (Labour Day, observed) → Tue 4 (Easter, observed) → Wed 5 May
    case("UA-CRIM-APPEAL", "2021-04-03", "2021-05-05"),
    # weekend: 30 days → Sat 22 Jul 2023 → Sun → Mon 24 Jul
    case("UA-CRIM-APPEAL", "2023-06-22", "2023-07-24"),
    # days, not a month: 31 Jan 2023 + 30 days → Thu 2 Mar 2023
    case("UA-CRIM-APPEAL", "2023-01-31", "2023-03-02"),
    # days in a leap year: 31 Jan 2024 + 30 days → Fri 1 Mar 2024
    case("UA-CRIM-APPEAL", "2024-01-31", "2024-03-01"),
]

# --- the authorities' time limits: calendar days or months, never rolled ---------------------

REMEDIES = [
    # 6 months from 31 Aug 2026 → 28 Feb 2027 (clipped), a Sunday: not rolled
    case("UN-HRC-STATE-REPLY", "2026-08-31", "2027-02-28"),
    # leap year: 31 Aug 2027 + 6 months → Tue 29 Feb 2028
    case("UN-HRC-STATE-REPLY", "2027-08-31", "2028-02-29"),
    # plain: 15 Jan → Wed 15 Jul 2026
    case("UN-HRC-STATE-REPLY", "2026-01-15", "2026-07-15"),
    # 30 Jun → Wed 30 Dec 2026 (no holiday calendar at the UN)
    case("UN-HRC-STATE-REPLY", "2026-06-30", "2026-12-30"),
    # 60 days: 31 Aug 2026 → 30 Sep is day 30 → Fri 30 Oct
    case("EU-EAW-DECISION", "2026-08-31", "2026-10-30"),
    # across February: 31 Dec 2026 → 31 Jan is day 31, 28 Feb day 59 → Mon 1 Mar 2027
    case("EU-EAW-DECISION", "2026-12-31", "2027-03-01"),
    # leap year: 31 Dec 2027 → 29 Feb 2028 is day 60
    case("EU-EAW-DECISION", "2027-12-31", "2028-02-29"),
    # ends on Sat 31 Oct 2026: an authority is late from Sunday, not rolled to Monday
    case("EU-EAW-DECISION", "2026-09-01", "2026-10-31"),
    # the extension, 60 + 30 days: 31 Aug 2026 → Sun 29 Nov 2026 (not rolled)
    case("EU-EAW-DECISION-EXTENDED", "2026-08-31", "2026-11-29"),
    # leap year: 1 Jan 2028 + 90 days → 31 Mar 2028 (31 + 29 + 30)
    case("EU-EAW-DECISION-EXTENDED", "2028-01-01", "2028-03-31"),
    # 10 days from consent: 31 Aug → Thu 10 Sep 2026
    case("EU-EAW-DECISION-CONSENT", "2026-08-31", "2026-09-10"),
    # across the new year: 25 Dec 2026 → Mon 4 Jan 2027
    case("EU-EAW-DECISION-CONSENT", "2026-12-25", "2027-01-04"),
    # the extension, 10 + 30 days: 31 Aug → Sat 10 Oct 2026 (not rolled)
    case("EU-EAW-DECISION-CONSENT-EXTENDED", "2026-08-31", "2026-10-10"),
    # 20 Feb 2028 + 40 days → 31 Mar 2028 (9 days of a leap February + 31)
    case("EU-EAW-DECISION-CONSENT-EXTENDED", "2028-02-20", "2028-03-31"),
    # 1 month from 31 Jan 2026 → 28 Feb 2026 (clipped), a Saturday: not rolled
    case("FR-CPP-696-15", "2026-01-31", "2026-02-28"),
    # leap year: 31 Jan 2028 → Tue 29 Feb 2028
    case("FR-CPP-696-15", "2028-01-31", "2028-02-29"),
    # ends on Tue 14 Jul 2026, Bastille Day: the chambre is late from the 15th
    case("FR-CPP-696-15", "2026-06-14", "2026-07-14"),
    # 30 Apr → Sat 30 May 2026 (not rolled)
    case("FR-CPP-696-15", "2026-04-30", "2026-05-30"),
]

CASES = (
    REMEDIES
    + BE_CRIM_APPEAL
    + BE_CRIM_OPPOSITION
    + BE_CRIM_CASSATION
    + BE_CIV_APPEAL
    + ECHR
    + FR_CE_EXTRADITION
    + IT_CRIM_APPEAL
    + UA_CRIM_APPEAL
)


@pytest.mark.parametrize(("code", "trigger", "expected"), CASES)
def test_due_date(code, trigger, expected):
    result = due(code, trigger)
    assert result.due_on == D(expected), result.explanation
    assert result.steps[-1] == f"Due: {D(expected):%a} {expected}."


def test_the_table_is_large_and_covers_every_rule():
    assert len(CASES) >= 70
    assert len({p.id for p in CASES}) == len(CASES)
    covered = {p.values[0] for p in CASES} | {"ECHR-RULE-39"}  # instants: RULE_39 below
    assert covered == {item["code"] for item in catalogue.RULES}


# --- Rule 39: the last Registry hour a working day before the removal ------------------------

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(value: str) -> dt.datetime:
    """An instant: an ISO date-time with its offset, or a Strasbourg wall-clock time."""
    instant = dt.datetime.fromisoformat(value)
    return instant if instant.tzinfo else instant.replace(tzinfo=PARIS)


RULE_39 = [
    # Friday evening: the Registry's whole Friday (08:00–16:00) is the working day before
    pytest.param("2026-06-05 20:00", "2026-06-05 08:00", "06:00", id="friday-evening"),
    # Monday before opening: nothing counts on Monday; Friday 08:00
    pytest.param("2026-06-08 07:00", "2026-06-05 08:00", "06:00", id="monday-early"),
    # Monday 10:00: 2 h on Monday, 6 h back from Friday 16:00 → Friday 10:00
    pytest.param("2026-06-08 10:00", "2026-06-05 10:00", "08:00", id="monday-morning"),
    # Ascension, Thu 14 May 2026: Friday 2 h, Thursday closed, Wednesday from 10:00
    pytest.param("2026-05-15 10:00", "2026-05-13 10:00", "08:00", id="after-ascension"),
    pytest.param("2026-05-15 07:30", "2026-05-13 08:00", "06:00", id="after-ascension-early"),
    # Easter 2026 in Strasbourg: Good Friday (3 Apr) and Easter Monday (6 Apr) are closed
    pytest.param("2026-04-07 10:00", "2026-04-02 10:00", "08:00", id="after-easter"),
    # clocks go forward on Sun 29 Mar 2026: Friday 10:00 is CET, UTC+1
    pytest.param("2026-03-30 10:00", "2026-03-27 10:00", "09:00", id="dst-spring"),
    # clocks go back on Sun 25 Oct 2026: Friday 12:00 is CEST, UTC+2
    pytest.param("2026-10-26 12:00", "2026-10-23 12:00", "10:00", id="dst-autumn"),
    # Christmas: 25 Dec (Fri) and 26 Dec (Sat, St Stephen in Alsace) closed; 1 h on Monday
    pytest.param("2026-12-28 09:00", "2026-12-24 09:00", "08:00", id="christmas"),
    # a removal given in Baku time: 01:30 Tuesday there is 23:30 Monday in Strasbourg
    pytest.param("2026-06-09T01:30+04:00", "2026-06-08 08:00", "06:00", id="other-zone"),
    # one minute into the day: 1 min on Tuesday, 7 h 59 back from Monday 16:00
    pytest.param("2026-06-09 08:01", "2026-06-08 08:01", "06:01", id="one-minute"),
    # exactly at closing time on a working day: that day's 8 hours are enough
    pytest.param("2026-06-09 16:00", "2026-06-09 08:00", "06:00", id="at-closing"),
]


@pytest.mark.parametrize(("removal", "due_local", "due_utc"), RULE_39)
def test_rule_39_is_due_a_registry_working_day_before_the_removal(removal, due_local, due_utc):
    rule, calendar = rule_for("ECHR-RULE-39", at(removal).astimezone(PARIS).date())
    result = compute(rule, at(removal), calendar)
    assert result.due_at == at(due_local), result.explanation
    assert result.due_at.astimezone(dt.UTC).strftime("%H:%M") == due_utc
    assert result.due_on == at(due_local).date()


def test_rule_39_from_a_day_alone_counts_from_its_start():
    """No time of removal: the earliest it can be, so the deadline is never too late."""
    rule, calendar = rule_for("ECHR-RULE-39", D("2026-12-07"))
    result = compute(rule, D("2026-12-07"), calendar)
    assert result.due_at == at("2026-12-04 08:00")
    assert "time not given" in result.explanation
    assert result.steps[-1] == "Due: Fri 2026-12-04 at 08:00 Europe/Paris (UTC+0100: 07:00 UTC)."


def test_rule_39_steps_name_the_days_the_registry_is_closed():
    rule, calendar = rule_for("ECHR-RULE-39", D("2026-05-15"))
    steps = compute(rule, at("2026-05-15 10:00"), calendar).steps
    assert "Fri 2026-05-15 08:00–10:00: 2 h." in steps
    assert "Thu 2026-05-14: public holiday: Ascension Day, not counted." in steps
    assert "Wed 2026-05-13: 6 h back from 16:00 → 10:00." in steps


def test_an_authority_s_last_day_off_is_said_and_kept():
    steps = due("EU-EAW-DECISION", "2026-09-01").steps
    assert (
        "Sat 2026-10-31 is a weekend, but an authority's time limit does not move to the "
        "next working day." in steps
    )


# --- validity windows ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "old", "new", "boundary"),
    [
        ("BE-CRIM-APPEAL", 15, 30, D("2016-02-29")),
        ("ECHR-APPLICATION", 6, 4, D("2022-02-01")),
    ],
)
def test_versions_adjoin_at_the_validity_date(code, old, new, boundary):
    (first, _), (second, _) = sorted(_versions(code), key=lambda v: v[0].valid_from or dt.date.min)
    assert (first.amount, first.valid_from, first.valid_to) == (old, None, boundary)
    assert (second.amount, second.valid_from, second.valid_to) == (new, boundary, None)
    before = boundary - dt.timedelta(days=1)
    assert rule_for(code, before)[0] == first
    assert rule_for(code, boundary)[0] == second


@pytest.mark.parametrize(
    ("code", "amount", "trigger"),
    [
        # the 15-day version on its first day out of force, and well after
        ("BE-CRIM-APPEAL", 15, "2016-02-29"),
        ("BE-CRIM-APPEAL", 15, "2023-06-22"),
        # the 30-day version the day before it came into force
        ("BE-CRIM-APPEAL", 30, "2016-02-28"),
        # the 6-month version on its first day out of force
        ("ECHR-APPLICATION", 6, "2022-02-01"),
        # the 4-month version the day before Protocol 15's time limit applies
        ("ECHR-APPLICATION", 4, "2022-01-31"),
    ],
)
def test_a_version_used_outside_its_window_raises_not_in_force(code, amount, trigger):
    (rule, jurisdiction) = next((r, j) for r, j in _versions(code) if r.amount == amount)
    with pytest.raises(NotInForce, match=code):
        compute(rule, D(trigger), calendar_for(jurisdiction))


# --- the steps say why ---------------------------------------------------------------------


def _text(code: str, trigger: str) -> str:
    return due(code, trigger).explanation


def test_steps_name_the_trigger_offset_and_roll():
    text = _text("BE-CRIM-APPEAL", "2023-06-22")
    assert "30 days" in text
    assert "Trigger: Thu 2023-06-22" in text
    assert "Sat 2023-07-22" in text
    assert "Not a working day" in text
    assert "Mon 2023-07-24" in text


def test_steps_name_the_holiday_rolled_over():
    text = _text("BE-CRIM-APPEAL", "2023-06-21")
    assert "National Day" in text
    assert "Fri 2023-07-21" in text
    # criminal matters: the vacation plays no part
    assert "vacation" not in text


def test_steps_name_the_vacation_extension():
    text = _text("BE-CIV-APPEAL", "2023-07-05")
    assert "judicial vacation" in text
    assert "Sat 2023-08-05" in text
    assert "extended to Fri 2023-09-15" in text


def test_steps_show_the_roll_after_the_extension():
    steps = due("BE-CIV-APPEAL", "2024-07-10").steps
    extension = next(i for i, s in enumerate(steps) if "extended to Sun 2024-09-15" in s)
    roll = next(i for i, s in enumerate(steps) if s.startswith("Not a working day"))
    assert extension < roll
    assert "Mon 2024-09-16" in steps[roll]


def test_no_extension_step_when_the_period_starts_before_the_vacation():
    assert "extended" not in _text("BE-CIV-APPEAL", "2023-06-29")
    assert "extended" not in _text("BE-CIV-APPEAL", "2023-08-10")


def test_echr_steps_say_a_sunday_does_not_move():
    text = _text("ECHR-APPLICATION", "2023-05-10")
    assert "4 months" in text
    assert "Sun 2023-09-10" in text
    assert "does not move" in text
    assert "Not a working day" not in text


def test_italian_steps_show_the_pause():
    text = _text("IT-CRIM-APPEAL-15", "2023-07-20")
    assert "summer suspension" in text
    assert "after 11 of 15 days" in text
    assert "Fri 2023-09-01" in text


def test_italian_steps_show_a_start_deferred_to_september():
    text = _text("IT-CRIM-APPEAL-15", "2023-08-10")
    assert "would start during the summer suspension" in text
    assert "starts to run on Fri 2023-09-01" in text


def test_italian_saturday_is_not_rolled():
    text = _text("IT-CRIM-APPEAL-15", "2023-03-03")
    assert "Not a working day" not in text
    assert "Due: Sat 2023-03-18." in text


def test_ukrainian_former_holiday_is_not_named():
    text = _text("UA-CRIM-APPEAL", "2023-03-31")
    assert "Sun 2023-04-30 (weekend)" in text
    assert "public holiday" not in text
    assert "Due: Mon 2023-05-01." in text


# --- calendar facts the table relies on ----------------------------------------------------


def test_italian_15_august_is_a_holiday_though_no_period_can_end_on_it():
    # No IT-CRIM-APPEAL-15 period can end in August (time does not run then), so
    # 15 August is never a roll target for that rule; the calendar still knows it.
    calendar = calendar_for("IT")
    assert calendar.day_off(D("2023-08-15"), BlockingDays.holidays_and_sundays)
    assert calendar.day_off(D("2023-08-19"), BlockingDays.holidays_and_sundays) is None  # Sat


def test_ukraine_has_no_public_holidays_under_martial_law():
    calendar = calendar_for("UA")
    for day in ("2023-01-01", "2023-05-01", "2023-08-24", "2024-01-01", "2024-05-01"):
        assert calendar.holiday(D(day)) is None
    assert calendar.holiday(D("2021-08-24"))


def test_rule_39_skips_the_court_s_own_closing_days():
    """Days the `holidays` package does not know, entered as a `closed` vacation."""
    rule, calendar = rule_for("ECHR-RULE-39", D("2026-12-30"))
    closure = Vacation(
        name="Registry closed", effect=VacationEffect.closed, start=(12, 28), end=(12, 31)
    )
    closed = dataclasses.replace(calendar, vacations=(closure,))
    # removal Wed 30 Dec 10:00: 28–30 Dec closed, 25 and 26 Dec holidays, then a weekend:
    # the 8 hours are Thursday 24 Dec's whole day
    result = compute(rule, at("2026-12-30 10:00"), closed)
    assert result.due_at == at("2026-12-24 08:00"), result.explanation
    assert "Mon 2026-12-28: closed: Registry closed, not counted." in result.steps
    # without the closure, Mon 28 and Tue 29 are working days
    assert compute(rule, at("2026-12-30 10:00"), calendar).due_at == at("2026-12-29 10:00")
