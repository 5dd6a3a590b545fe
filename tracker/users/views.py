"""Signing in and out (password, then the second factor if the user has one), and one's
own account (password, name, time zone, second factors)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import segno
import sqlalchemy.orm as so
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
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response

from tracker import web
from tracker.calendar import operations as feeds
from tracker.core import clock, errors, labels
from tracker.users import agents, factors, keys, operations, policy, sessions
from tracker.users import login as signin
from tracker.users.enums import FactorKind
from tracker.users.forms import (
    AlertsForm,
    CodeForm,
    ConfirmPasswordForm,
    KeyForm,
    LoginForm,
    NewAppForm,
    NewKeyForm,
    PasswordForm,
    RecoveryForm,
    SettingsForm,
    TokenForm,
)
from tracker.users.models import User
from tracker.web import pages

#: signing in (/login, then /login/verify) is what needs no login
public = Blueprint("users", __name__)
bp = pages.blueprint("account", __name__)

BLUEPRINTS = (public, bp)

# What the signed Flask session keeps between pages (the browser cannot change it):
#: the id of the pending session of a sign-in whose second factor is still owed
PENDING = "pending_sign_in"
#: where to go once signed in
NEXT = "next_after_sign_in"
#: the TOTP secret of an authenticator app being set up (stored once a code confirms it)
NEW_APP = "new_app_secret"
#: the challenges of the WebAuthn ceremonies a page started (each used once)
KEY_ENROLMENT = "key_enrolment_challenge"
KEY_SIGN_IN = "key_sign_in_challenge"

#: the pages a user who must still add a second factor may open (see `enrolment_first`)
WHILE_ENROLLING = frozenset(
    {
        "static",
        "users.login",
        "users.verify",
        "users.verify_code",
        "users.verify_key",
        "users.verify_recovery",
        "users.cancel",
        "account.logout",
        "account.security",
        "account.add_app",
        "account.add_key",
        "account.remove_factor",
        "account.recovery_codes",
    }
)


class SignedIn(UserMixin):
    """Flask-Login's view of a signed-in browser: the user, and the id of its session
    (`tracker.users.sessions`), which is what the cookie carries."""

    def __init__(
        self, user: User, session_id: str, proof: str = "password", owes_factor: bool = False
    ):
        self.user = user
        self.session_id = session_id
        #: how the sign-in was proved ("password", "password+totp"...)
        self.proof = proof
        #: an admin requires a second factor of this user's role and they have none
        self.owes_factor = owes_factor

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
    found = sessions.find(db, value, clock.now(), lifetimes())
    if found is None:
        return None
    row = found.row
    if db.dirty and not db.new and not db.deleted:  # only last_seen_at moved on
        db.commit()  # (loaded before the page runs: nothing of the page's is committed)
    return SignedIn(row.user, value, row.proof, found.owes_factor)


def _address() -> str:
    return request.remote_addr or ""


def _user_agent() -> str:
    return request.headers.get("User-Agent", "")


def _sign_in(user: User, proof: str) -> None:
    """Start a session for `user` in this browser (a fresh Flask session, CSRF token too),
    audited with what proved it."""
    db = web.session()
    now = clock.now()
    raw = sessions.start(
        db, user, now, lifetimes(), user_agent=_user_agent(), address=_address(), proof=proof
    )
    signin.signed_in(db, user, now, proof, _address(), _user_agent())
    db.commit()
    session.clear()
    login_user(SignedIn(user, raw, proof))


# The dummy hash that unknown emails are checked against is made when the app starts,
# not by the first sign-in of an unknown email (which would then take twice as long).
@public.record_once
def _make_the_dummy_hash(_state: BlueprintSetupState) -> None:
    operations.dummy_hash()


@public.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password (then the second factor, if the user has one)."""
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
            _address(),
            device_cookie=request.cookies.get(signin.DEVICE_COOKIE),
            secret=current_app.secret_key,
        )
        # the attempt's place is taken before its password is checked, so that guesses
        # sent at the same instant cannot all be checked
        db.commit()
        if isinstance(attempt, signin.Lockout):
            signin.sign_in_failed(db, clock.now(), form.email.data, _address(), "locked")
            db.commit()
            form.form_errors.append(f"{_refusal(attempt)} {attempt.hint}".rstrip())
            status = 429
        else:
            found = signin.verify(db, clock.now(), attempt, form.password.data)
            if found is None:
                signin.sign_in_failed(db, clock.now(), form.email.data, _address(), "password")
            db.commit()  # a failure keeps its place, a success gives it back
            if found is None:
                form.password.errors = ["Wrong email or password."]
                status = 401
            else:
                return _after_password(found, target)
    return render_template("users/login.html", form=form), status


