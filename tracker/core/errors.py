"""Errors that operations raise and entry points turn into answers.

Each carries an HTTP status, a machine code, a message for people and, when one
input is to blame, the name of that field.
"""

from __future__ import annotations


class TrackerError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        return {"error": error}


class BadRequest(TrackerError):
    status = 400
    code = "bad_request"


class Unauthorized(TrackerError):
    status = 401
    code = "unauthorized"


class Forbidden(TrackerError):
    status = 403
    code = "forbidden"


class NotFound(TrackerError):
    status = 404
    code = "not_found"


class Conflict(TrackerError):
    status = 409
    code = "conflict"


class StaleVersion(Conflict):
    code = "stale_version"


class Invalid(TrackerError):
    status = 422
    code = "invalid"


class TooManyAttempts(TrackerError):
    """A guess refused unchecked: the limit of its bucket was reached (for a while)."""

    status = 429
    code = "too_many_attempts"
