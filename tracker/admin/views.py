"""The admin pages: users, jurisdictions and their calendars, deadline rules (admins only).

A password is shown once, in the answer to the form that made it, and never kept
anywhere else; such answers are not cached.
"""

from __future__ import annotations

from itertools import groupby

from flask import flash, make_response, redirect, render_template, url_for

from tracker import web
from tracker.admin import operations as levers
from tracker.admin.forms import (
    ActiveForm,
    JurisdictionEditForm,
    JurisdictionForm,
    LockOutForm,
    RemoveForm,
    ResetPasswordForm,
    RoleForm,
    RuleEditForm,
    RuleForm,
    RuleVersionForm,
    TwoFactorForm,
    UserForm,
    UserSettingsForm,
    VacationForm,
)
from tracker.calendar import operations as feeds
from tracker.core import clock, labels
from tracker.deadlines import operations as deadlines
from tracker.deadlines import queries as deadline_queries
from tracker.jurisdictions import operations as jurisdictions
from tracker.users import operations as users
from tracker.users import policy
from tracker.users.models import Role
from tracker.web import pages

bp = pages.blueprint("admin", __name__, url_prefix="/admin")

BLUEPRINTS = (bp,)

#: what a stale form says (someone saved the same row since the form was shown)
STALE = (
    "Someone else changed this while you were editing it, so nothing was saved. "
    "The current state is shown: make your change again if it still applies."
)


@bp.before_request
def _admins_only() -> None:
    pages.require(Role.admin, doing="administer users, jurisdictions and rules")


def _secret_page(template: str, **context):
    """A page that shows a secret once: never stored by a cache or the browser's history."""
    response = make_response(render_template(template, **context))
    response.headers["Cache-Control"] = "no-store"
    return response


def _stale(form) -> str | None:
    """The conflict message when the form's row changed since it was shown."""
    return STALE if getattr(form, "version", None) is not None and form.version.errors else None


# --- users ------------------------------------------------------------------------------------


@bp.get("/users")
@bp.get("")
def index():
    """List the users and offer the form to add one."""
    return _users_page(UserForm(formdata=None))


@bp.post("/users")
def create_user():
    """Add a user; the password (typed or generated) is shown once."""
    form = UserForm()
    made = pages.submit(
        form,
        lambda: users.create_user(web.session(), pages.actor(), clock.now(), form.command()),
    )
    if made is None:
        return _users_page(form, status=pages.form_status(form))
    user, password = made
    generated = not form.password.data
    return _secret_page("admin/password.html", user=user, password=password, created=generated)


def _users_page(form: UserForm, two_factor_form: TwoFactorForm | None = None, status: int = 200):
    session = web.session()
    if two_factor_form is None:
        required = sorted(role.value for role in policy.two_factor_roles(session))
        two_factor_form = TwoFactorForm(formdata=None, data={"roles": required})
    return render_template(
        "admin/users.html",
        users=users.list_users(session),
        with_second_factor=users.with_second_factor(session),
        form=form,
        two_factor_form=two_factor_form,
    ), status


@bp.post("/two-factor")
def two_factor_roles():
    """Choose the roles whose users must sign in with two factors."""
    form = TwoFactorForm()
    saved = pages.submit(
        form,
        lambda: policy.set_two_factor_roles(
            web.session(), pages.actor(), clock.now(), form.chosen()
        ),
    )
    if saved is None:
        return _users_page(
            UserForm(formdata=None), two_factor_form=form, status=pages.form_status(form)
        )
    roles = ", ".join(saved.value) if saved.value else "nobody"
    flash(f"Two factors are now required of: {roles}.")
    return redirect(url_for("admin.index"))


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    """Show one user: name and time zone, role, active or not, password reset."""
    return _user_page(users.get_user(web.session(), user_id))


def _user_page(
    found, *, settings_form=None, role_form=None, active_form=None, stale=None, status=200
):
    return render_template(
        "admin/user.html",
        user=found,
        settings_form=settings_form
        or UserSettingsForm(obj=found, prefix="settings", formdata=None),
        role_form=role_form or RoleForm(obj=found, formdata=None),
        active_form=active_form or ActiveForm(obj=found, formdata=None),
        password_form=ResetPasswordForm(formdata=None),
        lock_out_form=LockOutForm(formdata=None),
        stale=stale,
        feeds=feeds.list_feeds(web.session(), found),
        **_access_of(found),
    ), status


