"""Signing in and out, and one's own account (password, name, time zone)."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sansio.blueprints import BlueprintSetupState
from flask_login import UserMixin, current_user, login_user, logout_user
from werkzeug.wrappers import Response

from tracker import web
from tracker.calendar import operations as feeds
from tracker.core import clock
from tracker.users import agents, operations, sessions
from tracker.users import login as signin
from tracker.users.forms import LoginForm, PasswordForm, SettingsForm, TokenForm
from tracker.users.models import User
from tracker.web import pages

#: /login is the one page without a login
public = Blueprint("users", __name__)
bp = pages.blueprint("account", __name__)

BLUEPRINTS = (public, bp)


class SignedIn(UserMixin):
    """Flask-Login's view of a signed-in browser: the user, and the id of its session
    (`tracker.users.sessions`), which is what the cookie carries."""

    def __init__(self, user: User, session_id: str):
        self.user = user
        self.session_id = session_id

    def get_id(self) -> str:
        return self.session_id

    @property
    def is_active(self) -> bool:
        return self.user.active


def lifetimes() -> sessions.Lifetimes:
    settings = web.settings()
    return sessions.Lifetimes(idle=settings.session_idle, absolute=settings.session_lifetime)


@pages.login_manager.user_loader
def _load_user(value: str) -> SignedIn | None:
    db = web.session()
    row = sessions.find(db, value, clock.now(), lifetimes())
    if row is None:
        return None
    if db.dirty and not db.new and not db.deleted:  # only last_seen_at moved on
        db.commit()  # (loaded before the page runs: nothing of the page's is committed)
    return SignedIn(row.user, value)


def _sign_in(user: User) -> None:
    """Start a session for `user` in this browser (a fresh Flask session, CSRF token too)."""
    db = web.session()
    raw = sessions.start(
        db,
        user,
        clock.now(),
        lifetimes(),
        user_agent=request.headers.get("User-Agent", ""),
        address=request.remote_addr or "",
    )
    db.commit()
    session.clear()
    login_user(SignedIn(user, raw))


# The dummy hash that unknown emails are checked against is made when the app starts,
# not by the first sign-in of an unknown email (which would then take twice as long).
@public.record_once
def _make_the_dummy_hash(_state: BlueprintSetupState) -> None:
    operations.dummy_hash()


@public.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    target = pages.safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    status = pages.form_status(form)
    if form.validate_on_submit():
        db = web.session()
        attempt = signin.reserve(
            db,
            clock.now(),
            form.email.data,
            request.remote_addr or "",
            device_cookie=request.cookies.get(signin.DEVICE_COOKIE),
            secret=current_app.secret_key,
        )
        # the attempt's place is taken before its password is checked, so that guesses
        # sent at the same instant cannot all be checked
        db.commit()
        if isinstance(attempt, signin.Lockout):
            minutes = f"{attempt.minutes} minute{'s' if attempt.minutes > 1 else ''}"
            refusal = f"Too many failed attempts for {attempt.reason}. Try again in {minutes}."
            form.form_errors.append(f"{refusal} {attempt.hint}".rstrip())
            status = 429
        else:
            found = signin.verify(db, clock.now(), attempt, form.password.data)
            db.commit()  # a failure keeps its place, a success gives it back
            if found is None:
                form.password.errors = ["Wrong email or password."]
                status = 401
            else:
                _sign_in(found)
                return _trust_this_browser(redirect(target), found)
    return render_template("users/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Sign out (a form with a CSRF token, so no other site can sign you out): the session
    ends on the server, so its cookie, replayed, opens nothing."""
    db = web.session()
    sessions.end(db, current_user.session_id)
    db.commit()
    logout_user()
    session.clear()
    flash("You are signed out.")
    return redirect(url_for("users.login"))


