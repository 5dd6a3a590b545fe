"""The hash chain's pure functions: what an entry's hash covers, and what a walk finds."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tracker.audit import chain

AT = dt.datetime(2026, 11, 22, 9, 0, 0, 123456, tzinfo=dt.UTC)

ENTRY = {
    "at": AT,
    "actor_id": 3,
    "actor_label": "lawyer@example.org",
    "action": "postpone",
    "entity": "hearings",
    "entity_id": 7,
    "matter_id": 2,
    "before": {"starts_at": "2026-12-01T09:00:00+00:00"},
    "after": {"starts_at": "2027-01-12T09:00:00+00:00", "reason": "Juge malade — reporté"},
}

#: the text hashed for ENTRY after the start: anyone can check a hash with sha256sum
CANONICAL = (
    '{"action":"postpone","actor_id":3,"actor_label":"lawyer@example.org",'
    '"after":{"reason":"Juge malade — reporté","starts_at":"2027-01-12T09:00:00+00:00"},'
    '"at":"2026-11-22T09:00:00.123456+00:00",'
    '"before":{"starts_at":"2026-12-01T09:00:00+00:00"},'
    '"entity":"hearings","entity_id":7,"matter_id":2,'
    '"prev":"0000000000000000000000000000000000000000000000000000000000000000"}'
)

#: another value for each field
CHANGED: dict[str, Any] = {
    "at": AT + dt.timedelta(microseconds=1),
    "actor_id": 4,
    "actor_label": "lawyer@example.org ",
    "action": "update",
    "entity": "deadlines",
    "entity_id": None,
    "matter_id": None,
    "before": None,
    "after": {"starts_at": "2027-01-12T09:00:00+00:00", "reason": "Juge malade"},
}


def test_the_hash_is_the_sha256_of_the_canonical_json_of_the_entry_and_its_predecessor():
    expected = hashlib.sha256(CANONICAL.encode()).hexdigest()

    assert chain.digest(chain.GENESIS, ENTRY) == expected


def test_the_hash_covers_every_field():
    assert set(CHANGED) == set(chain.FIELDS)


@pytest.mark.parametrize("name", chain.FIELDS)
def test_changing_any_one_field_changes_the_hash(name):
    changed = ENTRY | {name: CHANGED[name]}

    assert chain.digest(chain.GENESIS, changed) != chain.digest(chain.GENESIS, ENTRY)


def test_the_hash_covers_the_predecessor():
    assert chain.digest("1" * 64, ENTRY) != chain.digest(chain.GENESIS, ENTRY)


def test_the_same_instant_and_the_same_json_hash_alike_however_they_come_back():
    """PostgreSQL gives an aware time, SQLite a UTC wall time; JSON keys in any order."""
    brussels = AT.astimezone(ZoneInfo("Europe/Brussels"))
    wall_time = AT.replace(tzinfo=None)
    reordered = dict(reversed(ENTRY["after"].items()))

    hashes = {
        chain.digest(chain.GENESIS, ENTRY | {"at": brussels}),
        chain.digest(chain.GENESIS, ENTRY | {"at": wall_time}),
        chain.digest(chain.GENESIS, ENTRY | {"after": reordered}),
        chain.digest(chain.GENESIS, ENTRY),
    }

    assert len(hashes) == 1


@pytest.mark.parametrize(
    ("text", "is_hash"),
    [
        ("a" * 64, True),
        ("0123456789ABCDEFabcdef" + "0" * 42, True),
        ("a" * 63, False),
        ("g" * 64, False),
    ],
)
def test_a_hash_is_64_hexadecimal_digits(text, is_hash):
    assert chain.is_hash(text) is is_hash


# --- walking ------------------------------------------------------------------------------


def linked(count: int, first_id: int = 1) -> list[dict[str, Any]]:
    """`count` entries chained from the start, with ids from `first_id`."""
    rows, previous = [], chain.GENESIS
    for n in range(count):
        row = ENTRY | {"id": first_id + n, "entity_id": n, "prev_hash": previous}
        row["hash"] = previous = chain.digest(previous, row)
        rows.append(row)
    return rows


def head_of(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"entries": len(rows), "last_id": rows[-1]["id"], "hash": rows[-1]["hash"]}


def rechained(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same entries with every link and hash recomputed (what a forger does)."""
    fresh, previous = [], chain.GENESIS
    for row in rows:
        row = row | {"prev_hash": previous}
        row["hash"] = previous = chain.digest(previous, row)
        fresh.append(row)
    return fresh