def _access_of(found) -> dict[str, object]:
    """How the user gets in: live sessions, API tokens, a second factor or not."""
    session, me, now = web.session(), pages.actor(), clock.now()
    tokens = users.list_tokens(session, me, found)
    return {
        "now": now,
        "live_sessions": users.list_sessions(session, me, now, found),
        "tokens": tokens,
        "live_tokens": sum(token.state(now) == "live" for token in tokens),
        "has_second_factor": policy.has_second_factor(session, found),
    }


@bp.post("/users/<int:user_id>/lock-out")
def lock_out(user_id: int):
    """End all sessions of a user and revoke their API tokens and calendar feeds, at once."""
    session, me = web.session(), pages.actor()
    found = users.get_user(session, user_id)
    form = LockOutForm()
    ended = pages.submit(form, lambda: levers.lock_out(session, me, clock.now(), found))
    if ended is None:
        return _user_page(found, status=_status(form))
    flash(
        f"{found.email}: {_count(ended.sessions, 'session')} ended, "
        f"{_count(ended.tokens, 'API token')} and {_count(ended.feeds, 'calendar feed')} "
        "revoked."
    )
    return redirect(url_for("admin.user", user_id=found.id))


def _count(number: int, thing: str) -> str:
    return labels.count(number, thing)


@bp.post("/users/<int:user_id>/settings")
def user_settings(user_id: int):
    """Change a user's name or time zone (what they can change on their account page)."""
    session, me = web.session(), pages.actor()
    found = users.get_user(session, user_id)
    form = UserSettingsForm(prefix="settings")
    saved = pages.submit(
        form,
        lambda: users.update_settings(session, me, clock.now(), found, form.command(found)),
    )
    if saved is None:
        stale = _stale(form)
        return _user_page(
            found, settings_form=None if stale else form, stale=stale, status=_status(form)
        )
    flash(f"The name and time zone of {found.email} are saved.")
    return redirect(url_for("admin.user", user_id=found.id))


@bp.post("/users/<int:user_id>/role")
def set_role(user_id: int):
    """Give a user another role (never one's own admin role away)."""
    session, me = web.session(), pages.actor()
    found = users.get_user(session, user_id)
    form = RoleForm()
    saved = pages.submit(
        form,
        lambda: users.set_role(session, me, clock.now(), found, form.command()),
    )
    if saved is None:
        stale = _stale(form)
        return _user_page(
            found, role_form=None if stale else form, stale=stale, status=_status(form)
        )
    flash(f"{found.email} is now {found.role.value}.")
    return redirect(url_for("admin.user", user_id=found.id))


@bp.post("/users/<int:user_id>/deactivate")
def deactivate(user_id: int):
    """Deactivate a user: signed out at once, no sign-in, no API token, no mail."""
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/reactivate")
def reactivate(user_id: int):
    """Let a deactivated user sign in again."""
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    session, me = web.session(), pages.actor()
    found = users.get_user(session, user_id)
    form = ActiveForm()
    saved = pages.submit(
        form,
        lambda: users.set_active(session, me, clock.now(), found, form.command(active)),
    )
    if saved is None:
        stale = _stale(form)
        return _user_page(
            found, active_form=None if stale else form, stale=stale, status=_status(form)
        )
    flash(f"{found.email} is {'active again' if active else 'deactivated'}.")
    return redirect(url_for("admin.user", user_id=found.id))


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id: int):
    """Give a user a new generated password, shown once; their sessions end."""
    session, me = web.session(), pages.actor()
    found = users.get_user(session, user_id)
    form = ResetPasswordForm()
    password = pages.submit(form, lambda: users.set_password(session, me, clock.now(), found))
    if password is None:
        return _user_page(found, status=_status(form))
    return _secret_page("admin/password.html", user=found, password=password, created=False)


def _status(form) -> int:
    """409 for a stale form, 422 for a refused one."""
    return 409 if _stale(form) else pages.form_status(form)


# --- jurisdictions ----------------------------------------------------------------------------


@bp.get("/jurisdictions")
def jurisdictions_index():
    """List the jurisdictions with their calendars, and offer the form to add one."""
    return _jurisdictions_page(JurisdictionForm(formdata=None))


@bp.post("/jurisdictions")
def create_jurisdiction():
    """Add a jurisdiction (a state or an international body)."""
    form = JurisdictionForm()
    made = pages.submit(
        form,
        lambda: jurisdictions.create_jurisdiction(
            web.session(), pages.actor(), clock.now(), form.command()
        ),
    )
    if made is None:
        return _jurisdictions_page(form, status=pages.form_status(form))
    flash(f"Jurisdiction {made.code} added.")
    return redirect(url_for("admin.jurisdictions_index"))