def _refusal(lockout: signin.Lockout) -> str:
    minutes = f"{lockout.minutes} minute{'s' if lockout.minutes > 1 else ''}"
    return f"Too many failed attempts for {lockout.reason}. Try again in {minutes}."


def _confirming(form: FlaskForm, typed: str, save: Callable[[], Any]) -> Any:
    """`pages.submit` for a form that asks for the password again (its field `typed`).

    Each try takes a place in the account's re-confirmation bucket first, committed
    before the password is checked as at sign-in: a stolen session cookie cannot guess
    the password at will. A right password gives its place back at once, so a form
    refused for another reason costs nothing.
    """
    if not form.validate_on_submit():
        return None
    db, me = web.session(), pages.actor()
    place = signin.reserve_confirmation(db, clock.now(), me)
    db.commit()
    if isinstance(place, signin.Lockout):
        pages.refused(form, errors.TooManyAttempts(_refusal(place), field=typed))
        return None
    if not operations.check_password(me, form[typed].data):
        pages.refused(form, errors.Invalid("this is not your current password", field=typed))
        return None
    signin.passed(db, place)
    db.commit()
    return pages.submit(form, save)


def _after_password(user: User, target: str) -> Response:
    """The password was right: on to the second factor if the user has one (a pending
    session, which opens no page), else signed in; a user who must add a second factor
    goes to the security page first."""
    db = web.session()
    if policy.has_second_factor(db, user):
        raw = sessions.start(
            db,
            user,
            clock.now(),
            lifetimes(),
            user_agent=_user_agent(),
            address=_address(),
            pending_factor=True,
        )
        db.commit()
        session.clear()
        session[PENDING], session[NEXT] = raw, target
        return redirect(url_for("users.verify"))
    if user.role in policy.two_factor_roles(db):
        target = url_for("account.security")
    _sign_in(user, "password")
    return _trust_this_browser(redirect(target), user)


# --- the second step -------------------------------------------------------------------------


def _pending() -> tuple[User, str] | None:
    """The user who gave the right password in this browser, and their pending session's
    id, while it lasts (sessions.PENDING_LIFETIME)."""
    raw = session.get(PENDING)
    found = sessions.find(web.session(), raw, clock.now(), lifetimes(), pending=True)
    return (found.row.user, raw) if found is not None and raw else None


def _start_again() -> Response:
    session.pop(PENDING, None)
    flash("The sign-in took too long or was ended: please sign in again.")
    return redirect(url_for("users.login"))


@public.get("/login/verify")
def verify():
    """The second step: a code from an app, a security key, or a recovery code."""
    pending = _pending()
    if pending is None:
        return _start_again()
    return _verify_page(pending[0])


@public.post("/login/verify/code")
def verify_code():
    """Finish signing in with a code from an authenticator app."""
    form = CodeForm(prefix="totp")
    return _second_step(
        form, "totp", lambda db, user, now: factors.check_totp(db, user, now, form.code.data)
    )


@public.post("/login/verify/recovery")
def verify_recovery() -> Response:
    """Finish signing in with a recovery code (each works once)."""
    form = RecoveryForm(prefix="recovery")
    left: list[int] = []

    def check(db: so.Session, user: User, now: dt.datetime) -> bool:
        remaining = factors.use_recovery_code(db, user, now, form.code.data)
        left.extend([] if remaining is None else [remaining])
        return remaining is not None

    answer = _second_step(form, "recovery_code", check)
    if left:
        flash(
            f"You signed in with a recovery code: {left[0]} left. "
            "Make new ones on the security page if you are running short."
        )
    return answer


@public.post("/login/verify/key")
def verify_key():
    """Finish signing in with a security key (its answer put in the form by webauthn.js)."""
    form = KeyForm(prefix="key")
    challenge = session.pop(KEY_SIGN_IN, None)
    rp = _relying_party()

    def check(db: so.Session, user: User, now: dt.datetime) -> bool:
        if rp is None or challenge is None:
            return False
        return keys.authenticate(db, rp, user, now, challenge, form.credential.data)

    return _second_step(form, "webauthn", check)


