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


#: a name's parts: runs of letters ("Botagoz (Bota) Jardemalie", "Jean-Luc O'Brien")
_PARTS = re.compile(r"[^\W\d_]+")


def initials(name: str) -> str:
    return " ".join(f"{part[0].upper()}." for part in _PARTS.findall(name))


def masker(names: Iterable[str]) -> Callable[[str], str]:
    """A function that replaces every given name, and every part of one, by initials."""
    replacements: dict[str, str] = {}
    for name in names:
        words = name.split()
        if not _PARTS.search(name):
            continue
        replacements.setdefault(" ".join(words).casefold(), initials(name))
        for part in _PARTS.findall(name):
            if len(part) >= SHORTEST_PART:
                replacements.setdefault(part.casefold(), initials(part))
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