def _jurisdictions_page(form: JurisdictionForm, status: int = 200):
    rows = jurisdictions.list_jurisdictions(web.session())
    return render_template("admin/jurisdictions.html", jurisdictions=rows, form=form), status


@bp.route("/jurisdictions/<int:jurisdiction_id>", methods=["GET", "POST"])
def jurisdiction(jurisdiction_id: int):
    """Show a jurisdiction and change its name, time zone or holidays."""
    session, me = web.session(), pages.actor()
    found = jurisdictions.get(session, jurisdiction_id)
    form = JurisdictionEditForm(obj=found)
    saved = pages.submit(
        form,
        lambda: jurisdictions.update_jurisdiction(session, me, clock.now(), found, form.changes()),
    )
    if saved is not None:
        flash(f"Jurisdiction {found.code} saved.")
        return redirect(url_for("admin.jurisdiction", jurisdiction_id=found.id))
    stale = _stale(form)
    if stale:
        form = JurisdictionEditForm(obj=found, formdata=None)
    return _jurisdiction_page(found, form=form, stale=stale, status=409 if stale else _status(form))


def _jurisdiction_page(found, *, form=None, vacation_form=None, stale=None, status=200):
    return render_template(
        "admin/jurisdiction.html",
        jurisdiction=found,
        form=form or JurisdictionEditForm(obj=found, formdata=None),
        vacation_form=vacation_form or VacationForm(prefix="vacation", formdata=None),
        moved=deadline_queries.deadlines_moved(web.session(), found),
        stale=stale,
    ), status


# --- judicial vacations -----------------------------------------------------------------------
#
# A change of calendar rewrites no deadline: the jurisdiction's page lists the open
# computed deadlines it would move, for staff to review.


def _calendar_changed(found, what: str):
    """Back to the jurisdiction, whose page lists the deadlines to review."""
    flash(
        f"{what} Deadlines already computed keep their dates: any that this calendar "
        "would now date differently are listed for review."
    )
    return redirect(url_for("admin.jurisdiction", jurisdiction_id=found.id))


@bp.post("/jurisdictions/<int:jurisdiction_id>/vacations")
def add_vacation(jurisdiction_id: int):
    """Add a judicial vacation to a jurisdiction's calendar."""
    session, me = web.session(), pages.actor()
    found = jurisdictions.get(session, jurisdiction_id)
    form = VacationForm(prefix="vacation")
    made = pages.submit(
        form,
        lambda: jurisdictions.add_vacation(session, me, clock.now(), found, form.command()),
    )
    if made is None:
        return _jurisdiction_page(found, vacation_form=form, status=pages.form_status(form))
    return _calendar_changed(
        found, f"Vacation “{made.name}” added to the calendar of {found.code}."
    )


@bp.route(
    "/jurisdictions/<int:jurisdiction_id>/vacations/<int:vacation_id>", methods=["GET", "POST"]
)
def vacation(jurisdiction_id: int, vacation_id: int):
    """Show one judicial vacation and change it."""
    session, me = web.session(), pages.actor()
    found = jurisdictions.get(session, jurisdiction_id)
    period = jurisdictions.get_vacation(session, found, vacation_id)
    form = VacationForm(obj=period, prefix="vacation")
    saved = pages.submit(
        form,
        lambda: jurisdictions.update_vacation(session, me, clock.now(), period, form.changes()),
    )
    if saved is not None:
        return _calendar_changed(found, f"Vacation “{period.name}” of {found.code} saved.")
    stale = _stale(form)
    if stale:
        form = VacationForm(obj=period, prefix="vacation", formdata=None)
    return _vacation_page(
        found, period, form=form, stale=stale, status=409 if stale else _status(form)
    )


@bp.post("/jurisdictions/<int:jurisdiction_id>/vacations/<int:vacation_id>/remove")
def remove_vacation(jurisdiction_id: int, vacation_id: int):
    """Remove a judicial vacation from a jurisdiction's calendar."""
    session, me = web.session(), pages.actor()
    found = jurisdictions.get(session, jurisdiction_id)
    period = jurisdictions.get_vacation(session, found, vacation_id)
    form = RemoveForm(prefix="remove")
    removed = pages.submit(
        form,
        lambda: jurisdictions.remove_vacation(
            session, me, clock.now(), period, version=form.version.data
        ),
    )
    if removed is None:
        return _vacation_page(found, period, stale=_stale(form), status=_status(form))
    return _calendar_changed(
        found, f"Vacation “{removed.name}” removed from the calendar of {found.code}."
    )