#: what each second step says when it fails
_WRONG = {
    "totp": "This code is not right, or was used already. Type the newest code your app shows.",
    "recovery_code": "This recovery code is not right, or was used already.",
    "webauthn": "The security key's answer was refused. Try again, or use another factor.",
}


def _second_step(
    form, method: str, check: Callable[[so.Session, User, dt.datetime], bool]
) -> Response:
    """Check one second factor of the pending sign-in, within the account's rate limit
    (login.reserve_factor); when right, the pending session ends and a new one starts."""
    pending = _pending()
    if pending is None:
        return _start_again()
    user, raw = pending
    forms = {method: form}
    if not form.validate_on_submit():
        return _verify_page(user, forms, 422)
    db, now = web.session(), clock.now()
    place = signin.reserve_factor(db, now, user)
    db.commit()  # the place holds before the code is checked, as for passwords
    if isinstance(place, signin.Lockout):
        form.form_errors.append(_refusal(place))
        return _verify_page(user, forms, 429)
    if not check(db, user, now):
        db.rollback()
        signin.second_factor_failed(db, user, now, method, _address())
        db.commit()
        form.form_errors.append(_WRONG[method])
        return _verify_page(user, forms, 401)
    if not sessions.end(db, raw):  # another request finished this sign-in meanwhile
        db.rollback()
        return _start_again()
    signin.passed(db, place)
    target = session.get(NEXT) or "/"
    _sign_in(user, f"password+{method}")
    return _trust_this_browser(redirect(pages.safe_next(target)), user)


def _verify_page(user: User, forms: dict | None = None, status: int = 200) -> Response:
    forms = forms or {}
    db, rp = web.session(), _relying_party()
    kinds = {factor.kind for factor in factors.of_user(db, user)}
    ceremony = None
    if rp is not None and FactorKind.webauthn in kinds:
        ceremony = keys.sign_in_options(db, rp, user)
        session[KEY_SIGN_IN] = ceremony.challenge
    page = render_template(
        "users/verify.html",
        user=user,
        totp=forms.get("totp") or CodeForm(prefix="totp", formdata=None),
        recovery=forms.get("recovery_code") or RecoveryForm(prefix="recovery", formdata=None),
        key=forms.get("webauthn") or KeyForm(prefix="key", formdata=None),
        has_app=FactorKind.totp in kinds,
        has_keys=FactorKind.webauthn in kinds,
        ceremony=ceremony,
        no_keys=_NO_KEYS if rp is None else None,
    )
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@public.post("/login/cancel")
def cancel():
    """Give up a sign-in halfway: its pending session ends."""
    db = web.session()
    sessions.end(db, session.get(PENDING))
    db.commit()
    session.clear()
    return redirect(url_for("users.login"))


@bp.post("/logout")
def logout():
    """Sign out (a form with a CSRF token, so no other site can sign you out): the session
    ends on the server, so its cookie, replayed, opens nothing."""
    db = web.session()
    sessions.end(db, current_user.session_id)
    signin.signed_out(db, current_user.user, clock.now(), _address())
    db.commit()
    logout_user()
    session.clear()
    flash("You are signed out.")
    return redirect(url_for("users.login"))


def enrolment_first() -> Response | None:
    """Send a user who must add a second factor (an admin requires one of their role) and
    has none to the security page, from every page but those of WHILE_ENROLLING.

    Whether they owe one was read with their session (`sessions.find`): no query here.
    """
    if request.endpoint in WHILE_ENROLLING or not current_user.is_authenticated:
        return None
    if not current_user.owes_factor:
        return None
    return redirect(url_for("account.security"))


# --- one's account -----------------------------------------------------------------------------


@bp.route("/account", methods=["GET", "POST"])
def account():
    """Change one's name, time zone and discreet mail."""
    me = pages.actor()
    form = SettingsForm(obj=me, prefix="settings")
    return _save_settings(form, me, "settings", "Your settings are saved.")


@bp.post("/account/alerts")
def alerts():
    """Choose one's reminders, their days, and the digest's hour (as `PATCH /api/v1/me`)."""
    me = pages.actor()
    form = AlertsForm(prefix="alerts")
    return _save_settings(form, me, "alerts", "Your reminders and digest settings are saved.")


