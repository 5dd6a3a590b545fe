"""Codes in words: the one table of labels (pure: no app, no database)."""

from __future__ import annotations

import pytest

from tracker.core import labels
from tracker.deadlines.enums import OffsetUnit
from tracker.delays.rules import REQUEST_KINDS
from tracker.matters.enums import ClientRole, ProceedingKind, ProceedingStatus


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("mla_request", "MLA request"),
        (ProceedingKind.echr_application, "ECHR application"),
        ("interpol_notice", "INTERPOL notice"),
        ("extradition_request", "Extradition request"),
        ("request_received", "Request received"),
        ("repeated_postponement", "Repeated postponement"),
        ("critical", "Critical"),
        ("requested_person", "Requested person"),
        ("read-write", "Read and write"),
        # not in the table: event kinds are free words
        ("mla_reply_received", "MLA reply received"),
        ("un_committee_views", "UN committee views"),
        ("house_search", "House search"),
        ("  ", ""),
        (None, ""),
    ],
)
def test_a_code_reads_in_words(code, expected):
    assert labels.words(code) == expected


def test_every_proceeding_kind_status_and_role_has_its_label():
    for enum_class in (ProceedingKind, ProceedingStatus, ClientRole):
        for member in enum_class:
            assert member.value in labels.LABELS, member


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("requested_person", "requested person"),
        ("mla_request", "MLA request"),  # an acronym keeps its capitals
        ("ECHR", "ECHR"),
        ("judgment", "judgment"),
    ],
)
def test_a_code_inside_a_sentence(code, expected):
    assert labels.in_sentence(code) == expected


@pytest.mark.parametrize(
    ("amount", "unit", "expected"),
    [
        (1, OffsetUnit.months, "1 month"),
        (2, "months", "2 months"),
        (1, "working_days", "1 working day"),
        (15, OffsetUnit.working_days, "15 working days"),
        (1, "days", "1 day"),
        (0, "days", "0 days"),
        (3, "fortnights", "3 fortnights"),
    ],
)
def test_a_period_has_the_right_plural(amount, unit, expected):
    assert labels.period(amount, unit) == expected


def test_the_rule_engine_and_the_flags_read_the_same_table():
    from tracker.deadlines.rules import Rule

    rule = Rule(code="X", title="", trigger_kind="judgment", amount=1, unit=OffsetUnit.months)
    assert rule.offset == "1 month"
    assert REQUEST_KINDS == {
        "extradition_request": "Extradition request",
        "mla_request": "MLA request",
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("closed_on", "closing date"),
        ("valid_to", "day it stops being in force"),
        ("title", "title"),
    ],
)
def test_a_field_in_a_message(name, expected):
    assert labels.field(name) == expected


def test_a_code_in_two_tables_must_read_the_same():
    with pytest.raises(ValueError, match="'held' reads both"):
        labels._merged({"held": "Held"}, {"held": "Took place"})


def test_mail_templates_have_the_pages_words():
    from tracker.notifications import messages

    template = messages._environment().from_string("{{ 'mla_request'|words }}, {{ 2|string }}")
    assert template.render() == "MLA request, 2"
    assert messages._environment().filters["period"](1, "months") == "1 month"