def _vacation_page(found, period, *, form=None, stale=None, status=200):
    return render_template(
        "admin/vacation.html",
        jurisdiction=found,
        vacation=period,
        form=form or VacationForm(obj=period, prefix="vacation", formdata=None),
        remove_form=RemoveForm(obj=period, prefix="remove", formdata=None),
        stale=stale,
    ), status


# --- deadline rules ---------------------------------------------------------------------------


@bp.get("/rules")
def rules_index():
    """List the deadline rules by jurisdiction, every version, and offer the form to add one."""
    return _rules_page(_rule_form(formdata=None))


@bp.post("/rules")
def create_rule():
    """Add a rule with a new code."""
    form = _rule_form()
    made = pages.submit(
        form,
        lambda: deadlines.create_rule(web.session(), pages.actor(), clock.now(), form.command()),
    )
    if made is None:
        return _rules_page(form, status=pages.form_status(form))
    flash(f"Rule {made.code} added.")
    return redirect(url_for("admin.rule", rule_id=made.id))


def _rule_form(**options) -> RuleForm:
    return RuleForm(jurisdictions=feeds.jurisdiction_choices(web.session()), **options)


def _rules_page(form: RuleForm, status: int = 200):
    session = web.session()
    rows = sorted(deadlines.list_rules(session), key=lambda r: (r.jurisdiction.code, r.code))
    groups = [(key, list(items)) for key, items in groupby(rows, key=lambda r: r.jurisdiction)]
    counts = deadlines.count_computed(session, [r.id for r in rows])
    return render_template("admin/rules.html", groups=groups, counts=counts, form=form), status


@bp.route("/rules/<int:rule_id>", methods=["GET", "POST"])
def rule(rule_id: int):
    """Show one version of a rule; correct its title or source."""
    session, me = web.session(), pages.actor()
    found = deadlines.get_rule(session, rule_id)
    form = RuleEditForm(obj=found, prefix="edit")
    saved = pages.submit(
        form,
        lambda: deadlines.update_rule(session, me, clock.now(), found, form.changes()),
    )
    if saved is not None:
        flash(f"Rule {found.code} saved.")
        return redirect(url_for("admin.rule", rule_id=found.id))
    stale = _stale(form)
    if stale:
        form = RuleEditForm(obj=found, prefix="edit", formdata=None)
    return _rule_page(found, edit_form=form, stale=stale, status=409 if stale else _status(form))


@bp.post("/rules/<int:rule_id>/versions")
def add_version(rule_id: int):
    """Add a version of the rule in force from a date; the latest one stops that day."""
    session, me = web.session(), pages.actor()
    found = deadlines.get_rule(session, rule_id)
    form = RuleVersionForm(prefix="new")
    made = pages.submit(
        form,
        lambda: deadlines.add_rule_version(session, me, clock.now(), found.code, form.command()),
    )
    if made is None:
        return _rule_page(found, version_form=form, status=pages.form_status(form))
    flash(
        f"Rule {made.code} has a new version from {made.valid_from:%d %b %Y}. "
        "Deadlines already computed keep their dates."
    )
    return redirect(url_for("admin.rule", rule_id=made.id))


def _rule_page(found, *, edit_form=None, version_form=None, stale=None, status=200):
    session = web.session()
    versions = deadlines.versions(session, found.code)
    latest = versions[-1]
    if version_form is None:
        version_form = RuleVersionForm(obj=latest, prefix="new", formdata=None)
        version_form.valid_from.data = version_form.valid_to.data = None
    return render_template(
        "admin/rule.html",
        rule=found,
        versions=versions,
        latest=latest,
        counts=deadlines.count_computed(session, [v.id for v in versions]),
        to_review=deadlines.deadlines_to_review(session, found),
        edit_form=edit_form or RuleEditForm(obj=found, prefix="edit", formdata=None),
        version_form=version_form,
        stale=stale,
    ), status


# A GET of a form's address goes to the page of that form (see `pages.form_lives_on`).
for _rule, _page in (
    ("/two-factor", "admin.index"),
    ("/users/<int:user_id>/lock-out", "admin.user"),
    ("/users/<int:user_id>/settings", "admin.user"),
    ("/users/<int:user_id>/role", "admin.user"),
    ("/users/<int:user_id>/deactivate", "admin.user"),
    ("/users/<int:user_id>/reactivate", "admin.user"),
    ("/users/<int:user_id>/password", "admin.user"),
    ("/jurisdictions/<int:jurisdiction_id>/vacations", "admin.jurisdiction"),
    ("/jurisdictions/<int:jurisdiction_id>/vacations/<int:vacation_id>/remove", "admin.vacation"),
    ("/rules/<int:rule_id>/versions", "admin.rule"),
):
    pages.form_lives_on(bp, _rule, _page)
