"""The rule set shipped with the tracker, as data; `tracker db upgrade` stores it.

A rule that changed by statute is two entries with the same code and adjoining
validity windows (`valid_to` is the first day the old version no longer applies).
Rows already in the database are left alone, so an admin's edits survive upgrades.

The international remedies (UN, EU, ECHR, and the authorities' own time limits) ship
only where the official text itself was read; each names its article, the official
address and the day it was checked. An authority's time limit is not rolled past a
weekend or holiday (its date is when the authority is late, not when we must act): none
of these texts says otherwise. Left out, because only summaries of the text could be
read: the CCF Statute's time limits (INTERPOL), the WGAD's 60 days, and the Belgian
asylum appeal (law of 15 December 1980, art. 39/57). The README lists them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tracker.deadlines.enums import (
    BlockingDays,
    Direction,
    EndShift,
    OffsetUnit,
    Party,
    VacationPolicy,
)
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

#: the day the texts of the remedies below were read
CHECKED = dt.date(2026, 12, 5)

EUR_LEX_EAW = "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32002F0584"

#: an authority's time limit: met by recording what it owes, never rolled
AUTHORITY: dict[str, Any] = {
    "owed_by": Party.authority,
    "unit": OffsetUnit.days,
    "end_shift": EndShift.none,
    "blocking_days": BlockingDays.weekends_and_holidays,
    "vacation_policy": VacationPolicy.ignore,
    "checked_on": CHECKED,
}

#: Council Framework Decision 2002/584/JHA, art. 17: the final decision on executing a
#: European arrest warrant; 17(4) lets the time limits "be extended by a further 30 days"
#: once the issuing authority is told why, modelled as rules of their own
EAW: dict[str, Any] = AUTHORITY | {
    "jurisdiction": "EU",
    "met_by": ("decision",),
    "source_url": EUR_LEX_EAW,
}

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
    # --- international remedies and the authorities' time limits ------------------------
    AUTHORITY
    | {
        "code": "UN-HRC-STATE-REPLY",
        "jurisdiction": "UN",
        "title": "State's observations to the Human Rights Committee",
        "trigger_kind": "communication_transmitted",
        "amount": 6,
        "unit": OffsetUnit.months,
        "met_by": ("state_reply",),
        "article": "art. 4(2)",
        "source": 'Optional Protocol to the ICCPR, art. 4(2): "Within six months, the '
        'receiving State shall submit to the Committee written explanations"; the period '
        "runs from the communication brought to its attention (art. 4(1))",
        "source_url": "https://www.ohchr.org/en/instruments-mechanisms/instruments/"
        "optional-protocol-international-covenant-civil-and-political-rights",
    },
    EAW
    | {
        "code": "EU-EAW-DECISION",
        "title": "Final decision on the execution of a European arrest warrant",
        "trigger_kind": "arrest",
        "amount": 60,
        "article": "art. 17(3)",
        "source": "Framework Decision 2002/584/JHA, art. 17(3): 60 days after the arrest "
        "of the requested person",
    },
    EAW
    | {
        "code": "EU-EAW-DECISION-EXTENDED",
        "title": "Final decision on a European arrest warrant, time limit extended",
        "trigger_kind": "arrest",
        "amount": 90,
        "article": "art. 17(3)–(4)",
        "source": "Framework Decision 2002/584/JHA, art. 17(3) and (4): 60 days after the "
        "arrest, extended by a further 30 days once the issuing authority is informed",
    },
    EAW
    | {
        "code": "EU-EAW-DECISION-CONSENT",
        "title": "Final decision on a European arrest warrant after consent to surrender",
        "trigger_kind": "consent",
        "amount": 10,
        "article": "art. 17(2)",
        "source": "Framework Decision 2002/584/JHA, art. 17(2): 10 days after consent "
        "has been given",
    },
    EAW
    | {
        "code": "EU-EAW-DECISION-CONSENT-EXTENDED",
        "title": "Final decision after consent to surrender, time limit extended",
        "trigger_kind": "consent",
        "amount": 40,
        "article": "art. 17(2), (4)",
        "source": "Framework Decision 2002/584/JHA, art. 17(2) and (4): 10 days after "
        "consent, extended by a further 30 days once the issuing authority is informed",
    },
    AUTHORITY
    | {
        "code": "FR-CPP-696-15",
        "jurisdiction": "FR",
        "title": "Opinion of the chambre de l'instruction on an extradition request",
        "trigger_kind": "first_appearance",
        "amount": 1,
        "unit": OffsetUnit.months,
        # the chambre gives an opinion (avis) that the contract calls a decision
        "met_by": ("decision", "opinion"),
        "article": "art. 696-15 al. 3",
        "source": "C. proc. pén. art. 696-15 al. 3: when the person does not consent, the "
        "avis motivé within one month of their appearance, unless a complément "
        "d'information was ordered",
        "source_url": "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006577406",
    },
    {
        "code": "ECHR-RULE-39",
        "jurisdiction": "ECHR",
        "title": "Request for an interim measure (Rule 39) before a removal",
        "trigger_kind": "removal",
        "amount": 8,
        "unit": OffsetUnit.working_hours,
        "direction": Direction.before,
        "opens_at": dt.time(8),
        "due_time": dt.time(16),
        "end_shift": EndShift.none,
        "blocking_days": BlockingDays.weekends_and_holidays,
        "article": "Rules of Court, Rule 39; Practice Direction on requests for interim measures",
        "source": "The Court's Registry receives requests Monday to Friday, 8 a.m. to 4 p.m. "
        "Strasbourg time, and may not be able to deal with those received less than a "
        "working day before the scheduled removal",
        "source_url": "https://europeancourt.org/en/documents/council-of-europe/echr/"
        "practice-directions-requests-interim-measures/contact-court/",
        "checked_on": CHECKED,
    },
)