@bp.route("/account", methods=["GET", "POST"])
def account():
    """Change one's name and time zone."""
    me = pages.actor()
    form = SettingsForm(obj=me, prefix="settings")
    saved = pages.submit(
        form,
        lambda: operations.update_settings(web.session(), me, clock.now(), me, form.command(me)),
    )
    if saved is not None:
        flash("Your settings are saved.")
        return redirect(url_for("account.account"))
    return _account_page(settings=form, status=pages.form_status(form))


@bp.post("/account/password")
def password():
    """Change one's password; other sessions of this account end."""
    me = pages.actor()
    form = PasswordForm(prefix="password")
    if form.validate_on_submit():
        db = web.session()
        problem = signin.change_password(db, clock.now(), me, form.current.data, form.new.data)
        if problem is None:
            sessions.end_all(db, me.id, keep=current_user.session_id)
            db.commit()
            flash("Your password is changed. Other sessions of this account are signed out.")
            # older device cookies named the old password: this browser stays trusted
            return _trust_this_browser(redirect(url_for("account.account")), me)
        db.rollback()
        field = form.current if "current" in problem else form.new
        field.errors = [problem]
    return _account_page(password=form, status=422)


def _trust_this_browser(response: Response, user: User) -> Response:
    """Give the browser that just proved the password a device cookie for the account."""
    response.set_cookie(
        signin.DEVICE_COOKIE,
        signin.device_cookie(str(current_app.secret_key), user, clock.now()),
        max_age=signin.DEVICE_AGE,
        path=url_for("users.login"),  # sent to the login page only
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


def _account_page(*, settings=None, password=None, token_form=None, status=200):
    me = pages.actor()
    return render_template(
        "users/account.html",
        settings=settings or SettingsForm(obj=me, prefix="settings", formdata=None),
        password=password or PasswordForm(prefix="password", formdata=None),
        **_ways_in(token_form),
    ), status


# --- sessions, API tokens and feeds: the ways into this account ------------------------------


def _ways_in(token_form: TokenForm | None) -> dict[str, object]:
    """What the cards "Your sessions" and "API tokens and calendar feeds" show."""
    db, me, now = web.session(), pages.actor(), clock.now()
    return {
        "now": now,
        "my_sessions": operations.list_sessions(db, me, now, me),
        "this_session": sessions.digest(current_user.session_id),
        "browser": agents.describe,
        "tokens": operations.list_tokens(db, me, me),
        "token_form": token_form or TokenForm(prefix="token", formdata=None),
        "live_feeds": sum(feed.revoked_at is None for feed in feeds.list_feeds(db, me)),
    }


@bp.post("/account/sessions/<int:session_id>/end")
def end_session(session_id: int):
    """Sign out one of one's sessions (another browser, a lost phone)."""
    me, db = pages.actor(), web.session()
    operations.end_session(db, me, clock.now(), me, session_id)
    db.commit()
    flash("That session is ended: its browser is signed out.")
    return redirect(url_for("account.account"))


@bp.post("/account/sessions/end-others")
def end_other_sessions():
    """Sign out every other browser of this account; this one stays signed in."""
    me, db = pages.actor(), web.session()
    ended = operations.end_other_sessions(db, me, clock.now(), me, current_user.session_id)
    db.commit()
    flash(f"Signed out everywhere else: {ended} other session{'' if ended == 1 else 's'} ended.")
    return redirect(url_for("account.account"))


@bp.post("/account/tokens")
def create_token():
    """Make an API token of one's own; the token is shown once, on a page never cached."""
    me = pages.actor()
    form = TokenForm(prefix="token")
    made = pages.submit(
        form, lambda: operations.create_token(web.session(), me, clock.now(), me, form.command())
    )
    if made is None:
        return _account_page(token_form=form, status=pages.form_status(form))
    api_token, secret = made
    response = make_response(render_template("users/token.html", token=api_token, secret=secret))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    """Revoke one of one's API tokens: from now on it gets 401."""
    me, db = pages.actor(), web.session()
    revoked = operations.revoke_token(db, me, clock.now(), token_id)
    db.commit()
    flash(f"The API token “{revoked.name or revoked.id}” is revoked.")
    return redirect(url_for("account.account"))