#: what a form of the account says when the account changed since the page was shown
STALE = (
    "Your account was changed elsewhere (another browser, the API or an admin) since this "
    "page was shown, so nothing was saved. What you entered is kept below: save again to "
    "apply it over the current settings."
)


def _save_settings(form: SettingsForm | AlertsForm, me: User, name: str, saved: str):
    """Save one of the account's settings forms through the API's command; a stale form
    (409) keeps what was typed and takes the current version, to be saved again."""
    done = pages.submit(
        form,
        lambda: operations.update_settings(web.session(), me, clock.now(), me, form.command(me)),
    )
    if done is not None:
        flash(saved)
        return redirect(url_for("account.account"))
    status = pages.form_status(form)
    if form.version.errors:
        form.version.errors = []
        form.form_errors.append(STALE)
        form.version.data, form.version.raw_data = me.version, [str(me.version)]
        status = 409
    return _account_page(**{name: form}, status=status)


@bp.post("/account/password")
def password():
    """Change one's password; other sessions of this account end."""
    me = pages.actor()
    form = PasswordForm(prefix="password")

    def change() -> bool:
        db = web.session()
        signin.change_password(db, clock.now(), me, form.current.data, form.new.data)
        sessions.end_all(db, me.id, keep=current_user.session_id)
        return True

    if _confirming(form, "current", change) is None:
        return _account_page(password=form, status=pages.form_status(form))
    flash("Your password is changed. Other sessions of this account are signed out.")
    # older device cookies named the old password: this browser stays trusted
    return _trust_this_browser(redirect(url_for("account.account")), me)


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


def _account_page(*, settings=None, alerts=None, password=None, token_form=None, status=200):
    me = pages.actor()
    return render_template(
        "users/account.html",
        settings=settings or SettingsForm(obj=me, prefix="settings", formdata=None),
        alerts=alerts or AlertsForm(obj=me, prefix="alerts", formdata=None),
        password=password or PasswordForm(prefix="password", formdata=None),
        two_factor=_two_factor_status(me),
        **_ways_in(token_form),
    ), status


def _two_factor_status(me: User) -> str:
    """The account page's line about the second step: which factors, how many codes left."""
    db = web.session()
    mine = factors.of_user(db, me)
    if not mine:
        required = me.role in policy.two_factor_roles(db)
        return (
            "Off: required for your role." if required else "Off: your password alone signs you in."
        )
    apps = sum(1 for f in mine if f.kind is FactorKind.totp)
    parts = [_count(apps, "authenticator app"), _count(len(mine) - apps, "security key")]
    listed = ", ".join(p for p in parts if p)
    left = factors.recovery_state(db, me).unused
    return f"On: {listed}; {_count(left, 'recovery code') or 'no recovery codes'} left."


def _count(n: int, thing: str) -> str:
    return labels.count(n, thing) if n else ""


# --- second factors (/account/security) ----------------------------------------------------


def _relying_party() -> keys.RelyingParty | None:
    return keys.relying_party(web.settings().base_url)


@bp.get("/account/security")
def security():
    """One's second factors: authenticator apps, security keys, recovery codes."""
    return _security_page()


@bp.post("/account/security/apps")
def add_app():
    """Add the authenticator app set up from the page's QR code, confirmed by its code."""
    me, db = pages.actor(), web.session()
    form = NewAppForm(prefix="app")
    secret = session.get(NEW_APP, "")
    made = pages.submit(
        form,
        lambda: factors.enrol_totp(db, me, clock.now(), secret, form.code.data, form.command()),
    )
    if made is None:
        return _security_page(app=form, status=pages.form_status(form))
    session.pop(NEW_APP, None)
    return _added(*made)


@bp.post("/account/security/keys")
def add_key():
    """Add a security key or passkey (its answer put in the form by webauthn.js)."""
    me, db, rp = pages.actor(), web.session(), _relying_party()
    if rp is None:
        raise errors.NotFound(_NO_KEYS)
    form = NewKeyForm(prefix="key")
    challenge = session.pop(KEY_ENROLMENT, None)
    if challenge is None and form.validate_on_submit():
        form.form_errors.append("This page was out of date: add the key again.")
        return _security_page(key=form, status=409)
    made = pages.submit(
        form,
        lambda: keys.register(
            db, rp, me, clock.now(), challenge, form.credential.data or "", form.command()
        ),
    )
    if made is None:
        return _security_page(key=form, status=pages.form_status(form))
    return _added(*made)