def test_an_intact_chain_reports_its_length_last_entry_and_head():
    rows = linked(5)

    report = chain.walk(rows, head_of(rows))

    assert report == chain.Report(5, 5, rows[-1]["hash"], None)
    assert report.intact


def test_an_empty_chain_is_intact_at_the_start():
    report = chain.walk([], {"entries": 0, "last_id": None, "hash": chain.GENESIS})

    assert report == chain.Report(0, None, chain.GENESIS, None)


def test_a_changed_entry_is_named():
    rows = linked(5)
    rows[2]["after"] = {"reason": "nothing happened"}

    report = chain.walk(rows, head_of(rows))

    assert report.broken == chain.Break(3, "entry 3 was changed after it was written")
    assert report.entries == 3


def test_a_changed_entry_whose_hash_was_recomputed_breaks_the_next_link():
    rows = linked(5)
    rows[2]["after"] = {"reason": "nothing happened"}
    rows[2]["hash"] = chain.digest(rows[2]["prev_hash"], rows[2])

    report = chain.walk(rows, head_of(rows))

    assert report.broken.entry_id == 4
    assert report.broken.reason.startswith("entry 4 does not follow entry 3")


def test_an_entry_removed_from_the_middle_names_its_successor():
    rows = linked(5)
    del rows[2]

    report = chain.walk(rows, head_of(linked(5)))

    assert report.broken.entry_id == 4
    assert "entry 4 does not follow entry 2: an entry between them was removed" in (
        report.broken.reason
    )


def test_the_first_entry_removed_names_the_second():
    rows = linked(3)

    report = chain.walk(rows[1:], head_of(rows))

    assert report.broken.entry_id == 2
    assert report.broken.reason.startswith("entry 2 does not follow the start")


def test_entries_cut_from_the_end_are_seen_by_the_head():
    rows = linked(5)

    report = chain.walk(rows[:3], head_of(rows))

    assert report.broken.entry_id == 5
    assert report.broken.reason == (
        "the log ends at entry 3 after 3 entries, but the chain's head records 5 ending "
        "at entry 5: entries at the end were removed"
    )


def test_without_a_head_entries_cut_from_the_end_cannot_be_seen():
    assert chain.walk(linked(5)[:3], None).intact


def test_a_chain_rewritten_before_the_head_does_not_match_it():
    rows = linked(5)
    rows[1]["after"] = {"reason": "rewritten"}

    report = chain.walk(rechained(rows), head_of(rows))

    assert report.broken.entry_id == 5
    assert "chain's head records entry 5 there with another hash" in report.broken.reason


def test_an_entry_removed_with_the_rest_rechained_leaves_too_few_entries():
    rows = linked(5)

    report = chain.walk(rechained(rows[:2] + rows[3:]), head_of(rows))

    assert not report.intact
    assert report.broken.entry_id == 5


def test_entries_written_after_the_head_was_read_are_walked_too():
    rows = linked(7)

    report = chain.walk(rows, head_of(rows[:5]))

    assert report == chain.Report(7, 7, rows[-1]["hash"], None)


def test_entries_written_after_the_head_are_checked_too():
    rows = linked(7)
    rows[6]["action"] = "delete"

    report = chain.walk(rows, head_of(rows[:5]))

    assert report.broken == chain.Break(7, "entry 7 was changed after it was written")


def test_a_head_of_no_entries_must_point_at_the_start():
    report = chain.walk(linked(2), {"entries": 0, "last_id": None, "hash": "1" * 64})

    assert report.broken == chain.Break(None, "the chain's head does not record its start")
