"""Pseudonymisation: full names, their parts and the short forms written beside them
become initials, in any case, at word boundaries only."""

from __future__ import annotations

from tracker.chronology.privacy import initials, masker


def test_initials():
    assert initials("Mukhtar Ablyazov") == "M. A."
    assert initials("Botagoz (Bota) Jardemalie") == "B. B. J."
    assert initials("Jean-Luc O'Brien") == "J. L. O. B."


def test_full_names_and_their_parts_become_initials():
    mask = masker(["Botagoz (Bota) Jardemalie", "Mukhtar Ablyazov", "Jean-Luc O'Brien", ""])
    assert mask("Bota Jardemalie v. Belgium") == "B. J. v. Belgium"
    assert mask("Botagoz (Bota) Jardemalie") == "B. B. J."
    assert mask("ABLYAZOV, Mukhtar and Mukhtar\nAblyazov") == "A., M. and M. A."
    assert mask("Jean-Luc O'Brien wrote to Brien") == "J. L. O. B. wrote to B."


def test_other_words_are_left_alone():
    mask = masker(["Mukhtar Ablyazov", "Li Wu"])
    assert mask("Ablyazovs and Mukhtarov, case 170000131000012") == (
        "Ablyazovs and Mukhtarov, case 170000131000012"
    )
    # a part shorter than three letters alone is not hidden (it is "de", "al", an initial)
    assert mask("Li Wu met Wu") == "L. W. met Wu"


def test_no_names_change_nothing():
    assert masker([])("Mukhtar") == "Mukhtar"
