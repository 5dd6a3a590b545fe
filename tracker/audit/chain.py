"""The audit log's hash chain: each entry carries the hash of the one before it.

An entry's hash is the SHA-256 of its predecessor's hash and of its own fields, written
as canonical JSON (keys sorted, no blanks, times in UTC to the microsecond). Changing an
entry changes its hash, which no longer matches what the next entry carries; removing
one leaves its successor pointing at a hash that is not there. Pure functions: the
migration that chained the log written before this module, `verify` and the writer
(`tracker.audit.operations`) all hash through `digest`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: the hash the first entry points back to
GENESIS = "0" * 64

#: the fields an entry's hash covers, besides its predecessor's hash (not its id: ids are
#: allocated before the chain's order is known, and the links already fix the order)
FIELDS = (
    "at",
    "actor_id",
    "actor_label",
    "action",
    "entity",
    "entity_id",
    "matter_id",
    "before",
    "after",
)


#: canonical JSON (what json.dumps with these options writes; made once: `verify` hashes
#: every entry)
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(prev_hash: str, entry: Mapping[Any, Any]) -> str:
    """The hash of an entry (a row, or a mapping of FIELDS) following `prev_hash`."""
    body = {name: entry[name] for name in FIELDS}
    body["at"] = _instant(body["at"])
    body["prev"] = prev_hash
    return hashlib.sha256(_CANONICAL.encode(body).encode()).hexdigest()


def is_hash(text: str) -> bool:
    """Whether `text` is written like a hash of the chain (64 hexadecimal digits)."""
    return len(text) == len(GENESIS) and all(c in "0123456789abcdefABCDEF" for c in text)


def _instant(value: dt.datetime) -> str:
    if value.tzinfo is None:  # SQLite hands back UTC wall times
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Break:
    """Where the chain stops proving anything: the first entry that fails, and why."""

    entry_id: int | None
    reason: str


@dataclass(frozen=True)
class Report:
    """The chain walked from its start: how many entries, its last hash, its first break."""

    entries: int
    last_id: int | None
    head: str
    broken: Break | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def walk(rows: Iterable[Mapping[Any, Any]], expected: Mapping[str, Any] | None) -> Report:
    """Check entries (`id`, `prev_hash`, `hash` and FIELDS, in the order of their ids)
    against each other and against the head as recorded (`entries`, `last_id`, `hash`).

    The head is compared with the entry at its position, not with the last one: entries
    committed after the head was read (the walk reads on) follow it, and are checked too.
    """
    previous, previous_id, count = GENESIS, None, 0
    if expected is not None and expected["entries"] == 0 and expected["hash"] != GENESIS:
        return Report(0, None, GENESIS, Break(None, "the chain's head does not record its start"))
    for row in rows:
        count += 1
        broken = _link(row, previous, previous_id)
        if broken is None and expected is not None and count == expected["entries"]:
            broken = _head_mismatch(row, count, expected)
        if broken is not None:
            return Report(count, row["id"], previous, broken)
        previous, previous_id = row["hash"], row["id"]
    if expected is not None and count < expected["entries"]:
        return Report(
            count,
            previous_id,
            previous,
            Break(
                expected["last_id"],
                f"the log ends at entry {previous_id} after {count} entries, but the chain's "
                f"head records {expected['entries']} ending at entry {expected['last_id']}: "
                "entries at the end were removed",
            ),
        )
    return Report(count, previous_id, previous, None)


def _link(row: Mapping[Any, Any], previous: str, previous_id: int | None) -> Break | None:
    """Why an entry does not follow the one before it (or the start), if it does not."""
    if row["prev_hash"] != previous:
        after = f"entry {previous_id}" if previous_id is not None else "the start"
        return Break(
            row["id"],
            f"entry {row['id']} does not follow {after}: an entry between them was "
            f"removed, or {after} was changed and its hash recomputed",
        )
    if digest(previous, row) != row["hash"]:
        return Break(row["id"], f"entry {row['id']} was changed after it was written")
    return None


def _head_mismatch(row: Mapping[Any, Any], count: int, expected: Mapping[str, Any]) -> Break | None:
    """Why the entry at the head's position is not the one the head recorded, if it is not."""
    if (row["id"], row["hash"]) == (expected["last_id"], expected["hash"]):
        return None
    return Break(
        row["id"],
        f"entry {row['id']} is entry number {count} of the chain, but the chain's head "
        f"records entry {expected['last_id']} there with another hash: entries up to it "
        "were removed or rewritten with their hashes recomputed",
    )
