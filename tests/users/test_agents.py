"""A User-Agent header in a few words, for the list of one's sessions."""

from __future__ import annotations

import pytest

from tracker.users.agents import LONGEST, describe


@pytest.mark.parametrize(
    ("header", "words"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge 131 on Windows",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "HeadlessChrome/131.0.0.0 Safari/537.36",
            "Chrome 131 on Linux",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/124.0.0.0 Mobile Safari/537.36",
            "Chrome 124 on Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari 17 on iOS",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:132.0) Gecko/20100101 Firefox/132.0",
            "Firefox 132 on macOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/129.0.0.0 Safari/537.36 OPR/114.0.0.0",
            "Opera 114 on Windows",
        ),
        ("curl/8.5.0", "curl 8"),
        ("python-requests/2.32", "python-requests/2.32"),
        ("", "unknown browser"),
        (None, "unknown browser"),
    ],
)
def test_a_header_in_a_few_words(header, words):
    assert describe(header) == words


def test_an_unknown_long_header_is_cut():
    words = describe("x" * 300)

    assert len(words) == LONGEST
    assert words.endswith("…")
