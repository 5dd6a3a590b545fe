"""Pseudonymisation: people's names replaced by their initials, in every text.

A full name ("Mukhtar Ablyazov") becomes its initials ("M. A."), and each part of it
alone ("Ablyazov", in a summary) the initial of that part ("A."): free text names
people by their surname as often as in full. Matching ignores case and stops at word
boundaries. Case references are not names and are not passed through here.

Pure: names in, a function out; no database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

#: a name part shorter than this is left alone (an initial already, or "de", "al")
SHORTEST_PART = 3


def initials(name: str) -> str:
    return " ".join(f"{part[0].upper()}." for part in name.split() if part)


def masker(names: Iterable[str]) -> Callable[[str], str]:
    """A function that replaces every given name, and every part of one, by initials."""
    replacements: dict[str, str] = {}
    for name in names:
        words = name.split()
        if not words:
            continue
        replacements.setdefault(" ".join(words).casefold(), initials(name))
        for part in words:
            for piece in re.split(r"[-']", part):
                if len(piece) >= SHORTEST_PART:
                    replacements.setdefault(piece.casefold(), initials(piece))
    if not replacements:
        return _same
    # longest first: the full name wins over its parts
    keys = sorted(replacements, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(re.escape(w) for w in key.split()) for key in keys)
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    def mask(text: str) -> str:
        def one(found: re.Match[str]) -> str:
            said = " ".join(found[0].split())
            return replacements.get(said.casefold()) or initials(said)

        return pattern.sub(one, text)

    return mask


def _same(text: str) -> str:
    return text
