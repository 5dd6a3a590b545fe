"""A browser's User-Agent header in a few words ("Firefox 132 on Linux"), for the list of
one's sessions: enough to tell one's laptop from one's phone, or from a stranger's.

The header is whatever the client sent: it tells, it does not prove.
"""

from __future__ import annotations

import re

#: (what the header says, the browser's name); the first match wins, so the browsers
#: built on another (Edge and Opera on Chrome, Chrome on Safari) come before it
BROWSERS = (
    (re.compile(r"\bEdg(?:e|A|iOS)?/(\d+)"), "Edge"),
    (re.compile(r"\bOPR/(\d+)"), "Opera"),
    (re.compile(r"\b(?:Firefox|FxiOS)/(\d+)"), "Firefox"),
    (re.compile(r"\b(?:HeadlessChrome|Chrome|CriOS|Chromium)/(\d+)"), "Chrome"),
    (re.compile(r"\bVersion/(\d+)[.\d]* (?:Mobile/\S+ )?Safari/"), "Safari"),
    (re.compile(r"^curl/(\d+)"), "curl"),
)
SYSTEMS = (
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)
LONGEST = 60


def describe(user_agent: str | None) -> str:
    """The browser and system ("Chrome 131 on Windows"), or the header cut to LONGEST."""
    text = (user_agent or "").strip()
    if not text:
        return "unknown browser"
    browser = next(
        (
            f"{name} {found.group(1)}"
            for pattern, name in BROWSERS
            if (found := pattern.search(text))
        ),
        None,
    )
    system = next((label for token, label in SYSTEMS if token in text), None)
    if browser is None:
        return text if len(text) <= LONGEST else text[: LONGEST - 1] + "…"
    return f"{browser} on {system}" if system else browser
