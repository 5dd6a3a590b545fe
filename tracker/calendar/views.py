"""Calendar files over HTTP: subscription feeds (by secret token) and single hearings.

`GET /feeds/<token>.ics` is what calendar apps poll. It sets no cookie, tells caches
not to share it, and answers an unknown, revoked or orphaned token with the same
404 and the same work as any other miss.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from tracker import api
from tracker.calendar import ical, publishing
from tracker.core import clock, errors, web
from tracker.hearings import operations as hearings

bp = Blueprint("calendar", __name__)

CALENDAR = "text/calendar; charset=utf-8"

#: headers for secret-bearing answers: no shared cache, no referrer, no search engine
PRIVATE = {
    "Cache-Control": "private, no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
}


@bp.get("/feeds/<token>.ics")
def feed(token: str):
    """A calendar feed, or 304 when the client's copy is current."""
    session = web.session()
    answer = publishing.serve(
        session, clock.now(), token, base_url=web.settings().base_url, client=_client()
    )
    if answer is None:
        session.rollback()
        return Response("No such calendar feed.\n", 404, PRIVATE, mimetype="text/plain")
    session.commit()
    response = Response(answer.body, answer.status, PRIVATE)
    if answer.body is not None:
        response.content_type = CALENDAR
        response.headers["Content-Disposition"] = 'inline; filename="calendar.ics"'
    response.set_etag(answer.etag)
    response.last_modified = answer.last_modified
    return response


def _client() -> publishing.Client:
    tags = request.if_none_match
    wanted = set(tags.as_set(include_weak=True)) | ({"*"} if tags.star_tag else set())
    return publishing.Client(
        if_none_match=frozenset(wanted),
        if_modified_since=request.if_modified_since,
        user_agent=request.user_agent.string or "",
        address=request.remote_addr or "",
    )


@bp.get("/hearings/<int:hearing_id>.ics")
def hearing(hearing_id: int):
    """One hearing as a calendar file, for a signed-in user (for now: an API token)."""
    session = web.session()
    actor = _bearer_user()
    if hearing_id > api.MAX_ID:
        raise errors.NotFound(f"no hearing {hearing_id}")
    found = hearings.get_hearing(session, actor, hearing_id)
    text = ical.hearing_invite(found, "PUBLISH", base_url=web.settings().base_url, privacy="full")
    session.commit()  # the token's last use
    response = Response(text.encode(), 200, PRIVATE, content_type=CALENDAR)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = f'attachment; filename="hearing-{hearing_id}.ics"'
    return response


def _bearer_user():
    """The web login comes with the pages; until then the API's bearer token signs in."""
    from tracker.users import operations as users

    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.Unauthorized("send an API token: 'Authorization: Bearer <token>'")
    user = users.user_for_token(web.session(), token.strip(), clock.now())
    if user is None:
        raise errors.Unauthorized("the API token is unknown, revoked, or its user is inactive")
    return user


BLUEPRINTS = (bp,)
