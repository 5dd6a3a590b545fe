"""Secrets that can be pasted into a command line."""

from tracker.core import tokens


def test_no_token_starts_with_a_dash():
    drawn = [tokens.new_token(32) for _ in range(2000)]  # ~31 would start with "-"

    assert not [token for token in drawn if token.startswith("-")]
    assert len(set(drawn)) == len(drawn)
    assert {len(token) for token in drawn} == {43}