_NO_KEYS = (
    "Security keys need the tracker reached by a name, such as http://localhost:5000 or "
    "https://tracker.example.org, not by an IP address (set BASE_URL)."
)


def _added(factor, codes: list[str] | None) -> Response:
    flash(f"“{factor.name}” is added: it is asked for after your password from now on.")
    if codes:
        return _security_page(codes=codes)
    return redirect(url_for("account.security"))


@bp.post("/account/security/factors/<int:factor_id>/remove")
def remove_factor(factor_id: int):
    """Remove a second factor; the password is asked again."""
    me, db = pages.actor(), web.session()
    if factor_id not in {f.id for f in factors.of_user(db, me)}:
        raise errors.NotFound(f"you have no second factor {factor_id}")
    form = ConfirmPasswordForm(prefix=f"remove{factor_id}")

    def remove() -> bool:
        factors.remove(db, me, clock.now(), factor_id, form.password.data)
        return True

    done = _confirming(form, "password", remove)
    if done is None:
        return _security_page(removing={factor_id: form}, status=pages.form_status(form))
    flash("The second factor is removed.")
    return redirect(url_for("account.security"))


@bp.post("/account/security/recovery-codes")
def recovery_codes():
    """Make new recovery codes (the old ones stop working); the password is asked again."""
    me, db = pages.actor(), web.session()
    form = ConfirmPasswordForm(prefix="codes")
    codes = _confirming(
        form,
        "password",
        lambda: factors.regenerate_recovery_codes(db, me, clock.now(), form.password.data),
    )
    if codes is None:
        return _security_page(codes_form=form, status=pages.form_status(form))
    return _security_page(codes=codes)


def _security_page(
    *,
    app: NewAppForm | None = None,
    key: NewKeyForm | None = None,
    removing: dict | None = None,
    codes_form: ConfirmPasswordForm | None = None,
    codes: list[str] | None = None,
    status: int = 200,
) -> Response:
    """The page; never cached: it may show a secret being set up, or recovery codes."""
    me, db, rp = pages.actor(), web.session(), _relying_party()
    secret = session.get(NEW_APP) or factors.new_secret()
    session[NEW_APP] = secret
    ceremony = None
    if rp is not None:
        ceremony = keys.registration_options(db, rp, me)
        session[KEY_ENROLMENT] = ceremony.challenge
    mine = factors.of_user(db, me)
    removing = removing or {}
    page = render_template(
        "users/security.html",
        factors=mine,
        remove_forms={
            f.id: removing.get(f.id) or ConfirmPasswordForm(prefix=f"remove{f.id}", formdata=None)
            for f in mine
        },
        app=app or NewAppForm(prefix="app", formdata=None),
        secret=secret,
        qr=_qr(factors.provisioning_uri(secret, me)),
        key=key or NewKeyForm(prefix="key", formdata=None),
        ceremony=ceremony,
        no_keys=_NO_KEYS if rp is None else None,
        codes_form=codes_form or ConfirmPasswordForm(prefix="codes", formdata=None),
        codes=codes,
        recovery=factors.recovery_state(db, me),
        required=me.role in policy.two_factor_roles(db),
    )
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _qr(uri: str) -> Markup:
    """The QR code of an otpauth:// address, as inline SVG drawn here (no image fetched)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, title="QR code of the authenticator app's set-up", svgclass="qr"
    )
    return Markup(svg)  # noqa: S704 (segno's own markup: the address is drawn, not embedded)


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
    made = _confirming(
        form,
        "password",
        lambda: operations.create_token(web.session(), me, clock.now(), me, form.command()),
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


# A GET of a form's address goes to the page of that form (see `pages.form_lives_on`).
for _rule, _page in (
    ("/account/alerts", "account.account"),
    ("/account/password", "account.account"),
    ("/account/tokens", "account.account"),
    ("/account/sessions/end-others", "account.account"),
    ("/account/sessions/<int:session_id>/end", "account.account"),
    ("/account/tokens/<int:token_id>/revoke", "account.account"),
    ("/account/security/apps", "account.security"),
    ("/account/security/keys", "account.security"),
    ("/account/security/factors/<int:factor_id>/remove", "account.security"),
    ("/account/security/recovery-codes", "account.security"),
):
    pages.form_lives_on(bp, _rule, _page, keep=False)
