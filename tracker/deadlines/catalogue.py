"""The rule set shipped with the tracker, as data; `tracker db upgrade` stores it.

A rule that changed by statute is two entries with the same code and adjoining
validity windows (`valid_to` is the first day the old version no longer applies).
Rows already in the database are left alone, so an admin's edits survive upgrades.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tracker.deadlines.enums import BlockingDays, EndShift, OffsetUnit, VacationPolicy
from tracker.jurisdictions.enums import VacationEffect

#: jurisdictions the rules need: code, name, zone, holiday country and subdivision of the
#: `holidays` package (none: every day but Saturday and Sunday is a working day)
JURISDICTIONS = (
    ("BE", "Belgium", "Europe/Brussels", "BE", None),
    ("FR", "France", "Europe/Paris", "FR", None),
    ("IT", "Italy", "Europe/Rome", "IT", None),
    ("UA", "Ukraine", "Europe/Kyiv", "UA", None),
    # the Court sits in Strasbourg: Alsace-Moselle's holidays (Good Friday, 26 December)
    ("ECHR", "European Court of Human Rights", "Europe/Paris", "FR", "6AE"),
    (
        "INTERPOL",
        "INTERPOL (Commission for the Control of INTERPOL's Files)",
        "Europe/Paris",
        None,
        None,
    ),
    ("UN", "United Nations human rights bodies", "Europe/Zurich", None, None),
    ("EU", "European Union", "Europe/Brussels", None, None),
)

#: a record per vacation and per rule: the columns of their rows, by name
VACATIONS: tuple[dict[str, Any], ...] = (
    {
        "jurisdiction": "BE",
        "name": "judicial vacation",
        "effect": VacationEffect.extend,
        "start": (7, 1),
        "end": (8, 31),
        "extend_to": (9, 15),
        "source": "Judicial Code art. 50 al. 2",
    },
    {
        "jurisdiction": "IT",
        "name": "summer suspension",
        "effect": VacationEffect.suspend,
        "start": (8, 1),
        "end": (8, 31),
        "extend_to": None,
        "source": "law 742/1969 art. 1 (as amended by DL 132/2014)",
    },
)

BE_CRIMINAL: dict[str, Any] = {
    "jurisdiction": "BE",
    "unit": OffsetUnit.days,
    "end_shift": EndShift.next_working_day,
    "blocking_days": BlockingDays.weekends_and_holidays,
    "vacation_policy": VacationPolicy.ignore,
}

RULES: tuple[dict[str, Any], ...] = (
    BE_CRIMINAL
    | {
        "code": "BE-CRIM-APPEAL",
        "title": "Appeal against a criminal judgment",
        "trigger_kind": "judgment",
        "amount": 15,
        "valid_to": dt.date(2016, 2, 29),
        "source": "CIC art. 203 (before the law of 5 February 2016); Judicial Code art. 52–54",
    },
    BE_CRIMINAL
    | {
        "code": "BE-CRIM-APPEAL",
        "title": "Appeal against a criminal judgment",
        "trigger_kind": "judgment",
        "amount": 30,
        "valid_from": dt.date(2016, 2, 29),
        "source": "CIC art. 203; Judicial Code art. 52–54",
    },
    BE_CRIMINAL
    | {
        "code": "BE-CRIM-OPPOSITION",
        "title": "Opposition to a judgment by default",
        "trigger_kind": "service",
        "amount": 15,
        "source": "CIC art. 187; Judicial Code art. 52–54",
    },
    BE_CRIMINAL
    | {
        "code": "BE-CRIM-CASSATION",
        "title": "Appeal in cassation (criminal)",
        "trigger_kind": "judgment",
        "amount": 15,
        "source": "CIC art. 359; Judicial Code art. 52–54",
    },
    {
        "code": "BE-CIV-APPEAL",
        "jurisdiction": "BE",
        "title": "Appeal against a civil judgment",
        "trigger_kind": "service",
        "amount": 1,
        "unit": OffsetUnit.months,
        "end_shift": EndShift.next_working_day,
        "blocking_days": BlockingDays.weekends_and_holidays,
        "vacation_policy": VacationPolicy.apply,
        "source": "Judicial Code art. 1051; art. 54 (de quantième à veille de quantième); "
        "art. 50 al. 2 (judicial vacation)",
    },
    {
        "code": "ECHR-APPLICATION",
        "jurisdiction": "ECHR",
        "title": "Application to the European Court of Human Rights",
        "trigger_kind": "final_decision",
        "amount": 6,
        "unit": OffsetUnit.months,
        "end_shift": EndShift.none,
        "valid_to": dt.date(2022, 2, 1),
        "source": "ECHR art. 35 § 1 (before Protocol 15); Sabri Güneş v. Turkey [GC], 2012: "
        "no extension when the last day is a Sunday",
    },
    {
        "code": "ECHR-APPLICATION",
        "jurisdiction": "ECHR",
        "title": "Application to the European Court of Human Rights",
        "trigger_kind": "final_decision",
        "amount": 4,
        "unit": OffsetUnit.months,
        "end_shift": EndShift.none,
        "valid_from": dt.date(2022, 2, 1),
        "source": "ECHR art. 35 § 1 as amended by Protocol 15; Sabri Güneş v. Turkey [GC], "
        "2012: no extension when the last day is a Sunday",
    },
    {
        "code": "FR-CE-EXTRADITION",
        "jurisdiction": "FR",
        "title": "Appeal to the Conseil d'État against an extradition decree",
        "trigger_kind": "notification",
        "amount": 1,
        "unit": OffsetUnit.months,
        "end_shift": EndShift.next_working_day,
        "blocking_days": BlockingDays.weekends_and_holidays,
        "source": "CPP art. 696-18; CPC art. 641–642",
    },
    {
        "code": "IT-CRIM-APPEAL-15",
        "jurisdiction": "IT",
        "title": "Appeal against a criminal judgment (reasons read in court)",
        "trigger_kind": "judgment",
        "amount": 15,
        "unit": OffsetUnit.days,
        "end_shift": EndShift.next_working_day,
        "blocking_days": BlockingDays.holidays_and_sundays,
        "vacation_policy": VacationPolicy.apply,
        "source": "c.p.p. art. 585(1)(a); art. 172 (holidays and Sundays); "
        "law 742/1969 (summer suspension)",
    },
    {
        "code": "UA-CRIM-APPEAL",
        "jurisdiction": "UA",
        "title": "Appeal against a criminal judgment",
        "trigger_kind": "judgment",
        "amount": 30,
        "unit": OffsetUnit.days,
        "end_shift": EndShift.next_working_day,
        "blocking_days": BlockingDays.weekends_and_holidays,
        "source": "CPC art. 395; art. 115 (a last day off moves to the next working day)",
    },
)
