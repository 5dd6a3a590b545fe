"""Calendar files over HTTP: subscription feeds (by secret token) and single hearings;
and the feeds page, where a signed-in user makes, checks and revokes their feeds.

`GET /feeds/<token>.ics` is what calendar apps poll. It sets no cookie, tells caches
not to share it, and answers an unknown, revoked or orphaned token with the same
404 and the same work as any other miss.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from tracker import web
from tracker.calendar import ical, operations, publishing
from tracker.calendar.forms import FeedForm, RevokeAllForm, matter_number
from tracker.calendar.models import FeedScope
from tracker.core import clock, errors
from tracker.core.limits import MAX_ID
from tracker.hearings import operations as hearings
from tracker.users import operations as users
from tracker.web import pages

bp = Blueprint("calendar", __name__)

CALENDAR = "text/calendar; charset=utf-8"

#: "read the form from the request" (FlaskForm's own default), as opposed to formdata=None
_AUTO = object()

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
    """One hearing as a calendar file, for the signed-in user or an API token's holder."""
    if "Authorization" in request.headers:
        try:
            return _hearing_file(_bearer_user(), hearing_id)
        except errors.TrackerError as exc:  # a program calls with a token: it reads JSON
            web.session().rollback()
            answer = jsonify(exc.as_dict())
            answer.status_code = exc.status
            if exc.status == 401:
                answer.headers["WWW-Authenticate"] = 'Bearer realm="tracker"'
            return answer
    if not current_user.is_authenticated:
        return redirect(url_for("users.login", next=request.path))
    return _hearing_file(pages.actor(), hearing_id)


def _hearing_file(actor, hearing_id: int) -> Response:
    session = web.session()
    if hearing_id > MAX_ID:
        raise errors.NotFound(f"no hearing {hearing_id}")
    found = hearings.get_hearing(session, actor, hearing_id)
    text = ical.hearing_invite(found, "PUBLISH", base_url=web.settings().base_url, privacy="full")
    session.commit()  # the token's last use
    response = Response(text.encode(), 200, PRIVATE, content_type=CALENDAR)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = f'attachment; filename="hearing-{hearing_id}.ics"'
    return response


def _bearer_user():
    """The holder of the API token in the Authorization header (401 if there is none)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.Unauthorized("send an API token: 'Authorization: Bearer <token>'")
    holder = users.user_for_token(web.session(), token.strip(), clock.now())
    if holder is None:
        raise errors.Unauthorized(
            "the API token is unknown, revoked or expired, or its user is inactive"
        )
    return holder.user  # a calendar file is read: a read token will do


# --- the feeds page -------------------------------------------------------------------------

#: a signed-in user's feeds; the feeds themselves (above) need no login, only their token
pages_bp = pages.blueprint("feeds", __name__)


@pages_bp.route("/feeds", methods=["GET", "POST"])
def index():
    """List my feeds and make a new one (its address is shown once); ?matter=<id> picks one."""
    session, me = web.session(), pages.actor()
    form = _feed_form()
    if not form.is_submitted():
        _prefill(form, request.args.get("matter", ""))
        return _index_page(form=form)
    made = pages.submit(
        form,
        lambda: operations.create_feed(session, me, clock.now(), me, form.command()),
    )
    if made is not None:
        feed, token = made
        url, webcal = operations.urls(web.settings().base_url, token)
        response = make_response(
            render_template("feeds/created.html", feed=feed, url=url, webcal=webcal)
        )
        response.headers["Cache-Control"] = "no-store"  # the secret is in this page alone
        return response
    if form.matter_number is not None and not form.matter_id.errors:
        form.matter_title = operations.matter_title(session, me, form.matter_number)
    return _index_page(form=form, status=pages.form_status(form))


def _prefill(form: FeedForm, wanted: str) -> None:
    """A one-matter feed of `wanted` (the dossier's link), if the user may see that matter."""
    number = matter_number(wanted)
    title = operations.matter_title(web.session(), pages.actor(), number) if number else None
    if title is not None:  # an unknown or hidden matter is not named, nor even pre-filled
        form.scope.data = FeedScope.matter.value
        form.matter_id.data = str(number)
        form.matter_title = title


@pages_bp.get("/feeds/<int:feed_id>")
def detail(feed_id: int):
    """Show one feed and who fetched it lately (which app, from where)."""
    session = web.session()
    feed = operations.get_feed(session, pages.actor(), feed_id)
    fetches = operations.recent_fetches(session, feed)
    return render_template("feeds/feed.html", feed=feed, fetches=fetches)


@pages_bp.post("/feeds/<int:feed_id>/revoke")
def revoke(feed_id: int):
    """Revoke a feed at once: its address answers 404 from now on."""
    session, me = web.session(), pages.actor()
    feed = operations.get_feed(session, me, feed_id)
    operations.revoke_feed(session, me, clock.now(), feed)
    session.commit()
    flash(f"The feed “{feed.name}” is revoked: calendar apps can no longer read it.")
    return redirect(url_for("feeds.index"))


@pages_bp.post("/feeds/revoke-all")
def revoke_all():
    """Revoke every live feed of a user, by email (admins; anyone their own)."""
    session, me = web.session(), pages.actor()
    form = RevokeAllForm()
    done = pages.submit(
        form, lambda: operations.revoke_feeds_of(session, me, clock.now(), form.command())
    )
    if done is None:
        return _index_page(revoke_form=form, status=pages.form_status(form))
    _owner, revoked = done
    plural = "" if len(revoked) == 1 else "s"
    flash(f"{len(revoked)} live feed{plural} of {form.email.data} revoked.")
    return redirect(url_for("feeds.index"))


def _feed_form(formdata=_AUTO) -> FeedForm:
    options = {} if formdata is _AUTO else {"formdata": formdata}
    return FeedForm(jurisdictions=operations.jurisdiction_choices(web.session()), **options)


def _index_page(*, form=None, revoke_form=None, status=200):
    session, me = web.session(), pages.actor()
    return render_template(
        "feeds/index.html",
        rows=operations.feed_rows(session, me, clock.now()),
        form=form or _feed_form(formdata=None),
        revoke_form=revoke_form or RevokeAllForm(formdata=None),
        recent_days=operations.RECENT.days,
    ), status


BLUEPRINTS = (bp, pages_bp)
