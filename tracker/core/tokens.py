"""Random secrets for URLs and command lines."""

from __future__ import annotations

import secrets


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random secret that never starts with "-".

    A secret is pasted into commands (`tracker feed revoke TOKEN`); one that starts with
    a dash would be read as an option. Drawing again costs 1/64 of the time and leaves
    the other 63 first characters equally likely.
    """
    while True:
        token = secrets.token_urlsafe(nbytes)
        if not token.startswith("-"):
            return token
